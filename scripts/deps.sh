#!/usr/bin/env bash
# Installs every Debian package clientip needs to build, test, demo and
# benchmark. Idempotent: asks apt-get only for what is missing, so a second
# run costs a dpkg query and nothing else.
set -euo pipefail

packages=(
  # build
  make gcc clang meson ninja-build pkg-config
  libclang-rt-14-dev          # libFuzzer + sanitizer runtimes for clang builds
  # libraries
  node-llhttp                 # llhttp's C sources (the parser Node.js uses)
  libnftables-dev             # rulesets through libnftables
  libfyaml-dev                # YAML manifests
  libjansson-dev              # JSON: the API server and its clients
  zlib1g-dev                  # SPDY/3.1 header compression (exec from kubectl < 1.30)
  libmnl-dev                  # netlink: links, addresses, routes, rules
  libbpf-dev bpftool          # forwarding-mode dsr's tc program: loading it, its skeleton
  libnetfilter-conntrack-dev  # conntrack entries (stale UDP flows, explain)
  libcmocka-dev               # unit tests
  # run time and tests
  iproute2 nftables conntrack procps curl
  valgrind python3 jq          # test drivers and JSON checks
  python3-kubernetes          # a second API client in the tests
  chromium                    # renders the demo's chart in a test, as a reader sees it
  # benchmarks
  wrk nginx-light nodejs
)

if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: run as root (apt-get installs system packages)" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  case "$status" in
    ii*) ;;
    *) missing+=("$p") ;;
  esac
done

# nodejs may come from another repository as a newer build that still
# provides the command; accept any installed node binary.
if command -v node >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [ "$p" = nodejs ] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi

export DEBIAN_FRONTEND=noninteractive
if [ "${#missing[@]}" -gt 0 ]; then
  echo "deps.sh: installing ${missing[*]}"
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Debian's kubectl (kubernetes-client, 1.20) for the API server's tests,
# unpacked into build/debian-kubectl rather than installed: it would take
# /usr/bin/kubectl from whatever kubectl the machine has. Best effort: the
# tests that use it say they are skipped without it.
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$top/build/debian-kubectl
if [ ! -x "$kdir/kubectl.1.20" ]; then
  tmp=$(mktemp -d)
  if (cd "$tmp" && apt-get download -q kubernetes-client >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 && apt-get download -q kubernetes-client >/dev/null 2>&1; }) &&
     mkdir -p "$kdir" && dpkg -x "$tmp"/kubernetes-client_*.deb "$kdir"; then
    ln -sf usr/bin/kubectl "$kdir/kubectl.1.20"
  else
    echo "deps.sh: Debian's kubernetes-client could not be fetched; its tests will be skipped" >&2
  fi
  rm -rf "$tmp"
fi
