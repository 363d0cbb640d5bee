"""Mention-scoped negation: "a cat but no dog" negates the dog, not the cat.

Three readable rules on tokens, each limited to the mention's clause (a clause ends at punctuation,
at contrastive words such as "but" or "instead", and at a conjunction that starts a new clause:
"no cat and there is a dog"):

1. **A cue before the mention**: no, not, n't, never, without, neither, nor, none, zero ("no cows",
   "isn't a dog", "zero cats", "no longer any dogs", "not a single bird", "none of the cats").
2. **Absence said after the mention**: a form of *be* (or *do*) followed by "not"/"n't" and a word of
   being there, or by a word of absence ("the dog isn't there", "the cat is not in the picture",
   "the cow is missing", "the sheep are gone"). "The dog is not a cat" says what the dog is, not that
   it is absent, so "not" followed by anything else negates nothing after it.
3. **A question answered no**: the mention's clause ends with "?" and the next clause is just "no"
   ("a cat? no.", "Is there a dog? Nope").

Rules on tokens rather than a dependency parse: the NER pipeline has no parser, and these rules are
easy to read and test. Their known limits are listed in docs/design.md.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

CUES = frozenset(
    {"no", "not", "n't", "nt", "never", "without", "neither", "nor", "none", "nobody", "nothing", "zero", "0"}
)
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

# ---- rule 2: "the dog isn't there", "the cow is missing" ----------------------------------------------
# The verb that follows the mention: "the dog IS not there", "the dogs DON'T appear".
AFTER_VERBS = frozenset(
    {"is", "are", "was", "were", "'s", "'re", "s", "re", "be", "been", "does", "do", "did", "has", "have",
     "had", "ai", "wo", "can", "ca", "could", "cannot"}
)  # fmt: skip
AFTER_NOT = frozenset({"not", "n't", "nt", "never", "no"})
# After "not": being there ("isn't there", "is not visible", "doesn't appear", "can't be seen").
PRESENCE_WORDS = frozenset(
    {"there", "here", "present", "visible", "around", "anywhere", "pictured", "shown", "seen", "included",
     "appear", "appearing", "show", "showing", "exist", "found", "anymore", "in", "on", "inside"}
)  # fmt: skip
# With or without "not": "is missing", "are gone", "is nowhere to be seen", "is absent".
ABSENCE_WORDS = frozenset({"missing", "absent", "gone", "nowhere", "lacking"})
# "in"/"on"/"inside" count as being there only before the photo ("not in the picture"), not any place
# ("the dog is not in the house" still has a dog in the photo).
PHOTO_WORDS = frozenset({"picture", "photo", "photograph", "image", "pic", "shot", "frame", "scene", "snapshot"})
PLACE_WORDS = frozenset({"in", "on", "inside"})
# Skipped between "not" and the word of being there: "is no longer there", "won't be seen".
FILLERS = frozenset({"be", "been", "longer", "even", "really", "actually", "currently", "visibly"})
AFTER_WINDOW = 8  # tokens between the mention and its verb ("the dog from the old poster isn't there")

# ---- rule 3: "a cat? no" ------------------------------------------------------------------------------
ANSWERS_NO = frozenset({"no", "nope", "nah", "none", "never"})


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
    """True when the mention's clause negates it: a cue before it, absence after it, or a "no" answer."""
    return _cue_before(span) or _absent_after(span) or _answered_no(span)


def _cue_before(span: Span) -> bool:
    doc = span.doc
    for i in range(span.start - 1, -1, -1):
        token = doc[i]
        if is_cue(token):
            return True
        if _is_boundary(token):
            return False
    return False


def _clause_end(doc: Doc, start: int) -> int:
    """Index of the first boundary token at or after ``start`` (``len(doc)`` when there is none)."""
    return next((i for i in range(start, len(doc)) if _is_boundary(doc[i])), len(doc))


def _absent_after(span: Span) -> bool:
    doc = span.doc
    end = _clause_end(doc, span.end)
    verb = None
    for i in range(span.end, min(end, span.end + AFTER_WINDOW)):
        if doc[i].lower_ in CONJUNCTIONS:  # "the cat sat there and the dog isn't": that verb is the dog's
            return False
        if doc[i].lower_ in AFTER_VERBS:
            verb = i
            break
    if verb is None:
        return False
    rest = [t.lower_ for t in doc[verb + 1 : end]]
    if rest and rest[0] in ABSENCE_WORDS:  # "is missing"
        return True
    if not rest or rest[0] not in AFTER_NOT:
        return False
    after = rest[1:]
    while after and after[0] in FILLERS:
        after = after[1:]
    if not after:  # "... and the dog isn't."
        return True
    if after[0] in PLACE_WORDS:
        return any(word in PHOTO_WORDS for word in after[1:4])
    return after[0] in PRESENCE_WORDS or after[0] in ABSENCE_WORDS


def _answered_no(span: Span) -> bool:
    doc = span.doc
    end = _clause_end(doc, span.end)
    if end >= len(doc) or doc[end].text != "?":
        return False
    answer = end + 1
    if answer >= len(doc) or doc[answer].lower_ not in ANSWERS_NO:
        return False
    # the answer stands alone: "a cat? no." -- "a cat? no dog though" answers nothing
    return answer + 1 == len(doc) or _is_boundary(doc[answer + 1])


def has_negation(doc: Doc) -> bool:
    return any(is_cue(token) for token in doc)
