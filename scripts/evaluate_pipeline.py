"""End-to-end verdict accuracy on the shipped real photos: one Doc carries the text and the image."""

import json
from pathlib import Path

import typer


def main(
    model: str = typer.Option("training/pipeline", help="Full pipeline folder or package"),
    photos: Path = typer.Option(Path("assets/photos"), help="Folder with photos.csv"),
    output: Path = typer.Option(Path("training/pipeline_metrics.json"), help="Metrics JSON; a PNG goes beside it"),
    risk: float = typer.Option(None, help="Operating point (a risk fitted at build time); default: the pipeline's"),
) -> None:
    from animal_verifier.ontology.lexicon import load_lexicon
    from animal_verifier.pipeline import ModelNotFound, load
    from animal_verifier_train.evaluation.photos import read_photos
    from animal_verifier_train.evaluation.pipeline_eval import build_cases, evaluate_pipeline, plot_report

    try:
        nlp = load(model, risk)
    except (ModelNotFound, ValueError) as err:
        typer.secho(f"error: {err}", fg="red", err=True)
        raise typer.Exit(1) from None
    cases = build_cases(read_photos(photos), load_lexicon())
    report = evaluate_pipeline(nlp, cases)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report.to_dict(), indent=2) + "\n")
    plot_report(report, output.with_suffix(".png"))
    for kind, counts in sorted(report.per_kind.items()):
        typer.echo(
            f"{kind:15s} accuracy {report.accuracy(kind):.3f}  claims {counts['expressible']:3d}  "
            f"unverifiable {counts['unverifiable_expected']:2d}  ner errors {counts['ner_errors']}  "
            f"statements: right {counts['match_right']}, not sure {counts['match_not_sure']}, "
            f"wrong {counts['match_confident_wrong']} of {counts['statements']}"
        )
    typer.echo(f"overall claim accuracy (expressible claims): {report.accuracy():.3f}; wrote {output}")


if __name__ == "__main__":
    typer.run(main)
