"""The animal lexicon: the committed JSON (no WordNet needed) and the builder (needs WordNet)."""

import json
from pathlib import Path

import pytest

from animal_verifier.ontology.lexicon import ANIMAL_ROOT, Lexicon, default_lexicon_path, load_lexicon, load_lookalikes

CAT, DOG, CATTLE = "n02121808", "n02084071", "n02402425"
CHICKEN, SHEEP, HORSE, DUCK = "n01791625", "n02411705", "n02374451", "n01846331"
WORDNET_DIR = Path("/usr/share/wordnet")


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return load_lexicon()


def linked(lex: Lexicon, text: str) -> str:
    term = lex.lookup(text)
    assert term is not None, f"{text!r} is not in the lexicon"
    return term.id


@pytest.mark.parametrize(
    "text, synset",
    [
        ("cat", CAT),
        ("kitten", CAT),
        ("kittens", CAT),
        ("Kitty", CAT),
        ("dog", DOG),
        ("puppy", DOG),
        ("puppies", DOG),
        ("cow", CATTLE),
        ("cows", CATTLE),
        ("cattle", CATTLE),
        ("calf", CATTLE),
        ("calves", CATTLE),
        ("bull", CATTLE),
        ("hen", CHICKEN),
        ("rooster", CHICKEN),
        ("chicks", CHICKEN),
        ("lamb", SHEEP),
        ("lambs", SHEEP),
        ("ewe", SHEEP),
        ("sheep", SHEEP),
        ("foal", HORSE),
        ("mare", HORSE),
        ("duckling", DUCK),
        ("ducklings", DUCK),
    ],
)
def test_everyday_and_young_forms_link_to_the_species(lex, text, synset):
    assert linked(lex, text) == synset


def test_synset_ids_are_wordnet_30_offsets(lex):
    assert lex.name(ANIMAL_ROOT) == "animal"
    assert lex.name(CAT) == "cat" and "domestic_cat" in lex.synsets[CAT].lemmas
    assert lex.name(DOG) == "dog" and "dog" in lex.synsets[DOG].lemmas
    assert lex.name(CATTLE) == "cow" and "cattle" in lex.synsets[CATTLE].lemmas


@pytest.mark.parametrize(
    "plural, singular",
    [
        ("geese", "goose"),
        ("mice", "mouse"),
        ("oxen", "ox"),
        ("wolves", "wolf"),
        ("deer", "deer"),
        ("sheep", "sheep"),
        ("ponies", "pony"),
        ("foxes", "fox"),
        ("butterflies", "butterfly"),
        ("guinea pigs", "guinea pig"),
        ("polar bears", "polar bear"),
        ("field mice", "field mouse"),
        ("snow geese", "snow goose"),
    ],
)
def test_plurals_regular_and_irregular(lex, plural, singular):
    term = lex.terms[plural]
    assert term.id == linked(lex, singular)
    assert term.plural or plural == singular


def test_no_false_regular_plurals(lex):
    for wrong in ("gooses", "mouses", "oxes", "sheeps", "deers", "wolfs"):
        assert wrong not in lex.terms


def test_multi_word_names_and_hierarchy(lex):
    golden = linked(lex, "Golden Retriever")
    assert lex.name(golden) == "golden retriever"
    assert lex.is_a(golden, DOG)
    assert lex.is_a(golden, ANIMAL_ROOT)
    assert lex.is_a(linked(lex, "polar bear"), linked(lex, "bear"))
    assert not lex.is_a(DOG, CAT)
    assert linked(lex, "St. Bernard") == linked(lex, "saint bernard")


def test_ambiguous_names_are_flagged_but_still_linked(lex):
    jaguar = lex.lookup("jaguar")
    assert jaguar.ambiguous
    assert lex.is_a(jaguar.id, linked(lex, "big cat"))
    for name in ("bug", "crane", "bass", "jaguar", "mouse", "seal", "bat", "kid", "turkey"):
        assert lex.lookup(name).ambiguous, name
        assert lex.lookup(name + "s").ambiguous, name + "s"
    for name in ("cat", "dog", "cow", "horse", "sheep", "golden retriever", "guinea pig", "lion"):
        assert not lex.lookup(name).ambiguous, name
    assert "jaguar" in lex.names() and "jaguar" not in lex.names(include_ambiguous=False)


def test_people_are_not_animals(lex):
    for word in ("man", "human", "homo sapiens", "world"):
        assert lex.lookup(word) is None, word


