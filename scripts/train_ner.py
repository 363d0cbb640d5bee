"""Train the ANIMAL NER pipeline from a spaCy config (the original project's src/train_ner.py)."""

from pathlib import Path

import typer

from animal_verifier_train.ner.training import Knobs, train


def main(
    config: Path = typer.Option(Path("configs/ner_trf.cfg"), exists=True, dir_okay=False, help="spaCy config"),
    data_path: Path = typer.Option(Path("corpus"), help="Folder with train.spacy and dev.spacy"),
    model_save_path: Path = typer.Option(Path("training/ner"), help="Output folder (model-best, model-last)"),
    batch_size: int = typer.Option(0, min=0, help="Sentences per batch (0: the config's value)"),
    epochs: int = typer.Option(0, min=0, help="Passes over the training data (0: the config's value)"),
    learning_rate: float = typer.Option(0.0, min=0.0, help="Peak learning rate (0: the config's value)"),
    gpu_id: int = typer.Option(-1, help="GPU id, -1 for CPU"),
) -> None:
    train_path, dev_path = data_path / "train.spacy", data_path / "dev.spacy"
    for path in (train_path, dev_path):
        if not path.is_file():
            typer.secho(f"error: {path} not found; run `spacy project run convert` first", fg="red", err=True)
            raise typer.Exit(1)
    best = train(
        config,
        model_save_path,
        train_path,
        dev_path,
        Knobs(batch_size or None, epochs or None, learning_rate or None),
        gpu_id,
    )
    typer.echo(f"best model: {best}")


if __name__ == "__main__":
    typer.run(main)
