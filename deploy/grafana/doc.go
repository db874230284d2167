// Package grafana holds no code: its test generates and checks
// ashiato.json, the Grafana dashboard built on the stats engine's SQL
// (see README.md in this folder).
package grafana
