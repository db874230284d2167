package spool

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// segmentIDs returns the IDs of the valid records of a segment file.
func segmentIDs(tb testing.TB, path string) []string {
	tb.Helper()
	b := mustFile(tb, path)
	var ids []string
	scanRecords(b[headerSize:], func(_ int, p []byte) { ids = append(ids, checkPayload(tb, p)) })
	return ids
}

func TestTornTailTruncated(t *testing.T) {
	halfRecord := appendRecord(nil, payload("torn-1", 1))
	tests := []struct {
		name string
		tail []byte
	}{
		{"half a record", halfRecord[:len(halfRecord)/2]},
		{"header only", halfRecord[:5]},
		{"bad checksum", func() []byte {
			b := slices.Clone(halfRecord)
			b[len(b)-1] ^= 0xff
			return b
		}()},
		{"random garbage", func() []byte {
			b := make([]byte, 3000)
			for i := range b {
				b[i] = byte(rand.IntN(256))
			}
			return b
		}()},
		{"half a record then preallocated zeros", append(slices.Clone(halfRecord[:200]), make([]byte, 8000)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			s, _ := openSpool(t, cfg)
			want := appendN(t, s, "t", 20)
			s.Close()
			segs := segmentFiles(t, cfg.Dir)
			last := segs[len(segs)-1]
			clean := mustFile(t, last)
			if err := os.WriteFile(last, append(slices.Clone(clean), tt.tail...), 0o640); err != nil {
				t.Fatal(err)
			}

			s2, reg := openSpool(t, cfg)
			if got := mustFile(t, last); !bytes.Equal(got, clean) {
				t.Errorf("segment is %d bytes after replay, want it truncated to %d", len(got), len(clean))
			}
			if v := metricValue(t, reg, "ashiato_spool_truncated_bytes_total"); v != float64(len(tt.tail)) {
				t.Errorf("truncated bytes metric = %v, want %d", v, len(tt.tail))
			}
			if q := s2.Stats().Quarantined; q != 0 {
				t.Errorf("%d segments quarantined for a torn tail", q)
			}
			more := appendN(t, s2, "u", 5)
			if got := drain(t, s2, 100); !slices.Equal(got, append(want, more...)) {
				t.Fatalf("read %v, want %v", got, append(want, more...))
			}
		})
	}
}

func TestCorruptSegmentQuarantined(t *testing.T) {
	tests := []struct {
		name    string
		segment int                     // which segment to damage, from the oldest; -1 = newest
		damage  func(b []byte) (at int) // damages b, returns the damaged offset
		whole   bool                    // the whole segment is lost (bad header)
	}{
		{"flipped byte in a record", 1, func(b []byte) int {
			at := len(b) / 2
			b[at] ^= 0x40
			return at
		}, false},
		{"zeroed record header", 2, func(b []byte) int {
			at := headerSize + len(appendRecord(nil, payload("c-0", 0))) // the second record, roughly
			for i := range recHeaderSize {
				b[at+i] = 0
			}
			return at
		}, false},
		{"bad header checksum", 1, func(b []byte) int { b[14] ^= 1; return 14 }, true},
		{"unknown format version", 0, func(b []byte) int {
			binary.LittleEndian.PutUint16(b[8:], 99)
			binary.LittleEndian.PutUint32(b[28:], crc32.Checksum(b[:28], castagnoli))
			return 8
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			s, _ := openSpool(t, cfg)
			appendN(t, s, "c", 200)
			s.Close()
			segs := segmentFiles(t, cfg.Dir)
			if len(segs) < 4 {
				t.Fatalf("only %d segments", len(segs))
			}
			var want []string
			var damaged []byte
			for i, path := range segs {
				ids := segmentIDs(t, path)
				if i != tt.segment {
					want = append(want, ids...)
					continue
				}
				damaged = mustFile(t, path)
				at := tt.damage(damaged)
				if err := os.WriteFile(path, damaged, 0o640); err != nil {
					t.Fatal(err)
				}
				if !tt.whole {
					// The records before the damage survive.
					n, _ := scanRecords(damaged[headerSize:], nil)
					if headerSize+n > at {
						t.Fatalf("damage at %d not detected (valid up to %d)", at, headerSize+n)
					}
					want = append(want, segmentIDs(t, path)...)
				}
			}

			s2, reg := openSpool(t, cfg)
			if q := s2.Stats().Quarantined; q != 1 {
				t.Errorf("Stats().Quarantined = %d, want 1", q)
			}
			if v := metricValue(t, reg, "ashiato_spool_quarantined_segments_total"); v != 1 {
				t.Errorf("quarantined metric = %v, want 1", v)
			}
			qfile := filepath.Join(cfg.Dir, quarantineDir, filepath.Base(segs[tt.segment]))
			if got := mustFile(t, qfile); !bytes.Equal(got, damaged) {
				t.Errorf("quarantined copy differs from the damaged segment")
			}
			s2.Close()

			// A second Open finds the same damage but counts it once.
			s3, _ := openSpool(t, cfg)
			if q := s3.Stats().Quarantined; q != 0 {
				t.Errorf("second Open quarantined %d segments again", q)
			}
			if got := drain(t, s3, 64); !slices.Equal(got, want) {
				t.Fatalf("read %d records, want %d (first difference at %d)", len(got), len(want), firstDiff(got, want))
			}
			if got := mustFile(t, qfile); !bytes.Equal(got, damaged) {
				t.Errorf("quarantined copy gone or changed after confirming")
			}
		})
	}
}

// TestCorruptNewestSegment pins the rule that tells corruption from a torn
// write in the newest segment: damage further than one write from the end
// is corruption.
func TestCorruptNewestSegment(t *testing.T) {
	cfg := testConfig(t)
	cfg.SegmentBytes = 8 << 20
	s, _ := openSpool(t, cfg)
	var all []string
	for c := range 300 { // 15000 records, about 6 MiB
		var recs [][]byte
		for i := c * 50; i < (c+1)*50; i++ {
			id := fmt.Sprintf("n-%d", i)
			all = append(all, id)
			recs = append(recs, payload(id, i))
		}
		if err := s.Append(t.Context(), recs...); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	segs := segmentFiles(t, cfg.Dir)
	if len(segs) != 1 {
		t.Fatalf("%d segments, want 1", len(segs))
	}
	b := mustFile(t, segs[0])
	b[100<<10] ^= 1
	os.WriteFile(segs[0], b, 0o640)
	n, _ := scanRecords(b[headerSize:], nil)
	want := segmentIDs(t, segs[0])

	s2, _ := openSpool(t, cfg)
	if q := s2.Stats().Quarantined; q != 1 {
		t.Fatalf("Stats().Quarantined = %d, want 1", q)
	}
	got := drain(t, s2, 500)
	if !slices.Equal(got, want) || len(got) >= len(all) {
		t.Fatalf("read %d records, want the %d before the damage at %d", len(got), len(want), headerSize+n)
	}
}
