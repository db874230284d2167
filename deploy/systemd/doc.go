// Package systemd holds no code: its test parses ashiato.service, checks
// its hardening, runs systemd-analyze verify and security on it, and loads
// the example ashiato.yaml with the collector's own loader.
package systemd
