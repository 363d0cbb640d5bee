"""Knowing when the image model does not know: OOD scores and outcomes, the claim rule for an animal the
model cannot name, the cross-validated calibration, and odd images answered instead of raising."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

from animal_verifier.ontology.hedging import ANIMAL_NAME, UNSURE
from animal_verifier.ontology.imagenet import (
    IMAGENET_OOD,
    IMAGENET_OPERATING_POINTS,
    IMAGENET_RISK,
    IMAGENET_TEMPERATURE,
    IMAGENET_THRESHOLDS,
)
from animal_verifier.ontology.lexicon import load_lexicon
from animal_verifier.verify.claims import CONTRADICTED, SUPPORTED, UNVERIFIABLE, Mention, judge
from animal_verifier.vision.calibration import Thresholds, risk_key
from animal_verifier.vision.classifier import LABELS_FILE, ImageClassifier, LabelMap, ModelDirError
from animal_verifier.vision.ood import FAR_OOD, KNOWN, NEAR_OOD, SCORES, OodRule
from animal_verifier_train.evaluation.claim_calibration import (
    TEMPERATURES,
    _auroc,
    build_photo_set,
    claim_table,
    cross_validate,
    fit,
    plot_ood_scores,
    plot_reliability,
    reliability,
    summarise,
)
from animal_verifier_train.evaluation.photos import read_photo_sets
from animal_verifier_train.evaluation.selective import plot_risk_coverage, selective_report
from tests.conftest import ROOT

PHOTO_SETS = [ROOT / "assets" / "photos", ROOT / "assets" / "photos_dev"]
T = Thresholds(present=0.5, absent=0.1, animal=0.3)


@pytest.fixture(scope="module")
def classifier(imagenet_dir) -> ImageClassifier:
    return ImageClassifier.from_dir(imagenet_dir, lexicon=load_lexicon())


@pytest.fixture(scope="module")
def photo_set(classifier):
    return build_photo_set(classifier, read_photo_sets(PHOTO_SETS))


# ---- scores and outcomes ------------------------------------------------------------------------------
def test_scores_rank_a_peaked_output_as_more_known():
    animal = np.array([0, 1])
    peaked, flat = np.array([[8.0, 0.0, 0.0]]), np.array([[1.0, 1.0, 1.0]])
    for name, score in SCORES.items():
        assert score(peaked, animal)[0] < score(flat, animal)[0], name
    # the animal energy ignores the non-animal logits: a confident "coffee mug" is not a known animal
    mug = np.array([[0.0, 0.0, 9.0]])
    assert SCORES["animal-energy"](mug, animal)[0] == pytest.approx(-np.log(2))
    assert SCORES["energy"](mug, animal)[0] < -9


@pytest.mark.parametrize(
    ("score", "animal", "expected"),
    [(-9.0, 0.9, KNOWN), (-7.0, 0.9, NEAR_OOD), (-9.0, 0.2, FAR_OOD), (-7.0, 0.2, FAR_OOD), (None, 0.9, KNOWN)],
)
def test_outcome(score, animal, expected):
    assert OodRule(threshold=-8.0).outcome(score, animal, animal_threshold=0.5) == expected


def test_rule_round_trip_and_refusals():
    rule = OodRule("energy", -3.5)
    assert OodRule.from_json(json.loads(json.dumps(rule.to_json()))) == rule
    assert OodRule.from_json(None) == OodRule()  # a labels.json from before OOD: never near-OOD
    with pytest.raises(ValueError, match="unknown OOD score"):
        OodRule("mahalanobis")
    with pytest.raises(ValueError, match="finite"):
        OodRule(threshold=float("nan"))


def test_label_map_refuses_a_bad_temperature(imagenet_dir):
    data = json.loads((imagenet_dir / LABELS_FILE).read_text())
    for bad in (0, -1, float("inf")):
        with pytest.raises(ValueError, match="temperature"):
            LabelMap.from_json({**data, "temperature": bad})
    for bad in (0, 1.5):
        with pytest.raises(ValueError, match="confidence"):
            LabelMap.from_json({**data, "hedge_confidence": bad})


def test_hedge_confidence_is_a_model_setting(imagenet_dir, tmp_path):
    """labels.json's hedge_confidence is what the classifier uses unless a caller overrides it."""
    data = json.loads((imagenet_dir / LABELS_FILE).read_text())
    (tmp_path / "model.onnx").write_bytes((imagenet_dir / "model.onnx").read_bytes())
    (tmp_path / LABELS_FILE).write_text(json.dumps({**data, "hedge_confidence": 0.97}))
    assert ImageClassifier.from_dir(tmp_path).confidence == 0.97
    assert ImageClassifier.from_dir(tmp_path, confidence=0.5).confidence == 0.5
    assert LabelMap.from_json(data).hedge_confidence == data["hedge_confidence"]


