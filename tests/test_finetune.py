"""Fine-tuning refuses to export a model no epoch validated, and calibrates thresholds on held-out scores.

Cheap: no epoch really trains here (the slow end-to-end run is in test_vision.py).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from animal_verifier.vision.calibration import Thresholds
from animal_verifier_train.vision import finetune as finetune_module
from animal_verifier_train.vision.finetune import CHECKPOINT_FILE, FinetuneConfig, calibrate_on_split, finetune


@pytest.mark.parametrize("epochs", [0, -1])
def test_finetune_needs_at_least_one_epoch(tmp_path, epochs):
    out = tmp_path / "run"
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        finetune(FinetuneConfig(tmp_path / "no-data", out, epochs=epochs), progress=False)
    assert not out.exists()  # refused before touching the disk or the data


@pytest.fixture
def solid_colour_folder(tmp_path) -> Path:
    """Animals-10 layout, 2 classes x 3 tiny images: enough for a train and a validation split."""
    for folder, colour in (("gatto", "orange"), ("cane", "brown")):
        (tmp_path / "raw-img" / folder).mkdir(parents=True)
        for k in range(3):
            Image.new("RGB", (40, 32), colour).save(tmp_path / "raw-img" / folder / f"{k}.png")
    return tmp_path


def test_finetune_that_never_validates_exports_nothing(solid_colour_folder, tmp_path, monkeypatch):
    """Every validation loss NaN (a diverged run): an error naming the cause, and no checkpoint or model."""

    def diverged_evaluate(model, loader, loss_fn):
        targets = np.array([t for _, t in loader.dataset.samples])
        return math.nan, np.full((len(targets), 2), 0.5), targets

    monkeypatch.setattr(finetune_module, "_train_epoch", lambda *args: math.nan)
    monkeypatch.setattr(finetune_module, "_evaluate", diverged_evaluate)
    out = tmp_path / "run"
    config = FinetuneConfig(solid_colour_folder, out, batch_size=2, epochs=2, patience=5)
    with pytest.raises(RuntimeError, match="no finite validation loss in 2 epoch"):
        finetune(config, progress=False)
    assert not (out / CHECKPOINT_FILE).exists() and not (out / "model").exists()


def test_calibrate_on_split():
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    # true-class scores 0.9, 0.8, 0.4; the others 0.1, 0.2, 0.6.
    # present: none of the others may reach it; the cut at 0.8 keeps two, midway down to 0.6 -> 0.7
    # absent: no true score may fall under it; the cut above 0.2 catches 0.1 and 0.2, midway up to 0.4 -> 0.3
    assert calibrate_on_split(probs, np.array([0, 1, 1])) == Thresholds(present=0.7, absent=0.3, animal=0.0)
