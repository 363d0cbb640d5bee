"""Concept-probability figures on the committed photos, and threshold calibration (docs/vision.md).

Prints the image figures (docs/vision.md) at the model's thresholds and at freshly calibrated ones; --write-thresholds
stores the calibrated ones in the model dir's labels.json.
"""

import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import Annotated

import typer

from animal_verifier.vision.classifier import LABELS_FILE, ImageClassifier, ModelDirError
from animal_verifier.vision.image_io import ImageError
from animal_verifier_train.evaluation.photo_eval import calibrate, figures, score_photos
from animal_verifier_train.evaluation.photos import read_photos


def main(
    model_dir: Annotated[Path, typer.Option(help="Model dir (model.onnx + labels.json)")] = Path(
        "training/classifier/imagenet"
    ),
    photos: Annotated[Path, typer.Option(help="Folder with photos.csv")] = Path("assets/photos"),
    output: Annotated[Path, typer.Option(help="JSON report to write")] = Path("training/classifier/photo_eval.json"),
    tta: Annotated[bool | None, typer.Option("--tta/--no-tta", help="Override the model's TTA setting")] = None,
    max_error: Annotated[float, typer.Option(help="Error rate each calibrated threshold allows")] = 0.01,
    write_thresholds: Annotated[bool, typer.Option(help="Store the calibrated thresholds in labels.json")] = False,
) -> None:
    try:
        classifier = ImageClassifier.from_dir(model_dir, tta=tta)
        results = score_photos(classifier, read_photos(photos))
    except (ModelDirError, ImageError, FileNotFoundError) as e:
        typer.secho(f"error: {e}", fg="red", err=True)
        raise typer.Exit(1) from None
    calibrated, choice = calibrate(results, max_error)
    report = {
        "model": f"{classifier.labels.model_name} {classifier.labels.model_version}",
        "tta": classifier.labels.tta,
        "thresholds_in_model": asdict(classifier.thresholds),
        "figures_at_model_thresholds": figures(results, classifier.thresholds),
        "calibrated_thresholds": asdict(calibrated),
        "calibration": choice,
        "figures_at_calibrated_thresholds": figures(results, calibrated),
        "photos": [asdict(r) for r in results],
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=1) + "\n", encoding="utf8")

    typer.echo(f"{'photo':28} {'label':14} {'P(label)':>9} {'P(animal)':>9}  predicted (fine)   worst false label")
    for r in results:
        true = "-" if r.true_probability is None else f"{r.true_probability:.3f}"
        worst = max(r.false_probabilities.items(), key=lambda kv: kv[1], default=("", 0.0))
        typer.echo(
            f"{r.file:28} {r.label or '(none)':14} {true:>9} {r.animal_probability:9.3f}  "
            f"{r.predicted or 'no animal'} ({r.fine_label})   {worst[0]} {worst[1]:.3f}"
        )
    for name, thresholds in (("model", classifier.thresholds), ("calibrated", calibrated)):
        f = figures(results, thresholds)
        typer.echo(
            f"\n{name} thresholds {asdict(thresholds)}:\n"
            f"  true label present: {_fmt(f['true_label_present'])} of expressible photos "
            f"(missed: {', '.join(f['true_label_missed']) or 'none'})\n"
            f"  false labels present: {_fmt(f['false_labels_present'])} on expressible photos, "
            f"{_fmt(f['false_labels_present_all_photos'])} on all animal photos\n"
            f"  false labels judged absent: {_fmt(f['false_labels_judged_absent'])}; "
            f"true labels judged absent: {_fmt(f['true_label_judged_absent'])}\n"
            f"  non-animal images -> no animal: {_fmt(f['non_animal_judged_no_animal'])}; animal photos -> no "
            f"animal: {', '.join(f['animal_photos_judged_no_animal']) or 'none'}\n"
            f"  unverifiable (no class at or below the label): {', '.join(f['unverifiable_photos'])}\n"
            f"  basic-level label = photo label: {_fmt(f['basic_label_matches'])}"
        )
    if write_thresholds:
        labels = replace(classifier.labels, thresholds=calibrated)
        labels.write(model_dir / LABELS_FILE)
        typer.echo(f"\nwrote calibrated thresholds to {model_dir / LABELS_FILE}")
    typer.echo(f"report: {output}")


def _fmt(rate: dict) -> str:
    return f"{rate['count']}/{rate['total']} ({rate['rate']:.1%})" if rate["total"] else "n/a"


if __name__ == "__main__":
    typer.run(main)
