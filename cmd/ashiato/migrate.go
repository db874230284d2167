package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/store"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := config.Load(fs, args, os.Getenv)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	st, err := store.Open(ctx, cfg.Config, true)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx, log)
	if err != nil {
		return err
	}
	v := st.Version.Version
	fmt.Fprintf(stdout, "database %s on ClickHouse %d.%d.%d: %d migration(s) applied, schema up to date\n",
		st.Dialect.DB, v.Major, v.Minor, v.Patch, len(applied))
	return nil
}
