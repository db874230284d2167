package lookalike

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// generate makes n subjects with random sources, devices and sections.
// With a planted signal, seed members mostly arrive from "source:newsletter"
// and read "section:/pricing"; without one, the seed is drawn at random.
func generate(n int, planted bool, seed uint64) []Example {
	r := rand.New(rand.NewPCG(seed, 7))
	sources := []string{"search", "social", "direct", "newsletter", "referral"}
	devices := []string{"desktop", "mobile", "tablet"}
	sections := []string{"/blog", "/pricing", "/docs", "/about", "/careers"}
	ex := make([]Example, n)
	for i := range ex {
		isSeed := r.Float64() < 0.1
		src, sec := sources[r.IntN(len(sources))], sections[r.IntN(len(sections))]
		if planted && isSeed && r.Float64() < 0.7 {
			src = "newsletter"
		}
		if planted && isSeed && r.Float64() < 0.6 {
			sec = "/pricing"
		}
		ex[i] = Example{ID: fmt.Sprintf("v%05d", i), Seed: isSeed,
			Features: []string{"source:" + src, "device:" + devices[r.IntN(len(devices))], "section:" + sec, "section:" + sections[r.IntN(len(sections))]}}
	}
	return ex
}

// TestPlantedSignal: on generated subjects whose seed differs by source
// and section, the model finds it (holdout AUC ≥ 0.75, printed) and names
// those features first among those that raise a score; on subjects without a signal it does not claim one
// (AUC within 0.5 ± 0.06).
func TestPlantedSignal(t *testing.T) {
	m, ev := Fit(generate(6000, true, 1))
	t.Logf("planted signal: AUC %.3f, lift at 10%% %.2f, train %d, holdout %d, top %v", ev.AUC, ev.LiftAt10, ev.Train, ev.Holdout, m.Top(3))
	if ev.AUC < 0.75 || ev.LiftAt10 < 2 {
		t.Fatalf("planted signal: AUC %.3f, lift %.2f; want AUC ≥ 0.75, lift ≥ 2", ev.AUC, ev.LiftAt10)
	}
	var positive []string // the features that raise the score most, in order
	for _, w := range m.Top(10) {
		if w.Weight > 0 {
			positive = append(positive, w.Feature)
		}
	}
	if len(positive) < 2 || !(positive[0] == "source:newsletter" && positive[1] == "section:/pricing") {
		t.Fatalf("top features %v, want source:newsletter then section:/pricing first among the positive", m.Top(10))
	}
	for seed := uint64(2); seed < 5; seed++ {
		_, ev := Fit(generate(6000, false, seed))
		t.Logf("no signal (seed %d): AUC %.3f, lift at 10%% %.2f", seed, ev.AUC, ev.LiftAt10)
		if math.Abs(ev.AUC-0.5) > 0.06 {
			t.Fatalf("no signal: AUC %.3f, want about 0.5", ev.AUC)
		}
	}
}

func TestAUCAndLift(t *testing.T) {
	s := []float64{0.9, 0.8, 0.7, 0.1}
	if a := AUC(s, []bool{true, true, false, false}); a != 1 {
		t.Fatalf("perfect AUC %v", a)
	}
	if a := AUC(s, []bool{false, false, true, true}); a != 0 {
		t.Fatalf("inverted AUC %v", a)
	}
	if a := AUC([]float64{1, 1, 1, 1}, []bool{true, false, true, false}); a != 0.5 {
		t.Fatalf("ties AUC %v", a)
	}
	if l := Lift(s, []bool{true, false, false, false}, 0.25); l != 4 {
		t.Fatalf("lift %v", l)
	}
}

func TestEvaluationJSON(t *testing.T) {
	b, err := json.Marshal(Evaluation{Train: 3, Holdout: 1, AUC: math.NaN(), LiftAt10: 2})
	if err != nil || string(b) != `{"auc":null,"holdout":1,"lift_at_10":2,"train":3}` {
		t.Fatalf("%s %v", b, err)
	}
}
