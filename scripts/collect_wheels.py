"""Copy a wheel that `spacy package` built into a flat folder (project.yml `package`).

`spacy package` leaves the wheel in packages/<name>-<version>/dist/, but the README installs with
`pip install packages/en_animal_verifier-*.whl`. weasel runs each script line without a shell, so the
project can't glob or `cp *.whl`; this does the copy, and removes the same distribution's wheels of other
versions there so that the README's glob matches exactly one file.

    python scripts/collect_wheels.py packages/en_animal_verifier-0.1.0/dist/en_animal_verifier-0.1.0-py3-none-any.whl
"""

import shutil
from pathlib import Path
from typing import Annotated

import typer

from animal_verifier.atomic import atomic_path


def main(
    wheel: Annotated[Path, typer.Argument(help="The built wheel")],
    output_dir: Annotated[Path, typer.Option(help="Folder to copy it to")] = Path("packages"),
) -> None:
    if not wheel.is_file() or wheel.suffix != ".whl":
        typer.secho(f"error: {wheel}: no such wheel; did `spacy package ... --build wheel` run?", fg="red", err=True)
        raise typer.Exit(1)
    distribution = wheel.name.split("-", 1)[0]  # wheel names are <distribution>-<version>-...whl
    target = output_dir / wheel.name
    with atomic_path(target) as tmp:
        shutil.copyfile(wheel, tmp)
    for stale in sorted(output_dir.glob(f"{distribution}-*.whl")):
        if stale.name != wheel.name:
            stale.unlink()
            typer.echo(f"removed {stale} (another version)")
    typer.echo(f"wrote {target}")


if __name__ == "__main__":
    typer.run(main)
