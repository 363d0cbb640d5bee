"""Rebuild the animal lexicon (animal_verifier/data/animal_lexicon.json) from WordNet 3.0.

    python scripts/build_lexicon.py --wordnet-dir /usr/share/wordnet \
        --output animal_verifier/data/animal_lexicon.json
"""

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from animal_verifier import atomic
from animal_verifier.ontology.lexicon import default_lexicon_path
from animal_verifier_train.wordnet import WORDNET_DIR
from animal_verifier_train.wordnet.lexicon_builder import (
    WordNetNotFound,
    build_lexicon,
    lookalikes_json,
)

DEFAULT_OUTPUT = default_lexicon_path()
DEFAULT_LOOKALIKES = DEFAULT_OUTPUT.with_name("lookalikes.json")


def main(
    wordnet_dir: Annotated[Path, typer.Option(help="Folder with the WordNet 3.0 database files")] = (WORDNET_DIR),
    output: Annotated[Path, typer.Option(help="Where to write the lexicon JSON")] = DEFAULT_OUTPUT,
    lookalikes: Annotated[Path, typer.Option(help="Where to write the look-alike phrases")] = (DEFAULT_LOOKALIKES),
) -> None:
    """Every synset under animal.n.01 with its names, plurals and hypernyms, as compact JSON."""
    start = time.perf_counter()
    try:
        lexicon = build_lexicon(wordnet_dir, progress=True)
        atomic.write_json(output, lexicon.to_json())
        atomic.write_json(lookalikes, lookalikes_json(), indent=1)
    except (WordNetNotFound, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        raise typer.Exit(1) from None
    seconds = time.perf_counter() - start
    print(
        f"{output}: {len(lexicon.synsets)} synsets, {len(lexicon.terms)} terms, "
        f"{output.stat().st_size / 1e6:.2f} MB in {seconds:.1f} s; {lookalikes}: "
        f"{len(lookalikes_json()['phrases'])} look-alike phrases"
    )


if __name__ == "__main__":
    typer.run(main)
