package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestDiskFull fills the spool while ClickHouse (a private server) is
// down, once up to its cap and once up to the end of a tiny real
// filesystem. Both times hits get 503 with Retry-After once it is full,
// the collector keeps answering, it accepts again by itself when there is
// room, and afterwards ClickHouse holds exactly the acknowledged events: a
// refused hit is not stored, an acknowledged one is not lost.
func TestDiskFull(t *testing.T) {
	ch := startPrivateCH(t)

	t.Run("cap", func(t *testing.T) {
		dsn, st := ch.newDB(t)
		const maxBytes = 64 << 10
		ts := startMain(t, dsn, st, t.TempDir(), "--spool-max-bytes", strconv.Itoa(maxBytes))
		ch.kill()
		defer ch.ensureUp(t)

		g := newLoadGen("cap", func() string { return ts.URL }, 3)
		fillUntilRefused(t, g, 3)
		if b := ts.spool.Stats().Bytes; b > maxBytes {
			t.Errorf("spool holds %d bytes, above the cap of %d", b, maxBytes)
		}
		// Still answering while full: health, and more refusals.
		if st, _, _ := ts.get(t, "/healthz", nil); st != 200 {
			t.Errorf("/healthz while full: %d", st)
		}
		g.send(context.Background(), []string{"cap-while-full"}, false, false)

		// ClickHouse comes back: the spool drains and hits are accepted
		// again, without a restart of the collector.
		ch.start(t)
		waitAccepted(t, g, "cap-after", 60*time.Second)
		acked := g.settle(t, "cap", 50)
		s := waitStored(t, st, len(acked), func() bool { return ts.spool.Stats().Records == 0 }, 90*time.Second)
		checkExactlyOnce(t, s, acked, ts.Logs)
		t.Logf("%s", g.summary())
	})

	t.Run("tmpfs", func(t *testing.T) {
		dir := mountTmpfs(t, "4m")
		ch.ensureUp(t)
		dsn, st := ch.newDB(t)
		// Segments smaller than the filesystem, so that it fills up with
		// records rather than with one preallocation.
		cfg := writeFile(t, "ashiato.yaml", "spool:\n  segment_bytes: 262144\n")
		ts := startMain(t, dsn, st, dir, "--config", cfg)
		ch.kill()
		defer ch.ensureUp(t)

		// Leave about 1 MiB for the spool, then fill it with hits.
		filler := filepath.Join(dir, "filler")
		var fs unix.Statfs_t
		if err := unix.Statfs(dir, &fs); err != nil {
			t.Fatal(err)
		}
		free := int64(fs.Bavail) * fs.Bsize
		if err := os.WriteFile(filler, make([]byte, max(0, free-(1<<20))), 0o600); err != nil {
			t.Fatalf("write filler: %v", err)
		}
		g := newLoadGen("disk", func() string { return ts.URL }, 3)
		fillUntilRefused(t, g, 3)
		if err := unix.Statfs(dir, &fs); err != nil {
			t.Fatal(err)
		}
		left := int64(fs.Bavail) * fs.Bsize
		t.Logf("filesystem full: %d bytes left, spool %d bytes", left, ts.spool.Stats().Bytes)
		if left > 512<<10 {
			t.Errorf("refused with %d bytes free: not the disk that was full", left)
		}
		if st, _, _ := ts.get(t, "/healthz", nil); st != 200 {
			t.Errorf("/healthz while the disk is full: %d", st)
		}

		// Room again, ClickHouse still down: the spool accepts by itself.
		if err := os.Remove(filler); err != nil {
			t.Fatal(err)
		}
		waitAccepted(t, g, "disk-room", 30*time.Second)

		// ClickHouse back: everything acknowledged is written once.
		ch.start(t)
		acked := g.settle(t, "disk", 50)
		s := waitStored(t, st, len(acked), func() bool { return ts.spool.Stats().Records == 0 }, 90*time.Second)
		checkExactlyOnce(t, s, acked, ts.Logs)
		if strings.Contains(ts.Logs.String(), "panic") {
			t.Errorf("a panic was logged:\n%s", ts.Logs)
		}
		t.Logf("%s", g.summary())
	})

	// kill -9 while the disk is full, and start again on the full disk: the
	// collector starts (no crash loop), replays, drains into ClickHouse,
	// accepts again as the drain frees segments, and loses nothing.
	t.Run("restart-full", func(t *testing.T) {
		dir := mountTmpfs(t, "4m")
		ch.ensureUp(t)
		dsn, st := ch.newDB(t)
		bin := buildBinary(t)
		cfg := writeFile(t, "ashiato.yaml", "spool:\n  segment_bytes: 262144\n")
		addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		args := []string{"--listen", addr, "--clickhouse-dsn", dsn, "--data-dir", dir, "--config", cfg,
			"--batch-interval", "100ms", "--rate-per-ip", "0", "--log-level", "info", "--metrics-token", testMetricsToken}
		logs := &syncBuffer{}
		p := startProc(t, bin, logs, args...)
		ch.kill()
		defer ch.ensureUp(t)

		var fs unix.Statfs_t
		if err := unix.Statfs(dir, &fs); err != nil {
			t.Fatal(err)
		}
		filler := filepath.Join(dir, "filler")
		if err := os.WriteFile(filler, make([]byte, max(0, int64(fs.Bavail)*fs.Bsize-(1<<20))), 0o600); err != nil {
			t.Fatalf("write filler: %v", err)
		}
		g := newLoadGen("restart", func() string { return "http://" + addr }, 3)
		fillUntilRefused(t, g, 3)
		p.kill()
		if err := unix.Statfs(dir, &fs); err != nil {
			t.Fatal(err)
		}
		t.Logf("killed with %d bytes free; restarting on the full disk", int64(fs.Bavail)*fs.Bsize)

		ch.start(t)
		p = startProc(t, bin, logs, args...)
		waitAccepted(t, g, "restart-room", 60*time.Second)
		if err := os.Remove(filler); err != nil {
			t.Fatal(err)
		}
		acked := g.settle(t, "restart", 50)
		base := "http://" + addr
		drained := func() bool {
			v, err := metricValue(base, "ashiato_spool_records")
			return err == nil && v == 0
		}
		s := waitStored(t, st, len(acked), drained, 90*time.Second)
		checkExactlyOnce(t, s, acked, logs)
		if err := p.stop(t); err != nil {
			t.Errorf("graceful stop: %v\nlogs:\n%s", err, logs)
		}
		t.Logf("%s", g.summary())
	})
}

