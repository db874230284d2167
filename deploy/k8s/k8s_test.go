package k8s

import (
	"bytes"
	"flag"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"

	"github.com/ashiato/ashiato/collector/config"
	"github.com/ashiato/ashiato/collector/web"
	"github.com/ashiato/ashiato/deploy/deploytest"
)

// kinds maps apiVersion/kind to a new value of its official Go type.
var kinds = map[string]func() any{
	"v1/Secret":                              func() any { return &corev1.Secret{} },
	"v1/ConfigMap":                           func() any { return &corev1.ConfigMap{} },
	"v1/Service":                             func() any { return &corev1.Service{} },
	"apps/v1/StatefulSet":                    func() any { return &appsv1.StatefulSet{} },
	"batch/v1/Job":                           func() any { return &batchv1.Job{} },
	"policy/v1/PodDisruptionBudget":          func() any { return &policyv1.PodDisruptionBudget{} },
	"autoscaling/v2/HorizontalPodAutoscaler": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"networking.k8s.io/v1/NetworkPolicy":     func() any { return &networkingv1.NetworkPolicy{} },
}

var docSep = regexp.MustCompile(`(?m)^---\s*$`)

// manifests decodes every document of every .yaml file in this folder
// and in jobs/ (run by hand, not with `kubectl apply -f deploy/k8s/`)
// strictly (unknown fields, duplicate keys and type mismatches fail) and
// returns them by kind and name.
func manifests(t *testing.T) map[string]any {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	jobs, err2 := filepath.Glob("jobs/*.yaml")
	files = append(files, jobs...)
	if err != nil || err2 != nil || len(jobs) == 0 {
		t.Fatalf("no manifests: %v %v", err, err2)
	}
	out := map[string]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range docSep.Split(string(b), -1) {
			if len(bytes.TrimSpace([]byte(doc))) == 0 {
				continue
			}
			var meta struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
				Metadata   struct{ Name string }
			}
			if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
				t.Fatalf("%s #%d: %v", f, i, err)
			}
			newObj, ok := kinds[meta.APIVersion+"/"+meta.Kind]
			if !ok {
				t.Fatalf("%s #%d: %s/%s is not a kind this test knows", f, i, meta.APIVersion, meta.Kind)
			}
			obj := newObj()
			if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
				t.Errorf("%s #%d (%s %s): %v", f, i, meta.Kind, meta.Metadata.Name, err)
				continue
			}
			key := meta.Kind + "/" + meta.Metadata.Name
			if _, dup := out[key]; dup {
				t.Errorf("%s: %s defined twice", f, key)
			}
			out[key] = obj
		}
	}
	return out
}

func get[T any](t *testing.T, m map[string]any, key string) T {
	t.Helper()
	v, ok := m[key].(T)
	if !ok {
		t.Fatalf("no %s in the manifests", key)
	}
	return v
}

// TestStrictDecode fails on a misspelt or misplaced field: yaml.UnmarshalStrict
// into the official types, as kubectl's server-side field validation would.
func TestStrictDecode(t *testing.T) {
	var obj appsv1.StatefulSet
	bad := "apiVersion: apps/v1\nkind: StatefulSet\nspec:\n  template:\n    spec:\n      terminationGracePeriod: 45\n"
	if err := yaml.UnmarshalStrict([]byte(bad), &obj); err == nil {
		t.Fatal("an unknown field decoded without an error: the check below would prove nothing")
	}
	if n := len(manifests(t)); n < 9 {
		t.Errorf("%d manifests, want at least 9", n)
	}
}

