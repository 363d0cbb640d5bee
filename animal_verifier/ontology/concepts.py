"""Concept probabilities: what an image model says about any animal synset, at any level of WordNet.

A classifier gives one probability per class, and every class is a WordNet synset. For an animal synset
S, P(S | image) is the sum of the probabilities of the classes at or below S, so "golden retriever",
"dog", "mammal" and "animal" are all answered from one output. The total animal probability is
P(animal.n.01 | image). A synset with no class at or below it cannot be checked by the model: its
probability is ``None`` (unverifiable), never 0.

Where ImageNet's classes and WordNet's hierarchy disagree, :data:`CORRECTIONS` adds the parent a person
would expect. :data:`BASIC_LEVEL` lists the words people use for a class they see ("cat" for a tabby);
everything under such a synset gets that word, so every dog breed is "dog" without a 120-line table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from animal_verifier.ontology.lexicon import ANIMAL_ROOT, Lexicon

#: ImageNet class id -> (extra parent synset id, why). WordNet's own hypernyms are kept; these are added.
#: Already right in WordNet, so absent here: sorrel (the only horse class) is under horse, ox under
#: cattle, ram under sheep, drake under duck, the five cat classes under domestic cat, "Madagascar cat"
#: (a lemur) not under cat. Left out on purpose: water buffalo is not cattle; dingo stays a wild dog.
CORRECTIONS: dict[str, tuple[str, str]] = {
    "n01514859": ("n01791625", "hen: WordNet's 'adult female bird'; ImageNet's hen photos are chickens"),
    "n01514668": ("n01791625", "cock: WordNet's 'adult male bird'; ImageNet's cock photos are roosters"),
    "n01871265": ("n02503517", "tusker: WordNet's 'any mammal with tusks'; ImageNet's tuskers are elephants"),
    "n02396427": ("n02395406", "wild boar: Sus scrofa, the pig's own species; people call it a wild pig"),
    "n02510455": ("n02131653", "giant panda: a bear (Ursidae); WordNet 3.0 files it with the raccoons"),
}

#: Basic-level words: what a person calls an animal on sight. A class is named by the most specific
#: word whose synset (looked up in the lexicon, so text and image agree) is at or above it; a class
#: under none of them keeps its own lexicon name ("koala", "jaguar"). Ordered roughly by group.
BASIC_LEVEL: tuple[str, ...] = (
    # farm and pets: every breed and sex form
    "cat", "dog", "horse", "cow", "sheep", "pig", "chicken", "duck", "rabbit",
    # wild mammals whose ImageNet classes are species or sub-kinds people do not name
    "elephant", "bear", "polar bear", "panda", "fox", "squirrel", "kangaroo", "lemur",
    # birds, reptiles, amphibians, fish
    "owl", "penguin", "swan", "snake", "crocodile", "turtle", "frog", "shark",
    "lizard", "chameleon", "gecko", "iguana", "komodo dragon",
    # invertebrates
    "butterfly", "spider", "crab", "lobster",
)  # fmt: skip


class ConceptIndex:
    """The classes at or below every animal synset, for one model's class list.

    Built once from the lexicon (:meth:`build`), then kept as plain data (:meth:`to_json`): a pipeline
    stores it with its image model, so at run time the image side needs no second copy of the lexicon.
    """

    def __init__(
        self,
        class_ids: Sequence[str],
        class_ancestors: Sequence[frozenset[str]],
        basic_labels: Sequence[str | None],
    ):
        if not len(class_ids) == len(class_ancestors) == len(basic_labels):
            raise ValueError("class_ids, class_ancestors and basic_labels must have one entry per class")
        self.class_ids = tuple(class_ids)
        self.class_ancestors = [frozenset(a) for a in class_ancestors]
        below: dict[str, list[int]] = defaultdict(list)
        for index, ancestors in enumerate(self.class_ancestors):
            for synset_id in ancestors:
                below[synset_id].append(index)
        self._below = {s: np.asarray(ix, dtype=np.intp) for s, ix in below.items()}
        self.animal_classes = self._below.get(ANIMAL_ROOT, np.zeros(0, dtype=np.intp))
        self.basic_labels = list(basic_labels)
        animal_labels = [self.basic_labels[i] for i in self.animal_classes]
        self.group_names = sorted(set(animal_labels))
        position = {name: g for g, name in enumerate(self.group_names)}
        self._group_of = np.asarray([position[name] for name in animal_labels], dtype=np.intp)

    @classmethod
    def build(
        cls,
        class_ids: Sequence[str],
        lexicon: Lexicon,
        corrections: dict[str, tuple[str, str]] = CORRECTIONS,
        basic_level: Sequence[str] = BASIC_LEVEL,
    ) -> ConceptIndex:
        ancestors = [_class_ancestors(c, lexicon, corrections) for c in class_ids]
        basic_ids = _basic_level_ids(basic_level, lexicon)
        labels = [_basic_label(c, a, lexicon, basic_ids) for c, a in zip(class_ids, ancestors, strict=True)]
        return cls(class_ids, ancestors, labels)

    def to_json(self) -> dict:
        return {
            "classes": [
                {"id": c, "ancestors": sorted(a), "basic_label": b}
                for c, a, b in zip(self.class_ids, self.class_ancestors, self.basic_labels, strict=True)
            ]
        }

    @classmethod
    def from_json(cls, data: dict) -> ConceptIndex:
        rows = data["classes"]
        return cls([r["id"] for r in rows], [frozenset(r["ancestors"]) for r in rows], [r["basic_label"] for r in rows])

    # ---- queries -------------------------------------------------------------------------------
    def classes_under(self, synset_id: str) -> np.ndarray:
        """Indices of the classes at or below a synset (empty when the model cannot express it)."""
        return self._below.get(synset_id, np.zeros(0, dtype=np.intp))

    def expressible(self, synset_id: str) -> bool:
        return synset_id in self._below

    def probability(self, probs: np.ndarray, synset_id: str) -> float | None:
        """P(synset | image) from one image's class probabilities; None when the model cannot express it."""
        indices = self._below.get(synset_id)
        return None if indices is None else float(np.asarray(probs)[indices].sum())

    def animal_probability(self, probs: np.ndarray) -> float:
        return float(np.asarray(probs)[self.animal_classes].sum())

    def basic_label_probabilities(self, probs: np.ndarray) -> dict[str, float]:
        """Probability per basic-level word, summed over its animal classes ("dog": all 120 breeds)."""
        totals = self._group_totals(probs)
        return {name: float(t) for name, t in zip(self.group_names, totals, strict=True)}

    def best_basic_label(self, probs: np.ndarray) -> tuple[str, float, np.ndarray]:
        """The most probable basic-level word, its probability and the indices of its classes."""
        if not len(self.animal_classes):
            raise ValueError("this model has no animal classes")
        totals = self._group_totals(probs)
        best = int(np.argmax(totals))
        return self.group_names[best], float(totals[best]), self.animal_classes[self._group_of == best]

    def _group_totals(self, probs: np.ndarray) -> np.ndarray:
        weights = np.asarray(probs, dtype=np.float64)[self.animal_classes]
        return np.bincount(self._group_of, weights=weights, minlength=len(self.group_names))


