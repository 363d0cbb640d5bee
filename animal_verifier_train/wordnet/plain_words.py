"""Build ``animal_verifier/data/plain_words.txt``: English words with no animal sense, from WordNet 3.0.

Every lower-case single-word lemma of any part of speech in WordNet's data files, except the
lexicon's terms and the lemmas with an animal noun sense (a synset of the lexicon: "female",
"prey", "game"). The linker drops an ANIMAL mention it cannot link when all its words are in the
list (see :mod:`animal_verifier.text.plain_words`). Read straight from the files (no nltk).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from animal_verifier.ontology.lexicon import Lexicon
from animal_verifier_train.wordnet import INSTALL_HINT
from animal_verifier_train.wordnet.data_files import synset_lines, synset_words

DATA_FILES = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
WORD = re.compile(r"[a-z][a-z-]*[a-z]")


class WordNetFilesMissing(RuntimeError):
    """A WordNet 3.0 data file is not there."""


def read_lemma_senses(wordnet_dir: str | Path) -> dict[str, set[str]]:
    """Lemma (as written, adjective markers like "(a)" removed) -> ids of its synsets ("n01234567")."""
    senses: dict[str, set[str]] = defaultdict(set)
    for name, pos in DATA_FILES.items():
        path = Path(wordnet_dir) / f"data.{name}"
        if not path.is_file():
            raise WordNetFilesMissing(f"WordNet data not found: {path} ({INSTALL_HINT})")
        for fields, _ in synset_lines(path):
            for lemma in synset_words(fields):
                senses[re.sub(r"\(.*\)$", "", lemma)].add(pos + fields[0])
    return senses


def plain_words(lexicon: Lexicon, wordnet_dir: str | Path) -> list[str]:
    """The word list, sorted."""
    animal_ids = frozenset(lexicon.synsets)
    out = []
    for lemma, sids in read_lemma_senses(wordnet_dir).items():
        if WORD.fullmatch(lemma) and not sids & animal_ids and lexicon.lookup(lemma) is None:
            out.append(lemma)
    return sorted(out)
