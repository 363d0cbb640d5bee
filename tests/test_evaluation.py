"""The evaluation code behind the README's figures, on cases small enough to score by hand.

No trained model and no image model: NER predictions come from an entity ruler standing in for the NER,
pipeline verdicts and classifier probabilities from fixed tables. Each expected number is worked out in
the comments, so a change in the scoring rules shows up as a failing count, not a drifting percentage.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
import spacy
from PIL import Image
from spacy.language import Language
from spacy.tokens import Doc

import animal_verifier.components  # noqa: F401  (registers the Doc extensions and the animal_linker factory)
from animal_verifier.constants import LINKER
from animal_verifier.ontology.lexicon import Lexicon, load_lexicon
from animal_verifier.pipeline import ensure_linker
from animal_verifier.verify.claims import CONTRADICTED, SUPPORTED, UNVERIFIABLE
from animal_verifier.vision.calibration import Thresholds
from animal_verifier_train.evaluation import pipeline_eval
from animal_verifier_train.evaluation.classifier_metrics import classification_report, plot_confusion_matrix
from animal_verifier_train.evaluation.ner_eval import SLICES, Counts, evaluate, plot_reports, slices_of
from animal_verifier_train.evaluation.photo_eval import (
    MIN_SUPPORTED_PROBABILITY,
    PhotoResult,
    calibrate,
    figures,
    score_photos,
    thresholds_from_scores,
)
from animal_verifier_train.evaluation.photos import NON_ANIMAL, Photo
from animal_verifier_train.evaluation.pipeline_eval import (
    NO_ANIMAL_TEXTS,
    Case,
    PipelineReport,
    build_cases,
    evaluate_pipeline,
    plot_report,
)
from animal_verifier_train.ner.corpus import Record

S, C, U = SUPPORTED, CONTRADICTED, UNVERIFIABLE
# WordNet ids used below
CAT, DOG, BEAGLE, GIRAFFE, MOOSE = "n02121808", "n02084071", "n02088364", "n02439033", "n02432983"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


# ---- NER: span counts, slices, NER + linker vs NER alone ---------------------------------------------
def record(text: str, *mentions: str) -> Record:
    """A gold record whose ANIMAL spans are the first occurrence of each mention."""
    return Record(text, tuple((text.index(m), text.index(m) + len(m), "ANIMAL") for m in mentions))


A = "ANIMAL"


@pytest.mark.parametrize(
    "gold, pred, tp, fp, fn, precision, recall, f1, clean",
    [
        pytest.param(set(), set(), 0, 0, 0, 1.0, 1.0, 1.0, 1, id="no gold, nothing predicted: perfect"),
        pytest.param({(0, 3, A)}, {(0, 3, A)}, 1, 0, 0, 1.0, 1.0, 1.0, 1, id="exact match"),
        pytest.param(set(), {(4, 10, A)}, 0, 1, 0, 0.0, 1.0, 0.0, 0, id="hard negative with a false mention"),
        pytest.param({(0, 3, A)}, set(), 0, 0, 1, 0.0, 0.0, 0.0, 0, id="missed mention"),
        pytest.param({(2, 16, A)}, {(8, 16, A)}, 0, 1, 1, 0.0, 0.0, 0.0, 0, id="partial overlap: FP + FN"),
        pytest.param({(0, 3, A)}, {(0, 3, "ORG")}, 0, 1, 1, 0.0, 0.0, 0.0, 0, id="right span, wrong label"),
        pytest.param(
            {(0, 3, A), (8, 11, A)}, {(0, 3, A), (20, 23, A)}, 1, 1, 1, 0.5, 0.5, 0.5, 0, id="one right, one each way"
        ),
    ],
)
def test_counts_one_sentence(gold, pred, tp, fp, fn, precision, recall, f1, clean):
    counts = Counts()
    counts.add(gold, pred)
    assert (counts.tp, counts.fp, counts.fn, counts.sentences, counts.sentences_without_error) == (tp, fp, fn, 1, clean)
    assert (counts.precision, counts.recall, counts.f1) == pytest.approx((precision, recall, f1))
    assert counts.to_dict()["sentence_accuracy"] == clean


@pytest.mark.parametrize(
    "text, mentions, expected",
    [
        ("I see a cat.", ["cat"], ["all"]),
        ("What a lovely day.", [], ["all", "hard_negative"]),
        ("Nothing to see here.", [], ["all", "hard_negative", "negation"]),
        ("No cows here.", ["cows"], ["all", "negation", "plural"]),
        ("A white-chinned petrel flew by.", ["white-chinned petrel"], ["all", "multiword"]),
        ("Not a sea lion, nor any geese.", ["sea lion", "geese"], ["all", "negation", "plural", "multiword"]),
        ("Some sheep.", ["sheep"], ["all"]),  # the lexicon reads "sheep" as singular: not in the plural slice
    ],
)
def test_slices_of(text, mentions, expected, lexicon):
    nlp = spacy.blank("en")
    assert slices_of(record(text, *mentions), nlp(text), lexicon) == expected


# The stand-in NER finds these phrases and nothing else; the linker then fits spans to the lexicon:
# "mole rat" grows to "naked mole rat", "fluffy kitten" is trimmed to "kitten".
RULER_PATTERNS = ["cat", "dog", "geese", "mole rat", "Jaguar", "fluffy kitten"]
NER_RECORDS = [
    record("I see a cat.", "cat"),  # TP; slices: all
    record("There is no dog here.", "dog"),  # TP; all, negation
    record("Two geese on the lake.", "geese"),  # TP; all, plural
    record("A naked mole rat sleeps.", "naked mole rat"),  # alone FP + FN, linked TP; all, multiword
    record("What a lovely day."),  # nothing either side; all, hard_negative
    record("The Jaguar is a fast car."),  # FP (the car); all, hard_negative
    record("A fluffy kitten and a yak.", "kitten", "yak"),  # alone FP + 2 FN, linked TP + FN; all
    record("I don't see any cats.", "cats"),  # FN; all, negation, plural
]
# alone:  TP cat, dog, geese; FP mole rat, Jaguar, fluffy kitten; FN naked mole rat, kitten, yak, cats
# linked: TP cat, dog, geese, naked mole rat, kitten; FP Jaguar; FN yak, cats
# slice -> (tp, fp, fn, sentences, sentences without error)
ALONE = {
    "all": (3, 3, 4, 8, 4),
    "negation": (1, 0, 1, 2, 1),
    "plural": (1, 0, 1, 2, 1),
    "multiword": (0, 1, 1, 1, 0),
    "hard_negative": (0, 1, 0, 2, 1),
}
LINKED = {**ALONE, "all": (5, 1, 2, 8, 5), "multiword": (1, 0, 0, 1, 1)}


@pytest.fixture(scope="module")
def ruler_nlp() -> Language:
    """An entity ruler named "ner" plus the real linker, as ``scripts/evaluate_ner.py`` assembles a trained NER."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "ANIMAL", "pattern": p} for p in RULER_PATTERNS])
    return ensure_linker(nlp)


