package main

import (
	"context"
	"errors"
	"io"
)

func runConsent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("usage: ashiato consent proof CONSENT_ID")
}
