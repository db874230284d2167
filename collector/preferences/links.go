package preferences

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
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
// the site knows it), channel and topic: sealed (AES-GCM) with the
// collector's link key, so that it can be neither changed to name another
// person or topic nor read.
func (s *Service) MintLink(site, user, channel, topic string) (string, error) {
	st, t, stored, err := s.resolve(site, user, channel, topic)
	if err != nil {
		return "", err
	}
	if t.Transactional {
		return "", collector.Errorf(collector.EInvalid, "topic", "%s is transactional: no unsubscribe link", t.ID)
	}
	return s.mintStored(st, t, stored, channel)
}

// mintStored seals a link for the user ID as stored.
func (s *Service) mintStored(st *collector.Site, t *collector.NoticeTopic, stored, channel string) (string, error) {
	body, _ := json.Marshal(link{Site: st.ID, User: stored, Channel: channel, Topic: t.ID, ID: uuid.NewString(),
		Exp: s.now().Add(LinkLifetime).Unix()})
	aead, err := s.linkAEAD()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, body, []byte(linkDomain))), nil
}

// linkDomain binds sealed links to their use.
const linkDomain = "ashiato/unsubscribe"

// linkAEAD is AES-256-GCM with the link key: a link is sealed, so that it
// can neither be changed nor read (it names the user ID as stored, which
// on a site that keeps plain user IDs is the ID itself, and mail links end
// up in logs).
func (s *Service) linkAEAD() (cipher.AEAD, error) {
	if len(s.LinkKey) != 32 {
		return nil, errLinkInvalid
	}
	b, err := aes.NewCipher(s.LinkKey)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// VerifyLink checks a link's signature, expiry and topic (it does not
// check whether it was used: Unsubscribe does).
func (s *Service) VerifyLink(token string) (Link, error) {
	aead, err := s.linkAEAD()
	if err != nil || len(token) > maxLinkLen {
		return Link{}, errLinkInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return Link{}, errLinkInvalid
	}
	body, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(linkDomain))
	var l link
	if err != nil || json.Unmarshal(body, &l) != nil || l.ID == "" {
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

// LinkURL is the unsubscribe link of token on the collector at origin
// (its public URL, or the request's: ingest.Origin): what List-Unsubscribe
// names and GET/POST /api/unsubscribe serve.
func LinkURL(origin, token string) string {
	return strings.TrimRight(origin, "/") + "/api/unsubscribe?t=" + url.QueryEscape(token)
}

// LinkKey derives the key that signs unsubscribe links from the server
// secret: every collector instance and the CLI share it.
func LinkKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("ashiato/unsubscribe-link-key"))
	return m.Sum(nil)
}
