package main

import (
	"errors"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/config"
)

// Server is a running bare Fiber app.
type Server struct {
	Addr  string
	app   *fiber.App
	floor *floor // nil unless durable
}

// NewApp returns a Fiber app configured as the collector's (see
// cmd/ashiato/app.go, with config.Default's server limits) whose only route
// answers POST /api/event with handle. One difference: it lets Fiber
// refuse a body over 64 KiB from its Content-Length, where the collector
// reads up to collector.ReadBodyLimit and answers the 413 itself; the
// bench's bodies are far below either.
func NewApp(handle fiber.Handler) *fiber.App {
	srv := config.Default().Server
	app := fiber.New(fiber.Config{
		AppName:               "barefiber",
		DisableStartupMessage: true,
		BodyLimit:             collector.MaxBodyBytes,
		ReadTimeout:           srv.ReadTimeout,
		WriteTimeout:          srv.WriteTimeout,
		IdleTimeout:           srv.IdleTimeout,
		Concurrency:           srv.MaxConns,
		ReadBufferSize:        8192,
	})
	app.Post("/api/event", handle)
	return app
}

// answer204 is the bare handler.
func answer204(c *fiber.Ctx) error { return c.SendStatus(fiber.StatusNoContent) }

// Start listens on addr and serves the bare app in the background.
func Start(addr string) (*Server, error) { return start(addr, NewApp(answer204), nil) }

// StartDurable listens on addr and serves the durable floor (see floor):
// a spool in spoolDir and, with a DSN, ClickHouse's events table.
func StartDurable(addr, spoolDir, dsn string) (*Server, error) {
	f, err := openFloor(spoolDir, dsn)
	if err != nil {
		return nil, err
	}
	s, err := start(addr, NewApp(f.handle), f)
	if err != nil {
		return nil, errors.Join(err, f.close())
	}
	return s, nil
}

func start(addr string, app *fiber.App, f *floor) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: ln.Addr().String(), app: app, floor: f}
	go func() { _ = s.app.Listener(ln) }()
	return s, nil
}

// Close stops the server, letting open requests finish within 5 s, then
// the durable floor's writer and spool.
func (s *Server) Close() error {
	err := s.app.ShutdownWithTimeout(5 * time.Second)
	if s.floor != nil {
		err = errors.Join(err, s.floor.close())
	}
	return err
}
