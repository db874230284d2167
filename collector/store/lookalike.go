package store

import (
	"context"
	"fmt"
	"time"
)

// LookalikeScore is one subject's score in a look-alike build.
type LookalikeScore struct {
	VisitorID, UserID string
	Score             float64
}

// SaveLookalikeScores stores the scores of a build of model on site
// (lookalike_scores, read by the segment condition lookalike(MODEL)), then
// deletes the model's older builds by mutation, without waiting for it:
// the condition reads the latest build only.
func (s *Store) SaveLookalikeScores(ctx context.Context, site, model string, at time.Time, scores []LookalikeScore) error {
	at = at.UTC().Truncate(time.Second)
	rows := make([][]any, len(scores))
	for i, sc := range scores {
		rows[i] = []any{site, model, at, sc.VisitorID, sc.UserID, sc.Score}
	}
	if len(rows) > 0 {
		if err := s.insertRows(ctx, "lookalike_scores", []string{"site_id", "model", "built_at", "visitor_id", "user_id", "score"}, rows...); err != nil {
			return err
		}
	}
	db := s.Dialect.DB
	var n uint64
	if err := s.Conn.QueryRow(ctx, "SELECT count() FROM "+db+".lookalike_scores WHERE site_id = ? AND model = ? AND built_at < ?", site, model, at).Scan(&n); err != nil {
		return fmt.Errorf("count older look-alike scores: %w", err)
	}
	if n == 0 {
		return nil
	}
	if err := s.Conn.Exec(ctx, "ALTER TABLE "+db+".lookalike_scores "+s.Dialect.OnCluster()+" DELETE WHERE site_id = ? AND model = ? AND built_at < ?", site, model, at); err != nil {
		return fmt.Errorf("delete older look-alike scores: %w", err)
	}
	return nil
}
