#!/usr/bin/env bash
# dist.sh — `make dist`: the release artifacts, versioned, in dist/ (or
# DIST_DIR):
#   ashiato-VERSION-linux-amd64, ashiato-VERSION-linux-arm64
#       static binaries (CGO_ENABLED=0, -trimpath, main.Version=VERSION)
#   ashiato-sdk-X.tgz, ashiato-consent-banner-X.tgz
#       `npm pack` of sdk-js and consent-banner (their package.json
#       "files", plus LICENSE and NOTICE); the bundles are committed, so
#       nothing is rebuilt and no package script runs
#   LICENSE, NOTICE, SHA256SUMS (`sha256sum -c SHA256SUMS` checks them)
# VERSION defaults to `git describe --tags --always --dirty`.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/usr/local/go/bin:$PATH"
version="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
out="$(realpath -m "${DIST_DIR:-dist}")"
rm -rf "$out"
mkdir -p "$out"

for arch in amd64 arm64; do
	CGO_ENABLED=0 GOOS=linux GOARCH="$arch" go build -trimpath \
		-ldflags "-s -w -X main.Version=$version" -o "$out/ashiato-$version-linux-$arch" ./cmd/ashiato
done

# npm packs only files inside a package's folder: stage each package with
# the files it declares and the root's LICENSE and NOTICE.
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
for pkg in sdk-js consent-banner; do
	mkdir -p "$stage/$pkg"
	(cd "$pkg" && npm pack --dry-run --json --ignore-scripts 2>/dev/null) |
		node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const f of JSON.parse(s)[0].files)console.log(f.path)})' |
		while read -r f; do install -D -m 0644 "$pkg/$f" "$stage/$pkg/$f"; done
	cp LICENSE NOTICE "$stage/$pkg/"
	(cd "$stage/$pkg" && npm pack --silent --ignore-scripts --pack-destination "$out" >/dev/null)
done

cp LICENSE NOTICE "$out/"
(cd "$out" && sha256sum ashiato-* > SHA256SUMS)
echo "dist.sh: $(cd "$out" && ls | tr '\n' ' ')in $out"