// fillUntilRefused sends hits from workers until the collector has refused
// at least 20 of them, and checks that the refusals are 503 with
// Retry-After; the request count is bounded.
func fillUntilRefused(t *testing.T, g *loadGen, workers int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	stop := make(chan struct{})
	go func() {
		defer close(stop)
		for ctx.Err() == nil {
			g.mu.Lock()
			n := g.statuses[503]
			g.mu.Unlock()
			if n >= 20 {
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	g.run(ctx, workers, 50000)()
	<-stop
	g.mu.Lock()
	defer g.mu.Unlock()
	t.Logf("filled: %d acknowledged, statuses %v", len(g.acked), g.statuses)
	if g.statuses[503] < 20 {
		t.Fatalf("not refused with 503 when full: %v", g.statuses)
	}
	if len(g.acked) == 0 {
		t.Fatal("nothing acknowledged before the spool was full")
	}
	for st, n := range g.statuses {
		if st != 202 && st != 503 {
			t.Errorf("%d answers with status %d; want 202 or 503", n, st)
		}
	}
	if g.noRetry > 0 {
		t.Errorf("%d answers 503 without Retry-After", g.noRetry)
	}
}

// waitAccepted sends new hits until one is answered 202.
func waitAccepted(t *testing.T, g *loadGen, prefix string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for i := 0; ; i++ {
		st, ok := g.send(context.Background(), []string{prefix + "-" + strconv.Itoa(i)}, false, false)
		if ok {
			return
		}
		if st != 503 && st != 0 {
			t.Fatalf("while waiting for room: status %d", st)
		}
		if time.Now().After(deadline) {
			t.Fatalf("still refused %s after room came back: %s", d, g.summary())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// mountTmpfs mounts a tmpfs of the given size on a temporary folder and
// unmounts it at cleanup. Without the privilege to mount, the test is
// skipped, except under CI where that is a failure.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput()
	if err != nil {
		msg := "cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): " + strings.TrimSpace(string(out)) + ": " + err.Error()
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
			exec.Command("umount", "-l", dir).Run()
		}
	})
	return dir
}

// ensureUp starts the server if a test left it killed.
func (c *privateCH) ensureUp(t testing.TB) {
	t.Helper()
	if c.cmd == nil {
		c.start(t)
	}
}
