"""The NER data generator: template files, format, spans, determinism, hold-out, slices, WordNet
labelling, CLI."""

from __future__ import annotations

import copy
import importlib.util
import json
import random
import re
import shutil
from pathlib import Path

import pytest
import spacy
import srsly
from typer.testing import CliRunner

from animal_verifier.constants import LABEL
from animal_verifier.ontology.lexicon import load_lexicon, load_lookalikes, normalize
from animal_verifier_train.datagen import (
    FILE_NAMES,
    MANIFEST,
    SPLITS,
    DatagenConfig,
    DatagenError,
    TemplateError,
    WordNetTextError,
    generate_corpus,
    write_corpus,
)
from animal_verifier_train.datagen import templates as T
from animal_verifier_train.datagen.generate import ANIMAL_KINDS, HARD_KINDS, Generator, shared_resources
from animal_verifier_train.datagen.names import ANIMALS_10, EVERYDAY
from animal_verifier_train.datagen.render import Filler, article, finish, render_template
from animal_verifier_train.datagen.wordnet_text import Gloss
from animal_verifier_train.ner.corpus import read_records
from animal_verifier_train.wordnet import INSTALL_HINT, WORDNET_DIR

pytestmark = pytest.mark.skipif(not (WORDNET_DIR / "data.noun").is_file(), reason=f"needs WordNet 3.0 ({INSTALL_HINT})")

SMALL = DatagenConfig(seed=0, n_train=600, n_val=150, n_test=250)
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


@pytest.fixture(scope="module")
def corpus(lexicon):
    return generate_corpus(SMALL, lexicon)


