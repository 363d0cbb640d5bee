"""The hedged-name evaluation: outcome rules, the held-out choice of the confidence, the curve on real photos."""

from pathlib import Path

import pytest

from animal_verifier.ontology.lexicon import load_lexicon
from animal_verifier.vision.classifier import ImageClassifier
from animal_verifier_train.evaluation.hedging_eval import (
    HedgedAnswer,
    ancestors_with_corrections,
    hedging_curve,
    judge,
    leave_one_out,
    pick_confidence,
)
from animal_verifier_train.evaluation.photos import read_photos

ROOT = Path(__file__).resolve().parents[1]
DOG, TERRIER, MAMMAL, CAT = "n02084071", "n02092468", "n01861778", "n02121808"


def answer(outcome: str) -> HedgedAnswer:
    return HedgedAnswer("x.jpg", "dog", DOG, "dog", DOG, "entry", 0.9, outcome)


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def test_judge_orders_exact_broader_finer_wrong(lexicon):
    ancestors = lexicon.ancestors
    assert judge(DOG, DOG, ancestors) == "exact"
    assert judge(MAMMAL, DOG, ancestors) == "less_specific"
    assert judge(TERRIER, DOG, ancestors) == "more_specific"
    assert judge(CAT, DOG, ancestors) == "wrong"
    assert judge(None, DOG, ancestors) == "no_animal"


def test_pick_confidence_prefers_exact_then_correct_then_specific():
    by_c = {
        0.3: [answer("exact"), answer("wrong"), answer("wrong")],
        0.5: [answer("exact"), answer("exact"), answer("less_specific")],
        0.7: [answer("exact"), answer("exact"), answer("less_specific")],
        0.9: [answer("less_specific")] * 3,
    }
    assert pick_confidence(by_c, [0, 1, 2]) == 0.5  # ties with 0.7: the lower, more specific one
    assert pick_confidence(by_c, [2]) == 0.5  # 0.5, 0.7, 0.9 all correct, none exact: the lowest
    assert pick_confidence(by_c, [0]) == 0.3


def test_leave_one_out_answers_each_photo_at_a_confidence_chosen_without_it():
    # photo 0 is named right only at 0.3, photos 1 and 2 only at 0.9. Without photo 0 the others pick 0.9;
    # without photo 1 (or 2) the others tie 1:1 and pick the lower 0.3: every photo misses its own best c
    by_c = {
        0.3: [answer("exact"), answer("wrong"), answer("wrong")],
        0.9: [answer("wrong"), answer("exact"), answer("exact")],
    }
    held = leave_one_out(by_c)
    assert held["photos"] == 3
    assert held["exact_count"] == 0
    assert held["confidence_chosen"] == {"0.3": 2, "0.9": 1}
    assert held["accuracy"] == 0.0


def test_hedging_curve_on_the_shipped_photos(imagenet_dir):
    classifier = ImageClassifier.from_dir(imagenet_dir)
    photos = read_photos(ROOT / "assets" / "photos")
    result = hedging_curve(classifier, photos, load_lexicon(), [0.4, 0.9], detail_at=0.4)
    assert result["photos"] >= 20
    low, high = result["curve"]
    assert high["specificity"] <= low["specificity"]  # a higher bar names fewer photos at the entry level
    for point in result["curve"]:
        assert point["exact"] <= point["accuracy"] <= 1.0
    assert low["exact"] >= 0.5  # floor: most shipped animal photos get the name their label gives
    assert high["accuracy"] >= low["accuracy"]  # saying less is never less often right
    held = result["held_out"]
    assert held["photos"] == result["photos"]
    assert set(held["confidence_chosen"]) <= {"0.4", "0.9"}
    assert held["exact"] <= max(p["exact"] for p in result["curve"])
    assert {a["outcome"] for a in result["detail"]} <= {"exact", "less_specific", "more_specific", "wrong", "no_animal"}
    ancestors = ancestors_with_corrections(classifier.concepts, load_lexicon())
    assert all(DOG in ancestors(a["predicted_id"]) for a in result["detail"] if a["predicted"] == "dog")
