"""Fine-tune the image classifier on an image-folder tree (the original project's src/train_classifier.py).

Recognises the Animals-10 layout (raw-img/ with Italian folder names). Writes checkpoint.pt, model/
(model.onnx + labels.json), split.json and metrics.json under --model-save-path.
"""

from pathlib import Path
from typing import Annotated

import typer

from animal_verifier.vision.image_io import ImageError
from animal_verifier_train.vision.animals10 import DatasetLayoutError


def main(
    data_dir: Annotated[Path, typer.Option(help="Image folders (Animals-10: the folder holding raw-img/)")],
    model_save_path: Annotated[Path, typer.Option(help="Output folder")] = Path("training/classifier/finetuned"),
    batch_size: Annotated[int, typer.Option(min=1, help="Images per batch")] = 32,
    epochs: Annotated[int, typer.Option(min=1, help="Most passes over the training split")] = 10,
    learning_rate: Annotated[float, typer.Option(min=0.0, help="Head learning rate (backbone: x0.1)")] = 1e-3,
    patience: Annotated[int, typer.Option(min=1, help="Early stopping patience, in epochs")] = 3,
    val_fraction: Annotated[float, typer.Option(min=0.0, max=0.5)] = 0.1,
    test_fraction: Annotated[float, typer.Option(min=0.0, max=0.5)] = 0.1,
    max_per_class: Annotated[int, typer.Option(min=0, help="Cap images per class (0: all)")] = 0,
    workers: Annotated[int, typer.Option(min=0, help="DataLoader worker processes")] = 0,
    seed: Annotated[int, typer.Option()] = 0,
    backbone: Annotated[str, typer.Option(help="Pretrained backbone: lite0, lite1, lite2")] = "lite0",
) -> None:
    from animal_verifier_train.vision.backbone import get_backbone
    from animal_verifier_train.vision.finetune import FinetuneConfig, finetune

    try:
        get_backbone(backbone)
    except ValueError as e:
        typer.secho(f"error: {e}", fg="red", err=True)
        raise typer.Exit(1) from None
    config = FinetuneConfig(
        data_dir=data_dir,
        output_dir=model_save_path,
        batch_size=batch_size,
        epochs=epochs,
        learning_rate=learning_rate,
        patience=patience,
        val_fraction=val_fraction,
        test_fraction=test_fraction,
        max_per_class=max_per_class or None,
        workers=workers,
        seed=seed,
        backbone=backbone,
    )
    try:
        result = finetune(config)
    except (DatasetLayoutError, ImageError) as e:
        typer.secho(f"error: {e}", fg="red", err=True)
        raise typer.Exit(1) from None
    test = result.test
    summary = f"test accuracy {test['accuracy']:.3f}, macro F1 {test['macro_f1']:.3f}" if test else "no test split"
    typer.echo(f"best epoch {result.best_epoch}; {summary}; model dir {result.model_dir}")


if __name__ == "__main__":
    typer.run(main)
