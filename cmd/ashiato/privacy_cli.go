package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ashiato/ashiato/collector"
	"github.com/ashiato/ashiato/collector/admin"
	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/ingest"
	"github.com/ashiato/ashiato/collector/privacy"
	"github.com/ashiato/ashiato/collector/store"
)

const privacyUsage = `Usage:
  ashiato privacy export  --site SITE (--user ID | --visitor ID) [--format json|csv] [--out FILE]
  ashiato privacy erase   --site SITE (--user ID | --visitor ID) [--settle 12s]
  ashiato privacy stop    --site SITE (--user ID | --visitor ID)
  ashiato privacy resume  --site SITE (--user ID | --visitor ID)
  ashiato privacy receipts [--limit N]
--site may be left out when one site is configured. The configuration
(--config, ASHIATO_*) must be the collector's: the same ClickHouse and the
same secret file (user IDs are hashed and subjects named with it).`

// cliActor names the person running the CLI in receipts and the audit log.
func cliActor() string {
	if u, err := user.Current(); err == nil {
		return "cli:" + u.Username
	}
	return "cli"
}

// cliEnv is what a privacy or token subcommand works with.
type cliEnv struct {
	cfg   config.Config
	store *store.Store
	svc   *privacy.Service
}

func openCLI(ctx context.Context, cfg config.Config, stderr io.Writer) (*cliEnv, error) {
	st, err := store.Open(ctx, cfg.Config, false)
	if err != nil {
		return nil, err
	}
	secret, err := config.LoadSecret(cfg.SecretFile)
	if err != nil {
		st.Close()
		return nil, err
	}
	sites := ingest.NewSites(cfg.Sites)
	svc := &privacy.Service{Store: st, Keys: privacy.NewKeyer(secret), Sites: sites.Get,
		Log: newLogger(stderr, cfg.LogLevel), Now: time.Now}
	if err := svc.Reload(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return &cliEnv{cfg: cfg, store: st, svc: svc}, nil
}

func (e *cliEnv) audit(ctx context.Context, action, site, subject, detail string, err error) {
	status := 200
	if err != nil {
		status = ingest.Status(collector.ErrorCode(err))
	}
	if aerr := e.store.Audit(ctx, store.AuditEntry{TS: time.Now(), Actor: cliActor(), Action: action, Method: "CLI",
		Path: "ashiato " + strings.ReplaceAll(action, ".", " "), SiteID: site, Subject: subject, Detail: detail, Status: status}); aerr != nil {
		e.svc.Log.Error("write audit row", "err", aerr)
	}
}

func runPrivacy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd, fs, err := subcommand("privacy", privacyUsage, args, stderr, "export", "erase", "stop", "resume", "receipts")
	if err != nil {
		return err
	}
	var site, userID, visitor, format, out string
	var settle time.Duration
	var limit int
	fs.StringVar(&site, "site", "", "site ID")
	fs.StringVar(&userID, "user", "", "the subject's user ID (as your systems know it)")
	fs.StringVar(&visitor, "visitor", "", "the subject's visitor ID")
	fs.StringVar(&format, "format", "json", "export format: json (everything) or csv (events)")
	fs.StringVar(&out, "out", "", "export to this file instead of standard output")
	fs.DurationVar(&settle, "settle", 12*time.Second, "erase: wait after suppressing, so running collectors see it (their reload period) and land batches in flight")
	fs.IntVar(&limit, "limit", 100, "receipts: how many")
	cfg, err := config.Load(fs, args[1:], os.Getenv)
	if err != nil {
		return err
	}
	env, err := openCLI(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer env.store.Close()
	if cmd == "receipts" {
		rs, err := env.store.Receipts(ctx, limit)
		if err != nil {
			return err
		}
		env.audit(ctx, "privacy.receipts", "", "", "", nil)
		return writeJSON(stdout, rs)
	}
	site = siteOrOnly(site, cfg.Sites)
	req := privacy.Request{Site: site, By: cliActor()}
	switch {
	case (userID == "") == (visitor == ""):
		fs.Usage()
		return errors.New("name exactly one of --user and --visitor")
	case userID != "":
		req.Kind, req.ID = store.KindUser, userID
	default:
		req.Kind, req.ID = store.KindVisitor, visitor
	}
	switch cmd {
	case "export":
		return cliExport(ctx, env, req, format, out, stdout, stderr)
	case "erase":
		env.svc.Settle = settle
		fmt.Fprintf(stderr, "suppressing the subject, waiting %s for running collectors, then deleting…\n", settle)
		rec, err := env.svc.Erase(ctx, req)
		env.audit(ctx, "privacy.erase", site, rec.KeyHash, "request_id="+rec.RequestID, err)
		if rec.RequestID != "" && rec.SiteID != "" {
			if werr := writeJSON(stdout, rec); werr != nil {
				return werr
			}
		}
		return err
	default:
		var sub store.Subject
		if cmd == "stop" {
			sub, err = env.svc.Stop(ctx, req)
		} else {
			sub, err = env.svc.Resume(ctx, req)
		}
		h := ""
		if err == nil {
			h = env.svc.SubjectHash(sub)
		}
		env.audit(ctx, "privacy."+cmd, site, h, "", err)
		if err != nil {
			return err
		}
		state := map[string]string{"stop": store.StateStopped, "resume": store.StateActive}[cmd]
		return writeJSON(stdout, map[string]string{"site": sub.Site, "kind": sub.Kind, "subject": h, "state": state})
	}
}

func cliExport(ctx context.Context, env *cliEnv, req privacy.Request, format, out string, stdout, stderr io.Writer) error {
	if format != privacy.FormatJSON && format != privacy.FormatCSV {
		return fmt.Errorf("--format %q: want json or csv", format)
	}
	sub, err := env.svc.Resolve(ctx, req)
	if err != nil {
		return err
	}
	w := stdout
	if out != "" {
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bar := &progressBar{w: stderr}
	err = env.svc.Export(ctx, sub, format, w, bar.update)
	bar.finish()
	env.audit(ctx, "privacy.export", sub.Site, env.svc.SubjectHash(sub), "format="+format, err)
	return err
}

// progressBar draws "export [=====     ] 512/1024 rows" on stderr, at most
// ten times a second.
type progressBar struct {
	w     io.Writer
	label string // "export" unless set
	last  time.Time
	done  uint64
	total uint64
}

func (p *progressBar) update(done, total uint64) {
	p.done, p.total = done, total
	if done != total && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	const width = 30
	fill := width
	if total > 0 {
		fill = int(done * width / total)
	}
	label := p.label
	if label == "" {
		label = "export"
	}
	fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d rows", label, strings.Repeat("=", fill), strings.Repeat(" ", width-fill), done, total)
}

func (p *progressBar) finish() {
	if !p.last.IsZero() {
		fmt.Fprintln(p.w)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // a rule's >= as typed, not \u003e=
	return enc.Encode(v)
}

const tokenUsage = `Usage:
  ashiato token create --scope query,export,privacy,admin [--name NAME]
  ashiato token list
  ashiato token revoke ID
Scopes: query (named queries, aggregates), export (subject and audience
exports), privacy (erasure, stop/resume, receipts, consent proofs), admin
(everything, and tokens, audit log, retention). The token is printed once;
only its SHA-256 is stored.`

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd, fs, err := subcommand("token", tokenUsage, args, stderr, "create", "list", "revoke")
	if err != nil {
		return err
	}
	var scope, name string
	fs.StringVar(&scope, "scope", "", "create: comma-separated scopes")
	fs.StringVar(&name, "name", "", "create: a name to recognise the token by")
	cfg, err := config.Load(fs, args[1:], os.Getenv)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.Config, false)
	if err != nil {
		return err
	}
	defer st.Close()
	tokens := &admin.Tokens{Store: st}
	audit := func(action, detail string, err error) {
		status := 200
		if err != nil {
			status = ingest.Status(collector.ErrorCode(err))
		}
		if aerr := st.Audit(ctx, store.AuditEntry{TS: time.Now(), Actor: cliActor(), Action: action, Method: "CLI",
			Path: "ashiato token " + cmd, Detail: detail, Status: status}); aerr != nil {
			slog.New(slog.NewTextHandler(stderr, nil)).Error("write audit row", "err", aerr)
		}
	}
	switch cmd {
	case "create":
		scopes, err := admin.ParseScopes(scope)
		if err != nil {
			return fmt.Errorf("--scope: %w", err)
		}
		plain, rec, err := tokens.Create(ctx, name, scopes)
		audit("tokens.create", "created="+rec.ID+" scopes="+strings.Join(scopes, ","), err)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "token %s created with scopes %s; it is shown once, store it now:\n", rec.ID, strings.Join(scopes, ","))
		fmt.Fprintln(stdout, plain)
		return nil
	case "list":
		ts, err := st.Tokens(ctx)
		if err != nil {
			return err
		}
		audit("tokens.list", "", nil)
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSCOPES\tCREATED\tREVOKED")
		for _, t := range ts {
			revoked := "-"
			if t.Revoked() {
				revoked = t.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, strings.Join(t.Scopes, ","), t.CreatedAt.Format(time.RFC3339), revoked)
		}
		return tw.Flush()
	default:
		if fs.NArg() != 1 {
			fs.Usage()
			return errors.New("want exactly one token ID")
		}
		err := tokens.Revoke(ctx, fs.Arg(0))
		audit("tokens.revoke", "revoked="+fs.Arg(0), err)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "token %s revoked\n", fs.Arg(0))
		return nil
	}
}

// subcommand reads the subcommand of `ashiato name` (one of subs) from
// args and returns it with a FlagSet for its flags, which print usage.
func subcommand(name, usage string, args []string, stderr io.Writer, subs ...string) (string, *flag.FlagSet, error) {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, usage)
		if len(args) == 0 {
			return "", nil, fmt.Errorf("want a subcommand: %s", strings.Join(subs, ", "))
		}
		return "", nil, flag.ErrHelp
	}
	fs := flag.NewFlagSet(name+" "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, usage); fs.PrintDefaults() }
	if !slices.Contains(subs, args[0]) {
		fs.Usage()
		return "", nil, fmt.Errorf("unknown subcommand %q", args[0])
	}
	return args[0], fs, nil
}

// siteOrOnly is the --site of a command, or the configuration's only
// site when --site is empty and there is one.
func siteOrOnly(site string, sites []collector.Site) string {
	if site == "" && len(sites) == 1 {
		return sites[0].ID
	}
	return site
}
