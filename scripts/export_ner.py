"""Write the runtime NER (the trained encoder on ONNX Runtime, no torch at inference) and check it against
the PyTorch NER on the generated test split and the real-text set: entities identical on >= 99.5% of
documents and F1 within 0.002 on each, every differing document listed in the report."""

import json
from pathlib import Path

import spacy
import typer

from animal_verifier_train.ner.corpus import CorpusError, read_records
from animal_verifier_train.ner.equivalence import MAX_F1_DIFF, MIN_IDENTICAL, compare
from animal_verifier_train.ner.runtime import RuntimeExportError, write_runtime_ner


def main(
    model: Path = typer.Option(Path("training/ner/model-best"), help="Trained NER pipeline folder"),
    output: Path = typer.Option(Path("training/ner/runtime"), help="Runtime NER folder to write"),
    test_path: Path = typer.Option(Path("corpus/test_ner_dataset.json"), help="Generated test split (JSON)"),
    real_path: Path = typer.Option(Path("assets/real_text/real_text_ner.json"), help="Real-text set (JSON)"),
    report: Path = typer.Option(Path("training/ner/runtime_equivalence.json"), help="Equivalence report (JSON)"),
) -> None:
    if not (model / "config.cfg").is_file():
        typer.secho(f"error: no trained model at {model}; run `spacy project run train-ner`", fg="red", err=True)
        raise typer.Exit(1)
    try:
        sets = {"generated test": read_records(test_path), "real text": read_records(real_path)}
        check = write_runtime_ner(model, output)
    except (CorpusError, RuntimeExportError) as err:
        typer.secho(f"error: {err}", fg="red", err=True)
        raise typer.Exit(1) from None
    if check is not None:
        typer.echo(
            f"encoder: ONNX vs PyTorch, max |diff| {check.max_diff_padded:.2e} padded, {check.max_diff_alone:.2e} alone"
        )
    results = [compare(spacy.load(model), spacy.load(output), records, name) for name, records in sets.items()]
    report.parent.mkdir(parents=True, exist_ok=True)
    summary = {"encoder_check": vars(check) if check else None, "sets": [r.to_dict() for r in results]}
    report.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    for r in results:
        typer.echo(
            f"{r.name}: {r.identical}/{r.n_docs} documents identical ({r.identical_share:.2%}), "
            f"F1 {r.f1_torch:.4f} (PyTorch) vs {r.f1_runtime:.4f} (runtime)"
        )
        for doc in r.differing:
            typer.echo(f"  differs: {doc['text']!r}: {doc['torch']} -> {doc['runtime']}")
    if not all(r.passed for r in results):
        need = f">= {MIN_IDENTICAL:.1%} of documents identical and F1 within {MAX_F1_DIFF}"
        typer.secho(f"error: the runtime NER is not equivalent (needs {need}); see {report}", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo(f"wrote {output} and {report}")


if __name__ == "__main__":
    typer.run(main)
