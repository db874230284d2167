package ingest

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
)

// pixel is a 1×1 transparent GIF.
var pixel = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// hitFromQuery reads a hit from GET /api/event.gif query parameters; props
// come as p.<key>=<value>.
func hitFromQuery(c *fiber.Ctx) (collector.Hit, *collector.Error) {
	var h collector.Hit
	var err *collector.Error
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		key, val := string(k), string(v)
		switch {
		case key == "site":
			h.Site = val
		case key == "type":
			h.Type = val
		case key == "name":
			h.Name = val
		case key == "url":
			h.URL = val
		case key == "referrer":
			h.Referrer = val
		case key == "title":
			h.Title = val
		case key == "screen":
			h.Screen = val
		case key == "lang":
			h.Lang = val
		case key == "eid":
			h.EID = val
		case key == "vid":
			h.VID = val
		case key == "sid":
			h.SID = val
		case key == "consent":
			// A token in a URL lands in access logs and Referer headers,
			// and it also unlocks the visitor's export and erasure: the
			// pixel takes it from the ashiato_consent cookie only.
			err = collector.Errorf(collector.EInvalid, "consent", "the consent token is read from the ashiato_consent cookie, never from the URL")
		case key == "wd":
			h.Webdriver = val == "1" || val == "true"
		case key == "gpc":
			h.GPC = val == "1" || val == "true"
		case key == "retry":
			h.Retry = val == "1" || val == "true"
		case key == "engaged_ms" || key == "scroll":
			n, e := strconv.ParseInt(val, 10, 64)
			if e != nil {
				err = collector.Errorf(collector.EInvalid, key, "want an integer")
			}
			if key == "scroll" {
				h.Scroll = n
			} else {
				h.EngagedMS = n
			}
		case strings.HasPrefix(key, "p."):
			h.Props.Set(key[2:], val)
		}
	})
	return h, err
}

func (h *Handler) getGIF(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	hit, e := hitFromQuery(c)
	var bad map[int]*collector.Error
	if e != nil {
		bad = map[int]*collector.Error{0: e}
	}
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	sc.hit[0] = hit
	res, first, err := h.process(c, sc.hit[:], bad, sc)
	status := fiber.StatusOK
	if err != nil {
		ce, ok := err.(*collector.Error)
		if !ok {
			ce = &collector.Error{Code: collector.EInternal}
		}
		first = ce
		status = Status(ce.Code)
		if status == fiber.StatusServiceUnavailable || status == fiber.StatusTooManyRequests {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(RetryAfter))
		}
	} else if res.Accepted == 0 && first != nil {
		status = Status(first.Code)
	}
	if first != nil && status != fiber.StatusOK {
		b, _ := json.Marshal(bodyOf(first))
		c.Set("X-Ashiato-Error", string(b))
	}
	c.Set(fiber.HeaderContentType, "image/gif")
	return c.Status(status).Send(pixel)
}
