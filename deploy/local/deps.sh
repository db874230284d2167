#!/usr/bin/env bash
# deps.sh — install the system packages that `make run` / `make test` need,
# on Debian/Ubuntu. Runs apt-get (update once) only when something is missing.
set -euo pipefail
need=()
command -v clickhouse-server >/dev/null || need+=(clickhouse-server)
command -v clickhouse-client >/dev/null || need+=(clickhouse-client)
command -v curl >/dev/null || need+=(curl)
command -v systemd-analyze >/dev/null || need+=(systemd) # deploy/systemd's test verifies the unit
if [ "${1:-}" = "--browser" ] || [ "${ASHIATO_DEPS_BROWSER:-}" = 1 ]; then
	command -v chromium >/dev/null || need+=(chromium)
	dpkg -s fonts-ipafont-gothic >/dev/null 2>&1 || need+=(fonts-ipafont-gothic)
fi
if [ "${ASHIATO_DEPS_BENCH:-}" = 1 ]; then
	command -v wrk >/dev/null || need+=(wrk)
fi
command -v node >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing: ${need[*]}" >&2
	echo "deps.sh: install them as root: sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
	exit 1
fi
echo "deps.sh: installing ${need[*]}" >&2
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