def test_model_dir_with_inconsistent_thresholds_is_refused(imagenet_dir, tmp_path):
    data = json.loads((imagenet_dir / LABELS_FILE).read_text())
    data["thresholds"] = {"present": 0.2, "absent": 0.6, "animal": 0.5}  # absent above present
    (tmp_path / "model.onnx").write_bytes((imagenet_dir / "model.onnx").read_bytes())
    (tmp_path / LABELS_FILE).write_text(json.dumps(data))
    with pytest.raises(ModelDirError, match="absent <= present"):
        ImageClassifier.from_dir(tmp_path)


# ---- the claim rule for an animal the model cannot name ------------------------------------------------------
def _judge(p: float, outcome: str, seen_p: float | None = 0.9, negated: bool = False):
    mention = Mention("gecko", "gecko", "n01675722", negated)
    return judge(mention, lambda _: p, 0.95, ANIMAL_NAME, T, outcome, seen_p)


def test_near_ood_never_confirms_a_species():
    assert _judge(0.6, KNOWN).verdict == SUPPORTED
    near = _judge(0.6, NEAR_OOD)
    assert near.verdict == UNVERIFIABLE and "cannot name" in near.reason
    assert _judge(0.95, NEAR_OOD).verdict == SUPPORTED  # as broad as what it is sure of ("an animal")
    assert _judge(0.01, NEAR_OOD).verdict == CONTRADICTED  # what it surely is not stays contradicted
    assert _judge(0.01, NEAR_OOD, negated=True).verdict == SUPPORTED


# ---- real photos and odd images ----------------------------------------------------------------------
def _screenshot() -> Image.Image:
    image = Image.new("RGB", (1280, 800), (240, 240, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 1280, 24], fill=(50, 50, 120))
    for y in range(40, 780, 28):
        draw.text((20, y), "File  Edit  View   def main() -> int: return 0   >>> import spacy", fill="black")
    return image


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "make",
    [
        lambda: Image.new("RGB", (300, 300), "white"),
        lambda: Image.new("RGB", (300, 300), "black"),
        lambda: Image.new("RGB", (8, 8), (120, 80, 40)),  # tiny: under 16 px
        lambda: Image.new("RGB", (1, 1), (0, 128, 0)),
        _screenshot,
        lambda: _png(_screenshot()),
    ],
    ids=["white", "black", "tiny", "one-pixel", "screenshot", "screenshot-png-bytes"],
)
def test_odd_images_are_answered_without_an_animal(classifier, make):
    """Blank, tiny, one-pixel images and screenshots: no animal (far-OOD), or, when P(animal) lands in the band
    (a blank image has about 0.23, over the shipped no_animal 0.158), "not sure there is an animal"; never a
    name of an animal, never "known", never an exception."""
    (prediction,) = classifier.classify([make()])
    t = classifier.thresholds
    if prediction.animal_probability < t.no_animal:
        assert prediction.ood == FAR_OOD and prediction.label is None
    else:
        assert prediction.animal_probability < t.animal and prediction.ood != KNOWN
        assert (prediction.label, prediction.label_level) == (ANIMAL_NAME, UNSURE)
    assert np.isfinite(prediction.ood_score)