def _basic_level_ids(words: Sequence[str], lexicon: Lexicon) -> list[tuple[str, str]]:
    pairs = []
    for word in words:
        term = lexicon.lookup(word)
        if term is None:
            raise ValueError(f"basic-level word {word!r} is not in the animal lexicon")
        pairs.append((word, term.id))
    return pairs


def _class_ancestors(class_id: str, lexicon: Lexicon, corrections: dict[str, tuple[str, str]]) -> frozenset[str]:
    if class_id not in lexicon:
        return frozenset({class_id})  # not an animal (espresso, teddy bear): only itself
    found = set(lexicon.ancestors(class_id))
    if class_id in corrections:
        found |= lexicon.ancestors(corrections[class_id][0])
    return frozenset(found)


def _basic_label(
    class_id: str, ancestors: frozenset[str], lexicon: Lexicon, basic_ids: list[tuple[str, str]]
) -> str | None:
    """The basic-level word for an animal class; None for a class that is not an animal."""
    if ANIMAL_ROOT not in ancestors:
        return None
    candidates = [(len(lexicon.ancestors(sid)), word) for word, sid in basic_ids if sid in ancestors]
    if candidates:
        return max(candidates)[1]  # the most specific: deepest in the hierarchy
    return lexicon.name(class_id)
