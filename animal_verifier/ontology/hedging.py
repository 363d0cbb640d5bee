"""Hedged answers: the most specific name the image model is sure of (Deng et al., "Hedging Your Bets", CVPR 2012).

A photo of a heron the model splits between "little blue heron" and "American egret" is still surely a
heron; one it splits between a heron and a stork is surely a bird. The answer climbs a short ladder: the
entry-level names of the model's classes ("heron", "dog"), then the broader levels above them ("bird",
"mammal", :data:`~animal_verifier.ontology.concepts.BROADER_LEVELS`), then "animal". Each rung's probability
is the sum over the classes at or below its synset, and the answer is the first, most specific, rung that
reaches the confidence ``c``. Below the low animal threshold (``no_animal``) there is no animal to name:
None; between it and the ``animal`` threshold the model is not sure there is an animal at all, and the
answer is "animal" at the level "unsure" (never "no animal", which belongs under the low threshold).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from animal_verifier.ontology.concepts import ConceptIndex
from animal_verifier.ontology.lexicon import ANIMAL_ROOT

#: The confidence a rung must reach. A model setting, to be calibrated with the model's thresholds
#: (``scripts/evaluate_hedging.py`` measures accuracy against specificity over a grid of values).
HEDGE_CONFIDENCE_DEFAULT = 0.4
ANIMAL_NAME = "animal"

Level = Literal["entry", "broader", "animal", "unsure"]
UNSURE: Level = "unsure"  # between the two animal thresholds: "not sure there is an animal"
LEVELS: tuple[Level, ...] = ("entry", "broader", "animal")
BROADER_ONLY: tuple[Level, ...] = ("broader", "animal")  # for an animal the model cannot name (near-OOD)


@dataclass(frozen=True, eq=False)
class HedgedName:
    name: str  # "heron", "bird", "animal"
    synset_id: str
    probability: float  # summed over ``classes``
    level: Level
    classes: np.ndarray  # indices of the model's classes at or below the synset


@dataclass(frozen=True, eq=False)
class Ladder:
    """A model's rungs, most specific first: entry-level synsets (fewest classes first), broader levels, animal.
    An entry-level name that is also a broader level ("fish" for a tench) counts as broader."""

    synset_ids: tuple[str, ...]
    names: tuple[str, ...]
    levels: tuple[Level, ...]
    members: tuple[np.ndarray, ...]
    membership: np.ndarray  # (rungs, classes) 0/1, so all rung probabilities are one product
    inside: np.ndarray  # (rungs, rungs) bool: [i, j] when rung j is more specific than rung i and within it

    @classmethod
    def of(cls, concepts: ConceptIndex) -> Ladder:
        rungs: list[tuple[str, str, Level]] = []
        entries = {sid: name for sid, name in concepts.entry_names.items() if sid not in concepts.broader}
        for level, words in (("entry", entries), ("broader", concepts.broader)):  # "fish" for a tench: broader
            ordered = sorted(words, key=lambda sid: (len(concepts.classes_under(sid)), sid))
            rungs += [(sid, words[sid], level) for sid in ordered]
        if len(concepts.animal_classes):
            rungs.append((ANIMAL_ROOT, ANIMAL_NAME, "animal"))
        members = tuple(concepts.classes_under(sid) for sid, _, _ in rungs)
        membership = np.zeros((len(rungs), len(concepts.class_ids)), dtype=np.float64)
        for row, indices in enumerate(members):
            membership[row, indices] = 1.0
        sizes = membership.sum(axis=1)
        shared = membership @ membership.T
        order = np.arange(len(rungs))
        smaller = (sizes[None, :] < sizes[:, None]) | (
            (sizes[None, :] == sizes[:, None]) & (order[None, :] < order[:, None])
        )
        inside = (shared == sizes[None, :]) & smaller
        ids, names, levels = zip(*rungs, strict=True) if rungs else ((), (), ())
        return cls(tuple(ids), tuple(names), tuple(levels), members, membership, inside)


def check_confidence(confidence: float) -> float:
    if not 0.0 < confidence <= 1.0:
        raise ValueError(f"hedging confidence must be in (0, 1], got {confidence}")
    return confidence


def hedge(
    rungs: Ladder,
    probs: np.ndarray,
    confidence: float = HEDGE_CONFIDENCE_DEFAULT,
    animal_threshold: float = 0.0,
    levels: tuple[Level, ...] = LEVELS,
    unsure_below: float | None = None,
) -> HedgedName | None:
    """The most specific rung whose probability reaches ``confidence`` (the most probable of them when a
    confidence under 0.5 lets two reach it); "animal" when none below it does;
    None when P(animal) is under ``animal_threshold`` (no animal in the photo: the low threshold) or the
    model has no animals; "animal" at level :data:`UNSURE` when P(animal) is under ``unsure_below`` (the high
    animal threshold; None: no band).
    ``levels`` limits the rungs that may answer (:data:`BROADER_ONLY`: never an entry-level name).
    ``rungs`` is :meth:`Ladder.of` the model's concept index, built once."""
    check_confidence(confidence)
    if not rungs.synset_ids:
        return None
    totals = rungs.membership @ np.asarray(probs, dtype=np.float64)
    if totals[-1] < animal_threshold:
        return None
    if unsure_below is not None and totals[-1] < unsure_below:
        return HedgedName(rungs.names[-1], rungs.synset_ids[-1], float(totals[-1]), UNSURE, rungs.members[-1])
    sure = (totals >= confidence) & np.isin(np.asarray(rungs.levels), levels)
    most_specific = sure & ~(rungs.inside & sure[None, :]).any(axis=1)  # nothing sure within it
    row = int(np.argmax(np.where(most_specific, totals, -1.0))) if most_specific.any() else len(totals) - 1
    return HedgedName(
        rungs.names[row], rungs.synset_ids[row], float(totals[row]), rungs.levels[row], rungs.members[row]
    )
