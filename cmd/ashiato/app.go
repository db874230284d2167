package main

import (
	"errors"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"syscall"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/ingest"
)

// readBufferSize bounds a request's line and headers. Browsers send cookies
// of 8 KiB and more on big sites; a request above it is answered 431.
const readBufferSize = 32 << 10

// newApp returns the Fiber app with the server's limits: body size, read,
// write and idle timeouts (slow clients cannot hold a connection open), and
// a connection cap. X-Forwarded-Host and -Proto are believed only from
// proxies (ingest.TrustProxies).
func newApp(cfg config.Server, proxies []netip.Prefix, log *slog.Logger) *fiber.App {
	fc := fiber.Config{
		AppName:               "ashiato",
		DisableStartupMessage: true,
		BodyLimit:             collector.ReadBodyLimit, // the endpoints answer 413 above MaxBodyBytes
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		Concurrency:           cfg.MaxConns + 64, // the listener enforces MaxConns, with Retry-After (limit.go)
		ReadBufferSize:        readBufferSize,
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			var fe *fiber.Error
			if errors.As(err, &fe) {
				switch fe.Code {
				case fiber.StatusRequestEntityTooLarge:
					return ingest.WriteError(c, ingest.ErrTooLarge)
				case fiber.StatusNotFound:
					return ingest.WriteError(c, collector.Errorf(collector.ENotFound, "", "no such endpoint"))
				case fiber.StatusMethodNotAllowed:
					return c.Status(fe.Code).JSON(ingest.ErrorBody{Error: "method_not_allowed"})
				case fiber.StatusRequestTimeout:
					// A client too slow to send its request: not our fault,
					// and not worth a log line per connection.
					return c.Status(fe.Code).JSON(ingest.ErrorBody{Error: "timeout"})
				case fiber.StatusRequestHeaderFieldsTooLarge:
					// Headers above readBufferSize: the client's doing, answered
					// without a log line (a flood must not flood the log).
					return c.Status(fe.Code).JSON(ingest.ErrorBody{Error: "headers_too_large"})
				case fiber.StatusBadRequest:
					return ingest.WriteError(c, collector.Errorf(collector.EInvalid, "", "bad request"))
				}
			}
			log.Error("request failed", "path", c.Path(), "err", err)
			return ingest.WriteError(c, err)
		},
	}
	ingest.TrustProxies(&fc, proxies)
	return fiber.New(fc)
}

func notifyAgain(c chan<- os.Signal) { signal.Notify(c, os.Interrupt, syscall.SIGTERM) }
