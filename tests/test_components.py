"""The components' spaCy lifecycle: built from a config, initialised, serialised to disk and to bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
import srsly

from animal_verifier.components import AnimalLinker, ClaimVerifier, score_claims
from animal_verifier.ontology.lexicon import LEXICON_FILE, load_lexicon
from animal_verifier.vision.calibration import Thresholds

from .conftest import PHOTOS

PAIRS = [
    ("I see two puppies and no cat.", "dog_gcompris.jpg"),
    ("There is a cow in the picture.", "cow_gcompris.jpg"),
    ("No sheep here, just a pig.", "pig_gcompris.jpg"),
    ("A tall giraffe!", "giraffe_gcompris.jpg"),
]


def answers(nlp) -> list[tuple]:
    out = []
    for text, image in PAIRS:
        doc = nlp.make_doc(text)
        doc._.image = PHOTOS / image
        doc = nlp(doc)
        ents = [(e.text, e.kb_id_, e._.canonical, e._.negated) for e in doc.ents]
        out.append((ents, doc._.image_label, round(doc._.animal_probability, 6), doc._.claims, doc._.match))
    return out


@pytest.fixture(scope="module")
def nlp(full_pipeline: Path):
    return spacy.load(full_pipeline)


def test_the_assembled_pipeline_has_the_product_components(nlp, full_pipeline):
    assert nlp.pipe_names == ["ner", "animal_linker", "image_classifier", "claim_verifier"]
    files = {p.relative_to(full_pipeline).as_posix() for p in full_pipeline.rglob("*") if p.is_file()}
    assert {f"animal_linker/{LEXICON_FILE}", "image_classifier/model.onnx", "image_classifier/labels.json"} <= files
    assert {"image_classifier/concepts.json", "claim_verifier/cfg"} <= files


def test_assigns_and_requires_are_declared_and_satisfied(nlp):
    analysis = nlp.analyze_pipes()
    # the stand-in ner (a span ruler) does not declare doc.ents; a trained ner does
    assert analysis["problems"]["image_classifier"] == analysis["problems"]["claim_verifier"] == []
    assert analysis["summary"]["animal_linker"]["requires"] == ["doc.ents"]
    assert "doc._.match" in analysis["summary"]["claim_verifier"]["assigns"]
    assert "doc._.image_prediction" in analysis["summary"]["claim_verifier"]["requires"]


def test_to_bytes_round_trip_gives_the_same_answers(nlp):
    data = nlp.to_bytes()
    again = spacy.blank("en", config=nlp.config).from_bytes(data)
    assert again.pipe_names == nlp.pipe_names
    assert answers(again) == answers(nlp)


def test_to_disk_round_trip_gives_the_same_answers(nlp, tmp_path):
    nlp.to_disk(tmp_path / "copy")
    assert answers(spacy.load(tmp_path / "copy")) == answers(nlp)


def test_exclude_is_honoured(nlp):
    linker: AnimalLinker = nlp.get_pipe("animal_linker")
    without = srsly.msgpack_loads(linker.to_bytes(exclude=["lexicon"]))
    assert LEXICON_FILE not in without and LEXICON_FILE in srsly.msgpack_loads(linker.to_bytes())
    fresh = AnimalLinker(lexicon=load_lexicon())
    before = fresh.lexicon
    fresh.from_bytes(linker.to_bytes(), exclude=["lexicon"])
    assert fresh.lexicon is before
    image = nlp.get_pipe("image_classifier")
    assert srsly.msgpack_loads(image.to_bytes(exclude=["model"])) == {}


def test_one_lexicon_is_shared_at_initialize(imagenet_dir):
    """Both initialize blocks name ${paths.lexicon}: the components are built from one Lexicon object."""
    from animal_verifier.components.lexicon_loader import load_lexicon_from_config

    assert load_lexicon_from_config(None) is load_lexicon_from_config(None) is load_lexicon()
    nlp = spacy.blank("en")
    linker = nlp.add_pipe("animal_linker")
    image = nlp.add_pipe("image_classifier")
    nlp.add_pipe("claim_verifier")
    lexicon = load_lexicon()
    linker.initialize(nlp=nlp, lexicon=lexicon)
    image.initialize(nlp=nlp, model=imagenet_dir, lexicon=lexicon)
    nlp.get_pipe("claim_verifier").initialize(nlp=nlp)
    assert linker.lexicon is lexicon and image.model._lexicon is lexicon
    assert nlp.get_pipe("claim_verifier").thresholds == image.model.thresholds


def test_image_classifier_without_a_model_says_what_to_do():
    nlp = spacy.blank("en")
    image = nlp.add_pipe("image_classifier")
    with pytest.raises(ValueError, match="image model folder"):
        image.initialize(nlp=nlp)
    doc = nlp.make_doc("a cat")
    doc._.image = PHOTOS / "cat_gcompris.jpg"
    with pytest.raises(ValueError, match="initialize the pipeline first"):
        image(doc)


def test_claim_verifier_reads_only_the_doc():
    """No image prediction on the Doc: every claim unverifiable and match None, whatever the pipeline holds."""
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler", name="ner").add_patterns([{"label": "ANIMAL", "pattern": "cat"}])
    nlp.add_pipe("animal_linker")
    nlp.add_pipe("claim_verifier")
    doc = nlp("a cat")
    assert doc._.match is None and [c["verdict"] for c in doc._.claims] == ["unverifiable"]


def test_claim_verifier_thresholds_travel_with_it(tmp_path):
    verifier = ClaimVerifier(present_threshold=0.6, absent_threshold=0.2, animal_threshold=0.5)
    verifier.to_disk(tmp_path)
    again = ClaimVerifier().from_disk(tmp_path)
    assert again.thresholds == Thresholds(0.6, 0.2, 0.5)


def test_claim_scorer_counts_matches_against_gold(nlp):
    from spacy.training import Example

    examples = []
    for (text, image), gold in zip(PAIRS, [True, True, True, None], strict=True):
        predicted = nlp.make_doc(text)
        predicted._.image = PHOTOS / image
        reference = nlp.make_doc(text)
        reference._.match = gold
        examples.append(Example(predicted, reference))
    scores = nlp.evaluate(examples)
    # dog photo: puppies yes, no cat -> True; cow -> True; pig photo: no sheep, a pig -> True; giraffe: skipped
    assert scores["match_acc"] == 1.0
    flipped = [Example(eg.predicted, eg.reference) for eg in examples]
    for eg in flipped:
        if eg.reference._.match is not None:
            eg.reference._.match = not eg.reference._.match
    assert score_claims(flipped)["match_acc"] == 0.0
    assert score_claims([])["match_acc"] is None
