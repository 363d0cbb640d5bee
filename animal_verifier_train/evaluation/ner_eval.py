"""NER scores overall and per slice (negation, plurals, multi-word names, hard negatives).

Exact-match span scoring, like spaCy's ``ents_f``, but also cut by the phenomena the data
generator was built to teach, so a drop in one of them shows instead of averaging away.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from animal_verifier.ontology.lexicon import Lexicon
from animal_verifier.text.negation import has_negation
from animal_verifier_train.ner.corpus import Record

SLICES = ("all", "negation", "plural", "multiword", "hard_negative")


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    sentences: int = 0
    sentences_without_error: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, gold: set, pred: set) -> None:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)
        self.sentences += 1
        self.sentences_without_error += gold == pred

    def to_dict(self) -> dict:
        return {
            **asdict(self),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "sentence_accuracy": round(self.sentences_without_error / max(1, self.sentences), 4),
        }


@dataclass
class NerReport:
    name: str
    slices: dict[str, Counts] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)  # a sample of wrong sentences, for reading

    @property
    def f1(self) -> float:
        return self.slices["all"].f1

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "slices": {k: v.to_dict() for k, v in self.slices.items()},
            "errors": self.errors,
        }


def slices_of(record: Record, doc: Doc, lexicon: Lexicon) -> list[str]:
    """The slices a gold record belongs to; derived from the text so any data set can be cut."""
    names = ["all"]
    if not record.entities:
        names.append("hard_negative")
    if has_negation(doc):
        names.append("negation")
    mentions = [record.text[s:e] for s, e, _ in record.entities]
    if any((t := lexicon.lookup(m)) is not None and t.plural for m in mentions):
        names.append("plural")
    if any(" " in m.strip() or "-" in m for m in mentions):
        names.append("multiword")
    return names


def evaluate(
    nlp: Language,
    records: Sequence[Record],
    lexicon: Lexicon,
    name: str = "",
    batch_size: int = 64,
    max_errors: int = 30,
) -> NerReport:
    report = NerReport(name, {s: Counts() for s in SLICES})
    docs: Iterable = nlp.pipe((r.text for r in records), batch_size=batch_size)
    for record, doc in zip(records, docs, strict=True):
        gold = {(s, e, label) for s, e, label in record.entities}
        pred = {(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents}
        for slice_name in slices_of(record, doc, lexicon):
            report.slices[slice_name].add(gold, pred)
        if gold != pred and len(report.errors) < max_errors:
            report.errors.append(
                {
                    "text": record.text,
                    "missed": [record.text[s:e] for s, e, _ in sorted(gold - pred)],
                    "spurious": [record.text[s:e] for s, e, _ in sorted(pred - gold)],
                }
            )
    return report


def plot_reports(reports: Sequence[NerReport], path) -> None:
    """Bar chart of F1 (sentence accuracy for hard negatives) per slice and data set."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / max(1, len(reports))
    for i, report in enumerate(reports):
        values = [
            report.slices[s].sentences_without_error / max(1, report.slices[s].sentences)
            if s == "hard_negative"
            else report.slices[s].f1
            for s in SLICES
        ]
        xs = [j + i * width for j in range(len(SLICES))]
        bars = ax.bar(xs, values, width, label=report.name)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks([j + width * (len(reports) - 1) / 2 for j in range(len(SLICES))])
    ax.set_xticklabels([s if s != "hard_negative" else "hard negative\n(sentences clean)" for s in SLICES])
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("F1")
    ax.set_title("ANIMAL NER by slice")
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
