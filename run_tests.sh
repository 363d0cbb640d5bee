#!/usr/bin/env bash
# Set up, lint, then run the whole test suite (about 9 minutes on 2 cores once .venv exists; CI runs this).
set -euo pipefail
cd "$(dirname "$0")"
bash setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/python -m pytest -q "$@"
