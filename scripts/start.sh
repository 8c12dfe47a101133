#!/usr/bin/env bash
# Installs what is missing, builds sscl in release mode and trains the embedded default job
# (fashion-mnist-mini, shipped with sscl) in the foreground. Outputs go to runs/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product sscl
exec .build/release/sscl train "${1:-examples/quickstart.json}"
