package admin

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/privacy"
	"github.com/ashiato/ashiato/collector/store"
)

func unavailable(err error) error {
	if _, ok := err.(*collector.Error); ok {
		return err
	}
	return collector.Errorf(collector.EUnavailable, "", "storage unavailable, retry later")
}

func (a *API) dailyStats(c *fiber.Ctx) error {
	site := strings.Clone(c.Query("site"))
	c.Locals(localSite, site)
	st, err := a.Store.DailyStats(c.UserContext(), site)
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	return c.JSON(fiber.Map{"site": site, "days": nonNil(st)})
}

// audienceMembers lists the members of an audience that may be exported
// now: consent is checked again at export (privacy.Service.AudienceMembers).
func (a *API) audienceMembers(c *fiber.Ctx) error {
	site, aud := strings.Clone(c.Query("site")), strings.Clone(c.Params("audience"))
	c.Locals(localSite, site)
	c.Locals(localDetail, "audience="+aud)
	out, err := a.Privacy.AudienceMembers(c.UserContext(), site, aud)
	if err != nil {
		return ingest.WriteError(c, unavailable(err)) // unknown_site, audience_too_small, or storage
	}
	return c.JSON(fiber.Map{"site": site, "audience": aud, "members": out})
}

// subjectRequest is the body of erase/stop/resume (and the query of export).
type subjectRequest struct {
	Site    string `json:"site"`
	Visitor string `json:"visitor"`
	User    string `json:"user"`
}

func (r subjectRequest) request(by string) (privacy.Request, error) {
	switch {
	case r.Visitor != "" && r.User != "":
		return privacy.Request{}, collector.Errorf(collector.EInvalid, "user", "name either a visitor or a user")
	case r.Visitor != "":
		return privacy.Request{Site: r.Site, Kind: store.KindVisitor, ID: r.Visitor, By: by}, nil
	case r.User != "":
		return privacy.Request{Site: r.Site, Kind: store.KindUser, ID: r.User, By: by}, nil
	}
	return privacy.Request{}, collector.Errorf(collector.EInvalid, "visitor", "name a visitor or a user")
}

func (a *API) bodyRequest(c *fiber.Ctx) (privacy.Request, error) {
	var b subjectRequest
	raw, err := ingest.RequestBody(c)
	if err != nil {
		return privacy.Request{}, err
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return privacy.Request{}, collector.Errorf(collector.EInvalid, "body", "want a JSON object")
	}
	c.Locals(localSite, b.Site)
	return b.request(actor(c))
}

