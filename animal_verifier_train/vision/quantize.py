"""Quantise an exported model dir to int8 with ONNX Runtime static quantisation, calibrated on real photos.

Weights int8 per channel, activations uint8 with ranges measured on the calibration photos, run through the
model's own preprocessing (from its ``labels.json``). The result is an ordinary model dir (``model.onnx`` +
``labels.json``) that :class:`~animal_verifier.vision.classifier.ImageClassifier` loads unchanged; its label
map records that it is int8 and what it was calibrated on.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

import numpy as np
from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process
from tqdm import tqdm

from animal_verifier.vision.classifier import INPUT_NAME, LABELS_FILE, MODEL_FILE, ImageClassifier, LabelMap
from animal_verifier.vision.image_io import load_image
from animal_verifier.vision.preprocess import Preprocessing, preprocess
from animal_verifier_train.evaluation.photos import read_photos

#: "QDQ" (QuantizeLinear/DequantizeLinear pairs around float ops, fused by ONNX Runtime) or "QOperator"
#: (QLinearConv etc. written into the graph); docs/vision.md has which is faster here.
FORMATS = {"QDQ": QuantFormat.QDQ, "QOperator": QuantFormat.QOperator}
DEFAULT_FORMAT = "QDQ"
CALIBRATION_SET = "assets/photos_dev"  # the photos whose activation ranges set the scales (issue 20)


class QuantizeError(RuntimeError):
    """The model dir cannot be quantised (no calibration photos, a graph ONNX Runtime cannot quantise)."""


@dataclass(frozen=True)
class QuantizeResult:
    model_dir: Path
    calibration_images: int
    format: str
    fp32_bytes: int
    int8_bytes: int


class PhotoBatches(CalibrationDataReader):
    """Feeds the calibrator preprocessed photos, a batch at a time, decoding each photo once."""

    def __init__(self, images: Sequence[Path], p: Preprocessing, batch_size: int = 16, progress: bool = True):
        self.images, self.p, self.batch_size, self.progress = list(images), p, batch_size, progress
        self._batches: Iterator[np.ndarray] | None = None

    def _iterate(self) -> Iterator[np.ndarray]:
        bar = tqdm(total=len(self.images), desc="calibrating", unit="image", disable=not self.progress, leave=False)
        for start in range(0, len(self.images), self.batch_size):
            chunk = self.images[start : start + self.batch_size]
            yield np.stack([preprocess(load_image(path, min_side=self.p.resize), self.p) for path in chunk])
            bar.update(len(chunk))
        bar.close()

    def get_next(self) -> dict[str, np.ndarray] | None:
        if self._batches is None:
            self._batches = self._iterate()
        batch = next(self._batches, None)
        return None if batch is None else {INPUT_NAME: batch}

    def rewind(self) -> None:
        self._batches = None


def quantize_model_dir(
    source: str | Path,
    output: str | Path,
    calibration: Sequence[Path],
    *,
    calibrated_on: str,
    quant_format: str = DEFAULT_FORMAT,
    per_channel: bool = True,
    progress: bool = True,
) -> QuantizeResult:
    """Write the int8 version of the model dir ``source`` to ``output``. ``calibration``: the photos whose
    activation ranges set the scales; ``calibrated_on`` says what they are, for ``labels.json``."""
    source, output = Path(source), Path(output)
    if quant_format not in FORMATS:
        raise QuantizeError(f"quantisation format must be one of {', '.join(FORMATS)}, not {quant_format!r}")
    if not calibration:
        raise QuantizeError("no calibration photos")
    labels = ImageClassifier.from_dir(source).labels  # checks the dir: a model the runtime can load
    if "quantization" in labels.meta:
        raise QuantizeError(f"{source} is already quantised")
    if output.is_dir() and any(output.iterdir()) and not _quantized_dir(output):
        raise QuantizeError(f"{output}: exists and is not an int8 model dir written by this step; left as it is")
    if output.exists() and not output.is_dir():
        raise QuantizeError(f"{output}: exists and is not a folder; left as it is")
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        prepared = Path(tmp) / MODEL_FILE
        # shape inference and graph optimisation first, as ONNX Runtime recommends before static quantisation
        quant_pre_process(str(source / MODEL_FILE), str(prepared), skip_symbolic_shape=False)
        try:
            quantize_static(
                str(prepared),
                str(output / MODEL_FILE),
                PhotoBatches(calibration, labels.preprocessing, progress=progress),
                quant_format=FORMATS[quant_format],
                per_channel=per_channel,
                activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8,
                calibrate_method=CalibrationMethod.MinMax,
            )
        except (ValueError, RuntimeError) as e:
            raise QuantizeError(f"{source / MODEL_FILE}: ONNX Runtime could not quantise it ({e})") from e
    quantized = replace(
        labels,
        model_version=f"{labels.model_version}+int8",
        meta={
            **labels.meta,
            "quantization": {
                "type": "int8, ONNX Runtime static quantisation",
                "format": quant_format,
                "weights": "int8, per channel" if per_channel else "int8, per tensor",
                "activations": "uint8",
                "calibration_method": "MinMax",
                "calibrated_on": f"{calibrated_on} ({len(calibration)} images)",
                "onnxruntime": metadata.version("onnxruntime"),
            },
        },
    )
    quantized.write(output / LABELS_FILE)
    return QuantizeResult(
        model_dir=output,
        calibration_images=len(calibration),
        format=quant_format,
        fp32_bytes=(source / MODEL_FILE).stat().st_size,
        int8_bytes=(output / MODEL_FILE).stat().st_size,
    )


def quantize_on_photos(
    source: str | Path, output: str | Path, photos: Path, *, calibrated_on: str, **options
) -> QuantizeResult:
    """:func:`quantize_model_dir` calibrated on the photos that ``photos``/photos.csv lists; ``calibrated_on``
    names that folder as the user gave it (never an absolute path of this machine)."""
    return quantize_model_dir(
        source, output, [p.path for p in read_photos(photos)], calibrated_on=calibrated_on, **options
    )


def _quantized_dir(folder: Path) -> bool:
    """An earlier run's output (rewritten freely), told by the quantisation record in its labels.json."""
    try:
        data = json.loads((folder / LABELS_FILE).read_text(encoding="utf8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and isinstance(data.get("model"), dict) and "quantization" in data["model"]


def is_quantized(labels: LabelMap) -> bool:
    return "quantization" in labels.meta


def read_label_map(model_dir: str | Path) -> LabelMap:
    return LabelMap.from_json(json.loads((Path(model_dir) / LABELS_FILE).read_text(encoding="utf8")))
