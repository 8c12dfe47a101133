#!/usr/bin/env bash
# Tests the dashboard on its own: unit tests of its DOM-free modules (node, when installed),
# then headless Chromium against mock_server.py: dashboard_test.sh on the fixture jobs, the
# interaction checks in harness/interactions.html, and the token flow in harness/token.html.
#   Tests/browser/run_mock_tests.sh [--screenshot DIR]
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PASSED=0
FAILED=0
note() { if [ "$1" -eq 0 ]; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); echo "FAIL - $2" >&2; fi; }

BROWSER="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}"
[ -n "$BROWSER" ] || { echo "chromium is missing: apt-get install -y chromium" >&2; exit 1; }
export CHROMIUM="$BROWSER"
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$WORK"; }
trap cleanup EXIT

# start_mock NAME [args...]: starts a mock server on a free port; sets URL.
start_mock() {
  local name="$1"; shift
  python3 "$HERE/mock_server.py" --port 0 "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 50); do
    URL="$(grep -o 'http://[0-9.:]*' "$WORK/$name.log" 2>/dev/null | head -1)"
    [ -n "$URL" ] && return 0
    sleep 0.1
  done
  echo "mock server $name did not start:" >&2; cat "$WORK/$name.log" >&2; exit 1
}

# harness PAGE URL: loads a harness page and checks its report.
harness() {
  local page="$1" url="$2"
  local out="$WORK/$page.html"
  timeout 120 "$BROWSER" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --user-data-dir="$WORK/profile-$page" --dump-dom "$url" >"$out" 2>>"$WORK/chromium.log"
  sed -n '/<pre id="report">/,/<\/pre>/p' "$out" | sed 's/<[^>]*>//g' | sed '/^$/d'
  grep -q "harness: [0-9]* passed, 0 failed" "$out"
}

if command -v node >/dev/null 2>&1; then
  echo "# unit tests (node)"
  node --test "$HERE/unit_test.mjs" >"$WORK/unit.log" 2>&1
  rc=$?
  grep -E '^# (pass|fail)' "$WORK/unit.log"
  [ $rc -eq 0 ] || cat "$WORK/unit.log" >&2
  note $rc "unit tests"
else
  echo "# node not installed: unit tests skipped"
fi

start_mock open
echo "# dashboard_test.sh against the mock ($URL)"
"$HERE/dashboard_test.sh" "$URL" job-succeeded "$@"; note $? "dashboard_test.sh job-succeeded"
"$HERE/dashboard_test.sh" "$URL" job-running; note $? "dashboard_test.sh job-running"
echo "# interactions"
harness interactions "$URL/__tests__/interactions.html"; note $? "interaction checks"

echo "# job page charts, projection, per-class views and diagnostics (job_charts_mock_test.py)"
python3 "$HERE/job_charts_mock_test.py" --chromium "$BROWSER" >"$WORK/charts.log" 2>&1; rc=$?
grep -E '^(FAIL|[0-9]+ passed)' "$WORK/charts.log"
note $rc "job_charts_mock_test.py"

start_mock token --token s3cret
echo "# token flow ($URL)"
harness token "$URL/__tests__/token.html?token=s3cret"; note $? "token checks"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
