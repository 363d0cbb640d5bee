"""Accuracy, per-class precision/recall/F1 and a confusion-matrix PNG for an ONNX classifier model dir.

Evaluates the test split recorded by train_classifier.py (split.json beside the model dir), or every image
of --data-dir (class folders matched to the model's classes by WordNet synset).
"""

import json
from pathlib import Path
from typing import Annotated

import typer

from animal_verifier.ontology.lexicon import load_lexicon
from animal_verifier.vision.classifier import ImageClassifier, ModelDirError
from animal_verifier.vision.image_io import ImageError
from animal_verifier_train.evaluation.classifier_metrics import evaluate_classifier, plot_confusion_matrix
from animal_verifier_train.vision.animals10 import (
    SPLIT_FILE,
    DatasetLayoutError,
    find_class_folders,
    list_images,
    read_split,
)


def main(
    model_dir: Annotated[Path, typer.Option(help="Model dir (model.onnx + labels.json)")] = Path(
        "training/classifier/finetuned/model"
    ),
    data_dir: Annotated[Path | None, typer.Option(help="Evaluate every image here instead of the test split")] = None,
    split_file: Annotated[Path | None, typer.Option(help="split.json (default: beside the model dir)")] = None,
    output: Annotated[Path | None, typer.Option(help="Metrics JSON (default: <model dir>/../eval.json)")] = None,
    plot: Annotated[Path | None, typer.Option(help="Confusion matrix PNG (default: beside the JSON)")] = None,
) -> None:
    try:
        classifier = ImageClassifier.from_dir(model_dir)
        samples = _samples(classifier, data_dir, split_file or model_dir.parent / SPLIT_FILE)
        if not samples:
            raise DatasetLayoutError("no images to evaluate")
        report = evaluate_classifier(classifier, samples, classifier.labels.class_names, progress=True)
    except (ModelDirError, DatasetLayoutError, ImageError, FileNotFoundError) as e:
        typer.secho(f"error: {e}", fg="red", err=True)
        raise typer.Exit(1) from None
    output = output or model_dir.parent / "eval.json"
    plot = plot or output.with_suffix(".png")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=1) + "\n", encoding="utf8")
    plot_confusion_matrix(report, plot, f"{classifier.labels.model_version}")
    typer.echo(f"accuracy {report['accuracy']:.3f}, macro F1 {report['macro_f1']:.3f} on {report['n']} images")
    typer.echo(f"{'class':16} {'precision':>9} {'recall':>7} {'F1':>6} {'n':>5}")
    for name, m in report["per_class"].items():
        typer.echo(f"{name:16} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:6.3f} {m['support']:5d}")
    typer.echo(f"wrote {output} and {plot}")


def _samples(classifier: ImageClassifier, data_dir: Path | None, split_file: Path) -> list[tuple[Path, int]]:
    ids = classifier.labels.class_ids
    if data_dir is None:
        if not split_file.is_file():
            raise FileNotFoundError(f"{split_file} not found; give --data-dir or --split-file")
        samples, classes = read_split(split_file)
        if [c["synset_id"] for c in classes] != list(ids):
            raise DatasetLayoutError(f"{split_file} does not belong to the model in {classifier.labels.model_version}")
        return samples
    samples = []
    for folder in find_class_folders(data_dir, load_lexicon()):
        if folder.synset_id not in ids:
            raise DatasetLayoutError(f"{folder.path}: class {folder.name} ({folder.synset_id}) is not in the model")
        samples += [(path, ids.index(folder.synset_id)) for path in list_images(folder.path)]
    return samples


if __name__ == "__main__":
    typer.run(main)
