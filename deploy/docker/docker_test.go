package docker

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/deploy/deploytest"
)

// runtimeUser is the numeric user the image runs as (distroless nonroot).
const runtimeUser = "65532:65532"

// stages parses the Dockerfile with BuildKit's parser; any lint warning of
// BuildKit's rules fails the test.
func stages(t *testing.T) []instructions.Stage {
	t.Helper()
	res, err := parser.Parse(bytes.NewReader(deploytest.Read(t, "deploy/docker/Dockerfile")))
	if err != nil {
		t.Fatalf("parse Dockerfile: %v", err)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, desc, url, msg string, _ []parser.Range) {
		t.Errorf("Dockerfile lint %s: %s", rule, msg)
	}})
	st, _, err := instructions.Parse(res.AST, lint)
	if err != nil {
		t.Fatalf("Dockerfile instructions: %v", err)
	}
	return st
}

func commands[T instructions.Command](s instructions.Stage) []T {
	var out []T
	for _, c := range s.Commands {
		if v, ok := c.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// TestDockerfile checks the stages: a static, trimmed, versioned build; a
// distroless runtime as a numeric non-root user who owns /data (the
// volume), a HEALTHCHECK on /healthz through the binary, and serve as the
// default command.
func TestDockerfile(t *testing.T) {
	st := stages(t)
	if len(st) != 2 || st[0].Name != "build" || st[1].Name != "runtime" {
		t.Fatalf("want the stages build and runtime, got %d", len(st))
	}
	if !strings.HasPrefix(st[0].BaseName, "golang:"+goMinor(t)) {
		t.Errorf("build stage from %s: want the Go of go.mod, golang:%s", st[0].BaseName, goMinor(t))
	}
	var build string
	for _, r := range commands[*instructions.RunCommand](st[0]) {
		build += strings.Join(r.CmdLine, " ") + "\n"
	}
	for _, want := range []string{"CGO_ENABLED=0 go build", "-trimpath", "-X main.Version=${VERSION}", "./cmd/ashiato", "chown " + runtimeUser + " /out/data"} {
		if !strings.Contains(build, want) {
			t.Errorf("build stage: no %q in its RUN commands:\n%s", want, build)
		}
	}
	rt := st[1]
	if !strings.HasPrefix(rt.BaseName, "gcr.io/distroless/static-") {
		t.Errorf("runtime base %s: want distroless static (no shell, no libc: the binary is static)", rt.BaseName)
	}
	users := commands[*instructions.UserCommand](rt)
	if len(users) != 1 || users[0].User != runtimeUser {
		t.Fatalf("runtime USER: want exactly one, %s", runtimeUser)
	}
	for _, id := range strings.Split(users[0].User, ":") {
		if n, err := strconv.Atoi(id); err != nil || n == 0 {
			t.Errorf("USER %s: want numeric non-zero IDs (Kubernetes' runAsNonRoot checks numbers)", users[0].User)
		}
	}
	volumes := commands[*instructions.VolumeCommand](rt)
	if len(volumes) != 1 || !slices.Equal(volumes[0].Volumes, []string{"/data"}) {
		t.Errorf("runtime VOLUME: want /data")
	}
	owned := false
	for _, c := range commands[*instructions.CopyCommand](rt) {
		if c.DestPath == "/data" && c.From == "build" && c.Chown == runtimeUser {
			owned = true
		}
	}
	if !owned {
		t.Errorf("runtime: /data must be copied from the build stage with --chown=%s before VOLUME, or a volume mounted there is root-owned and the secret cannot be created", runtimeUser)
	}
	hc := commands[*instructions.HealthCheckCommand](rt)
	if len(hc) != 1 || !slices.Equal(hc[0].Health.Test, []string{"CMD", "/ashiato", "healthcheck"}) {
		t.Errorf("runtime HEALTHCHECK: want CMD /ashiato healthcheck")
	}
	ep := commands[*instructions.EntrypointCommand](rt)
	cmd := commands[*instructions.CmdCommand](rt)
	if len(ep) != 1 || !slices.Equal(ep[0].CmdLine, []string{"/ashiato"}) || len(cmd) != 1 || !slices.Equal(cmd[0].CmdLine, []string{"serve"}) {
		t.Errorf("runtime: want ENTRYPOINT [/ashiato] and CMD [serve]")
	}
}

// TestDockerignore keeps the local ClickHouse data, builds and npm
// dependencies out of the build context (COPY . . takes the rest).
func TestDockerignore(t *testing.T) {
	lines := strings.Split(string(deploytest.Read(t, ".dockerignore")), "\n")
	for _, want := range []string{".git", ".local", "dist", "bin", "data", "**/node_modules"} {
		if !slices.Contains(lines, want) {
			t.Errorf(".dockerignore: no line %q", want)
		}
	}
}

// TestComposeConfigFile loads the ashiato.yaml that compose mounts with
// the collector's own loader.
func TestComposeConfigFile(t *testing.T) {
	path := filepath.Join(deploytest.Root(t), "deploy/docker/ashiato.yaml")
	if _, err := config.Load(flag.NewFlagSet("serve", flag.ContinueOnError), []string{"--config", path}, func(string) string { return "" }); err != nil {
		t.Errorf("deploy/docker/ashiato.yaml: %v", err)
	}
}

// goMinor returns the Go release go.mod names, such as "1.26".
func goMinor(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(deploytest.Read(t, "go.mod"))
	if m == nil {
		t.Fatal("go.mod: no go line")
	}
	return string(m[1])
}

// loadCompose loads compose.yaml as `docker compose` does, validated
// against the compose-spec schema (unknown keys fail).
func loadCompose(t *testing.T, env ...string) (*types.Project, error) {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{filepath.Join(deploytest.Root(t), "deploy/docker/compose.yaml")},
		cli.WithEnv(env), cli.WithName("ashiato"))
	if err != nil {
		t.Fatal(err)
	}
	return opts.LoadProject(context.Background())
}

// TestCompose checks compose.yaml: the published image, the current
// ClickHouse LTS, the order migrate → collector, restart policies, a
// read-only collector as the image's user with its spool on a volume and
// a health check, and Grafana provisioned from deploy/grafana.
func TestCompose(t *testing.T) {
	if _, err := loadCompose(t); err == nil || !strings.Contains(err.Error(), "ASHIATO_CLICKHOUSE_PASSWORD") {
		t.Errorf("compose without ASHIATO_CLICKHOUSE_PASSWORD: err %v, want a refusal naming it", err)
	}
	p, err := loadCompose(t, "ASHIATO_CLICKHOUSE_PASSWORD=secret")
	if err != nil {
		t.Fatalf("load compose.yaml: %v", err)
	}
	svc := func(name string) types.ServiceConfig {
		s, err := p.GetService(name)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ch, migrate, col, graf := svc("clickhouse"), svc("migrate"), svc("ashiato"), svc("grafana")
	if ch.Image != "clickhouse/clickhouse-server:26.3" {
		t.Errorf("clickhouse image %s: want the current LTS branch 26.3", ch.Image)
	}
	if graf.Image != "grafana/grafana:12.2.1" {
		t.Errorf("grafana image %s", graf.Image)
	}
	want := deploytest.Image(t) + ":" + deploytest.Release(t)
	for _, s := range []types.ServiceConfig{migrate, col} {
		if s.Image != want {
			t.Errorf("%s image %s: want %s (Makefile IMAGE, release version)", s.Name, s.Image, want)
		}
		if !s.ReadOnly || s.User != runtimeUser || !slices.Contains(s.CapDrop, "ALL") {
			t.Errorf("%s: want read_only, user %s, cap_drop ALL", s.Name, runtimeUser)
		}
		if s.Build == nil || s.Build.Dockerfile != "deploy/docker/Dockerfile" {
			t.Errorf("%s: want a build from deploy/docker/Dockerfile", s.Name)
		}
		if dsn := s.Environment["ASHIATO_CLICKHOUSE_DSN"]; dsn == nil || !strings.Contains(*dsn, ":secret@clickhouse:9000/ashiato") {
			t.Errorf("%s: the DSN does not carry the password", s.Name)
		}
	}
	if d, ok := migrate.DependsOn["clickhouse"]; !ok || d.Condition != types.ServiceConditionHealthy {
		t.Error("migrate must wait for a healthy clickhouse")
	}
	if d, ok := col.DependsOn["migrate"]; !ok || d.Condition != types.ServiceConditionCompletedSuccessfully {
		t.Error("the collector must start after migrate completed: it exits on a missing table")
	}
	for _, s := range []types.ServiceConfig{ch, col, graf} {
		if s.Restart != types.RestartPolicyUnlessStopped {
			t.Errorf("%s: restart %q, want unless-stopped", s.Name, s.Restart)
		}
	}
	if col.HealthCheck == nil || !slices.Equal(col.HealthCheck.Test, types.HealthCheckTest{"CMD", "/ashiato", "healthcheck"}) {
		t.Error("collector: want the healthcheck CMD /ashiato healthcheck (GET /healthz)")
	}
	spool := false
	for _, v := range col.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Source == "spool" && v.Target == "/data" {
			spool = true
		}
	}
	if !spool {
		t.Error("collector: the data folder /data (spool, secret) must be the named volume spool")
	}
	if col.StopGracePeriod == nil || *col.StopGracePeriod < types.Duration(20e9) {
		t.Error("collector: stop_grace_period must cover the shutdown (10 s) and the spool flush (5 s)")
	}
	for _, v := range graf.Volumes {
		if v.Type != types.VolumeTypeBind {
			continue
		}
		if _, err := os.Stat(v.Source); err != nil {
			t.Errorf("grafana mounts %s: %v", v.Source, err)
		}
		if !strings.Contains(v.Source, "/deploy/grafana/") {
			t.Errorf("grafana mounts %s: want deploy/grafana", v.Source)
		}
	}
	if graf.Environment["GF_INSTALL_PLUGINS"] == nil || *graf.Environment["GF_INSTALL_PLUGINS"] != "grafana-clickhouse-datasource" {
		t.Error("grafana: the ClickHouse data-source plugin is not installed")
	}
}

// TestComposeConfig runs `docker compose config` when the Docker client
// has the compose plugin (no engine is needed for it).
func TestComposeConfig(t *testing.T) {
	if exec.Command("docker", "compose", "version").Run() != nil {
		t.Skip("docker compose is not installed here; TestCompose checked the file with the compose-spec loader")
	}
	cmd := exec.Command("docker", "compose", "-f", filepath.Join(deploytest.Root(t), "deploy/docker/compose.yaml"), "config", "--quiet")
	cmd.Env = append(os.Environ(), "ASHIATO_CLICKHOUSE_PASSWORD=secret")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker compose config: %v\n%s", err, out)
	}
}

