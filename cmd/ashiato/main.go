// Command ashiato is the privacy-aware web analytics collector: one binary
// with subcommands. main only dispatches; each subcommand lives in its own
// file and the stages live in collector/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the collector (HTTP API, spool, ClickHouse writer)", runServe},
		{"migrate", "create the database if missing and apply schema migrations", runMigrate},
		{"query", "run a named query from queries/ and print the result", runQuery},
		{"audience", "audience segments: create, list, show, preview, export (consent-checked)", runAudience},
		{"consent", "consent ledger tools: proof CONSENT_ID", runConsent},
		{"privacy", "data subject requests: export, erase, stop, resume", runPrivacy},
		{"preferences", "customers' notice preferences: export (suppression list), check, set, link", runPreferences},
		{"requests", "customers' requests for disclosure, stop of use, erasure: list, show, file, advance", runRequests},
		{"rollup", "visits rollup: refresh it now (serve does it in the background)", runRollup},
		{"seed", "generate realistic traffic into ClickHouse or through /api/event", runSeed},
		{"stats", "statistics for partners: export REPORT with cells of fewer than k people suppressed", runStats},
		{"traits", "per-user traits from partners: import FILE (checked whole, then stored)", runTraits},
		{"token", "admin API tokens: create, list, revoke", runToken},
		{"spool", "spool drain --dir DIR: deliver a retired collector's spool to ClickHouse and exit", runSpool},
		{"healthcheck", "GET /healthz of the collector on this machine; exit 0 when it answers 200 (container HEALTHCHECK)", runHealthcheck},
		{"version", "print the version", runVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ashiato — privacy-aware web analytics collector\n\nUsage: ashiato <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'ashiato <command> --help' for the flags of a command. Flags override ASHIATO_* environment variables, which override the YAML file (--config).")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], stdout, stderr)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			default:
				fmt.Fprintf(stderr, "ashiato %s: %v\n", c.name, err)
				return 1
			}
		}
	}
	fmt.Fprintf(stderr, "ashiato: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func runVersion(_ context.Context, args []string, stdout, _ io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "ashiato", Version)
	return nil
}
