"""Accuracy against specificity of hedged names on real animal photos (Deng et al. 2012, figure 1 style).

For each confidence ``c`` the classifier names every expressible animal photo (its label's synset has a
model class at or below it) with :func:`~animal_verifier.ontology.hedging.hedge`. The answer is

* **exact**: the label's own synset, the name a person gave;
* **less specific**: an ancestor of the label ("bird" for a robin): correct, says less;
* **more specific**: below the label ("terrier" for a photo labelled dog): consistent with the label,
  which cannot tell whether it is right;
* **wrong**: any other synset, or "no animal".

Accuracy counts the first three; specificity is the share answered at the entry level.

The confidence itself is chosen on these photos, so the figure to quote is :func:`leave_one_out`'s: each
photo answered at the confidence picked on the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from animal_verifier.ontology.concepts import ConceptIndex
from animal_verifier.ontology.hedging import Ladder, hedge
from animal_verifier.ontology.lexicon import Lexicon
from animal_verifier.vision.classifier import ImageClassifier
from animal_verifier_train.evaluation.photos import Photo

#: Kinds of photo that show a real animal (assets/photos says "photo"; photos_dev also has cut-outs).
ANIMAL_PHOTO_KINDS = ("photo", "photo_cutout")
NO_LABEL = ("", "none")
OUTCOMES = ("exact", "less_specific", "more_specific", "wrong", "no_animal")


@dataclass(frozen=True)
class HedgedAnswer:
    file: str
    label: str
    label_id: str
    predicted: str | None
    predicted_id: str | None
    level: str | None
    probability: float
    outcome: str  # one of OUTCOMES


@dataclass(frozen=True)
class CurvePoint:
    confidence: float
    photos: int
    accuracy: float  # exact + less specific + more specific
    specificity: float  # share answered at the entry level
    exact: float  # the name a person gave
    less_specific: float
    more_specific: float
    wrong: float
    no_animal: float


def expressible_animal_photos(photos: Sequence[Photo], classifier: ImageClassifier) -> list[Photo]:
    """Real animal photos whose label the model can express (a class at or below the label's synset)."""
    return [
        p
        for p in photos
        if p.kind in ANIMAL_PHOTO_KINDS and p.label not in NO_LABEL and classifier.concepts.expressible(p.wordnet_id)
    ]


def judge(predicted_id: str | None, label_id: str, ancestors: Callable[[str], frozenset[str]]) -> str:
    """``ancestors``: a synset's ancestors-or-self, with the model's corrections (a giant panda is a bear)."""
    if predicted_id is None:
        return "no_animal"
    if predicted_id == label_id:
        return "exact"
    if predicted_id in ancestors(label_id):
        return "less_specific"
    if label_id in ancestors(predicted_id):
        return "more_specific"
    return "wrong"


def ancestors_with_corrections(concepts: ConceptIndex, lexicon: Lexicon) -> Callable[[str], frozenset[str]]:
    """A model class's ancestors as its concept index has them (corrections included); else the lexicon's."""
    position = {c: i for i, c in enumerate(concepts.class_ids)}

    def ancestors(synset_id: str) -> frozenset[str]:
        index = position.get(synset_id)
        return concepts.class_ancestors[index] if index is not None else lexicon.ancestors(synset_id)

    return ancestors


def hedged_answers(
    photos: Sequence[Photo],
    probs: np.ndarray,
    ladder: Ladder,
    ancestors: Callable[[str], frozenset[str]],
    confidence: float,
    animal_threshold: float,
) -> list[HedgedAnswer]:
    answers = []
    for photo, p in zip(photos, probs, strict=True):
        h = hedge(ladder, p, confidence, animal_threshold)
        answers.append(
            HedgedAnswer(
                photo.path.name,
                photo.label,
                photo.wordnet_id,
                h.name if h else None,
                h.synset_id if h else None,
                h.level if h else None,
                round(h.probability, 4) if h else 0.0,
                judge(h.synset_id if h else None, photo.wordnet_id, ancestors),
            )
        )
    return answers


def curve_point(confidence: float, answers: Sequence[HedgedAnswer]) -> CurvePoint:
    n = len(answers)
    share = {o: round(sum(a.outcome == o for a in answers) / n, 4) for o in OUTCOMES}
    accuracy = share["exact"] + share["less_specific"] + share["more_specific"]
    specificity = round(sum(a.level == "entry" for a in answers) / n, 4)
    return CurvePoint(confidence, n, round(accuracy, 4), specificity, **share)


def pick_confidence(answers_by_c: dict[float, Sequence[HedgedAnswer]], keep: Sequence[int]) -> float:
    """The confidence with the most names a person gave among photos ``keep``, then the most correct answers,
    then the lowest (the most specific answers)."""

    def merit(c: float) -> tuple[int, int, float]:
        answers = [answers_by_c[c][i] for i in keep]
        exact = sum(a.outcome == "exact" for a in answers)
        correct = sum(a.outcome in ("exact", "less_specific", "more_specific") for a in answers)
        return exact, correct, -c

    return max(answers_by_c, key=merit)


def leave_one_out(answers_by_c: dict[float, Sequence[HedgedAnswer]]) -> dict:
    """Every photo answered at the confidence :func:`pick_confidence` chooses on the other photos."""
    n = len(next(iter(answers_by_c.values())))
    held_out, chosen = [], []
    for i in range(n):
        c = pick_confidence(answers_by_c, [j for j in range(n) if j != i])
        chosen.append(c)
        held_out.append(answers_by_c[c][i])
    point = curve_point(float("nan"), held_out)
    return {
        "confidence_chosen": {str(c): chosen.count(c) for c in sorted(set(chosen))},
        "exact": point.exact,
        "accuracy": point.accuracy,
        "specificity": point.specificity,
        "exact_count": sum(a.outcome == "exact" for a in held_out),
        "photos": n,
    }


def hedging_curve(
    classifier: ImageClassifier,
    photos: Sequence[Photo],
    lexicon: Lexicon,
    confidences: Sequence[float],
    *,
    detail_at: float,
) -> dict:
    """The accuracy/specificity curve over ``confidences`` and every photo's answer at ``detail_at``."""
    chosen = expressible_animal_photos(photos, classifier)
    if not chosen:
        raise ValueError("no expressible real animal photos among the given folders")
    probs = classifier.probabilities([p.path for p in chosen])
    threshold, ladder = classifier.thresholds.animal, classifier.ladder
    ancestors = ancestors_with_corrections(classifier.concepts, lexicon)
    by_c = {c: hedged_answers(chosen, probs, ladder, ancestors, c, threshold) for c in confidences}
    detail = hedged_answers(chosen, probs, ladder, ancestors, detail_at, threshold)
    return {
        "photos": len(chosen),
        "animal_threshold": threshold,
        "curve": [asdict(curve_point(c, answers)) for c, answers in by_c.items()],
        "held_out": leave_one_out(by_c),
        "detail_confidence": detail_at,
        "detail": [asdict(a) for a in detail],
    }


def plot_curve(result: dict, path: Path) -> None:
    """Accuracy and the exact-name rate against specificity, one point per confidence."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = result["curve"]
    spec = [p["specificity"] for p in points]
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(spec, [p["accuracy"] for p in points], "o-", label="correct (exact or broader or finer)")
    ax.plot(spec, [p["exact"] for p in points], "s--", label="the name a person gave")
    for p in points:
        ax.annotate(f"c={p['confidence']:g}", (p["specificity"], p["accuracy"]), fontsize=7, xytext=(3, 3),
                    textcoords="offset points")  # fmt: skip
    ax.set_xlabel("specificity: share named at the entry level")
    ax.set_ylabel("share of photos")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"Hedged names on {result['photos']} expressible real animal photos")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
