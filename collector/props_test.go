package collector

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestPropsSetKeepsOrderAndLastValue(t *testing.T) {
	var p Props
	p.Set("plan", "pro")
	p.Set("ab", "a")
	p.Set("n", 3.50)
	p.Set("ok", true)
	p.Set("ab", "b") // a key given twice keeps its last value
	p.Set("bad", nil)
	want := Props{{"ab", "b", true}, {"bad", "", false}, {"n", "3.5", true}, {"ok", "true", true}, {"plan", "pro", true}}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("got %+v, want %+v", p, want)
	}
}

// Props decode as a map[string]any would, then sorted.
func TestPropsUnmarshalJSON(t *testing.T) {
	for _, tc := range []struct {
		body string
		want Props
		err  string // field of the type error, "" for none
	}{
		{`{"props":{"b":1e3,"a":"x","a":"y","c":false,"d":{"x":1},"e":null}}`,
			Props{{"a", "y", true}, {"b", "1000", true}, {"c", "false", true}, {"d", "", false}, {"e", "", false}}, ""},
		{`{"props":{}}`, nil, ""},
		{`{"props":null}`, nil, ""},
		{`{"props":5}`, nil, "props"},
		{`{"props":[1]}`, nil, "props"},
	} {
		var got struct {
			Props Props `json:"props"`
		}
		err := json.Unmarshal([]byte(tc.body), &got)
		if tc.err != "" {
			te, ok := err.(*json.UnmarshalTypeError)
			if !ok || te.Field != tc.err {
				t.Errorf("%s: error %v, want a type error of field %q", tc.body, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got.Props, tc.want) {
			t.Errorf("%s: got %+v (%v), want %+v", tc.body, got.Props, err, tc.want)
		}
	}
}
