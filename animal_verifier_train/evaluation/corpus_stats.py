"""What an NER data set holds, for EDA.ipynb: sizes, sentence lengths, mentions, the names used, the share of
each phenomenon the evaluation slices by, and whether the generated test split's held-out names and
templates really stay out of train and val.

The shares use :func:`.ner_eval.slices_of`, the definition the NER scores are cut by, so the generated data
and the real-text set are described the same way.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.language import Language

from animal_verifier.ontology.lexicon import Lexicon, normalize
from animal_verifier_train.datagen.generate import FILE_NAMES, MANIFEST, SPLITS
from animal_verifier_train.datagen.names import NamePool
from animal_verifier_train.evaluation.ner_eval import SLICES, slices_of
from animal_verifier_train.ner.corpus import Record, read_records


@dataclass
class DataSetStats:
    name: str
    tokens: list[int] = field(default_factory=list)  # per sentence
    mentions: list[int] = field(default_factory=list)  # per sentence
    names: Counter = field(default_factory=Counter)  # normalised mention text -> count
    slices: Counter = field(default_factory=Counter)  # slice -> sentences in it

    @property
    def sentences(self) -> int:
        return len(self.tokens)

    def shares(self) -> dict[str, float]:
        """Share of sentences in each slice (``all`` left out) and with several mentions."""
        n = max(1, self.sentences)
        out = {s: self.slices[s] / n for s in SLICES if s != "all"}
        out["several animals"] = sum(m > 1 for m in self.mentions) / n
        return out


def describe(records: Sequence[Record], lexicon: Lexicon, name: str, nlp: Language | None = None) -> DataSetStats:
    nlp = nlp or spacy.blank("en")
    stats = DataSetStats(name)
    for record, doc in zip(records, nlp.pipe(r.text for r in records), strict=True):
        stats.tokens.append(len(doc))
        stats.mentions.append(len(record.entities))
        stats.names.update(normalize(record.text[s:e]) for s, e, _ in record.entities)
        stats.slices.update(slices_of(record, doc, lexicon))
    return stats


def read_generated(corpus_dir: str | Path) -> tuple[dict[str, list[Record]], dict]:
    """The three generated splits and their manifest (what generate-data writes)."""
    corpus_dir = Path(corpus_dir)
    splits = {split: read_records(corpus_dir / FILE_NAMES[split]) for split in SPLITS}
    manifest = json.loads((corpus_dir / MANIFEST).read_text(encoding="utf8"))
    return splits, manifest


@dataclass
class HoldoutCheck:
    """Sentences per split that use a held-out template or name; train and val must have none."""

    heldout_templates: int
    heldout_name_words: int
    sentences: dict[str, int]
    with_heldout_template: dict[str, int]
    with_heldout_name: dict[str, int]
    leaks: list[str]  # "split: sentence (why)" for train and val

    @property
    def disjoint(self) -> bool:
        return not self.leaks


def check_holdout(splits: dict[str, list[Record]], manifest: dict, lexicon: Lexicon) -> HoldoutCheck:
    """Recomputed from the files, by the generator's own rules: a template is held out when the manifest
    lists it; a mention when a word of its lexicon term (or of that term's singular) is a held-out head word."""
    templates = set(manifest["heldout_templates"])
    words = frozenset(manifest["heldout_name_words"])
    pool = NamePool(lexicon)

    def heldout_names(record: Record) -> list[str]:
        found = []
        for s, e, _ in record.entities:
            term = lexicon.lookup(record.text[s:e])
            if term is not None and pool.term_tokens(term.text) & words:
                found.append(record.text[s:e])
        return found

    counts = {split: len(records) for split, records in splits.items()}
    by_template, by_name, leaks = {}, {}, []
    for split, records in splits.items():
        by_template[split] = by_name[split] = 0
        for record in records:
            template = record.extra.get("template") in templates
            names = heldout_names(record)
            by_template[split] += template
            by_name[split] += bool(names)
            if split != "test" and (template or names):
                why = f"template {record.extra.get('template')}" if template else f"held-out name {names}"
                leaks.append(f"{split}: {record.text!r} ({why})")
    return HoldoutCheck(len(templates), len(words), counts, by_template, by_name, leaks)
