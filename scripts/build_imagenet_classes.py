"""Copy the ImageNet-1k class list (ids, names) out of the timm wheel into animal_verifier/data/.

Run once by a developer; the runtime reads only the TSV and never needs timm.
"""

from importlib import metadata, util
from pathlib import Path
from typing import Annotated

import typer

from animal_verifier.ontology.imagenet import default_class_table_path, read_timm_class_list, write_class_table

DEFAULT_OUTPUT = default_class_table_path()


def main(output: Annotated[Path, typer.Option(help="TSV to write")] = DEFAULT_OUTPUT) -> None:
    spec = util.find_spec("timm")
    if spec is None or spec.origin is None:
        typer.secho("error: timm is not installed (pip install timm); it carries the class list", err=True)
        raise typer.Exit(1)
    info_dir = Path(spec.origin).parent / "data" / "_info"
    classes = read_timm_class_list(info_dir)
    write_class_table(classes, output, metadata.version("timm"))
    typer.echo(f"wrote {len(classes)} classes to {output}")


if __name__ == "__main__":
    typer.run(main)
