"""The original project's workflow on a user's own data: fine-tune the image model on an Animals-10 folder
(`spacy project run train-classifier`), then assemble the pipeline on it
(`spacy project run assemble --vars.image_model training/classifier/finetuned/model`), as the README says.

Both steps run through weasel in a copy of the project holding only their declared deps, with the test
NER as training/ner/runtime (the NER `assemble` sources).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from .conftest import PHOTOS, copy_step_deps

pytestmark = pytest.mark.slow

FINETUNED = "training/classifier/finetuned/model"


def weasel(*args: str, cwd: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-m", "spacy", "project", "run", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_train_classifier_then_assemble_on_it(tmp_path, tiny_animals10, rules_ner_dir):
    project = tmp_path / "project"
    project.mkdir()
    data = str(tiny_animals10 / "raw-img")
    knobs = {"classifier_data": data, "classifier_epochs": "1", "classifier_batch_size": "4"}
    copy_step_deps(project, "train-classifier", overrides=knobs)
    weasel("train-classifier", ".", *(f"--vars.{k}={v}" for k, v in knobs.items()), cwd=project)
    labels = json.loads((project / FINETUNED / "labels.json").read_text(encoding="utf8"))
    assert [c["name"] for c in labels["classes"]] == ["butterfly", "cat", "dog"]

    copy_step_deps(project, "assemble", {"training/ner/runtime": rules_ner_dir}, {"image_model": FINETUNED})
    weasel("assemble", ".", f"--vars.image_model={FINETUNED}", cwd=project)
    nlp = spacy.load(project / "training" / "pipeline")
    image = nlp.get_pipe("image_classifier").model
    assert image.labels.class_names == ("butterfly", "cat", "dog")  # the user's classifier, not ImageNet
    calibrated = labels["thresholds"]
    assert nlp.get_pipe("claim_verifier").thresholds.to_json() == calibrated  # calibrated for it
    assert nlp.meta["name"] == "animal_verifier"

    doc = nlp.make_doc("There is a butterfly and no dog.")
    doc._.image = PHOTOS / "butterfly_opencv.jpg"
    doc = nlp(doc)
    assert [e._.canonical for e in doc.ents] == ["butterfly", "dog"]
    assert doc._.image_top5[0][0] in {"butterfly", "cat", "dog"} and len(doc._.image_top5) == 3
    assert all(c["probability"] is not None for c in doc._.claims)  # both expressible by this model
