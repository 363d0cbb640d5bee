"""The hand-labelled real-text NER set (assets/real_text/) and the reader that pulls its candidates."""

import json
from pathlib import Path

import pytest
import spacy

from animal_verifier_train.ner.real_text import (
    CANDIDATE_RE,
    FORTUNES_DIR,
    SOURCE_RE,
    WORDNET_DIR,
    RealTextError,
    extract_candidates,
    find_hits,
    iter_real_sentences,
    load_real_text_set,
    resolve_source,
)

SET_PATH = Path(__file__).resolve().parents[1] / "assets" / "real_text" / "real_text_ner.json"


@pytest.fixture(scope="module")
def examples() -> list[dict]:
    return load_real_text_set(SET_PATH)


def by_source(examples: list[dict], source: str) -> dict:
    return next(e for e in examples if e["source"] == source)


def mentions(example: dict) -> list[str]:
    return [example["text"][s:e] for s, e, _ in example["entities"]]


# ---- the labelled set -----------------------------------------------------------------------
def test_size_and_mix(examples):
    assert len(examples) >= 150
    assert sum(e["lookalike"] for e in examples) >= 50
    assert sum(bool(e["entities"]) for e in examples) >= 100
    assert {e["source"].split(":")[0] for e in examples} == {"fortunes", "wordnet"}


def test_spans_in_range_and_not_overlapping(examples):
    for e in examples:
        end = 0
        for start, stop, label in sorted(e["entities"]):
            assert label == "ANIMAL"
            assert 0 <= start < stop <= len(e["text"]), e["source"]
            assert start >= end, f"overlap in {e['source']}"
            end = stop


def test_spans_align_with_spacy_tokens(examples):
    nlp = spacy.blank("en")
    for e in examples:
        doc = nlp.make_doc(e["text"])
        for start, stop, _ in e["entities"]:
            span = doc.char_span(start, stop, alignment_mode="strict")
            assert span is not None, f"{e['source']}: {e['text'][start:stop]!r} is not on token boundaries"


def test_no_duplicates_and_sources_well_formed(examples):
    texts = [e["text"] for e in examples]
    sources = [e["source"] for e in examples]
    assert len(set(texts)) == len(texts)
    assert len(set(sources)) == len(sources)
    assert all(SOURCE_RE.match(s) for s in sources)
    assert all(t == " ".join(t.split()) and len(t) < 300 for t in texts)


def test_lookalike_flag_means_a_candidate_word_outside_every_span(examples):
    for e in examples:
        outside = [
            m.group(0)
            for m in CANDIDATE_RE.finditer(e["text"])
            if not any(m.start() < stop and start < m.end() for start, stop, _ in e["entities"])
        ]
        assert e["lookalike"] == bool(outside), e["source"]


@pytest.mark.parametrize(
    "source, expected",
    [
        ("wordnet:n02789487#0", []),  # he bought a hot dog and a coke at the bar
        ("wordnet:n03793489#0", []),  # a mouse takes much more room than a trackball
        ("wordnet:v00136044#0", []),  # Ataturk secularized Turkey
        ("wordnet:n09886220#0", []),  # you dirty dog
        ("wordnet:v00197423#0", []),  # bone the turkey before roasting it (food)
        ("wordnet:v00905417#1", ["turkey"]),  # The Thanksgiving turkey was pardoned by the President
        ("wordnet:n02077152#0", ["fur seal"]),
        ("wordnet:s02469757#0", ["horseshoe crab", "crab"]),
        ("fortunes:platitudes#417", ["Fruit flies"]),  # Time flies like an arrow. ...
        ("fortunes:fortunes#171", ["fly"]),  # There is a fly on your nose.
        ("fortunes:fortunes#404", []),  # Your fly might be open
        ("fortunes:work#247", ["animal", "dog"]),  # Man is an animal ...: only the second "animal"
        ("fortunes:sports#42", ["horse"]),  # Horse sense is the thing a horse has ...
        ("fortunes:definitions#774", ["horse"]),  # a unicorn ... just a horse: mythical creatures are not
        ("fortunes:zippy#386", ["FOX TERRIER"]),
    ],
)
def test_annotation_rule_on_known_sentences(examples, source, expected):
    assert mentions(by_source(examples, source)) == expected


@pytest.mark.skipif(
    not (FORTUNES_DIR.is_dir() and WORDNET_DIR.is_dir()), reason="Debian fortunes / wordnet-base not installed"
)
def test_every_text_is_found_again_at_its_source(examples):
    for e in examples:
        assert resolve_source(e["source"]) == e["text"], e["source"]


CORPUS_DIR = SET_PATH.parents[2] / "corpus"
GENERATED = [CORPUS_DIR / f"{split}_ner_dataset.json" for split in ("train", "val", "test")]


