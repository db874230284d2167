#!/usr/bin/env bash
# install.sh — install the default country database (package.json here,
# pinned by package-lock.json) unless node_modules is already up to date.
# `make deps`, `make run` and `make test` call it.
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund --silent
