package preferences

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ashiato/ashiato/collector"
)

// LinkLifetime is how long a one-click unsubscribe link works: longer than
// anyone keeps a notice unread.
const LinkLifetime = 180 * 24 * time.Hour

// maxLinkLen bounds what VerifyLink reads from outside input.
const maxLinkLen = 2048

// link is the payload of an unsubscribe link: the recipient (user ID as
// stored), channel and topic, an ID that makes it work once, and expiry.
type link struct {
	Site    string `json:"s"`
	User    string `json:"u"`
	Channel string `json:"c"`
	Topic   string `json:"t"`
	ID      string `json:"n"`
	Exp     int64  `json:"e"`
}

// Errors of unsubscribe links, safe to show.
var (
	errLinkInvalid = collector.Errorf(collector.EForbidden, "token", "this unsubscribe link is not valid")
	errLinkExpired = collector.Errorf(collector.EForbidden, "token", "this unsubscribe link has expired")
	errLinkUsed    = collector.Errorf(collector.EForbidden, "token", "this unsubscribe link was used already")
)

// Link is a verified unsubscribe link.
type Link struct {
	Site, Channel, Topic string
	Title                collector.Text // the topic's title
	user, id             string
}

// MintLink returns the token of a one-click unsubscribe link for user (as
// the site knows it), channel and topic: signed with the collector's link
// key, so that it cannot be changed to name another person or topic.
func (s *Service) MintLink(site, user, channel, topic string) (string, error) {
	st, t, stored, err := s.resolve(site, user, channel, topic)
	if err != nil {
		return "", err
	}
	if t.Transactional {
		return "", collector.Errorf(collector.EInvalid, "topic", "%s is transactional: no unsubscribe link", t.ID)
	}
	body, _ := json.Marshal(link{Site: st.ID, User: stored, Channel: channel, Topic: t.ID, ID: uuid.NewString(),
		Exp: s.now().Add(LinkLifetime).Unix()})
	p := base64.RawURLEncoding.EncodeToString(body)
	return p + "." + s.linkSig(p), nil
}

func (s *Service) linkSig(payload string) string {
	m := hmac.New(sha256.New, s.LinkKey)
	m.Write([]byte("ashiato/unsubscribe\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// VerifyLink checks a link's signature, expiry and topic (it does not
// check whether it was used: Unsubscribe does).
func (s *Service) VerifyLink(token string) (Link, error) {
	p, sig, ok := strings.Cut(token, ".")
	if len(s.LinkKey) == 0 || len(token) > maxLinkLen || !ok || !hmac.Equal([]byte(sig), []byte(s.linkSig(p))) {
		return Link{}, errLinkInvalid
	}
	b, err := base64.RawURLEncoding.DecodeString(p)
	var l link
	if err != nil || json.Unmarshal(b, &l) != nil || l.ID == "" {
		return Link{}, errLinkInvalid
	}
	if !s.now().Before(time.Unix(l.Exp, 0)) {
		return Link{}, errLinkExpired
	}
	st := s.Sites(l.Site)
	if st == nil {
		return Link{}, errLinkInvalid
	}
	t := st.Preferences.Topic(l.Topic)
	if t == nil || !t.Has(l.Channel) || t.Transactional {
		return Link{}, errLinkInvalid
	}
	return Link{Site: l.Site, Channel: l.Channel, Topic: l.Topic, Title: t.Title, user: l.User, id: l.ID}, nil
}

// Unsubscribe turns the link's preference off, once: a used link is
// refused.
func (s *Service) Unsubscribe(ctx context.Context, token string) (Link, error) {
	l, err := s.VerifyLink(token)
	if err != nil {
		return l, err
	}
	s.linkMu.Lock()
	defer s.linkMu.Unlock()
	used, err := s.Store.PreferenceLinkUsed(ctx, l.Site, l.id)
	if err != nil {
		return l, err
	}
	if used {
		return l, errLinkUsed
	}
	t := s.Sites(l.Site).Preferences.Topic(l.Topic)
	_, err = s.record(ctx, l.Site, t, l.user, Change{Channel: l.Channel, Topic: l.Topic, On: false,
		Source: SourceUnsubscribe, Actor: "link", LinkID: l.id})
	return l, err
}

// LinkKey derives the key that signs unsubscribe links from the server
// secret: every collector instance and the CLI share it.
func LinkKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("ashiato/unsubscribe-link-key"))
	return m.Sum(nil)
}
