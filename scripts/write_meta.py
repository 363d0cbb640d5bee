"""Give an assembled pipeline its package meta (name, version, description, licence) from metas/."""

from pathlib import Path

import srsly
import typer

from animal_verifier.atomic import write_json


def main(
    pipeline: Path = typer.Argument(..., help="Pipeline folder written by `spacy assemble`"),
    meta: Path = typer.Option(Path("metas/en_animal_verifier.json"), help="Meta file to merge into meta.json"),
    version: str = typer.Option(None, help="Pipeline version (default: the meta file's)"),
) -> None:
    target = pipeline / "meta.json"
    for path in (target, meta):
        if not path.is_file():
            typer.secho(f"error: {path} not found", fg="red", err=True)
            raise typer.Exit(1)
    merged = {**srsly.read_json(target), **srsly.read_json(meta)}
    if version:
        merged["version"] = version
    write_json(target, merged, indent=2)
    typer.echo(f"{target}: {merged['name']} {merged['version']}")


if __name__ == "__main__":
    typer.run(main)
