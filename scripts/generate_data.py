"""Generate the NER train/val/test splits (the original project's JSON format) and corpus/split_manifest.json."""

import time
from pathlib import Path

import typer

from animal_verifier.ontology.lexicon import load_lexicon
from animal_verifier_train.datagen import (
    DatagenConfig,
    DatagenError,
    WordNetTextError,
    generate_corpus,
    write_corpus,
)
from animal_verifier_train.datagen.generate import MARKED_HELDOUT_SHARE
from animal_verifier_train.ner.corpus import CorpusError, read_records
from animal_verifier_train.wordnet import WORDNET_DIR


def main(
    output_dir: Path = typer.Option(Path("corpus"), help="Where the three JSON files and the manifest go"),
    seed: int = typer.Option(0, help="Same seed, same bytes"),
    n_train: int = typer.Option(6000, help="Training sentences"),
    n_val: int = typer.Option(800, help="Validation sentences"),
    n_test: int = typer.Option(800, help="Test sentences (held-out templates and names)"),
    heldout_names: float = typer.Option(0.15, help="Share of animal name families seen only in test"),
    heldout_templates: bool = typer.Option(True, help="Keep the templates marked `heldout` in the data for test"),
    real_share: float = typer.Option(0.12, help="Share of WordNet sentences in train and val"),
    wordnet_dir: Path = typer.Option(WORDNET_DIR, help="WordNet 3.0 database (data.noun, index.sense)"),
    lexicon: Path = typer.Option(None, help="Animal lexicon JSON (default: the one in the package)"),
    exclude: list[Path] = typer.Option(
        [], help="NER JSON file whose texts must never be emitted (e.g. an evaluation set); repeatable"
    ),
) -> None:
    start = time.perf_counter()
    try:
        excluded = frozenset(r.text for path in exclude for r in read_records(path))
        config = DatagenConfig(
            seed=seed,
            n_train=n_train,
            n_val=n_val,
            n_test=n_test,
            heldout_names=heldout_names,
            heldout_templates=MARKED_HELDOUT_SHARE if heldout_templates else 0.0,
            real_share=real_share,
            wordnet_dir=str(wordnet_dir),
            exclude_texts=excluded,
        )
        lex = load_lexicon(str(lexicon)) if lexicon else load_lexicon()
        corpus = generate_corpus(config, lex, progress=True)
        paths = write_corpus(corpus, output_dir)
    except (CorpusError, DatagenError, WordNetTextError, OSError, ValueError) as err:
        typer.secho(f"error: {err}", fg="red", err=True)
        raise typer.Exit(1) from None
    counts = corpus.slice_counts()
    slices = sorted({s for c in counts.values() for s in c} - {"all"})
    typer.echo(f"{'slice':<18}" + "".join(f"{split:>8}" for split in counts))
    for name in ["all", *slices]:
        typer.echo(f"{name:<18}" + "".join(f"{c.get(name, 0):>8}" for c in counts.values()))
    manifest = corpus.manifest
    typer.echo(
        f"held out for test: {len(manifest['heldout_templates'])} templates, "
        f"{len(manifest['heldout_name_words'])} name words ({len(manifest['heldout_names'])} names)"
    )
    for path in paths.values():
        typer.echo(f"wrote {path}")
    typer.echo(f"done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    typer.run(main)
