"""Concept probabilities: what an image model says about any animal synset, at any level of WordNet.

A classifier gives one probability per class, and every class is a WordNet synset. For an animal synset
S, P(S | image) is the sum of the probabilities of the classes at or below S, so "golden retriever",
"dog", "mammal" and "animal" are all answered from one output. The total animal probability is
P(animal.n.01 | image). A synset with no class at or below it cannot be checked by the model: its
probability is ``None`` (unverifiable), never 0.

Where ImageNet's classes and WordNet's hierarchy disagree, :data:`CORRECTIONS` adds the parent a person
would expect. Each animal class also has an entry-level name, the word people use for it ("cat" for a
tabby, "dog" for a beagle), read from the table ``data/imagenet_entry_names.tsv`` derived from WordNet
(:mod:`animal_verifier.ontology.entry_names`); a class the table lacks (a fine-tuned model's "dog") is its
own entry. :mod:`animal_verifier.ontology.hedging` picks among these names and :data:`BROADER_LEVELS`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from animal_verifier.ontology.entry_names import EntryName, read_entry_names
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

#: The broader levels a hedged answer may fall back to when no entry-level name is sure enough ("bird",
#: not "little blue heron" or "heron"), as lexicon words. A model gets the ones that are WordNet ancestors of
#: its entry-level synsets; above them all is "animal".
BROADER_LEVELS: tuple[str, ...] = (
    "bird", "fish", "mammal", "reptile", "amphibian", "insect", "arachnid", "crustacean", "mollusk",
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
        entries: Sequence[tuple[str, str] | None],
        broader: dict[str, str] | None = None,
    ):
        """``entries``: per class its entry-level (synset id, name), None for a class that is no animal;
        ``broader``: synset id -> word of the broader levels a hedged answer may use."""
        if not len(class_ids) == len(class_ancestors) == len(entries):
            raise ValueError("class_ids, class_ancestors and entries must have one entry per class")
        self.class_ids = tuple(class_ids)
        self.class_ancestors = [frozenset(a) for a in class_ancestors]
        below: dict[str, list[int]] = defaultdict(list)
        for index, ancestors in enumerate(self.class_ancestors):
            for synset_id in ancestors:
                below[synset_id].append(index)
        self._below = {s: np.asarray(ix, dtype=np.intp) for s, ix in below.items()}
        self.animal_classes = self._below.get(ANIMAL_ROOT, np.zeros(0, dtype=np.intp))
        self.entries = list(entries)
        for index, entry in enumerate(self.entries):
            if entry is not None and entry[0] not in self.class_ancestors[index]:
                raise ValueError(f"entry-level synset {entry[0]} is not at or above class {self.class_ids[index]}")
        self.entry_names = {sid: name for sid, name in (e for e in self.entries if e is not None)}
        self.broader = {sid: name for sid, name in (broader or {}).items() if sid in self._below}

    @classmethod
    def build(
        cls,
        class_ids: Sequence[str],
        lexicon: Lexicon,
        corrections: dict[str, tuple[str, str]] = CORRECTIONS,
        entry_names: dict[str, EntryName] | None = None,
        broader_levels: Sequence[str] = BROADER_LEVELS,
    ) -> ConceptIndex:
        """``entry_names`` defaults to the shipped table; :data:`BROADER_LEVELS` are kept where they are
        WordNet ancestors of an entry-level synset of this model."""
        table = read_entry_names() if entry_names is None else entry_names
        ancestors = [_class_ancestors(c, lexicon, corrections) for c in class_ids]
        entries = [_entry(c, a, lexicon, table) for c, a in zip(class_ids, ancestors, strict=True)]
        above_entries = set().union(*(lexicon.ancestors(e[0]) for e in entries if e is not None))
        broader = {}
        for word, sid in _lexicon_ids(broader_levels, lexicon):
            if sid in above_entries:
                broader[sid] = word
        return cls(class_ids, ancestors, entries, broader)

    def to_json(self) -> dict:
        return {
            "classes": [
                {"id": c, "ancestors": sorted(a), "entry": list(e) if e else None}
                for c, a, e in zip(self.class_ids, self.class_ancestors, self.entries, strict=True)
            ],
            "broader": self.broader,
        }

    @classmethod
    def from_json(cls, data: dict) -> ConceptIndex:
        rows = data["classes"]
        if rows and "entry" not in rows[0]:
            raise ValueError("concept index without entry-level names (an older pipeline): assemble it again")
        entries = [tuple(r["entry"]) if r["entry"] else None for r in rows]
        return cls([r["id"] for r in rows], [frozenset(r["ancestors"]) for r in rows], entries, data.get("broader"))

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


def _lexicon_ids(words: Sequence[str], lexicon: Lexicon) -> list[tuple[str, str]]:
    pairs = []
    for word in words:
        term = lexicon.lookup(word)
        if term is None:
            raise ValueError(f"level word {word!r} is not in the animal lexicon")
        pairs.append((word, term.id))
    return pairs


def _class_ancestors(class_id: str, lexicon: Lexicon, corrections: dict[str, tuple[str, str]]) -> frozenset[str]:
    if class_id not in lexicon:
        return frozenset({class_id})  # not an animal (espresso, teddy bear): only itself
    found = set(lexicon.ancestors(class_id))
    if class_id in corrections:
        found |= lexicon.ancestors(corrections[class_id][0])
    return frozenset(found)


def _entry(
    class_id: str, ancestors: frozenset[str], lexicon: Lexicon, table: dict[str, EntryName]
) -> tuple[str, str] | None:
    """A class's entry-level (synset id, lexicon name); the class itself where the table has no row;
    None for a class that is not an animal."""
    if ANIMAL_ROOT not in ancestors:
        return None
    synset_id = table[class_id].entry_id if class_id in table else class_id
    if synset_id not in ancestors:
        raise ValueError(f"entry-name table: {synset_id} is not at or above {class_id}; rebuild the table")
    return synset_id, lexicon.name(synset_id)
