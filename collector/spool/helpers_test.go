package spool

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// testConfig is a small-segment configuration in a fresh directory.
func testConfig(tb testing.TB) Config {
	tb.Helper()
	return Config{Dir: tb.TempDir(), SegmentBytes: 16 << 10, MaxBytes: 1 << 30}
}

// openSpool opens a spool with its own registry and closes it at cleanup.
func openSpool(tb testing.TB, cfg Config) (*Spool, *prometheus.Registry) {
	tb.Helper()
	reg := prometheus.NewRegistry()
	s, err := Open(cfg, nil, reg)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, reg
}

// payload is the self-describing test record number i: its ID and filler
// derived from it, of a length that varies with i.
func payload(id string, i int) []byte {
	var b bytes.Buffer
	b.WriteString(id)
	b.WriteByte('|')
	for j := range 300 + i%200 {
		b.WriteByte(byte('a' + (i+j)%26))
	}
	return b.Bytes()
}

// checkPayload verifies a record made by payload and returns its ID.
func checkPayload(tb testing.TB, rec []byte) string {
	tb.Helper()
	id, _, ok := strings.Cut(string(rec), "|")
	if !ok {
		tb.Fatalf("record without ID: %q", rec)
	}
	i, err := strconv.Atoi(id[strings.LastIndexByte(id, '-')+1:])
	if err != nil {
		tb.Fatalf("record ID %q: %v", id, err)
	}
	if want := payload(id, i); !bytes.Equal(rec, want) {
		tb.Fatalf("record %s corrupted", id)
	}
	return id
}

// appendN appends records prefix-0 .. prefix-(n-1) one per call.
func appendN(tb testing.TB, s *Spool, prefix string, n int) []string {
	tb.Helper()
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("%s-%d", prefix, i)
		if err := s.Append(context.Background(), payload(ids[i], i)); err != nil {
			tb.Fatalf("Append %s: %v", ids[i], err)
		}
	}
	return ids
}

// drain reads and confirms until no record comes for a while, and returns
// the IDs read, in order.
func drain(tb testing.TB, s *Spool, max int) []string {
	tb.Helper()
	var ids []string
	for {
		b, err := s.Read(context.Background(), max, 50*time.Millisecond)
		if err != nil {
			tb.Fatalf("Read: %v", err)
		}
		if len(b.Records) == 0 {
			return ids
		}
		for _, r := range b.Records {
			ids = append(ids, checkPayload(tb, r))
		}
		if err := s.Confirm(b); err != nil {
			tb.Fatalf("Confirm: %v", err)
		}
	}
}

// segmentFiles lists the segment files of dir, sorted.
func segmentFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.seg"))
	if err != nil {
		tb.Fatal(err)
	}
	slices.Sort(m)
	return m
}

// metricValue returns the value of a counter or gauge in reg, 0 if absent.
func metricValue(tb testing.TB, reg *prometheus.Registry, name string, labels ...string) float64 {
	tb.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue next
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return 0
}

func mustFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
