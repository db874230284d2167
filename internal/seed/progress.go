package seed

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Progress draws a progress bar on a terminal: one line, redrawn in place.
type Progress struct {
	w      io.Writer
	total  int
	start  time.Time
	last   time.Time
	active bool
}

// NewProgress returns a progress bar for total events on w, or nil when w
// is not a terminal (then nothing is drawn: a nil *Progress is valid).
func NewProgress(w io.Writer, total int) *Progress {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &Progress{w: w, total: total, start: time.Now()}
}

// Update redraws the bar for done events, at most ten times a second.
func (p *Progress) Update(done int) {
	if p == nil {
		return
	}
	now := time.Now()
	if done < p.total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last, p.active = now, true
	const width = 30
	frac := float64(done) / float64(max(p.total, 1))
	n := int(frac * width)
	rate := float64(done) / max(now.Sub(p.start).Seconds(), 1e-3)
	fmt.Fprintf(p.w, "\rseeding [%s%s] %3.0f%% %d/%d events, %.0f/s ",
		strings.Repeat("#", n), strings.Repeat(".", width-n), frac*100, done, p.total, rate)
}

// Done ends the bar's line.
func (p *Progress) Done() {
	if p != nil && p.active {
		fmt.Fprintln(p.w)
	}
}
