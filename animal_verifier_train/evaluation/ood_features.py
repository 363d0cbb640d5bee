"""The activation-shaping OOD scores, measured beside the logit scores of :mod:`animal_verifier.vision.ood`.

SCALE (Xu et al., ICLR 2024) and ASH-S (Djurisic et al., ICLR 2023) reshape the pooled features before the
last layer, so they need the features the ONNX model does not output. They are computed here, on the training
side, from the PyTorch backbone (a forward hook on its head), to decide whether the runtime should export the
features too: docs/vision.md has the comparison (it did not pay off on this project's photos).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from animal_verifier.vision.image_io import ImageSource, load_image
from animal_verifier.vision.ood import logsumexp
from animal_verifier.vision.preprocess import Preprocessing, preprocess_batch
from animal_verifier_train.vision.backbone import build_model, head


def features_and_logits(
    images: Sequence[ImageSource], preprocessing: Preprocessing, backbone: str = "lite0", batch_size: int = 16
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pooled features (N, D), logits (N, C), and the head's weight (C, D) and bias (C,) of an ImageNet backbone."""
    model = build_model(backbone=backbone)
    fc = head(model)
    captured: list[np.ndarray] = []
    hook = fc.register_forward_hook(lambda _m, inputs, _out: captured.append(inputs[0].detach().numpy()))
    logits = []
    try:
        for start in range(0, len(images), batch_size):
            decoded = [load_image(s, min_side=preprocessing.resize) for s in images[start : start + batch_size]]
            with torch.inference_mode():
                logits.append(model(torch.from_numpy(preprocess_batch(decoded, preprocessing))).numpy())
    finally:
        hook.remove()
    weight, bias = fc.weight.detach().numpy(), fc.bias.detach().numpy()
    return np.concatenate(captured), np.concatenate(logits), weight, bias


def shaping_scores(
    features: np.ndarray, weight: np.ndarray, bias: np.ndarray, percentile: float = 65.0
) -> dict[str, np.ndarray]:
    """SCALE and ASH-S at one percentile, as "higher = more out-of-distribution" (negated energies)."""
    threshold = np.percentile(features, percentile, axis=1, keepdims=True)
    kept = np.where(features > threshold, features, 0.0)
    scale = np.exp(features.sum(axis=1) / np.maximum(kept.sum(axis=1), 1e-6))[:, None]
    plain = features @ weight.T
    return {
        f"scale{percentile:g}": -logsumexp(plain * scale + bias),
        f"ash-s{percentile:g}": -logsumexp((kept * scale) @ weight.T + bias),
    }
