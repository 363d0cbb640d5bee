"""Publish the figures the workflow and the benches wrote under training/ as committed files (project.yml `report`):
reports/*.json with their provenance, reports/README.md, the README's Figures section and the executed
notebooks' normalised copies in notebooks/. Publishing twice gives the same bytes."""

from pathlib import Path
from typing import Annotated

import typer

from animal_verifier_train.reports.publish import publish


def main(
    root: Annotated[Path, typer.Option(help="The project folder (project.lock, training/)")] = Path("."),
) -> None:
    if not (root / "project.yml").is_file():
        typer.secho(f"error: {root} is not the project folder (no project.yml)", fg="red", err=True)
        raise typer.Exit(1)
    done = publish(root)
    for note in done.notes:
        typer.echo(f"note: {note}")
    for rel in done.written:
        typer.echo(f"wrote {rel}")
    typer.echo(f"{len(done.written)} written, {len(done.unchanged)} unchanged")


if __name__ == "__main__":
    typer.run(main)
