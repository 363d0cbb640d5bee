"""Common English nouns that never name an animal, from WordNet 3.0, for the animal frames' negatives.

The frames filled with things ("A close-up of the bench", a one-word caption "Hiker") teach that
a noun where an animal could stand is not an animal by itself. A short hand list of objects
teaches it only for those objects: a model trained on captions where every other lone noun is an
animal tags "female", "hiker", "moss", "talons" or "swarm" in real sentences. So the things also
come from WordNet: single-word lower-case nouns people use (tagged at least ``MIN_COUNT`` times in
the sense-tagged SemCor counts of ``index.sense``) none of whose noun senses is an animal, that hold
no lexicon term. Body parts, people, plants, places and abstract nouns all come in this way.
"""

from __future__ import annotations

import re
from pathlib import Path

from animal_verifier.ontology.lexicon import Lexicon
from animal_verifier_train.datagen.match import TermMatcher
from animal_verifier_train.datagen.wordnet_text import read_sense_counts
from animal_verifier_train.wordnet.data_files import synset_lines, synset_words
from animal_verifier_train.wordnet.lexicon_builder import plural_forms, read_noun_exceptions

#: Sense-tagged uses a noun needs to count as in use (SemCor counts in index.sense).
MIN_COUNT = 1
WORD = re.compile(r"[a-z]{3,}")


def lower_case_nouns(wordnet_dir: str | Path) -> frozenset[str]:
    """Noun lemmas WordNet writes in lower case somewhere: index.sense lower-cases every lemma,
    and "paris" or "pbs" are names, not things."""
    out = set()
    for fields, _ in synset_lines(Path(wordnet_dir) / "data.noun"):
        out.update(w for w in synset_words(fields) if WORD.fullmatch(w))
    return frozenset(out)


def common_nouns(lexicon: Lexicon, matcher: TermMatcher, wordnet_dir: str | Path) -> tuple[tuple[str, str], ...]:
    """(singular, plural) of every common WordNet noun without an animal sense, in sorted order
    (so the same WordNet gives the same list)."""
    animal_ids = frozenset(lexicon.synsets)
    exceptions = read_noun_exceptions(wordnet_dir)
    lower = lower_case_nouns(wordnet_dir)
    out = []
    for lemma, senses in sorted(read_sense_counts(wordnet_dir).items()):
        nouns = [s for s in senses if s[0].startswith("n")]
        if lemma not in lower or not nouns or sum(s[2] for s in nouns) < MIN_COUNT:
            continue
        if any(s[0] in animal_ids for s in nouns):
            continue  # "female", "prey", "game": an animal in one of their senses
        plural = plural_forms(lemma, exceptions)[0]
        if any(lexicon.lookup(form) is not None or matcher(form) for form in (lemma, plural)):
            continue
        out.append((lemma, plural))
    return tuple(out)
