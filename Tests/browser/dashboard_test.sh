#!/usr/bin/env bash
# Loads the dashboard in headless Chromium against a running server and checks what it renders.
#
#   Tests/browser/dashboard_test.sh BASE_URL JOB_ID [--screenshot DIR]
#
# JOB_ID should be a job with metrics (finished or running: an open event stream does not
# stop Chromium's virtual time).
# Checks: the job page shows the job's id and name, the loss chart has a drawn path with
# points, the hyperparameters table is filled; the job list has a row for the job.
# Environment: CHROMIUM (browser binary), VIRTUAL_TIME_BUDGET (ms, default 8000).
# Prints "N passed, M failed" last and exits non-zero if anything failed.
set -uo pipefail

usage() { echo "usage: $0 BASE_URL JOB_ID [--screenshot DIR]" >&2; exit 2; }
[ $# -ge 2 ] || usage
BASE_URL="${1%/}"
JOB_ID="$2"
shift 2
SHOT_DIR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshot) SHOT_DIR="${2:?--screenshot needs a directory}"; shift 2 ;;
    *) usage ;;
  esac
done

BROWSER="${CHROMIUM:-}"
if [ -z "$BROWSER" ]; then
  for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then BROWSER="$b"; break; fi
  done
fi
if [ -z "$BROWSER" ]; then
  echo "FAIL: no chromium found; install it with: apt-get install -y chromium" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

BUDGET="${VIRTUAL_TIME_BUDGET:-8000}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
PASSED=0
FAILED=0

pass() { echo "ok   - $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL - $1" >&2; FAILED=$((FAILED + 1)); }

# chrome_run OUTPUT_FILE URL [extra flags...]: dumps the DOM of URL after it settled.
chrome_run() {
  local out="$1" url="$2"
  shift 2
  # A fresh profile per run: no cached token, no locks shared with other runs.
  timeout 90 "$BROWSER" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --no-first-run --no-default-browser-check --disable-extensions --hide-scrollbars \
    --user-data-dir="$WORK/profile-$RANDOM$RANDOM" --window-size=1280,1800 "$@" "$url" \
    >"$out" 2>>"$WORK/chromium.log"
}

# The job's name, from the API (json parsed with python3 if present, else grep).
API_JSON="$(curl -sf "$BASE_URL/v1/jobs/$JOB_ID" 2>/dev/null || true)"
JOB_NAME=""
if [ -n "$API_JSON" ]; then
  if command -v python3 >/dev/null 2>&1; then
    JOB_NAME="$(printf '%s' "$API_JSON" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("name") or "")' 2>/dev/null)"
  else
    JOB_NAME="$(printf '%s' "$API_JSON" | grep -o '"name" *: *"[^"]*"' | head -1 | sed 's/.*: *"\(.*\)"/\1/')"
  fi
else
  echo "note: GET $BASE_URL/v1/jobs/$JOB_ID failed (unknown job, server down, or a token required); checking the id only" >&2
fi

settle_flags=(--virtual-time-budget="$BUDGET")

# --- 1. the job page ---------------------------------------------------------------
JOB_URL="$BASE_URL/#/jobs/$JOB_ID"
chrome_run "$WORK/job.html" "$JOB_URL" "${settle_flags[@]}" --dump-dom
if [ ! -s "$WORK/job.html" ]; then
  fail "job page: chromium produced no DOM for $JOB_URL (see below)"
  tail -20 "$WORK/chromium.log" >&2
else
  dom="$(tr '\n' ' ' <"$WORK/job.html")"
  if grep -q "data-testid=\"job-page\" data-job-id=\"$JOB_ID\"" <<<"$dom" \
    && grep -q "data-testid=\"job-id\">$JOB_ID<" <<<"$dom"; then
    if [ -z "$JOB_NAME" ] || grep -qF "data-testid=\"job-name\">$JOB_NAME<" <<<"$dom"; then
      pass "job page shows job $JOB_ID${JOB_NAME:+ ($JOB_NAME)}"
    else
      fail "job page: name \"$JOB_NAME\" not rendered in [data-testid=job-name]"
    fi
  else
    err="$(grep -o 'data-testid="job-load-error"[^<]*<[^<]*<[^<]*' <<<"$dom" | head -1)"
    fail "job page: id $JOB_ID not rendered${err:+ (error shown: $err)}"
  fi

  # The loss chart: <svg data-testid="chart-loss" ...> with a <path class="chart-line" d="M..L.." data-points="N">.
  chart="$(grep -o '<svg[^>]*data-testid="chart-loss".*' <<<"$dom" | sed 's#</svg>.*##')"
  points="$(grep -o '<path[^>]*class="chart-line"[^>]*>' <<<"$chart" | grep -o 'data-points="[0-9]*"' | head -1 | tr -dc '0-9')"
  if [ -z "$chart" ]; then
    fail "job page: no loss chart (svg data-testid=chart-loss)"
  elif [ -n "$points" ] && [ "$points" -ge 2 ] && grep -q 'class="chart-line"[^>]*d="M[0-9.]*,[0-9.]*L' <<<"$chart$(grep -o '<path[^>]*>' <<<"$chart")"; then
    pass "loss chart draws a path with $points points"
  else
    fail "loss chart has no drawn path with points (data-points=${points:-none})"
  fi

  if grep -q 'data-testid="params-table"' <<<"$dom" && grep -q 'data-path="loss.kind"' <<<"$dom"; then
    pass "hyperparameters table lists the resolved job (loss.kind)"
  else
    fail "hyperparameters table missing or without loss.kind"
  fi
fi

# --- 2. the job list -----------------------------------------------------------------
chrome_run "$WORK/list.html" "$BASE_URL/#/" --virtual-time-budget=3000 --dump-dom
if grep -q "data-testid=\"job-row\" data-job-id=\"$JOB_ID\"" "$WORK/list.html"; then
  rows="$(grep -o 'data-testid="job-row"' "$WORK/list.html" | wc -l)"
  pass "job list has a row for $JOB_ID ($rows rows)"
else
  fail "job list: no row with data-job-id=\"$JOB_ID\""
fi

# --- 3. screenshots, to look at the design --------------------------------------------
if [ -n "$SHOT_DIR" ]; then
  mkdir -p "$SHOT_DIR"
  chrome_run /dev/null "$JOB_URL" "${settle_flags[@]}" --screenshot="$SHOT_DIR/job.png"
  chrome_run /dev/null "$BASE_URL/#/" --virtual-time-budget=3000 --screenshot="$SHOT_DIR/list.png"
  if [ -s "$SHOT_DIR/job.png" ] && [ -s "$SHOT_DIR/list.png" ]; then
    pass "screenshots written to $SHOT_DIR (job.png, list.png)"
  else
    fail "screenshots not written to $SHOT_DIR"
  fi
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
