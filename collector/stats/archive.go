package stats

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ashiato/ashiato/collector"
)

// Archive keeps each site's default view (DefaultView: the questions the
// dashboard asks first) computed ahead, as Matomo's archiving keeps its
// standard reports: exact distinct visitors over a month of visits cost
// seconds of ClickHouse CPU on a small server, too slow for a first page.
//
// Refresh computes every site's view with the engine, one question at a
// time on one ClickHouse thread (the rest of the server stays free for
// ingestion and live questions). Engine.Run answers a question of the
// view from the archive when
//   - the view is younger than twice Every (so a refresh under way does
//     not fall back to live answers): its numbers lag the events by at
//     most that, and the answer says when it was computed (as_of);
//   - the view counts at least MinVisits visits: a smaller site is cheap
//     to answer live and is, to the second (the overview is computed
//     first; a smaller site's other questions are not computed at all);
//   - no erasure or deletion happened since it was computed (Invalidate):
//     an erased subject vanishes from the archive at once.
//
// Any other question (a filter, another range, a comparison) is live.
type Archive struct {
	Engine    *Engine
	Sites     func() []*collector.Site
	Every     time.Duration
	MinVisits int64
	Log       *slog.Logger

	mu    sync.Mutex
	views map[string]*archived // by site
	gen   uint64               // bumped by Invalidate

	Served    atomic.Int64 // answers given from the archive
	Refreshed atomic.Int64 // views computed
	Failed    atomic.Int64 // views whose computation failed
}

// archived is one site's computed view (only views computed since the
// last Invalidate are kept).
type archived struct {
	asOf    time.Time
	answers map[string]*Answer // by archiveKey
}

// DefaultView returns the questions of site's default dashboard view on
// day today (YYYY-MM-DD in the site's time zone): the last 30 days, no
// filter, no comparison — the KPI cards, the chart and the top tables,
// exactly as dashboard/src/overview.js asks them (a browser test checks
// that its first render is served from here).
func DefaultView(site, today string) []Question {
	end, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return nil
	}
	from := end.AddDate(0, 0, -29).Format(time.DateOnly)
	q := func(report string, metrics string, by string, limit int) Question {
		return Question{Report: report, Site: site, From: from, To: today, Metrics: ParseList(metrics), By: by, Limit: limit}
	}
	qs := []Question{
		q("overview", "visitors,visits,pageviews,views_per_visit,bounce_rate,visit_duration,conversions,revenue", "", 0),
		q("timeseries", "visitors,pageviews", "day", 0),
		q("pages", "visitors,pageviews", "", 10),
	}
	for _, r := range []string{"entry_pages", "exit_pages", "sources", "utm", "devices", "browsers", "os", "countries", "languages"} {
		by := ""
		if r == "utm" {
			by = "utm_campaign"
		}
		qs = append(qs, q(r, "visitors,visits", by, 10))
	}
	return append(qs, q("events", "visitors,events", "", 10))
}

// archiveKey names a question of a view: the fields Question.String
// shows (steps, window and page only matter to funnels and journeys, never
// in a view), the site's own zone written as none.
func archiveKey(q Question, siteTZ string) string {
	if q.TZ == siteTZ {
		q.TZ = ""
	}
	return q.String()
}

// answer returns q's archived answer, or nil when q is to be answered
// live.
func (a *Archive) answer(q Question) *Answer {
	site := a.Engine.Site(q.Site)
	if site == nil {
		return nil
	}
	a.mu.Lock()
	v := a.views[q.Site]
	a.mu.Unlock()
	if v == nil || a.Engine.now().Sub(v.asOf) > 2*a.Every {
		return nil
	}
	ans := v.answers[archiveKey(q, site.TimeZone)]
	if ans == nil {
		return nil
	}
	a.Served.Add(1)
	return ans
}

// Invalidate drops every archived view: events were erased or deleted.
func (a *Archive) Invalidate() {
	a.mu.Lock()
	a.gen++
	a.views = nil
	a.mu.Unlock()
}

// Refresh computes every site's default view now.
func (a *Archive) Refresh(ctx context.Context) {
	for _, s := range a.Sites() {
		if ctx.Err() != nil {
			return
		}
		if err := a.refreshSite(ctx, s); err != nil && ctx.Err() == nil {
			a.Failed.Add(1)
			a.Log.Warn("stats archive: a default view failed; its questions are answered live", "site", s.ID, "err", err)
		}
	}
}

func (a *Archive) refreshSite(ctx context.Context, s *collector.Site) error {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return err
	}
	a.mu.Lock()
	gen := a.gen
	a.mu.Unlock()
	start := a.Engine.now()
	v := &archived{asOf: start, answers: map[string]*Answer{}}
	for i, q := range DefaultView(s.ID, start.In(loc).Format(time.DateOnly)) {
		// One ClickHouse thread per statement: the view is computed beside
		// ingestion and live questions, not instead of them.
		ans, err := a.Engine.live(ctx, q, 1)
		if err != nil {
			return fmt.Errorf("%s: %w", q.Report, err)
		}
		if n, _ := number(ans.Totals["visits"]); i == 0 && int64(n) < a.MinVisits { // the overview: small enough to answer live
			a.drop(s.ID, gen)
			return nil
		}
		ans.AsOf = start.UTC().Format(time.RFC3339)
		v.answers[archiveKey(q, s.TimeZone)] = ans
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gen != gen { // an erasure while computing: its numbers may hold the subject
		return nil
	}
	if a.views == nil {
		a.views = map[string]*archived{}
	}
	level := slog.LevelDebug // every period; the first one is news
	if a.views[s.ID] == nil {
		level = slog.LevelInfo
	}
	a.views[s.ID] = v
	a.Refreshed.Add(1)
	a.Log.Log(ctx, level, "stats archive: default view computed", "site", s.ID, "took", a.Engine.now().Sub(start).Round(time.Millisecond).String())
	return nil
}

// drop forgets site's view (it shrank under MinVisits).
func (a *Archive) drop(site string, gen uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gen == gen {
		delete(a.views, site)
	}
}

// Loop refreshes the views now and every Every until ctx ends.
func (a *Archive) Loop(ctx context.Context) {
	for ctx.Err() == nil {
		a.Refresh(ctx)
		select {
		case <-ctx.Done():
		case <-time.After(a.Every):
		}
	}
}
