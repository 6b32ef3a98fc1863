# Quanzi: `make run` to try it, `make test` before you push.
SWIFT ?= swift
QUANZI_RELEASE := .build/release/quanzi
QUANZI_DEBUG := .build/debug/quanzi
APT_PACKAGES := liblua5.4-dev libsqlite3-dev libedit-dev pkg-config curl
BENCH_APT_PACKAGES := lua5.4 wrk

.PHONY: deps bench-deps browser-deps pg-deps pg-up pg-down test-pg build run test check bench fuzz fmt clean docs console-screenshots

# Installs the C libraries the package links (Lua 5.4, SQLite) when missing: as root directly,
# otherwise with sudo. `apt-get update` runs only if the first install attempt fails.
define apt_install
	@$(call apt_install_body,$(1))
endef

define apt_install_body
missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "installing:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$sudo apt-get install -y -q $$missing || { $$sudo apt-get update -q && $$sudo apt-get install -y -q $$missing; }; \
	fi;
endef

deps:
	$(call apt_install,$(APT_PACKAGES))

bench-deps: deps
	$(call apt_install,$(BENCH_APT_PACKAGES))

# Chromium and its driver for the console's browser test (Selenium itself goes into var/ from PyPI).
BROWSER_APT_PACKAGES := chromium chromium-driver
browser-deps:
	$(call apt_install,$(BROWSER_APT_PACKAGES))

# PostgreSQL for several service nodes (issue 10). Checked by its binaries rather than by
# package name: any Debian major version under /usr/lib/postgresql will do.
PG_PORT ?= 54329
PG_URL := postgres://quanzi@127.0.0.1:$(PG_PORT)/quanzi

pg-deps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { $(call apt_install_body,postgresql) }

# Starts a local PostgreSQL (var/pg, 127.0.0.1:$(PG_PORT), trust auth) unless it is running.
pg-up: pg-deps
	@PG_PORT=$(PG_PORT) scripts/pg.sh up

pg-down:
	@PG_PORT=$(PG_PORT) scripts/pg.sh down

# The PostgreSQL suite and the two-node SIGKILL test (scripts/pg_crash_test.sh, ~10 s), against
# the server pg-up starts (`make test` runs both too).
test-pg: deps pg-up
	$(SWIFT) build --build-tests
	QUANZI_PG_URL=$(PG_URL) $(SWIFT) test --skip-build --filter PostgresStorageTests
	QUANZI_PG_URL=$(PG_URL) scripts/pg_crash_test.sh $(QUANZI_DEBUG)

build: deps
	$(SWIFT) build -c release --product quanzi

DB := var/quanzi.sqlite
PORT ?= 8080

# Builds, seeds the demo world once, prints ready-to-paste curl commands with demo tokens, and
# serves until Ctrl-C (SIGINT/SIGTERM shut down gracefully).
run: build
	$(QUANZI_RELEASE) check
	@[ -f $(DB) ] || $(QUANZI_RELEASE) seed --db $(DB)
	@user=$$($(QUANZI_RELEASE) token 2 --db $(DB)); admin=$$($(QUANZI_RELEASE) token 1 --admin --db $(DB)); \
	$(QUANZI_RELEASE) token 3 --db $(DB) >/dev/null; url=http://127.0.0.1:$(PORT); \
	echo "Serving the demo world on $$url."; \
	echo "Console: $$url/console  (log in with the admin token $$admin)"; \
	echo "Try the API (user 2, then the admin):"; \
	echo "  curl -s -H 'Authorization: Bearer $$user' $$url/v1/me"; \
	echo "  curl -s -H 'Authorization: Bearer $$user' $$url/v1/circles/campus-diary"; \
	echo "  curl -s -H 'Authorization: Bearer $$user' '$$url/v1/circles/campus-diary/feed?explain=1'"; \
	echo "  curl -s -X POST -H 'Authorization: Bearer $$admin' -H 'Idempotency-Key: demo-topup-1' -H 'Content-Type: application/json' -d '{\"user_id\": 2, \"amount_fen\": 10000}' $$url/v1/wallet/top-ups"; \
	echo "  curl -s -X POST -H 'Authorization: Bearer $$user' -H 'Idempotency-Key: demo-pay-1' -H 'Content-Type: application/json' -d '{\"to_user_id\": 3, \"amount_fen\": 500}' $$url/v1/wallet/transfers"; \
	echo "  curl -s -H 'Authorization: Bearer $$user' $$url/v1/wallet/history"; \
	echo "  curl -s $$url/metrics | grep quanzi_http_requests_total"; \
	echo "  curl -s -H 'Authorization: Bearer $$user' $$url/v1/me/experiments"; \
	echo "  curl -s -H 'Authorization: Bearer $$admin' $$url/v1/admin/plugins"; \
	echo "Edit or add a .lua file in plugins/ or experiments/: the server reloads it if quanzi check and quanzi test pass."; \
	exec $(QUANZI_RELEASE) serve --db $(DB) --port $(PORT) --watch

