// Command barefiber is the baseline of `make bench`: a bare Fiber v2 server
// with the collector's Fiber configuration (body limit, timeouts, connection
// cap, read buffer) that answers 204 to POST /api/event and does nothing
// else. Its throughput is what the collector's is compared with.
//
//	barefiber --listen 127.0.0.1:0
//
// It logs one JSON line {"msg":"listening","addr":"…"} on stderr once it
// accepts connections, and stops on SIGINT or SIGTERM.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	srv, err := Start(*listen)
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
