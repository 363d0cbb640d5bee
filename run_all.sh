#!/usr/bin/env bash
# The main job: set up, then run the `all` workflow on what ships with the repo.
# Extra arguments go to `spacy project run`, e.g. `--vars.ner_config ner_cnn.cfg` for the quick variant.
set -euo pipefail
cd "$(dirname "$0")"
bash setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/python -m spacy project run all . "$@"
bash scripts/setup_runtime.sh  # the pipeline wheel just packaged, into .venv-runtime
