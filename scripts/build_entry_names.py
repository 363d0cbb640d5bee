"""Derive the entry-level name of every ImageNet animal class from WordNet 3.0 and write the reviewable table.

    python scripts/build_entry_names.py --output animal_verifier/data/imagenet_entry_names.tsv

``--sweep 0.4,0.5,...`` only prints, for each specificity cost, how many hand-checked names the table would
agree with (how the default cost was chosen), and writes nothing.
"""

import sys
from pathlib import Path
from typing import Annotated

import typer

from animal_verifier import atomic
from animal_verifier.ontology.entry_names import default_entry_names_path, format_entry_names
from animal_verifier.ontology.imagenet import imagenet_classes
from animal_verifier.ontology.lexicon import load_lexicon
from animal_verifier_train.wordnet import WORDNET_DIR
from animal_verifier_train.wordnet.entry_level import (
    HAND_CHECKED,
    SPECIFICITY_COST,
    agreement,
    entry_names,
    table_header,
    word_evidence,
)
from animal_verifier_train.wordnet.lexicon_builder import WordNetNotFound


def main(
    wordnet_dir: Annotated[Path, typer.Option(help="Folder with the WordNet 3.0 database files")] = WORDNET_DIR,
    lexicon: Annotated[Path | None, typer.Option(help="Animal lexicon JSON (default: the packaged one)")] = None,
    output: Annotated[Path, typer.Option(help="Where to write the TSV")] = default_entry_names_path(),
    cost: Annotated[float, typer.Option(help="Specificity cost per hypernym step")] = SPECIFICITY_COST,
    sweep: Annotated[str, typer.Option(help="Comma-separated costs to compare on the hand-checked names")] = "",
) -> None:
    """One row per ImageNet animal class: class id and name, entry-level name, its synset id and evidence."""
    try:
        lex = load_lexicon(lexicon)
        evidence = word_evidence(lex, wordnet_dir)
        costs = [float(c) for c in sweep.split(",") if c.strip()]
    except (WordNetNotFound, OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        raise typer.Exit(1) from None
    classes = imagenet_classes()
    for c in costs:
        rows = entry_names(classes, lex, evidence, cost=c)
        typer.echo(f"cost {c:.2f}: {agreement(rows, HAND_CHECKED):.3f} of {len(HAND_CHECKED)} hand-checked names agree")
    if costs:
        return
    rows = entry_names(classes, lex, evidence, cost=cost)
    try:
        atomic.write_text(output, format_entry_names(rows, table_header(cost)))
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)
        raise typer.Exit(1) from None
    typer.echo(
        f"{output}: {len(rows)} animal classes, {len({r.entry_id for r in rows})} entry-level names; "
        f"{agreement(rows, HAND_CHECKED):.3f} of {len(HAND_CHECKED)} hand-checked names agree"
    )


if __name__ == "__main__":
    typer.run(main)
