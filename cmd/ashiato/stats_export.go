package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/partner"
)

const statsUsage = `Usage:
  ashiato stats export REPORT [--by REPORT2] --site SITE --from YYYY-MM-DD --to YYYY-MM-DD [--k 10] [--out FILE]
Statistical information for partners: an aggregate table (pageviews and
people per value of the report's dimension; reports: %s), every
cell of fewer than k people suppressed, with complementary suppression so
that the total minus the visible cells cannot reveal a suppressed cell; the
rule is printed in the file's header. --to is excluded. With --by, a cross
table of REPORT's values (rows) by REPORT2's (columns) with row, column
and grand totals, suppressed so that no suppressed cell can be worked out
from them.`

func runStats(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := fmt.Sprintf(statsUsage, strings.Join(partner.ReportNames(), ", "))
	_, fs, err := subcommand("stats", usage, args, stderr, "export")
	if err != nil {
		return err
	}
	var site, from, to, out, by string
	var k uint64
	fs.StringVar(&site, "site", "", "site ID")
	fs.StringVar(&from, "from", "", "first day, YYYY-MM-DD (UTC)")
	fs.StringVar(&to, "to", "", "day after the last, YYYY-MM-DD (UTC)")
	fs.Uint64Var(&k, "k", 10, "the fewest people a visible cell may have")
	fs.StringVar(&out, "out", "", "write to this file instead of standard output")
	fs.StringVar(&by, "by", "", "a second report: a cross table of REPORT by it")
	cfg, err := config.Load(fs, interspersed(args[1:]), os.Getenv)
	if err != nil {
		return err
	}
	site = siteOrOnly(site, cfg.Sites)
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("name one report")
	}
	r := partner.Request{Site: site, Report: fs.Arg(0), By: by, K: k}
	if r.From, err = time.Parse(time.DateOnly, from); err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	if r.To, err = time.Parse(time.DateOnly, to); err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	env, err := openCLI(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer env.store.Close()
	res, err := partner.Run(ctx, env.store, r)
	var cells, n int
	if err == nil {
		cells, n = res.Counts()
	}
	env.audit(ctx, "stats.export", site, "", fmt.Sprintf("report=%s by=%s from=%s to=%s k=%d cells=%d suppressed=%d", r.Report, by, from, to, k, cells, n), err)
	if err != nil {
		return err
	}
	w := stdout
	if out != "" {
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	return res.Write(w)
}
