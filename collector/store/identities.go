package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/ashiato/ashiato/queries"
)

// Identity is one link between a first-party visitor ID and an
// authenticated user ID of a site (the user ID as stored: hashed when the
// site hashes user IDs).
type Identity struct {
	SiteID    string            `json:"site_id"`
	VisitorID string            `json:"visitor_id"`
	UserID    string            `json:"user_id"`
	ConsentID string            `json:"consent_id"`
	Traits    map[string]string `json:"traits,omitempty"`
	FirstSeen time.Time         `json:"first_seen"`
	LastSeen  time.Time         `json:"last_seen"`
	Unlinked  bool              `json:"unlinked,omitempty"`
}

var identityColumns = []string{"site_id", "visitor_id", "user_id", "consent_id",
	"traits_keys", "traits_values", "first_seen", "last_seen", "unlinked"}

// SaveIdentities appends identity rows; the row with the latest last_seen
// per (site, visitor, user) is the current state.
func (s *Store) SaveIdentities(ctx context.Context, ids ...Identity) error {
	rows := make([][]any, 0, len(ids))
	for _, id := range ids {
		keys := make([]string, 0, len(id.Traits))
		for k := range id.Traits {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		vals := make([]string, len(keys))
		for i, k := range keys {
			vals[i] = id.Traits[k]
		}
		var unlinked uint8
		if id.Unlinked {
			unlinked = 1
		}
		rows = append(rows, []any{id.SiteID, id.VisitorID, id.UserID, id.ConsentID, keys, vals,
			id.FirstSeen.UTC(), id.LastSeen.UTC(), unlinked})
	}
	return s.insertRows(ctx, "identities", identityColumns, rows...)
}

// identitiesSelect reads the current state of each (site, visitor, user).
const identitiesSelect = `SELECT site_id, visitor_id, user_id, argMax(consent_id, last_seen),
	argMax(traits_keys, last_seen), argMax(traits_values, last_seen), min(first_seen), max(last_seen),
	argMax(unlinked, last_seen)
FROM %s.identities %s GROUP BY site_id, visitor_id, user_id`

// LinkedIdentities returns every current (not unlinked) link.
func (s *Store) LinkedIdentities(ctx context.Context) ([]Identity, error) {
	q := fmt.Sprintf(identitiesSelect, s.Dialect.DB, "") + " HAVING argMax(unlinked, last_seen) = 0"
	return s.queryIdentities(ctx, q)
}

// IdentitiesOfVisitor returns the current state of every link of a visitor.
func (s *Store) IdentitiesOfVisitor(ctx context.Context, site, visitorID string) ([]Identity, error) {
	q := fmt.Sprintf(identitiesSelect, s.Dialect.DB, "WHERE site_id = ? AND visitor_id = ?")
	return s.queryIdentities(ctx, q, site, visitorID)
}

// VisitorsOfUser returns the visitor IDs ever linked to a user ID.
func (s *Store) VisitorsOfUser(ctx context.Context, site, userID string) ([]string, error) {
	rows, err := s.Conn.Query(ctx, "SELECT DISTINCT visitor_id FROM "+s.Dialect.DB+".identities WHERE site_id = ? AND user_id = ? ORDER BY visitor_id", site, userID)
	if err != nil {
		return nil, fmt.Errorf("query identities: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("scan identities: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (s *Store) queryIdentities(ctx context.Context, q string, args ...any) ([]Identity, error) {
	rows, err := s.Conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query identities: %w", err)
	}
	defer rows.Close()
	var out []Identity
	for rows.Next() {
		var id Identity
		var keys, vals []string
		var unlinked uint8
		if err := rows.Scan(&id.SiteID, &id.VisitorID, &id.UserID, &id.ConsentID, &keys, &vals,
			&id.FirstSeen, &id.LastSeen, &unlinked); err != nil {
			return nil, fmt.Errorf("scan identities: %w", err)
		}
		id.Unlinked = unlinked == 1
		if len(keys) > 0 {
			id.Traits = make(map[string]string, len(keys))
			for i, k := range keys {
				if i < len(vals) {
					id.Traits[k] = vals[i]
				}
			}
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// DeleteVisitorLinks removes a visitor's link rows, and the visitor's
// (and users') audience memberships and look-alike scores (LeaveAudiences),
// by mutation, without waiting for it. The caller
// writes an unlinked row first, which takes effect at once and shadows the
// link rows until the mutation has run on every part; it is left for
// DeleteUnlinkedBefore. (A mutation that deleted both could remove the
// unlinked row first: a read in between saw the link again.)
func (s *Store) DeleteVisitorLinks(ctx context.Context, site, visitorID string, users []string) error {
	if err := s.Alter(ctx, "identities", "DELETE WHERE site_id = ? AND visitor_id = ? AND unlinked = 0", site, visitorID); err != nil {
		return fmt.Errorf("delete identities: %w", err)
	}
	return s.LeaveAudiences(ctx, site, visitorID, users)
}

// LeaveAudiences removes, by mutation and without waiting for it, the
// audience memberships and look-alike scores of a visitor and of the user
// IDs in users; a table without such rows gets no mutation (most
// visitors are in no audience).
func (s *Store) LeaveAudiences(ctx context.Context, site, visitorID string, users []string) error {
	db := s.Dialect.DB
	cond, args := "visitor_id = ?", []any{site, visitorID}
	if len(users) > 0 {
		cond, args = "(visitor_id = ? OR user_id IN ?)", append(args, set(users))
	}
	for _, t := range []string{"audience_members", "lookalike_scores"} {
		var n uint64
		if err := s.Conn.QueryRow(ctx, "SELECT count() FROM "+db+"."+t+" WHERE site_id = ? AND "+cond, args...).Scan(&n); err != nil {
			return fmt.Errorf("count %s rows: %w", t, err)
		}
		if n == 0 {
			continue
		}
		if err := s.Alter(ctx, t, "DELETE WHERE site_id = ? AND "+cond, args...); err != nil {
			return fmt.Errorf("delete %s rows: %w", t, err)
		}
	}
	return nil
}

// DeleteUnlinkedBefore removes, by mutation, the unlinked rows older than
// cutoff whose link rows are gone (an unlinked row is only needed while the
// rows it shadows remain), at most maxUnlinkedPerRun links a call, and
// returns how many links it removed the rows of. The mutation names the
// links as literals: a mutation with a subquery is refused on replicated
// tables of current servers (not deterministic).
func (s *Store) DeleteUnlinkedBefore(ctx context.Context, cutoff time.Time) (int, error) {
	db := s.Dialect.DB
	cutoff = cutoff.UTC()
	rows, err := s.Conn.Query(ctx, "SELECT DISTINCT site_id, visitor_id, user_id FROM "+db+".identities"+
		" WHERE unlinked = 1 AND last_seen < ? AND (site_id, visitor_id, user_id) NOT IN"+
		" (SELECT site_id, visitor_id, user_id FROM "+db+".identities WHERE unlinked = 0 AND last_seen < ?)"+
		fmt.Sprintf(" LIMIT %d", maxUnlinkedPerRun), cutoff, cutoff)
	if err != nil {
		return 0, fmt.Errorf("find unlinked identities: %w", err)
	}
	var keys []string
	args := []any{cutoff}
	for rows.Next() {
		var site, visitor, user string
		if err := rows.Scan(&site, &visitor, &user); err != nil {
			rows.Close()
			return 0, fmt.Errorf("find unlinked identities: %w", err)
		}
		keys = append(keys, "(?, ?, ?)")
		args = append(args, site, visitor, user)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("find unlinked identities: %w", err)
	}
	if len(keys) == 0 {
		return 0, nil
	}
	q := "DELETE WHERE unlinked = 1 AND last_seen < ?" +
		" AND (site_id, visitor_id, user_id) IN (" + strings.Join(keys, ", ") + ")"
	if err := s.Alter(ctx, "identities", q, args...); err != nil {
		return 0, fmt.Errorf("delete unlinked identities: %w", err)
	}
	return len(keys), nil
}

// maxUnlinkedPerRun bounds the links DeleteUnlinkedBefore names in one
// mutation; the rest go on the next run.
const maxUnlinkedPerRun = 1000

// AddAudienceMembers adds subjects to an audience.
func (s *Store) AddAudienceMembers(ctx context.Context, site, audience string, members [][2]string, at time.Time) error {
	rows := make([][]any, len(members))
	for i, m := range members {
		rows[i] = []any{site, audience, m[0], m[1], at.UTC()}
	}
	return s.insertRows(ctx, "audience_members", []string{"site_id", "audience", "visitor_id", "user_id", "added_at"}, rows...)
}

// LaterDecisions counts the ledger rows of a visitor of site that were
// recorded after the decision consentID (issued at since): a token of
// consentID is then stale. Consent IDs are version 7 UUIDs, ordered by time
// to the millisecond, which tells two decisions of the same second apart.
func (s *Store) LaterDecisions(ctx context.Context, site, visitorID, consentID string, since time.Time) (uint64, error) {
	var n uint64
	err := s.Conn.QueryRow(ctx, "SELECT count() FROM "+s.Dialect.DB+".consent_log WHERE site_id = ? AND visitor_id = ? AND ts >= ? AND consent_id > ?",
		site, visitorID, since.UTC(), consentID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("query consent_log: %w", err)
	}
	return n, nil
}

// AudienceMember is one exportable member of an audience.
type AudienceMember struct {
	VisitorID string    `json:"visitor_id"`
	UserID    string    `json:"user_id"`
	AddedAt   time.Time `json:"added_at"`
}

// AudienceMembers returns the members of an audience of site that may be
// exported now (queries/exports/audience_members.sql): each one's consent
// is checked again against the ledger, with purposes the site's purposes
// that unlock audience export and revision its current policy revision.
func (s *Store) AudienceMembers(ctx context.Context, site, audience string, purposes []string, revision int) ([]AudienceMember, error) {
	if len(purposes) == 0 {
		return []AudienceMember{}, nil // no purpose of the site allows it: nobody may be exported
	}
	sql, err := s.Render("exports/audience_members")
	if err != nil {
		return nil, err
	}
	return s.checkedMembers(ctx, sql, site, audience, purposes, revision)
}

// SegmentMembers is AudienceMembers over a segment's subjects now instead
// of a stored audience: src is queries/audiences/segment.sql composed for
// the segment (collector/segment) and args its parameters; the consent
// check is the same statement's.
func (s *Store) SegmentMembers(ctx context.Context, site, audience string, purposes []string, revision int, src string, args []any) ([]AudienceMember, error) {
	if len(purposes) == 0 {
		return []AudienceMember{}, nil
	}
	sql, err := queries.RenderSource("exports/audience_members", s.Dialect, src)
	if err != nil {
		return nil, err
	}
	return s.checkedMembers(ctx, sql, site, audience, purposes, revision, args...)
}

func (s *Store) checkedMembers(ctx context.Context, sql, site, audience string, purposes []string, revision int, extra ...any) ([]AudienceMember, error) {
	out := []AudienceMember{}
	args := append([]any{clickhouse.Named("site", site), clickhouse.Named("audience", audience),
		clickhouse.Named("purposes", purposes), clickhouse.Named("revision", revision)}, extra...)
	rows, err := s.Conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("audience members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m AudienceMember
		if err := rows.Scan(&m.VisitorID, &m.UserID, &m.AddedAt); err != nil {
			return nil, fmt.Errorf("audience members: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audience members: %w", err)
	}
	return out, nil
}
