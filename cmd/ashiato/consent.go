package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/store"
)

// runConsent: `ashiato consent proof CONSENT_ID` prints the ledger rows of a
// consent ID with the exact texts and recipients the visitor was shown.
func runConsent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("consent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: ashiato consent proof [flags] CONSENT_ID")
		fs.PrintDefaults()
	}
	if len(args) == 0 || args[0] != "proof" {
		fs.Usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return errors.New("want a subcommand: proof")
	}
	cfg, err := config.Load(fs, args[1:], os.Getenv)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("want exactly one CONSENT_ID")
	}
	st, err := store.Open(ctx, cfg.Config, false)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := st.ConsentProof(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	if p == nil {
		return fmt.Errorf("consent ID %s: not in the ledger", fs.Arg(0))
	}
	out := struct {
		ConsentID string                     `json:"consent_id"`
		Decisions any                        `json:"decisions"`
		Shown     map[string]json.RawMessage `json:"shown"`
	}{p.ConsentID, p.Rows, map[string]json.RawMessage{}}
	for h, c := range p.Shown {
		out.Shown[h] = json.RawMessage(c)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
