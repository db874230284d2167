package ingest

import "testing"

// benchBody is a realistic POST /api/event body (see docs/BENCHMARKS.md).
var benchBody = []byte(`{"site":"demo","type":"pageview","url":"http://localhost/products/123?utm_source=news&utm_medium=email&utm_campaign=spring","referrer":"https://www.google.com/","title":"商品一覧 | デモショップ","screen":"1920x1080","lang":"ja","eid":"0f8c1e2a-1111-4222-8333-444455556666","props":{"plan":"pro","ab":"a","logged_in":false}}`)

func BenchmarkDecodeValidate(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		hits, _, err := Decode(benchBody)
		if err != nil || len(hits) != 1 {
			b.Fatal(err)
		}
		if e := Validate(&hits[0]); e != nil {
			b.Fatal(e)
		}
	}
}
