"""The animal lexicon: WordNet 3.0 animal synsets and the words people use for them.

Text and image meet here. Every synset is keyed by its ImageNet-style id (``n`` + 8-digit
offset), so an NER mention ("puppies") and an image class (``n02099712``, Labrador retriever)
can be compared by walking the same hypernym graph. The data file is built once from
WordNet by ``scripts/build_lexicon.py``; at run time only the JSON is needed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

ANIMAL_ROOT = "n00015388"  # animal.n.01
LEXICON_FILE = "animal_lexicon.json"
LOOKALIKES_FILE = "lookalikes.json"

_SPACES = re.compile(r"[\s_\-]+")


def normalize(text: str) -> str:
    """Lookup key for a surface form: lower case, one space between words, no hyphens."""
    return _SPACES.sub(" ", text.strip().lower())


@dataclass(frozen=True)
class Synset:
    id: str  # n + 8-digit WordNet 3.0 offset
    name: str  # the everyday singular noun a person would use ("cat" for domestic_cat.n.01)
    lemmas: tuple[str, ...]
    parents: tuple[str, ...]  # direct hypernyms (and instance hypernyms) inside the animal tree


@dataclass(frozen=True)
class Term:
    text: str  # normalised surface form ("geese", "golden retriever")
    id: str  # synset it links to; young and sex forms link to the species (kitten -> cat)
    plural: bool = False
    ambiguous: bool = False  # usual sense is not an animal (jaguar, mouse, crane, bug, ...)


class Lexicon:
    """Synsets under animal.n.01 plus a term table from surface form to synset."""

    def __init__(self, synsets: dict[str, Synset], terms: dict[str, Term], meta: dict | None = None):
        self.synsets = synsets
        self.terms = terms
        self.meta = meta or {}

    # ---- loading -------------------------------------------------------------------------
    @classmethod
    def from_json(cls, data: dict) -> Lexicon:
        synsets = {
            sid: Synset(sid, s["name"], tuple(s["lemmas"]), tuple(s.get("parents", ())))
            for sid, s in data["synsets"].items()
        }
        terms = {
            text: Term(text, t["id"], bool(t.get("plural")), bool(t.get("ambiguous")))
            for text, t in data["terms"].items()
        }
        return cls(synsets, terms, data.get("meta", {}))

    @classmethod
    def from_path(cls, path: str | Path) -> Lexicon:
        with open(path, encoding="utf8") as f:
            return cls.from_json(json.load(f))

    def to_json(self) -> dict:
        return {
            "meta": self.meta,
            "synsets": {
                s.id: {"name": s.name, "lemmas": list(s.lemmas), "parents": list(s.parents)}
                for s in self.synsets.values()
            },
            "terms": {
                t.text: {
                    "id": t.id,
                    **({"plural": True} if t.plural else {}),
                    **({"ambiguous": True} if t.ambiguous else {}),
                }
                for t in self.terms.values()
            },
        }

    # ---- queries -------------------------------------------------------------------------
    def __contains__(self, synset_id: str) -> bool:
        return synset_id in self.synsets

    def lookup(self, text: str) -> Term | None:
        """The term for a mention, trying the text as written, then without a trailing 's'."""
        key = normalize(text)
        term = self.terms.get(key)
        if term is None and key.endswith("s"):
            term = self.terms.get(key[:-1])
        return term

    def name(self, synset_id: str) -> str:
        return self.synsets[synset_id].name

    def ancestors(self, synset_id: str) -> frozenset[str]:
        """All hypernyms of a synset inside the animal tree, the synset itself included."""
        return self._ancestors.get(synset_id, frozenset({synset_id}))

    def is_a(self, synset_id: str, ancestor_id: str) -> bool:
        return ancestor_id in self.ancestors(synset_id)

    @cached_property
    def _ancestors(self) -> dict[str, frozenset[str]]:
        memo: dict[str, frozenset[str]] = {}

        def walk(sid: str) -> frozenset[str]:
            if sid not in memo:
                memo[sid] = frozenset({sid})  # guards against cycles
                found = {sid}
                for parent in self.synsets[sid].parents if sid in self.synsets else ():
                    found |= walk(parent)
                memo[sid] = frozenset(found)
            return memo[sid]

        for sid in self.synsets:
            walk(sid)
        return memo

    def names(self, *, include_ambiguous: bool = True) -> list[str]:
        """Every surface form, for generating data and building matchers."""
        return [t.text for t in self.terms.values() if include_ambiguous or not t.ambiguous]


def default_lexicon_path() -> Path:
    return Path(str(resources.files("animal_verifier") / "data" / LEXICON_FILE))


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """The lexicon shipped inside the package, or one at ``path``; loaded once per process and file, so
    every caller naming the same file shares one object."""
    return _load_lexicon(str(Path(path or default_lexicon_path()).resolve()))


@cache
def _load_lexicon(path: str) -> Lexicon:
    return Lexicon.from_path(path)


@dataclass(frozen=True)
class Lookalike:
    """A common non-animal use of an animal word ("hot dog", "Jaguar" the car): a hard negative."""

    text: str
    word: str | None  # the animal word inside ``text``, as written there; None for e.g. "Apple"
    what: str  # what the phrase really names ("food", "car", "sports team", ...)


def load_lookalikes(path: str | Path | None = None) -> tuple[Lookalike, ...]:
    """The curated look-alike phrases shipped next to the lexicon (built with it)."""
    path = path or default_lexicon_path().with_name(LOOKALIKES_FILE)
    with open(path, encoding="utf8") as f:
        return tuple(Lookalike(p["text"], p["word"], p["is"]) for p in json.load(f)["phrases"])
