#!/usr/bin/env bash
# run.sh — `make run`: a working collector on http://127.0.0.1:8080 from a
# fresh clone. Starts a project-local ClickHouse unless ASHIATO_CLICKHOUSE_DSN
# names one, applies migrations, builds and runs `ashiato serve`.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/usr/local/go/bin:$PATH"

if [ -z "${ASHIATO_CLICKHOUSE_DSN:-}" ]; then
	deploy/local/clickhouse.sh start
	export ASHIATO_CLICKHOUSE_DSN="clickhouse://127.0.0.1:${ASHIATO_CH_PORT:-19000}/ashiato"
fi
deploy/geo/install.sh # the default country database: countries from the first hit
make --no-print-directory build
bin/ashiato migrate
listen="${ASHIATO_LISTEN:-127.0.0.1:8080}"
echo "ashiato: serving on http://$listen — open http://$listen/demo/ (Ctrl-C to stop)" >&2
exec bin/ashiato serve
