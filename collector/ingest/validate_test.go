package ingest

import (
	"strings"
	"testing"

	"github.com/ashiato/ashiato/collector"
)

func okHit() collector.Hit {
	return collector.Hit{Site: "demo", URL: "http://localhost/a"}
}

func TestValidate(t *testing.T) {
	manyProps := map[string]any{}
	for i := 0; i < collector.MaxProps+1; i++ {
		manyProps[strings.Repeat("k", i+1)] = "v"
	}
	for _, tc := range []struct {
		name  string
		edit  func(h *collector.Hit)
		field string // "" = valid
	}{
		{"minimal", func(h *collector.Hit) {}, ""},
		{"default type is pageview", func(h *collector.Hit) { h.Type = "" }, ""},
		{"custom event", func(h *collector.Hit) { h.Type, h.Name = "event", "signup" }, ""},
		{"engagement", func(h *collector.Hit) { h.Type, h.EngagedMS, h.Scroll = "engagement", 5000, 75 }, ""},
		{"props of each type", func(h *collector.Hit) { h.Props = collector.PropsFrom(map[string]any{"s": "x", "n": 3.5, "b": true}) }, ""},
		{"missing site", func(h *collector.Hit) { h.Site = "" }, "site"},
		{"unknown type", func(h *collector.Hit) { h.Type = "click" }, "type"},
		{"event without name", func(h *collector.Hit) { h.Type = "event" }, "name"},
		{"missing url", func(h *collector.Hit) { h.URL = "" }, "url"},
		{"url too long", func(h *collector.Hit) { h.URL = "http://localhost/" + strings.Repeat("a", collector.MaxURLLen) }, "url"},
		{"referrer too long", func(h *collector.Hit) { h.Referrer = "http://x/" + strings.Repeat("a", collector.MaxURLLen) }, "referrer"},
		{"too many props", func(h *collector.Hit) { h.Props = collector.PropsFrom(manyProps) }, "props"},
		{"prop key too long", func(h *collector.Hit) { h.Props = collector.PropsFrom(map[string]any{strings.Repeat("k", 65): "v"}) }, "props"},
		{"prop value too long", func(h *collector.Hit) { h.Props = collector.PropsFrom(map[string]any{"k": strings.Repeat("v", 257)}) }, "props.k"},
		{"prop value 256 runes ok", func(h *collector.Hit) { h.Props = collector.PropsFrom(map[string]any{"k": strings.Repeat("あ", 256)}) }, ""},
		{"nested prop", func(h *collector.Hit) { h.Props = collector.PropsFrom(map[string]any{"k": map[string]any{"x": 1}}) }, "props.k"},
		{"null prop", func(h *collector.Hit) { h.Props = collector.PropsFrom(map[string]any{"k": nil}) }, "props.k"},
		{"bad eid", func(h *collector.Hit) { h.EID = "a b" }, "eid"},
		{"long sid", func(h *collector.Hit) { h.SID = strings.Repeat("s", 65) }, "sid"},
		{"bad screen", func(h *collector.Hit) { h.Screen = "big" }, "screen"},
		{"scroll over 100", func(h *collector.Hit) { h.Scroll = 101 }, "scroll"},
		{"negative engaged", func(h *collector.Hit) { h.EngagedMS = -1 }, "engaged_ms"},
		{"title too long", func(h *collector.Hit) { h.Title = strings.Repeat("t", collector.MaxTitleLen+1) }, "title"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := okHit()
			tc.edit(&h)
			err := Validate(&h)
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("want valid, got %v", err)
			case tc.field != "" && err == nil:
				t.Fatalf("want an error on %s, got none", tc.field)
			case tc.field != "" && (err.Field != tc.field || err.Code != collector.EInvalid):
				t.Fatalf("error %v names field %q, want %q", err, err.Field, tc.field)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name     string
		body     string
		hits     int
		bad      []int
		errField string
	}{
		{"object", `{"site":"demo","url":"http://x/"}`, 1, nil, ""},
		{"array", `[{"site":"a"},{"site":"b"}]`, 2, nil, ""},
		{"array with a bad element", `[{"site":"a"},{"site":5},"x",{"site":"d"}]`, 4, []int{1, 2}, ""},
		{"empty", ``, 0, nil, "body"},
		{"empty array", `[]`, 0, nil, "body"},
		{"not json", `site=demo`, 0, nil, "body"},
		{"truncated", `{"site":"demo"`, 0, nil, "body"},
		{"wrong type", `{"site":"demo","props":[1]}`, 0, nil, "props"},
		{"too many", "[" + strings.TrimSuffix(strings.Repeat(`{},`, collector.MaxBatchEvents+1), ",") + "]", 0, nil, "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits, bad, err := Decode([]byte(tc.body))
			if tc.errField != "" {
				if err == nil || err.Field != tc.errField {
					t.Fatalf("want error on %q, got %v", tc.errField, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != tc.hits || len(bad) != len(tc.bad) {
				t.Fatalf("got %d hits, bad %v; want %d hits, bad %v", len(hits), bad, tc.hits, tc.bad)
			}
			for _, i := range tc.bad {
				if bad[i] == nil {
					t.Errorf("element %d not reported bad", i)
				}
			}
		})
	}
}

// FuzzDecode: any body must decode or fail with a clean *collector.Error,
// never panic, and every decoded hit must survive Validate without panic.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"site":"demo","url":"http://localhost/","props":{"a":1,"b":"x","c":true}}`))       // typical hit
	f.Add([]byte(`[{"site":"demo","type":"event","name":"n","url":"http://localhost/"},{"site":1}]`)) // batch with a bad element
	f.Add([]byte(`{"props":{"k":{"nested":[1,2]}}}`))                                                 // nested props
	f.Add([]byte(`["x",null,3,{}]`))                                                                  // non-objects in an array
	f.Add([]byte("{\"site\":\"\xff\xfe\"}"))                                                          // invalid UTF-8
	f.Add([]byte(`{"scroll":1e400}`))                                                                 // number overflow
	f.Fuzz(func(t *testing.T, body []byte) {
		hits, bad, err := Decode(body)
		if err != nil {
			if err.Code == "" {
				t.Fatal("error without a code")
			}
			return
		}
		for i := range hits {
			if bad[i] != nil {
				continue
			}
			_ = Validate(&hits[i])
		}
	})
}
