package ingest

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/ashiato/ashiato/collector"
)

var fastCases = []string{
	string(benchBody),
	`{}`,
	` { "site" : "demo" , "url":"http://a/" ,"props":{} } `,
	`{"site":"demo","engaged_ms":1200,"scroll":-0,"wd":true,"gpc":false,"retry":true,"props":{"n":1.5e3,"b":true,"s":"x","s":"y"}}`,
	`{"site":"d\u00e9mo"}`,
	`{"Site":"demo"}`,
	`{"site":"demo","site":"shop"}`,
	`{"site":null}`,
	`{"site":1}`,
	`{"engaged_ms":1.5}`,
	`{"engaged_ms":99999999999999999999}`,
	`{"props":{"a":{"b":1}}}`,
	`{"props":{"a":null}}`,
	`{"props":[1]}`,
	`{"props":{"n":1e400}}`,
	`{"title":"` + "\xff\xfe" + `"}`,
	`{"title":"` + "a\tb" + `"}`,
	`{"site":"demo"} x`,
	`{"site":"demo",}`,
	`{"other":[1,2,{"x":"y"}],"site":"demo"}`,
	`{"engaged_ms":01}`,
	`{"engaged_ms":-}`,
	`{"title":"商品一覧 | デモショップ"}`,
}

// TestFastHitMatchesEncodingJSON: whenever the fast path accepts a body, it
// decodes it exactly as encoding/json does.
func TestFastHitMatchesEncodingJSON(t *testing.T) {
	accepted := 0
	for _, body := range fastCases {
		checkFast(t, []byte(body), &accepted)
	}
	if accepted < 5 {
		t.Errorf("fast path accepted only %d of the common bodies", accepted)
	}
	var h collector.Hit
	if !fastHit(benchBody, &h) {
		t.Error("fast path refuses the common event body")
	}
}

func checkFast(t *testing.T, body []byte, accepted *int) {
	t.Helper()
	var fast collector.Hit
	if !fastHit(body, &fast) {
		return
	}
	*accepted++
	var want collector.Hit
	if err := json.Unmarshal(body, &want); err != nil {
		t.Errorf("fast path accepted %q, encoding/json: %v", body, err)
		return
	}
	if !reflect.DeepEqual(fast, want) {
		t.Errorf("%q: fast %+v, encoding/json %+v", body, fast, want)
	}
}

func FuzzFastHit(f *testing.F) {
	for _, c := range fastCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var n int
		checkFast(t, body, &n)
	})
}
