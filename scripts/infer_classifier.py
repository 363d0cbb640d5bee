"""Classify image files: basic-level label, fine class, top-5, P(animal) (the original's infer_classifier.py)."""

import json
from pathlib import Path
from typing import Annotated

import typer

from animal_verifier.vision.classifier import ImageClassifier, ModelDirError
from animal_verifier.vision.image_io import ImageError


def main(
    images: Annotated[list[Path], typer.Argument(help="Image files")],
    model_dir: Annotated[Path, typer.Option(help="Model dir (model.onnx + labels.json)")] = Path(
        "training/classifier/imagenet"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per image, one per line")] = False,
) -> None:
    try:
        classifier = ImageClassifier.from_dir(model_dir)
    except ModelDirError as e:
        typer.secho(f"error: {e}", fg="red", err=True)
        raise typer.Exit(1) from None
    failed = 0
    for path in images:
        try:
            (prediction,) = classifier.classify([path])
        except ImageError as e:
            typer.secho(f"error: {e}", fg="red", err=True)
            failed += 1
            continue
        if as_json:
            record = {
                "image": str(path),
                "label": prediction.label,
                "label_id": prediction.label_id,
                "label_level": prediction.label_level,
                "label_probability": round(prediction.label_probability, 4),
                "fine_label": prediction.fine_label,
                "fine_id": prediction.fine_id,
                "animal_probability": round(prediction.animal_probability, 4),
                "top5": [{"name": n, "id": i, "probability": round(p, 4)} for n, i, p in prediction.top5],
            }
            typer.echo(json.dumps(record, ensure_ascii=False))
            continue
        label = prediction.label or "no animal"
        typer.echo(f"{path}\n  Predicted class: {label} ({prediction.fine_label})")
        typer.echo(f"  animal probability: {prediction.animal_probability:.3f}")
        for name, synset, p in prediction.top5:
            typer.echo(f"    {p:6.3f}  {name} ({synset})")
    if failed:
        raise typer.Exit(1)


if __name__ == "__main__":
    typer.run(main)
