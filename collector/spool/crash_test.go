package spool

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// crashDirEnv makes TestCrashChild run as the child of TestCrash, in the
// spool directory it names.
const crashDirEnv = "ASHIATO_SPOOL_CRASH_DIR"

// TestCrashChild is the process that TestCrash kills. It appends from
// several goroutines and prints "a ID" after each acknowledged Append; a
// consumer prints "c ID" for each record of a batch, then confirms it.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestCrash")
	}
	run := os.Getenv("ASHIATO_SPOOL_CRASH_RUN")
	// Two committers: acknowledgements must stay in order across them.
	s, err := Open(Config{Dir: dir, SegmentBytes: 64 << 10, Committers: 2}, nil, nil)
	if err != nil {
		fmt.Fprintf(os.Stdout, "open error %v\n", err)
		os.Exit(3)
	}
	var mu sync.Mutex
	emit := func(lines string) {
		mu.Lock()
		os.Stdout.WriteString(lines) // one write: a line is there whole or not at all
		mu.Unlock()
	}
	ctx := context.Background()
	for w := range 8 {
		go func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("r%s-w%d-%d", run, w, i)
				if err := s.Append(ctx, payload(id, i)); err != nil {
					emit(fmt.Sprintf("error %s %v\n", id, err))
					return
				}
				emit("a " + id + "\n")
			}
		}()
	}
	for {
		b, err := s.Read(ctx, 300, 100*time.Millisecond)
		if err != nil {
			emit(fmt.Sprintf("error read %v\n", err))
			return
		}
		time.Sleep(time.Duration(rand.IntN(30)) * time.Millisecond) // let records pile up
		if rand.IntN(4) == 0 {
			s.Requeue(b) // a failed store, now and then
			continue
		}
		// The records are "in the store" before Confirm, as with the real
		// writer; a kill between the two hands them out again.
		var lines strings.Builder
		for _, r := range b.Records {
			id, _, _ := strings.Cut(string(r), "|")
			lines.WriteString("c " + id + "\n")
		}
		emit(lines.String())
		if err := s.Confirm(b); err != nil {
			emit(fmt.Sprintf("error confirm %v\n", err))
			return
		}
	}
}

// TestCrash kills a process that appends and confirms with SIGKILL at
// random moments, restarting it on the same spool, and then checks that
// every acknowledged record is either confirmed or still in the spool, and
// that nothing in the spool is damaged.
func TestCrash(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip("in the child")
	}
	runs := 20
	if testing.Short() {
		runs = 5
	}
	dir := t.TempDir()
	acked := map[string]bool{}
	confirmed := map[string]bool{}
	for run := range runs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, fmt.Sprintf("ASHIATO_SPOOL_CRASH_RUN=%d", run))
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill at a random moment once the child is busy, whatever the
		// load of the machine.
		var out bytes.Buffer
		started := make(chan struct{})
		copied := make(chan struct{})
		go func() {
			defer close(copied)
			buf := make([]byte, 32<<10)
			for first := true; ; {
				n, err := stdout.Read(buf)
				out.Write(buf[:n])
				if first && n > 0 {
					close(started)
					first = false
				}
				if err != nil {
					return
				}
			}
		}()
		select {
		case <-started:
		case <-time.After(10 * time.Second):
			t.Errorf("run %d: child silent for 10s", run)
		}
		time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-copied
		cmd.Wait()

		text := out.String()
		if i := strings.LastIndexByte(text, '\n'); i >= 0 {
			text = text[:i] // drop a line cut by the kill
		}
		var a, c int
		for line := range strings.Lines(text) {
			kind, id, _ := strings.Cut(strings.TrimSpace(line), " ")
			switch kind {
			case "a":
				acked[id] = true
				a++
			case "c":
				confirmed[id] = true
				c++
			case "error", "open":
				t.Fatalf("run %d: child: %s", run, line)
			}
		}
		t.Logf("run %d: %d acknowledged, %d confirmed", run, a, c)
	}

	s, _ := openSpool(t, Config{Dir: dir, SegmentBytes: 64 << 10})
	present := map[string]bool{}
	for _, id := range drain(t, s, 1000) { // drain checks every payload
		if present[id] {
			t.Fatalf("record %s twice in the spool", id)
		}
		present[id] = true
	}
	lost := 0
	for id := range acked {
		if !present[id] && !confirmed[id] {
			lost++
			if lost < 10 {
				t.Errorf("acknowledged record %s lost", id)
			}
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d acknowledged records lost", lost, len(acked))
	}
	if len(acked) < runs {
		t.Fatalf("test did not exercise the spool: %d records acknowledged in %d runs", len(acked), runs)
	}
	if _, err := os.Stat(filepath.Join(dir, quarantineDir)); err == nil {
		t.Errorf("a crash led to a quarantined segment")
	}
	t.Logf("%d acknowledged, %d confirmed before a crash, %d still in the spool", len(acked), len(confirmed), len(present))
}
