package main

import (
	"io"
	"log/slog"
)

// newLogger returns a JSON logger. By the project's privacy rules nothing
// passed to it may identify a visitor: no IP, no UA, no visitor or user ID.
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}
