#!/usr/bin/env bash
# Runs bench/<name>.ts against a Docker Engine that answers (starting one when needed).
# Usage: bash scripts/bench.sh <name> [args…]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-engine.sh
# The replicas bench needs PostgreSQL (and starts its own Redis).
if [ "$1" = replicas ]; then apt_install postgresql redis-server; source scripts/ensure-postgres.sh; fi
# The fleet bench holds a socket per simulated agent, in this process and in the control plane's.
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
name=$1; shift
exec npx tsx "bench/$name.ts" "$@"
