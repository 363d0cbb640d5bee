#!/usr/bin/env bash
# Set up, lint, then run the whole test suite (about 6 minutes on 2 cores once .venv exists; CI runs this).
set -euo pipefail
cd "$(dirname "$0")"
bash setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/ruff check .
# both cores (pytest-xdist; tests/conftest.py groups the tests, slow groups first, and builds the shared models
# once per run); PYTEST_WORKERS=0 runs in one process
.venv/bin/python -m pytest -q -n "${PYTEST_WORKERS:-2}" --dist loadgroup --no-loadscope-reorder "$@"
