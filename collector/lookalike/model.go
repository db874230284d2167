// Package lookalike scores subjects by their resemblance to a seed
// segment (for example users who converted on a service) with an
// explainable model: logistic regression over binary features (traffic
// sources, devices, countries, site sections, traits, interest categories
// by level), trained in Go on a
// deterministic split of the subjects and evaluated on the held-out part
// (AUC, lift in the top 10 %), with the features that weigh most.
package lookalike

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"sort"
)

// Example is one subject: its binary features and whether it is in the
// seed.
type Example struct {
	ID       string
	Features []string
	Seed     bool
}

// Model is a trained logistic regression.
type Model struct {
	Bias    float64
	Weights map[string]float64
}

// Weight is one feature's weight (log-odds of being like the seed).
type Weight struct {
	Feature string  `json:"feature"`
	Weight  float64 `json:"weight"`
}

// Evaluation is the model's result on the held-out subjects. AUC and
// LiftAt10 are NaN when the held-out part lacks seed or other subjects
// (null in JSON).
type Evaluation struct {
	Train, Holdout int     // subjects in each part
	AUC            float64 // 0.5: no better than chance
	LiftAt10       float64 // seed rate in the top 10 % over the base rate
}

// MarshalJSON writes NaN as null.
func (e Evaluation) MarshalJSON() ([]byte, error) {
	num := func(f float64) any {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		return f
	}
	return json.Marshal(map[string]any{"train": e.Train, "holdout": e.Holdout, "auc": num(e.AUC), "lift_at_10": num(e.LiftAt10)})
}

// Holdout reports whether a subject belongs to the held-out 30 %: a hash
// of its ID, so the split is the same on every run.
func Holdout(id string) bool {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()%10 < 3
}

// Train fits a logistic regression by gradient descent with L2
// regularisation (so that rare features do not take extreme weights);
// the classes are weighted to balance a small seed.
func Train(ex []Example) *Model {
	m := &Model{Weights: map[string]float64{}}
	var pos int
	for _, e := range ex {
		if e.Seed {
			pos++
		}
	}
	if pos == 0 || pos == len(ex) {
		return m
	}
	wPos, wNeg := float64(len(ex))/(2*float64(pos)), float64(len(ex))/(2*float64(len(ex)-pos))
	const (
		epochs = 60
		rate   = 0.1
		l2     = 1e-3
	)
	n := float64(len(ex))
	for epoch := 0; epoch < epochs; epoch++ {
		grad := map[string]float64{}
		var gBias float64
		for _, e := range ex {
			y, w := 0.0, wNeg
			if e.Seed {
				y, w = 1, wPos
			}
			d := w * (m.Predict(e.Features) - y)
			gBias += d
			for _, f := range e.Features {
				grad[f] += d
			}
		}
		m.Bias -= rate * gBias / n * 10
		for f, g := range grad {
			m.Weights[f] -= rate * (g/n*10 + l2*m.Weights[f])
		}
	}
	return m
}

// Predict is the model's probability that features belong to a seed-like
// subject (balanced classes: 0.5 is neutral).
func (m *Model) Predict(features []string) float64 {
	z := m.Bias
	for _, f := range features {
		z += m.Weights[f]
	}
	return 1 / (1 + math.Exp(-z))
}

// Top returns the n features of largest weight, positive or negative.
func (m *Model) Top(n int) []Weight {
	out := make([]Weight, 0, len(m.Weights))
	for f, w := range m.Weights {
		out = append(out, Weight{f, w})
	}
	sort.Slice(out, func(i, j int) bool {
		if math.Abs(out[i].Weight) != math.Abs(out[j].Weight) {
			return math.Abs(out[i].Weight) > math.Abs(out[j].Weight)
		}
		return out[i].Feature < out[j].Feature
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// Fit splits ex (Holdout), trains on one part and evaluates on the other,
// then returns the model refit on every subject: the evaluation says how
// well the method does on subjects it has not seen, and the scores use
// every seed (with a small seed, the 30 % held out can hold most of it).
func Fit(ex []Example) (*Model, Evaluation) {
	var train, hold []Example
	for _, e := range ex {
		if Holdout(e.ID) {
			hold = append(hold, e)
		} else {
			train = append(train, e)
		}
	}
	m := Train(train)
	ev := Evaluation{Train: len(train), Holdout: len(hold)}
	scores := make([]float64, len(hold))
	labels := make([]bool, len(hold))
	for i, e := range hold {
		scores[i], labels[i] = m.Predict(e.Features), e.Seed
	}
	ev.AUC = AUC(scores, labels)
	ev.LiftAt10 = Lift(scores, labels, 0.1)
	return Train(ex), ev
}

// AUC is the area under the ROC curve: the chance that a random positive
// scores above a random negative (ties count half). NaN without both.
func AUC(scores []float64, labels []bool) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	var pos, neg, rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1..j, averaged over ties
		for k := i; k < j; k++ {
			if labels[idx[k]] {
				pos++
				rankSum += avg
			} else {
				neg++
			}
		}
		i = j
	}
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

// Lift is the rate of positives among the top frac of scores over the
// rate among all.
func Lift(scores []float64, labels []bool, frac float64) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	k := int(math.Ceil(frac * float64(len(idx))))
	var top, all float64
	for i, j := range idx {
		if labels[j] {
			all++
			if i < k {
				top++
			}
		}
	}
	if all == 0 || k == 0 {
		return math.NaN()
	}
	return (top / float64(k)) / (all / float64(len(idx)))
}
