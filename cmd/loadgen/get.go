package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// runGet prints one field of a JSON result file: loadgen get FILE latency_ms.p99.
// It keeps bench.sh free of a jq dependency.
func runGet(args []string, out io.Writer) error {
	if len(args) != 2 {
		return errors.New("usage: loadgen get FILE FIELD[.FIELD…]")
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	for key := range strings.SplitSeq(args[1], ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: no field %q", args[0], args[1])
		}
		if v, ok = m[key]; !ok {
			v = 0.0 // an absent status count is zero
		}
	}
	switch x := v.(type) {
	case float64:
		_, err = fmt.Fprintln(out, strconv.FormatFloat(x, 'f', -1, 64))
	default:
		_, err = fmt.Fprintln(out, x)
	}
	return err
}
