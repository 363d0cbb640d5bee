"""Find lexicon terms in text on spaCy token boundaries (longest match first).

Used to label real sentences and to check that generated sentences name no animal outside their
entities. Matching is on tokens of the English tokenizer, so a match is always a valid span;
hyphens inside a word are skipped ("flat-coated retriever" matches "flat coated retriever").
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from animal_verifier.ontology.lexicon import Lexicon, Term


@dataclass(frozen=True)
class Match:
    start: int  # first token
    end: int  # token after the last
    start_char: int
    end_char: int
    term: Term
    glued: bool = False  # starts or ends inside a hyphenated word ("horse-drawn", "black-and-white elephant")


class TermMatcher:
    """Longest-match lookup of every lexicon term (ambiguous ones included; callers decide)."""

    def __init__(self, lexicon: Lexicon, nlp: Language):
        self.lexicon = lexicon
        self.nlp = nlp
        self.index: dict[str, list[tuple[tuple[str, ...], Term]]] = {}
        for text in sorted(lexicon.terms):
            key = tuple(w for _, w, _, _ in self._words(nlp.make_doc(text)))
            if key:
                self.index.setdefault(key[0], []).append((key, lexicon.terms[text]))
        for entries in self.index.values():
            entries.sort(key=lambda e: -len(e[0]))

    def _words(self, doc: Doc) -> list[tuple[int, str, bool, bool]]:
        """(token index, lower-case word, starts its token, ends its token) for matching: a hyphen
        glued between two words is skipped, and a possessive "'s" is always a word of its own
        (the tokenizer keeps "death's" whole before a hyphen, splits "death 's" elsewhere)."""
        out = []
        for t in doc:
            if self._glued_hyphen(doc, t.i):
                continue
            low = t.lower_
            if len(low) > 2 and low.endswith("'s"):
                out += [(t.i, low[:-2], True, False), (t.i, "'s", False, True)]
            else:
                out.append((t.i, low, True, True))
        return out

    @staticmethod
    def _glued_hyphen(doc: Doc, i: int) -> bool:
        return doc[i].text == "-" and i > 0 and not doc[i - 1].whitespace_ and not doc[i].whitespace_

    def find(self, doc: Doc) -> list[Match]:
        words = self._words(doc)
        lowers = [w for _, w, _, _ in words]
        matches: list[Match] = []
        i = 0
        while i < len(words):
            hit = None
            if words[i][2]:  # a match starts and ends on token boundaries
                for key, term in self.index.get(lowers[i], ()):
                    n = len(key)
                    if tuple(lowers[i : i + n]) == key and words[i + n - 1][3]:
                        hit = (n, term)
                        break
            if hit is None:
                i += 1
                continue
            n, term = hit
            first, last = words[i][0], words[i + n - 1][0]
            span = doc[first : last + 1]
            glued = (first > 0 and self._glued_hyphen(doc, first - 1)) or (
                last + 1 < len(doc) and self._glued_hyphen(doc, last + 1)
            )
            matches.append(Match(first, last + 1, span.start_char, span.end_char, term, glued))
            i += n
        return matches

    def __call__(self, text: str) -> list[Match]:
        return self.find(self.nlp.make_doc(text))