def test_no_animal_and_drawings_are_never_given_a_species(classifier):
    photos = [p for p in read_photo_sets(PHOTO_SETS) if not p.has_animal]
    predictions = classifier.classify([p.path for p in photos])
    named = [
        p.path.name
        for p, pred in zip(photos, predictions, strict=True)
        if pred.ood == KNOWN and pred.label_level != UNSURE
    ]
    assert len(named) <= 0.05 * len(photos), named  # the far-OOD goal: >= 95% answered no animal, OOD or not sure
    assert all(pred.label_level in (None, "broader", "animal", UNSURE) for pred in predictions if pred.ood != KNOWN)


def test_a_dev_image_in_the_animal_band_is_not_sure_instead_of_no_animal(classifier):
    """grass_skimage.jpg has P(animal) about 0.4, between the shipped no_animal and animal thresholds (the band
    of issue 18's swan, bee, fish and dragonfly): the image is "not sure there is an animal", not "no animal";
    "There is a dog." (P(dog) about 0.15, in its own band) is not sure, where it was False ("the photo shows no
    animal"), and "There is a cow." (P about 0.00005) is contradicted by its own probability, not by P(animal)."""
    t, lexicon = classifier.thresholds, load_lexicon()
    (pred,) = classifier.classify([ROOT / "assets" / "photos" / "grass_skimage.jpg"])
    assert t.no_animal <= pred.animal_probability < t.animal and 0.3 <= pred.animal_probability <= 0.5
    assert (pred.label, pred.label_level) == (ANIMAL_NAME, UNSURE) and pred.ood != FAR_OOD

    def claim(name: str):
        sid = lexicon.lookup(name).id
        return judge(
            Mention(name, name, sid, False),
            lambda s: classifier.concept_probability(pred.probs, s),
            pred.animal_probability,
            pred.label,
            t,
            pred.ood,
            pred.label_probability,
        )

    dog = claim("dog")
    assert t.absent <= dog.probability < t.present
    assert dog.verdict == UNVERIFIABLE and "not sure there is an animal" in dog.reason
    cow = claim("cow")
    assert cow.verdict == CONTRADICTED and cow.probability < t.absent and "no animal" not in cow.reason


def test_shipped_calibration_is_the_fit_on_the_dev_photos(photo_set):
    """The constants export writes into labels.json are what scripts/evaluate_photos.py fits today: the
    temperature, the near-OOD rule and every operating point (risk -> thresholds)."""
    tables = {t: claim_table(photo_set, t) for t in TEMPERATURES}
    calibration, losses = fit(photo_set, np.ones(len(photo_set), dtype=bool), tables, IMAGENET_RISK)
    assert calibration.temperature == IMAGENET_TEMPERATURE
    assert sorted(calibration.operating_points) == sorted(IMAGENET_OPERATING_POINTS)
    for key, shipped in IMAGENET_OPERATING_POINTS.items():
        fitted = calibration.operating_points[key]
        assert fitted.present == pytest.approx(shipped.present, abs=2e-3), key
        assert fitted.absent == pytest.approx(shipped.absent, abs=2e-3), key
        assert fitted.animal == pytest.approx(shipped.animal, abs=2e-2), key
        assert fitted.no_animal == pytest.approx(shipped.no_animal, abs=2e-2), key
    assert calibration.thresholds == calibration.operating_points[risk_key(IMAGENET_RISK)]
    assert IMAGENET_THRESHOLDS == IMAGENET_OPERATING_POINTS[risk_key(IMAGENET_RISK)]
    assert calibration.ood.score == IMAGENET_OOD.score
    assert calibration.ood.threshold == pytest.approx(IMAGENET_OOD.threshold, abs=0.05)
    assert min(losses, key=losses.get) == calibration.temperature


