"""Proper names for hard negatives: people and places from WordNet 3.0 instances.

Real text is full of capitalised words that are not animals ("-- Mark Twain", "Charles Lamb",
"Buffalo, New York"). A model trained only on sentences whose capitalised unknown words are
animal names learns "capital = animal"; these names, put where people put names (bylines,
attributions, subjects), teach the opposite. WordNet lists them as *instances* (``@i`` pointers)
in its person and location files; a name that contains an animal word ("Crazy Horse",
"Stephen Crane", "Moose Jaw") is the hardest negative of all and is kept on purpose.

The test split draws from its own share of the names (drawn with the random seed), like animal names.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from animal_verifier_train.datagen.wordnet_text import WordNetTextError
from animal_verifier_train.wordnet import INSTALL_HINT
from animal_verifier_train.wordnet.data_files import synset_lines, synset_words

#: WordNet lexicographer files: noun.location, noun.person (noun.group instances are mostly
#: armed groups; organisations come from a curated list in templates/fillers.yaml instead).
LEXFILES = {15: "place", 18: "person"}
NAME_RE = re.compile(r"[A-Z][A-Za-z.'\-]*( [A-Za-z][A-Za-z.'\-]*){0,3}")


@dataclass(frozen=True)
class ProperNames:
    person: tuple[str, ...]
    place: tuple[str, ...]

    def split(self, fraction: float, rng: random.Random) -> tuple[ProperNames, ProperNames]:
        """(names for train and val, names only the test split sees)."""
        seen, held = {}, {}
        for kind in ("person", "place"):
            names = list(getattr(self, kind))
            held_set = set(rng.sample(names, round(fraction * len(names)))) if fraction > 0 else set()
            seen[kind] = tuple(n for n in names if n not in held_set)
            held[kind] = tuple(n for n in names if n in held_set) or seen[kind]
        return ProperNames(**seen), ProperNames(**held)


def read_instance_names(wordnet_dir: str | Path) -> ProperNames:
    """Capitalised lemma names of WordNet instances of people and places, in file
    order (so the same WordNet gives the same lists). Multi-word names are kept whole
    ("Mark Twain"); single surnames too ("Twain"), as bylines use both."""
    path = Path(wordnet_dir) / "data.noun"
    if not path.is_file():
        raise WordNetTextError(f"WordNet data not found: {path} ({INSTALL_HINT}, or give another WordNet 3.0 folder)")
    found: dict[str, dict[str, None]] = {kind: {} for kind in LEXFILES.values()}
    for fields, _ in synset_lines(path):
        kind = LEXFILES.get(int(fields[1]))
        if kind is None or "@i" not in fields:  # instances only: a person or a place, not a kind
            continue
        for lemma in synset_words(fields):
            name = re.sub(r"\(.*\)$", "", lemma).replace("_", " ")
            if NAME_RE.fullmatch(name):
                found[kind][name] = None
    return ProperNames(**{kind: tuple(names) for kind, names in found.items()})
