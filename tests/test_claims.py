"""The verdict table of the design, on concept probabilities given directly."""

import pytest

from animal_verifier.verify.claims import CONTRADICTED, SUPPORTED, UNVERIFIABLE, Mention, verify
from animal_verifier.vision.calibration import Thresholds

CAT, DOG, GIRAFFE, ANIMAL = "n02121808", "n02084071", "n02439033", "n00015388"
# what a cat photo looks like to the model: P(S | image) per synset; None = no class at or below S
CAT_PHOTO = {CAT: 0.93, DOG: 0.01, GIRAFFE: None, ANIMAL: 0.98}


def m(name: str, sid: str | None, negated: bool = False) -> Mention:
    return Mention(name, name, sid, negated)


def run(mentions, probs=CAT_PHOTO, animal=0.98, seen="cat"):
    return verify(mentions, probs.get, animal, seen, Thresholds(present=0.5, absent=0.1, animal=0.3))


@pytest.mark.parametrize(
    "mentions, verdicts, match",
    [
        ([m("cat", CAT)], [SUPPORTED], True),
        ([m("animal", ANIMAL)], [SUPPORTED], True),
        ([m("dog", DOG)], [CONTRADICTED], False),
        ([m("dog", DOG, negated=True)], [SUPPORTED], True),
        ([m("cat", CAT, negated=True)], [CONTRADICTED], False),
        ([m("cat", CAT), m("dog", DOG, negated=True)], [SUPPORTED, SUPPORTED], True),
        ([m("cat", CAT), m("dog", DOG)], [SUPPORTED, CONTRADICTED], False),
        ([m("giraffe", GIRAFFE)], [UNVERIFIABLE], False),
        ([m("blorp", None)], [UNVERIFIABLE], False),
    ],
)
def test_verdicts(mentions, verdicts, match):
    result = run(mentions)
    assert [c.verdict for c in result.claims] == verdicts
    assert result.match is match
    assert all(c.reason for c in result.claims)


def test_unverifiable_says_why():
    claim = run([m("giraffe", GIRAFFE)]).claims[0]
    assert "no class for giraffe" in claim.reason and "cat" in claim.reason
    assert claim.probability is None


def test_uncertain_middle_band():
    result = run([m("cat", CAT)], probs={CAT: 0.3})
    assert result.claims[0].verdict == UNVERIFIABLE and "not sure" in result.claims[0].reason


def test_no_animal_in_text():
    result = run([])
    assert result.match is False and "no animal" in result.reason


def test_no_animal_in_image_contradicts_every_present_claim():
    coffee = {CAT: 0.001, GIRAFFE: None, ANIMAL: 0.02}
    result = run([m("cat", CAT), m("giraffe", GIRAFFE), m("dog", DOG, negated=True)], coffee, animal=0.02, seen=None)
    assert [c.verdict for c in result.claims] == [CONTRADICTED, CONTRADICTED, SUPPORTED]
    assert "no animal" in result.claims[1].reason and result.match is False


def test_no_image_checks_nothing():
    result = verify([m("cat", CAT)], None, None, None)
    assert result.match is None and result.claims[0].verdict == UNVERIFIABLE
