# clientip — the two commands a new user needs are `make demo` and
# `make check`. Meson and Ninja do the building underneath, in build/.

.PHONY: all deps build check demo bench fuzz clean

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

bench: build
	@bench/run.sh

fuzz: deps
	@[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Dfuzzing=true -Db_lundef=false -Dbuildtype=debug >/dev/null
	@ninja -C build-fuzz
	@scripts/fuzz.sh

clean:
	rm -rf build build-asan build-fuzz build-logs
