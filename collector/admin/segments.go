package admin

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/audience"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/interest"
	"github.com/ashiato/ashiato/collector/partner"
	"github.com/ashiato/ashiato/collector/stats"
)

// segments lists a site's segments (the config file's and created ones).
func (a *API) segments(c *fiber.Ctx) error {
	site := strings.Clone(c.Query("site"))
	c.Locals(localSite, site)
	gs, err := a.Audiences.List(c.UserContext(), site)
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	return c.JSON(fiber.Map{"site": site, "segments": gs})
}

// segment shows one segment.
func (a *API) segment(c *fiber.Ctx) error {
	site, name := strings.Clone(c.Query("site")), strings.Clone(c.Params("name"))
	c.Locals(localSite, site)
	c.Locals(localDetail, "segment="+name)
	g, err := a.Audiences.Get(c.UserContext(), site, name)
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	return c.JSON(g)
}

// createSegment stores a segment: {"site","name","rule","description"}.
func (a *API) createSegment(c *fiber.Ctx) error {
	raw, err := ingest.RequestBody(c)
	if err != nil {
		return ingest.WriteError(c, err)
	}
	var b struct{ Site, Name, Rule, Description string }
	if err := json.Unmarshal(raw, &b); err != nil {
		return ingest.WriteError(c, collector.Errorf(collector.EInvalid, "body", "want a JSON object"))
	}
	c.Locals(localSite, b.Site)
	c.Locals(localDetail, "segment="+b.Name)
	g, err := a.Audiences.Create(c.UserContext(), b.Site, b.Name, b.Rule, b.Description, actor(c))
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	return c.Status(fiber.StatusCreated).JSON(g)
}

// previewSegment sizes a segment now, before and after the consent check.
func (a *API) previewSegment(c *fiber.Ctx) error {
	site, name := strings.Clone(c.Query("site")), strings.Clone(c.Params("name"))
	c.Locals(localSite, site)
	c.Locals(localDetail, "segment="+name)
	p, err := a.Audiences.Preview(c.UserContext(), site, name)
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	return c.JSON(p)
}

// exportSegment answers a segment's export file (audience.Service.Export:
// consent checked at export time, audience_min_size, audit row). The file
// is built before the answer starts, so a refusal is a JSON error and
// never a partial file.
func (a *API) exportSegment(c *fiber.Ctx) error {
	site, name, format := strings.Clone(c.Query("site")), strings.Clone(c.Params("name")), strings.Clone(c.Query("format"))
	c.Locals(localSite, site)
	c.Locals(localDetail, "segment="+name+" format="+format)
	var buf bytes.Buffer
	res, err := a.Audiences.Export(c.UserContext(), audience.ExportRequest{Site: site, Segment: name, Format: format,
		Destination: "http", By: actor(c), Method: "GET", Path: strings.Clone(c.Path())}, &buf, nil)
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	c.Set("Content-Type", "text/csv; charset=utf-8")
	c.Set("Content-Disposition", `attachment; filename="`+name+"-"+format+`.csv"`)
	c.Set("X-Ashiato-People", strconv.Itoa(res.People))
	c.Set("X-Ashiato-SHA256", res.SHA256)
	return c.Send(buf.Bytes())
}

// interests answers interest scores (interest.Service.Scores: consent
// checked against the ledger at every read): ?site=&visitor= or &user=
// (as the site's systems know it), &category=, &limit= (1 to
// stats.MaxLimit, default stats.DefaultLimit; anything else is 400).
func (a *API) interests(c *fiber.Ctx) error {
	site := strings.Clone(c.Query("site"))
	c.Locals(localSite, site)
	limit, err := stats.ParseLimit(strings.Clone(c.Query("limit")))
	if err != nil {
		return ingest.WriteError(c, err)
	}
	if limit == 0 {
		limit = stats.DefaultLimit
	}
	q := interest.Query{Visitor: strings.Clone(c.Query("visitor")), Category: strings.Clone(c.Query("category")), Limit: limit}
	if u := c.Query("user"); u != "" {
		q.User = a.Privacy.Keys.StoredUserID(a.Privacy.Sites(site), strings.Clone(u))
	}
	c.Locals(localDetail, "category="+q.Category)
	scores, err := a.Interests.Scores(c.UserContext(), site, q)
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	return c.JSON(fiber.Map{"site": site, "scores": scores})
}

// lookalike builds a look-alike segment: {"site","seed","size"} for the
// segment named in the path (lookalike.Service.Build: trained and scored
// only on subjects whose consent allows audience export).
func (a *API) lookalike(c *fiber.Ctx) error {
	raw, err := ingest.RequestBody(c)
	if err != nil {
		return ingest.WriteError(c, err)
	}
	var b struct {
		Site, Seed string
		Size       int
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return ingest.WriteError(c, collector.Errorf(collector.EInvalid, "body", "want a JSON object"))
	}
	name := strings.Clone(c.Params("name"))
	c.Locals(localSite, b.Site)
	c.Locals(localDetail, "segment="+name+" seed="+b.Seed)
	res, err := a.Lookalike.Build(c.UserContext(), b.Site, name, b.Seed, b.Size, actor(c))
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	return c.Status(fiber.StatusCreated).JSON(res)
}

// partnerStats answers a statistics export for partners as CSV: cells of
// fewer than k people suppressed, complementary suppression, the rule in
// the header (partner.Run); with ?by= a cross table of two reports. A k
// that is not a whole number is 400; partner.Run checks its size and the
// range.
func (a *API) partnerStats(c *fiber.Ctx) error {
	r := partner.Request{Site: strings.Clone(c.Query("site")), Report: strings.Clone(c.Params("report")), By: strings.Clone(c.Query("by")), K: 10}
	c.Locals(localSite, r.Site)
	c.Locals(localDetail, "report="+r.Report+" by="+r.By)
	var err error
	if k := c.Query("k"); k != "" {
		if r.K, err = strconv.ParseUint(k, 10, 64); err != nil {
			return ingest.WriteError(c, collector.Errorf(collector.EInvalid, "k", "want a whole number of at least 2, got %q", k))
		}
	}
	if r.From, err = time.Parse(time.DateOnly, c.Query("from")); err != nil {
		return ingest.WriteError(c, collector.Errorf(collector.EInvalid, "from", "want YYYY-MM-DD"))
	}
	if r.To, err = time.Parse(time.DateOnly, c.Query("to")); err != nil {
		return ingest.WriteError(c, collector.Errorf(collector.EInvalid, "to", "want YYYY-MM-DD"))
	}
	if a.Privacy.Sites(r.Site) == nil {
		return ingest.WriteError(c, collector.Errorf(collector.EUnknownSite, "site", "unknown site"))
	}
	res, err := partner.Run(c.UserContext(), a.Store, r)
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	var buf bytes.Buffer
	if err := res.Write(&buf); err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	c.Set("Content-Type", "text/csv; charset=utf-8")
	return c.Send(buf.Bytes())
}
