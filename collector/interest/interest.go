// Package interest computes interest profiles: per subject of a site, a
// time-decayed score for each content category of the site's config
// (URL path patterns, event names, props). Only subjects whose consent
// grants interest_profile get one, checked against the ledger at every
// read; nothing is stored, so a withdrawal, a stop of use or an erasure
// removes a profile at once; anonymous traffic never has one.
package interest

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/queries"
)

// Score is one subject's score in one category.
type Score struct {
	VisitorID string  `json:"visitor_id"`
	UserID    string  `json:"user_id,omitempty"`
	Category  string  `json:"category"`
	Score     float64 `json:"score"`
}

// Query narrows a read: one visitor, one user (as stored), or neither;
// Category keeps one category; Limit bounds the rows (highest first).
type Query struct {
	Visitor, User, Category string
	Limit                   int
}

// horizonHalfLives: events older than this many half-lives weigh < 1/64.
const horizonHalfLives = 6

// SQL composes queries/audiences/interests.sql for site and q.
func SQL(site *collector.Site, d queries.Dialect, q Query) (string, []any, error) {
	if len(site.Interests.Categories) == 0 {
		return "", nil, collector.Errorf(collector.EInvalid, "site", "site %s has no interest categories", site.ID)
	}
	return compose(site, site.Interests.Categories, d, q, "i")
}

// CategorySQL composes queries/audiences/interests.sql for one category of
// site, over every identified visitor, with its parameters named prefix1,
// prefix2, … (so that a segment can hold several): a segment's
// interest(…) condition. The consent check is the caller's.
func CategorySQL(site *collector.Site, d queries.Dialect, category, prefix string) (string, []any, error) {
	for _, c := range site.Interests.Categories {
		if c.Name == category {
			return compose(site, []collector.InterestCategory{c}, d, Query{}, prefix)
		}
	}
	return "", nil, collector.Errorf(collector.EInvalid, "rule", "interest category %q is not in the site's interests", category)
}

func compose(site *collector.Site, cats []collector.InterestCategory, d queries.Dialect, q Query, prefix string) (string, []any, error) {
	var args []any
	bind := func(v string) string {
		p := fmt.Sprintf("%s%d", prefix, len(args)+1)
		args = append(args, clickhouse.Named(p, v))
		return "@" + p
	}
	cases := make([]string, len(cats))
	for i, c := range cats {
		var conds []string
		for _, p := range c.Paths {
			conds = append(conds, "url_path LIKE "+bind(likePattern(p)))
		}
		for _, e := range c.Events {
			conds = append(conds, "(type = 'event' AND name = "+bind(e)+")")
		}
		keys := make([]string, 0, len(c.Props))
		for k := range c.Props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			kp := bind(k)
			conds = append(conds, "(indexOf(prop_keys, "+kp+") > 0 AND prop_values[indexOf(prop_keys, "+kp+")] = "+bind(c.Props[k])+")")
		}
		cases[i] = "if(" + strings.Join(conds, " OR ") + ", " + bind(c.Name) + ", '')"
	}
	where := ""
	switch {
	case q.Visitor != "":
		where = "AND visitor_id = " + bind(q.Visitor)
	case q.User != "":
		where = "AND user_id = " + bind(q.User)
	}
	hl := site.Interests.HalfLifeDays
	text, err := queries.RenderWith("audiences/interests", d, struct {
		queries.Dialect
		Cases, Where                 string
		HalfLifeSeconds, HorizonDays int
	}{d, strings.Join(cases, ", "), where, hl * 86400, hl * horizonHalfLives})
	return text, args, err
}

func likePattern(path string) string {
	prefix := strings.HasSuffix(path, "*")
	path = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.TrimSuffix(path, "*"))
	if prefix {
		path += "%"
	}
	return path
}

// Service reads interest profiles.
type Service struct {
	Store *store.Store
	Sites func(id string) *collector.Site
}

// Scores returns the interest scores of q on a site, highest first, of
// subjects whose consent grants interest_profile now (the ledger's latest
// decision of each visitor, current policy revision, not expired, not
// under a stop of use: the statement of the audience export's check, run
// over these rows with the purposes that unlock interest_profile).
func (s *Service) Scores(ctx context.Context, siteID string, q Query) ([]Score, error) {
	site := s.Sites(siteID)
	if site == nil {
		return nil, collector.Errorf(collector.EUnknownSite, "site", "unknown site")
	}
	text, args, err := SQL(site, s.Store.Dialect, q)
	if err != nil {
		return nil, err
	}
	all, err := s.Store.InterestScores(ctx, site.ID, text, args)
	if err != nil {
		return nil, err
	}
	src := "SELECT site_id, @audience AS audience, visitor_id, user_id, now() AS added_at FROM (SELECT @site AS site_id, visitor_id, user_id FROM (" + text + "))"
	allowed, err := s.Store.SegmentMembers(ctx, site.ID, "interests", site.PurposesWith(collector.CapInterestProfile), site.PolicyRevision, src, args)
	if err != nil {
		return nil, err
	}
	ok := make(map[string]bool, len(allowed))
	for _, m := range allowed {
		ok[m.VisitorID] = true
	}
	out := []Score{}
	for _, sc := range all {
		if ok[sc.VisitorID] && (q.Category == "" || sc.Category == q.Category) {
			out = append(out, Score{VisitorID: sc.VisitorID, UserID: sc.UserID, Category: sc.Category, Score: sc.Score})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].VisitorID+out[i].Category < out[j].VisitorID+out[j].Category
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}
