package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one readiness condition; it returns nil when ready.
type Check func(ctx context.Context) error

// RegisterOps mounts /healthz (the process is up), /readyz (every check
// of ready passes: the collector can accept and durably spool hits),
// /readyz/clickhouse (every check of clickhouse passes: ClickHouse answers
// and the spool drains into it; a collector whose ClickHouse is down stays
// ready, as its spool holds the hits) and, when metricsToken is set,
// /metrics for requests that carry it as a bearer token (else /metrics is
// only on the metrics listener, see MetricsHandler).
func RegisterOps(app fiber.Router, gather prometheus.Gatherer, ready, clickhouse map[string]Check, metricsToken string) {
	app.Get("/healthz", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(fiber.Map{"status": "ok"})
	})
	app.Get("/readyz", checksHandler(ready))
	app.Get("/readyz/clickhouse", checksHandler(clickhouse))
	if metricsToken == "" {
		return
	}
	want := []byte("Bearer " + metricsToken)
	metrics := adaptor.HTTPHandler(MetricsHandler(gather))
	app.Get("/metrics", func(c *fiber.Ctx) error {
		if subtle.ConstantTimeCompare([]byte(c.Get(fiber.HeaderAuthorization)), want) != 1 {
			c.Set(fiber.HeaderWWWAuthenticate, "Bearer")
			return c.Status(fiber.StatusUnauthorized).JSON(fiber.Map{"error": "unauthorized"})
		}
		return metrics(c)
	})
}

// MetricsHandler serves the Prometheus metrics of gather.
func MetricsHandler(gather prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(gather, promhttp.HandlerOpts{})
}

// checksHandler answers 200 {"status": "ready"} when every check passes,
// else 503 with Retry-After and {"status": "not ready", "failed": {name: reason}}.
func checksHandler(checks map[string]Check) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-store")
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		defer cancel()
		failed := fiber.Map{}
		for name, check := range checks {
			if err := check(ctx); err != nil {
				failed[name] = err.Error()
			}
		}
		if len(failed) > 0 {
			c.Set(fiber.HeaderRetryAfter, "5")
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "not ready", "failed": failed})
		}
		return c.JSON(fiber.Map{"status": "ready"})
	}
}
