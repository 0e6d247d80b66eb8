#!/usr/bin/env bash
# One command for the main job: install what is needed, build the extension, start the proxy and
# open Chromium with Captionist pointed at it (headless with a demo on machines without a display).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
exec npm start -- "$@"
