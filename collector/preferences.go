package collector

// Notice channels a customer's preferences cover.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
	ChannelPost  = "post"
)

// Channels lists every notice channel, in display order.
var Channels = []string{ChannelEmail, ChannelSMS, ChannelPost}

// Preferences is a site's preference center: the notice topics a signed-in
// customer can turn on and off per channel, and the rules of requests for
// disclosure, stop of use and erasure (collector/preferences,
// collector/requests).
type Preferences struct {
	Topics []NoticeTopic `yaml:"topics" json:"topics"`
	// RequestDeadlineDays is the number of calendar days, counted from the
	// filing date in the site's time zone, within which a request is
	// answered (default 14).
	RequestDeadlineDays int `yaml:"request_deadline_days" json:"request_deadline_days"`
	// ExportHash makes the suppression export list SHA-256 hashes of the
	// user IDs instead of the IDs (as stored) by default.
	ExportHash bool `yaml:"export_hash" json:"export_hash"`
}

// NoticeTopic is one kind of notice (campaigns, service news, ...).
type NoticeTopic struct {
	ID          string   `yaml:"id" json:"id"`
	Title       Text     `yaml:"title" json:"title"`
	Description Text     `yaml:"description" json:"description,omitempty"`
	Channels    []string `yaml:"channels" json:"channels"` // default: every channel
	Default     bool     `yaml:"default" json:"default"`   // state before any choice
	// Transactional notices (order confirmations, important notices about
	// a service in use) are required by the contract: listed, always on,
	// never turned off; Reason says why.
	Transactional bool `yaml:"transactional" json:"transactional"`
	Reason        Text `yaml:"reason" json:"reason,omitempty"`
}

// Topic returns the site's notice topic id, or nil.
func (p *Preferences) Topic(id string) *NoticeTopic {
	for i := range p.Topics {
		if p.Topics[i].ID == id {
			return &p.Topics[i]
		}
	}
	return nil
}

// Has reports whether the topic is sent on channel.
func (t *NoticeTopic) Has(channel string) bool {
	for _, c := range t.Channels {
		if c == channel {
			return true
		}
	}
	return false
}