def test_held_out_figures_reach_their_floors(photo_set):
    """Leave one photo out, as docs/vision.md quotes; floors a little under the recorded figures."""
    cv = cross_validate(photo_set)
    summary = summarise(photo_set, cv)
    selective = selective_report(photo_set, cv)[risk_key(IMAGENET_RISK)]
    # the goal of issue 18: at most 2 confident errors per 100 claims, overall and on animal photos
    assert selective["all"]["confident_errors_per_100_claims"] <= 2
    assert selective["category=known"]["confident_errors_per_100_claims"] <= 2
    assert summary["true_claims_contradicted"]["count"] <= 3  # 2 measured; 5 before the animal band
    assert summary["photos"]["known"] >= 35 and summary["photos"]["far"] >= 90
    assert summary["true_claims_supported"]["rate"] >= 0.78
    assert summary["false_claims_accepted"]["rate"] <= 0.01
    assert summary["false_claims_accepted_on_animal_photos"]["rate"] <= 0.01  # the confusions people make
    assert summary["no_animal_answered_no_animal_or_ood"]["rate"] >= 0.95
    assert summary["auroc"]["animal-energy"]["far"] >= 0.95
    assert summary["calibration_error"]["ece"] <= 0.05


def test_plots_are_written(photo_set, tmp_path):
    summary = summarise(photo_set, cross_validate(photo_set, k=3))
    plot_reliability(summary, tmp_path / "reliability.png")
    plot_ood_scores(photo_set, "animal-energy", IMAGENET_OOD.threshold, tmp_path / "ood.png")
    assert (tmp_path / "reliability.png").stat().st_size > 1000 and (tmp_path / "ood.png").stat().st_size > 1000
    plot_risk_coverage(selective_report(photo_set, cross_validate(photo_set, k=3)), tmp_path / "rc.png")
    assert (tmp_path / "rc.png").stat().st_size > 1000


# ---- the measures, on numbers checked by hand ---------------------------------------------------------------
def test_auroc_by_hand():
    assert _auroc(np.array([1.0, 2.0]), np.array([3.0, 4.0])) == 1.0  # every OOD score above every known one
    assert _auroc(np.array([1.0, 3.0]), np.array([2.0])) == 0.5
    assert _auroc(np.array([1.0]), np.array([1.0])) == 0.5  # a tie counts half
    assert _auroc(np.array([1.0]), np.array([])) is None


def test_expected_calibration_error_by_hand():
    # two bins: p = 0.1 (2 claims, 1 true: |0.1 - 0.5| = 0.4) and p = 0.9 (2 claims, both true: 0.1)
    p, truth = np.array([0.1, 0.1, 0.9, 0.9]), np.array([True, False, True, True])
    result = reliability(p, truth, bins=10)
    assert result["ece"] == pytest.approx(0.5 * 0.4 + 0.5 * 0.1)
    assert [row["n"] for row in result["bins"]] == [2, 2]


def test_in_sample_report_judges_the_photos_claims_at_each_operating_point():
    """A wider band (lower absent) answers fewer claims; a claim under the no-animal threshold is contradicted."""
    from animal_verifier_train.evaluation.photo_eval import PhotoResult
    from animal_verifier_train.evaluation.selective import ALL, in_sample_report

    results = [
        PhotoResult("cow.jpg", "cow", "n01887787", True, 0.9, "cow", "ox", 0.8, {"cat": 0.001, "dog": 0.02}),
        PhotoResult("swan.jpg", "swan", "n01858441", True, 0.4, None, "goose", 0.17, {"cat": 0.003}),
        PhotoResult("fog.jpg", "owl", "n01621127", True, 0.05, None, "", 0.01, {}),
    ]
    narrow = Thresholds(present=0.5, absent=0.05, animal=0.7, no_animal=0.1)
    wide = Thresholds(present=0.5, absent=0.002, animal=0.7, no_animal=0.1)
    report = in_sample_report(results, {"0.1": narrow, "0.01": wide})
    assert report["0.1"][ALL]["claims"] == report["0.01"][ALL]["claims"] == 6
    # cow supported; cat, dog, swan's cat contradicted at 0.05; the swan (0.17) not sure; the owl under no_animal
    assert report["0.1"][ALL]["answered"] == 5 and report["0.1"][ALL]["true_claims_contradicted"] == 1
    assert report["0.01"][ALL]["answered"] == 3  # cat 0.003 and dog 0.02 are now in the band
    assert report["0.01"][ALL]["true_claims_supported"] == 1 and report["0.01"][ALL]["false_claims_supported"] == 0
