# clientip — the two commands a new user needs are `make demo` and
# `make check`. Meson and Ninja do the building underneath, in build/.

.PHONY: all deps build check demo compare bench fuzz clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@[ -f build/build.ninja ] || meson setup build >/dev/null
	@ninja -C build

check: deps
	@scripts/check.sh

demo: build
	@scripts/demo.sh

# The ways to keep the client IP, measured side by side in a throwaway lab
# (docs/STRATEGIES.md); needs root, as a lab is network namespaces.
compare: build
	@[ "$$(id -u)" -eq 0 ] || { echo "make compare: needs root (a lab is network namespaces)"; exit 1; }
	@mkdir -p build/compare
	@build/clientip compare --report build/compare/report.svg
	@echo "report: build/compare/report.svg"

bench: build
	@bench/run.sh

fuzz: deps
	@[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Dfuzzing=true -Db_lundef=false -Dbuildtype=debug >/dev/null
	@ninja -C build-fuzz
	@scripts/fuzz.sh

clean:
	rm -rf build build-asan build-fuzz build-logs
