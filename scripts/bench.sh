#!/usr/bin/env bash
# Runs bench/<name>.ts against a Docker Engine that answers (starting one when needed).
# Usage: bash scripts/bench.sh <name> [args…]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-engine.sh
name=$1; shift
exec npx tsx "bench/$name.ts" "$@"
