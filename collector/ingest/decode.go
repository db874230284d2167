package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/ashiato/ashiato/collector"
)

// Decode parses a POST /api/event body: one event object or an array of up
// to collector.MaxBatchEvents. Elements that are not objects, or objects
// whose fields have the wrong JSON type, are reported in bad by index and
// do not spoil the others.
func Decode(body []byte) (hits []collector.Hit, bad map[int]*collector.Error, err *collector.Error) {
	return decode(body, make([]collector.Hit, 1))
}

// decode is Decode with the room for a single event object given: one, a
// slice of length 1 (the request's pooled scratch, see Handler.postEvent).
func decode(body []byte, one []collector.Hit) (hits []collector.Hit, bad map[int]*collector.Error, err *collector.Error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, nil, collector.Errorf(collector.EInvalid, "body", "empty body")
	}
	switch body[0] {
	case '{':
		h := &one[0]
		if fastHit(body, h) {
			return one, nil, nil
		}
		*h = collector.Hit{}
		if err := json.Unmarshal(body, h); err != nil {
			return nil, nil, jsonError(err)
		}
		return one, nil, nil
	case '[':
		var raw []json.RawMessage
		if err := json.Unmarshal(body, &raw); err != nil {
			return nil, nil, jsonError(err)
		}
		if len(raw) == 0 {
			return nil, nil, collector.Errorf(collector.EInvalid, "body", "empty array")
		}
		if len(raw) > collector.MaxBatchEvents {
			return nil, nil, collector.Errorf(collector.EInvalid, "body", "more than %d events in one request", collector.MaxBatchEvents)
		}
		hits = make([]collector.Hit, len(raw))
		for i, r := range raw {
			if fastHit(r, &hits[i]) {
				continue
			}
			hits[i] = collector.Hit{}
			if err := json.Unmarshal(r, &hits[i]); err != nil {
				if bad == nil {
					bad = map[int]*collector.Error{}
				}
				bad[i] = jsonError(err)
			}
		}
		return hits, bad, nil
	default:
		return nil, nil, collector.Errorf(collector.EInvalid, "body", "want a JSON object or array")
	}
}

// jsonError names the offending field of a JSON type error.
func jsonError(err error) *collector.Error {
	var te *json.UnmarshalTypeError
	if asTypeError(err, &te) && te.Field != "" {
		return collector.Errorf(collector.EInvalid, te.Field, "wrong JSON type %s", te.Value)
	}
	return collector.Errorf(collector.EInvalid, "body", "malformed JSON: %s", shortJSONReason(err))
}

func asTypeError(err error, te **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*te = t
	}
	return ok
}

func shortJSONReason(err error) string {
	if se, ok := err.(*json.SyntaxError); ok {
		return fmt.Sprintf("syntax error at offset %d", se.Offset)
	}
	return "not an event object"
}
