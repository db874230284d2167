package lookalike

import (
	"context"
	"fmt"
	"sort"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/interest"
)

// InterestLevels are the score thresholds that make an interest category
// a feature: a subject with score s in category c has the feature
// "interest:c>=L" for every level L ≤ s (cumulative, so each weight reads
// as what that much more interest adds). A score of 1 is about one event
// of the category today, or two a half-life ago.
var InterestLevels = []float64{0.25, 1, 4}

// InterestFeatures returns the features of one subject's interest scores
// (category → score).
func InterestFeatures(scores map[string]float64) []string {
	var out []string
	for c, s := range scores {
		for _, l := range InterestLevels {
			if s >= l {
				out = append(out, fmt.Sprintf("interest:%s>=%g", c, l))
			}
		}
	}
	sort.Strings(out)
	return out
}

// interestFeatures returns the interest features of the subjects of site
// that have a profile: only those whose consent grants interest_profile
// now (interest.Service checks it against the ledger); none when the site
// has no categories.
func (s *Service) interestFeatures(ctx context.Context, site *collector.Site) (map[string][]string, error) {
	if len(site.Interests.Categories) == 0 {
		return nil, nil
	}
	rows, err := (&interest.Service{Store: s.Store, Sites: s.Sites}).Scores(ctx, site.ID, interest.Query{})
	if err != nil {
		return nil, fmt.Errorf("look-alike interest features: %w", err)
	}
	scores := map[string]map[string]float64{}
	for _, r := range rows {
		if scores[r.VisitorID] == nil {
			scores[r.VisitorID] = map[string]float64{}
		}
		scores[r.VisitorID][r.Category] = r.Score
	}
	out := make(map[string][]string, len(scores))
	for v, sc := range scores {
		out[v] = InterestFeatures(sc)
	}
	return out, nil
}
