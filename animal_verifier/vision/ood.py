"""Does the model know what it is looking at? Post-hoc out-of-distribution (OOD) scores on the logits.

Three outcomes for an image: an animal the model knows (``known``); an animal it cannot name (``near-ood``:
a giraffe for an ImageNet-1k model, which has no giraffe class); no animal at all, or not a photo
(``far-ood``: landscapes, food, drawings, screenshots).

The generic scores (MSP, MaxLogit, Energy; Hendrycks & Gimpel 2017, Hendrycks et al. 2022, Liu et al. 2020)
treat every ImageNet class as in-distribution, but here a photo of a coffee cup *is* ImageNet data and still
has no animal. So far-OOD is decided by P(animal) (the ``animal`` threshold), and near-OOD by the free energy
of the *animal* logits only: an animal photo whose animal logits are all low is one the model has no class
for. docs/vision.md has the scores side by side (with SCALE and ASH, which need the pooled features and are
measured on the training side only) and the choice.

Every score here is "higher = more out-of-distribution", so one threshold rule serves them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

KNOWN, NEAR_OOD, FAR_OOD = "known", "near-ood", "far-ood"
OUTCOMES = (KNOWN, NEAR_OOD, FAR_OOD)


def logsumexp(x: np.ndarray) -> np.ndarray:
    """Over the last axis, without overflow."""
    m = x.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=-1, keepdims=True)))[..., 0]


def msp_score(logits: np.ndarray, animal_classes: np.ndarray) -> np.ndarray:
    """Negative maximum softmax probability."""
    z = logits - logits.max(axis=-1, keepdims=True)
    return -1.0 / np.exp(z).sum(axis=-1)


def maxlogit_score(logits: np.ndarray, animal_classes: np.ndarray) -> np.ndarray:
    return -logits.max(axis=-1)


def energy_score(logits: np.ndarray, animal_classes: np.ndarray) -> np.ndarray:
    """The free energy -logsumexp(logits) over all classes."""
    return -logsumexp(logits)


def animal_energy_score(logits: np.ndarray, animal_classes: np.ndarray) -> np.ndarray:
    """The free energy of the animal logits alone."""
    if not len(animal_classes):
        return np.full(logits.shape[:-1], np.inf)
    return -logsumexp(logits[..., animal_classes])


#: name -> score(logits (N, C), animal class indices) -> (N,) scores, higher = more out-of-distribution
SCORES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "msp": msp_score,
    "maxlogit": maxlogit_score,
    "energy": energy_score,
    "animal-energy": animal_energy_score,
}
DEFAULT_SCORE = "animal-energy"


@dataclass(frozen=True)
class OodRule:
    """Which score, and the threshold above which an animal photo is near-OOD (None: never). The threshold is
    set at a 95% true-positive rate on photos of animals the model knows (docs/vision.md)."""

    score: str = DEFAULT_SCORE
    threshold: float | None = None

    def __post_init__(self) -> None:
        if self.score not in SCORES:
            raise ValueError(f"unknown OOD score {self.score!r}; known: {', '.join(SCORES)}")
        if self.threshold is not None and not np.isfinite(self.threshold):
            raise ValueError(f"the OOD threshold must be a finite number, got {self.threshold}")

    def scores(self, logits: np.ndarray, animal_classes: np.ndarray) -> np.ndarray:
        return SCORES[self.score](np.asarray(logits, dtype=np.float64), animal_classes)

    def outcome(self, score: float | None, animal_probability: float, animal_threshold: float) -> str:
        """``score`` None (not computed): judged by P(animal) alone."""
        if animal_probability < animal_threshold:
            return FAR_OOD
        if self.threshold is not None and score is not None and score > self.threshold:
            return NEAR_OOD
        return KNOWN

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict | None) -> OodRule:
        if not data:
            return cls()
        threshold = data.get("threshold")
        return cls(str(data.get("score", DEFAULT_SCORE)), None if threshold is None else float(threshold))
