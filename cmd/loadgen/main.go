// Command loadgen is the load generator of `make bench` (deploy/local/bench.sh):
// realistic POST /api/event requests with a User-Agent mix drawn from a
// corpus plus a share of never-seen UAs.
//
//	loadgen uas  -o FILE CORPUS...          write the normalised UA list (one per line) for wrk
//	loadgen open -url URL -rate R -duration D [-conns C] [-max-conns M]
//	                                        constant-rate open loop over a pool of connections that
//	                                        grows when all are busy; latency from the intended send
//	                                        time (coordinated-omission corrected)
//	loadgen fill -url URL -n N [-conns C] [-batch K] [-each-ua]
//	                                        closed loop: send N requests (K events each) as fast as
//	                                        they are answered; -each-ua: one per corpus UA (warm-up)
//
//	open and fill -consent: consent decisions of new visitors (-url …/api/consent)
//	                                        instead of events, with the banner's current revision
//
//	loadgen fsync -dir DIR [-n N] [-size B] [-busy K]
//	                                        what one group commit (write + fdatasync) costs on
//	                                        the disk of DIR: wall time and CPU time per commit,
//	                                        with K busy loops occupying CPUs meanwhile
//
//	loadgen get FILE FIELD.PATH             print one field of a result file
//
// open, fill and fsync print one JSON object with the results on stdout.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadgen uas|open|fill|fsync|get [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "uas":
		err = runUAs(os.Args[2:], os.Stdout)
	case "open":
		err = runOpen(os.Args[2:], os.Stdout)
	case "fill":
		err = runFill(os.Args[2:], os.Stdout)
	case "fsync":
		err = runFsync(os.Args[2:], os.Stdout)
	case "get":
		err = runGet(os.Args[2:], os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q (want uas, open, fill, fsync or get)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}
