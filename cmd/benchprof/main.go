// Command benchprof is the profiling variant of `ashiato serve` for
// `make bench` (ASHIATO_BENCH_PROFILE=1): the same hot path — Fiber with
// the collector's configuration, the ingest handler, enrichment, the
// consent salter, the durable spool and the ClickHouse batch writer — plus
// Go's pprof endpoints under /debug/pprof/ and the enricher's counters
// under /debug/enrich, which the product does not serve. It takes the
// serve flags. The privacy stage (erasure filtering in
// the writer) and the non-event endpoints are left out.
//
//	benchprof --listen 127.0.0.1:0 --clickhouse-dsn … --data-dir … --rate-per-ip 0
//	go tool pprof -seconds 10 http://ADDR/debug/pprof/profile
//	go tool pprof -sample_index=alloc_space -base allocs.before http://ADDR/debug/pprof/allocs
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/ashiato/ashiato/collector/config"
)

func main() {
	// Sample an allocation every 16 KiB on average (the default is 512 KiB),
	// so that small per-request allocations show in the allocs profile.
	runtime.MemProfileRate = 16 << 10
	fs := flag.NewFlagSet("benchprof", flag.ExitOnError)
	cfg, err := config.Load(fs, os.Args[1:], os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchprof:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := Start(ctx, cfg, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchprof:", err)
		os.Exit(1)
	}
	<-ctx.Done()
	if err := srv.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "benchprof:", err)
		os.Exit(1)
	}
}