def _counts(report) -> dict[str, tuple[int, ...]]:
    return {name: (c.tp, c.fp, c.fn, c.sentences, c.sentences_without_error) for name, c in report.slices.items()}


@pytest.mark.parametrize(
    "disable, expected, prf",
    [
        pytest.param([], LINKED, (5 / 6, 5 / 7, 10 / 13), id="NER + linker"),
        pytest.param([LINKER], ALONE, (3 / 6, 3 / 7, 6 / 13), id="NER alone"),
    ],
)
def test_ner_scores_by_slice(ruler_nlp, lexicon, disable, expected, prf):
    with ruler_nlp.select_pipes(disable=disable):
        report = evaluate(ruler_nlp, NER_RECORDS, lexicon, "toy")
    assert list(report.slices) == list(SLICES)
    assert _counts(report) == expected
    everything = report.slices["all"]
    assert (everything.precision, everything.recall, everything.f1) == pytest.approx(prf)
    assert report.f1 == pytest.approx(prf[2])
    # both ways: negation and plural are 1 TP + 1 FN; hard negatives have one false mention in two sentences
    assert report.slices["negation"].f1 == pytest.approx(2 / 3)
    hard = report.to_dict()["slices"]["hard_negative"]
    assert (hard["precision"], hard["recall"], hard["f1"], hard["sentence_accuracy"]) == (0.0, 1.0, 0.0, 0.5)


