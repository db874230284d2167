// Package docker holds no code: its test checks the Dockerfile (parsed
// into stages by BuildKit's own parser) and compose.yaml (loaded and
// validated by the compose-spec loader) in this folder.
package docker
