"""Calibrate the image side on the committed photos and report only held-out (cross-validated) figures.

Fits the temperature, the claim thresholds and the near-OOD threshold on all photos (what ships with the
model), and refits them without each photo (leave-one-out, or --folds k) to measure them on photos they were
not fitted on. Writes the JSON report, a reliability diagram and the OOD score histogram; --write-calibration
stores the all-photo fit in the model dir's labels.json. docs/vision.md has the figures.
"""

import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from animal_verifier.vision.calibration import DEFAULT_RISK, RISKS, risk_key
from animal_verifier.vision.classifier import LABELS_FILE, ModelDirError
from animal_verifier.vision.image_io import ImageError
from animal_verifier.vision.ood import DEFAULT_SCORE, SCORES
from animal_verifier_train.evaluation.claim_calibration import (
    TEMPERATURES,
    calibration_to_json,
    claim_table,
    cross_validate,
    fit,
    load_photo_set,
    plot_ood_scores,
    plot_reliability,
    summarise,
)
from animal_verifier_train.evaluation.photos import DEV_PHOTO_FOLDERS
from animal_verifier_train.evaluation.selective import ALL, plot_risk_coverage, selective_report


def main(
    model_dir: Annotated[Path, typer.Option(help="Model dir (model.onnx + labels.json)")] = Path(
        "training/classifier/imagenet"
    ),
    photos: Annotated[list[Path], typer.Option(help="Folders with photos.csv (repeat the option)")] = list(  # noqa: B006
        DEV_PHOTO_FOLDERS
    ),
    output: Annotated[Path, typer.Option(help="JSON report to write")] = Path("training/classifier/photo_eval.json"),
    plots: Annotated[Path, typer.Option(help="Folder for the reliability diagram and OOD histogram")] = Path(
        "training/classifier"
    ),
    folds: Annotated[int, typer.Option(help="k-fold cross-validation; 0: leave one photo out")] = 0,
    score: Annotated[str, typer.Option(help=f"OOD score: {', '.join(SCORES)}")] = DEFAULT_SCORE,
    write_calibration: Annotated[bool, typer.Option(help="Store the all-photo fit in labels.json")] = False,
    risk: Annotated[
        float, typer.Option(help=f"The default operating point's risk, one of {', '.join(map(risk_key, RISKS))}")
    ] = DEFAULT_RISK,
) -> None:
    if score not in SCORES:
        typer.secho(f"error: unknown OOD score {score!r}; known: {', '.join(SCORES)}", fg="red", err=True)
        raise typer.Exit(2)
    if risk_key(risk) not in map(risk_key, RISKS):
        typer.secho(
            f"error: --risk {risk:g} is not fitted; fitted: {', '.join(map(risk_key, RISKS))}", fg="red", err=True
        )
        raise typer.Exit(2)
    try:
        classifier, data = load_photo_set(model_dir, photos)
    except (ModelDirError, ImageError, FileNotFoundError) as e:
        typer.secho(f"error: {e}", fg="red", err=True)
        raise typer.Exit(1) from None
    tables = {t: claim_table(data, t) for t in TEMPERATURES}
    calibration, losses = fit(data, np.ones(len(data), dtype=bool), tables, risk, score=score)
    cv = cross_validate(data, k=folds or None, risk=risk, score=score)
    summary = summarise(data, cv)
    selective = selective_report(data, cv)
    report = {
        "model": f"{classifier.labels.model_name} {classifier.labels.model_version}",
        "photos": [str(p) for p in photos],
        "fitted_on_all_photos": calibration_to_json(calibration),
        "claim_log_loss_by_temperature": {str(t): round(v, 5) for t, v in losses.items()},
        "held_out": summary,
        "selective_prediction": selective,
        "per_photo": [
            {
                "file": p.path.name,
                "label": p.label,
                "kind": p.kind,
                "category": data.category[i],
                "held_out_outcome": cv.outcomes[i],
                "held_out_predicted": cv.predicted[i],
                "ood_score": round(float(data.ood_scores[score][i]), 4),
            }
            for i, p in enumerate(data.photos)
        ],
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=1) + "\n", encoding="utf8")
    plots.mkdir(parents=True, exist_ok=True)
    plot_reliability(summary, plots / "reliability.png")
    plot_ood_scores(data, score, calibration.ood.threshold, plots / "ood_scores.png")
    plot_risk_coverage(selective, plots / "risk_coverage.png")

    direction = "sharpens" if calibration.temperature < 1 else "softens" if calibration.temperature > 1 else "keeps"
    s = summary
    typer.echo(
        f"photos: {s['photos']} (known animal / animal it cannot name / no animal)\n"
        f"fitted on all photos: T = {calibration.temperature} ({direction} the softmax), "
        f"{asdict(calibration.thresholds)}, near-OOD {calibration.ood.score} > {calibration.ood.threshold}\n"
        f"held out ({cv.folds} folds):\n"
        f"  true claims supported: {_fmt(s['true_claims_supported'])}; not sure: {s['true_claims_not_sure']}\n"
        f"  false claims accepted: {_fmt(s['false_claims_accepted'])} "
        f"(on animal photos {_fmt(s['false_claims_accepted_on_animal_photos'])}); "
        f"not sure: {len(s['false_claims_not_sure'])} on animal photos\n"
        f"  no-animal images answered no animal or OOD: {_fmt(s['no_animal_answered_no_animal_or_ood'])}\n"
        f"  animals it cannot name flagged: {_fmt(s['near_ood_flagged'])}\n"
        f"  claim probability ECE: {s['calibration_error']['ece']:.4f} ({s['calibration_error']['claims']} claims)\n"
        "OOD AUROC (known animals against: animals it cannot name / no animal):"
    )
    for name, a in s["auroc"].items():
        typer.echo(f"  {name:14} near {a['near']:.3f}  far {a['far']:.3f}")
    typer.echo("selective prediction, held out (coverage; confident errors per 100 claims; true claims supported):")
    for key, groups in selective.items():
        for group, f in groups.items():
            if group == ALL or group.startswith("kind="):
                typer.echo(
                    f"  risk {key:5} {group:18} {f['claims']:5} claims on {f['photos']:3} images: coverage "
                    f"{f['coverage']:.3f}; errors {f['confident_errors_per_100_claims']:.2f}/100; "
                    f"true supported {f['true_claims_supported']}/{f['true_claims']}"
                )
    typer.echo(f"operating points: { {k: asdict(t) for k, t in calibration.operating_points.items()} }")
    if write_calibration:
        labels = replace(
            classifier.labels,
            thresholds=calibration.thresholds,
            operating_points=calibration.operating_points,
            risk=calibration.risk,
            temperature=calibration.temperature,
            ood=calibration.ood,
        )
        labels.write(model_dir / LABELS_FILE)
        typer.echo(f"wrote the calibration to {model_dir / LABELS_FILE}")
    typer.echo(
        f"report: {output}; plots: {plots / 'reliability.png'}, {plots / 'ood_scores.png'}, "
        f"{plots / 'risk_coverage.png'}"
    )


def _fmt(rate: dict) -> str:
    return f"{rate['count']}/{rate['total']} ({rate['rate']:.1%})" if rate["total"] else "n/a"


if __name__ == "__main__":
    typer.run(main)
