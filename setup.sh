#!/usr/bin/env bash
# Set up everything this project needs on a fresh Debian machine: system packages, a .venv with everything,
# and a .venv-runtime with only what inference needs (scripts/setup_runtime.sh: no torch).
# Idempotent: a second run checks and returns in seconds.
set -euo pipefail
cd "$(dirname "$0")"

# WordNet 3.0 (lexicon, generated data), fortunes (real-text set), Chromium (the browser test of the web page)
APT_PACKAGES=(wordnet-base wordnet-sense-index fortunes chromium chromium-driver)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv

# Reinstall only when the dependency list changed.
stamp=".venv/.installed-$(cat pyproject.toml | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages into .venv (first run: several minutes; torch is large)"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[serve,ray,train,dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
echo "setup: ready (.venv)"
bash scripts/setup_runtime.sh