// TestCollector checks the StatefulSet against the collector: the image
// named in the Makefile, the probe paths on its router, the ports and
// folders of its configuration, a spool volume per pod that the non-root
// user owns (fsGroup), migrate before serve, and a grace period that
// covers the drain.
func TestCollector(t *testing.T) {
	m := manifests(t)
	sts := get[*appsv1.StatefulSet](t, m, "StatefulSet/ashiato")
	cm := get[*corev1.ConfigMap](t, m, "ConfigMap/ashiato")
	pod := sts.Spec.Template.Spec
	image := deploytest.Image(t) + ":" + deploytest.Release(t)
	for _, c := range append(append([]corev1.Container{}, pod.InitContainers...), pod.Containers...) {
		if c.Image != image {
			t.Errorf("container %s: image %s, want %s (Makefile IMAGE, release)", c.Name, c.Image, image)
		}
		sc := c.SecurityContext
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
			sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" {
			t.Errorf("container %s: want a read-only root, no privilege escalation, every capability dropped", c.Name)
		}
	}
	if len(pod.InitContainers) != 1 || len(pod.InitContainers[0].Args) != 1 || pod.InitContainers[0].Args[0] != "migrate" {
		t.Error("the collector pod must run `ashiato migrate` as its init container: serve exits on a missing table")
	}
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || psc.FSGroup == nil ||
		*psc.RunAsUser != 65532 || *psc.FSGroup != 65532 {
		t.Error("pod: want runAsNonRoot, runAsUser and fsGroup 65532 (the image's user), or the spool folder cannot be created on the volume")
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("want one collector container, got %d", len(pod.Containers))
	}
	c := pod.Containers[0]

	// The configuration the pod gets, loaded by the collector's own loader.
	cfgPath := filepath.Join(t.TempDir(), "ashiato.yaml")
	if err := os.WriteFile(cfgPath, []byte(cm.Data["ashiato.yaml"]), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(flag.NewFlagSet("serve", flag.ContinueOnError), []string{"--config", cfgPath}, func(string) string { return "" })
	if err != nil {
		t.Fatalf("the ConfigMap's ashiato.yaml does not load: %v", err)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	mounts := map[string]string{}
	for _, vm := range c.VolumeMounts {
		mounts[vm.Name] = vm.MountPath
	}
	if filepath.Dir(env["ASHIATO_CONFIG"]) != mounts["config"] {
		t.Errorf("ASHIATO_CONFIG %s is not in the config mount %s", env["ASHIATO_CONFIG"], mounts["config"])
	}
	if cfg.DataDir != mounts["spool"] {
		t.Errorf("data_dir %s is not the spool volume's mount %s", cfg.DataDir, mounts["spool"])
	}
	if filepath.Dir(cfg.SecretFile) != mounts["secret"] {
		t.Errorf("secret_file %s is not in the secret mount %s", cfg.SecretFile, mounts["secret"])
	}
	if len(sts.Spec.VolumeClaimTemplates) != 1 || sts.Spec.VolumeClaimTemplates[0].Name != "spool" {
		t.Error("want one volumeClaimTemplate, spool: one spool volume per pod")
	}
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	for name, addr := range map[string]string{"http": cfg.Listen, "metrics": cfg.MetricsListen} {
		_, port, err := net.SplitHostPort(addr)
		if err != nil || port != strconv.Itoa(int(ports[name])) {
			t.Errorf("port %s is %d, the configuration listens on %s", name, ports[name], addr)
		}
	}

	// The probes ask paths the collector's router answers.
	app := fiber.New()
	web.RegisterOps(app, prometheus.NewRegistry(), nil, nil, "")
	for name, p := range map[string]*corev1.Probe{"startup": c.StartupProbe, "readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Port.StrVal != "http" {
			t.Errorf("%s probe: want an httpGet on the port http", name)
			continue
		}
		resp, err := app.Test(httptest.NewRequest("GET", p.HTTPGet.Path, nil))
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("%s probe %s: the collector's router answers %v %v", name, p.HTTPGet.Path, resp.StatusCode, err)
		}
	}
	if c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Error("want readiness on /readyz and liveness on /healthz")
	}

	// preStop, then SIGTERM: in flight ≤ 10 s and spool flush ≤ 5 s
	// (cmd/ashiato/serve.go, Main.Close), with room to close.
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil {
		t.Fatal("want a preStop sleep (the image has no shell)")
	}
	need := c.Lifecycle.PreStop.Sleep.Seconds + 10 + 5 + 5
	if g := pod.TerminationGracePeriodSeconds; g == nil || *g < need {
		t.Errorf("terminationGracePeriodSeconds %v: want at least %d", g, need)
	}
}