def test_ner_error_sample(ruler_nlp, lexicon):
    with ruler_nlp.select_pipes(disable=[LINKER]):
        report = evaluate(ruler_nlp, NER_RECORDS, lexicon, "toy")
        capped = evaluate(ruler_nlp, NER_RECORDS, lexicon, "toy", max_errors=2)
    assert report.errors == [
        {"text": "A naked mole rat sleeps.", "missed": ["naked mole rat"], "spurious": ["mole rat"]},
        {"text": "The Jaguar is a fast car.", "missed": [], "spurious": ["Jaguar"]},
        {"text": "A fluffy kitten and a yak.", "missed": ["kitten", "yak"], "spurious": ["fluffy kitten"]},
        {"text": "I don't see any cats.", "missed": ["cats"], "spurious": []},
    ]
    assert capped.errors == report.errors[:2]
    assert _counts(capped) == _counts(report)  # the cap limits the sample, not the scoring


def test_ner_clean_sentence_without_entities(ruler_nlp, lexicon):
    report = evaluate(ruler_nlp, [record("What a lovely day.")], lexicon)
    assert _counts(report) == {
        "all": (0, 0, 0, 1, 1),
        "negation": (0, 0, 0, 0, 0),
        "plural": (0, 0, 0, 0, 0),
        "multiword": (0, 0, 0, 0, 0),
        "hard_negative": (0, 0, 0, 1, 1),
    }
    assert report.f1 == 1.0 and not report.errors


# ---- end to end: the cases written for each photo --------------------------------------------------
def test_build_cases_for_an_animal_photo(lexicon, monkeypatch):
    # a dog is not a wrong animal for a beagle, so the only "other" animal left is the elephant
    monkeypatch.setattr(pipeline_eval, "OTHER_ANIMALS", ("dog", "elephant"))
    path = Path("beagle.jpg")
    cases = build_cases([Photo(path, "beagle", BEAGLE, "photo")], lexicon)
    assert cases[:-1] == [
        Case("true", "There is a beagle in the picture.", path, (S,), True),
        Case("false", "I can see an elephant here.", path, (C,), False),
        Case("negated-true", "There is no elephant in this photo.", path, (S,), True),
        Case("negated-false", "I don't think there is a beagle here.", path, (C,), False),
        Case("two-animals", "I see a beagle and an elephant.", path, (S, C), False),
        Case("two-animals", "There is a beagle but no elephant.", path, (S, S), True),
        Case("hierarchy", "There is an animal in this picture.", path, (S,), True),
    ]
    last = cases[-1]
    assert (last.kind, last.expected, last.expected_match) == ("no-animal-text", (), False)
    assert last.text in NO_ANIMAL_TEXTS


def test_build_cases_for_an_image_without_animal(lexicon, monkeypatch):
    monkeypatch.setattr(pipeline_eval, "OTHER_ANIMALS", ("elephant",))
    path = Path("brick.jpg")
    assert build_cases([Photo(path, "", "", NON_ANIMAL)], lexicon) == [
        Case("false", "There is an elephant in the picture.", path, (C,), False),
        Case("negated-true", "There is no elephant in this photo.", path, (S,), True),
    ]


@pytest.mark.parametrize("seed", range(8))
def test_build_cases_never_calls_a_related_animal_wrong(lexicon, seed):
    photos = [Photo(Path("beagle.jpg"), "beagle", BEAGLE, "photo"), Photo(Path("cat.jpg"), "cat", CAT, "photo")]
    cases = build_cases(photos, lexicon, seed=seed)
    assert cases == build_cases(photos, lexicon, seed=seed)  # the same random seed writes the same sentences
    for photo, related in ((photos[0], "dog"), (photos[1], "cat")):
        (false,) = [c for c in cases if c.image == photo.path and c.kind == "false"]
        other = false.text.removeprefix("I can see ").removesuffix(" here.").split(" ")[-1]
        assert other in pipeline_eval.OTHER_ANIMALS and other != related
        assert f"There is no {other} in this photo." in [c.text for c in cases if c.image == photo.path]


