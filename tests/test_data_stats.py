"""The statistics EDA.ipynb draws: data set descriptions, the hold-out check, the lexicon's coverage by the
image model. Small cases counted by hand, the test session's generated corpus, and ImageNet's class list."""

from __future__ import annotations

import pytest

from animal_verifier.constants import LABEL
from animal_verifier.ontology.concepts import ConceptIndex
from animal_verifier.ontology.imagenet import imagenet_classes
from animal_verifier.ontology.lexicon import load_lexicon
from animal_verifier_train.evaluation.corpus_stats import check_holdout, describe, read_generated
from animal_verifier_train.evaluation.coverage import OTHER, coverage_by_group, unverifiable_names
from animal_verifier_train.ner.corpus import Record


def record(text: str, *mentions: str) -> Record:
    spans, start = [], 0
    for m in mentions:
        s = text.index(m, start)
        spans.append((s, s + len(m), LABEL))
        start = s + len(m)
    return Record(text, tuple(spans))


def test_describe_counts_by_hand():
    records = [
        record("Two puppies and no cat.", "puppies", "cat"),  # 6 tokens; negation, plural, 2 mentions
        record("A golden retriever!", "golden retriever"),  # 4 tokens; multi-word
        record("The stock market is a bull market."),  # 8 tokens; hard negative
        record("I see a cat.", "cat"),  # 5 tokens
    ]
    stats = describe(records, load_lexicon(), "hand")
    assert stats.sentences == 4
    assert stats.tokens == [6, 4, 8, 5]
    assert stats.mentions == [2, 1, 0, 1]
    assert stats.names == {"cat": 2, "puppies": 1, "golden retriever": 1}
    assert stats.shares() == {
        "negation": 0.25,
        "plural": 0.25,
        "multiword": 0.25,
        "hard_negative": 0.25,
        "several animals": 0.25,
    }


def test_holdout_check_on_the_generated_corpus_and_a_planted_leak(generated_corpus):
    lexicon = load_lexicon()
    splits, manifest = read_generated(generated_corpus)
    check = check_holdout(splits, manifest, lexicon)
    assert check.disjoint, check.leaks[:5]
    assert check.sentences == {s: len(r) for s, r in splits.items()}
    assert check.with_heldout_template["train"] == check.with_heldout_name["val"] == 0
    assert check.with_heldout_template["test"] > 0 and check.with_heldout_name["test"] > 0
    # a held-out name in train, and a train sentence on a held-out template: both are leaks
    held = next(n for n in manifest["heldout_names"] if " " not in n and lexicon.lookup(n))
    planted = record(f"I see a {held} here.", held)
    on_template = Record("A plain sentence.", (), extra={"template": manifest["heldout_templates"][0]})
    splits["train"] = [*splits["train"], planted, on_template]
    leaks = check_holdout(splits, manifest, lexicon).leaks
    assert len(leaks) == 2 and held in leaks[0] and manifest["heldout_templates"][0] in leaks[1]


@pytest.fixture(scope="module")
def imagenet_concepts():
    return ConceptIndex.build([c.id for c in imagenet_classes()], load_lexicon())


def test_coverage_by_group_adds_up_and_knows_dogs_from_giraffes(imagenet_concepts):
    lexicon = load_lexicon()
    rows = {row.group: row for row in coverage_by_group(lexicon, imagenet_concepts)}
    assert sum(r.synsets for r in rows.values()) == len(lexicon.synsets)
    assert sum(r.expressible for r in rows.values()) == sum(map(imagenet_concepts.expressible, lexicon.synsets))
    assert OTHER in rows and all(0 <= r.expressible <= r.synsets for r in rows.values())
    assert rows["mammals"].expressible > 100  # 120 dog breeds alone, and each of their ancestors
    assert unverifiable_names(["dog", "giraffe", "cat", "moose", "blorp"], lexicon, imagenet_concepts) == [
        "giraffe",
        "moose",
    ]
