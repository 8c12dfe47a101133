#!/usr/bin/env bash
# Installs what is missing, builds sscl (release) and starts the service on
# http://127.0.0.1:8080/ with its database and data under ./.sscl/. Extra arguments go to
# `sscl serve` (for example --port 9000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product sscl
exec .build/release/sscl serve "$@"
