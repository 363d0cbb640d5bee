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


@pytest.mark.parametrize(
    "text, words, expected",
    [
        # after the noun: "isn't" / "is not" + being there
        ("The dog isn't there.", ["dog"], [True]),
        ("the cat is not there", ["cat"], [True]),
        ("The dog's not here, but the cat is.", ["dog", "cat"], [True, False]),
        ("The cat is not in the picture.", ["cat"], [True]),
        ("The horses aren't visible anymore", ["horses"], [True]),
        ("The goat is no longer there.", ["goat"], [True]),
        ("The cows don't appear in this photo", ["cows"], [True]),
        ("The moose can't be seen", ["moose"], [True]),
        ("The dog from the old poster isn't there", ["dog"], [True]),
        # after the noun: a word of absence
        ("The cow is missing.", ["cow"], [True]),
        ("the sheep are gone", ["sheep"], [True]),
        ("The owl is nowhere to be seen.", ["owl"], [True]),
        ("the duck is absent from the photo", ["duck"], [True]),
        # after the noun, but not absence: what the animal is, does or where it is
        ("The dog is not a cat.", ["dog", "cat"], [False, True]),
        ("The dog isn't sleeping.", ["dog"], [False]),
        ("The dog is not in the house.", ["dog"], [False]),
        ("The dog's bowl isn't there.", ["dog"], [False]),
        ("The dog has no collar.", ["dog"], [False]),
        ("The cat sat there and the dog isn't here.", ["cat", "dog"], [False, True]),
        ("The dog is there, not the cat.", ["dog", "cat"], [False, True]),
        # by quantity
        ("zero cats on the sofa", ["cats"], [True]),
        ("There are 0 dogs here", ["dogs"], [True]),
        ("There are no longer any dogs.", ["dogs"], [True]),
        ("Not a single bird in the sky", ["bird"], [True]),
        ("None of the horses are brown", ["horses"], [True]),
        ("Two cats and zero dogs", ["cats", "dogs"], [False, True]),
        # a question answered
        ("a cat? no.", ["cat"], [True]),
        ("Is there a dog? Nope", ["dog"], [True]),
        ("A cat? No, a dog.", ["cat", "dog"], [True, False]),
        ("A cat? Yes.", ["cat"], [False]),
        ("A cat? No dog though.", ["cat", "dog"], [False, True]),
    ],
)
def test_negation_after_the_noun_by_quantity_and_answers(text, words, expected):
    assert negations(text, words) == expected


def test_has_negation():
    assert has_negation(NLP("There aren't any puppies"))
    assert not has_negation(NLP("Two puppies on a sofa"))