@dataclass
class Answer:
    """What the stand-in pipeline says about one statement."""

    claims: list[tuple[str | None, str]]  # (wordnet id, verdict) per mention found
    match: bool | None
    image_label: str | None = "dog"  # None: the image model sees no animal


@dataclass
class FakeConcepts:
    ids: frozenset[str]

    def expressible(self, synset_id: str) -> bool:
        return synset_id in self.ids


@dataclass
class FakeNlp:
    """Just enough of a Language for ``evaluate_pipeline``: verdicts come from a list, in case order."""

    answers: list[Answer]
    expressible: frozenset[str]
    blank: Language = field(default_factory=lambda: spacy.blank("en"))

    def get_pipe(self, name: str) -> SimpleNamespace:
        assert name == "image_classifier"
        return SimpleNamespace(model=SimpleNamespace(concepts=FakeConcepts(self.expressible)))

    def make_doc(self, text: str) -> Doc:
        return self.blank.make_doc(text)

    def pipe(self, docs, batch_size: int = 16):
        for doc, answer in zip(docs, self.answers, strict=True):
            assert doc._.image is not None  # the photo was loaded and handed over with the text
            doc._.claims = [{"text": doc.text, "wordnet_id": w, "verdict": v} for w, v in answer.claims]
            doc._.match = answer.match
            doc._.image_label = answer.image_label
            yield doc


def test_pipeline_report_arithmetic(tmp_path):
    beagle, giraffe = tmp_path / "beagle.png", tmp_path / "giraffe.png"
    for path in (beagle, giraffe):
        Image.new("RGB", (8, 8), "white").save(path)
    # giraffe and moose have no class in the image model; beagle, cat and dog have
    expressible = frozenset({BEAGLE, CAT, DOG})
    rows = [
        # case, the pipeline's answer
        (Case("true", "There is a beagle in the picture.", beagle, (S,), True), Answer([(BEAGLE, S)], True)),
        (Case("false", "I can see a cat here.", beagle, (C,), False), Answer([(CAT, S)], True)),  # wrong
        (
            Case("two-animals", "I see a beagle and a cat.", beagle, (S, C), False),
            Answer([(BEAGLE, S), (CAT, C)], False),
        ),
        # the NER missed the cat: an NER error, both expected claims count as wrong
        (Case("two-animals", "There is a beagle but no cat.", beagle, (S, S), True), Answer([(BEAGLE, S)], True)),
        (Case("no-animal-text", "Here is my holiday picture.", beagle, (), False), Answer([], False)),
        # a spurious mention in a text with no animal: the statement is wrong
        (Case("no-animal-text", "What a lovely day at the park.", beagle, (), False), Answer([(None, U)], False)),
        # inexpressible claims on an image with an animal: expected unverifiable, kept out of accuracy
        # ... and the statement is "not sure" (match None): neither right nor a confident error
        (Case("true", "There is a giraffe in the picture.", giraffe, (S,), True), Answer([(GIRAFFE, U)], None)),
        (Case("false", "I can see a moose here.", giraffe, (C,), False), Answer([(MOOSE, C)], False)),
        # ... but when the model sees no animal the claim is judged, and counts: here it is wrong
        (
            Case("true", "There is a giraffe in the picture.", giraffe, (S,), True),
            Answer([(GIRAFFE, C)], False, image_label=None),
        ),
    ]
    cases, answers = [c for c, _ in rows], [a for _, a in rows]
    report = evaluate_pipeline(FakeNlp(answers, expressible), cases)

    assert {k: dict(v) for k, v in report.per_kind.items()} == {
        "true": {"statements": 3, "match_right": 1, "match_not_sure": 1, "match_confident_wrong": 1,
                 "expressible": 2, "right": 1, "unverifiable_expected": 1, "unverifiable_right": 1},
        "false": {"statements": 2, "match_right": 1, "match_not_sure": 0, "match_confident_wrong": 1,
                  "expressible": 1, "right": 0, "unverifiable_expected": 1, "unverifiable_right": 0},
        "two-animals": {"statements": 2, "match_right": 2, "match_not_sure": 0, "match_confident_wrong": 0,
                        "expressible": 4, "right": 2, "ner_errors": 1},
        "no-animal-text": {"statements": 2, "match_right": 2, "match_not_sure": 0, "match_confident_wrong": 0,
                           "expressible": 2, "right": 1},
    }  # fmt: skip
    assert report.accuracy("true") == 0.5 and report.accuracy("false") == 0.0
    assert report.accuracy("two-animals") == 0.5 and report.accuracy("no-animal-text") == 0.5
    assert report.accuracy() == pytest.approx(4 / 9)  # right 1 + 0 + 2 + 1 of expressible 2 + 1 + 4 + 2
    assert {e: dict(p) for e, p in report.confusion.items()} == {
        S: {S: 2, C: 1},  # the two beagles; the giraffe on the "no animal" image
        C: {C: 1, S: 1},  # the cat in two animals; the cat in "I can see a cat here."
        U: {U: 1, C: 1},  # giraffe, moose
    }
    assert [(f["kind"], f["text"]) for f in report.failures] == [
        ("false", "I can see a cat here."),
        ("two-animals", "There is a beagle but no cat."),
        ("no-animal-text", "What a lovely day at the park."),
        ("true", "There is a giraffe in the picture."),
    ]
    assert report.failures[0]["expected"] == C and report.failures[0]["verdict"] == S

    summary = report.to_dict()
    assert summary["claim_accuracy_expressible"] == 0.4444
    assert summary["per_kind"]["true"]["accuracy"] == 0.5 and list(summary["per_kind"]) == sorted(report.per_kind)


