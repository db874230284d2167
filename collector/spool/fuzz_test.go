package spool

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ashiato/ashiato/collector"
)

// segmentBytes builds a segment file holding the given payloads.
func segmentBytes(seq uint64, payloads ...[]byte) []byte {
	b := appendSegmentHeader(nil, segmentHeader{Seq: seq, Created: time.Unix(1700000000, 0)})
	for _, p := range payloads {
		b = appendRecord(b, p)
	}
	return b
}

// FuzzSegmentReader feeds arbitrary bytes to the segment reader as a whole
// segment file. It must never panic, and every record it reports must lie
// inside the file and pass its checksum.
func FuzzSegmentReader(f *testing.F) {
	valid := segmentBytes(1, []byte("hello"), nil, bytes.Repeat([]byte("x"), 300))
	// A valid segment with three records, one of them empty.
	f.Add(valid)
	// The same, torn in the middle of the last record.
	f.Add(valid[:len(valid)-100])
	// A flipped payload byte.
	flipped := bytes.Clone(valid)
	flipped[headerSize+recHeaderSize+1] ^= 1
	f.Add(flipped)
	// Preallocated zeros after the records.
	f.Add(append(bytes.Clone(valid), make([]byte, 64)...))
	// A record header claiming more than MaxRecordBytes.
	f.Add(append(segmentBytes(2), 0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4))
	// Only a header; and nothing at all.
	f.Add(segmentBytes(3))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := parseSegmentHeader(data); err != nil {
			return
		}
		buf := make([]byte, scanBufSize)
		var last int64 = headerSize
		end, why, err := scanSegment(bytes.NewReader(data), int64(len(data)), buf, func(off int64, n int) {
			if off != last {
				t.Fatalf("record at %d, expected %d", off, last)
			}
			p, size, err := parseRecord(data[off:])
			if err != nil || len(p) != n {
				t.Fatalf("reported record at %d does not parse: %v", off, err)
			}
			last = off + int64(size)
		})
		if err != nil {
			t.Fatalf("reading from memory failed: %v", err)
		}
		if end != last || end > int64(len(data)) {
			t.Fatalf("end %d, last record ends at %d, file %d bytes", end, last, len(data))
		}
		if why != errEnd && why != errBadRecord {
			t.Fatalf("unexpected reason %v", why)
		}
	})
}

// FuzzRecordRoundTrip frames payloads and reads them back.
func FuzzRecordRoundTrip(f *testing.F) {
	// Payloads are the input split at 0xff bytes.
	f.Add([]byte("one\xfftwo\xff\xffthree"))
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0}, 40))
	f.Fuzz(func(t *testing.T, data []byte) {
		payloads := bytes.Split(data, []byte{0xff})
		seg := segmentBytes(7, payloads...)
		var got [][]byte
		end, why, err := scanSegment(bytes.NewReader(seg), int64(len(seg)), make([]byte, scanBufSize), func(off int64, n int) {
			got = append(got, seg[off+recHeaderSize:off+recHeaderSize+int64(n)])
		})
		if err != nil || why != errEnd || end != int64(len(seg)) {
			t.Fatalf("scan: end %d of %d, %v, %v", end, len(seg), why, err)
		}
		if len(got) != len(payloads) {
			t.Fatalf("%d records, want %d", len(got), len(payloads))
		}
		for i := range got {
			if !bytes.Equal(got[i], payloads[i]) {
				t.Fatalf("record %d = %q, want %q", i, got[i], payloads[i])
			}
		}
	})
}

// FuzzOpenSegment puts arbitrary bytes after a valid record in a segment
// file and opens the spool: Open must not fail or panic, the valid record
// must be handed out, and whatever is handed out must be intact.
func FuzzOpenSegment(f *testing.F) {
	// Garbage, a torn record, a valid record, zeros.
	f.Add([]byte("garbage"))
	f.Add(appendRecord(nil, []byte("second"))[:9])
	f.Add(appendRecord(nil, []byte("second")))
	f.Add(make([]byte, 100))
	f.Fuzz(func(t *testing.T, tail []byte) {
		dir := t.TempDir()
		first := []byte("first record")
		data := append(segmentBytes(1, first), tail...)
		if err := os.WriteFile(filepath.Join(dir, segmentName(1)), data, 0o640); err != nil {
			t.Fatal(err)
		}
		s, err := Open(Config{Dir: dir, SegmentBytes: 64 << 10}, nil, nil)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer s.Close()
		b, err := s.Read(t.Context(), 1000, 0)
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		if len(b.Records) == 0 || !bytes.Equal(b.Records[0], first) {
			t.Fatalf("first record lost: %q", b.Records)
		}
		for _, r := range b.Records[1:] {
			if !bytes.Contains(tail, r) {
				t.Fatalf("record %q not from the input", r)
			}
		}
	})
}

// FuzzDecodeEvent checks that DecodeEvent never panics on arbitrary input
// and that whatever it accepts survives an encode/decode round trip.
func FuzzDecodeEvent(f *testing.F) {
	e := sampleEvent()
	// A full event, a zero event, and an event with only lists.
	f.Add(AppendEvent(nil, &e))
	f.Add(AppendEvent(nil, &collector.Event{}))
	f.Add(AppendEvent(nil, &collector.Event{Purposes: []string{"a"}, PropKeys: []string{"k"}, PropValues: []string{"v"}}))
	// A truncated event, an unknown version, a huge list count.
	full := AppendEvent(nil, &e)
	f.Add(full[:len(full)/2])
	f.Add(append([]byte{9}, full[1:]...))
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		var got collector.Event
		if err := DecodeEvent(data, &got); err != nil {
			if !errors.Is(err, ErrBadEvent) {
				t.Fatalf("error not ErrBadEvent: %v", err)
			}
			return
		}
		var again collector.Event
		if err := DecodeEvent(AppendEvent(nil, &got), &again); err != nil {
			t.Fatalf("re-encoded event does not decode: %v", err)
		}
		if !eventsEqual(got, again) {
			t.Fatalf("round trip changed the event:\n%+v\n%+v", got, again)
		}
	})
}
