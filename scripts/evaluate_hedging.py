"""Accuracy against specificity of the hedged `predicted` name on the real animal photos (docs/vision.md).

    python scripts/evaluate_hedging.py --model-dir training/classifier/imagenet \
        --photos assets/photos --photos assets/photos_dev --output training/hedging/hedging.json

Writes the curve (one point per confidence) and every photo's answer at ``--detail-at`` as JSON, and the
curve as a plot beside it (``.png``).
"""

import json
from pathlib import Path
from typing import Annotated

import typer

from animal_verifier import atomic
from animal_verifier.ontology.hedging import HEDGE_CONFIDENCE_DEFAULT
from animal_verifier.ontology.lexicon import load_lexicon
from animal_verifier.vision.classifier import ImageClassifier, ModelDirError
from animal_verifier.vision.image_io import ImageError
from animal_verifier_train.evaluation.hedging_eval import hedging_curve, plot_curve
from animal_verifier_train.evaluation.photos import read_photos

GRID = "0.3,0.4,0.5,0.6,0.7,0.8,0.9,0.95"


def main(
    model_dir: Annotated[Path, typer.Option(help="Model dir (model.onnx + labels.json)")] = Path(
        "training/classifier/imagenet"
    ),
    photos: Annotated[list[Path], typer.Option(help="Folder with photos.csv (repeat for several)")] = [  # noqa: B006
        Path("assets/photos")
    ],
    output: Annotated[Path, typer.Option(help="JSON report; the plot goes beside it")] = Path(
        "training/hedging/hedging.json"
    ),
    confidences: Annotated[str, typer.Option(help="Comma-separated confidences to try")] = GRID,
    detail_at: Annotated[float, typer.Option(help="Confidence of the per-photo answers")] = HEDGE_CONFIDENCE_DEFAULT,
) -> None:
    try:
        grid = sorted(float(c) for c in confidences.split(",") if c.strip())
        if not grid or not all(0 < c <= 1 for c in grid + [detail_at]):
            raise ValueError(f"confidences must be in (0, 1], got {confidences!r} and {detail_at}")
        classifier = ImageClassifier.from_dir(model_dir)
        listed = [photo for folder in photos for photo in read_photos(folder)]
        result = hedging_curve(classifier, listed, load_lexicon(), grid, detail_at=detail_at)
    except (ModelDirError, ImageError, FileNotFoundError, ValueError) as e:
        typer.secho(f"error: {e}", fg="red", err=True)
        raise typer.Exit(1) from None
    result = {"model": f"{classifier.labels.model_name} {classifier.labels.model_version}", **result}
    atomic.write_text(output, json.dumps(result, indent=1) + "\n")
    plot_curve(result, output.with_suffix(".png"))

    typer.echo(f"{result['photos']} expressible real animal photos; P(animal) threshold {result['animal_threshold']}")
    columns = ("correct", "entry", "exact", "broader", "finer", "wrong", "none")
    typer.echo(f"{'c':>5} " + " ".join(f"{c:>8}" for c in columns))
    for p in result["curve"]:
        typer.echo(
            f"{p['confidence']:5.2f} "
            + " ".join(f"{p[k]:8.3f}" for k in ("accuracy", "specificity", "exact", "less_specific"))
            + " "
            + " ".join(f"{p[k]:8.3f}" for k in ("more_specific", "wrong", "no_animal"))
        )
    h = result["held_out"]
    typer.echo(
        f"\nheld out (c chosen on the other photos, leave one out; chosen {h['confidence_chosen']}): the name a "
        f"person gave {h['exact_count']}/{h['photos']} = {h['exact']:.3f}, correct {h['accuracy']:.3f}, "
        f"entry level {h['specificity']:.3f}"
    )
    typer.echo(f"\nat c = {detail_at}:")
    for a in result["detail"]:
        typer.echo(f"  {a['file']:28} {a['label']:14} -> {a['predicted'] or 'no animal':18} {a['level'] or '':8} "
                   f"{a['probability']:.3f}  {a['outcome']}")  # fmt: skip
    typer.echo(f"wrote {output} and {output.with_suffix('.png')}")


if __name__ == "__main__":
    typer.run(main)
