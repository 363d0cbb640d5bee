"""Fit the image side's decision settings on labelled photos, and measure them only on photos they were not
fitted on (cross-validation).

What is fitted, all from the logits of each photo computed once:
- the temperature T of the softmax (Guo et al. 2017), chosen for the *claim* decision: the binary log loss
  of P(S | image) for true and false claims, searched on a grid that both sharpens (T < 1) and softens;
- the ``present``/``absent``/``animal``/``no_animal`` thresholds at each risk of
  :data:`~animal_verifier.vision.calibration.RISKS` (the operating points), by the rules of
  :mod:`animal_verifier.vision.calibration` applied to *cross-validated* scores: inside the photos being fitted
  on, each photo's claim and animal probabilities come from a temperature fitted without it (inner folds), so
  a threshold's false-accept and false-reject rates are those of photos it has not seen;
- the near-OOD threshold: 95% of the photos of animals the model knows stay under it.

:func:`cross_validate` refits all of that without each (outer) fold and judges the held-out photos with the
same :func:`animal_verifier.verify.claims.judge` the pipeline uses, so the figures are those a user would see:
nested cross-validation, the thresholds never chosen with the photo they are scored on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from animal_verifier.ontology.concepts import ConceptIndex
from animal_verifier.ontology.hedging import BROADER_ONLY, LEVELS, Ladder, hedge
from animal_verifier.ontology.lexicon import Lexicon, load_lexicon
from animal_verifier.verify.claims import CONTRADICTED, SUPPORTED, UNVERIFIABLE, Mention, judge
from animal_verifier.vision.calibration import DEFAULT_RISK, RISKS, Thresholds, operating_point, risk_key
from animal_verifier.vision.classifier import ImageClassifier, softmax
from animal_verifier.vision.ood import FAR_OOD, KNOWN, NEAR_OOD, SCORES, OodRule
from animal_verifier_train.evaluation.photo_eval import operating_points, unrelated_labels
from animal_verifier_train.evaluation.photos import Photo, read_photo_sets

#: Temperatures searched: 0.25 (sharper) .. 4 (softer), log-spaced; 1 is on the grid.
TEMPERATURES = tuple(float(t) for t in np.round(np.logspace(-2, 2, 41, base=2), 4))
OOD_TPR = 0.95  # share of photos of known animals kept "known" by the near-OOD threshold
#: Share of images with no animal the ``animal`` threshold may let through: the goal is 95% of them answered
#: "no animal" or OOD. 1% (the claim thresholds' rate) would let none of ~100 through, and one animal-like
#: landscape would push the gate above real animal photos (measured: docs/vision.md).
MAX_NO_ANIMAL_PASSED = 0.05
ID, NEAR, FAR = "known", "near", "far"  # what a photo is: a known animal, one the model can't name, none
INNER_FOLDS = 5  # folds inside the photos being fitted on, for the cross-validated scores the thresholds see


@dataclass
class PhotoSet:
    """Everything the fits need, computed once: logits, OOD scores, and the claims to judge per photo."""

    photos: list[Photo]
    logits: np.ndarray  # (N, C)
    category: list[str]  # ID / NEAR / FAR
    claims: list[list[tuple[str, str, bool]]]  # per photo: (label, synset id, is it true?)
    ood_scores: dict[str, np.ndarray]  # score name -> (N,)
    concepts: ConceptIndex
    classes_under: dict[str, np.ndarray]  # synset id -> class indices, for every claimed synset
    ladder: Ladder  # the model's hedging ladder and confidence, to name each image as the pipeline does
    confidence: float

    @property
    def animal_classes(self) -> np.ndarray:
        return self.concepts.animal_classes

    def __len__(self) -> int:
        return len(self.photos)


def load_photo_set(model_dir: str | Path, folders: Sequence[str | Path]) -> tuple[ImageClassifier, PhotoSet]:
    """The exported model (no test-time augmentation: the scores are the runtime's) and the photo set of
    ``folders``; raises ModelDirError, ImageError or FileNotFoundError for a script to report."""
    classifier = ImageClassifier.from_dir(model_dir, tta=False)
    return classifier, build_photo_set(classifier, read_photo_sets(list(folders)))


def build_photo_set(classifier: ImageClassifier, photos: Sequence[Photo], lexicon: Lexicon | None = None) -> PhotoSet:
    """True claim: the photo's label (when the model can express it); false claims: every other label of the
    set the model can express that is neither an ancestor nor a descendant of it. A photo with no animal makes
    false claims of every label (it shows none of them)."""
    lexicon = lexicon or load_lexicon()
    concepts = classifier.concepts
    logits = classifier.logits([p.path for p in photos])
    if logits.ndim == 3:  # TTA pairs: the fits use the plain image
        logits = logits[:, 0]
    labels = sorted({(p.label, p.wordnet_id) for p in photos if p.has_animal and concepts.expressible(p.wordnet_id)})
    category, claims = [], []
    for photo in photos:
        if not photo.has_animal:
            category.append(FAR)
            claims.append([(label, synset, False) for label, synset in labels])
            continue
        truth = photo.wordnet_id
        category.append(ID if concepts.expressible(truth) else NEAR)
        own = [(photo.label, truth, True)] if concepts.expressible(truth) else []
        claims.append(own + [(label, s, False) for label, s in unrelated_labels(truth, labels, lexicon)])
    synsets = {s for row in claims for _, s, _ in row}
    return PhotoSet(
        photos=list(photos),
        logits=np.asarray(logits, dtype=np.float64),
        category=category,
        claims=claims,
        ood_scores={
            name: score(np.asarray(logits, np.float64), concepts.animal_classes) for name, score in SCORES.items()
        },
        concepts=concepts,
        ladder=classifier.ladder,
        confidence=classifier.confidence,
        classes_under={s: concepts.classes_under(s) for s in synsets},
    )


@dataclass(frozen=True)
class Calibration:
    temperature: float
    thresholds: Thresholds  # the operating point at ``risk``
    ood: OodRule
    operating_points: dict[str, Thresholds] = field(default_factory=dict)  # risk_key -> thresholds
    risk: float = DEFAULT_RISK

    def at(self, risk: float) -> Thresholds:
        return operating_point(self.operating_points, risk)


@dataclass
class ClaimTable:
    """The claims of a set of photos at one temperature, flat."""

    photo: np.ndarray  # index of the photo each claim is about
    probability: np.ndarray
    truth: np.ndarray  # bool
    animal_probability: np.ndarray  # per photo


def claim_table(data: PhotoSet, temperature: float) -> ClaimTable:
    probs = softmax(data.logits / temperature).astype(np.float64)
    photo, probability, truth = [], [], []
    for i, row in enumerate(data.claims):
        for _, synset, is_true in row:
            photo.append(i)
            probability.append(probs[i, data.classes_under[synset]].sum())
            truth.append(is_true)
    return ClaimTable(
        np.asarray(photo, dtype=np.intp),
        np.asarray(probability),
        np.asarray(truth, dtype=bool),
        probs[:, data.animal_classes].sum(axis=1),
    )


def log_loss(p: np.ndarray, truth: np.ndarray, eps: float = 1e-6) -> float:
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(np.where(truth, np.log(p), np.log(1 - p))))


def fit_temperature(tables: dict[float, ClaimTable], keep: np.ndarray) -> tuple[float, dict[float, float]]:
    """The temperature with the lowest claim log loss over the claims in ``keep`` (ties: the one nearest 1)."""
    losses = {t: log_loss(table.probability[keep], table.truth[keep]) for t, table in tables.items()}
    return min(losses, key=lambda t: (losses[t], abs(np.log(t)))), losses


def cross_validated_scores(
    data: PhotoSet, train: np.ndarray, tables: dict[float, ClaimTable], k: int = INNER_FOLDS, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Each claim's and each photo's animal probability at a temperature fitted without the photo (k folds of
    the photos in ``train``); entries of photos outside ``train`` are NaN."""
    category = np.asarray(data.category)
    first = next(iter(tables.values()))
    claim_p = np.full(len(first.photo), np.nan)
    animal_p = np.full(len(data), np.nan)
    inside = np.flatnonzero(train)
    for part in folds_for(len(inside), k, seed):
        held = np.zeros(len(data), dtype=bool)
        held[inside[part]] = True
        fitted = train & ~held
        temperature, _ = fit_temperature(tables, (fitted & (category == ID))[first.photo])
        table = tables[temperature]
        in_held = held[first.photo]
        claim_p[in_held] = table.probability[in_held]
        animal_p[held] = table.animal_probability[held]
    return claim_p, animal_p


def fit(
    data: PhotoSet,
    train: np.ndarray,
    tables: dict[float, ClaimTable],
    risk: float = DEFAULT_RISK,
    score: str = "animal-energy",
    max_no_animal: float = MAX_NO_ANIMAL_PASSED,
    risks: Sequence[float] = RISKS,
) -> tuple[Calibration, dict[float, float]]:
    """Fit on the photos in ``train`` (a boolean mask); also returns the log loss at each temperature. The
    operating points are fitted for ``risks`` (and ``risk``, whose thresholds are ``Calibration.thresholds``)
    on :func:`cross_validated_scores` of the training photos."""
    category = np.asarray(data.category)
    known = train & (category == ID)
    has_animal = category != FAR
    first = next(iter(tables.values()))
    keep = known[first.photo]  # claims on known-animal training photos: same order in every table
    temperature, losses = fit_temperature(tables, keep)
    claim_p, animal_p = cross_validated_scores(data, train, tables)
    truth = first.truth
    points = operating_points(
        true=claim_p[keep & truth],
        false=claim_p[keep & ~truth],
        animal=animal_p[train & has_animal],
        no_animal=animal_p[train & ~has_animal],
        risks=sorted({*risks, risk}),
        max_no_animal=max_no_animal,
    )
    ood_threshold = float(np.quantile(data.ood_scores[score][known], OOD_TPR))
    ood = OodRule(score, round(ood_threshold, 4))
    return Calibration(temperature, points[risk_key(risk)], ood, points, risk), losses


@dataclass
class Judged:
    """One held-out claim, judged as the pipeline would (``verdict`` at the cross-validation's risk,
    ``verdicts`` at each risk judged)."""

    photo: int
    label: str
    truth: bool
    probability: float
    verdict: str
    outcome: str
    verdicts: dict[str, str] = field(default_factory=dict)


@dataclass
class CrossValidation:
    folds: int
    calibrations: list[Calibration]
    judged: list[Judged]
    outcomes: list[str]  # per photo, held out
    predicted: list[str | None]  # per photo, held out: the name the image was given
    held_out_probability: np.ndarray  # per claim (claim_table order), at the fold's temperature
    held_out_truth: np.ndarray
    held_out_known: np.ndarray  # the claim is about a photo of an animal the model knows
    losses: list[dict[float, float]] = field(default_factory=list)
    unsure_of_animal: list[bool] = field(default_factory=list)  # per photo: P(animal) in the band
    risk: float = DEFAULT_RISK
    risks: tuple[float, ...] = ()


def folds_for(n: int, k: int | None, seed: int = 0) -> list[np.ndarray]:
    """Test-index arrays: leave-one-out when ``k`` is None, else k shuffled folds."""
    if k is None or k >= n:
        return [np.asarray([i]) for i in range(n)]
    order = np.random.default_rng(seed).permutation(n)
    return [np.sort(part) for part in np.array_split(order, k)]


def cross_validate(
    data: PhotoSet,
    k: int | None = None,
    risk: float = DEFAULT_RISK,
    score: str = "animal-energy",
    risks: Sequence[float] = RISKS,
) -> CrossValidation:
    """Nested cross-validation: each outer fold's photos are judged at thresholds fitted without them (by
    :func:`fit`, whose scores are themselves cross-validated inside the other photos), at ``risk`` and at
    each of ``risks`` (``Judged.verdicts``, for the risk-coverage curve)."""
    tables = {t: claim_table(data, t) for t in TEMPERATURES}
    n = len(data)
    folds = folds_for(n, k)
    all_risks = tuple(sorted({*risks, risk}))
    judged: list[Judged] = []
    outcomes: list[str] = [""] * n
    predicted: list[str | None] = [None] * n
    unsure = [False] * n
    first = tables[1.0]
    probability = np.zeros(len(first.photo))
    calibrations, losses = [], []
    for test in folds:
        train = np.ones(n, dtype=bool)
        train[test] = False
        calibration, loss = fit(data, train, tables, risk, score, risks=all_risks)
        calibrations.append(calibration)
        losses.append(loss)
        table = tables[calibration.temperature]
        probs = softmax(data.logits[test] / calibration.temperature).astype(np.float64)
        for row, i in enumerate(test):
            animal = float(table.animal_probability[i])
            concept = {s: float(probs[row, ix].sum()) for s, ix in data.classes_under.items()}.get
            by_risk: list[dict[str, str]] = [{} for _ in data.claims[i]]
            for r in all_risks:
                t = calibration.at(r)
                outcome = calibration.ood.outcome(float(data.ood_scores[score][i]), animal, t.no_animal)
                seen, seen_p = _seen(probs[row], data, outcome, t)
                if r == risk:
                    outcomes[i], predicted[i] = outcome, seen
                    unsure[i] = t.no_animal <= animal < t.animal
                for c, (label, synset, _) in enumerate(data.claims[i]):
                    claim = judge(Mention(label, label, synset, False), concept, animal, seen, t, outcome, seen_p)
                    by_risk[c][risk_key(r)] = claim.verdict
            for c, (label, synset, is_true) in enumerate(data.claims[i]):
                verdicts = by_risk[c]
                judged.append(
                    Judged(
                        int(i),
                        label,
                        is_true,
                        float(concept(synset)),
                        verdicts[risk_key(risk)],
                        outcomes[i],
                        verdicts,
                    )
                )
        in_test = np.isin(first.photo, test)
        probability[in_test] = table.probability[in_test]
    return CrossValidation(
        folds=len(folds),
        calibrations=calibrations,
        judged=judged,
        outcomes=outcomes,
        predicted=predicted,
        held_out_probability=probability,
        held_out_truth=first.truth.copy(),
        held_out_known=np.asarray(data.category)[first.photo] == ID,
        losses=losses,
        unsure_of_animal=unsure,
        risk=risk,
        risks=all_risks,
    )


def _seen(probs: np.ndarray, data: PhotoSet, outcome: str, thresholds: Thresholds) -> tuple[str | None, float | None]:
    """The name the image side gives and its probability, as ``ImageClassifier.explain`` does."""
    if outcome == FAR_OOD:
        return None, None
    levels = BROADER_ONLY if outcome == NEAR_OOD else LEVELS
    named = hedge(data.ladder, probs, data.confidence, thresholds.no_animal, levels, thresholds.animal)
    return (None, None) if named is None else (named.name, named.probability)


def summarise(data: PhotoSet, cv: CrossValidation, bins: int = 10) -> dict:
    """The held-out figures of docs/vision.md."""
    category = np.asarray(data.category)
    known_true = [j for j in cv.judged if j.truth and category[j.photo] == ID]
    false = [j for j in cv.judged if not j.truth]
    false_on_animals = [j for j in false if category[j.photo] != FAR]
    far_photos = np.flatnonzero(category == FAR)
    near_photos = np.flatnonzero(category == NEAR)
    known_photos = np.flatnonzero(category == ID)
    temps = [c.temperature for c in cv.calibrations]
    return {
        "photos": {"known": len(known_photos), "near": len(near_photos), "far": len(far_photos)},
        "folds": cv.folds,
        "true_claims_supported": _rate(sum(j.verdict == SUPPORTED for j in known_true), len(known_true)),
        "true_claims_contradicted": _rate(sum(j.verdict == CONTRADICTED for j in known_true), len(known_true)),
        "true_claims_not_sure": [
            (data.photos[j.photo].path.name, j.label, round(j.probability, 3))
            for j in known_true
            if j.verdict == UNVERIFIABLE
        ],
        "false_claims_accepted": _rate(sum(j.verdict == SUPPORTED for j in false), len(false)),
        "false_claims_accepted_on_animal_photos": _rate(
            sum(j.verdict == SUPPORTED for j in false_on_animals), len(false_on_animals)
        ),
        "false_claims_contradicted": _rate(sum(j.verdict == CONTRADICTED for j in false), len(false)),
        "false_claims_not_sure": [
            (data.photos[j.photo].path.name, j.label, round(j.probability, 3))
            for j in false_on_animals
            if j.verdict == UNVERIFIABLE and j.outcome == KNOWN
        ],
        "no_animal_answered_no_animal_or_ood": _rate(
            sum(cv.outcomes[i] in (FAR_OOD, NEAR_OOD) or cv.unsure_of_animal[i] for i in far_photos), len(far_photos)
        ),
        "no_animal_answered_no_animal": _rate(sum(cv.outcomes[i] == FAR_OOD for i in far_photos), len(far_photos)),
        "no_animal_given_a_species": [
            data.photos[i].path.name for i in far_photos if cv.outcomes[i] == KNOWN and not cv.unsure_of_animal[i]
        ],
        "animal_photos_called_empty": [
            data.photos[i].path.name for i in np.flatnonzero(category != FAR) if cv.outcomes[i] == FAR_OOD
        ],
        "near_ood_flagged": _rate(sum(cv.outcomes[i] != KNOWN for i in near_photos), len(near_photos)),
        "known_flagged_ood": [data.photos[i].path.name for i in known_photos if cv.outcomes[i] != KNOWN],
        "temperature": {"median": float(np.median(temps)), "min": min(temps), "max": max(temps)},
        "calibration_error": reliability(
            cv.held_out_probability[cv.held_out_known], cv.held_out_truth[cv.held_out_known], bins
        ),
        "auroc": ood_auroc(data),
    }


def reliability(p: np.ndarray, truth: np.ndarray, bins: int = 10) -> dict:
    """Expected calibration error of a binary prediction (is the claimed animal there?), equal-width bins."""
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    rows = []
    ece = 0.0
    for b in range(bins):
        inside = index == b
        if not inside.any():
            continue
        confidence, accuracy = float(p[inside].mean()), float(truth[inside].mean())
        ece += inside.mean() * abs(confidence - accuracy)
        rows.append(
            {
                "bin": [float(edges[b]), float(edges[b + 1])],
                "n": int(inside.sum()),
                "mean_p": confidence,
                "frequency": accuracy,
            }
        )
    return {"ece": round(float(ece), 4), "claims": int(len(p)), "bins": rows}


def ood_auroc(data: PhotoSet) -> dict:
    """AUROC of each score: known animals against near-OOD animals, and against images with no animal
    (threshold-free, so no fold is needed). P(animal) is listed too: it is what decides far-OOD."""
    category = np.asarray(data.category)
    p_animal = softmax(data.logits).astype(np.float64)[:, data.animal_classes].sum(axis=1)
    scores = {**data.ood_scores, "1 - P(animal)": 1 - p_animal}
    known = category == ID
    out = {}
    for name, s in scores.items():
        out[name] = {
            "near": _auroc(s[known], s[category == NEAR]),
            "far": _auroc(s[known], s[category == FAR]),
            "far_vs_all_animals": _auroc(s[category != FAR], s[category == FAR]),
        }
    return out


def _auroc(inside: np.ndarray, outside: np.ndarray) -> float | None:
    """P(score of an OOD image > score of an in-distribution one), ties half (Mann-Whitney)."""
    if not len(inside) or not len(outside):
        return None
    greater = (outside[:, None] > inside[None, :]).mean()
    ties = (outside[:, None] == inside[None, :]).mean()
    return round(float(greater + ties / 2), 4)


def _rate(count: int, total: int) -> dict:
    return {"count": int(count), "total": int(total), "rate": round(count / total, 4) if total else None}


def calibration_to_json(c: Calibration) -> dict:
    return {
        "temperature": c.temperature,
        "risk": c.risk,
        "thresholds": asdict(c.thresholds),
        "operating_points": {k: asdict(t) for k, t in c.operating_points.items()},
        "ood": c.ood.to_json(),
    }


def plot_reliability(summary: dict, path: str | Path) -> None:
    """Reliability diagram of the held-out claim probability, with the ECE in the title."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = summary["calibration_error"]["bins"]
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect calibration")
    ax.plot([r["mean_p"] for r in rows], [r["frequency"] for r in rows], marker="o", label="held-out claims")
    for r in rows:
        ax.annotate(str(r["n"]), (r["mean_p"], r["frequency"]), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set(
        xlabel="P(claimed animal | image)",
        ylabel="share of claims that are true",
        xlim=(0, 1),
        ylim=(0, 1),
        title=f"Claim probability, ECE = {summary['calibration_error']['ece']:.3f}",
    )
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_ood_scores(data: PhotoSet, score: str, threshold: float | None, path: str | Path) -> None:
    """The OOD score of each kind of photo, with the near-OOD threshold."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    category = np.asarray(data.category)
    values = data.ood_scores[score]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    bins = np.linspace(values.min(), values.max(), 30)
    for name, colour in ((ID, "tab:green"), (NEAR, "tab:orange"), (FAR, "tab:grey")):
        ax.hist(
            values[category == name], bins=bins, alpha=0.6, color=colour, label=f"{name} ({(category == name).sum()})"
        )
    if threshold is not None:
        ax.axvline(threshold, color="black", linestyle="--", linewidth=1, label="near-OOD threshold")
    ax.set(xlabel=f"OOD score ({score}; higher = less known)", ylabel="photos")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
