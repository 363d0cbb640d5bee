"""From an ANIMAL mention to a lexicon term: exact, then the head of the phrase, then a typo fix."""

from __future__ import annotations

import difflib
from functools import lru_cache

from animal_verifier.lexicon import Lexicon, Term, normalize

TYPO_CUTOFF = 0.84  # difflib ratio; "kiten" -> "kitten" (0.91) passes, "cot" -> "cat" (0.67) does not


class Linker:
    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self._by_length: dict[int, list[str]] = {}
        for text in lexicon.terms:
            self._by_length.setdefault(len(text), []).append(text)
        self.link = lru_cache(maxsize=4096)(self._link)

    def _link(self, mention: str) -> Term | None:
        words = normalize(mention).split(" ")
        # "fluffy white kitten" -> "white kitten" -> "kitten": the head noun is last in English NPs
        for i in range(len(words)):
            term = self.lexicon.lookup(" ".join(words[i:]))
            if term is not None:
                return term
        return self._closest(" ".join(words)) or (self._closest(words[-1]) if len(words) > 1 else None)

    def _closest(self, key: str) -> Term | None:
        if len(key) < 4:  # short words are too close to each other to guess
            return None
        pool = [t for n in range(len(key) - 1, len(key) + 2) for t in self._by_length.get(n, ())]
        found = difflib.get_close_matches(key, pool, n=1, cutoff=TYPO_CUTOFF)
        return self.lexicon.terms[found[0]] if found else None
