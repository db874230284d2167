// Texts of the dashboard in Japanese and English, and the language in use:
// the one chosen (kept in localStorage), else the browser's.
const T = {
  en: {
    title: 'ashiato dashboard', login: 'Log in', logout: 'Log out', token: 'Query token',
    tokenHelp: 'An admin token with the query scope (ashiato token create --scope query).',
    badToken: 'This token was not accepted: check that it is complete, not revoked and has the query scope.',
    tooMany: 'Too many failed attempts from this address. Wait a minute and try again.',
    scope: 'This token lacks the query scope.', failed: 'Could not load the data. Retry later.',
    site: 'Site', range: 'Range', compare: 'Compare', from: 'From', to: 'To', apply: 'Apply',
    today: 'Today', yesterday: 'Yesterday', '7d': 'Last 7 days', '30d': 'Last 30 days', '90d': 'Last 90 days',
    month: 'This month', lastmonth: 'Last month', custom: 'Custom',
    none: 'No comparison', previous: 'Previous period', year: 'Previous year',
    lang: '日本語', langLabel: 'Language: switch to Japanese', dark: 'Dark theme', light: 'Light theme',
    views: 'Views', overview: 'Overview', goals: 'Goals', funnel: 'Funnel', retention: 'Retention',
    journeys: 'Journeys', realtime: 'Realtime', consent: 'Consent',
    filters: 'Filters', removeFilter: 'Remove filter', noFilters: 'Click a row of a table to filter by it.',
    visitors: 'Visitors', visits: 'Visits', pageviews: 'Pageviews', views_per_visit: 'Views per visit',
    bounce_rate: 'Bounce rate', visit_duration: 'Visit duration', conversions: 'Conversions', revenue: 'Revenue',
    events: 'Events', conversion_rate: 'Conversion rate', drop_off: 'Drop-off', transitions: 'Transitions',
    decisions: 'Decisions', granted_count: 'Granted', denied_count: 'Denied', opt_in_rate: 'Opt-in rate',
    vsPrev: 'vs comparison', coverage: 'Consented {c} · anonymous {a}',
    coverageHelp: 'Anonymous mode counts pageviews, visits and daily visitors without a cookie, but cannot follow a visitor across days, so retention and multi-day visitors rest on consented traffic only.',
    estimate: 'estimate', chart: 'Visitors and pageviews', csv: 'CSV',
    asOf: 'Computed ahead at {time}: the default view of a large site is kept up to date in the background; a filter or another range is computed now.',
    pages: 'Top pages', entry_pages: 'Entry pages', exit_pages: 'Exit pages', sources: 'Sources', utm: 'UTM campaigns',
    devices: 'Devices', browsers: 'Browsers', os: 'Operating systems', countries: 'Countries', languages: 'Languages',
    props: 'Event properties', propKey: 'Property key', empty: 'No data for this range.',
    steps: 'Steps', stepCol: 'Step', policy: 'Policy revision', step: 'Step {n}', addStep: 'Add step', removeStep: 'Remove step {n}', window: 'Window (minutes)', run: 'Show',
    stepHelp: 'A path such as /pricing, or event:NAME.', cohort: 'Cohort (week)', week: 'Week {n}',
    page: 'Page', previousPages: 'Came from', nextPages: 'Went to', last30: 'Visitors in the last 30 minutes',
    refreshing: 'Refreshes every 30 seconds.', purpose: 'Purpose', method: 'Method', day: 'Day',
    policyRevision: 'Policy revision in force: {r}', gpcShare: 'Decisions by Global Privacy Control: {p}',
    optInByPurpose: 'Opt-in rate by purpose', optInByMethod: 'By method', optInByDay: 'Over time',
    loading: 'Loading…', timezone: 'Time zone: {tz}', none_value: '(none)',
    page_dim: 'Page', entry_page: 'Entry page', exit_page: 'Exit page', referrer_source: 'Source', utm_campaign: 'Campaign',
    method_dim: 'Method', day_dim: 'Day', device: 'Device', browser: 'Browser', os_dim: 'OS', country: 'Country', language: 'Language', event: 'Event', goal: 'Goal',
  },
  ja: {
    title: 'ashiato ダッシュボード', login: 'ログイン', logout: 'ログアウト', token: 'クエリトークン',
    tokenHelp: 'query スコープの管理トークン（ashiato token create --scope query）。',
    badToken: 'このトークンは受け付けられませんでした。欠けていないか、失効していないか、query スコープがあるかを確認してください。',
    tooMany: 'このアドレスからの失敗が多すぎます。1 分待ってからやり直してください。',
    scope: 'このトークンには query スコープがありません。', failed: 'データを読み込めませんでした。後でやり直してください。',
    site: 'サイト', range: '期間', compare: '比較', from: '開始日', to: '終了日', apply: '適用',
    today: '今日', yesterday: '昨日', '7d': '過去 7 日', '30d': '過去 30 日', '90d': '過去 90 日',
    month: '今月', lastmonth: '先月', custom: '期間を指定',
    none: '比較なし', previous: '前の期間', year: '前年',
    lang: 'English', langLabel: '言語: 英語に切り替える', dark: 'ダークテーマ', light: 'ライトテーマ',
    views: '表示', overview: '概要', goals: 'ゴール', funnel: 'ファネル', retention: 'リテンション',
    journeys: '遷移', realtime: 'リアルタイム', consent: '同意',
    filters: 'フィルター', removeFilter: 'フィルターを外す', noFilters: '表の行をクリックするとその値で絞り込みます。',
    visitors: '訪問者', visits: '訪問', pageviews: 'ページビュー', views_per_visit: '訪問あたりPV',
    bounce_rate: '直帰率', visit_duration: '平均滞在時間', conversions: 'コンバージョン', revenue: '売上',
    events: 'イベント', conversion_rate: 'コンバージョン率', drop_off: '離脱率', transitions: '遷移数',
    decisions: '決定数', granted_count: '同意', denied_count: '拒否', opt_in_rate: 'オプトイン率',
    vsPrev: '比較期間との差', coverage: '同意あり {c}・匿名 {a}',
    coverageHelp: '匿名モードは Cookie なしでページビュー・訪問・日ごとの訪問者を数えますが、日をまたいで同じ訪問者を追えないため、リテンションと複数日の訪問者は同意ありの通信だけにもとづきます。',
    estimate: '推定', chart: '訪問者とページビュー', csv: 'CSV',
    asOf: '{time} に事前集計：大きなサイトの既定の表示はバックグラウンドで更新されます。絞り込みや別の期間はその場で集計します。',
    pages: '人気ページ', entry_pages: '入口ページ', exit_pages: '出口ページ', sources: '参照元', utm: 'UTM キャンペーン',
    devices: 'デバイス', browsers: 'ブラウザー', os: 'OS', countries: '国', languages: '言語',
    props: 'イベントのプロパティ', propKey: 'プロパティ名', empty: 'この期間のデータはありません。',
    steps: 'ステップ', stepCol: 'ステップ', policy: 'ポリシーの版', step: 'ステップ {n}', addStep: 'ステップを追加', removeStep: 'ステップ {n} を削除', window: '期限（分）', run: '表示',
    stepHelp: '/pricing のようなパス、または event:イベント名。', cohort: 'コホート（週）', week: '{n} 週後',
    page: 'ページ', previousPages: '直前のページ', nextPages: '次のページ', last30: '直近 30 分の訪問者',
    refreshing: '30 秒ごとに更新します。', purpose: '目的', method: '方法', day: '日',
    policyRevision: '適用中のポリシー版: {r}', gpcShare: 'グローバル・プライバシー・コントロールによる決定: {p}',
    optInByPurpose: '目的ごとのオプトイン率', optInByMethod: '方法ごと', optInByDay: '推移',
    loading: '読み込み中…', timezone: 'タイムゾーン: {tz}', none_value: '（なし）',
    page_dim: 'ページ', entry_page: '入口ページ', exit_page: '出口ページ', referrer_source: '参照元', utm_campaign: 'キャンペーン',
    method_dim: '方法', day_dim: '日', device: 'デバイス', browser: 'ブラウザー', os_dim: 'OS', country: '国', language: '言語', event: 'イベント', goal: 'ゴール',
  },
};

let lang = 'en';

// initLang picks the stored or the browser's language.
export function initLang() {
  let stored = '';
  try { stored = localStorage.getItem('ashiato.lang') || ''; } catch (e) { /* storage off */ }
  lang = stored === 'ja' || stored === 'en' ? stored : (navigator.language || 'en').toLowerCase().startsWith('ja') ? 'ja' : 'en';
  document.documentElement.lang = lang;
}

export function currentLang() { return lang; }

export function setLang(l) {
  lang = l;
  document.documentElement.lang = l;
  try { localStorage.setItem('ashiato.lang', l); } catch (e) { /* storage off */ }
}

// t returns the text of key, with {name} replaced from vars.
export function t(key, vars) {
  let s = (T[lang] && T[lang][key]) || T.en[key] || key;
  if (vars) for (const k of Object.keys(vars)) s = s.replace('{' + k + '}', vars[k]);
  return s;
}
