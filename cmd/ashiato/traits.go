package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/traits"
)

const traitsUsage = `Usage:
  ashiato traits import --site SITE FILE.csv|FILE.jsonl
Loads per-user traits (from group companies and partners) for
authenticated user IDs: a CSV with a header (user_id and declared trait
names) or JSON Lines ({"user_id": "…", "gender": "f", …}). Only the traits
the site's config declares (sites[].traits: name, type, values) are
accepted; the file is checked whole first, and one bad row refuses it with
the line and field of every bad row: nothing is half imported. Each user's
traits replace their earlier ones. --site may be left out when one site is
configured.`

func runTraits(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, fs, err := subcommand("traits", traitsUsage, args, stderr, "import")
	if err != nil {
		return err
	}
	var site string
	fs.StringVar(&site, "site", "", "site ID")
	cfg, err := config.Load(fs, interspersed(args[1:]), os.Getenv)
	if err != nil {
		return err
	}
	site = siteOrOnly(site, cfg.Sites)
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("want exactly one file")
	}
	path := fs.Arg(0)
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "csv" && format != "jsonl" {
		return fmt.Errorf("%s: want a .csv or .jsonl file", path)
	}
	var s = -1
	for i := range cfg.Sites {
		if cfg.Sites[i].ID == site {
			s = i
		}
	}
	if s < 0 {
		return fmt.Errorf("unknown site %q", site)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := traits.Parse(f, format, &cfg.Sites[s])
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	env, err := openCLI(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer env.store.Close()
	bar := &progressBar{w: stderr, label: "import"}
	res, err := traits.Import(ctx, env.svc, &cfg.Sites[s], rows, bar.update)
	bar.finish()
	env.audit(ctx, "traits.import", site, "", fmt.Sprintf("file=%q import_id=%s rows=%d erased=%d", filepath.Base(path), res.ImportID, res.Rows, res.Erased), err)
	if err != nil {
		return err
	}
	return writeJSON(stdout, res)
}
