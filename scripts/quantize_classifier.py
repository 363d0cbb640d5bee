"""Quantise an exported image model dir to static int8 (ONNX Runtime, calibrated on a photo folder).

The `quantize-classifier` step: the ImageNet export (training/classifier/imagenet) to
training/classifier/imagenet-int8, QDQ, int8 weights per channel, uint8 activations whose ranges are measured
on the photos listed in CALIBRATION/photos.csv through the model's own preprocessing. int8 changes the
probabilities, so the step then refits its own temperature, operating points and OOD rule
(scripts/evaluate_photos.py --write-calibration); docs/runtime.md has why int8 is the shipped image model.
No torch needed.
"""

from pathlib import Path
from typing import Annotated

import typer


def main(
    model_dir: Annotated[Path, typer.Option(help="The fp32 model dir to quantise (read only)")] = Path(
        "training/classifier/imagenet"
    ),
    output_dir: Annotated[Path, typer.Option(help="Model dir to write")] = Path("training/classifier/imagenet-int8"),
    calibration: Annotated[Path, typer.Option(help="Photo folder (photos.csv) that sets the ranges")] = Path(
        "assets/photos_dev"
    ),
    quant_format: Annotated[str, typer.Option("--format", help="Quantised graph: QDQ or QOperator")] = "QDQ",
    per_channel: Annotated[bool, typer.Option(help="int8 weights per output channel (else per tensor)")] = True,
) -> None:
    from animal_verifier.vision.classifier import ModelDirError
    from animal_verifier.vision.image_io import ImageError
    from animal_verifier_train.vision.quantize import FORMATS, QuantizeError, quantize_on_photos

    if quant_format not in FORMATS:
        _fail(f"--format must be one of {', '.join(FORMATS)}, not {quant_format!r}")
    if output_dir.resolve() == model_dir.resolve():
        _fail("--output-dir must not be --model-dir: the fp32 model stays as it is")
    try:
        q = quantize_on_photos(
            model_dir,
            output_dir,
            calibration,
            calibrated_on=str(calibration),
            quant_format=quant_format,
            per_channel=per_channel,
        )
    except (ImageError, ModelDirError, QuantizeError, OSError, ValueError) as e:
        _fail(str(e))
    typer.echo(
        f"quantised {model_dir} to int8 ({q.format}, calibrated on {q.calibration_images} photos of {calibration}): "
        f"{q.fp32_bytes / 1e6:.1f} MB -> {q.int8_bytes / 1e6:.1f} MB; wrote {output_dir}/model.onnx and labels.json"
    )


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg="red", err=True)
    raise typer.Exit(1)


if __name__ == "__main__":
    typer.run(main)
