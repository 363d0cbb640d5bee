"""The verdicts as selective prediction: how many claims are answered (True/False) and how many of the
answers are confidently wrong, at each operating point, from nested cross-validation
(:func:`animal_verifier_train.evaluation.claim_calibration.cross_validate`).

Coverage is the share of claims answered supported or contradicted ("not sure" and "unverifiable" are
abstentions); a confident error is a true claim contradicted or a false claim supported. The risk-coverage
curve (Geifman & El-Yaniv 2017) plots, per operating point, the share of the *answered* claims that are wrong
against the coverage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from animal_verifier.verify.claims import CONTRADICTED, SUPPORTED, Mention, judge
from animal_verifier.vision.calibration import Thresholds
from animal_verifier.vision.ood import KNOWN
from animal_verifier_train.evaluation.claim_calibration import CrossValidation, Judged, PhotoSet
from animal_verifier_train.evaluation.photo_eval import PhotoResult

ALL = "all"


def selective_figures(judged: Iterable[Judged], key: str) -> dict:
    """Coverage and confident errors of ``judged`` at the operating point ``key`` (a risk key, "0.01")."""
    claims = list(judged)
    verdicts = [(j.truth, j.verdicts[key]) for j in claims]
    answered = sum(v in (SUPPORTED, CONTRADICTED) for _, v in verdicts)
    errors = sum((t and v == CONTRADICTED) or (not t and v == SUPPORTED) for t, v in verdicts)
    true = [v for t, v in verdicts if t]
    n = len(claims)
    return {
        "claims": n,
        "photos": len({j.photo for j in claims}),
        "answered": answered,
        "coverage": round(answered / n, 4) if n else None,
        "confident_errors": errors,
        "confident_errors_per_100_claims": round(100 * errors / n, 2) if n else None,
        "risk_of_answers": round(errors / answered, 4) if answered else None,  # the risk-coverage curve's y
        "true_claims": len(true),
        "true_claims_supported": sum(v == SUPPORTED for v in true),
        "true_claims_contradicted": sum(v == CONTRADICTED for v in true),
        "false_claims_supported": sum(v == SUPPORTED for t, v in verdicts if not t),
    }


def selective_report(data: PhotoSet, cv: CrossValidation) -> dict:
    """Per operating point: the figures overall, per kind of image (photo, photo_cutout, drawing, ...) and
    per category (a known animal, one the model can't name, none), each with its counts."""
    kinds = sorted({p.kind for p in data.photos})
    categories = sorted(set(data.category))
    report = {}
    for risk in cv.risks:
        key = f"{risk:g}"
        groups = {ALL: cv.judged}
        groups |= {f"kind={k}": [j for j in cv.judged if data.photos[j.photo].kind == k] for k in kinds}
        groups |= {f"category={c}": [j for j in cv.judged if data.category[j.photo] == c] for c in categories}
        report[key] = {name: selective_figures(claims, key) for name, claims in groups.items() if claims}
    return report


def in_sample_report(results: Iterable[PhotoResult], points: Mapping[str, Thresholds]) -> dict:
    """The same figures on photos scored with the shipped thresholds (:func:`.photo_eval.score_photos`), not
    held out: a look at a photo set, not a figure to quote (those are :func:`selective_report`'s). Each animal
    photo's true label and its false labels are claims, judged by :func:`~animal_verifier.verify.claims.judge`
    from their probability and P(animal) at each operating point (the near-OOD rule needs the logits, and is
    left out)."""
    judged = []
    for index, r in enumerate(results):
        claims = [
            (r.label, True, r.true_probability),
            *((label, False, p) for label, p in r.false_probabilities.items()),
        ]
        for label, truth, p in claims:
            if p is None:
                continue
            mention = Mention(label, label, label, negated=False)
            verdicts = {
                key: judge(mention, lambda _, p=p: p, r.animal_probability, None, t).verdict
                for key, t in points.items()
            }
            judged.append(Judged(index, label, truth, p, next(iter(verdicts.values())), KNOWN, verdicts))
    return {key: {ALL: selective_figures(judged, key)} for key in points}


PLOTTED = (ALL, "category=known", "kind=photo", "kind=photo_cutout")
TITLE = "Risk-coverage, nested cross-validation on the dev photos"


def risk_coverage_figure(report: dict, groups: tuple[str, ...] = PLOTTED, title: str = TITLE):
    """Risk (share of answered claims that are wrong) against coverage, one point per operating point (the
    risks that give the same point share one label); a matplotlib Figure."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.2))
    keys = sorted(report, key=float)
    for group in groups:
        points = [
            (report[k][group]["coverage"], report[k][group]["risk_of_answers"], k) for k in keys if group in report[k]
        ]
        if not points:
            continue
        n, photos = report[keys[0]][group]["claims"], report[keys[0]][group]["photos"]
        ax.plot([p[0] for p in points], [p[1] for p in points], "o-", label=f"{group} ({n} claims, {photos} images)")
        labels: dict[tuple[float, float], list[str]] = {}
        for cov, risk, k in points:
            labels.setdefault((cov, risk), []).append(k)
        for (cov, risk), ks in labels.items():
            ax.annotate("risk " + "/".join(ks), (cov, risk), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("coverage: share of claims answered True/False")
    ax.set_ylabel("confident errors / answered claims")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_risk_coverage(report: dict, path: str | Path, groups: tuple[str, ...] = PLOTTED) -> None:
    """:func:`risk_coverage_figure` written to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = risk_coverage_figure(report, groups)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
