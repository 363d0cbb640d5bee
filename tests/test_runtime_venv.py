"""`.venv-runtime` (setup.sh builds it: the base requirements and the packaged pipeline, nothing else) runs
`verify` without torch: torch, transformers and spacy-transformers are not even importable there, and
the answer is the one the full .venv gives on the same pipeline."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import PHOTOS, ROOT

RUNTIME = ROOT / ".venv-runtime" / "bin"
pytestmark = pytest.mark.skipif(
    not (RUNTIME / "animal-verifier").exists(), reason="no .venv-runtime (setup.sh builds it)"
)
TORCH_SIDE = ("torch", "transformers", "spacy_transformers")


def run(cmd: list[str]) -> subprocess.CompletedProcess:
    # PYTHONPATH: the checkout under test, also where .venv-runtime's editable install points elsewhere
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_torch_is_not_installed_there():
    code = f"import importlib.util as u; print([m for m in {TORCH_SIDE!r} if u.find_spec(m)])"
    assert run([RUNTIME / "python", "-c", code]).stdout.strip() == "[]"


def test_verify_runs_there_and_answers_as_here(runtime_pipeline):
    args = ["verify", "--model", runtime_pipeline, "--json", "--text", "I see a cat and two dogs."]
    args += ["--image", PHOTOS / "cow_gcompris.jpg"]
    there = json.loads(run([RUNTIME / "animal-verifier", *args]).stdout)
    here = json.loads(run([sys.executable, "-m", "animal_verifier.cli", *args]).stdout)
    assert there == here
    assert there["predicted"] == "cow"  # the image side; what an untrained NER reads is not asserted


def test_the_packaged_pipeline_runs_there():
    code = "import spacy; print(spacy.util.is_package('en_animal_verifier'))"
    if run([RUNTIME / "python", "-c", code]).stdout.strip() != "True":
        pytest.skip("no packaged pipeline in .venv-runtime yet (run_all.sh packages and installs it)")
    args = ["verify", "--model", "en_animal_verifier", "--text", "I see a cat.", "--image", PHOTOS / "cat_gcompris.jpg"]
    assert "Matching result" in run([RUNTIME / "animal-verifier", *args]).stdout
