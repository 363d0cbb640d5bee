"""Export a PyTorch classifier to an ONNX model directory and prove ONNX Runtime computes the same thing.

Used for the ImageNet backbone (``scripts/export_classifier.py``) and at the end of every fine-tune.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from animal_verifier.ontology.imagenet import (
    IMAGENET_OOD,
    IMAGENET_OPERATING_POINTS,
    IMAGENET_RISK,
    IMAGENET_TEMPERATURE,
    IMAGENET_THRESHOLDS,
    imagenet_classes,
)
from animal_verifier.vision.calibration import Thresholds
from animal_verifier.vision.classifier import (
    INPUT_NAME,
    LABELS_FILE,
    MODEL_FILE,
    OUTPUT_NAME,
    ImageClassifier,
    LabelMap,
    softmax,
)
from animal_verifier_train.vision.backbone import DEFAULT_BACKBONE, build_model, get_backbone

OPSET = 17


class ExportError(RuntimeError):
    """ONNX Runtime's output does not match PyTorch's."""


@dataclass(frozen=True)
class ExportCheck:
    n_images: int
    max_logit_diff: float
    max_prob_diff: float
    top1_agreement: float


def imagenet_label_map(thresholds: Thresholds = IMAGENET_THRESHOLDS, backbone: str = DEFAULT_BACKBONE) -> LabelMap:
    """The label map of a backbone's ImageNet-1k model, with that backbone's preprocessing. Thresholds (and
    the operating points per risk, unless other ``thresholds`` are given), temperature and OOD rule are Lite0's
    until scripts/evaluate_photos.py refits them for the other model."""
    spec = get_backbone(backbone)
    classes = imagenet_classes()
    return LabelMap(
        class_ids=tuple(c.id for c in classes),
        class_names=tuple(c.name for c in classes),
        preprocessing=spec.preprocessing,
        thresholds=thresholds,
        operating_points=dict(IMAGENET_OPERATING_POINTS) if thresholds == IMAGENET_THRESHOLDS else {},
        risk=IMAGENET_RISK,
        model_name=spec.model_name,
        model_version="imagenet-1k",
        temperature=IMAGENET_TEMPERATURE,
        ood=IMAGENET_OOD,
        meta={
            **spec.provenance(),
            "classes": "ImageNet-1k; animal_verifier/data/imagenet_classes.tsv (from timm, Apache-2.0)",
            "thresholds": "fitted on assets/photos + assets/photos_dev by scripts/evaluate_photos.py (docs/vision.md)"
            + ("" if spec.name == DEFAULT_BACKBONE else f" for {DEFAULT_BACKBONE}; not refitted for {spec.name}"),
        },
    )


def load_checkpoint(path: str | Path) -> tuple[nn.Module, LabelMap]:
    """A fine-tuned checkpoint written by :mod:`animal_verifier_train.vision.finetune`: weights and label map."""
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    labels = LabelMap.from_json(checkpoint["labels"])
    model = build_model(len(labels.class_ids), pretrained=False, backbone=labels.model_name)
    model.load_state_dict(checkpoint["state_dict"])
    return model.eval(), labels


def export_onnx(
    model: nn.Module, labels: LabelMap, out_dir: str | Path, check: np.ndarray | None = None, atol: float = 1e-4
) -> ExportCheck:
    """Write ``model.onnx`` (dynamic batch) and ``labels.json`` to ``out_dir`` and compare ONNX Runtime
    with PyTorch on ``check`` (a preprocessed batch; random pixels if None). Raises :class:`ExportError`
    if any probability differs by more than ``atol`` or a top-1 class differs."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    size = labels.preprocessing.crop
    model = model.eval()
    with warnings.catch_warnings():  # the TorchScript exporter announces its own deprecation
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (torch.zeros(2, 3, size, size),),
            str(out_dir / MODEL_FILE),
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )
    labels.write(out_dir / LABELS_FILE)
    if check is None:
        check = np.random.default_rng(0).normal(0, 1, (4, 3, size, size)).astype(np.float32)
    result = compare(model, ImageClassifier.from_dir(out_dir), check)
    if result.max_prob_diff > atol or result.top1_agreement < 1.0:
        raise ExportError(f"ONNX Runtime disagrees with PyTorch: {result}")
    return result


def compare(model: nn.Module, classifier: ImageClassifier, pixels: np.ndarray) -> ExportCheck:
    """PyTorch vs ONNX Runtime on the same preprocessed batch (TTA off: raw rows)."""
    with torch.inference_mode():
        torch_logits = model.eval()(torch.from_numpy(pixels)).numpy()
    onnx_logits = classifier.session.run([OUTPUT_NAME], {INPUT_NAME: pixels})[0]
    torch_probs, onnx_probs = softmax(torch_logits), softmax(onnx_logits)
    return ExportCheck(
        n_images=len(pixels),
        max_logit_diff=float(np.abs(torch_logits - onnx_logits).max()),
        max_prob_diff=float(np.abs(torch_probs - onnx_probs).max()),
        top1_agreement=float((torch_logits.argmax(1) == onnx_logits.argmax(1)).mean()),
    )
