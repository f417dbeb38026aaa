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
  libmnl-dev                  # netlink: links, addresses, routes, rules
  libnetfilter-conntrack-dev  # conntrack entries (stale UDP flows, explain)
  libcmocka-dev               # unit tests
  # run time and tests
  iproute2 nftables conntrack procps curl
  valgrind python3 jq          # test drivers and JSON checks
  python3-kubernetes          # a second API client in the tests
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

[ "${#missing[@]}" -eq 0 ] && exit 0

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
