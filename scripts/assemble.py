"""Join the trained NER and the exported image model into the product pipeline folder."""

from pathlib import Path

import typer

from animal_verifier import __version__


def main(
    ner: Path = typer.Option(Path("training/ner/model-best"), help="Trained NER pipeline"),
    image_model: Path = typer.Option(Path("training/classifier/imagenet"), help="ONNX model dir"),
    output: Path = typer.Option(Path("training/pipeline"), help="Where to write the full pipeline"),
) -> None:
    from animal_verifier.pipeline import assemble
    from animal_verifier.vision.classifier import ModelDirError

    for path, step in ((ner / "config.cfg", "train-ner"), (image_model / "model.onnx", "export-classifier")):
        if not path.is_file():
            typer.secho(f"error: {path} not found; run `spacy project run {step}`", fg="red", err=True)
            raise typer.Exit(1)
    meta = {
        "name": "animal_verifier",
        "version": __version__,
        "description": "ANIMAL NER (MiniLM transformer) + WordNet linking + ImageNet EfficientNet-Lite0 "
        "(ONNX Runtime) + claim verification",
        "license": "MIT (code); WordNet 3.0 licence (lexicon); Apache-2.0 (image weights)",
        "requirements": [f"animal-verifier=={__version__}"],
    }
    try:
        nlp = assemble(ner, image_model, meta)
    except ModelDirError as err:
        typer.secho(f"error: {err}", fg="red", err=True)
        raise typer.Exit(1) from None
    nlp.to_disk(output)
    typer.echo(f"wrote {output}: {nlp.pipe_names}")


if __name__ == "__main__":
    typer.run(main)
