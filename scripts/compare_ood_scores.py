"""OOD scores side by side: MSP, MaxLogit, Energy, animal Energy (runtime, from the logits) and SCALE / ASH-S
(from the PyTorch backbone's pooled features), as AUROC on the committed photos. docs/vision.md has the table.
"""

import json
from pathlib import Path
from typing import Annotated

import typer

from animal_verifier.vision.classifier import ModelDirError
from animal_verifier.vision.image_io import ImageError
from animal_verifier_train.evaluation.claim_calibration import load_photo_set, ood_auroc
from animal_verifier_train.evaluation.ood_features import features_and_logits, shaping_scores
from animal_verifier_train.evaluation.photos import DEV_PHOTO_FOLDERS


def main(
    model_dir: Annotated[Path, typer.Option(help="The exported ImageNet model dir")] = Path(
        "training/classifier/imagenet"
    ),
    photos: Annotated[list[Path], typer.Option(help="Folders with photos.csv (repeat the option)")] = list(  # noqa: B006
        DEV_PHOTO_FOLDERS
    ),
    output: Annotated[Path, typer.Option(help="JSON to write")] = Path("training/classifier/ood_scores.json"),
    percentiles: Annotated[list[float], typer.Option(help="SCALE / ASH percentiles")] = [65.0, 85.0, 90.0],  # noqa: B006
) -> None:
    try:
        classifier, data = load_photo_set(model_dir, photos)
    except (ModelDirError, ImageError, FileNotFoundError) as e:
        typer.secho(f"error: {e}", fg="red", err=True)
        raise typer.Exit(1) from None
    features, _, weight, bias = features_and_logits(
        [p.path for p in data.photos], classifier.labels.preprocessing, classifier.labels.model_name
    )
    for pct in percentiles:
        data.ood_scores.update(shaping_scores(features, weight, bias, pct))
    table = ood_auroc(data)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"photos": [str(p) for p in photos], "auroc": table}, indent=1) + "\n")
    typer.echo("AUROC, known animals against: animals the model cannot name (near) / images with no animal (far)")
    for name, a in table.items():
        typer.echo(f"  {name:14} near {a['near']:.3f}  far {a['far']:.3f}")
    typer.echo(f"wrote {output}")


if __name__ == "__main__":
    typer.run(main)
