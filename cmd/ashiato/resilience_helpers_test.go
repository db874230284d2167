package main

// Helpers of the resilience tests (crash, outage, full disk, slow
// clients): the collector as a subprocess or in-process on a given
// database, and a private ClickHouse server that a test may kill. The load
// generator and the exactly-once check are in resilience_load_test.go.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/store"
	"github.com/ashiato/ashiato/collector/store/chtest"
)

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// buildBinary builds the collector into a temporary folder of t.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ashiato")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/ashiato/ashiato/cmd/ashiato").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// cleanEnv is the environment without ASHIATO_* settings, so that a
// subprocess is configured by its flags only.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ASHIATO_") {
			env = append(env, kv)
		}
	}
	return env
}

// collectorProc is `ashiato serve` running as a subprocess.
type collectorProc struct {
	cmd    *exec.Cmd
	Addr   string
	logs   *syncBuffer
	exited chan struct{}
	err    error // of Wait, once exited is closed
}

// startProc starts `bin serve args...` and returns once it logs that it
// listens. logs collects its output.
func startProc(t testing.TB, bin string, logs *syncBuffer, args ...string) *collectorProc {
	t.Helper()
	p, err := tryStartProc(t, bin, logs, args...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// tryStartProc is startProc that returns the error instead of failing.
func tryStartProc(t testing.TB, bin string, logs *syncBuffer, args ...string) (*collectorProc, error) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	cmd.Env = cleanEnv()
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	cmd.Stdout = logs
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start collector: %w", err)
	}
	p := &collectorProc{cmd: cmd, logs: logs, exited: make(chan struct{})}
	var out strings.Builder // this run's output, for the error
	var outMu sync.Mutex
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			logs.Write([]byte(line + "\n"))
			if !sent {
				outMu.Lock()
				out.WriteString(line + "\n")
				outMu.Unlock()
			}
			if !sent && strings.Contains(line, `"msg":"listening"`) {
				var l struct{ Addr string }
				if json.Unmarshal([]byte(line), &l) == nil && l.Addr != "" {
					addr <- l.Addr
					sent = true
				}
			}
		}
		io.Copy(logs, pr)
	}()
	go func() {
		p.err = cmd.Wait()
		pw.Close()
		close(p.exited)
	}()
	t.Cleanup(func() { p.kill() })
	select {
	case p.Addr = <-addr:
		return p, nil
	case <-p.exited:
		time.Sleep(50 * time.Millisecond) // let the reader take the last lines
		outMu.Lock()
		defer outMu.Unlock()
		return nil, fmt.Errorf("collector exited before listening: %v\noutput:\n%s", p.err, out.String())
	case <-time.After(90 * time.Second):
		p.kill()
		return nil, fmt.Errorf("collector did not listen within 90 s\nlogs:\n%s", logs)
	}
}

// kill sends SIGKILL and waits until the process is gone.
func (p *collectorProc) kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// stop sends SIGTERM and returns the exit error of a graceful shutdown.
func (p *collectorProc) stop(t testing.TB) error {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return p.err
	case <-time.After(60 * time.Second):
		p.kill()
		return errors.New("no exit within 60 s of SIGTERM")
	}
}

// privateCH is a ClickHouse server of one test, in its own folder and on
// its own ports, so that the test can kill it without disturbing the
// shared server other packages use.
type privateCH struct {
	dir              string
	tcp, http, inter int
	cmd              *exec.Cmd
	exited           chan struct{}
	starts           int
}

// startPrivateCH starts a private ClickHouse server; it is killed at
// cleanup.
func startPrivateCH(t *testing.T) *privateCH {
	t.Helper()
	chtest.Require(t)
	if _, err := exec.LookPath("clickhouse-server"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("clickhouse-server is not installed")
		}
		t.Skip("clickhouse-server is not installed; skipping a test that runs its own server")
	}
	c := &privateCH{dir: t.TempDir(), tcp: freePort(t), http: freePort(t), inter: freePort(t)}
	t.Cleanup(c.kill)
	c.start(t)
	return c
}

// start starts the server on its folder and ports and waits until it
// answers.
func (c *privateCH) start(t testing.TB) {
	t.Helper()
	c.starts++
	out, err := os.Create(filepath.Join(c.dir, fmt.Sprintf("stdout.%d.log", c.starts)))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	d := c.dir
	c.cmd = exec.Command("clickhouse-server", "--config-file=/etc/clickhouse-server/config.xml", "--",
		"--path="+d+"/data/", "--tmp_path="+d+"/tmp/", "--user_files_path="+d+"/user_files/",
		"--format_schema_path="+d+"/format_schemas/", "--listen_host=127.0.0.1",
		"--tcp_port="+strconv.Itoa(c.tcp), "--http_port="+strconv.Itoa(c.http),
		"--interserver_http_port="+strconv.Itoa(c.inter),
		"--logger.log="+d+"/server.log", "--logger.errorlog="+d+"/server.err.log", "--logger.level=warning")
	c.cmd.Dir = d
	c.cmd.Stdout, c.cmd.Stderr = out, out
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start clickhouse-server: %v", err)
	}
	c.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) {
		cmd.Wait()
		close(exited)
	}(c.cmd, c.exited)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/ping", c.http))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case <-c.exited:
			b, _ := os.ReadFile(filepath.Join(d, "server.err.log"))
			t.Fatalf("clickhouse-server exited at start\n%s", b)
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("clickhouse-server did not answer within 60 s")
}

// kill stops the server with SIGKILL, as a crash or a pulled plug would.
func (c *privateCH) kill() {
	if c.cmd == nil {
		return
	}
	c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.exited
	c.cmd = nil
}

// newDB returns the DSN of a fresh migrated database on the server and a
// store on it.
func (c *privateCH) newDB(t *testing.T) (string, *store.Store) {
	t.Helper()
	_, db := chtest.DSN(t)
	dsn := fmt.Sprintf("clickhouse://127.0.0.1:%d/%s", c.tcp, db)
	return dsn, chtest.Open(t, dsn)
}

// startMain starts the collector in-process on the ClickHouse database of
// dsn with the data folder dataDir; args are more serve flags.
func startMain(t testing.TB, dsn string, st *store.Store, dataDir string, args ...string) *testServer {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	base := []string{"--listen", "127.0.0.1:0", "--clickhouse-dsn", dsn, "--data-dir", dataDir,
		"--batch-interval", "100ms", "--rate-per-ip", "0", "--metrics-token", testMetricsToken}
	cfg, err := config.Load(fs, append(base, args...), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	m := &Main{Config: cfg, Log: newLogger(logs, cfg.LogLevel)}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := m.Run(ctx); err != nil {
		m.Close()
		t.Fatalf("start collector: %v\nlogs:\n%s", err, logs)
	}
	t.Cleanup(func() { m.Close() })
	return &testServer{Main: m, URL: "http://" + m.Addr, Store: st, Logs: logs}
}

// writeFile writes a file into a temporary folder of t and returns its path.
func writeFile(t testing.TB, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
