"""Hedged names over the ImageNet classes: the most specific name whose summed probability reaches c."""

import numpy as np
import pytest

from animal_verifier.ontology.concepts import BROADER_LEVELS, ConceptIndex
from animal_verifier.ontology.hedging import HEDGE_CONFIDENCE_DEFAULT, UNSURE, Ladder, hedge
from animal_verifier.ontology.imagenet import imagenet_classes
from animal_verifier.ontology.lexicon import ANIMAL_ROOT, load_lexicon

BIRD, DOG = "n01503061", "n02084071"


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


@pytest.fixture(scope="module")
def concepts(lexicon):
    return ConceptIndex.build([c.id for c in imagenet_classes()], lexicon)


@pytest.fixture(scope="module")
def ladder(concepts):
    return Ladder.of(concepts)


def probs_of(**mass: float) -> np.ndarray:
    """Class probabilities with the given mass on classes named like the keywords (spaces as '_')."""
    index = {c.name: c.index for c in imagenet_classes()}
    probs = np.zeros(1000)
    for name, p in mass.items():
        probs[index[name.replace("_", " ")]] = p
    probs[index["espresso"]] += 1.0 - probs.sum()  # the rest on something that is no animal
    return probs


def test_sure_of_the_class_says_its_entry_name(ladder):
    h = hedge(ladder, probs_of(little_blue_heron=0.9), 0.5)
    assert (h.name, h.level) == ("heron", "entry") and h.probability == pytest.approx(0.9)
    herons = ("little blue heron", "American egret", "bittern")
    assert list(h.classes) == [c.index for c in imagenet_classes() if c.name in herons]


def test_split_between_kinds_names_what_they_share(ladder):
    assert hedge(ladder, probs_of(little_blue_heron=0.3, American_egret=0.3), 0.5).name == "heron"
    assert hedge(ladder, probs_of(beagle=0.3, golden_retriever=0.3, Chihuahua=0.2), 0.5).name == "dog"  # all breeds
    h = hedge(ladder, probs_of(little_blue_heron=0.3, white_stork=0.3, flamingo=0.3), 0.5)
    assert (h.name, h.synset_id, h.level) == ("bird", BIRD, "broader")
    h = hedge(ladder, probs_of(tabby=0.3, goldfish=0.3, monarch=0.3), 0.5)
    assert (h.name, h.synset_id, h.level) == ("animal", ANIMAL_ROOT, "animal")


def test_the_confidence_trades_specificity_for_accuracy(ladder):
    probs = probs_of(little_blue_heron=0.45, white_stork=0.42)
    assert hedge(ladder, probs, 0.4).name == "heron"
    assert hedge(ladder, probs, 0.5).name == "bird"
    assert hedge(ladder, probs, 0.95).name == "animal"
    assert 0 < HEDGE_CONFIDENCE_DEFAULT <= 1
    with pytest.raises(ValueError, match="confidence"):
        hedge(ladder, probs, 0.0)


def test_no_animal_is_none(ladder):
    assert hedge(ladder, probs_of(tabby=0.3), 0.5, animal_threshold=0.5) is None
    assert hedge(ladder, probs_of(tabby=0.6), 0.5, animal_threshold=0.5).name == "cat"


def test_between_the_two_animal_thresholds_it_is_not_sure_there_is_an_animal(ladder):
    """Under the low threshold: no animal (None); in the band: "animal" at level "unsure", never a species
    and never "no animal"; from the high threshold up: the hedged name."""
    for p, expected in ((0.1, None), (0.3, ("animal", UNSURE)), (0.69, ("animal", UNSURE)), (0.7, ("cat", "entry"))):
        h = hedge(ladder, probs_of(tabby=p), 0.5, animal_threshold=0.2, unsure_below=0.7)
        assert (h and (h.name, h.level)) == expected, p
    assert hedge(ladder, probs_of(tabby=0.3), 0.5, 0.2, unsure_below=0.7).probability == pytest.approx(0.3)


def test_the_ladder_comes_from_the_entry_synsets(lexicon, concepts, ladder):
    levels = dict(zip(ladder.synset_ids, ladder.levels, strict=True))
    assert levels[DOG] == "entry" and levels[BIRD] == "broader" and ladder.synset_ids[-1] == ANIMAL_ROOT
    broader = [sid for sid, level in levels.items() if level == "broader"]
    entry_ids = {e[0] for e in concepts.entries if e}
    for sid in broader:  # each broader level is a listed word and a WordNet ancestor of some entry synset
        assert concepts.broader[sid] in BROADER_LEVELS and lexicon.lookup(concepts.broader[sid]).id == sid
        assert any(lexicon.is_a(e, sid) for e in entry_ids)
    sizes = [len(concepts.classes_under(s)) for s, level in levels.items() if level == "entry"]
    assert sizes == sorted(sizes)  # most specific first


def test_concept_index_round_trips_with_its_names(concepts, ladder):
    again = ConceptIndex.from_json(concepts.to_json())
    assert again.entries == concepts.entries and again.broader == concepts.broader
    assert Ladder.of(again).synset_ids == ladder.synset_ids
    old = {"classes": [{"id": "n1", "ancestors": ["n1"], "basic_label": None}]}
    with pytest.raises(ValueError, match="assemble it again"):
        ConceptIndex.from_json(old)


def test_a_fine_tuned_models_classes_are_their_own_entries(lexicon):
    """Classes the ImageNet table does not list (a fine-tuned "butterfly", "cat", "dog") name themselves."""
    butterfly, cat, dog = "n02274259", "n02121808", "n02084071"
    concepts = ConceptIndex.build([butterfly, cat, dog], lexicon)
    assert concepts.entries == [(butterfly, "butterfly"), (cat, "cat"), (dog, "dog")]
    assert set(concepts.broader.values()) == {"insect", "mammal"}
    rungs = Ladder.of(concepts)
    assert hedge(rungs, np.array([0.1, 0.8, 0.1])).name == "cat"
    assert hedge(rungs, np.array([0.2, 0.35, 0.45]), 0.7).name == "mammal"
