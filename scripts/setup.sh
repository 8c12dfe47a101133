#!/usr/bin/env bash
# Installs the Debian packages sscl builds and runs with; with --test also what the tests
# use (headless Chromium for the dashboard test, a PostgreSQL server for the store suite).
# Safe to run again.
set -euo pipefail
pkgs=(libopenblas-dev zlib1g-dev libpng-dev libjpeg62-turbo-dev pkg-config libsqlite3-dev libcurl4-openssl-dev libpq-dev)
if [[ "${1:-}" == "--test" ]]; then pkgs+=(chromium postgresql); fi
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
