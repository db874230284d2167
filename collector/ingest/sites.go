package ingest

import (
	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
)

// Sites is the read-only registry of configured sites.
type Sites struct {
	byID map[string]*collector.Site
	all  []*collector.Site
}

// NewSites indexes sites by ID.
func NewSites(sites []collector.Site) *Sites {
	s := &Sites{byID: map[string]*collector.Site{}}
	for i := range sites {
		site := &sites[i]
		s.byID[site.ID] = site
		s.all = append(s.all, site)
	}
	return s
}

// Get returns the site with id, or nil.
func (s *Sites) Get(id string) *collector.Site { return s.byID[id] }

// All returns every site.
func (s *Sites) All() []*collector.Site { return s.all }

// AnyAllowsOrigin reports whether some site allows origin.
func (s *Sites) AnyAllowsOrigin(origin string) bool {
	for _, site := range s.all {
		if site.AllowsOrigin(origin) {
			return true
		}
	}
	return false
}

// ForRequest returns the site with id for a browser request: unknown sites
// and Origins the site does not allow are errors; an allowed Origin gets
// the CORS headers.
func (s *Sites) ForRequest(c *fiber.Ctx, id string) (*collector.Site, error) {
	site := s.Get(id)
	if site == nil {
		return nil, collector.Errorf(collector.EUnknownSite, "site", "unknown site")
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" {
		if !site.AllowsOrigin(origin) {
			return nil, collector.Errorf(collector.EOriginDenied, "origin", "origin not allowed for site")
		}
		setCORS(c, origin)
	}
	return site, nil
}
