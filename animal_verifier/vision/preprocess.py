"""The one image preprocessing, shared by training, export, evaluation and inference.

The settings are data: they are written into each model's ``labels.json`` and read back from there, so a
model and the pixels it was trained on cannot drift apart. The EfficientNet-Lite ImageNet weights expect:
shorter side resized to 256, centre crop 224, RGB, (x - 127) / 128, NCHW float32.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from PIL import Image

_RESAMPLE = {"bilinear": Image.Resampling.BILINEAR, "bicubic": Image.Resampling.BICUBIC}


@dataclass(frozen=True)
class Preprocessing:
    resize: int = 256  # shorter side after resizing
    crop: int = 224  # centre crop, square
    mean: float = 127.0  # pixel value (0..255) mapped to 0
    std: float = 128.0
    interpolation: str = "bilinear"
    channels: str = "RGB"  # fixed; stated so the label map documents the whole input contract
    layout: str = "NCHW"

    def __post_init__(self) -> None:
        if self.interpolation not in _RESAMPLE:
            raise ValueError(f"interpolation must be one of {sorted(_RESAMPLE)}, not {self.interpolation!r}")
        if self.channels != "RGB" or self.layout != "NCHW":
            raise ValueError("only RGB, NCHW input is supported")
        if not 0 < self.crop <= self.resize:
            raise ValueError(f"crop ({self.crop}) must be positive and at most resize ({self.resize})")

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Preprocessing:
        return cls(**data)


def resize_shorter(image: Image.Image, size: int, interpolation: str = "bilinear") -> Image.Image:
    """Scale so the shorter side is ``size`` pixels, keeping the aspect ratio."""
    width, height = image.size
    scale = size / min(width, height)
    new = (max(size, round(width * scale)), max(size, round(height * scale)))
    return image if new == image.size else image.resize(new, _RESAMPLE[interpolation])


def centre_crop(image: Image.Image, size: int) -> Image.Image:
    width, height = image.size
    left, top = int(round((width - size) / 2.0)), int(round((height - size) / 2.0))
    return image.crop((left, top, left + size, top + size))


def to_array(image: Image.Image, p: Preprocessing) -> np.ndarray:
    """An RGB image (already at model size) to a normalised CHW float32 array."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
    return ((pixels - p.mean) / p.std).transpose(2, 0, 1).copy()


def preprocess(image: Image.Image, p: Preprocessing) -> np.ndarray:
    """Evaluation view: resize the shorter side, centre crop, normalise -> (3, crop, crop) float32."""
    return to_array(centre_crop(resize_shorter(image, p.resize, p.interpolation), p.crop), p)


def preprocess_batch(images: Sequence[Image.Image], p: Preprocessing, *, flip: bool = False) -> np.ndarray:
    """A (N, 3, crop, crop) batch; ``flip`` adds each image's mirror image after it (test-time augmentation)."""
    arrays = []
    for image in images:
        array = preprocess(image, p)
        arrays.append(array)
        if flip:
            arrays.append(array[:, :, ::-1])
    return np.ascontiguousarray(np.stack(arrays)) if arrays else np.zeros((0, 3, p.crop, p.crop), np.float32)
