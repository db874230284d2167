# ashiato — the two commands are `make run` and `make test`.
# Everything else is a building block of those or a developer convenience.

SHELL := /bin/bash
.DEFAULT_GOAL := help

GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.Version=$(VERSION)
BIN       := bin/ashiato
# The published container image (the one place it is named; deploy/docker
# and deploy/k8s pin IMAGE:<release> and their tests check it).
IMAGE     ?= ghcr.io/ashiato/ashiato
CH_PORT   ?= 19000
CH_HTTP   ?= 18123
LOCAL_DSN := clickhouse://127.0.0.1:$(CH_PORT)/ashiato
export PATH := /usr/local/go/bin:$(PATH)

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.PHONY: deps
deps: ## install what the build and tests need (Debian/Ubuntu; apt as root), Go modules, npm packages
	@deploy/local/deps.sh
	$(GO) mod download
	cd sdk-js && npm ci --no-audit --no-fund
	cd consent-banner && npm ci --no-audit --no-fund
	cd dashboard && npm ci --no-audit --no-fund
	deploy/geo/install.sh
	cd preference-center && npm ci --no-audit --no-fund

.PHONY: build
build: ## build bin/ashiato (the JS bundles it embeds are committed)
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/ashiato

.PHONY: image
image: ## build the container image IMAGE:VERSION with the Docker client (needs a Docker engine)
	docker build -f deploy/docker/Dockerfile --build-arg VERSION=$(VERSION) -t $(IMAGE):$(VERSION:v%=%) .

.PHONY: dist
dist: ## release artifacts in dist/: static binaries (linux/amd64, arm64), npm tarballs of sdk-js and consent-banner, SHA256SUMS
	@VERSION=$(VERSION) deploy/local/dist.sh

.PHONY: js
js: ## rebuild the embedded JS bundles (sdk-js, consent-banner, dashboard, preference-center)
	cd sdk-js && npm run build
	cd consent-banner && npm run build
	cd dashboard && npm run build
	cd preference-center && npm run build

ISBOT_VERSION ?= 5.2.3

.PHONY: bot-patterns
bot-patterns: ## refresh the embedded isbot bot patterns from npm (ISBOT_VERSION=5.2.3) and their test verdicts
	collector/enrich/data/isbot/update.sh $(ISBOT_VERSION)

.PHONY: screenshots
screenshots: build clickhouse ## docs/screenshots/{banner,dashboard}-*.png: the banner and the dashboard (ja/en, light/dark, desktop and phone) against the real collector
	cd consent-banner && ASHIATO_BIN=$(CURDIR)/bin/ashiato ASHIATO_CLICKHOUSE_DSN=$${ASHIATO_CLICKHOUSE_DSN:-clickhouse://127.0.0.1:19000/ashiato_screenshots} npm run screenshots
	cd dashboard && ASHIATO_BIN=$(CURDIR)/bin/ashiato ASHIATO_CLICKHOUSE_DSN=clickhouse://127.0.0.1:19000/ashiato_dashboard_screenshots npm run screenshots

.PHONY: clickhouse
clickhouse: ## start the project-local ClickHouse server (installs it when missing)
	@deploy/local/clickhouse.sh start

.PHONY: run
run: ## start ClickHouse (unless ASHIATO_CLICKHOUSE_DSN is set), migrate, serve http://127.0.0.1:8080/demo/
	@deploy/local/run.sh

.PHONY: test
test: ## run every test: Go (race, ClickHouse), fuzz seeds, JS unit and browser tests
	@deploy/local/test.sh

.PHONY: test-go
test-go: clickhouse ## Go tests only
	ASHIATO_TEST_CLICKHOUSE_DSN=$(LOCAL_DSN) $(GO) test -race -count=1 ./...

.PHONY: test-cluster
test-cluster: ## cluster tests only: two shards, then two replicas with ZooKeeper (deploy/local/cluster.sh)
	@deploy/local/test.sh cluster

.PHONY: bench
bench: ## benchmarks: Go micro-benchmarks, the HTTP load test vs bare Fiber and the durable floor, then report speed (docs/BENCHMARKS.md)
	@deploy/local/bench.sh

.PHONY: bench-reports
bench-reports: ## report speed only: every report on 1 M and 10 M seeded events (seeded once, then reused)
	@deploy/local/bench-reports.sh

.PHONY: soak
soak: ## long crash test: 100 kill -9 cycles under load
	@ASHIATO_CRASH_CYCLES=100 deploy/local/test.sh crash

.PHONY: lint
lint: ## go vet, gofmt, staticcheck
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

.PHONY: clean
clean: ## remove build output and the local ClickHouse data
	-deploy/local/clickhouse.sh stop
	-deploy/local/cluster.sh stop
	rm -rf bin dist .local
