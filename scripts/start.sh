#!/usr/bin/env bash
# Runs Stevedore on its embedded defaults: the control plane on SQLite, and a local agent enrolled
# against this machine's Docker Engine. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
source scripts/ensure-engine.sh

# Development mode compiles on demand; production serves the build.
if [ "${NODE_ENV:-production}" = development ]; then npm run db:generate >/dev/null; elif [ ! -f apps/web/.next/BUILD_ID ]; then npm run build; fi

export STEVEDORE_DATA_DIR="${STEVEDORE_DATA_DIR:-$PWD/data}"
export PORT="${PORT:-3000}" HOST="${HOST:-127.0.0.1}"
scheme=http; [ -z "${TLS_CERT_FILE:-}" ] || scheme=https
url="${PUBLIC_URL:-$scheme://$HOST:$PORT}"
[ -n "${PUBLIC_URL:-}" ] || [ "$HOST" != 0.0.0.0 ] || url="$scheme://127.0.0.1:$PORT"
# The local agent dials this machine: over loopback when the server listens there (agents refuse
# plain http to any other address). With TLS_CERT_FILE it trusts that chain's CA, like the check below.
agent_url=$url
agent_flags=()
if [ "$scheme" = http ]; then
  case $HOST in
    0.0.0.0 | :: | 127.* | localhost) agent_url="http://127.0.0.1:$PORT" ;;
    # Bound to one other address of this machine: the traffic stays here, but the agent cannot know it.
    *)
      agent_url="http://$HOST:$PORT"
      agent_flags+=(--insecure-http)
      ;;
  esac
fi
local_ca="${TLS_CA_FILE:-${TLS_CERT_FILE:-}}"
mkdir -p "$STEVEDORE_DATA_DIR"
tsx=node_modules/.bin/tsx

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT
trap 'exit 130' INT TERM

# A larger young generation (64 MiB semi-spaces, a cap V8 grows to only under load) lets short-lived
# objects die young instead of being promoted: at fleet scale, fewer old-generation collections and
# shorter latency tails (docs/PERFORMANCE.md). The same flag is in infra/control-plane.Dockerfile.
NODE_OPTIONS="--max-semi-space-size=64 ${NODE_OPTIONS:-}" "$tsx" apps/web/server/main.ts &
pids+=($!)
# Node's fetch, not curl: a minimal Debian has no curl.
healthy() { NODE_EXTRA_CA_CERTS=$local_ca node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$agent_url/api/health"; }
for _ in $(seq 1 120); do healthy && break; sleep 0.5; done
healthy || { echo "stevedore: the control plane did not start" >&2; exit 1; }

creds="$STEVEDORE_DATA_DIR/local-agent.json"
agent_args=(--url "$agent_url" --credentials "$creds" "${agent_flags[@]}")
[ -f "$creds" ] || agent_args+=(--join "$("$tsx" apps/web/server/cli.ts join-token)")
# Production runs the agent as hosts install it (the one-file bundle); development runs its sources.
agent=agent/bin/stevedore-agent.mjs
[ "${NODE_ENV:-production}" = development ] || [ ! -f agent/dist/stevedore-agent.mjs ] || agent=agent/dist/stevedore-agent.mjs
NODE_EXTRA_CA_CERTS=$local_ca node "$agent" "${agent_args[@]}" &
pids+=($!)

cat <<MSG

  Stevedore: $url
  Log in as ${ADMIN_EMAIL:-admin@stevedore.local} with the password printed above on first start
  (or ADMIN_PASSWORD). This machine's Docker Engine is enrolled as a host. Ctrl-C stops Stevedore.

MSG
wait -n "${pids[@]}"