def test_pipeline_accuracy_of_a_kind_never_seen_is_zero_and_adds_nothing():
    report = PipelineReport()
    report.per_kind["true"].update(expressible=4, right=3)
    assert report.accuracy("hierarchy") == 0.0
    assert list(report.per_kind) == ["true"] and "hierarchy" not in report.to_dict()["per_kind"]
    assert report.accuracy() == 0.75 and PipelineReport().accuracy() == 0.0


# ---- classifier metrics ------------------------------------------------------------------------------
def test_classification_report_three_classes():
    # true \ predicted   a  b  c
    #   a                2  1  0
    #   b                0  2  0
    #   c                2  0  2
    report = classification_report([0, 0, 0, 1, 1, 2, 2, 2, 2], [0, 0, 1, 1, 1, 2, 2, 0, 0], ["a", "b", "c"])
    assert report["confusion_matrix"] == [[2, 1, 0], [0, 2, 0], [2, 0, 2]]
    assert report["n"] == 9 and report["accuracy"] == pytest.approx(6 / 9)
    expected = {  # precision = diagonal / column, recall = diagonal / row
        "a": (2 / 4, 2 / 3, 4 / 7, 3),
        "b": (2 / 3, 2 / 2, 4 / 5, 2),
        "c": (2 / 2, 2 / 4, 2 / 3, 4),
    }
    for name, (p, r, f, support) in expected.items():
        got = report["per_class"][name]
        assert (got["precision"], got["recall"], got["f1"]) == pytest.approx((p, r, f)) and got["support"] == support
    assert report["macro_f1"] == pytest.approx((4 / 7 + 4 / 5 + 2 / 3) / 3)


@pytest.mark.parametrize(
    "targets, predictions, macro_f1",
    [
        pytest.param([0, 1], [0, 1], 1.0, id="class c neither true nor predicted: left out"),
        pytest.param([0, 0, 1], [0, 2, 1], (2 / 3 + 1 + 0) / 3, id="class c only predicted: counts, F1 0"),
        pytest.param([], [], 0.0, id="nothing to score"),
    ],
)
def test_macro_f1_averages_the_classes_that_occur(targets, predictions, macro_f1):
    report = classification_report(targets, predictions, ["a", "b", "c"])
    assert report["macro_f1"] == pytest.approx(macro_f1)
    if not targets:
        assert report["accuracy"] == 0.0 and report["n"] == 0