# The PostgreSQL tests run against the local server pg-up starts (they skip without the URL).
test: deps browser-deps pg-up
	$(SWIFT) build --build-tests
	QUANZI_PG_URL=$(PG_URL) $(SWIFT) test --skip-build
	$(QUANZI_DEBUG) check
	$(QUANZI_DEBUG) test
	scripts/crash_test.sh $(QUANZI_DEBUG)
	QUANZI_PG_URL=$(PG_URL) scripts/pg_crash_test.sh $(QUANZI_DEBUG)
	QUANZI=$(QUANZI_DEBUG) scripts/api_fuzz.sh
	RELOADS=150 WARMUP=30 scripts/reload_e2e.sh $(QUANZI_DEBUG)
	scripts/fuzz.sh $(FUZZ_TEST_SECONDS)
	scripts/console_browser_test.sh $(QUANZI_DEBUG)

# The console's pictures in the README (docs/images/console-*.png), from the browser test's run.
console-screenshots: deps browser-deps
	$(call apt_install,fonts-noto-cjk)
	$(SWIFT) build --product quanzi
	SCREENSHOTS_DIR=docs/images scripts/console_browser_test.sh $(QUANZI_DEBUG)

# libFuzzer on the cursor and request body decoders (Fuzz/): briefly in `make test`, longer here,
# where inputs that reach new code join the corpus in Fuzz/Corpus (commit them).
FUZZ_TEST_SECONDS ?= 15
FUZZ_SECONDS ?= 300
fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS) --grow

check: deps
	$(SWIFT) build --product quanzi
	$(QUANZI_DEBUG) check

# pg_bench.sh measures PostgreSQL (one and two nodes) against SQLite on the server pg-up starts;
# experiments-compare analyses 10 million events on SQLite and on that server side by side.
bench: bench-deps pg-up
	$(SWIFT) build -c release --product quanzi
	cd Benchmarks && $(SWIFT) package benchmark --no-progress
	cd Benchmarks && $(SWIFT) run -c release rule-eval-compare
	cd Benchmarks && $(SWIFT) run -c release feed-compare
	cd Benchmarks && PG_URL=$(PG_URL) $(SWIFT) run -c release experiments-compare
	scripts/ledger_bench.sh $(QUANZI_RELEASE)
	scripts/http_bench.sh $(QUANZI_RELEASE)
	scripts/watch_bench.sh $(QUANZI_RELEASE)
	scripts/reload_e2e.sh $(QUANZI_RELEASE)
	scripts/reload_bench.sh $(QUANZI_RELEASE)
	PG_URL=$(PG_URL) scripts/pg_bench.sh $(QUANZI_RELEASE)
	scripts/simulate_bench.sh $(QUANZI_RELEASE)

# The README's list of quanzi.* bindings, from the binding table (ScriptBinding.all in LuaHost).
docs: deps
	$(SWIFT) build --product quanzi
	$(QUANZI_DEBUG) bindings --update README.md

fmt:
	$(SWIFT) format --in-place --recursive Sources Tests

clean:
	rm -rf .build Benchmarks/.build
