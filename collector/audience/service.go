package audience

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/privacy"
	"github.com/ashiato/ashiato/collector/segment"
	"github.com/ashiato/ashiato/collector/store"
)

// Service lists, creates, previews and exports the segments of sites.
type Service struct {
	Store   *store.Store
	Privacy *privacy.Service // the consent check and audience_min_size
	Sites   func(id string) *collector.Site
	Now     func() time.Time
}

// Info is one segment: from the config file ("config") or created through
// the CLI or the admin API ("created").
type Info struct {
	Site        string    `json:"site"`
	Name        string    `json:"name"`
	Rule        string    `json:"rule"`
	Description string    `json:"description,omitempty"`
	Origin      string    `json:"origin"`
	CreatedBy   string    `json:"created_by,omitempty"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
}

func (s *Service) site(id string) (*collector.Site, error) {
	site := s.Sites(id)
	if site == nil {
		return nil, collector.Errorf(collector.EUnknownSite, "site", "unknown site")
	}
	return site, nil
}

// List returns the segments of a site: the config file's, then the
// created ones, each by name.
func (s *Service) List(ctx context.Context, siteID string) ([]Info, error) {
	site, err := s.site(siteID)
	if err != nil {
		return nil, err
	}
	out := []Info{}
	for _, g := range site.Segments {
		out = append(out, Info{Site: site.ID, Name: g.Name, Rule: g.Rule, Description: g.Description, Origin: "config"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	rows, err := s.Store.Segments(ctx, site.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if site.Segment(r.Name) != nil {
			continue // the config file's segment of that name wins
		}
		out = append(out, Info{Site: site.ID, Name: r.Name, Rule: r.Rule, Description: r.Description,
			Origin: "created", CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt})
	}
	return out, nil
}

// Get returns one segment of a site, or a not_found error.
func (s *Service) Get(ctx context.Context, siteID, name string) (Info, error) {
	all, err := s.List(ctx, siteID)
	if err != nil {
		return Info{}, err
	}
	for _, g := range all {
		if g.Name == name {
			return g, nil
		}
	}
	return Info{}, collector.Errorf(collector.ENotFound, "segment", "no segment %q on site %s", name, siteID)
}

// Create stores a new segment (or replaces a created one of that name):
// its name and rule are checked first; a config file's segment cannot be
// replaced.
func (s *Service) Create(ctx context.Context, siteID, name, rule, description, by string) (Info, error) {
	site, err := s.site(siteID)
	if err != nil {
		return Info{}, err
	}
	if err := segment.CheckName(name); err != nil {
		return Info{}, collector.Errorf(collector.EInvalid, "name", "%v", err)
	}
	n, err := segment.Parse(rule)
	if err != nil {
		return Info{}, collector.Errorf(collector.EInvalid, "rule", "%v", err)
	}
	for _, t := range segment.Traits(n) {
		if site.Trait(t) == nil {
			return Info{}, collector.Errorf(collector.EInvalid, "rule", "trait %q is not declared in the site's traits", t)
		}
	}
	if _, err := segment.Compile(n, s.Store.Dialect, site); err != nil { // an unknown interest category
		return Info{}, collector.Errorf(collector.EInvalid, "rule", "%v", err)
	}
	if site.Segment(name) != nil {
		return Info{}, collector.Errorf(collector.EInvalid, "name", "segment %q is defined in the config file", name)
	}
	r := store.SegmentRow{SiteID: site.ID, Name: name, Rule: rule, Description: description, CreatedBy: by, CreatedAt: s.Now().UTC().Truncate(time.Second)}
	if err := s.Store.SaveSegment(ctx, r); err != nil {
		return Info{}, err
	}
	return Info{Site: site.ID, Name: name, Rule: rule, Description: description, Origin: "created", CreatedBy: by, CreatedAt: r.CreatedAt}, nil
}

func (s *Service) compile(g Info) (segment.SQL, error) {
	n, err := segment.Parse(g.Rule)
	if err != nil {
		return segment.SQL{}, collector.Errorf(collector.EInvalid, "rule", "%v", err)
	}
	return segment.Compile(n, s.Store.Dialect, s.Sites(g.Site))
}

// Preview is the size of a segment now, before and after the export's
// consent check, against the site's audience_min_size.
type Preview struct {
	Site       string `json:"site"`
	Segment    string `json:"segment"`
	Rule       string `json:"rule"`
	People     int    `json:"people"`     // matching the rule now
	Exportable int    `json:"exportable"` // of those, whose consent allows the export now
	MinSize    int    `json:"audience_min_size"`
	Allowed    bool   `json:"export_allowed"` // exportable >= audience_min_size
}

// Preview sizes a segment. It names nobody.
func (s *Service) Preview(ctx context.Context, siteID, name string) (Preview, error) {
	g, err := s.Get(ctx, siteID, name)
	if err != nil {
		return Preview{}, err
	}
	q, err := s.compile(g)
	if err != nil {
		return Preview{}, err
	}
	all, err := s.Store.SegmentSubjects(ctx, g.Site, g.Name, q.Text, q.Args)
	if err != nil {
		return Preview{}, err
	}
	n, err := s.Privacy.ExportablePeople(ctx, g.Site, g.Name, q.Text, q.Args)
	if err != nil {
		return Preview{}, err
	}
	min := s.Sites(g.Site).AudienceMinSize
	return Preview{Site: g.Site, Segment: g.Name, Rule: g.Rule, People: len(uniq(privacy.PersonKeys(all))),
		Exportable: n, MinSize: min, Allowed: n >= min}, nil
}

// ExportRequest names what to export, where to, and who asks.
type ExportRequest struct {
	Site, Segment, Format string
	Destination           string // the file or endpoint it goes to, for the audit row
	By                    string // the actor, for the audit row
	Method, Path          string // how it was asked (CLI, or the HTTP method and path)
}

// Result is what an export wrote.
type Result struct {
	Site    string `json:"site"`
	Segment string `json:"segment"`
	Rule    string `json:"rule"`
	Format  string `json:"format"`
	People  int    `json:"people"`  // who passed the consent check
	Written int    `json:"written"` // rows written
	Skipped int    `json:"skipped"` // people the platform cannot match (no e-mail or phone)
	SHA256  string `json:"sha256"`  // of the file
}

// Export writes a segment's members to w in r.Format. Consent is checked
// at export time against the ledger (privacy.Service.SegmentMembers): only
// subjects whose latest decision grants a purpose that unlocks
// audience_export, not under a stop of use and not erased; below the
// site's audience_min_size nothing is written and nobody is named. The
// people who left are recorded in audience_members under the segment's
// name (so that erasure and withdrawal reach them), and every export,
// refused or not, is an audit row: who, segment, rule, count, format,
// destination and the file's SHA-256.
func (s *Service) Export(ctx context.Context, r ExportRequest, w io.Writer, progress func(done, total uint64)) (res Result, err error) {
	res = Result{Site: r.Site, Segment: r.Segment, Format: r.Format}
	defer func() { s.audit(ctx, r, res, err) }()
	if _, ok := formats[r.Format]; !ok {
		return res, collector.Errorf(collector.EInvalid, "format", "format %q: want one of %s", r.Format, strings.Join(Formats, ", "))
	}
	g, err := s.Get(ctx, r.Site, r.Segment)
	if err != nil {
		return res, err
	}
	res.Rule = g.Rule
	q, err := s.compile(g)
	if err != nil {
		return res, err
	}
	ms, err := s.Privacy.SegmentMembers(ctx, g.Site, g.Name, q.Text, q.Args)
	if err != nil {
		return res, err
	}
	people, err := s.people(ctx, g.Site, ms)
	if err != nil {
		return res, err
	}
	res.People = len(people)
	rows, skipped, err := Rows(r.Format, people)
	if err != nil {
		return res, err
	}
	res.Skipped = skipped
	// The platform learns the people of the rows written, not those who
	// passed the consent check: a file of fewer rows than the minimum is
	// refused too (a Customer Match file of the few who gave an e-mail).
	if min := s.Sites(g.Site).AudienceMinSize; len(rows)-1 < min {
		return res, collector.Errorf(collector.EAudienceTooSmall, "audience",
			"%d of %d exportable people have an identifier %s matches, fewer than the site's audience_min_size (%d)",
			len(rows)-1, res.People, r.Format, min)
	}
	h := sha256.New()
	if err := Write(io.MultiWriter(w, h), rows, progress); err != nil {
		return res, err
	}
	res.Written = len(rows) - 1
	res.SHA256 = hex.EncodeToString(h.Sum(nil))
	pairs := make([][2]string, len(ms))
	for i, m := range ms {
		pairs[i] = [2]string{m.VisitorID, m.UserID}
	}
	if err := s.Store.AddAudienceMembers(ctx, g.Site, g.Name, pairs, s.Now()); err != nil {
		return res, fmt.Errorf("record audience members: %w", err)
	}
	return res, nil
}

// people collapses member rows into people (privacy.PersonKeys) with the
// contact traits of their user IDs.
func (s *Service) people(ctx context.Context, site string, ms []store.AudienceMember) ([]Person, error) {
	keys := privacy.PersonKeys(ms)
	byKey := map[string]*Person{}
	var order []string
	var users []string
	for i, m := range ms {
		p := byKey[keys[i]]
		if p == nil {
			p = &Person{}
			byKey[keys[i]] = p
			order = append(order, keys[i])
		}
		if p.VisitorID == "" {
			p.VisitorID = m.VisitorID
		}
		if p.UserID == "" && m.UserID != "" {
			p.UserID = m.UserID
			users = append(users, m.UserID)
		}
	}
	linked, err := s.Store.ContactTraits(ctx, site, users)
	if err != nil {
		return nil, err
	}
	imported, err := s.Store.ImportedTraits(ctx, site, users)
	if err != nil {
		return nil, err
	}
	// Imported traits of the types email and phone win over the "email"
	// and "phone" traits sent with identify.
	var emailKey, phoneKey string
	for _, d := range s.Sites(site).Traits {
		if d.Type == collector.TraitEmail && emailKey == "" {
			emailKey = d.Name
		}
		if d.Type == collector.TraitPhone && phoneKey == "" {
			phoneKey = d.Name
		}
	}
	out := make([]Person, len(order))
	for i, k := range order {
		p := *byKey[k]
		if t := linked[p.UserID]; t != nil {
			p.Email, p.Phone = t["email"], t["phone"]
		}
		if t := imported[p.UserID]; t != nil {
			if v := t[emailKey]; emailKey != "" && v != "" {
				p.Email = v
			}
			if v := t[phoneKey]; phoneKey != "" && v != "" {
				p.Phone = v
			}
		}
		out[i] = p
	}
	return out, nil
}

func (s *Service) audit(ctx context.Context, r ExportRequest, res Result, err error) {
	status := 200
	if err != nil {
		status = ingest.Status(collector.ErrorCode(err))
	}
	detail := fmt.Sprintf("segment=%s rule=%q format=%s destination=%q people=%d written=%d sha256=%s",
		r.Segment, res.Rule, r.Format, r.Destination, res.People, res.Written, res.SHA256)
	e := store.AuditEntry{TS: s.Now(), Actor: r.By, Action: "audiences.export", Method: r.Method, Path: r.Path,
		SiteID: r.Site, Detail: detail, Status: status}
	if aerr := s.Store.Audit(ctx, e); aerr != nil && s.Privacy.Log != nil {
		s.Privacy.Log.Error("write audit row", "err", aerr)
	}
}

func uniq(keys []string) map[string]struct{} {
	m := make(map[string]struct{}, len(keys))
	for _, k := range keys {
		m[k] = struct{}{}
	}
	return m
}
