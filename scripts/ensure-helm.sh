#!/usr/bin/env bash
# Helm for the chart's tests (sourced by scripts/test.sh): exports STEVEDORE_HELM. See scripts/helm.sh.
set -euo pipefail
STEVEDORE_HELM=$(bash scripts/helm.sh --path)
export STEVEDORE_HELM
