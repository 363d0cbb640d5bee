"""The packaged pipeline installs into a new venv and loads with no network and no source checkout.

The new venv sees the third-party packages of this project's .venv (torch, spaCy, ONNX Runtime: a
fresh copy of torch alone is gigabytes) through a path file, but not the project itself: the
`animal-verifier` library and `en_animal_verifier` come only from the two wheels built here, and the
check runs outside the checkout.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import PHOTOS, ROOT

pytestmark = pytest.mark.slow


def run(*cmd: str | Path, cwd: Path) -> str:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONNOUSERSITE": "1"}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_wheel_installs_and_loads_without_the_checkout(full_pipeline, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    run(sys.executable, "-m", "spacy", "package", full_pipeline, dist, "--name", "animal_verifier",
        "--version", "0.1.0", "--build", "wheel", "--force", cwd=ROOT)  # fmt: skip
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", dist, ROOT, cwd=ROOT)
    pipeline_wheel = next(dist.rglob("en_animal_verifier-0.1.0-py3-none-any.whl"))
    library_wheel = next(dist.glob("animal_verifier-0.1.0-*.whl"))
    with zipfile.ZipFile(pipeline_wheel) as zf:
        metadata = zf.read(next(n for n in zf.namelist() if n.endswith("METADATA"))).decode()
        assert any(n.endswith("image_classifier/model.onnx") for n in zf.namelist())  # self-contained
    assert "Requires-Dist: animal-verifier" in metadata and "Requires-Dist: spacy" in metadata

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    new_site = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).strip()
    )
    (new_site / "project_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run(python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", pipeline_wheel, library_wheel, cwd=tmp_path)

    script = f"""
import json, spacy, animal_verifier
nlp = spacy.load("en_animal_verifier")
doc = nlp.make_doc("There is a cow in the picture."); doc._.image = {str(PHOTOS / "cow_gcompris.jpg")!r}
doc = nlp(doc)
print(json.dumps({{"lib": animal_verifier.__file__, "pipes": nlp.pipe_names, "label": doc._.image_label,
                  "match": doc._.match}}))
"""
    out = json.loads(run(python, "-c", script, cwd=tmp_path).strip().splitlines()[-1])
    assert str(env_dir) in out["lib"] and str(ROOT) not in out["lib"]
    assert out["pipes"][-3:] == ["animal_linker", "image_classifier", "claim_verifier"]
    assert out["label"] == "cow" and out["match"] is True
