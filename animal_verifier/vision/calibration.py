"""Choosing decision thresholds from labelled scores, the same way for every model.

A claim "there is an S" holds when P(S) >= ``present``; "there is no S" holds when P(S) < ``absent``; in
between the verdict is uncertain. The total animal probability has the same two-sided rule: an image shows no
animal when P(animal) < ``no_animal``, an animal when P(animal) >= ``animal``, and in between the system is not
sure there is one (docs/design.md, "Claim semantics"). Each threshold is chosen by one rule: allow at most
``max_error`` (the risk) of the wrong side past it, catch as many of the right side as possible, and sit in the
middle of the gap between the two scores it separates (max margin).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Thresholds:
    present: float  # P(S) at or above: S is in the image
    absent: float  # P(S) below: S is not in the image
    animal: float  # P(animal) at or above: an animal is in the image
    #: P(animal) below: no animal in the image. None (a model or config from before the band) means
    #: ``animal``, so there is no "not sure there is an animal" band, as it was.
    no_animal: float | None = None

    def __post_init__(self) -> None:
        if self.no_animal is None:
            object.__setattr__(self, "no_animal", self.animal)
        if not 0.0 <= self.absent <= self.present <= 1.0 or not 0.0 <= self.no_animal <= self.animal <= 1.0:
            raise ValueError(f"need 0 <= absent <= present <= 1 and 0 <= no_animal <= animal <= 1, got {self}")

    @property
    def animal_band(self) -> bool:
        """Whether there is room between ``no_animal`` and ``animal`` for "not sure there is an animal"."""
        return self.no_animal < self.animal

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict, source: str = "thresholds") -> Thresholds:
        """``source`` names where ``data`` came from, for the warning an older file gets."""
        no_animal = data.get("no_animal")
        if no_animal is None:
            warnings.warn(
                f"{source}: no 'no_animal' threshold (saved before the 'not sure there is an animal' band); "
                f"using animal = {data['animal']} for it, so a photo under it shows no animal, as before",
                stacklevel=2,
            )
        return cls(
            float(data["present"]),
            float(data["absent"]),
            float(data["animal"]),
            None if no_animal is None else float(no_animal),
        )


#: The risks a model's operating points are fitted for at build time (``labels.json`` "operating_points"):
#: the share of false claims a threshold may let be supported, of true claims it may let be contradicted, of
#: animal photos it may call empty. ``--risk`` picks one of them; ``DEFAULT_RISK``'s is ``thresholds``.
RISKS = (0.01, 0.02, 0.05, 0.1)
DEFAULT_RISK = 0.01


def risk_key(risk: float) -> str:
    """How a risk is written as a key of ``operating_points`` ("0.01")."""
    return f"{float(risk):g}"


def operating_point(points: Mapping[str, Thresholds], risk: float) -> Thresholds:
    """The thresholds fitted for ``risk``; ValueError naming the fitted ones when it was not fitted."""
    key = risk_key(risk)
    if key not in points:
        offered = ", ".join(sorted(points, key=float)) or "none (a model exported before operating points)"
        raise ValueError(f"no operating point fitted for risk {key}; this model offers: {offered}")
    return points[key]


@dataclass(frozen=True)
class ThresholdChoice:
    threshold: float
    caught: float  # fraction of `positives` at or above the threshold
    errors: float  # fraction of `negatives` at or above it
    n_positives: int
    n_negatives: int


def upper_threshold(positives: Sequence[float], negatives: Sequence[float], max_error: float = 0.01) -> ThresholdChoice:
    """A threshold t for "score >= t means positive": at most ``max_error`` of the negatives reach t,
    as many positives as possible do, then as few negatives as possible; t is the midpoint of the gap
    between the lowest score kept and the next score below it."""
    pos, neg = np.sort(np.asarray(positives, float)), np.sort(np.asarray(negatives, float))
    if len(pos) == 0 or len(neg) == 0:
        raise ValueError("need at least one positive and one negative score")
    best: tuple[int, int, float] | None = None  # (positives caught, -negatives past, cut)
    for cut in np.unique(np.concatenate([pos, neg, [np.inf]])):
        caught = len(pos) - np.searchsorted(pos, cut, "left")
        past = len(neg) - np.searchsorted(neg, cut, "left")
        if past > max_error * len(neg):
            continue
        key = (caught, -past, -cut)  # distinct cuts always differ in counts; -cut only orders inf last
        if best is None or key > best:
            best = key
    assert best is not None  # cut = inf lets nothing past
    cut = -best[2]
    below = np.concatenate([pos[pos < cut], neg[neg < cut]])
    lower = below.max() if len(below) else 0.0
    threshold = float(min(1.0, (lower + cut) / 2 if np.isfinite(cut) else (lower + 1.0) / 2))
    return ThresholdChoice(
        round(threshold, 4),
        float((pos >= threshold).mean()),
        float((neg >= threshold).mean()),
        len(pos),
        len(neg),
    )


def lower_threshold(negatives: Sequence[float], positives: Sequence[float], max_error: float = 0.01) -> ThresholdChoice:
    """The mirror image: a threshold t for "score < t means negative" (e.g. an absent claim holds). At
    most ``max_error`` of the positives fall below t, as many negatives as possible do. In the result,
    ``caught`` is the fraction of negatives below t and ``errors`` the fraction of positives below it."""
    mirrored = upper_threshold([-x for x in negatives], [-x for x in positives], max_error)
    neg, pos = np.asarray(negatives, float), np.asarray(positives, float)
    threshold = max(0.0, -mirrored.threshold)
    return ThresholdChoice(
        round(threshold, 4), float((neg < threshold).mean()), float((pos < threshold).mean()), len(neg), len(pos)
    )
