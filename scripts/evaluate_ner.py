"""Score the trained NER on the generated test split and on the hand-labelled real-text set."""

import json
from pathlib import Path

import spacy
import typer

from animal_verifier.ontology.lexicon import load_lexicon
from animal_verifier.pipeline import ensure_linker
from animal_verifier_train.evaluation.ner_eval import evaluate, plot_reports
from animal_verifier_train.ner.corpus import CorpusError, read_records


def main(
    model: Path = typer.Option(Path("training/ner/model-best"), help="Trained pipeline folder"),
    test_path: Path = typer.Option(Path("corpus/test_ner_dataset.json"), help="Generated test split (JSON)"),
    real_path: Path = typer.Option(Path("assets/real_text/real_text_ner.json"), help="Real-text set (JSON)"),
    output: Path = typer.Option(Path("training/ner_metrics.json"), help="Metrics JSON; a PNG goes beside it"),
    drop_plain_words: bool = typer.Option(
        True, help="The linker drops unlinked mentions made of plain English words (the product's setting)"
    ),
) -> None:
    if not model.is_dir():
        typer.secho(f"error: no trained model at {model}; run `spacy project run train-ner`", fg="red", err=True)
        raise typer.Exit(1)
    try:
        sets = {"generated test": read_records(test_path), "real text": read_records(real_path)}
    except CorpusError as err:
        typer.secho(f"error: {err}", fg="red", err=True)
        raise typer.Exit(1) from None
    # The product's text half is NER + animal_linker (which fits span boundaries to the lexicon);
    # the NER model alone is scored too, so the two contributions stay visible.
    nlp = ensure_linker(spacy.load(model), drop_plain_words=drop_plain_words)
    lexicon = load_lexicon()
    reports = [evaluate(nlp, records, lexicon, name) for name, records in sets.items()]
    with nlp.select_pipes(disable=["animal_linker"]):
        reports += [evaluate(nlp, records, lexicon, f"{name} (NER alone)") for name, records in sets.items()]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({r.name: r.to_dict() for r in reports}, indent=2) + "\n")
    plot_reports(reports, output.with_suffix(".png"))
    for report in reports:
        typer.echo(f"== {report.name}")
        for name, counts in report.slices.items():
            c = counts.to_dict()
            typer.echo(
                f"  {name:14s} n={c['sentences']:5d}  P={c['precision']:.3f} R={c['recall']:.3f} "
                f"F1={c['f1']:.3f}  sentences right={c['sentence_accuracy']:.3f}"
            )
    typer.echo(f"wrote {output} and {output.with_suffix('.png')}")


if __name__ == "__main__":
    typer.run(main)
