// Package release holds no code: its test runs `make dist`'s script
// (deploy/local/dist.sh) into a temporary folder and checks the artifacts:
// static binaries for linux/amd64 and linux/arm64 that carry the version,
// the npm tarballs with the licence, and SHA256SUMS.
package release
