#!/usr/bin/env bash
# Builds sscl (release), makes sure Fashion-MNIST and matplotlib are there when they can be
# installed, and runs benchmarks/quality.py (arguments pass through: --seeds, --epochs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
[[ -d /usr/share/datasets/fashion-mnist ]] || apt-get install -y -qq dataset-fashion-mnist || true
swift build -c release --product sscl >/dev/null
python3 -c "import matplotlib" 2>/dev/null || python3 -m pip install --quiet matplotlib || true
python3 benchmarks/quality.py "$@"