def test_real_text_never_enters_generated_data(examples, generated_corpus):
    """The test session's corpus always, and the workflow's corpus/ when generate-data has made one."""
    held_out = {" ".join(e["text"].lower().split()) for e in examples}
    session = sorted(generated_corpus.glob("*_ner_dataset.json"))
    assert len(session) == 3
    for path in session + [p for p in GENERATED if p.exists()]:
        if path.exists():
            leaked = [
                r["text"] for r in json.loads(path.read_text()) if " ".join(r["text"].lower().split()) in held_out
            ]
            assert not leaked, f"{len(leaked)} real-text sentences in {path.name}, e.g. {leaked[:3]}"


# ---- the loader rejects bad files -----------------------------------------------------------
GOOD = {"text": "a cat and a dog", "entities": [[2, 5, "ANIMAL"]], "source": "wordnet:n00000001#0", "lookalike": False}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"entities": [[2, 5, "ANIMAL"], [4, 9, "ANIMAL"]]}, "overlaps"),
        ({"entities": [[2, 50, "ANIMAL"]]}, "out of range"),
        ({"entities": [[2, 5, "PET"]]}, "unknown label"),
        ({"entities": [[1, 5, "ANIMAL"]]}, "whitespace"),
        ({"source": "fortunes:pets"}, "malformed source"),
        ({"text": "  "}, "empty text"),
        ({"lookalike": "no"}, "lookalike"),
    ],
)
def test_loader_names_the_bad_entry(tmp_path, change, message):
    path = tmp_path / "set.json"
    path.write_text(json.dumps([GOOD, {**GOOD, "text": "a cat and a dog.", **change}]))
    with pytest.raises(RealTextError, match=message) as err:
        load_real_text_set(path)
    assert "entry 1" in str(err.value)


def test_loader_rejects_duplicates_and_broken_json(tmp_path):
    path = tmp_path / "set.json"
    path.write_text(json.dumps([GOOD, GOOD]))
    with pytest.raises(RealTextError, match="duplicate"):
        load_real_text_set(path)
    path.write_text('[{"text": ')
    with pytest.raises(RealTextError, match="cannot read"):
        load_real_text_set(path)


# ---- reading the Debian file formats --------------------------------------------------------
def test_candidates_from_small_fortune_and_wordnet_files(tmp_path):
    fortunes = tmp_path / "fortunes"
    fortunes.mkdir()
    (fortunes / "pets").write_text(
        "A door is what a dog is\n\tperpetually on the wrong side of.\n%\nNothing here.\n%\n"
        "The _\bc_\ba_\bt sat.\n%\nA bug in the code.\n"
    )
    (fortunes / "pets.dat").write_bytes(b"")
    (fortunes / "pets.u8").symlink_to(fortunes / "pets")
    wordnet = tmp_path / "wordnet"
    wordnet.mkdir()
    header = '  1 This software and database is provided "AS IS"\n'
    (wordnet / "data.noun").write_text(
        header + '02084071 05 n 01 dog 0 000 | a member of the genus Canis; "the dog barked all night"\n'
    )
    (wordnet / "data.verb").write_text(
        header + '01865221 38 v 01 duck 0 000 | to move quickly; "Before he could duck, a stone hit him"; "ok"\n'
    )
    (wordnet / "data.adj").write_text(header)
    (wordnet / "data.adv").write_text(header)

    found = extract_candidates(iter_real_sentences(fortunes, wordnet))
    assert [(c.source, c.text, c.hits) for c in found] == [
        ("fortunes:pets#0", "A door is what a dog is perpetually on the wrong side of.", ("dog",)),
        ("fortunes:pets#2", "The cat sat.", ("cat",)),
        ("fortunes:pets#3", "A bug in the code.", ("bug",)),
        ("wordnet:n02084071#0", "the dog barked all night", ("dog",)),
        ("wordnet:v01865221#0", "Before he could duck, a stone hit him", ("duck",)),
    ]
    assert found == extract_candidates(iter_real_sentences(fortunes, wordnet))  # deterministic


def test_hits_cover_plurals_compounds_and_hyphens():
    assert find_hits("Geese and mice, a guinea pig, a hot-dog, dog-eared dogma, catalogue") == (
        "geese",
        "mice",
        "guinea pig",
        "hot-dog",
        "dog-eared",
        "dogma",
    )


def test_resolve_source_rejects_bad_ids(tmp_path):
    with pytest.raises(RealTextError, match="malformed"):
        resolve_source("wordnet:02084071-n")
    (tmp_path / "pets").write_text("one\n%\ntwo\n")
    with pytest.raises(RealTextError, match="no #5"):
        resolve_source("fortunes:pets#5", fortunes_dir=tmp_path)