// TestWiring checks that the objects refer to each other: selectors match
// the pod's labels, Services and the NetworkPolicy name the pod's ports,
// the StatefulSet's governing Service is headless, the autoscaler scales
// the StatefulSet, and the Jobs use the same image, secret and volumes.
func TestWiring(t *testing.T) {
	m := manifests(t)
	sts := get[*appsv1.StatefulSet](t, m, "StatefulSet/ashiato")
	labels := sts.Spec.Template.Labels
	matches := func(sel map[string]string) bool {
		for k, v := range sel {
			if labels[k] != v {
				return false
			}
		}
		return len(sel) > 0
	}
	if !matches(sts.Spec.Selector.MatchLabels) {
		t.Error("the StatefulSet's selector does not match its pod labels")
	}
	ports := map[string]bool{}
	for _, p := range sts.Spec.Template.Spec.Containers[0].Ports {
		ports[p.Name] = true
	}
	for _, name := range []string{"ashiato", sts.Spec.ServiceName} {
		svc := get[*corev1.Service](t, m, "Service/"+name)
		if !matches(svc.Spec.Selector) {
			t.Errorf("Service %s does not select the collector pods", name)
		}
		for _, p := range svc.Spec.Ports {
			if !ports[p.TargetPort.StrVal] {
				t.Errorf("Service %s: targetPort %q is not a port of the pod", name, p.TargetPort.String())
			}
		}
	}
	if get[*corev1.Service](t, m, "Service/"+sts.Spec.ServiceName).Spec.ClusterIP != "None" {
		t.Error("the StatefulSet's serviceName must be a headless Service")
	}
	if pdb := get[*policyv1.PodDisruptionBudget](t, m, "PodDisruptionBudget/ashiato"); !matches(pdb.Spec.Selector.MatchLabels) {
		t.Error("the PodDisruptionBudget does not select the collector pods")
	}
	hpa := get[*autoscalingv2.HorizontalPodAutoscaler](t, m, "HorizontalPodAutoscaler/ashiato")
	if r := hpa.Spec.ScaleTargetRef; r.Kind != "StatefulSet" || r.Name != sts.Name || r.APIVersion != "apps/v1" {
		t.Error("the autoscaler does not scale the collector StatefulSet")
	}
	if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 {
		t.Error("the autoscaler must keep at least 2 collectors (the budget lets one go at a time)")
	}
	np := get[*networkingv1.NetworkPolicy](t, m, "NetworkPolicy/ashiato")
	if !matches(np.Spec.PodSelector.MatchLabels) {
		t.Error("the NetworkPolicy does not select the collector pods")
	}
	for _, rule := range np.Spec.Ingress {
		for _, p := range rule.Ports {
			if !ports[p.Port.StrVal] {
				t.Errorf("NetworkPolicy: port %q is not a port of the pod", p.Port.String())
			}
		}
	}
	image := deploytest.Image(t) + ":" + deploytest.Release(t)
	claim := "spool-" + sts.Name + "-"
	for _, name := range []string{"ashiato-migrate", "ashiato-spool-drain"} {
		job := get[*batchv1.Job](t, m, "Job/"+name)
		for _, c := range job.Spec.Template.Spec.Containers {
			if c.Image != image {
				t.Errorf("Job %s: image %s, want %s", name, c.Image, image)
			}
		}
		for _, v := range job.Spec.Template.Spec.Volumes {
			if pvc := v.PersistentVolumeClaim; pvc != nil && !regexp.MustCompile("^"+claim+`\d+$`).MatchString(pvc.ClaimName) {
				t.Errorf("Job %s: claim %s is not a collector's spool claim (%s<ordinal>)", name, pvc.ClaimName, claim)
			}
		}
	}
	drain := get[*batchv1.Job](t, m, "Job/ashiato-spool-drain").Spec.Template.Spec.Containers[0]
	if len(drain.Args) < 4 || drain.Args[0] != "spool" || drain.Args[1] != "drain" || drain.Args[2] != "--dir" {
		t.Errorf("the spool drain Job runs %v, want spool drain --dir …", drain.Args)
	}
}
