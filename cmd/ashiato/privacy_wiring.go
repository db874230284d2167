package main

import (
	"context"
	"errors"
	"io"

	"github.com/gofiber/fiber/v2"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/ingest"
)

// privacyState is the state of the privacy stage inside Main.
type privacyState struct{}

// startPrivacy wires identities, visitors' rights, retention and the admin
// API into the running collector.
func (m *Main) startPrivacy(ctx context.Context, app *fiber.App, api fiber.Router, h *ingest.Handler, ch *ingest.ConsentHandler) error {
	return nil
}

// privacyKeep reports whether the writer may store ev (false for erased or
// suppressed subjects).
func (m *Main) privacyKeep(ev *collector.Event) bool { return true }

func runPrivacy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("privacy: not built yet")
}

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("token: not built yet")
}