func (a *API) export(c *fiber.Ctx) error {
	q := subjectRequest{Site: strings.Clone(c.Query("site")), Visitor: strings.Clone(c.Query("visitor")), User: strings.Clone(c.Query("user"))}
	c.Locals(localSite, q.Site)
	format := c.Query("format", privacy.FormatJSON)
	if format != privacy.FormatJSON && format != privacy.FormatCSV {
		return ingest.WriteError(c, collector.Errorf(collector.EInvalid, "format", "want json or csv"))
	}
	req, err := q.request(actor(c))
	if err != nil {
		return ingest.WriteError(c, err)
	}
	sub, err := a.Privacy.Resolve(c.UserContext(), req)
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	c.Locals(localSubject, a.Privacy.SubjectHash(sub))
	c.Locals(localDetail, "format="+format)
	if format == privacy.FormatCSV {
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	} else {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	}
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="ashiato-%s-%s.%s"`, sub.Site, sub.Kind, format))
	stream(c, a.Log, "export", func(ctx context.Context, w *bufio.Writer) error {
		return a.Privacy.Export(ctx, sub, format, w, nil)
	})
	return nil
}

func (a *API) erase(c *fiber.Ctx) error {
	req, err := a.bodyRequest(c)
	if err != nil {
		return ingest.WriteError(c, err)
	}
	rec, err := a.Privacy.Erase(c.UserContext(), req)
	c.Locals(localSubject, rec.KeyHash)
	c.Locals(localDetail, "request_id="+rec.RequestID)
	if err != nil {
		a.Log.Error("erasure failed", "request_id", rec.RequestID, "err", err)
		return ingest.WriteError(c, unavailable(err))
	}
	return c.JSON(rec)
}

func (a *API) stop(c *fiber.Ctx) error   { return a.setState(c, store.StateStopped) }
func (a *API) resume(c *fiber.Ctx) error { return a.setState(c, store.StateActive) }

func (a *API) setState(c *fiber.Ctx, state string) error {
	req, err := a.bodyRequest(c)
	if err != nil {
		return ingest.WriteError(c, err)
	}
	var sub store.Subject
	if state == store.StateStopped {
		sub, err = a.Privacy.Stop(c.UserContext(), req)
	} else {
		sub, err = a.Privacy.Resume(c.UserContext(), req)
	}
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	h := a.Privacy.SubjectHash(sub)
	c.Locals(localSubject, h)
	return c.JSON(fiber.Map{"site": sub.Site, "kind": sub.Kind, "subject": h, "state": state})
}

func (a *API) receipts(c *fiber.Ctx) error {
	rs, err := a.Store.Receipts(c.UserContext(), limit(c))
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	return c.JSON(fiber.Map{"receipts": nonNil(rs)})
}

func (a *API) consentProof(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("id"))
	c.Locals(localDetail, "consent_id="+id)
	p, err := a.Store.ConsentProof(c.UserContext(), id)
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	if p == nil {
		return ingest.WriteError(c, collector.Errorf(collector.ENotFound, "id", "consent ID not in the ledger"))
	}
	shown := map[string]json.RawMessage{}
	for h, cfg := range p.Shown {
		shown[h] = json.RawMessage(cfg)
	}
	return c.JSON(fiber.Map{"consent_id": p.ConsentID, "decisions": p.Rows, "shown": shown})
}

func (a *API) retentionRun(c *fiber.Ctx) error {
	rep, err := a.Retention.Run(c.UserContext())
	if err != nil {
		a.Log.Error("retention run", "err", err)
		return ingest.WriteError(c, unavailable(err))
	}
	return c.JSON(rep)
}

func (a *API) listTokens(c *fiber.Ctx) error {
	ts, err := a.Store.Tokens(c.UserContext())
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	return c.JSON(fiber.Map{"tokens": nonNil(ts)})
}

func (a *API) createToken(c *fiber.Ctx) error {
	var b struct {
		Name   string   `json:"name"`
		Scopes []string `json:"scopes"`
	}
	raw, err := ingest.RequestBody(c)
	if err != nil {
		return ingest.WriteError(c, err)
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return ingest.WriteError(c, collector.Errorf(collector.EInvalid, "body", "want a JSON object"))
	}
	scopes, err := ParseScopes(strings.Join(b.Scopes, ","))
	if err != nil {
		return ingest.WriteError(c, collector.Errorf(collector.EInvalid, "scopes", "%v", err))
	}
	plain, rec, err := a.Tokens.Create(c.UserContext(), b.Name, scopes)
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	c.Locals(localDetail, "created="+rec.ID+" scopes="+strings.Join(scopes, ","))
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": plain, "id": rec.ID, "name": rec.Name, "scopes": rec.Scopes, "created_at": rec.CreatedAt})
}

func (a *API) revokeToken(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("id"))
	c.Locals(localDetail, "revoked="+id)
	if err := a.Tokens.Revoke(c.UserContext(), id); err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	return c.JSON(fiber.Map{"id": id, "revoked": true})
}

func (a *API) auditLog(c *fiber.Ctx) error {
	es, err := a.Store.AuditLog(c.UserContext(), limit(c))
	if err != nil {
		return ingest.WriteError(c, unavailable(err))
	}
	return c.JSON(fiber.Map{"entries": nonNil(es)})
}

func limit(c *fiber.Ctx) int {
	n, err := strconv.Atoi(c.Query("limit", "100"))
	if err != nil || n <= 0 || n > 10000 {
		return 100
	}
	return n
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
