package store

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// SegmentRow is a segment created through the CLI or the admin API.
type SegmentRow struct {
	SiteID      string    `json:"site"`
	Name        string    `json:"name"`
	Rule        string    `json:"rule"`
	Description string    `json:"description,omitempty"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// SaveSegment appends a segment row; the latest written per (site, name)
// wins (its version is the time of writing in nanoseconds).
func (s *Store) SaveSegment(ctx context.Context, r SegmentRow) error {
	return s.insertRows(ctx, "audience_segments",
		[]string{"site_id", "name", "rule", "description", "created_by", "created_at", "deleted", "version"},
		[]any{r.SiteID, r.Name, r.Rule, r.Description, r.CreatedBy, r.CreatedAt.UTC(), uint8(0), uint64(time.Now().UnixNano())})
}

// Segments returns the current stored segments of site, by name.
func (s *Store) Segments(ctx context.Context, site string) ([]SegmentRow, error) {
	rows, err := s.Conn.Query(ctx, "SELECT name, argMax(rule, version), argMax(description, version),"+
		" argMax(created_by, version), argMax(created_at, version) FROM "+s.Dialect.DB+".audience_segments"+
		" WHERE site_id = ? GROUP BY name HAVING argMax(deleted, version) = 0 ORDER BY name", site)
	if err != nil {
		return nil, fmt.Errorf("query audience_segments: %w", err)
	}
	defer rows.Close()
	var out []SegmentRow
	for rows.Next() {
		r := SegmentRow{SiteID: site}
		if err := rows.Scan(&r.Name, &r.Rule, &r.Description, &r.CreatedBy, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan audience_segments: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ContactTraits returns the current traits of the linked identities of
// site's users (user ID as stored → key → value): where an export finds
// e-mail addresses and phone numbers.
func (s *Store) ContactTraits(ctx context.Context, site string, users []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	if len(users) == 0 {
		return out, nil
	}
	q := fmt.Sprintf(identitiesSelect, s.Dialect.DB, "WHERE site_id = ? AND user_id IN ?") + " HAVING argMax(unlinked, last_seen) = 0"
	ids, err := s.queryIdentities(ctx, q, site, set(users))
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if len(id.Traits) == 0 {
			continue
		}
		if out[id.UserID] == nil {
			out[id.UserID] = map[string]string{}
		}
		for k, v := range id.Traits {
			out[id.UserID][k] = v
		}
	}
	return out, nil
}

// SegmentSubjects returns a segment's subjects now, before any consent
// check: src is queries/audiences/segment.sql composed for the segment and
// args its parameters. For sizes (a preview), never for an export.
func (s *Store) SegmentSubjects(ctx context.Context, site, segment, src string, args []any) ([]AudienceMember, error) {
	rows, err := s.Conn.Query(ctx, "SELECT visitor_id, user_id, added_at FROM ("+src+")",
		append([]any{clickhouse.Named("site", site), clickhouse.Named("audience", segment)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("segment subjects: %w", err)
	}
	defer rows.Close()
	var out []AudienceMember
	for rows.Next() {
		var m AudienceMember
		if err := rows.Scan(&m.VisitorID, &m.UserID, &m.AddedAt); err != nil {
			return nil, fmt.Errorf("segment subjects: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// InterestScore is one row of queries/audiences/interests.sql.
type InterestScore struct {
	VisitorID, UserID, Category string
	Score                       float64
}

// InterestScores runs queries/audiences/interests.sql as composed by
// collector/interest (text and args).
func (s *Store) InterestScores(ctx context.Context, site, text string, args []any) ([]InterestScore, error) {
	rows, err := s.Conn.Query(ctx, text, append([]any{clickhouse.Named("site", site)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("interest scores: %w", err)
	}
	defer rows.Close()
	var out []InterestScore
	for rows.Next() {
		var r InterestScore
		if err := rows.Scan(&r.VisitorID, &r.UserID, &r.Category, &r.Score); err != nil {
			return nil, fmt.Errorf("interest scores: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
