package privacy

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/ashiato/ashiato/collector/store"
)

// Export formats.
const (
	FormatJSON = "json" // everything kept about the subject, one document
	FormatCSV  = "csv"  // the subject's events, one row each
)

// Progress is told how many rows an export has written of how many.
type Progress func(done, total uint64)

// Count returns how many rows an export of sub holds, per table.
func (s *Service) Count(ctx context.Context, sub store.Subject) (map[string]uint64, uint64, error) {
	out := map[string]uint64{}
	var total uint64
	for _, t := range store.SubjectTables {
		n, err := s.Store.CountSubjectRows(ctx, t, sub)
		if err != nil {
			return nil, 0, err
		}
		out[t] = n
		total += n
	}
	return out, total, nil
}

// Export writes everything kept about sub to w: as JSON, the subject, its
// privacy state and the rows of every table that holds the subject
// (identities with traits, consent history, audience memberships,
// events); as CSV, its events. Rows stream from ClickHouse to w; progress
// (if not nil) is told after each row.
func (s *Service) Export(ctx context.Context, sub store.Subject, format string, w io.Writer, progress Progress) error {
	var total, done uint64
	if progress != nil {
		var err error
		if _, total, err = s.Count(ctx, sub); err != nil {
			return err
		}
		progress(0, total)
	}
	tick := func() {
		done++
		if progress != nil {
			progress(done, total)
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var err error
	if format == FormatCSV {
		err = s.exportCSV(ctx, sub, bw, tick)
	} else {
		err = s.exportJSON(ctx, sub, bw, tick)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

func (s *Service) exportJSON(ctx context.Context, sub store.Subject, w *bufio.Writer, tick func()) error {
	head, _ := json.Marshal(map[string]any{
		"site": sub.Site, "kind": sub.Kind, "id": sub.Key, "visitor_ids": sub.Visitors, "user_ids": sub.Users,
	})
	fmt.Fprintf(w, "{\n\"generated_at\": %q,\n\"subject\": %s,\n\"privacy_state\": ", s.now().UTC().Format(time.RFC3339), head)
	state := map[string]string{}
	for _, k := range subjectKeys(sub) {
		switch {
		case s.Erased(sub.Site, k[0], k[1]):
			state[k[0]+":"+k[1]] = store.StateErased
		case k[0] == store.KindVisitor && s.Stopped(sub.Site, k[1], ""), k[0] == store.KindUser && s.Stopped(sub.Site, "", k[1]):
			state[k[0]+":"+k[1]] = store.StateStopped
		default:
			state[k[0]+":"+k[1]] = store.StateActive
		}
	}
	b, _ := json.Marshal(state)
	w.Write(b)
	for _, t := range store.SubjectTables {
		fmt.Fprintf(w, ",\n%q: [", t)
		n := 0
		err := s.subjectRows(ctx, t, sub, func(cols []string, vals []any) error {
			if n > 0 {
				w.WriteByte(',')
			}
			w.WriteString("\n  {")
			for i, c := range cols {
				if i > 0 {
					w.WriteByte(',')
				}
				v, err := json.Marshal(vals[i])
				if err != nil {
					return fmt.Errorf("encode %s.%s: %w", t, c, err)
				}
				fmt.Fprintf(w, "%q:%s", c, v)
			}
			w.WriteByte('}')
			n++
			tick()
			return nil
		})
		if err != nil {
			return err
		}
		w.WriteString("]")
	}
	_, err := w.WriteString("\n}\n")
	return err
}

func (s *Service) exportCSV(ctx context.Context, sub store.Subject, w *bufio.Writer, tick func()) error {
	cw := csv.NewWriter(w)
	header := false
	rec := []string{}
	err := s.Store.StreamSubjectRows(ctx, "events", sub, func(cols []string, vals []any) error {
		if !header {
			head := make([]string, len(cols))
			for i, c := range cols {
				head[i] = CSVCell(c)
			}
			if err := cw.Write(head); err != nil {
				return err
			}
			header = true
		}
		rec = rec[:0]
		for _, v := range vals {
			rec = append(rec, CSVCell(csvValue(v)))
		}
		tick()
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func csvValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case []string:
		b, _ := json.Marshal(x)
		return string(b)
	case fmt.Stringer:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}
