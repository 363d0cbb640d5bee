"""Derive the entry-level name of every ImageNet animal class and write the reviewable table.

    python scripts/build_entry_names.py --output animal_verifier/data/imagenet_entry_names.tsv

``--sweep`` only prints how the rule's settings were chosen, and writes nothing: the agreement with the
hand-checked names of the best settings over ``entry_level.SWEEP_GRID`` (among those that name all the issue's
examples as asked), and the leave-one-out agreement of that choice.
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
    ISSUE_EXAMPLES,
    NamingRule,
    agreement,
    best,
    entry_names,
    leave_one_out,
    sweep,
    table_header,
    word_naturalness,
)
from animal_verifier_train.wordnet.lexicon_builder import WordNetNotFound

DEFAULT = NamingRule()


def main(
    wordnet_dir: Annotated[Path, typer.Option(help="Folder with the WordNet 3.0 database files")] = WORDNET_DIR,
    lexicon: Annotated[Path | None, typer.Option(help="Animal lexicon JSON (default: the packaged one)")] = None,
    output: Annotated[Path, typer.Option(help="Where to write the TSV")] = default_entry_names_path(),
    cost: Annotated[float, typer.Option(help="Specificity cost per hypernym step (Zipf units)")] = DEFAULT.cost,
    min_naturalness: Annotated[float, typer.Option(help="Rarer names are never chosen")] = DEFAULT.min_naturalness,
    keep: Annotated[float, typer.Option(help="A class whose own name is this common keeps it")] = DEFAULT.keep,
    phrase_penalty: Annotated[float, typer.Option(help="Subtracted for a name of several words")] = (
        DEFAULT.phrase_penalty
    ),
    subordinate_penalty: Annotated[float, typer.Option(help="Instead, for one ending in a broader name")] = (
        DEFAULT.subordinate_penalty
    ),
    min_share: Annotated[float, typer.Option(help="log10 share of animal senses a name needs")] = DEFAULT.min_share,
    sweep_grid: Annotated[bool, typer.Option("--sweep", help="Print how the settings were chosen; write nothing")] = (
        False
    ),
) -> None:
    """One row per ImageNet animal class: class id and name, entry-level name, its synset id, steps, naturalness."""
    rule = NamingRule(cost, min_naturalness, keep, phrase_penalty, subordinate_penalty, min_share)
    try:
        lex = load_lexicon(lexicon)
        naturalness = word_naturalness(lex, wordnet_dir)
    except (WordNetNotFound, OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        raise typer.Exit(1) from None
    classes = imagenet_classes()
    n = len(HAND_CHECKED)
    if sweep_grid:
        results = sweep(classes, lex, naturalness, HAND_CHECKED, ISSUE_EXAMPLES)
        chosen = best(results)
        typer.echo(f"{len(results)} rules, {sum(r.admissible for r in results)} name the issue's examples as asked")
        top = [r.rule for r in results if r.admissible and sum(r.matched) == sum(chosen.matched)]
        typer.echo(
            f"best: {sum(chosen.matched)}/{n} hand-checked names agree, {len(top)} rules tie, e.g. {chosen.rule}"
        )
        typer.echo(f"the default {rule} is {'one of them' if rule in top else 'not among them'}")
        typer.echo(f"leave-one-out (the rule chosen without the class): {leave_one_out(results) * n:.0f}/{n}")
        return
    rows = entry_names(classes, lex, naturalness, rule)
    try:
        atomic.write_text(output, format_entry_names(rows, table_header(rule)))
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)
        raise typer.Exit(1) from None
    typer.echo(
        f"{output}: {len(rows)} animal classes, {len({r.entry_id for r in rows})} entry-level names; "
        f"{agreement(rows, HAND_CHECKED) * n:.0f}/{n} hand-checked names agree"
    )


if __name__ == "__main__":
    typer.run(main)
