"""End-to-end evaluation on real photos: sentences of every kind, through the whole pipeline.

For each shipped photo we write sentences a person might write (true, false, negated-true,
negated-false, two animals, no animal in the text), know what each claim's verdict should be, and
compare with what the pipeline says. Claims the image model cannot express (no class at or below
the animal) are expected to be "unverifiable" and are counted apart from the accuracy figure.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from animal_verifier.ontology.lexicon import Lexicon
from animal_verifier.verify.claims import CONTRADICTED, SUPPORTED, UNVERIFIABLE
from animal_verifier.vision.image_io import load_image
from animal_verifier_train.evaluation.photos import Photo

VERDICTS = (SUPPORTED, CONTRADICTED, UNVERIFIABLE)
NO_ANIMAL_TEXTS = ("What a lovely day at the park.", "Here is my holiday picture.")
OTHER_ANIMALS = ("cat", "dog", "cow", "horse", "sheep", "chicken", "elephant", "butterfly", "spider", "squirrel")


@dataclass(frozen=True)
class Case:
    kind: str
    text: str
    image: Path
    expected: tuple[str, ...]  # one expected verdict per animal mention, in order
    expected_match: bool


def _article(word: str) -> str:
    return "an" if word[0].lower() in "aeiou" else "a"


def build_cases(photos: Sequence[Photo], lexicon: Lexicon, seed: int = 0) -> list[Case]:
    rng = random.Random(seed)
    cases: list[Case] = []
    for photo in photos:
        if not photo.has_animal:
            other = rng.choice(OTHER_ANIMALS)
            cases += [
                Case(
                    "false", f"There is {_article(other)} {other} in the picture.", photo.path, (CONTRADICTED,), False
                ),
                Case("negated-true", f"There is no {other} in this photo.", photo.path, (SUPPORTED,), True),
            ]
            continue
        label = photo.label
        # an "other" animal unrelated in WordNet to what the photo shows (a dog is not wrong for a beagle)
        unrelated = [
            o
            for o in OTHER_ANIMALS
            if (t := lexicon.lookup(o))
            and not lexicon.is_a(photo.wordnet_id, t.id)
            and not lexicon.is_a(t.id, photo.wordnet_id)
        ]
        other = rng.choice(unrelated)
        a, b = f"{_article(label)} {label}", f"{_article(other)} {other}"
        cases += [
            Case("true", f"There is {a} in the picture.", photo.path, (SUPPORTED,), True),
            Case("false", f"I can see {b} here.", photo.path, (CONTRADICTED,), False),
            Case("negated-true", f"There is no {other} in this photo.", photo.path, (SUPPORTED,), True),
            Case("negated-false", f"I don't think there is {a} here.", photo.path, (CONTRADICTED,), False),
            Case("two-animals", f"I see {a} and {b}.", photo.path, (SUPPORTED, CONTRADICTED), False),
            Case("two-animals", f"There is {a} but no {other}.", photo.path, (SUPPORTED, SUPPORTED), True),
            Case("hierarchy", "There is an animal in this picture.", photo.path, (SUPPORTED,), True),
            Case("no-animal-text", rng.choice(NO_ANIMAL_TEXTS), photo.path, (), False),
        ]
    return cases


@dataclass
class PipelineReport:
    per_kind: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    confusion: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # expected -> predicted
    failures: list[dict] = field(default_factory=list)

    def accuracy(self, kind: str | None = None) -> float:
        """Right verdicts over expressible claims (0.0 when none); asking about an unseen kind adds nothing."""
        if kind:
            counts = [self.per_kind[kind]] if kind in self.per_kind else []
        else:
            counts = list(self.per_kind.values())
        right = sum(c["right"] for c in counts)
        total = sum(c["expressible"] for c in counts)
        return right / total if total else 0.0

    def to_dict(self) -> dict:
        return {
            "claim_accuracy_expressible": round(self.accuracy(), 4),
            "per_kind": {
                k: {**dict(c), "accuracy": round(self.accuracy(k), 4)} for k, c in sorted(self.per_kind.items())
            },
            "confusion_expected_to_predicted": {e: dict(p) for e, p in self.confusion.items()},
            "failures": self.failures,
        }


def evaluate_pipeline(nlp: Language, cases: Sequence[Case], batch_size: int = 16) -> PipelineReport:
    model = nlp.get_pipe("image_classifier").model
    images = {path: load_image(path) for path in {c.image for c in cases}}
    docs = []
    for case in cases:
        doc = nlp.make_doc(case.text)
        doc._.image = images[case.image]
        docs.append(doc)
    report = PipelineReport()
    for case, doc in zip(cases, nlp.pipe(docs, batch_size=batch_size), strict=True):
        counts = report.per_kind[case.kind]
        counts["statements"] += 1
        counts["match_right"] += doc._.match is case.expected_match
        counts["match_not_sure"] += doc._.match is None  # neither right nor a confident error
        counts["match_confident_wrong"] += doc._.match is (not case.expected_match)
        claims = doc._.claims
        where = {"kind": case.kind, "text": case.text, "image": case.image.name}
        if not case.expected:  # no animal in the text: the statement itself is the unit
            counts["expressible"] += 1
            counts["right"] += not claims and doc._.match is False
            if claims:
                report.failures.append({**where, "claims": claims})
            continue
        if len(claims) != len(case.expected):  # the NER found other mentions than the sentence has
            counts["ner_errors"] += 1
            counts["expressible"] += len(case.expected)
            report.failures.append({**where, "claims": claims})
            continue
        for claim, expected in zip(claims, case.expected, strict=True):
            wid = claim["wordnet_id"]
            if wid is not None and not model.concepts.expressible(wid) and doc._.image_label is not None:
                counts["unverifiable_expected"] += 1
                report.confusion[UNVERIFIABLE][claim["verdict"]] += 1
                counts["unverifiable_right"] += claim["verdict"] == UNVERIFIABLE
                continue
            counts["expressible"] += 1
            counts["right"] += claim["verdict"] == expected
            report.confusion[expected][claim["verdict"]] += 1
            if claim["verdict"] != expected:
                report.failures.append({**where, "expected": expected, **claim})
    return report


def plot_report(report: PipelineReport, path: str | Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    kinds = sorted(report.per_kind)
    values = [report.accuracy(k) for k in kinds]
    bars = ax1.bar(kinds, values, color="#4a7")
    ax1.bar_label(bars, fmt="%.2f", fontsize=8)
    ax1.set_ylim(0, 1.1)
    ax1.set_title(f"claim accuracy by kind (overall {report.accuracy():.3f})")
    ax1.tick_params(axis="x", rotation=30)
    matrix = np.array([[report.confusion.get(e, Counter())[p] for p in VERDICTS] for e in VERDICTS])
    ax2.imshow(matrix, cmap="Blues")
    for i in range(3):
        for j in range(3):
            ax2.text(j, i, str(matrix[i, j]), ha="center", va="center")
    ax2.set_xticks(range(3), VERDICTS)
    ax2.set_yticks(range(3), VERDICTS)
    ax2.set_xlabel("predicted")
    ax2.set_ylabel("expected")
    ax2.set_title("verdicts")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
