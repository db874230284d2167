package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ashiato/ashiato/collector/audience"
	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/lookalike"
)

const audienceUsage = `Usage:
  ashiato audience create  NAME --site SITE --rule RULE [--description TEXT]
  ashiato audience list    --site SITE
  ashiato audience show    NAME --site SITE
  ashiato audience preview NAME --site SITE
  ashiato audience export  NAME --site SITE --format csv|google-customer-match|meta [--out FILE]
  ashiato audience lookalike NAME --site SITE --seed SEGMENT --size N
A rule combines visited('/path*', TIMES, DAYS), event('name', DAYS),
source('google', DAYS), trait('name', 'value'), member('audience'),
interest('category') >= SCORE and lookalike('model') >= SCORE with AND,
OR and parentheses (docs/AUDIENCES.md). lookalike trains a logistic
regression on the subjects whose consent allows audience export (the seed
segment's as positives), prints its holdout AUC, lift at 10 % and the ten
features that weigh most, stores every other subject's score as model NAME
and the top N others as segment NAME.
preview prints the size now and after the export's consent check; export
checks each member's consent against the ledger at export time, refuses an
audience below the site's audience_min_size, and writes an audit row.
--site may be left out when one site is configured.`

func runAudience(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd, fs, err := subcommand("audience", audienceUsage, args, stderr, "create", "list", "show", "preview", "export", "lookalike")
	if err != nil {
		return err
	}
	var site, rule, desc, format, out, seed string
	var size int
	fs.StringVar(&site, "site", "", "site ID")
	fs.StringVar(&rule, "rule", "", "create: the segment's rule")
	fs.StringVar(&desc, "description", "", "create: what the segment is for")
	fs.StringVar(&format, "format", "", "export: "+strings.Join(audience.Formats, ", "))
	fs.StringVar(&out, "out", "", "export: write to this file instead of standard output")
	fs.StringVar(&seed, "seed", "", "lookalike: the seed segment")
	fs.IntVar(&size, "size", 1000, "lookalike: how many subjects the new segment gets")
	cfg, err := config.Load(fs, interspersed(args[1:]), os.Getenv)
	if err != nil {
		return err
	}
	site = siteOrOnly(site, cfg.Sites)
	name := fs.Arg(0)
	if cmd != "list" && fs.NArg() != 1 {
		fs.Usage()
		return errors.New("want exactly one segment name")
	}
	env, err := openCLI(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer env.store.Close()
	svc := &audience.Service{Store: env.store, Privacy: env.svc, Sites: ingest.NewSites(cfg.Sites).Get, Now: time.Now}
	switch cmd {
	case "create":
		g, err := svc.Create(ctx, site, name, rule, desc, cliActor())
		env.audit(ctx, "audiences.create", site, "", "segment="+name+" rule="+fmt.Sprintf("%q", rule), err)
		if err != nil {
			return err
		}
		return writeJSON(stdout, g)
	case "list":
		gs, err := svc.List(ctx, site)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tORIGIN\tRULE")
		for _, g := range gs {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", g.Name, g.Origin, g.Rule)
		}
		return tw.Flush()
	case "show":
		g, err := svc.Get(ctx, site, name)
		if err != nil {
			return err
		}
		return writeJSON(stdout, g)
	case "preview":
		p, err := svc.Preview(ctx, site, name)
		env.audit(ctx, "audiences.preview", site, "", "segment="+name, err)
		if err != nil {
			return err
		}
		return writeJSON(stdout, p)
	case "lookalike":
		la := &lookalike.Service{Store: env.store, Audiences: svc, Sites: svc.Sites, Now: time.Now}
		res, err := la.Build(ctx, site, name, seed, size, cliActor())
		env.audit(ctx, "audiences.lookalike", site, "", fmt.Sprintf("segment=%s seed=%s size=%d members=%d auc=%.3f", name, seed, size, res.Members, res.Eval.AUC), err)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "segment %s: %d subjects like seed %s (%d of %d consenting subjects in the seed)\n", name, res.Members, seed, res.SeedSize, res.Population)
		if math.IsNaN(res.Eval.AUC) {
			fmt.Fprintf(stdout, "holdout: %d subjects (trained on %d): no AUC, the holdout lacks seed or other subjects\n", res.Eval.Holdout, res.Eval.Train)
		} else {
			fmt.Fprintf(stdout, "holdout: %d subjects (trained on %d): AUC %.3f, lift at 10%% %.2f\n", res.Eval.Holdout, res.Eval.Train, res.Eval.AUC, res.Eval.LiftAt10)
		}
		fmt.Fprintln(stdout, "features that weigh most (log-odds):")
		for _, w := range res.Top {
			fmt.Fprintf(stdout, "  %+.3f  %s\n", w.Weight, w.Feature)
		}
		return nil
	default:
		return cliAudienceExport(ctx, svc, site, name, format, out, stdout, stderr)
	}
}

func cliAudienceExport(ctx context.Context, svc *audience.Service, site, name, format, out string, stdout, stderr io.Writer) error {
	if format == "" {
		return fmt.Errorf("--format: want one of %s", strings.Join(audience.Formats, ", "))
	}
	w, dest := stdout, "stdout"
	var f *os.File
	if out != "" {
		var err error
		// Written beside, renamed when complete: a refused export leaves
		// no file (and no earlier file half overwritten).
		f, err = os.OpenFile(out+".part", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		defer os.Remove(out + ".part")
		defer f.Close()
		w, dest = f, out
	}
	bar := &progressBar{w: stderr}
	res, err := svc.Export(ctx, audience.ExportRequest{Site: site, Segment: name, Format: format, Destination: dest,
		By: cliActor(), Method: "CLI", Path: "ashiato audience export"}, w, bar.update)
	bar.finish()
	if err != nil {
		return err
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return err
		}
		if err := os.Rename(out+".part", out); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "exported %d people of segment %s (%d rows, %d left out without an identifier %s matches), sha256 %s\n",
		res.People, name, res.Written, res.Skipped, format, res.SHA256)
	return nil
}
