#!/usr/bin/env bash
# Text in slate-400 on white fails WCAG AA (2.6:1): muted text is slate-500 (4.8:1), which
# the dark theme (app/theme.css) maps to slate-400 on slate-900 (6.9:1). Re-runnable after merges.
set -euo pipefail
cd "$(dirname "$0")/.."
grep -rlE 'text-slate-400\b' apps/web/src | xargs -r sed -i -E 's/\btext-slate-400\b/text-slate-500/g'
