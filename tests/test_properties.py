"""Property-based tests (Hypothesis): inputs nobody thought of, generated, for the pure logic and the readers.

- the claim table is monotone in each probability, and no claim is contradicted because of an animal
  probability at or above the low ``no_animal`` threshold;
- negation never reaches across a clause boundary;
- the linker and the whole pipeline (the rules-NER ``full_pipeline`` fixture, not a trained model) take any
  Unicode text and return spans inside it;
- the corpus reader turns any bytes into records or a :class:`CorpusError` naming the file and line;
- image decoding turns any bytes into an image or :class:`ImageError` (the server: an ``ApiError``), never
  another exception, and no message names an internal object.

Example counts are modest (two cores); cases that once failed are pinned with ``@example``.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from animal_verifier.ontology.lexicon import load_lexicon
from animal_verifier.serve.errors import ApiError
from animal_verifier.serve.settings import ServerSettings
from animal_verifier.serve.uploads import Admission, decode_upload
from animal_verifier.text.checks import MAX_TEXT_CHARS
from animal_verifier.text.linking import Linker, repair_span
from animal_verifier.text.negation import is_negated
from animal_verifier.verify.claims import CONTRADICTED, SUPPORTED, UNVERIFIABLE, Mention, judge, verify
from animal_verifier.verify.results import doc_to_result
from animal_verifier.vision.calibration import Thresholds
from animal_verifier.vision.image_io import ImageError, load_image
from animal_verifier.vision.preprocess import Preprocessing
from animal_verifier_train.ner.corpus import CorpusError, read_records

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT / "assets" / "photos"
INTERNAL_REPR = re.compile(r" at 0x[0-9a-fA-F]+")
FILE_PATH = re.compile(r"(^|[\s(\[':\"])/(tmp|work|usr|home|root|proc|opt|var)/")
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---- the claim table -------------------------------------------------------------------------------------
RANK = {CONTRADICTED: 0, UNVERIFIABLE: 1, SUPPORTED: 2}
unit = st.floats(0.0, 1.0, allow_nan=False)


MATCH = {SUPPORTED: True, CONTRADICTED: False, UNVERIFIABLE: None}


@st.composite
def thresholds(draw) -> Thresholds:
    absent, present = sorted((draw(unit), draw(unit)))
    no_animal, animal = sorted((draw(unit), draw(unit)))
    return Thresholds(present=present, absent=absent, animal=animal, no_animal=no_animal)


@SOME
@given(t=thresholds(), p1=unit, p2=unit, animal=unit, negated=st.booleans())
@example(t=Thresholds(0.5, 0.5, 0.0), p1=0.5, p2=0.5, animal=1.0, negated=False)  # present == absent
@example(t=Thresholds(0.5, 0.1, 0.3), p1=0.0999, p2=0.1, animal=0.3, negated=True)  # at the edges
@example(t=Thresholds(0.5, 0.0183, 0.709, 0.2), p1=0.17, p2=0.6, animal=0.5, negated=False)  # the band
def test_claim_verdict_is_monotone_in_the_probability(t, p1, p2, animal, negated):
    """More evidence for the animal never makes a present-claim worse or an absent-claim better."""
    low, high = sorted((p1, p2))
    mention = Mention("cat", "cat", "n02121808", negated)
    verdicts = [judge(mention, lambda _id, p=p: p, animal, "cat", t).verdict for p in (low, high)]
    ranks = [RANK[v] for v in verdicts]
    assert ranks == sorted(ranks, reverse=negated), (verdicts, low, high)
    # and a one-claim statement's match is its claim's verdict: True, False, or None for "not sure"
    result = verify([mention], lambda _id: high, animal, "cat", t)
    assert result.match is MATCH[result.claims[0].verdict]


@SOME
@given(t=thresholds(), p=unit, a1=unit, a2=unit, negated=st.booleans())
@example(t=Thresholds(0.5, 0.0183, 0.709, 0.2), p=0.17, a1=0.19, a2=0.5, negated=False)
def test_claim_verdict_is_monotone_in_the_animal_probability(t, p, a1, a2, negated):
    """Seeing "some animal" more surely never makes a present-claim worse or an absent-claim better."""
    mention = Mention("cat", "cat", "n02121808", negated)
    low, high = sorted((a1, a2))
    ranks = [RANK[judge(mention, lambda _id: p, a, None, t).verdict] for a in (low, high)]
    assert ranks == sorted(ranks, reverse=negated), (low, high)


@SOME
@given(t=thresholds(), p=unit, animal=unit, negated=st.booleans())
@example(t=Thresholds(0.5, 0.0183, 0.709, 0.2), p=0.17, animal=0.5, negated=False)  # the swan of issue 18
@example(t=Thresholds(0.5, 0.0183, 0.709, 0.2), p=0.17, animal=0.2, negated=False)  # on the low threshold
def test_no_claim_is_contradicted_because_of_an_animal_probability_above_the_low_threshold(t, p, animal, negated):
    """From ``no_animal`` up the verdict is the claim's own probability's: the same as with P(animal) = 1."""
    assume(animal >= t.no_animal)
    mention = Mention("cat", "cat", "n02121808", negated)
    verdict = judge(mention, lambda _id: p, animal, None, t).verdict
    assert verdict == judge(mention, lambda _id: p, 1.0, None, t).verdict
    if not negated and verdict == CONTRADICTED:
        assert p < t.absent and "no animal" not in judge(mention, lambda _id: p, animal, None, t).reason


@SOME
@given(t=thresholds(), probs=st.lists(st.one_of(unit, st.none()), min_size=1, max_size=4), animal=unit)
def test_match_is_false_on_a_contradiction_none_when_unsure_true_when_all_supported(t, probs, animal):
    mentions = [Mention(f"cat{i}", "cat", f"n0212180{i}", i % 2 == 1) for i in range(len(probs))]
    by_id = {m.wordnet_id: p for m, p in zip(mentions, probs, strict=True)}
    result = verify(mentions, by_id.get, animal, None, t)
    verdicts = {c.verdict for c in result.claims}
    expected = False if CONTRADICTED in verdicts else None if UNVERIFIABLE in verdicts else True
    assert result.match is expected


# ---- negation scope ---------------------------------------------------------------------------------------
NLP = spacy.blank("en")
ANIMALS = ("cat", "dog", "cows", "sheep", "bird")
CLAUSE_WORDS = ANIMALS + (
    "a", "the", "no", "not", "n't", "is", "are", "isn't", "aren't", "there", "here", "missing", "gone", "in",
    "picture", "zero", "none", "of", "any", "longer", "never", "be", "seen", "it", "only", "yes", "nope",
    "and", "or", "?", "I", "see", "without", "'s",
)  # fmt: skip
# Separators that end a clause ("?" is left out on purpose: "a cat? no" is an answer across it).
SEPARATORS = (". ", "; ", ", ", " but ", ", however, ", "! ", " instead ", " and ")
clauses = st.lists(st.sampled_from(CLAUSE_WORDS), min_size=1, max_size=9).map(" ".join)


def _negations(text: str, first: int, last: int) -> list[bool | None]:
    """Negation of each token in [first, last): a bool for animal words, None for the others."""
    doc = NLP(text)
    return [is_negated(doc[i : i + 1]) if doc[i].lower_ in ANIMALS else None for i in range(first, last)]


@SOME
@given(a1=clauses, a2=clauses, b1=clauses, b2=clauses, sep=st.sampled_from(SEPARATORS))
@example(a1="cat", a2="dog", b1="is n't there", b2="no", sep=". ")  # the post-noun rule must stop at "."
@example(a1="cat ?", a2="dog", b1="no", b2="yes", sep="; ")  # an answer after another separator is none
@example(a1="cat", a2="no 's", b1="cat", b2="cat", sep=". ")  # once failed: "'s." swallowed the full stop
def test_negation_never_crosses_a_clause_boundary(a1, a2, b1, b2, sep):
    """What follows a boundary never changes negation before it, and what precedes it never changes after."""
    if sep == " and ":  # "and" ends a clause only before a clause starter ("and there is ...")
        b1, b2 = "there " + b1, "there " + b2
    words = lambda text: [t.text for t in NLP(text)]  # noqa: E731
    n_sep = len(words(sep.strip()))
    n_a1, n_a2, n_b1 = len(NLP(a1)), len(NLP(a2)), len(NLP(b1))
    for a, b in ((a1, b1), (a1, b2), (a2, b1)):
        # the boundary must be a token of its own: spaCy reads "'s." as "'", "s." (an abbreviation)
        assume(words(a + sep + b) == words(a) + words(sep.strip()) + words(b))
    # the first clause's mentions, whatever follows
    assert _negations(a1 + sep + b1, 0, n_a1) == _negations(a1 + sep + b2, 0, n_a1)
    # the second clause's mentions, whatever precedes
    assert _negations(a1 + sep + b1, n_a1 + n_sep, n_a1 + n_sep + n_b1) == _negations(
        a2 + sep + b1, n_a2 + n_sep, n_a2 + n_sep + n_b1
    )


# ---- any Unicode text -------------------------------------------------------------------------------------
SPECIAL = (
    "\u200f", "\u200e", "\u202e", "\u2066", "\u0000", "\u0007", "\x1b[31m", "\r\n", "\t", "\ufeff", "\u00a0",
    "\u0301", "🐄", "🐈‍⬛", "👩🏽‍🌾", "🇺🇸", "דג", "قطة", "猫", "İ", "ß", "ﬁ", "'s", "-", "?", "no", "isn't",
)  # fmt: skip
WORDS = ("cat", "Dog", "DUCK", "golden retriever", "sheep-dog", "cat-like", "Jaguar", "Bears", "zero", "not")
pieces = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.sampled_from(SPECIAL),
    st.sampled_from(WORDS),
)
texts = st.one_of(
    st.lists(pieces, max_size=40).map(" ".join),
    st.lists(pieces, min_size=1, max_size=8).map(lambda p: (" ".join(p) * (MAX_TEXT_CHARS // 2))[:MAX_TEXT_CHARS]),
)


@pytest.fixture(scope="module")
def linker() -> Linker:
    return Linker(load_lexicon())


@FEW
@given(text=texts)
@example(text="\u202ecat\u202c \U0001f404 cow\x00 " * 3)
@example(text="sheep-dog " * 1000)  # 10,000 characters
def test_linker_takes_any_text(linker, text):
    term = linker.link(text)
    assert term is None or linker.lexicon.name(term.id)
    doc = NLP(text)
    for start in range(0, len(doc), max(1, len(doc) // 5)):
        i, j = repair_span(doc, start, min(start + 2, len(doc)), linker.lexicon)
        assert 0 <= i < j <= len(doc)


@pytest.fixture(scope="module")
def pipeline(full_pipeline):
    from animal_verifier.pipeline import load

    return load(str(full_pipeline))


SMALL_PHOTO = load_image(PHOTOS / "cat_skimage.jpg").resize((64, 64))


@FEW
@given(text=texts, with_image=st.booleans())
@example(text="\u200f\u202e🐄 cow\u0007 isn't there? no", with_image=True)
@example(text=("DUCK 🦆 no Jaguar " * 600)[:MAX_TEXT_CHARS], with_image=False)
def test_every_component_takes_any_text_and_returns_spans_inside_it(pipeline, text, with_image):
    doc = pipeline.make_doc(text)
    doc._.image = SMALL_PHOTO if with_image else None
    doc = pipeline(doc)
    assert doc.text == text
    result = json.loads(json.dumps(doc_to_result(doc)))  # plain JSON all the way
    for ent in result["entities"]:
        assert 0 <= ent["start"] < ent["end"] <= len(text)
        assert text[ent["start"] : ent["end"]] == ent["text"]
    assert len(result["claims"]) == len(result["entities"])
    assert result["match"] in ((None,) if not with_image else (True, False))


# ---- the corpus reader ------------------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 40) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["text", "entities", "x"]), inner),
    max_leaves=12,
)
records = st.fixed_dictionaries(
    {
        "text": st.text(max_size=30),
        "entities": st.lists(
            st.tuples(st.integers(-2, 35), st.integers(-2, 35), st.sampled_from(["ANIMAL", "ANIMAL", "DOG"])),
            max_size=3,
        ),
    }
)
corpus_bytes = st.one_of(
    st.binary(max_size=200),
    st.lists(records | json_values, max_size=5).map(lambda v: json.dumps(v, indent=1).encode()),
    st.lists(records | json_values, max_size=5).map(lambda v: "\n".join(json.dumps(x) for x in v).encode()),
    st.tuples(st.lists(records, min_size=1, max_size=4), st.binary(max_size=4), st.integers(0, 200)).map(
        lambda t: (lambda b: b[: t[2]] + t[1] + b[t[2] :])("\n".join(json.dumps(r) for r in t[0]).encode())
    ),
)


@SOME
@given(data=corpus_bytes)
@example(data=b'{"text": "a cat", "entities": [[2, 5, "ANIMAL"]]}\n\xff\xfe')  # undecodable on line 2
@example(data=b"[")
@example(data=b"")
def test_corpus_reader_turns_any_bytes_into_records_or_an_error_naming_file_and_line(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("corpus") / "data.json"
    path.write_bytes(data)
    try:
        found = read_records(path)
    except CorpusError as err:
        message = str(err)
        assert message.startswith(f"{path}:"), message
        if data.strip():
            assert re.match(rf"{re.escape(str(path))}:\d+: ", message), message
        return
    for record in found:
        assert record.text.strip() and record.line >= 1
        for start, end, label in record.entities:
            assert 0 <= start < end <= len(record.text) and label == "ANIMAL"


# ---- image decoding ---------------------------------------------------------------------------------------
PHOTO_BYTES = [(PHOTOS / name).read_bytes() for name in ("clock_skimage.jpg", "robin_opencv.jpg")]


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (9, 7), (10, 200, 30, 128)).save(buf, "PNG")
    return buf.getvalue()


SEEDS = [*PHOTO_BYTES, _png()]
MAGIC = (
    b"\xff\xd8\xff\xe0",
    b"\x89PNG\r\n\x1a\n",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
    b"RIFF\x00\x00\x00\x00WEBP",
)


@st.composite
def damaged(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    data = data[: draw(st.integers(0, len(data)))]
    for _ in range(draw(st.integers(0, 6))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


image_bytes = st.one_of(
    st.binary(max_size=300),
    st.tuples(st.sampled_from(MAGIC), st.binary(max_size=300)).map(b"".join),
    damaged(),
)


@SOME
@given(data=image_bytes)
@example(data=b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40)  # once leaked "<_io.BytesIO object at 0x...>"
@example(data=b"\x89PNG\r\n\x1a\n")
def test_image_decoding_gives_an_image_or_image_error(data):
    try:
        image = load_image(data, min_side=32)
    except ImageError as err:
        assert not INTERNAL_REPR.search(str(err)), str(err)
        return
    assert image.mode == "RGB" and image.width > 0 and image.height > 0


@SOME
@given(data=image_bytes)
@example(data=b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40)
@example(data=b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
def test_upload_decoding_gives_an_image_or_a_4xx_without_internal_names(data):
    try:
        image = decode_upload(data, ServerSettings(), Admission(Preprocessing(resize=224, crop=224)))
    except ApiError as err:
        assert err.status in (413, 415, 422), err.body()
        assert not INTERNAL_REPR.search(err.detail) and not FILE_PATH.search(err.detail), err.detail
        return
    assert image.mode == "RGB"
