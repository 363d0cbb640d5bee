"""The gate for the runtime NER: on each evaluation set, its entities equal the PyTorch NER's on nearly
every document and its F1 against the gold labels is nearly the same; every document that differs is
listed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from spacy.language import Language

from animal_verifier_train.evaluation.ner_eval import Counts
from animal_verifier_train.ner.corpus import Record

MIN_IDENTICAL = 0.995
MAX_F1_DIFF = 0.002


@dataclass
class Equivalence:
    name: str
    n_docs: int
    identical: int
    f1_torch: float
    f1_runtime: float
    differing: list[dict] = field(default_factory=list)

    @property
    def identical_share(self) -> float:
        return self.identical / self.n_docs if self.n_docs else 1.0

    @property
    def f1_diff(self) -> float:
        return abs(self.f1_torch - self.f1_runtime)

    @property
    def passed(self) -> bool:
        return self.identical_share >= MIN_IDENTICAL and self.f1_diff <= MAX_F1_DIFF

    def to_dict(self) -> dict:
        return {
            **asdict(self),
            "identical_share": self.identical_share,
            "f1_diff": self.f1_diff,
            "passed": self.passed,
        }


def entities(nlp: Language, texts: Sequence[str], batch_size: int = 64) -> list[set[tuple[int, int, str]]]:
    return [{(e.start_char, e.end_char, e.label_) for e in doc.ents} for doc in nlp.pipe(texts, batch_size=batch_size)]


def compare(torch_nlp: Language, runtime_nlp: Language, records: Sequence[Record], name: str = "") -> Equivalence:
    """Both NERs on ``records`` (same texts, same batches)."""
    texts = [r.text for r in records]
    before, after = entities(torch_nlp, texts), entities(runtime_nlp, texts)
    torch_counts, runtime_counts = Counts(), Counts()
    result = Equivalence(name, len(records), 0, 0.0, 0.0)
    for record, old, new in zip(records, before, after, strict=True):
        gold = record.spans()
        torch_counts.add(gold, old)
        runtime_counts.add(gold, new)
        if old == new:
            result.identical += 1
        else:
            result.differing.append(
                {
                    "text": record.text,
                    "torch": [record.text[s:e] for s, e, _ in sorted(old)],
                    "runtime": [record.text[s:e] for s, e, _ in sorted(new)],
                }
            )
    result.f1_torch, result.f1_runtime = torch_counts.f1, runtime_counts.f1
    return result
