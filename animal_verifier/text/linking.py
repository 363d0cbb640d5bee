"""From an ANIMAL mention to a lexicon term: exact, then the head of the phrase, then a typo fix.

Also repairs span boundaries with the lexicon. The NER learns where a name starts from context, and
for a name it has never seen ("naked mole rat", "white-chinned petrel") it often stops short or takes
an adjective along ("a lagre octopus"). The data's rule is "the longest lexicon term at that spot",
so a span is trimmed to its longest term suffix, then grown while a longer term covers it.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

from spacy.tokens import Doc

from animal_verifier.ontology.lexicon import Lexicon, Term, normalize

MAX_GROW = 4  # tokens a span may grow by on each side ("western red-backed salamander")
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


def repair_span(
    doc: Doc, start: int, end: int, lexicon: Lexicon, lo: int = 0, hi: int | None = None
) -> tuple[int, int]:
    """Token bounds of the longest lexicon term at the mention, within [lo, hi) (the neighbours' edges).

    Unchanged when no part of the mention is a term (a typo: the linker's fuzzy match handles it).
    """
    hi = len(doc) if hi is None else hi

    def is_term(i: int, j: int) -> bool:
        return lexicon.lookup(doc[i:j].text) is not None

    # the longest term inside the mention, the rightmost of equals (English heads come last)
    inside = [(j - i, i, j) for i in range(start, end) for j in range(i + 1, end + 1) if is_term(i, j)]
    if not inside:
        return start, end
    _, first, last = max(inside)
    best = (first, last)
    for i in range(max(lo, first - MAX_GROW), first + 1):
        for j in range(min(hi, last + MAX_GROW), last - 1, -1):
            if (
                (j - i) > (best[1] - best[0])
                and not any(t.is_punct and t.text != "-" for t in doc[i:j])
                and is_term(i, j)
            ):
                best = (i, j)
    return best
