"""Which animals the image model can answer for: the lexicon's synsets against the model's classes.

A claim about a synset can be checked only when the model has a class at or below it
(:meth:`ConceptIndex.expressible`); every other claim comes out "unverifiable". These figures say how
much of the lexicon that is, group by group, and which everyday animals fall outside.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from animal_verifier.ontology.concepts import ConceptIndex
from animal_verifier.ontology.lexicon import Lexicon

#: The groups people think in, by the word the lexicon links to their synset. A synset counts in the
#: first group above it; whatever is under none of them is "other animals".
GROUPS: tuple[tuple[str, str], ...] = (
    ("mammals", "mammal"),
    ("birds", "bird"),
    ("fish", "fish"),
    ("reptiles", "reptile"),
    ("amphibians", "amphibian"),
    ("insects", "insect"),
    ("arachnids", "arachnid"),
    ("crustaceans", "crustacean"),
    ("molluscs", "mollusk"),
    ("worms", "worm"),
)
OTHER = "other animals"


@dataclass
class GroupCoverage:
    group: str
    synsets: int = 0
    expressible: int = 0
    examples_missing: list[str] = field(default_factory=list)  # a few names the model cannot answer for

    @property
    def share(self) -> float:
        return self.expressible / self.synsets if self.synsets else 0.0


def group_of(synset_id: str, lexicon: Lexicon, group_ids: dict[str, str]) -> str:
    ancestors = lexicon.ancestors(synset_id)
    return next((group for group, gid in group_ids.items() if gid in ancestors), OTHER)


def group_ids(lexicon: Lexicon, groups: Iterable[tuple[str, str]] = GROUPS) -> dict[str, str]:
    ids = {}
    for group, word in groups:
        term = lexicon.lookup(word)
        if term is None:
            raise ValueError(f"group word {word!r} is not in the animal lexicon")
        ids[group] = term.id
    return ids


def coverage_by_group(lexicon: Lexicon, concepts: ConceptIndex, n_examples: int = 5) -> list[GroupCoverage]:
    """Per group: the lexicon's synsets and how many of them the model can answer for."""
    ids = group_ids(lexicon)
    rows = {g: GroupCoverage(g) for g in [*ids, OTHER]}
    for sid in sorted(lexicon.synsets):
        row = rows[group_of(sid, lexicon, ids)]
        row.synsets += 1
        if concepts.expressible(sid):
            row.expressible += 1
        elif len(row.examples_missing) < n_examples:
            row.examples_missing.append(lexicon.name(sid))
    return list(rows.values())


def unverifiable_names(names: Iterable[str], lexicon: Lexicon, concepts: ConceptIndex) -> list[str]:
    """The names (lexicon terms) whose synset has no class at or below it: claims about them can't be checked."""
    out = []
    for name in names:
        term = lexicon.lookup(name)
        if term is not None and not concepts.expressible(term.id):
            out.append(name)
    return out
