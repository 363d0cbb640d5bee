"""Write animal_verifier/data/plain_words.txt: English words with no animal sense, from WordNet 3.0.

python scripts/build_plain_words.py --wordnet-dir /usr/share/wordnet
"""

from pathlib import Path
from typing import Annotated

import typer

from animal_verifier import atomic
from animal_verifier.ontology.lexicon import load_lexicon
from animal_verifier.text.plain_words import default_plain_words_path
from animal_verifier_train.wordnet import WORDNET_DIR
from animal_verifier_train.wordnet.plain_words import WordNetFilesMissing, plain_words


def main(
    wordnet_dir: Annotated[Path, typer.Option(help="Folder with the WordNet 3.0 database files")] = WORDNET_DIR,
    output: Annotated[Path, typer.Option(help="Where to write the word list")] = default_plain_words_path(),
) -> None:
    """Lower-case WordNet lemmas that are no lexicon term and have no animal sense, one a line."""
    try:
        words = plain_words(load_lexicon(), wordnet_dir)
        atomic.write_text(output, "".join(f"{w}\n" for w in words))
    except (WordNetFilesMissing, OSError) as e:
        typer.secho(f"error: {e}", fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{output}: {len(words)} words, {output.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    typer.run(main)