# ---- photo-level figures and threshold calibration --------------------------------------------------
@dataclass
class FakePrediction:
    probs: dict[str, float]  # synset -> P(synset | image); absent: the model cannot express it
    animal_probability: float
    label: str | None
    fine_label: str = ""


class FakeClassifier:
    """Concept probabilities from a table keyed by file name, with the real lexicon's hierarchy."""

    def __init__(self, lexicon: Lexicon, table: dict[str, FakePrediction]):
        self.table = table

    def classify(self, paths: list[Path]) -> list[FakePrediction]:
        return [self.table[Path(p).name] for p in paths]

    def concept_probability(self, probs: dict[str, float], synset_id: str) -> float | None:
        return probs.get(synset_id)


PHOTOS = [
    Photo(Path("cat.jpg"), "cat", CAT, "photo"),
    Photo(Path("beagle.jpg"), "beagle", BEAGLE, "photo"),
    Photo(Path("dog.jpg"), "dog", DOG, "photo"),
    Photo(Path("giraffe.jpg"), "giraffe", GIRAFFE, "photo"),  # no class for giraffes in this model
    Photo(Path("brick.jpg"), "", "", NON_ANIMAL),
]
TABLE = {
    "cat.jpg": FakePrediction({CAT: 0.9, BEAGLE: 0.02, DOG: 0.05}, 0.95, "cat"),
    "beagle.jpg": FakePrediction({BEAGLE: 0.6, DOG: 0.8, CAT: 0.15}, 0.9, "dog"),
    "dog.jpg": FakePrediction({DOG: 0.4, BEAGLE: 0.3, CAT: 0.55}, 0.7, "cat"),
    "giraffe.jpg": FakePrediction({CAT: 0.2, DOG: 0.3, BEAGLE: 0.05}, 0.25, "dog"),
    "brick.jpg": FakePrediction({CAT: 0.01, DOG: 0.02, BEAGLE: 0.0}, 0.1, None),
}


def test_score_photos_picks_false_labels_outside_the_hierarchy(lexicon):
    results = {r.file: r for r in score_photos(FakeClassifier(lexicon, TABLE), PHOTOS, lexicon)}
    # a beagle is a dog: neither is a false label for the other; giraffe has no probability to compare
    assert {f: (r.true_probability, r.false_probabilities) for f, r in results.items()} == {
        "cat.jpg": (0.9, {"beagle": 0.02, "dog": 0.05}),
        "beagle.jpg": (0.6, {"cat": 0.15}),
        "dog.jpg": (0.4, {"cat": 0.55}),
        "giraffe.jpg": (None, {"beagle": 0.05, "cat": 0.2, "dog": 0.3}),
        "brick.jpg": (None, {}),
    }
    assert not results["brick.jpg"].has_animal and results["beagle.jpg"].predicted == "dog"


def test_photo_figures(lexicon):
    results = score_photos(FakeClassifier(lexicon, TABLE), PHOTOS, lexicon)
    f = figures(results, Thresholds(present=0.5, absent=0.1, animal=0.3))
    assert (f["photos"], f["animal_photos"], f["expressible_photos"]) == (5, 4, 3)
    assert f["unverifiable_photos"] == ["giraffe.jpg"]
    assert f["true_label_present"] == {"count": 2, "total": 3, "rate": 0.6667}  # 0.9 and 0.6, not 0.4
    assert f["true_label_missed"] == ["dog.jpg"]
    assert f["true_label_judged_absent"] == {"count": 0, "total": 3, "rate": 0.0}
    assert f["false_labels_present"] == {"count": 1, "total": 4, "rate": 0.25}  # cat on the dog photo, 0.55
    assert f["false_labels_present_all_photos"] == {"count": 1, "total": 7, "rate": 0.1429}
    assert f["false_labels_judged_absent"] == {"count": 3, "total": 7, "rate": 0.4286}  # 0.02, 0.05, 0.05
    assert f["false_positives"] == [("dog.jpg", "cat", 0.55)]
    assert f["non_animal_images"] == 1 and f["non_animal_judged_no_animal"]["rate"] == 1.0
    assert f["animal_photos_judged_no_animal"] == ["giraffe.jpg"]  # 0.25 < 0.3
    assert f["basic_label_matches"] == {"count": 1, "total": 3, "rate": 0.3333}  # only the cat reads "cat"
    assert f["true_label_mean_probability"] == pytest.approx(0.6333)  # (0.9 + 0.6 + 0.4) / 3
    assert f["false_label_mean_probability"] == pytest.approx(0.1886)  # 1.32 / 7


