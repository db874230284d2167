// Command barefiber is the baseline of `make bench`: a bare Fiber v2 server
// with the collector's Fiber configuration (body limit, timeouts, connection
// cap, read buffer) that answers 204 to POST /api/event and does nothing
// else. Its throughput is what the collector's is compared with.
//
//	barefiber --listen 127.0.0.1:0
//
// With --spool-dir it is the bench's durable floor instead (floor.go): each
// answer waits for a record durably in the collector's spool, and with
// --clickhouse-dsn the collector's writer inserts a row per record into
// that database's events table (migrated beforehand). The floor runs with
// the collector's runtime settings (internal/tune).
//
//	barefiber --listen 127.0.0.1:0 --spool-dir DIR [--clickhouse-dsn DSN]
//
// It logs one JSON line {"msg":"listening","addr":"…"} on stderr once it
// accepts connections, and stops on SIGINT or SIGTERM.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/ashiato/ashiato/internal/tune"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	spoolDir := flag.String("spool-dir", "", "durable floor: spool every hit here before answering")
	dsn := flag.String("clickhouse-dsn", "", "durable floor: insert the spooled hits into this database's events table")
	flag.Parse()
	var srv *Server
	var err error
	switch {
	case *spoolDir != "":
		tune.Runtime(os.Getenv) // the floor runs as `ashiato serve` does
		srv, err = StartDurable(*listen, *spoolDir, *dsn)
	case *dsn != "":
		err = errors.New("--clickhouse-dsn needs --spool-dir")
	default:
		srv, err = Start(*listen)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "barefiber:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "{\"msg\":\"listening\",\"addr\":%q}\n", srv.Addr)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	if err := srv.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "barefiber:", err)
		os.Exit(1)
	}
}
