package config

import "github.com/ashiato/ashiato/collector"

// DefaultPurposes returns the default purpose set of DESIGN.md with its
// Japanese and English texts. A site that lists no purposes gets these.
func DefaultPurposes() []collector.Purpose {
	return []collector.Purpose{
		{
			ID:       collector.PurposeNecessary,
			Required: true,
			Title:    collector.Text{"ja": "必須", "en": "Strictly necessary"},
			Description: collector.Text{
				"ja": "セキュリティ、不正利用の防止、サービスの安定運用のために必要な処理です。常に有効です。訪問者を識別する情報は保存しません。",
				"en": "Security, abuse prevention and stable operation of the service. Always on. Nothing that identifies you is stored.",
			},
		},
		{
			ID:           collector.PurposeAnalytics,
			Title:        collector.Text{"ja": "利用状況の分析", "en": "Usage analysis"},
			Description:  collector.Text{"ja": "サービス品質の改善のため、ファーストパーティの訪問者IDとセッションを使って利用状況を分析します。", "en": "We analyse how the site is used to improve its quality, with a first-party visitor ID and sessions."},
			Capabilities: []string{"persistent_id", "full_url"},
		},
		{
			ID:           collector.PurposePersonalization,
			Title:        collector.Text{"ja": "パーソナライズ", "en": "Personalisation"},
			Description:  collector.Text{"ja": "閲覧履歴からお客さまの興味を推定し、お知らせを選んでお届けします。ログイン中のお客さまIDと閲覧データを結び付けます。", "en": "We estimate your interests from your browsing to choose notices for you, and join your customer ID to your browsing data when you are signed in."},
			Capabilities: []string{"user_id_join", "interest_profile"},
		},
		{
			ID:           collector.PurposeAdvertising,
			Title:        collector.Text{"ja": "広告", "en": "Advertising"},
			Description:  collector.Text{"ja": "広告の配信と効果測定のため、広告事業者・提携先にデータを提供します。広告用オーディエンスの対象になります。", "en": "We deliver and measure ads, share data with advertising platforms and partners, and may include you in ad audiences."},
			Capabilities: []string{"audience_export", "third_party", "click_ids"},
		},
	}
}

// DemoSite is the built-in site used when no configuration file is given,
// so that the quickstart works on localhost.
func DemoSite() collector.Site {
	return collector.Site{
		ID:             "demo",
		Hosts:          []string{"localhost", "127.0.0.1"},
		Origins:        []string{"http://localhost:*", "http://127.0.0.1:*"},
		AnonymousMode:  collector.AnonymousAggregate,
		RetentionDays:  395,
		TimeZone:       "Asia/Tokyo",
		PolicyRevision: 1,
		PolicyURL:      "/privacy/demo/external",
		Banner:         collector.Banner{Layout: "bar", FloatingButton: true},
		// The quickstart's site (localhost only) shows identify() without
		// a back end to sign assertions.
		AllowUnsignedIdentify: true,
	}
}