def _result(file: str, animal: float, true: float | None, false: dict[str, float], has_animal: bool = True):
    return PhotoResult(file, "", "", has_animal, animal, None, "", true, false)


def test_calibrate_on_a_handful_of_scores():
    results = [
        _result("a.jpg", 0.95, 0.9, {"x": 0.05}),
        _result("b.jpg", 0.9, 0.8, {"x": 0.5}),
        _result("c.jpg", 0.7, 0.4, {"x": 0.1}),
        _result("d.jpg", 0.2, None, {}, has_animal=False),
    ]
    thresholds, choices = calibrate(results)
    # present: no false label (0.5, 0.1, 0.05) may reach it; the cut at 0.8 keeps 0.9 and 0.8; midway to 0.5
    # absent: no true label (0.9, 0.8, 0.4) may fall under it (10% of three is none); the cut above 0.1
    #         catches 0.1 and 0.05; midway between 0.1 and the next score up, 0.4
    # animal: 0.95, 0.9, 0.7 against 0.2: midway between 0.2 and 0.7
    assert thresholds == Thresholds(present=0.65, absent=0.25, animal=0.45)
    assert choices["present"]["caught"] == pytest.approx(2 / 3) and choices["present"]["errors"] == 0.0
    assert choices["absent"]["caught"] == pytest.approx(2 / 3) and choices["absent"]["errors"] == 0.0
    assert choices["animal"]["caught"] == 1.0 and choices["animal"]["n_negatives"] == 1


def test_present_is_never_under_more_likely_than_not():
    # 200 easy false claims at 0.001 and one plausible confusion at 0.24 (a dog on the cow photo): 1% of the
    # false claims may pass, so the 1% rule alone would accept 0.24; the floor makes it "not sure" instead
    false = [0.001] * 200 + [0.24]
    true = [0.95, 0.9, 0.2]  # reaching 0.2 lets the 0.24 confusion through too
    thresholds, choices = thresholds_from_scores(true, false, [0.9], [0.1])
    assert choices["present"]["threshold"] < 0.2  # what the 1% rule alone gives
    assert thresholds.present == MIN_SUPPORTED_PROBABILITY == choices["present_floor"]
    assert thresholds.absent < 0.24 < thresholds.present  # the uncertain band holds the confusion
    unfloored, _ = thresholds_from_scores(true, false, [0.9], [0.1], min_present=0.0)
    assert unfloored.present == choices["present"]["threshold"] and unfloored.absent <= unfloored.present


# ---- the figures are drawn ---------------------------------------------------------------------------
def test_plots_are_written(tmp_path, ruler_nlp, lexicon):
    ner = evaluate(ruler_nlp, NER_RECORDS, lexicon, "toy")
    plot_reports([ner], tmp_path / "ner.png")
    report = PipelineReport()
    report.per_kind["true"].update(expressible=2, right=1)
    report.confusion[S][C] += 1
    plot_report(report, tmp_path / "pipeline.png")
    assert list(report.confusion) == [S]  # drawing the matrix does not add rows to the report
    plot_confusion_matrix(classification_report([0, 1], [0, 0], ["a", "b"]), tmp_path / "confusion.png")
    for name in ("ner.png", "pipeline.png", "confusion.png"):
        assert (tmp_path / name).stat().st_size > 1000, name
    assert Counter(p.suffix for p in tmp_path.iterdir()) == {".png": 3}
