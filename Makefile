# Quanzi: `make run` to try it, `make test` before you push.
SWIFT ?= swift
QUANZI_RELEASE := .build/release/quanzi
QUANZI_DEBUG := .build/debug/quanzi
APT_PACKAGES := liblua5.4-dev libsqlite3-dev pkg-config
BENCH_APT_PACKAGES := lua5.4

.PHONY: deps bench-deps build run test check bench fmt clean

# Installs the C libraries the package links (Lua 5.4, SQLite) when missing: as root directly,
# otherwise with sudo. `apt-get update` runs only if the first install attempt fails.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "installing:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$sudo apt-get install -y -q $$missing || { $$sudo apt-get update -q && $$sudo apt-get install -y -q $$missing; }; \
	fi
endef

deps:
	$(call apt_install,$(APT_PACKAGES))

bench-deps: deps
	$(call apt_install,$(BENCH_APT_PACKAGES))

build: deps
	$(SWIFT) build -c release --product quanzi

# Until the HTTP service lands, `run` validates the shipped plugins, runs their tests and shows
# one sandboxed evaluation.
run: build
	$(QUANZI_RELEASE) check
	$(QUANZI_RELEASE) test
	$(QUANZI_RELEASE) eval '("sandbox: io=%s os.execute=%s debug=%s (%s)"):format(tostring(io), tostring(os.execute), tostring(debug), _VERSION)'

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(QUANZI_DEBUG) check
	$(QUANZI_DEBUG) test

check: deps
	$(SWIFT) build --product quanzi
	$(QUANZI_DEBUG) check

bench: bench-deps
	cd Benchmarks && $(SWIFT) package benchmark --no-progress
	cd Benchmarks && $(SWIFT) run -c release rule-eval-compare

fmt:
	$(SWIFT) format --in-place --recursive Sources Tests

clean:
	rm -rf .build Benchmarks/.build
