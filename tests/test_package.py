"""The workflow's `package` step builds wheels that install into a new venv and load with no network and
no source checkout.

The step runs as the workflow runs it (`spacy project run package`) in a copy of the project that holds
only the step's declared deps, with the test pipeline as training/pipeline: so a dep missing from
project.yml fails here too. The wheel is then found with the README's own `pip install` glob.

The new venv sees the third-party packages of this project's .venv (torch, spaCy, ONNX Runtime: a
fresh copy of torch alone is gigabytes) through a path file, but not the project itself: the
`animal-verifier` library and `en_animal_verifier` come only from the two wheels built here, and the
check runs outside the checkout.
"""

from __future__ import annotations

import json
import os
import re
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import srsly

from .conftest import PHOTOS, ROOT, copy_step_deps

pytestmark = pytest.mark.slow

PIPELINE_DIR = "training/pipeline"


def run(*cmd: str | Path, cwd: Path) -> str:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONNOUSERSITE": "1"}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def readme_wheel_glob() -> str:
    """What the README tells a user to install: `pip install packages/en_animal_verifier-*.whl`."""
    found = re.search(r"pip install [^\n`]*?(packages/\S+\.whl)", (ROOT / "README.md").read_text(encoding="utf8"))
    assert found, "the README no longer says how to install the pipeline wheel"
    return found[1]


def test_package_step_builds_wheels_that_install_and_load_without_the_checkout(full_pipeline, tmp_path):
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    step = copy_step_deps(project_dir, "package", {PIPELINE_DIR: full_pipeline})
    assert PIPELINE_DIR in step["deps"], f"`package` no longer packages {PIPELINE_DIR}"
    run(sys.executable, "-m", "spacy", "project", "run", "package", project_dir, cwd=project_dir)

    for output in step.get("outputs", []) + step.get("outputs_no_cache", []):
        assert (project_dir / output).is_file(), f"`package` declares {output} but didn't write it"
    pipeline_wheels = sorted(project_dir.glob(readme_wheel_glob()))
    assert len(pipeline_wheels) == 1, f"the README's {readme_wheel_glob()} matches {pipeline_wheels}"
    pipeline_wheel = pipeline_wheels[0]
    (library_wheel,) = project_dir.glob("packages/animal_verifier-*.whl")

    version = str(srsly.read_yaml(ROOT / "project.yml")["vars"]["version"])
    assert pipeline_wheel.name == f"en_animal_verifier-{version}-py3-none-any.whl"
    meta = json.loads((ROOT / "metas" / "en_animal_verifier.json").read_text(encoding="utf8"))
    with zipfile.ZipFile(pipeline_wheel) as zf:
        names = zf.namelist()
        metadata = zf.read(next(n for n in names if n.endswith("METADATA"))).decode()
        assert any(n.endswith("image_classifier/model.onnx") for n in names)  # self-contained
    assert "Requires-Dist: spacy" in metadata
    for requirement in meta["requirements"]:
        assert f"Requires-Dist: {requirement}" in metadata
    pin = next(r for r in meta["requirements"] if r.startswith("animal-verifier=="))
    assert library_wheel.name.startswith(f"animal_verifier-{pin.split('==')[1]}-"), "the pin is the library built"

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
                  "match": doc._.match, "meta": [nlp.meta[k] for k in ("name", "version", "license")]}}))
"""
    out = json.loads(run(python, "-c", script, cwd=tmp_path).strip().splitlines()[-1])
    assert str(env_dir) in out["lib"] and str(ROOT) not in out["lib"]
    assert out["pipes"][-3:] == ["animal_linker", "image_classifier", "claim_verifier"]
    assert out["label"] == "cow" and out["match"] is True
    assert out["meta"] == [meta["name"], version, meta["license"]]
