"""Execute the notebooks on what the workflow built and write each with its outputs into the git-ignored
training/notebooks/ (project.yml `notebooks`); `spacy project run report` publishes normalised copies to
notebooks/, so the main job leaves the tree clean. A notebook that fails is not written."""

from pathlib import Path
from typing import Annotated

import nbformat
import typer

from animal_verifier import atomic
from animal_verifier_train.notebooks import CELL_TIMEOUT, NotebookError, declared_parameters, execute


def main(
    notebooks: Annotated[list[Path], typer.Argument(help="Notebooks to execute")],
    output_dir: Annotated[Path, typer.Option(help="Where the executed notebooks go")] = Path("training/notebooks"),
    pipeline: Annotated[Path, typer.Option(help="The assembled pipeline")] = Path("training/pipeline"),
    corpus: Annotated[Path, typer.Option(help="The generated NER corpus (generate-data)")] = Path("corpus"),
    photos: Annotated[Path, typer.Option(help="Folder with photos.csv")] = Path("assets/photos"),
    real_text: Annotated[Path, typer.Option(help="The real-text NER set")] = Path(
        "assets/real_text/real_text_ner.json"
    ),
    pairs: Annotated[Path, typer.Option(help="Sentence and photo pairs (JSON Lines)")] = Path(
        "assets/demo/pairs.jsonl"
    ),
    timeout: Annotated[int, typer.Option(min=1, help="Seconds a cell may run")] = CELL_TIMEOUT,
) -> None:
    given = {"pipeline": pipeline, "corpus": corpus, "photos": photos, "real_text": real_text, "pairs": pairs}
    missing = [str(p) for p in given.values() if not p.exists()]
    if missing:
        typer.secho(f"error: missing {', '.join(missing)} (run the `all` workflow first)", fg="red", err=True)
        raise typer.Exit(1)
    failed = []
    for path in notebooks:
        try:
            wanted = {k: v for k, v in given.items() if k in declared_parameters(path)}
            nb = execute(path, wanted, timeout=timeout)
        except (NotebookError, FileNotFoundError, ValueError) as err:
            typer.secho(f"error: {err}", fg="red", err=True)
            failed.append(path)
            continue
        output_dir.mkdir(parents=True, exist_ok=True)
        written = output_dir / path.name
        atomic.write_text(written, nbformat.writes(nb))
        typer.echo(f"wrote {written} ({written.stat().st_size / 1e6:.2f} MB)")
    if failed:
        raise typer.Exit(1)


if __name__ == "__main__":
    typer.run(main)
