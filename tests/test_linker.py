"""The animal_linker component alone: WordNet ids, canonical nouns and negation on ANIMAL spans."""

import pytest
import spacy

from animal_verifier.components import AnimalLinker
from animal_verifier.ontology.lexicon import load_lexicon
from animal_verifier.text.linking import Linker
from animal_verifier.text.plain_words import is_plain_text, load_plain_words

WORDS = ["puppies", "cat", "geese", "golden retriever", "kiten", "dog", "cow", "bull", "fluffy white kitten", "blorp"]
WORDS += ["hiker", "moss", "talons", "Sentience", "sly", "hornets' nest", "wildlife", "glorps"]


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "ANIMAL", "pattern": w} for w in WORDS])
    nlp.add_pipe("animal_linker")
    return nlp


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I see two puppies and no cat.", [("puppies", "dog", "n02084071", False), ("cat", "cat", "n02121808", True)]),
        (
            "Some geese near a golden retriever",
            [("geese", "goose", "n01855672", False), ("golden retriever", "golden retriever", "n02099601", False)],
        ),
        ("It isn't a cow, it's a bull.", [("cow", "cow", "n02402425", True), ("bull", "cow", "n02402425", False)]),
        ("a kiten on the sofa", [("kiten", "cat", "n02121808", False)]),
        ("a fluffy white kitten", [("kitten", "cat", "n02121808", False)]),  # adjectives trimmed
        ("a blorp", [("blorp", None, "", False)]),
    ],
)
def test_linker_sets_kb_id_canonical_negated(nlp, text, expected):
    doc = nlp(text)
    assert [(e.text, e._.canonical, e.kb_id_, e._.negated) for e in doc.ents] == expected


@pytest.mark.parametrize(
    "text, kept",
    [
        ("The hiker stopped on the moss to look at the talons", []),  # plain words, no animal
        ("Sentience is a sly thing", []),  # case aside
        ("A glorps and a blorp", ["glorps", "blorp"]),  # unknown words: maybe an animal, kept
        ("A dog near the hiker", ["dog"]),  # a linked mention stays
        ("kicking the hornets' nest", ["hornets"]),  # holds an animal word: fitted to it, kept
    ],
)
def test_linker_drops_unlinked_plain_words_only(nlp, text, kept):
    assert [e.text for e in nlp(text).ents] == kept


def test_dropping_plain_words_can_be_switched_off():
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "ANIMAL", "pattern": w} for w in WORDS])
    nlp.add_pipe("animal_linker", config={"drop_plain_words": False})
    assert [e.text for e in nlp("The hiker on the moss").ents] == ["hiker", "moss"]


def test_plain_words_list_is_the_one_wordnet_gives():
    """The shipped list is what `spacy project run plain-words` builds: no animal sense, no lexicon term."""
    from animal_verifier_train.wordnet import WORDNET_DIR
    from animal_verifier_train.wordnet.plain_words import plain_words

    lexicon = load_lexicon()
    built = plain_words(lexicon, WORDNET_DIR)
    assert frozenset(built) == load_plain_words()
    assert {"hiker", "moss", "talon", "trunk", "stone"} <= load_plain_words()
    # an animal in one sense ("prey", "female") or a lexicon term ("bull", "cat") is never plain
    assert not {"prey", "female", "game", "bull", "cat", "dog", "kitten"} & load_plain_words()


@pytest.mark.parametrize(
    "text, plain",
    [
        ("talons", True),  # plural of a listed word
        ("berries", True),
        ("Moss", True),
        ("the hiker's", True),
        ("flies", False),  # "fly" is not in the list
        ("glorp moss", False),  # one unknown word keeps the mention
        ("", False),
    ],
)
def test_is_plain_text(text, plain):
    assert is_plain_text(text, frozenset({"talon", "berry", "moss", "hiker", "the"})) is plain


def test_linker_round_trips_its_lexicon(nlp, tmp_path):
    linker: AnimalLinker = nlp.get_pipe("animal_linker")
    linker.to_disk(tmp_path)
    fresh = AnimalLinker("animal_linker").from_disk(tmp_path)
    assert fresh.lexicon.lookup("geese") == linker.lexicon.lookup("geese")
    assert len(fresh.lexicon.synsets) == len(linker.lexicon.synsets)


def test_typo_fix_is_conservative():
    linker = Linker(load_lexicon())
    assert linker.link("elephnat").id == linker.link("elephant").id
    assert linker.link("cot") is None  # too short to guess
    assert linker.link("the") is None


@pytest.mark.parametrize(
    "text, predicted, repaired",
    [
        ("Omg a lagre octopus next to the car.", "lagre octopus", "octopus"),  # typo'd adjective dropped
        ("That white-chinned petrel is here", "chinned petrel", "white-chinned petrel"),
        ("Anyone know what breed this naked mole rat is?", "mole rat", "naked mole rat"),
        ("This is my western red-backed salamander", "salamander", "western red-backed salamander"),
        ("a lynx rufus next to a car", "lynx", "lynx rufus"),
        ("There is not a single giraffe heere", "giraffe heere", "giraffe"),
        ("I see a cat and a dog", "dog", "dog"),
        ("a kiten on the mat", "kiten", "kiten"),  # no term inside: left to the typo fix
    ],
)
def test_repair_span_fits_the_longest_lexicon_term(text, predicted, repaired):
    from animal_verifier.text.linking import repair_span

    doc = spacy.blank("en")(text)
    i = text.index(predicted)
    span = doc.char_span(i, i + len(predicted), alignment_mode="expand")
    start, end = repair_span(doc, span.start, span.end, load_lexicon())
    assert doc[start:end].text == repaired
