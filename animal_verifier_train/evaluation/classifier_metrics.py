"""Classification metrics for a fine-tuned classifier: accuracy, per-class P/R/F1, confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def classification_report(targets: Sequence[int], predictions: Sequence[int], names: Sequence[str]) -> dict:
    """Accuracy, macro F1 and per-class precision/recall/F1/support, plus the confusion matrix
    (rows: true class, columns: predicted class). Macro F1 averages the classes that occur as a target or
    a prediction, so wrong guesses of a class absent from the data still lower it."""
    k = len(names)
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (np.asarray(targets, dtype=np.intp), np.asarray(predictions, dtype=np.intp)), 1)
    tp = np.diag(confusion).astype(float)
    predicted, support = confusion.sum(0).astype(float), confusion.sum(1).astype(float)
    precision = np.divide(tp, predicted, out=np.zeros(k), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros(k), where=support > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(k), where=(precision + recall) > 0)
    total = confusion.sum()
    seen = (support > 0) | (predicted > 0)
    return {
        "accuracy": float(tp.sum() / total) if total else 0.0,
        "macro_f1": float(f1[seen].mean()) if seen.any() else 0.0,
        "n": int(total),
        "per_class": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(names, precision, recall, f1, support, strict=True)
        },
        "labels": list(names),
        "confusion_matrix": confusion.tolist(),
    }


def plot_confusion_matrix(report: dict, path: str | Path, title: str = "Confusion matrix") -> None:
    """Save the report's confusion matrix as a PNG (row-normalised colours, counts written in the cells)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names, confusion = report["labels"], np.asarray(report["confusion_matrix"])
    rows = confusion.sum(1, keepdims=True)
    share = np.divide(confusion, rows, out=np.zeros(confusion.shape), where=rows > 0)
    size = max(4.0, 0.6 * len(names) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{title} (accuracy {report['accuracy']:.1%}, n={report['n']})")
    for i in range(len(names)):
        for j in range(len(names)):
            if confusion[i, j]:
                ax.text(
                    j,
                    i,
                    str(confusion[i, j]),
                    ha="center",
                    va="center",
                    color="white" if share[i, j] > 0.5 else "black",
                )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def evaluate_classifier(
    classifier, samples: Sequence[tuple[Path, int]], names: Sequence[str], progress: bool = False
) -> dict:
    """Run an :class:`~animal_verifier.vision.classifier.ImageClassifier` over (path, class index) samples and
    report; class indices are the classifier's own."""
    from tqdm import tqdm

    chunk = 64
    predictions = []
    for start in tqdm(range(0, len(samples), chunk), desc="evaluate", unit="batch", disable=not progress):
        probs = classifier.probabilities([path for path, _ in samples[start : start + chunk]])
        predictions += probs.argmax(1).tolist()
    return classification_report([t for _, t in samples], predictions, names)
