#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: system packages, a Docker Engine, Node
# dependencies, lint, typecheck, unit and integration tests against real engines, the production
# build, and end-to-end tests in Debian's Chromium. Cleans up what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 CHROMIUM_PATH=/usr/bin/chromium

# Each step says how long the one before it took (SECONDS counts from the start), to keep the suite's time in view.
last=0
step() { printf '\n\033[1m== %s\033[0m (previous step %ss, %ss in all)\n' "$*" $((SECONDS - last)) "$SECONDS"; last=$SECONDS; }

step "system packages, Docker Engine, PostgreSQL"
source scripts/ensure-engine.sh
apt_install chromium busybox-static util-linux docker-registry redis-server postgresql unzip openssl
source scripts/ensure-postgres.sh

cleanup() {
  if [ -n "${free_lane:-}" ]; then kill -- "-$free_lane" 2>/dev/null || true; cat "$free_log"; fi
  stop_test_postgres
  docker ps -aq --filter label=stevedore.test=1 | xargs -r docker rm -f >/dev/null 2>&1 || true
  if [ "${STEVEDORE_STARTED_DOCKERD:-0}" = 1 ] && [ -f /var/run/docker.pid ]; then
    echo "stopping the dockerd this run started"
    kill "$(cat /var/run/docker.pid)" 2>/dev/null || true
  fi
}
trap cleanup EXIT
# Tags an earlier run left on the shared test image (the role matrix's, a registry's long gone)
# would show up in the image and update checks of this one.
docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '^(stevedore-test/matrix:|[^/]+:[0-9]+/stevedore-test/)' | xargs -r docker rmi >/dev/null || true

step "node dependencies"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi
npm run db:generate >/dev/null
source scripts/ensure-helm.sh

step "lint and typecheck"
# Side by side: each mostly keeps one core busy. Lint's output is shown once it has finished.
lint_log=$(mktemp)
npm run lint >"$lint_log" 2>&1 &
lint_pid=$!
npm run typecheck
lint_ok=0; wait "$lint_pid" || lint_ok=$?
cat "$lint_log"; rm -f "$lint_log"
[ "$lint_ok" = 0 ] || { echo "lint failed"; exit 1; }

step "unit and integration tests in two lanes side by side (real engines, real WebSockets; SQLite, then every control plane on PostgreSQL)"
# Files marked "Once per run" do not depend on the control plane's database (or make their own PostgreSQL).
mapfile -t on_postgres < <(grep -L "^// Once per run:" apps/web/test/*.test.ts)
# The second lane: unit tests and the files marked "Engine-free" (vitest.config.ts), in a
# process group of its own (so cleanup can stop it), its output shown once it has finished.
free_log=$(mktemp)
setsid bash -c 'npx vitest run --project unit --project engine-free && STEVEDORE_TEST_DATABASE=postgres npx vitest run --project engine-free "$@"' lane "${on_postgres[@]}" >"$free_log" 2>&1 &
free_lane=$!
# The first lane, in view: the files that use the Docker Engine, one after another.
npx vitest run --project integration
STEVEDORE_TEST_DATABASE=postgres npx vitest run --project integration "${on_postgres[@]}"
echo; echo "== the second lane: unit tests, engine-free files on SQLite and PostgreSQL"
free_ok=0; wait "$free_lane" || free_ok=$?
free_lane=""
cat "$free_log"; rm -f "$free_log"
[ "$free_ok" = 0 ] || { echo "the second lane failed"; exit 1; }

step "production build"
# Not beside the engine's files: a build's load makes the terminal tests' timing fail.
npm run build

step "end-to-end tests in Chromium"
npx playwright test -c playwright/playwright.config.ts
echo "screenshots: playwright/results/*.png"
step "done"
