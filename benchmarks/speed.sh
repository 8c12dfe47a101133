#!/usr/bin/env bash
# Builds sscl (release), installs the CPU-only PyTorch 2.13 into benchmarks/.venv (a local
# wheel; plain `pip install torch` would pull GBs of CUDA), and runs benchmarks/speed.py.
# Without torch it still reports sscl's own figures. Arguments go to speed.py (--rounds N).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product sscl >/dev/null
venv=benchmarks/.venv
torch_python=()
if [[ ! -x $venv/bin/python ]]; then python3 -m venv "$venv"; fi
if "$venv/bin/python" -c "import torch" 2>/dev/null \
   || "$venv/bin/pip" install --quiet 'torch==2.13.0+cpu' numpy; then
  torch_python=(--torch-python "$venv/bin/python")
else
  echo "note: torch==2.13.0+cpu could not be installed; reporting sscl alone" >&2
fi
python3 benchmarks/speed.py "${torch_python[@]}" "$@"
