"""Pull candidate real sentences (Debian fortunes, WordNet examples) for hand-labelling the real-text set.

The output only chooses what a person reads; the labelled set is assets/real_text/real_text_ner.json,
written by hand from these candidates (see assets/real_text/README.md).
"""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from animal_verifier import atomic
from animal_verifier_train.ner.real_text import (
    FORTUNES_DIR,
    MAX_CHARS,
    WORDNET_DIR,
    RealTextError,
    extract_candidates,
    iter_real_sentences,
)

app = typer.Typer(add_completion=False)


@app.command()
def main(
    output: Annotated[Path, typer.Option(help="JSON lines, one candidate each")] = Path(
        "corpus/real_text_candidates.jsonl"
    ),
    fortunes_dir: Annotated[Path, typer.Option(help="Debian package 'fortunes'")] = FORTUNES_DIR,
    wordnet_dir: Annotated[Path, typer.Option(help="Debian package 'wordnet-base'")] = WORDNET_DIR,
    max_chars: Annotated[int, typer.Option(help="Keep texts shorter than this")] = MAX_CHARS,
) -> None:
    """Write every short real sentence that holds an animal word or a look-alike, with its source id."""
    for directory, package in ((fortunes_dir, "fortunes"), (wordnet_dir, "wordnet-base")):
        if not directory.is_dir():
            print(f"error: {directory} not found; install the Debian package '{package}'", file=sys.stderr)
            raise typer.Exit(1)
    try:
        sentences = tqdm(iter_real_sentences(fortunes_dir, wordnet_dir), desc="sentences", unit="")
        candidates = extract_candidates(sentences, max_chars)
    except (OSError, RealTextError) as err:
        print(f"error: {err}", file=sys.stderr)
        raise typer.Exit(1) from err
    lines = [json.dumps({"text": c.text, "source": c.source, "hits": list(c.hits)}) + "\n" for c in candidates]
    atomic.write_text(output, "".join(lines))
    n_fortunes = sum(c.source.startswith("fortunes:") for c in candidates)
    n_wordnet = len(candidates) - n_fortunes
    print(f"{len(candidates)} candidates ({n_fortunes} fortunes, {n_wordnet} WordNet) -> {output}")


if __name__ == "__main__":
    app()
