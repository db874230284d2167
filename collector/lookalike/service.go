package lookalike

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/audience"
	"github.com/ashiato/ashiato/collector/segment"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/queries"
)

// Days is how far back features are read.
const Days = 90

// Service builds look-alike segments.
type Service struct {
	Store     *store.Store
	Audiences *audience.Service
	Sites     func(id string) *collector.Site
	Now       func() time.Time
}

// Result is a build: the evaluation, the weightiest features and the
// segment made.
type Result struct {
	Segment    string     `json:"segment"`
	Seed       string     `json:"seed"`
	Population int        `json:"population"` // subjects whose consent allows audience export
	SeedSize   int        `json:"seed_size"`
	Members    int        `json:"members"`
	Eval       Evaluation `json:"evaluation"`
	Top        []Weight   `json:"top_features"`
	Rule       string     `json:"rule"`
}

// Build trains on the subjects of site whose consent allows audience
// export now (the export's own check), the seed segment's among them as
// positives, scores the others, stores every score as the model name
// (lookalike_scores: the segment condition lookalike('NAME') >= X) and
// the size best as segment name (its rule: member of the stored audience
// "lookalike:NAME:TIME").
func (s *Service) Build(ctx context.Context, siteID, name, seed string, size int, by string) (Result, error) {
	res := Result{Segment: name, Seed: seed}
	site := s.Sites(siteID)
	if site == nil {
		return res, collector.Errorf(collector.EUnknownSite, "site", "unknown site")
	}
	if err := segment.CheckName(name); err != nil || name == seed || size < 1 {
		return res, collector.Errorf(collector.EInvalid, "name", "want a valid new segment name other than the seed, and --size ≥ 1")
	}
	ex, users, err := s.examples(ctx, site, seed)
	if err != nil {
		return res, err
	}
	res.Population = len(ex)
	for _, e := range ex {
		if e.Seed {
			res.SeedSize++
		}
	}
	if res.SeedSize < 10 || res.Population-res.SeedSize < 10 {
		return res, collector.Errorf(collector.EInvalid, "seed", "%d seed subjects of %d: want at least 10 in and 10 outside the seed", res.SeedSize, res.Population)
	}
	m, ev := Fit(ex)
	res.Eval, res.Top = ev, m.Top(10)
	type scored struct {
		id    string
		score float64
	}
	var cands []scored
	for _, e := range ex {
		if !e.Seed {
			cands = append(cands, scored{e.ID, m.Predict(e.Features)})
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		return cands[i].id < cands[j].id
	})
	now := s.Now().UTC()
	scores := make([]store.LookalikeScore, len(cands))
	for i, c := range cands {
		scores[i] = store.LookalikeScore{VisitorID: c.id, UserID: users[c.id], Score: c.score}
	}
	if err := s.Store.SaveLookalikeScores(ctx, site.ID, name, now, scores); err != nil {
		return res, err
	}
	if len(cands) > size {
		cands = cands[:size]
	}
	aud := fmt.Sprintf("lookalike:%s:%d", name, now.Unix())
	pairs := make([][2]string, len(cands))
	for i, c := range cands {
		pairs[i] = [2]string{c.id, users[c.id]}
	}
	if err := s.Store.AddAudienceMembers(ctx, site.ID, aud, pairs, now); err != nil {
		return res, err
	}
	res.Members, res.Rule = len(pairs), fmt.Sprintf("member('%s')", aud)
	if _, err := s.Audiences.Create(ctx, site.ID, name, res.Rule, fmt.Sprintf("look-alike of %s, top %d, AUC %.3f", seed, size, ev.AUC), by); err != nil {
		return res, err
	}
	return res, nil
}

// examples reads the features of the consenting subjects and marks the
// seed's; users maps a visitor ID to its user ID.
func (s *Service) examples(ctx context.Context, site *collector.Site, seed string) ([]Example, map[string]string, error) {
	text, err := queries.RenderWith("audiences/lookalike_features", s.Store.Dialect, struct {
		queries.Dialect
		Days int
	}{s.Store.Dialect, Days})
	if err != nil {
		return nil, nil, err
	}
	rows, err := s.Store.Conn.Query(ctx, text, clickhouse.Named("site", site.ID))
	if err != nil {
		return nil, nil, fmt.Errorf("look-alike features: %w", err)
	}
	feats := map[string][]string{}
	users := map[string]string{}
	var userList []string
	for rows.Next() {
		var v, u string
		var fs []string
		if err := rows.Scan(&v, &u, &fs); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("look-alike features: %w", err)
		}
		kept := fs[:0]
		for _, f := range fs {
			if !strings.HasSuffix(f, ":") && f != "section:/" { // an empty value says nothing
				kept = append(kept, f)
			}
		}
		sort.Strings(kept)
		feats[v], users[v] = kept, u
		if u != "" {
			userList = append(userList, u)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("look-alike features: %w", err)
	}
	traits, err := s.Store.ImportedTraits(ctx, site.ID, userList)
	if err != nil {
		return nil, nil, err
	}
	src := "SELECT @site AS site_id, @audience AS audience, visitor_id, user_id, now() AS added_at FROM (" + text + ")"
	allowed, err := s.Store.SegmentMembers(ctx, site.ID, "lookalike", site.PurposesWith(collector.CapAudienceExport), site.PolicyRevision, src, nil)
	if err != nil {
		return nil, nil, err
	}
	g, err := s.Audiences.Get(ctx, site.ID, seed)
	if err != nil {
		return nil, nil, err
	}
	n, err := segment.Parse(g.Rule)
	if err != nil {
		return nil, nil, err
	}
	q, err := segment.Compile(n, s.Store.Dialect, site)
	if err != nil {
		return nil, nil, err
	}
	seedRows, err := s.Store.SegmentSubjects(ctx, site.ID, seed, q.Text, q.Args)
	if err != nil {
		return nil, nil, err
	}
	interests, err := s.interestFeatures(ctx, site)
	if err != nil {
		return nil, nil, err
	}
	inSeed := map[string]bool{}
	for _, r := range seedRows {
		inSeed[r.VisitorID] = true
	}
	seen := map[string]bool{}
	var ex []Example
	for _, a := range allowed {
		if a.VisitorID == "" || seen[a.VisitorID] {
			continue
		}
		seen[a.VisitorID] = true
		fs := append(append([]string{}, feats[a.VisitorID]...), interests[a.VisitorID]...)
		for k, v := range traits[users[a.VisitorID]] {
			if d := site.Trait(k); d != nil && d.Type != collector.TraitEmail && d.Type != collector.TraitPhone {
				fs = append(fs, "trait:"+k+"="+v)
			}
		}
		ex = append(ex, Example{ID: a.VisitorID, Features: fs, Seed: inSeed[a.VisitorID]})
	}
	sort.Slice(ex, func(i, j int) bool { return ex[i].ID < ex[j].ID })
	return ex, users, nil
}
