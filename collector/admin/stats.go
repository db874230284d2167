package admin

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/stats"
)

// statsQuestion reads a stats question from the request's query string:
// site, from, to, tz, metrics, by, filter (repeatable), compare, limit,
// steps, window, page. Values are copied out of Fiber's buffers.
func statsQuestion(c *fiber.Ctx, report string) (stats.Question, error) {
	q := func(k string) string { return strings.Clone(c.Query(k)) }
	limit, err := stats.ParseLimit(q("limit"))
	if err != nil {
		return stats.Question{}, err
	}
	window := 0
	if w := q("window"); w != "" {
		if window, err = strconv.Atoi(w); err != nil {
			return stats.Question{}, collector.Errorf(collector.EInvalid, "window", "want seconds, got %q", w)
		}
	}
	var filters []string
	for _, f := range c.Context().QueryArgs().PeekMulti("filter") {
		filters = append(filters, string(f))
	}
	return stats.Question{Report: report, Site: q("site"), From: q("from"), To: q("to"), TZ: q("tz"),
		Metrics: stats.ParseList(q("metrics")), By: q("by"), Filters: filters, Compare: q("compare"),
		Limit: limit, Steps: stats.ParseList(q("steps")), Window: window, Page: q("page")}, nil
}

// stats answers GET /stats/{report}: the engine's answer as JSON
// {results, totals, comparison, coverage}; a bad question is 400 with the
// field, an unknown site 404.
func (a *API) stats(c *fiber.Ctx) error {
	ans, err := a.runStats(c, strings.Clone(c.Params("report")))
	if err != nil {
		return ingest.WriteError(c, err)
	}
	return c.JSON(ans)
}

// query answers GET /query/{name} for the named queries that came before
// the engine (pageviews_by_day, consent_decisions_by_day), now reports of
// the engine: {"query","rows"}. Other names (exports, migrations) are 404.
func (a *API) query(c *fiber.Ctx) error {
	name := strings.Clone(c.Params("name"))
	if name != "pageviews_by_day" && name != "consent_decisions_by_day" {
		return ingest.WriteError(c, collector.Errorf(collector.ENotFound, "name", "no such query"))
	}
	ans, err := a.runStats(c, name)
	c.Locals(localDetail, name)
	if err != nil {
		return ingest.WriteError(c, err)
	}
	return c.JSON(fiber.Map{"query": name, "rows": ans.Results, "coverage": ans.Coverage})
}

// runStats runs the question of the request and notes it for the audit row.
func (a *API) runStats(c *fiber.Ctx, report string) (*stats.Answer, error) {
	q, err := statsQuestion(c, report)
	c.Locals(localSite, q.Site)
	c.Locals(localDetail, q.String())
	if err != nil {
		return nil, err
	}
	return a.Stats.Run(c.UserContext(), q)
}