@pytest.fixture(scope="module")
def written(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    write_corpus(corpus, out)
    return out


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def all_records(corpus):
    return [(split, r) for split in SPLITS for r in corpus.splits[split]]


def entity_texts(record):
    return [record["text"][s:e] for s, e, _ in record["entities"]]


# ---- template files -----------------------------------------------------------------------------
def _raw_templates() -> dict[str, dict]:
    """The packaged template files as parsed YAML, to change in memory."""
    return {name: srsly.read_yaml(T.TEMPLATE_DIR / name) for name in T.TEMPLATE_FILES}


def _parse(raw: dict[str, dict]) -> list[T.Template]:
    fillers = T.default_words().fillers
    seen: dict[str, str] = {}
    return [
        t
        for name, kinds in T.TEMPLATE_FILES.items()
        for t in T.parse_templates(raw[name], kinds, fillers, name, seen=seen)
    ]


def test_template_ids_are_unique_and_name_their_kind():
    templates = T.load_templates()
    ids = [t.id for t in templates]
    assert len(ids) == len(set(ids)) > 500
    assert all(t.id.startswith(f"{t.kind}.") for t in templates)
    # the generator mixes exactly the kinds in the files ("thing" refills the animal frames,
    # "caption" the animal captions)
    assert list(ANIMAL_KINDS) == list(T.ANIMAL_TEMPLATE_KINDS)
    assert set(HARD_KINDS) - {"thing", "caption"} == set(T.HARD_TEMPLATE_KINDS)
    assert {t.kind for t in templates} == set(T.ANIMAL_TEMPLATE_KINDS) | set(T.HARD_TEMPLATE_KINDS)


def test_template_ids_are_stable():
    """Ids are written in the data, so records already generated keep naming the same template,
    wherever it sits in its list."""
    by_id = {t.id: t for t in T.load_templates()}
    assert by_id["claim.00"].pattern == "There is {a} {in_photo}"
    assert by_id["question.00"].pattern == "Is that {a}" and by_id["question.00"].question
    assert by_id["saying.00"].as_written and by_id["saying.00"].animal_only
    assert by_id["idiom.114"].pattern == "She dressed up as a {myth} for Halloween" and by_id["idiom.114"].heldout
    raw = _raw_templates()
    for data in raw.values():
        for entries in data.values():
            entries.reverse()
    assert {t.id: t for t in _parse(raw)} == by_id


def test_inserting_a_template_changes_no_other_hold_out():
    raw = _raw_templates()
    before = _parse(raw)
    changed = copy.deepcopy(raw)
    changed["animal_templates.yaml"]["claim"].insert(0, {"id": "claim.new", "text": "A brand new {n}", "heldout": True})
    changed["hard_templates.yaml"]["idiom"].insert(5, {"id": "idiom.new", "text": "A brand new idiom"})
    after = _parse(changed)
    assert T.heldout_ids(after) == T.heldout_ids(before) | {"claim.new"}
    assert {t.id: t for t in after if not t.id.endswith(".new")} == {t.id: t for t in before}


def test_every_kind_keeps_some_templates_for_the_test_split(lexicon):
    templates = T.load_templates()
    for kind in (*T.ANIMAL_TEMPLATE_KINDS, *T.HARD_TEMPLATE_KINDS):
        of_kind = [t for t in templates if t.kind == kind]
        assert 0.05 <= sum(t.heldout for t in of_kind) / len(of_kind) <= 0.3, kind
    # heldout_templates switches the marked ones on or off; a share can't be asked for any more
    assert Generator(SMALL, lexicon).heldout_template_ids == T.heldout_ids(templates)
    assert Generator(DatagenConfig(heldout_templates=0.0), lexicon).heldout_template_ids == frozenset()
    with pytest.raises(DatagenError, match="heldout_templates"):
        Generator(DatagenConfig(heldout_templates=0.3), lexicon)


def test_lookalike_things_are_on_the_curated_lookalike_list():
    """The things with an animal word in their name come from the project's one look-alike list
    (animal_verifier/data/lookalikes.json), in the singular or the plural."""
    curated = {p.text.lower() for p in load_lookalikes()}
    assert not [pair for pair in T.default_words().lookalike_things if not {w.lower() for w in pair} & curated]


def _broken_copy(tmp_path: Path, name: str, change) -> tuple[Path, Path]:
    """The packaged data files in ``tmp_path`` with ``change`` applied to the parsed ``name``."""
    folder = tmp_path / "templates"
    shutil.copytree(T.TEMPLATE_DIR, folder)
    path = folder / name
    data = srsly.read_yaml(path)
    change(data)
    srsly.write_yaml(path, data)
    return folder, path


@pytest.mark.parametrize(
    "entry, problem",
    [
        ({"id": "plain.bad", "text": "A {colour} car"}, "unknown placeholder {colour}"),
        ({"id": "plain.bad", "text": "A {color car"}, "unknown placeholder {color car"),
        ({"id": "plain.bad", "text": "There is {a} here"}, "no animal slot allowed"),
        ({"id": "plain.bad", "text": "A car", "heldout": "yes"}, "heldout must be true or false"),
        ({"id": "plain.bad", "text": "A car", "animal_only": True}, "only apply to templates that name animals"),
        ({"id": "plain.bad", "text": "A car", "held_out": True}, "unknown keys ['held_out']"),
        ({"id": "plain.00", "text": "A car"}, "duplicate id"),
    ],
)
def test_a_malformed_template_names_the_file_and_the_template(tmp_path, entry, problem):
    folder, path = _broken_copy(tmp_path, "hard_templates.yaml", lambda data: data["plain"].append(entry))
    with pytest.raises(TemplateError) as err:
        T.load_templates(folder)
    message = str(err.value)
    assert message.startswith(f"{path}: template {entry['id']!r}: ") and problem in message, message


def test_other_malformed_data_names_the_file_and_the_place(tmp_path):
    def check(name, change, *expect, blamed=None):
        folder, _ = _broken_copy(tmp_path / f"case{len(list(tmp_path.iterdir()))}", name, change)
        with pytest.raises(TemplateError) as err:
            T.load_templates(folder)
        message = str(err.value)
        assert message.startswith(f"{folder / (blamed or name)}: ") and all(e in message for e in expect), message

    check("animal_templates.yaml", lambda d: d["claim"].append({"text": "A {n}"}), "claim template #", "id None")
    check("animal_templates.yaml", lambda d: d["claim"].append({"id": "claim.x", "text": "A car"}), "needs an animal")
    check("animal_templates.yaml", lambda d: d["question"].append({"id": "question.x", "text": "Is it {a}"}), "'?'")
    check("animal_templates.yaml", lambda d: d.pop("hedge"), "missing kinds ['hedge']")
    check("words.yaml", lambda d: d["things"].append("car-cars"), "things", "'singular/plural'")
    # a filler taken away: the first template that uses it is named
    check(
        "fillers.yaml",
        lambda d: d.pop("place"),
        "template 'claim.01'",
        "unknown placeholder {place}",
        blamed="animal_templates.yaml",
    )
    folder = tmp_path / "syntax"
    shutil.copytree(T.TEMPLATE_DIR, folder)
    (folder / "hard_templates.yaml").write_text("plain: [\n", encoding="utf8")
    with pytest.raises(TemplateError, match="hard_templates.yaml: cannot read"):
        T.load_templates(folder)


# ---- format -------------------------------------------------------------------------------------
def test_files_are_in_the_original_json_format(written, corpus):
    for split in SPLITS:
        data = json.loads((written / FILE_NAMES[split]).read_text(encoding="utf8"))
        assert isinstance(data, list) and len(data) == SMALL.sizes()[split]
        for r in data:
            assert isinstance(r["text"], str) and r["text"].strip()
            assert all(isinstance(s, int) and isinstance(e, int) and label == LABEL for s, e, label in r["entities"])
        # the project's own reader (used by `convert`) accepts every record, spans unchanged
        records = read_records(written / FILE_NAMES[split])
        assert [list(map(list, r.entities)) for r in records] == [r["entities"] for r in corpus.splits[split]]
    manifest = json.loads((written / MANIFEST).read_text(encoding="utf8"))
    assert manifest["heldout_templates"] and manifest["heldout_names"]


def test_sizes_follow_the_options(corpus):
    assert {s: len(corpus.splits[s]) for s in SPLITS} == {"train": 600, "val": 150, "test": 250}


# ---- spans --------------------------------------------------------------------------------------
def test_every_span_falls_on_spacy_tokens_and_is_a_whole_animal_name(corpus, nlp, lexicon):
    matcher = shared_resources(lexicon, str(WORDNET_DIR)).matcher
    n_checked = 0
    for split, r in all_records(corpus):
        doc = nlp.make_doc(r["text"])
        for s, e, _ in r["entities"]:
            assert doc.char_span(s, e) is not None, (split, r)
        if "typo" in r["slices"]:
            continue
        # each entity is exactly the longest lexicon term found there: "polar bear", not "bear"
        found = {(m.start_char, m.end_char) for m in matcher.find(doc)}
        for s, e, _ in r["entities"]:
            assert (s, e) in found, (split, r["text"], r["text"][s:e])
            n_checked += 1
    assert n_checked > 500


def test_spans_cover_the_intended_words(lexicon):
    gen = Generator(SMALL, lexicon)
    pool = gen.pool
    rng = random.Random(1)
    filler = Filler(lexicon, rng)
    for key, pattern, expect in [
        ("dog", "There are {pl} {place}", "dogs"),
        ("goose", "There are {pl} {place}", "geese"),
        ("elephant", "I see {a}", "elephant"),
        ("guinea pig", "It's not {a}, it is really {a}", "guinea pig"),
        ("german shepherd", "Is that {the}?", "German shepherd"),
    ]:
        name = pool.by_key[key]
        for _ in range(20):
            r = render_template(pattern, filler, pick_name=lambda plural, exclude, n=name: n)
            finish(r, rng, question=False, lexicon_terms=gen.terms)
            text = r.text
            spans = [text[s:e] for s, e in r.entities()]
            if not r.typo_in_entity:
                assert spans and all(normalize(sp) == normalize(expect) for sp in spans), (text, spans)
    assert article("elephant") == "an" and article("unicorn") == "a" and article("hour") == "an"


def test_generated_sentences_leave_no_animal_word_unlabelled(corpus, lexicon, nlp):
    """Outside the look-alike parts, any unambiguous animal word in a sentence is an entity
    (names of people and places may hold one: "Charles Lamb", "Leo the Lion")."""
    matcher = shared_resources(lexicon, str(WORDNET_DIR)).matcher
    for split, r in all_records(corpus):
        if {"lookalike", "real", "idiom", "proper_name"} & set(r["slices"]):
            continue
        ents = [(s, e) for s, e, _ in r["entities"]]
        for m in matcher(r["text"]):
            word = r["text"][m.start_char : m.end_char]
            if m.term.ambiguous or m.glued or word.lower() in nlp.Defaults.stop_words:
                continue
            assert any(s <= m.start_char and m.end_char <= e for s, e in ents), (split, r["text"], word)


# ---- look-alikes: verbs, idioms, names, bylines -------------------------------------------------
def _render(gen, pattern, rng, *, name_key=None, lookalike_text=False, question=False):
    """One sentence from ``pattern`` the way the generator makes it, checked like a generated one;
    returns (text, entity texts)."""
    template = next(t for t in gen.templates if t.pattern == pattern)
    pick = (lambda plural, exclude: gen.pool.by_key[name_key]) if name_key else None
    r = render_template(
        pattern, Filler(gen.lexicon, rng), pick_name=pick, lookalike_text=lookalike_text, proper=gen.seen_proper
    )
    gen._finish(r, template, rng, gen.seen_proper)
    gen._check_generated(r, template)
    return r.text, [r.text[s:e] for s, e in r.entities()] if not r.typo_in_entity else None


def test_animal_words_in_other_senses_are_never_entities_but_the_animal_next_to_them_is(lexicon):
    gen = Generator(SMALL, lexicon)
    rng = random.Random(7)
    for _ in range(10):
        for pattern in [
            "He wolfed down his breakfast and ran out the door",
            "The new regulator is a paper tiger",
            "I've always been the black sheep of the family",
            "We went to the {compound} {time}",
            "We had {compound_food} for dinner",
            "A {myth} on the cover of the book",
            "Man is a rational animal",
        ]:
            text, ents = _render(gen, pattern, rng, lookalike_text=True)
            assert ents == [], text
        # in the same batch: the verb is no entity, the wolf is
        text, ents = _render(gen, "{the} wolfed down its dinner in seconds", rng, name_key="wolf", lookalike_text=True)
        assert "wolfed" in text.lower() and ents in (["wolf"], ["Wolf"], ["WOLF"], None), (text, ents)
    # every idiom template is a hard negative in the corpus
    assert {t.kind for t in gen.templates} >= {"idiom", "proper", "saying"}


def test_bylines_and_proper_names_are_never_entities(lexicon):
    gen = Generator(SMALL, lexicon)
    rng = random.Random(3)
    n_byline = 0
    for _ in range(40):
        text, ents = _render(gen, "{saying}{byline}", rng, lookalike_text=True)
        assert ents == [], text
        text, ents = _render(gen, "{person_name} was born in {place_name}", rng, lookalike_text=True)
        assert ents == [], text
        text, ents = _render(
            gen, "Never trust {a} that won't eat{byline}", rng, name_key="dog"
        )  # an animal and an attribution: only the animal
        n_byline += "--" in text or "—" in text or "(" in text or " - " in text or "~" in text
        assert ents is None or [e.lower() for e in ents] == ["dog"], (text, ents)
    assert n_byline > 30
    # names with animal words inside are among the names (the hardest negatives)
    people = set(gen.seen_proper.person) | set(gen.held_proper.person)
    assert {"Charles Lamb", "Stephen Crane"} <= people
    # people's and places' names seen in the test split are not the ones train uses
    assert not set(gen.held_proper.person) & set(gen.seen_proper.person)
    assert not set(gen.held_proper.place) & set(gen.seen_proper.place)


def test_bylines_in_the_corpus_hold_no_entity(corpus):
    records = [r for _, r in all_records(corpus) if "byline" in r["slices"] and " -- " in r["text"]]
    assert len(records) >= 5
    for r in records:
        cut = r["text"].rfind(" -- ")
        assert all(e <= cut for _, e, _ in r["entities"]), r


def test_capitalised_scientific_names_are_mostly_lower_case(lexicon):
    gen = Generator(SMALL, lexicon)
    name = next(n for n in gen.pool.names if n.tier == 2 and n.singular and n.singular[:1].isupper())
    rng = random.Random(5)
    filler = Filler(lexicon, rng)
    forms = []
    for _ in range(200):
        r = render_template("I see {a}", filler, pick_name=lambda plural, exclude: name)
        forms += [r.text[s:e] for s, e in r.entities()]
    lower = sum(f == f.lower() for f in forms) / len(forms)
    assert 0.6 <= lower <= 0.9, (name.singular, lower)


# ---- captions -----------------------------------------------------------------------------------
def _caption_renders(gen, template_id, rng, *, name_key=None, n=60):
    """``n`` renderings of one template the way the generator makes them, each checked like a
    generated sentence; (text, entity spans) pairs, leaving out the ones with a typo in a name."""
    template = next(t for t in gen.templates if t.id == template_id)
    pick = (lambda plural, exclude: gen.pool.by_key[name_key]) if name_key else None
    lookalike = template.kind in ("mixed", "lookalike", "idiom", "proper")
    out = []
    for _ in range(n):
        r = render_template(
            template.pattern, Filler(gen.lexicon, rng), pick_name=pick, lookalike_text=lookalike, proper=gen.seen_proper
        )
        gen._finish(r, template, rng, gen.seen_proper)
        gen._check_generated(r, template)
        if not r.typo_in_entity:
            out.append((r.text, r.entities()))
    return out


def test_captions_come_as_people_type_them_with_the_animal_word_as_the_span(lexicon):
    """One word, Title Case, ALL CAPS, an emoji beside the word, a possessive, a hyphen: the span
    is the animal word itself (no emoji, no "'s"), found where spaCy's tokens fall."""
    gen = Generator(SMALL, lexicon)
    nlp = gen.nlp
    rng = random.Random(11)

    def spans(renders):
        for text, ents in renders:
            for s, e in ents:
                assert nlp.make_doc(text).char_span(s, e) is not None, text
        return [(text, [text[s:e] for s, e in ents]) for text, ents in renders]

    # one word: "Narwhal", "NARWHAL.", "narwhal" (now and then an adjective first: "Pale narwhal")
    one_word = _caption_renders(gen, "claim.48", rng, name_key="narwhal", n=80)
    spans(one_word)
    for text, ents in one_word:
        ((s, e),) = ents
        assert text[s:e].lower() == "narwhal" and len(text[:s].split()) <= 1, text
        assert not re.search(r"[A-Za-z]", text[e:]), text
    assert {"Narwhal", "NARWHAL"} <= {text[s:e] for text, ents in one_word for s, e in ents if s == 0}
    # Title Case and ALL CAPS: "The Cat Goes Meow", "THE CAT GOES MEOW"
    titles = spans(_caption_renders(gen, "claim.53", rng, name_key="cat", n=80))
    assert all([e.lower() for e in ents] == ["cat"] for _, ents in titles)
    assert any(text.startswith("The Cat Goes ") and ents == ["Cat"] for text, ents in titles), titles
    assert any(text.startswith("THE CAT GOES ") and ents == ["CAT"] for text, ents in titles), titles
    # the animal's own emoji before or after the word, never inside the span
    for template_id, where in (("claim.54", "before"), ("claim.55", "after")):
        for text, ents in spans(_caption_renders(gen, template_id, rng, name_key="cow")):
            assert [e.lower() for e in ents] == ["cow"], (text, ents)
            assert text.startswith("🐄 ") if where == "before" else "cow 🐄" in text.lower(), text
    puppies = spans(_caption_renders(gen, "claim.55", rng, name_key="puppy", n=10))
    assert all("🐕" in text for text, _ in puppies)  # a puppy is a dog: the most specific emoji that fits
    # possessives: "the dog's bowl" is about a dog, and the span stops before "'s"
    for template_id in ("claim.58", "claim.59"):
        for text, ents in _caption_renders(gen, template_id, rng, name_key="dog"):
            assert len(ents) == 1 and text[ents[0][0] : ents[0][1]].lower() == "dog", text
            assert text[ents[0][1] : ents[0][1] + 2].lower() == "'s", text
    # hyphenated forms: "sheep-dog" is the name "sheep dog", spanned whole
    hyphenated = [
        (text, ents) for text, ents in spans(_caption_renders(gen, "claim.48", rng, name_key="sheep dog", n=150))
    ]
    assert any(ents[0].lower() == "sheep-dog" for _, ents in hyphenated), hyphenated
    assert all(ents[0].lower() in ("sheep dog", "sheep-dog") for _, ents in hyphenated)


def test_cat_like_and_lookalike_captions_carry_no_animal_span(lexicon):
    """A "cat-like" grace is no cat and Jaguar F-Type no jaguar, in every case style; next to a real
    animal, only the animal is a span."""
    gen = Generator(SMALL, lexicon)
    rng = random.Random(12)
    for template_id in ("idiom.124", "idiom.125", "idiom.129", "idiom.131", "lookalike.100", "lookalike.103"):
        for text, ents in _caption_renders(gen, template_id, rng, n=30):
            assert ents == [], (template_id, text)
    caption_texts = {
        text.lower().rstrip(".! ")
        for tid in ("lookalike.100", "lookalike.103", "lookalike.106", "idiom.131")
        for text, _ in _caption_renders(gen, tid, rng, n=30)
    }
    assert {"jaguar f-type", "chicago bears win", "apple event", "cat-like grace"} <= caption_texts
    with_dog = _caption_renders(gen, "mixed.48", rng, name_key="dog")
    for text, ents in with_dog:
        assert [text[s:e].lower() for s, e in ents] == ["dog"], text
    glued = re.compile(r"\w-?(like|shaped|eared|eyed|headed|hearted|grey) ", re.I)
    assert sum(bool(glued.search(text)) for text, _ in with_dog) > len(with_dog) // 2, with_dog


def test_caption_templates_are_in_the_training_data(corpus):
    """The caption templates reach train (none is held out: the test split keeps its templates)."""
    caption_ids = {t.id for t in T.load_templates() if t.caption}
    assert caption_ids and not any(t.heldout for t in T.load_templates() if t.caption)
    captions = [r for r in corpus.splits["train"] if r["template"] in caption_ids]
    assert len(captions) >= 0.02 * len(corpus.splits["train"]), len(captions)
    assert any(r["entities"] for r in captions) and any(not r["entities"] for r in captions)


def test_captions_without_animals_come_about_as_often_as_with(corpus):
    """A lone noun must not mean "animal": the caption templates are also filled with things
    ("Hiker", "MY STONE", "Trunks in the garden"), about as often as with animals."""
    caption_ids = {t.id for t in T.load_templates() if t.caption and t.kind in ANIMAL_KINDS}
    records = [r for split in ("train", "val") for r in corpus.splits[split] if r["template"] in caption_ids]
    with_animal = sum(bool(r["entities"]) for r in records)
    without = len(records) - with_animal
    assert with_animal and 0.5 * with_animal <= without <= 2 * with_animal, (with_animal, without)
    one_word = [r["text"] for r in records if not r["entities"] and len(r["text"].split()) == 1]
    assert one_word and any(t[0].isupper() for t in one_word), one_word


def test_common_nouns_never_name_an_animal(lexicon):
    """The WordNet nouns that stand where an animal could: people, parts, plants, things, ideas; never a
    word with an animal sense or a lexicon term, and with their plurals."""
    nouns = dict(shared_resources(lexicon, str(WORDNET_DIR)).common_nouns)
    assert len(nouns) > 3000
    assert {"stone", "monk", "trunk", "wildlife", "tuft"} <= nouns.keys()
    assert not {"female", "prey", "game", "bull", "cat", "bird", "paris"} & nouns.keys()
    assert nouns["church"] == "churches" and nouns["child"] == "children"
    assert all(lexicon.lookup(s) is None and lexicon.lookup(p) is None for s, p in nouns.items())


def test_thing_frames_draw_common_nouns_as_well_as_objects(lexicon):
    gen = Generator(SMALL, lexicon)
    rng = random.Random(5)
    objects = {w for pair in gen_words_things() for w in pair}
    nouns = {w for pair in gen.resources.common_nouns for w in pair}
    records = [gen.hard_record("train", rng) for _ in range(300)]
    assert all(not r["entities"] for r in records)
    words = {w.strip(".,!?").lower() for r in records for w in r["text"].split()}
    assert words & (nouns - objects) and words & objects


def gen_words_things() -> tuple[tuple[str, str], ...]:
    return T.default_words().things


# ---- determinism --------------------------------------------------------------------------------
def test_same_seed_gives_identical_bytes(written, lexicon, tmp_path):
    write_corpus(generate_corpus(SMALL, lexicon), tmp_path)
    for name in [*FILE_NAMES.values(), MANIFEST]:
        assert (tmp_path / name).read_bytes() == (written / name).read_bytes(), name


def test_different_seed_gives_different_data(corpus, lexicon):
    other = generate_corpus(DatagenConfig(seed=1, n_train=600, n_val=150, n_test=250), lexicon)
    for split in SPLITS:
        assert other.splits[split] != corpus.splits[split]
    assert other.manifest["heldout_names"] != corpus.manifest["heldout_names"]


# ---- hold-out -----------------------------------------------------------------------------------
def test_splits_are_disjoint_in_templates_names_and_texts(corpus, lexicon):
    held_templates = set(corpus.manifest["heldout_templates"])
    held_words = set(corpus.manifest["heldout_name_words"])
    held_names = set(corpus.manifest["heldout_names"])
    pool = shared_resources(lexicon, str(WORDNET_DIR)).pool
    train_val_entities = set()
    for split in ("train", "val"):
        for r in corpus.splits[split]:
            assert r["template"] not in held_templates, r
            for text in entity_texts(r):
                term = lexicon.lookup(text)
                if term is None:  # a typo'd name
                    continue
                assert not (pool.term_tokens(term.text) & held_words), (split, r["text"], text)
                assert term.text not in held_names
                train_val_entities.add(term.text)
    test_generated = [r for r in corpus.splits["test"] if not r["template"].startswith("wordnet")]
    assert len(test_generated) == len(corpus.splits["test"])  # no real text in test
    test_held = set()
    for r in test_generated:
        if r["entities"]:  # every animal sentence in test holds out its template, its names or both
            assert {"heldout_name", "heldout_template"} & set(r["slices"]), r
        if "heldout_name" in r["slices"]:
            test_held |= {lexicon.lookup(t).text for t in entity_texts(r) if lexicon.lookup(t) is not None}
    held_in_test = {t for t in test_held if pool.term_tokens(t) & held_words}
    assert held_in_test and not (held_in_test & train_val_entities)
    # no text in two splits
    texts = [{r["text"] for r in corpus.splits[s]} for s in SPLITS]
    assert not (texts[0] & texts[1]) and not (texts[0] & texts[2]) and not (texts[1] & texts[2])


def test_heldout_names_come_in_families_and_spare_the_animals10(corpus, lexicon):
    held_words = set(corpus.manifest["heldout_name_words"])
    held = set(corpus.manifest["heldout_names"])
    assert not held_words & set(ANIMALS_10)
    assert not {"dog", "cat", "kitten", "puppy", "horse", "cow", "sheep", "chicken", "hen"} & held
    # a held-out word takes every name that contains it
    pool = shared_resources(lexicon, str(WORDNET_DIR)).pool
    for name in pool.names:
        if name.tokens & held_words:
            assert name.key in held
    # and some everyday animals are held out, so the test measures generalisation on common words
    assert held & set(EVERYDAY)


@pytest.mark.parametrize("seed", [1, 3])
def test_no_seen_name_reads_back_as_a_held_out_one(lexicon, seed):
    """Seed 1 held out "dogy" while "dogie" stayed in train, whose plural "dogies" the lexicon reads as the
    plural of "dogy": the hold-out check stopped the generator. Seed 3 did the same with "mollie"."""
    generator = Generator(DatagenConfig(seed=seed, n_train=10, n_val=2, n_test=2), lexicon)
    pool, held = generator.pool, generator.heldout_heads
    for name in generator.seen_names.names:
        for form in filter(None, (name.key, name.plural)):
            assert not pool.term_tokens(form) & held, (seed, name.key, form)


# ---- slices -------------------------------------------------------------------------------------
def test_hard_negatives_have_no_entities_and_include_lookalikes(corpus):
    hard = [r for _, r in all_records(corpus) if "hard_negative" in r["slices"]]
    assert hard and all(r["entities"] == [] for r in hard)
    assert all("hard_negative" in r["slices"] for _, r in all_records(corpus) if not r["entities"])
    lookalike_texts = " ".join(r["text"].lower() for r in hard if "lookalike" in r["slices"])
    found = [w for w in ("hot dog", "teddy bear", "jaguar", "mouse", "bear", "duck", "crane") if w in lookalike_texts]
    assert len(found) >= 3, found


def test_every_slice_is_present_with_a_sensible_share(corpus):
    counts = corpus.slice_counts()
    train, test = counts["train"], counts["test"]
    share = {k: v / train["all"] for k, v in train.items()}
    assert 0.15 <= share["negation"] <= 0.40
    assert 0.10 <= share["plural"] <= 0.40
    assert 0.05 <= share["multiword"] <= 0.40
    assert 0.18 <= share["hard_negative"] <= 0.40
    assert share["idiom"] >= 0.03 and share["proper_name"] >= 0.03 and share["byline"] >= 0.01
    assert 0.08 <= share["real"] <= 0.16
    assert 0.05 <= share["question"] <= 0.25
    assert 0.03 <= share["hedge"] <= 0.20
    assert 0.10 <= share["multi_animal"] <= 0.35
    assert 0.02 <= share["typo"] <= 0.12
    assert share["lookalike"] >= 0.05
    assert "real" not in test
    assert test["heldout_name"] / test["all"] >= 0.3 and test["heldout_template"] / test["all"] >= 0.3
    # varied case and punctuation
    texts = [r["text"] for r in corpus.splits["train"]]
    assert sum(t == t.lower() for t in texts) / len(texts) > 0.08
    assert any(t.isupper() for t in texts)
    assert sum(t.endswith("?") for t in texts) > 20 and sum(t.endswith("!") for t in texts) > 20


def test_negation_templates_negate_their_animals(corpus):
    """By the project's own negation rules (animal_verifier.text.negation), the negation templates do
    negate the animal they name ("Zero cows" is the one that rule does not see)."""
    neg = [r for r in corpus.splits["train"] if r["template"].startswith("negation.") and r["entities"]]
    assert len(neg) > 50
    negated = [r for r in neg if "negation" in r["slices"]]
    assert len(negated) >= 0.9 * len(neg), [r["text"] for r in neg if r not in negated][:10]


# ---- real sentences -----------------------------------------------------------------------------
def test_real_sentences_come_from_wordnet_labelled_through_the_lexicon(corpus, lexicon):
    real = [r for _, r in all_records(corpus) if "real" in r["slices"]]
    assert real and all(r["source"].startswith("wordnet:n") for r in real)
    labelled = [r for r in real if r["entities"]]
    assert len(labelled) >= 0.6 * len(real)
    for r in labelled:
        for text in entity_texts(r):
            term = lexicon.lookup(text)
            assert term is not None, (r["text"], text)


@pytest.mark.parametrize(
    "sid, lexfile, lemmas, text, expect",
    [
        ("n01317541", 5, {"domestic animal"}, "the dog barked all night", "pos"),  # an animal synset
        ("n00000001", 4, {"bark"}, "the dog barked all night", "pos"),
        ("n08397856", 14, {"horse", "cavalry"}, "500 horse led the attack", "skip"),  # horse = cavalry
        ("n00000001", 4, {"carriage"}, "a horse-drawn carriage in the old town", "skip"),  # glued hyphen
        ("n00000001", 13, {"stew"}, "a stew of lamb and potatoes", "skip"),  # food
        ("n00000001", 18, {"fighter"}, "two boxers in the ring", "skip"),  # boxer: usually a person
        ("n00000001", 4, {"desk"}, "he sat at his desk all day", "neg"),
    ],
)
def test_wordnet_sentences_are_labelled_only_when_trusted(lexicon, sid, lexfile, lemmas, text, expect):
    wordnet = shared_resources(lexicon, str(WORDNET_DIR)).wordnet_text
    label, _ = wordnet.classify(Gloss(sid, "example", text, frozenset(lemmas), lexfile))
    assert label == expect


# ---- bad input ----------------------------------------------------------------------------------
def test_bad_settings_are_refused(lexicon, tmp_path):
    with pytest.raises(DatagenError):
        generate_corpus(DatagenConfig(n_train=-1), lexicon)
    with pytest.raises(DatagenError):
        generate_corpus(DatagenConfig(heldout_names=1.5), lexicon)
    with pytest.raises(WordNetTextError):
        generate_corpus(DatagenConfig(n_train=10, n_val=0, n_test=0, wordnet_dir=str(tmp_path)), lexicon)


def test_excluded_texts_are_never_emitted(corpus, lexicon):
    """An evaluation set passed as ``exclude_texts`` can't leak into the generated splits."""
    real = [r["text"] for r in corpus.splits["train"] if "real" in r["slices"]][:20]
    again = generate_corpus(
        DatagenConfig(seed=0, n_train=600, n_val=150, n_test=250, exclude_texts=frozenset(real)), lexicon
    )
    emitted = {r["text"] for _, r in all_records(again)}
    assert len(real) == 20 and not emitted & set(real)


def test_writing_is_all_or_nothing(corpus, tmp_path):
    (tmp_path / FILE_NAMES["train"]).write_text("old train", encoding="utf8")
    (tmp_path / FILE_NAMES["test"]).mkdir()  # a folder where a file must go: the rename fails
    with pytest.raises(OSError):
        write_corpus(corpus, tmp_path)
    assert (tmp_path / FILE_NAMES["train"]).read_text(encoding="utf8") == "old train"
    assert not (tmp_path / FILE_NAMES["val"]).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([FILE_NAMES["train"], FILE_NAMES["test"]])


def _script():
    spec = importlib.util.spec_from_file_location("generate_data", REPO / "scripts" / "generate_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import typer

    app = typer.Typer()
    app.command()(module.main)
    return app


def test_script_writes_the_splits_and_prints_slice_counts(tmp_path):
    args = ["--output-dir", str(tmp_path), "--n-train", "60", "--n-val", "20", "--n-test", "30"]
    result = CliRunner().invoke(_script(), args)
    assert result.exit_code == 0, result.output
    assert "negation" in result.output and "hard_negative" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*FILE_NAMES.values(), MANIFEST])


def test_script_reports_bad_input_without_a_traceback(tmp_path):
    result = CliRunner().invoke(_script(), ["--output-dir", str(tmp_path), "--n-train", "-5"])
    assert result.exit_code == 1
    assert "error:" in result.output and "Traceback" not in result.output
    assert not list(tmp_path.iterdir())
