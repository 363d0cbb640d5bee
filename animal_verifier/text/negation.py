"""Mention-scoped negation: "a cat but no dog" negates the dog, not the cat.

A cue (no, not, n't, never, without, neither, nor, none) negates the mentions that follow it in
the same clause. The clause ends at punctuation, at contrastive words (but, instead, ...), and at
a conjunction that starts a new clause ("no cat and there is a dog"). Rules on tokens rather than
a dependency parse: the NER pipeline has no parser, and these rules are easy to read and test.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

CUES = frozenset({"no", "not", "n't", "nt", "never", "without", "neither", "nor", "none", "nobody", "nothing"})
BOUNDARY_WORDS = frozenset(
    {"but", "yet", "however", "although", "though", "while", "whereas", "instead", "rather", "except", "only"}
)
CONJUNCTIONS = frozenset({"and", "or", "&"})
# A conjunction followed by one of these starts a new clause rather than another noun phrase.
CLAUSE_STARTERS = frozenset(
    {
        "there", "here", "it", "this", "that", "i", "we", "you", "he", "she", "they", "is", "are", "was",
        "were", "'s", "'re", "has", "have", "had", "see", "saw", "shows", "show", "looks", "look", "maybe",
        "perhaps", "also", "definitely", "probably", "so",
    }
)  # fmt: skip


def is_cue(token: Token) -> bool:
    return token.lower_ in CUES and not (token.lower_ == "not" and _next_lower(token) == "only")


def _next_lower(token: Token) -> str:
    return token.nbor().lower_ if token.i + 1 < len(token.doc) else ""


def _is_boundary(token: Token) -> bool:
    if token.is_punct and token.text not in {"-", "'"}:
        return True
    if token.lower_ in BOUNDARY_WORDS:
        return True
    return token.lower_ in CONJUNCTIONS and _next_lower(token) in CLAUSE_STARTERS


def is_negated(span: Span) -> bool:
    """True when a negation cue stands before the mention in its clause."""
    doc = span.doc
    for i in range(span.start - 1, -1, -1):
        token = doc[i]
        if is_cue(token):
            return True
        if _is_boundary(token):
            return False
    return False


def has_negation(doc: Doc) -> bool:
    return any(is_cue(token) for token in doc)
