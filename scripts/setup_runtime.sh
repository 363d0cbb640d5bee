#!/usr/bin/env bash
# .venv-runtime: what inference needs and nothing more, no torch, spacy-transformers or transformers: the
# library's base requirements (pyproject.toml `dependencies`) and, once `spacy project run package` has built
# it, the packaged pipeline's wheel. pip's ordinary install, so it reuses the wheels .venv downloaded.
# Idempotent: reinstalls only when pyproject.toml or the pipeline wheel changed. Run by setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv-runtime/bin/python ] || "$PYTHON" -m venv .venv-runtime

stamp=".venv-runtime/.installed-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing the runtime into .venv-runtime (no torch)"
  .venv-runtime/bin/pip install -q --upgrade pip
  .venv-runtime/bin/pip install -q -e .
  rm -f .venv-runtime/.installed-*
  touch "$stamp"
fi

wheel=$(ls packages/en_animal_verifier-*-py3-none-any.whl 2>/dev/null | head -n 1 || true)
if [ -n "$wheel" ]; then
  wheel_stamp=".venv-runtime/.pipeline-$(sha1sum "$wheel" | cut -c1-12)"
  if [ ! -f "$wheel_stamp" ]; then
    echo "setup: installing $wheel into .venv-runtime"
    # its one requirement, animal-verifier, is the checkout installed above
    .venv-runtime/bin/pip install -q --force-reinstall --no-deps "$wheel"
    rm -f .venv-runtime/.pipeline-*
    touch "$wheel_stamp"
  fi
fi
echo "setup: ready (.venv-runtime)"
