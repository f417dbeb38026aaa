#!/usr/bin/env bash
# The compact ruleset layout (what the proxy switches to for thousands of
# endpoints: inline endpoint choice, a hairpin set instead of endpoint
# chains) passes the same data-path checks as kube-proxy's layout.
CLIENTIP_PROXY_LAYOUT=compact exec bash "$(dirname "$0")/test_proxy_internal.sh"