def test_hierarchy_is_wordnets_own(lex):
    # ImageNet-1k's "cock" and "hen" classes are WordNet's adult male/female *bird*; the image side
    # counts them as chickens (concepts.CORRECTIONS), the lexicon keeps WordNet's hierarchy
    assert lex.is_a("n01514859", linked(lex, "bird"))
    assert not lex.is_a("n01514668", CHICKEN) and not lex.is_a("n01514859", CHICKEN)
    assert lex.lookup("hen").id == CHICKEN  # the word still names the chicken


def test_ancestors_are_consistent(lex):
    for sid, synset in lex.synsets.items():
        ancestors = lex.ancestors(sid)
        assert sid in ancestors
        assert ANIMAL_ROOT in ancestors, sid
        for parent in synset.parents:
            assert parent in lex.synsets
            assert lex.ancestors(parent) <= ancestors
            assert sid not in lex.ancestors(parent), f"cycle at {sid}"
    assert lex.synsets[ANIMAL_ROOT].parents == ()
    for term in lex.terms.values():
        assert term.id in lex.synsets, term


def test_every_lemma_and_name_is_a_term(lex):
    from animal_verifier.ontology.lexicon import normalize

    for synset in lex.synsets.values():
        for lemma in synset.lemmas:
            assert normalize(lemma) in lex.terms, lemma
        assert lex.terms[normalize(synset.name)], synset.name


def test_json_file_is_compact_with_licence_and_meta():
    path = default_lexicon_path()
    assert path.stat().st_size < 3_000_000
    data = json.loads(path.read_text(encoding="utf8"))
    assert data["meta"]["wordnet_version"] == "3.0"
    assert "build_lexicon" in data["meta"]["build_command"]
    assert "Princeton" in path.with_name("WORDNET_LICENSE").read_text()
    assert Lexicon.from_json(data).to_json() == data


def test_lookalikes_file(lex):
    phrases = load_lookalikes()
    texts = {p.text.lower() for p in phrases}
    for phrase in ("hot dog", "teddy bear", "rubber duck", "bull market", "computer mouse", "crane operator"):
        assert phrase in texts
    assert {"jaguar", "apple", "chicago bears"} <= texts
    for p in phrases:
        assert p.word is None or p.word in p.text, p
        assert p.word is None or lex.lookup(p.word) is not None, p


# ---- the builder (needs WordNet) ------------------------------------------------------------
needs_wordnet = pytest.mark.skipif(not (WORDNET_DIR / "data.noun").is_file(), reason="WordNet not installed")


@needs_wordnet
def test_builder_reproduces_the_committed_lexicon():
    from animal_verifier_train.wordnet.lexicon_builder import build_lexicon, lookalikes_json

    built = build_lexicon(WORDNET_DIR).to_json()
    committed = json.loads(default_lexicon_path().read_text(encoding="utf8"))
    assert built == committed, "animal_lexicon.json is stale: run python scripts/build_lexicon.py"
    lookalikes = json.loads(default_lexicon_path().with_name("lookalikes.json").read_text(encoding="utf8"))
    assert lookalikes == lookalikes_json()


@needs_wordnet
def test_wordnet_reader_ids():
    from animal_verifier_train.wordnet.lexicon_builder import open_wordnet, synset_id

    with open_wordnet(WORDNET_DIR) as wn:
        assert synset_id(wn.synset("animal.n.01")) == ANIMAL_ROOT
        assert synset_id(wn.synset("domestic_cat.n.01")) == CAT
        assert synset_id(wn.synset("dog.n.01")) == DOG
        assert synset_id(wn.synset("cattle.n.01")) == CATTLE
        assert wn.synset("dog.n.01").lexname() == "noun.animal"


def test_plural_rules():
    from animal_verifier_train.wordnet.lexicon_builder import plural_forms

    exc = {"mouse": ["mice"], "goose": ["geese"], "wolf": ["wolves"], "octopus": ["octopi"]}
    assert plural_forms("field mouse", exc) == ["field mice"]
    assert plural_forms("goose", exc) == ["geese"]
    assert plural_forms("octopus", exc) == ["octopi", "octopuses"]
    assert plural_forms("guinea pig", exc) == ["guinea pigs"]
    assert plural_forms("pony", exc) == ["ponies"]
    assert plural_forms("monkey", exc) == ["monkeys"]
    assert plural_forms("finch", exc) == ["finches"]
    assert plural_forms("goldfish", exc) == ["goldfish"]
    assert plural_forms("red deer", exc) == ["red deer"]
    assert plural_forms("man of war", {"man": ["men"]}) == ["men of war"]


def test_missing_wordnet_is_a_clear_error(tmp_path):
    from animal_verifier_train.wordnet.lexicon_builder import WordNetNotFound, build_lexicon

    with pytest.raises(WordNetNotFound, match="apt-get install wordnet-base wordnet-sense-index"):
        build_lexicon(tmp_path)
