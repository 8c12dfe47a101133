#!/usr/bin/env bash
# The engine's end-to-end promise, in a release build: `sscl train` on the shipped
# fashion-mnist-mini (examples/quickstart.json) finishes in under a minute and its encoder
# beats its own random initialisation on kNN accuracy.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product sscl >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s)
.build/release/sscl train examples/quickstart.json --out "$out" 2>"$out/log.txt" || { cat "$out/log.txt"; exit 1; }
seconds=$(( $(date +%s) - start ))
python3 - "$out/result.json" "$seconds" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
seconds = int(sys.argv[2])
print(f"smoke: quickstart trained in {seconds} s: kNN {r['knn_accuracy']:.4f} vs random encoder "
      f"{r['baseline_knn_accuracy']:.4f}, raw pixels {r['raw_knn_accuracy']:.4f}, linear {r['linear_accuracy']:.4f}")
ok = r["knn_accuracy"] > r["baseline_knn_accuracy"] and seconds < 60
sys.exit(0 if ok else 1)
PY
