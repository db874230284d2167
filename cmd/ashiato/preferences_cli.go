package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/preferences"
	"github.com/ashiato/ashiato/collector/requests"
	"github.com/ashiato/ashiato/collector/store"
)

const preferencesUsage = `Usage:
  ashiato preferences export --site SITE --channel email|sms|post --topic TOPIC [--list suppressed|allowed] [--hash]
  ashiato preferences check  --site SITE --user ID --channel CHANNEL --topic TOPIC
  ashiato preferences set    --site SITE --user ID --channel CHANNEL --topic TOPIC --state on|off [--source admin|import]
  ashiato preferences link   --site SITE --user ID --channel CHANNEL --topic TOPIC
export prints CSV (user,reason): those who must not receive the topic
(suppressed: opted out or under a stop of use) or who chose to receive it
(allowed); user IDs as stored, or with --hash (default: the site's
preferences.export_hash) their SHA-256 in hex. link prints a one-click
unsubscribe URL (RFC 8058) for the mail's List-Unsubscribe header.`

const requestsUsage = `Usage:
  ashiato requests list    [--site SITE] [--all]
  ashiato requests show    ID
  ashiato requests file    --site SITE --user ID --kind disclosure|stop|erasure
  ashiato requests advance ID --state verified|in_progress|completed|rejected [--reason TEXT]
list shows open requests (--all: every request), earliest deadline first.
Completing a stop or erasure request runs it (see ashiato privacy).`

// prefEnv is what the preferences and requests subcommands work with.
type prefEnv struct {
	*cliEnv
	prefs *preferences.Service
	reqs  *requests.Service
}

func openPrefs(ctx context.Context, cfg config.Config, stderr io.Writer) (*prefEnv, error) {
	env, err := openCLI(ctx, cfg, stderr)
	if err != nil {
		return nil, err
	}
	secret, err := config.LoadSecret(cfg.SecretFile)
	if err != nil {
		env.store.Close()
		return nil, err
	}
	sites := env.svc.Sites
	return &prefEnv{cliEnv: env,
		prefs: &preferences.Service{Store: env.store, Privacy: env.svc, Sites: sites, LinkKey: preferences.LinkKey(secret)},
		reqs:  &requests.Service{Store: env.store, Privacy: env.svc, Sites: sites, Log: env.svc.Log}}, nil
}

func runPreferences(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd, fs, err := subcommand("preferences", preferencesUsage, args, stderr, "export", "check", "set", "link")
	if err != nil {
		return err
	}
	var site, user, channel, topic, list, state, source string
	fs.StringVar(&site, "site", "", "site ID")
	fs.StringVar(&user, "user", "", "the customer's user ID (as your systems know it)")
	fs.StringVar(&channel, "channel", "email", "email, sms or post")
	fs.StringVar(&topic, "topic", "", "a notice topic of the site's preferences")
	fs.StringVar(&list, "list", preferences.ListSuppressed, "export: suppressed or allowed")
	hash := fs.Bool("hash", false, "export: SHA-256 of the user IDs (default: the site's preferences.export_hash)")
	fs.StringVar(&state, "state", "", "set: on or off")
	fs.StringVar(&source, "source", preferences.SourceAdmin, "set: admin or import")
	cfg, err := config.Load(fs, args[1:], os.Getenv)
	if err != nil {
		return err
	}
	env, err := openPrefs(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer env.store.Close()
	site = siteOrOnly(site, cfg.Sites)
	switch cmd {
	case "export":
		if list != preferences.ListSuppressed && list != preferences.ListAllowed {
			return fmt.Errorf("--list %q: want suppressed or allowed", list)
		}
		if s := env.svc.Sites(site); s != nil && !flagSet(fs, "hash") {
			*hash = s.Preferences.ExportHash
		}
		entries, err := env.prefs.List(ctx, site, channel, topic, list, *hash)
		env.audit(ctx, "preferences.export", site, "", fmt.Sprintf("channel=%s topic=%s list=%s hash=%v rows=%d", channel, topic, list, *hash, len(entries)), err)
		if err != nil {
			return err
		}
		return preferences.WriteCSV(stdout, entries)
	case "check":
		d, err := env.prefs.Check(ctx, site, user, channel, topic)
		if err != nil {
			return err
		}
		return writeJSON(stdout, d)
	case "set":
		if state != "on" && state != "off" {
			return errors.New("--state: want on or off")
		}
		if source != preferences.SourceAdmin && source != preferences.SourceImport {
			return errors.New("--source: want admin or import")
		}
		ch, err := env.prefs.Set(ctx, preferences.Change{Site: site, User: user, Channel: channel, Topic: topic, On: state == "on", Source: source, Actor: cliActor()})
		env.audit(ctx, "preferences.set", site, subjectOf(env, site, user), "channel="+channel+" topic="+topic+" state="+state, err)
		if err != nil {
			return err
		}
		return writeJSON(stdout, ch)
	default:
		tok, err := env.prefs.MintLink(site, user, channel, topic)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, preferences.LinkURL(cfg.PublicURL, tok))
		return nil
	}
}

// subjectOf names a customer in the audit log by the keyed hash.
func subjectOf(env *prefEnv, site, user string) string {
	s := env.svc.Sites(site)
	if s == nil || user == "" {
		return ""
	}
	return env.svc.Keys.KeyHash(site, store.KindUser, env.svc.Keys.StoredUserID(s, user))
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func runRequests(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd, fs, err := subcommand("requests", requestsUsage, args, stderr, "list", "show", "file", "advance")
	if err != nil {
		return err
	}
	var site, user, kind, state, reason string
	fs.StringVar(&site, "site", "", "site ID")
	fs.StringVar(&user, "user", "", "file: the customer's user ID (as your systems know it)")
	fs.StringVar(&kind, "kind", "", "file: disclosure, stop or erasure")
	fs.StringVar(&state, "state", "", "advance: the next state")
	fs.StringVar(&reason, "reason", "", "advance: why (required to reject)")
	all := fs.Bool("all", false, "list: closed requests too")
	rest, id := args[1:], ""
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		rest, id = rest[1:], rest[0] // the ID may come before the flags
	}
	cfg, err := config.Load(fs, rest, os.Getenv)
	if err != nil {
		return err
	}
	if id == "" && fs.NArg() > 0 {
		// The ID between flags: parse the flags after it too.
		id = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	env, err := openPrefs(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer env.store.Close()
	switch cmd {
	case "list":
		rs, err := env.reqs.List(ctx, store.RequestFilter{Site: site, OpenOnly: !*all})
		if err != nil {
			return err
		}
		return writeJSON(stdout, rs)
	case "show":
		r, err := env.reqs.Get(ctx, id)
		if err != nil {
			return err
		}
		return writeJSON(stdout, r)
	case "file":
		site = siteOrOnly(site, cfg.Sites)
		r, err := env.reqs.File(ctx, site, user, kind, cliActor())
		if err != nil {
			return err
		}
		return writeJSON(stdout, r)
	default:
		r, err := env.reqs.Advance(ctx, id, state, reason, cliActor())
		if err != nil {
			return err
		}
		return writeJSON(stdout, r)
	}
}
