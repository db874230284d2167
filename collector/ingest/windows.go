package ingest

import (
	"strconv"
	"sync"
	"time"
)

// Windows counts events per key in fixed windows: at most Max per Window.
// It backs the per-subject budget of the self-service API and the admin
// API's limit on failed authentications. Keys of windows that ended are
// swept when many are held, so memory follows the keys of the last window.
type Windows struct {
	Max    int
	Window time.Duration
	Now    func() time.Time // default time.Now

	mu sync.Mutex
	m  map[string]*window
}

type window struct {
	n     int
	start time.Time
}

// sweepAt is the number of keys above which ended windows are swept.
const sweepAt = 100000

func (w *Windows) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// current returns key's window, nil if it has ended or never began. w.mu
// is held.
func (w *Windows) current(key string, now time.Time) *window {
	if x := w.m[key]; x != nil && now.Sub(x.start) < w.Window {
		return x
	}
	return nil
}

// Full reports whether key has used up its window, and how long until the
// window ends.
func (w *Windows) Full(key string) (time.Duration, bool) {
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.full(key, now)
}

// full is Full with w.mu held.
func (w *Windows) full(key string, now time.Time) (time.Duration, bool) {
	if x := w.current(key, now); x != nil && x.n >= w.Max {
		return x.start.Add(w.Window).Sub(now), true
	}
	return 0, false
}

// Add counts one event of key.
func (w *Windows) Add(key string) {
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.add(key, now)
}

// add counts one event of key with w.mu held.
func (w *Windows) add(key string, now time.Time) {
	x := w.current(key, now)
	if x == nil {
		if w.m == nil {
			w.m = map[string]*window{}
		}
		if len(w.m) >= sweepAt {
			for k, y := range w.m {
				if now.Sub(y.start) >= w.Window {
					delete(w.m, k)
				}
			}
		}
		x = &window{start: now}
		w.m[key] = x
	}
	x.n++
}

// Take counts one event of key unless its window is used up; then it
// returns false and how long until the window ends.
func (w *Windows) Take(key string) (time.Duration, bool) {
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if wait, full := w.full(key, now); full {
		return wait, false
	}
	w.add(key, now)
	return 0, true
}

// RetryAfterSeconds renders a wait as a Retry-After value: whole seconds,
// at least 1.
func RetryAfterSeconds(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return strconv.Itoa(s)
}
