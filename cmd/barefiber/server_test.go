package main

import (
	"net/http"
	"strings"
	"testing"
)

func TestAnswers204ToEvents(t *testing.T) {
	srv, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	resp, err := http.Post("http://"+srv.Addr+"/api/event", "text/plain", strings.NewReader(`{"site":"demo"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("POST /api/event: %d, want 204", resp.StatusCode)
	}
	// Only the event endpoint is served, as a baseline should.
	resp, err = http.Get("http://" + srv.Addr + "/api/event")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNoContent {
		t.Errorf("GET /api/event: 204, want an error status")
	}
	// The collector's body limit applies.
	resp, err = http.Post("http://"+srv.Addr+"/api/event", "text/plain", strings.NewReader(strings.Repeat("x", 70<<10)))
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("70 KiB body: %d, want 413", resp.StatusCode)
		}
	}
}
