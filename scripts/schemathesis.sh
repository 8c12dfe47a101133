#!/usr/bin/env bash
# Fuzzes the API against its own /openapi.json with schemathesis (every check, a bounded number
# of examples per operation) on a real `sscl serve`: a free port of 127.0.0.1, a temporary
# database, data and runs folder. Jobs the fuzzer manages to queue are cancelled at once by a
# small loop beside it (--max-concurrent-jobs must be >= 1), so no training outlives a second.
# Usage: scripts/schemathesis.sh [SSCL_BINARY]   (default: the debug build's sscl)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
examples="${SSCL_SCHEMATHESIS_EXAMPLES:-25}"
binary="${1:-$(swift build --show-bin-path)/sscl}"
schemathesis=(python3 -c "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'schemathesis'; schemathesis()")
if ! "${schemathesis[@]}" --version >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check --timeout 20 --retries 1 schemathesis 2>/dev/null || true
fi
if ! "${schemathesis[@]}" --version >/dev/null 2>&1; then
  echo "note: schemathesis unavailable (PyPI unreachable?); the API fuzz run is skipped"
  exit 0
fi

work=$(mktemp -d)
server=""
canceller=""
cleanup() {
  [ -n "$canceller" ] && kill "$canceller" 2>/dev/null || true
  if [ -n "$server" ]; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
(cd "$work" && exec "$binary" serve --port "$port" --db "$work/sscl.db" --runs-dir "$work/runs" --data-dir "$work/data" \
  --migrations "$root/migrations" --public-dir "$root/Public" --log-level warning >"$work/server.log" 2>&1) &
server=$!
for _ in $(seq 100); do
  python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$base/healthz" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.2
done

python3 - "$base" <<'PY' &
import json, sys, time, urllib.request
base = sys.argv[1]
while True:  # cancel whatever the fuzzer queued; the parent kills this loop
    try:
        for status in ("running", "queued"):
            with urllib.request.urlopen(f"{base}/v1/jobs?status={status}&limit=500", timeout=5) as response:
                for job in json.load(response)["jobs"]:
                    try:
                        urllib.request.urlopen(urllib.request.Request(f"{base}/v1/jobs/{job['id']}/cancel", method="POST"), timeout=5).read()
                    except Exception:
                        pass  # finished meanwhile (409)
    except Exception:
        pass
    time.sleep(0.2)
PY
canceller=$!

status=0
(cd "$work" && "${schemathesis[@]}" --config-file "$root/scripts/schemathesis.toml" run "$base/openapi.json" \
  --checks all --max-examples "$examples" --workers 1 --request-timeout 30 --generation-database none --no-color) || status=$?
if [ "$status" -ne 0 ]; then
  echo "schemathesis failed; the server's log:"
  tail -50 "$work/server.log"
fi
exit "$status"
