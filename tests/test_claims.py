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
        ([m("giraffe", GIRAFFE)], [UNVERIFIABLE], None),
        ([m("blorp", None)], [UNVERIFIABLE], None),
        ([m("cat", CAT), m("giraffe", GIRAFFE)], [SUPPORTED, UNVERIFIABLE], None),  # not sure, not False
        ([m("giraffe", GIRAFFE), m("dog", DOG)], [UNVERIFIABLE, CONTRADICTED], False),  # one refutation is enough
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
    assert result.match is None and result.reason.startswith(UNVERIFIABLE)


# The issue-18 pattern on real photos kept apart from the project: P(animal) 0.3-0.5 and the claim's own
# probability between `absent` and `present`. The shipped ImageNet thresholds' band; the old rule (no band
# under `animal` = 0.709) answered each "False: the photo shows no animal".
SHIPPED_LIKE = Thresholds(present=0.5, absent=0.0183, animal=0.709, no_animal=0.2)
SWAN, BEE, FISH, DRAGONFLY = "n01858441", "n02206856", "n02512053", "n02268443"


@pytest.mark.parametrize(
    "name, sid, p_claim, p_animal",
    [
        ("swan", SWAN, 0.17, 0.50),
        ("bee", BEE, 0.2, 0.48),
        ("fish", FISH, 0.22, 0.47),
        ("dragonfly", DRAGONFLY, 0.1, 0.31),
    ],
)
def test_an_unsure_animal_photo_gives_not_sure_not_false(name, sid, p_claim, p_animal):
    result = verify([m(name, sid)], {sid: p_claim}.get, p_animal, "animal", SHIPPED_LIKE)
    (claim,) = result.claims
    assert claim.verdict == UNVERIFIABLE and result.match is None
    assert "not sure there is an animal" in claim.reason and "no animal" not in result.reason.replace("an animal", "")
    # the same probabilities under the old rule (no band): contradicted because of P(animal) alone
    old = verify([m(name, sid)], {sid: p_claim}.get, p_animal, None, Thresholds(0.5, 0.0183, 0.709))
    assert old.match is False and "shows no animal" in old.reason


def test_in_the_animal_band_a_claim_is_judged_by_its_own_probability():
    band = 0.5  # between no_animal and animal
    assert verify([m("swan", SWAN)], {SWAN: 0.6}.get, band, "swan", SHIPPED_LIKE).match is True
    assert verify([m("cat", CAT)], {CAT: 0.001}.get, band, "animal", SHIPPED_LIKE).match is False
    negated = verify([m("cat", CAT, negated=True)], {CAT: 0.001}.get, band, "animal", SHIPPED_LIKE)
    assert negated.match is True  # "no cat" on an unsure photo with P(cat) = 0.001
    under = verify([m("swan", SWAN)], {SWAN: 0.17}.get, 0.19, None, SHIPPED_LIKE)
    assert under.match is False and "shows no animal" in under.reason  # below the low threshold: no animal


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