// TestDataFolderOwner reproduces the defect the Dockerfile's chown fixes:
// the collector, run as the image's user, cannot create its secret in a
// root-owned /data ("permission denied"), and can in a folder owned by
// that user, as the runtime stage makes it. (As root only: it switches
// user; the binary starts without ClickHouse and is stopped once the
// secret exists.)
func TestDataFolderOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the collector as uid 65532")
	}
	// A folder the other user can reach (t.TempDir's parent is 0700).
	base, err := os.MkdirTemp("", "ashiato-data-owner-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	os.Chmod(base, 0o755)
	bin := deploytest.Build(t, base)
	start := func(dir string) (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(bin, "serve", "--data-dir", dir, "--listen", "127.0.0.1:0", "--clickhouse-dsn", "clickhouse://127.0.0.1:1/none")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65532, Gid: 65532}}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}

	rootOwned := filepath.Join(base, "root-owned")
	os.Mkdir(rootOwned, 0o755)
	cmd, out := start(rootOwned)
	if err := cmd.Wait(); err == nil || !strings.Contains(out.String(), "permission denied") {
		t.Errorf("root-owned data folder: %v, want an exit with permission denied\n%s", err, out)
	}

	owned := filepath.Join(base, "owned")
	os.Mkdir(owned, 0o700)
	os.Chown(owned, 65532, 65532)
	cmd, out = start(owned)
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	secret := filepath.Join(owned, "secret")
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if fi, err := os.Stat(secret); err == nil {
			if st := fi.Sys().(*syscall.Stat_t); st.Uid != 65532 || fi.Mode().Perm() != 0o600 {
				t.Errorf("secret owned by %d with mode %v, want 65532 and 0600", st.Uid, fi.Mode().Perm())
			}
			return
		}
	}
	t.Errorf("no secret created in a data folder owned by 65532\n%s", out)
}
