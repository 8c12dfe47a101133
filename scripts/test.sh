#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
# Optional interop check: the Python safetensors reader (skipped if PyPI is unreachable).
python3 -c "import safetensors, numpy" 2>/dev/null \
  || python3 -m pip install --quiet --disable-pip-version-check --timeout 20 --retries 1 safetensors numpy 2>/dev/null \
  || echo "note: python safetensors unavailable; the interop test will be skipped"
bash scripts/check-dockerfile.sh
bash scripts/smoke.sh
swift build --build-tests
# The store suite runs on SQLite and on PostgreSQL: a throwaway server (stopped at exit), and
# the PostgreSQL cases fail instead of being skipped if it is unreachable.
postgres_env=$(bash scripts/postgres.sh start)  # fails the script if the server cannot start
eval "$postgres_env"
# The evaluation cache of the jobs the tests train goes to a temporary folder, not ~/.cache/sscl.
export SSCL_CACHE_DIR
SSCL_CACHE_DIR=$(mktemp -d -t sscl-test-cache.XXXXXX)
trap 'bash scripts/postgres.sh stop "$SSCL_TEST_POSTGRES_DIR"; rm -rf "$SSCL_CACHE_DIR"' EXIT
export SSCL_REQUIRE_POSTGRES=1
# Serial: several suites start real processes and servers, and Foundation's Process and
# SQLite share one test process; run alone, no suite can disturb another's descriptors.
swift test --no-parallel
# The API against its own /openapi.json: schemathesis, every check, on a real `sscl serve`
# (a few minutes; skipped if PyPI is unreachable).
bash scripts/schemathesis.sh
