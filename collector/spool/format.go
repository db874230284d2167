package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"
)

// On-disk format of a segment file (all integers little endian):
//
//	header, 32 bytes:
//	  0  magic "ASHSPOOL"
//	  8  format version, uint16 (segmentVersion)
//	 10  reserved, uint16, zero
//	 12  segment sequence number, uint64 (also the file name, in hex)
//	 20  creation time, int64 Unix nanoseconds
//	 28  CRC32C of bytes 0..27
//	records, back to back from offset 32:
//	  0  payload length L, uint32
//	  4  CRC32C of the 4 length bytes followed by the payload
//	  8  payload, L bytes
//
// A record header of eight zero bytes marks the end of the data: segments are
// preallocated, so the space after the last record reads as zeros. A length
// of zero with a non-zero CRC is a valid empty record.
//
// A new format version gets a new segmentVersion; readers refuse versions
// they do not know and quarantine such segments rather than guess.
const (
	segmentMagic   = "ASHSPOOL"
	segmentVersion = 1
	headerSize     = 32
	recHeaderSize  = 8

	// MaxRecordBytes is the largest payload Append accepts.
	MaxRecordBytes = 256 << 10

	// maxWriteBytes bounds the bytes of one group commit (one write followed
	// by one fdatasync). After a crash only the last writes, one per
	// committer, can be torn, so damage that lies further than
	// MaxCommitters*maxWriteBytes from the end of the data of the newest
	// segment is corruption, not a torn write.
	maxWriteBytes = 1 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errEnd reports the clean end of the records of a segment: a zero record
// header or the end of the file.
var errEnd = errors.New("end of records")

// errBadRecord reports a record whose header or checksum is invalid, or a
// record cut short by the end of the file.
var errBadRecord = errors.New("bad record")

// segmentHeader is the decoded header of a segment file.
type segmentHeader struct {
	Seq     uint64
	Created time.Time
}

func appendSegmentHeader(dst []byte, h segmentHeader) []byte {
	start := len(dst)
	dst = append(dst, segmentMagic...)
	dst = binary.LittleEndian.AppendUint16(dst, segmentVersion)
	dst = binary.LittleEndian.AppendUint16(dst, 0)
	dst = binary.LittleEndian.AppendUint64(dst, h.Seq)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(h.Created.UnixNano()))
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

func parseSegmentHeader(b []byte) (segmentHeader, error) {
	if len(b) < headerSize {
		return segmentHeader{}, fmt.Errorf("segment header: short (%d bytes)", len(b))
	}
	if string(b[:8]) != segmentMagic {
		return segmentHeader{}, errors.New("segment header: bad magic")
	}
	if crc32.Checksum(b[:28], castagnoli) != binary.LittleEndian.Uint32(b[28:32]) {
		return segmentHeader{}, errors.New("segment header: bad checksum")
	}
	if v := binary.LittleEndian.Uint16(b[8:10]); v != segmentVersion {
		return segmentHeader{}, fmt.Errorf("segment header: unknown format version %d", v)
	}
	return segmentHeader{
		Seq:     binary.LittleEndian.Uint64(b[12:20]),
		Created: time.Unix(0, int64(binary.LittleEndian.Uint64(b[20:28]))),
	}, nil
}

// recordSize is the number of bytes a payload of n bytes takes on disk.
func recordSize(n int) int64 { return recHeaderSize + int64(n) }

// appendRecord frames payload as one record.
func appendRecord(dst, payload []byte) []byte {
	var l [4]byte
	binary.LittleEndian.PutUint32(l[:], uint32(len(payload)))
	crc := crc32.Update(crc32.Checksum(l[:], castagnoli), castagnoli, payload)
	dst = append(dst, l[:]...)
	dst = binary.LittleEndian.AppendUint32(dst, crc)
	return append(dst, payload...)
}

// parseRecord decodes the record at the start of b. It returns the payload
// (a sub-slice of b) and the record's size on disk. It returns errEnd for a
// zero header, and io.ErrUnexpectedEOF when b holds a valid-looking header
// but not the whole payload, so that a chunked reader can fetch more.
func parseRecord(b []byte) (payload []byte, n int, err error) {
	if len(b) < recHeaderSize {
		return nil, 0, io.ErrUnexpectedEOF
	}
	l := binary.LittleEndian.Uint32(b[0:4])
	crc := binary.LittleEndian.Uint32(b[4:8])
	if l == 0 && crc == 0 {
		return nil, 0, errEnd
	}
	if l > MaxRecordBytes {
		return nil, 0, errBadRecord
	}
	end := recHeaderSize + int(l)
	if len(b) < end {
		return nil, 0, io.ErrUnexpectedEOF
	}
	got := crc32.Update(crc32.Checksum(b[0:4], castagnoli), castagnoli, b[recHeaderSize:end])
	if got != crc {
		return nil, 0, errBadRecord
	}
	return b[recHeaderSize:end], end, nil
}

// scanRecords walks the records of a segment body held in memory (the bytes
// after the header) and calls fn for each valid one with its offset in body.
// It returns the offset where the valid records end and why they end:
// errEnd for a clean end (zero header or end of body), errBadRecord, or
// io.ErrUnexpectedEOF for a record cut short by the end of body.
func scanRecords(body []byte, fn func(off int, payload []byte)) (int, error) {
	off := 0
	for off < len(body) {
		p, n, err := parseRecord(body[off:])
		if err != nil {
			return off, err
		}
		if fn != nil {
			fn(off, p)
		}
		off += n
	}
	return off, errEnd
}

// allZero reports whether b holds only zero bytes.
func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
