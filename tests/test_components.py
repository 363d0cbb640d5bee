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
    assert "doc._.concept_probabilities" in analysis["summary"]["claim_verifier"]["requires"]
    assert "doc._.concept_probabilities" in analysis["summary"]["image_classifier"]["assigns"]


def test_a_verified_doc_is_plain_data(nlp):
    """What the components put on a Doc serialises: DocBin with user data, to_bytes, n_process > 1."""
    from spacy.tokens import DocBin

    text, image = PAIRS[0]
    doc = nlp.make_doc(text)
    doc._.image = str(PHOTOS / image)
    doc = nlp(doc)
    assert doc._.concept_probabilities == {
        "n02084071": doc._.claims[0]["probability"],
        "n02121808": pytest.approx(doc._.claims[1]["probability"]),
    }
    again = next(DocBin(docs=[doc], store_user_data=True).get_docs(nlp.vocab))
    assert list(again._.claims) == doc._.claims and again._.match is True  # msgpack gives a tuple


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


def test_one_lexicon_is_shared_at_initialize(rules_ner_dir, imagenet_dir):
    """Both initialize blocks of configs/pipeline.cfg name ${paths.lexicon}: one Lexicon object for all."""
    from spacy.util import get_sourced_components, load_config, load_model_from_config

    from .conftest import PIPELINE_CONFIG

    overrides = {"paths.ner": str(rules_ner_dir), "paths.image_model": str(imagenet_dir)}
    config = load_config(PIPELINE_CONFIG, overrides=overrides, interpolate=False)
    nlp = load_model_from_config(config, auto_fill=True)
    with nlp.select_pipes(disable=list(get_sourced_components(config.interpolate()))):
        nlp.initialize()  # as `spacy assemble` does
    linker, image = nlp.get_pipe("animal_linker"), nlp.get_pipe("image_classifier")
    assert linker.lexicon is image.model._lexicon is load_lexicon()
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


def test_calibrated_thresholds_travel_with_it_and_overrides_stay_in_the_config(tmp_path):
    verifier = ClaimVerifier()
    verifier.set_calibrated(Thresholds(0.6, 0.2, 0.5))
    verifier.to_disk(tmp_path)
    assert ClaimVerifier().from_disk(tmp_path).thresholds == Thresholds(0.6, 0.2, 0.5)
    # an override applies over the saved calibration; cleared, the calibrated value is back
    assert ClaimVerifier(present_threshold=0.9).from_disk(tmp_path).thresholds == Thresholds(0.9, 0.2, 0.5)


def test_a_claim_verifier_saved_before_the_animal_band_loads_as_it_behaved(tmp_path):
    """A cfg without ``no_animal`` (saved before issue 18) loads with a warning and no band: no_animal = animal."""
    (tmp_path / "cfg").write_text('{"calibrated": {"present": 0.5, "absent": 0.0183, "animal": 0.709}}')
    with pytest.warns(UserWarning, match="no 'no_animal' threshold"):
        verifier = ClaimVerifier().from_disk(tmp_path)
    assert verifier.thresholds == Thresholds(0.5, 0.0183, 0.709, 0.709) and not verifier.thresholds.animal_band
    # an overridden `animal` under the calibrated no_animal pulls it down; no_animal can be set on its own
    verifier.set_calibrated(Thresholds(0.5, 0.02, 0.7, 0.3))
    verifier.to_disk(tmp_path)
    assert ClaimVerifier(animal_threshold=0.2).from_disk(tmp_path).thresholds.no_animal == 0.2
    assert ClaimVerifier(no_animal_threshold=0.1).from_disk(tmp_path).thresholds.no_animal == 0.1
    with pytest.raises(ValueError, match="no_animal_threshold 0.5 is above animal_threshold 0.4"):
        ClaimVerifier(no_animal_threshold=0.5, animal_threshold=0.4)


def test_an_override_is_checked_against_the_calibrated_values(tmp_path):
    """absent 0.6 is fine for a model calibrated at present 0.8, refused for one at 0.3: at load time."""
    for present, ok in ((0.8, True), (0.3, False)):
        ClaimVerifier(present_threshold=present, absent_threshold=0.1, animal_threshold=0.0).to_disk(tmp_path)
        verifier = ClaimVerifier()
        verifier.set_calibrated(Thresholds(present, 0.1, 0.0))
        verifier.to_disk(tmp_path)
        overridden = ClaimVerifier(absent_threshold=0.6)  # accepted until the calibrated values are known
        if ok:
            assert overridden.from_disk(tmp_path).thresholds == Thresholds(present, 0.6, 0.0)
        else:
            with pytest.raises(ValueError, match="absent <= present"):
                overridden.from_disk(tmp_path)


def test_claim_scorer_counts_matches_against_gold(nlp):
    from spacy.training import Example

    golds = [True, True, True, None]  # dog photo: puppies, no cat; cow; pig, no sheep; giraffe: no gold
    examples = []
    for (text, image), gold in zip(PAIRS, golds, strict=True):
        predicted = nlp.make_doc(text)
        predicted._.image = PHOTOS / image
        reference = nlp.make_doc(text)
        reference._.match = gold
        examples.append(Example(predicted, reference))
    assert nlp.evaluate(examples)["match_acc"] == 1.0  # runs the pipeline on copies of the predicted Docs
    processed = [Example(nlp(eg.predicted), eg.reference) for eg in examples]
    # the giraffe can't be checked (no ImageNet class): not sure, None, not False
    assert [eg.predicted._.match for eg in processed] == [True, True, True, None]
    assert score_claims(processed) == {"match_acc": 1.0, "match_coverage": 1.0, "match_confident_errors": 0.0}
    for eg in processed:
        if eg.reference._.match is not None:
            eg.reference._.match = not eg.reference._.match
    assert score_claims(processed)["match_acc"] == 0.0 and score_claims(processed)["match_confident_errors"] == 1.0
    processed[3].reference._.match = False  # a gold label for the giraffe: "not sure" is answered, not wrong way
    assert score_claims(processed)["match_coverage"] == 0.75
    assert score_claims(processed)["match_confident_errors"] == 0.75
    assert score_claims([])["match_acc"] is None
