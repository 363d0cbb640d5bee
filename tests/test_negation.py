"""Negation is scoped to the mention, not the sentence."""

import pytest
import spacy

from animal_verifier.text.negation import has_negation, is_negated

NLP = spacy.blank("en")


def negations(text: str, words: list[str]) -> list[bool]:
    doc = NLP(text)
    out = []
    for word in words:
        i = next(t.i for t in doc if t.text == word)
        out.append(is_negated(doc[i : i + 1]))
    return out


@pytest.mark.parametrize(
    "text, words, expected",
    [
        ("There is a cat in the picture.", ["cat"], [False]),
        ("No cows here.", ["cows"], [True]),
        ("a cat but no dog", ["cat", "dog"], [False, True]),
        ("neither a cat nor a dog", ["cat", "dog"], [True, True]),
        ("It isn't a cow, it's a bull.", ["cow", "bull"], [True, False]),
        ("It's a wolf, not a dog.", ["wolf", "dog"], [False, True]),
        ("There is no cat and there is a dog.", ["cat", "dog"], [True, False]),
        ("no cats or dogs in this photo", ["cats", "dogs"], [True, True]),
        ("I don't think there's a horse", ["horse"], [True]),
        ("The dog is not a cat.", ["dog", "cat"], [False, True]),
        ("A farm without sheep", ["sheep"], [True]),
        ("Not only a cat but also a dog", ["cat", "dog"], [False, False]),
        ("I never saw a moose there", ["moose"], [True]),
        ("No, that's a goose.", ["goose"], [False]),
    ],
)
def test_negation_scope(text, words, expected):
    assert negations(text, words) == expected


def test_has_negation():
    assert has_negation(NLP("There aren't any puppies"))
    assert not has_negation(NLP("Two puppies on a sofa"))
