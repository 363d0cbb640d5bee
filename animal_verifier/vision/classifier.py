"""The image classifier at run time: an ONNX model plus its label map, on ONNX Runtime (no torch).

A model directory holds ``model.onnx`` (input ``pixels``: N x 3 x H x W float32, output ``logits``: N x C)
and ``labels.json``: the class synset ids and names, the preprocessing settings, the model's name and
version, and its calibrated thresholds. ImageNet-1k and fine-tuned models share the format, so the rest of
the system never asks which one it has.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from animal_verifier.onnx_session import available_cpus, cpu_session, default_threads  # noqa: F401 (batch.workers)
from animal_verifier.ontology.concepts import ConceptIndex
from animal_verifier.ontology.hedging import (
    BROADER_ONLY,
    HEDGE_CONFIDENCE_DEFAULT,
    LEVELS,
    Ladder,
    Level,
    check_confidence,
    hedge,
)
from animal_verifier.ontology.lexicon import Lexicon, load_lexicon
from animal_verifier.vision.calibration import DEFAULT_RISK, Thresholds, operating_point
from animal_verifier.vision.image_io import DEFAULT_MAX_PIXELS, ImageSource, load_image
from animal_verifier.vision.ood import FAR_OOD, NEAR_OOD, OodRule
from animal_verifier.vision.preprocess import Preprocessing, preprocess_batch

MODEL_FILE = "model.onnx"
LABELS_FILE = "labels.json"
FORMAT = "animal-verifier/image-classifier"
FORMAT_VERSION = 1
INPUT_NAME, OUTPUT_NAME = "pixels", "logits"


class ModelDirError(ValueError):
    """A model directory that is missing, incomplete or not in this format."""


@dataclass(frozen=True)
class LabelMap:
    """Everything about a model except its weights; stored as ``labels.json``."""

    class_ids: tuple[str, ...]  # WordNet synset ids, in output order
    class_names: tuple[str, ...]
    preprocessing: Preprocessing
    thresholds: Thresholds
    model_name: str
    model_version: str
    tta: bool = False  # average with the mirror image (measured: no gain for ImageNet; docs/vision.md)
    meta: dict = field(default_factory=dict)  # provenance, training data, metrics summary
    temperature: float = 1.0  # logits / T before the softmax: fitted for the claim decision (docs/vision.md)
    ood: OodRule = field(default_factory=OodRule)  # when an animal photo is one the model cannot name
    hedge_confidence: float = HEDGE_CONFIDENCE_DEFAULT  # what a name's probability must reach to be said
    #: thresholds fitted per risk at build time (risk_key -> Thresholds); ``thresholds`` is the one at ``risk``
    operating_points: dict[str, Thresholds] = field(default_factory=dict)
    risk: float = DEFAULT_RISK

    def __post_init__(self) -> None:
        if len(self.class_ids) != len(self.class_names) or not self.class_ids:
            raise ValueError("class_ids and class_names must be non-empty and of equal length")
        if not (np.isfinite(self.temperature) and self.temperature > 0):
            raise ValueError(f"temperature must be a positive number, got {self.temperature}")
        check_confidence(self.hedge_confidence)

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "model": {"name": self.model_name, "version": self.model_version, **self.meta},
            "input": INPUT_NAME,
            "output": OUTPUT_NAME,
            "preprocessing": self.preprocessing.to_json(),
            "thresholds": self.thresholds.to_json(),
            "temperature": self.temperature,
            "ood": self.ood.to_json(),
            "hedge_confidence": self.hedge_confidence,
            "risk": self.risk,
            "operating_points": {k: t.to_json() for k, t in self.operating_points.items()},
            "tta": self.tta,
            "classes": [{"id": i, "name": n} for i, n in zip(self.class_ids, self.class_names, strict=True)],
        }

    @classmethod
    def from_json(cls, data: dict) -> LabelMap:
        if data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"not a {FORMAT} v{FORMAT_VERSION} label map")
        model = dict(data["model"])
        name, version = model.pop("name"), model.pop("version")
        return cls(
            class_ids=tuple(c["id"] for c in data["classes"]),
            class_names=tuple(c["name"] for c in data["classes"]),
            preprocessing=Preprocessing.from_json(data["preprocessing"]),
            thresholds=Thresholds.from_json(data["thresholds"], source=LABELS_FILE),
            model_name=name,
            model_version=version,
            tta=bool(data.get("tta", False)),
            meta=model,
            temperature=float(data.get("temperature", 1.0)),
            ood=OodRule.from_json(data.get("ood")),
            hedge_confidence=float(data.get("hedge_confidence", HEDGE_CONFIDENCE_DEFAULT)),
            operating_points={
                k: Thresholds.from_json(t, source=f"{LABELS_FILE} operating point {k}")
                for k, t in (data.get("operating_points") or {}).items()
            },
            risk=float(data.get("risk", DEFAULT_RISK)),
        )

    def at_risk(self, risk: float) -> LabelMap:
        """The same model at the operating point fitted for ``risk`` (ValueError when none was)."""
        return replace(self, thresholds=operating_point(self.operating_points, risk), risk=float(risk))

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf8")


@dataclass
class ImagePrediction:
    label: str | None  # the hedged name ("cat", or "bird" when only that is sure), or None: no animal
    fine_label: str  # the most probable class (among the label's classes when there is a label)
    fine_id: str
    top5: list[tuple[str, str, float]]  # (name, synset id, probability)
    animal_probability: float
    probs: np.ndarray  # over the model's classes
    label_probability: float = 0.0  # P(label's synset): summed over its classes (all breeds for "dog")
    label_id: str | None = None  # the label's synset
    label_level: Level | None = None  # "entry" (what a person calls it), "broader" ("bird") or "animal"
    ood_score: float | None = None  # higher: less like the animals the model knows (vision/ood.py)
    ood: str = "known"  # "known", "near-ood" (an animal it cannot name) or "far-ood" (no animal, not a photo)


class ImageClassifier:
    """Classify images and answer concept questions. Thread-safe: ONNX Runtime sessions may be run
    concurrently, and nothing here is mutated after construction."""

    def __init__(
        self,
        model: bytes,
        labels: LabelMap,
        *,
        lexicon: Lexicon | None = None,
        concepts: ConceptIndex | None = None,
        threads: int | None = None,
        batch_size: int = 16,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        tta: bool | None = None,
        confidence: float | None = None,
    ):
        """``concepts`` (or else ``lexicon``, or else the packaged lexicon) ties the classes to WordNet;
        ``tta`` overrides the label map's setting (to measure what test-time augmentation buys);
        ``confidence`` (default: the label map's ``hedge_confidence``) is what a name's summed probability must
        reach to be said (else a broader one)."""
        self.labels = labels if tta is None else replace(labels, tta=tta)
        self.confidence = check_confidence(self.labels.hedge_confidence if confidence is None else confidence)
        self.batch_size = batch_size
        self.max_pixels = max_pixels
        self._model = model
        self._lexicon = lexicon
        if concepts is None:
            concepts = ConceptIndex.build(labels.class_ids, lexicon or load_lexicon())
        elif concepts.class_ids != labels.class_ids:
            raise ModelDirError("the concept index was built for another class list than this model's")
        self.concepts = concepts
        self.ladder = Ladder.of(concepts)
        self.session = cpu_session(model, threads or default_threads())
        outputs = self.session.get_outputs()[0].shape
        if isinstance(outputs[-1], int) and outputs[-1] != len(labels.class_ids):
            raise ModelDirError(f"model has {outputs[-1]} outputs but the label map {len(labels.class_ids)}")

    # ---- persistence -------------------------------------------------------------------------------
    @classmethod
    def from_dir(cls, path: str | Path, **kwargs) -> ImageClassifier:
        path = Path(path)
        model_path, labels_path = path / MODEL_FILE, path / LABELS_FILE
        for needed in (model_path, labels_path):
            if not needed.is_file():
                raise ModelDirError(f"{needed} not found (a model dir holds {MODEL_FILE} and {LABELS_FILE})")
        try:
            labels = LabelMap.from_json(json.loads(labels_path.read_text(encoding="utf8")))
        except (ValueError, KeyError, TypeError) as e:
            raise ModelDirError(f"{labels_path}: {e}") from e
        return cls(model_path.read_bytes(), labels, **kwargs)

    def to_dir(self, path: str | Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / MODEL_FILE).write_bytes(self._model)
        self.labels.write(path / LABELS_FILE)

    @property
    def thresholds(self) -> Thresholds:
        return self.labels.thresholds

    def at_risk(self, risk: float) -> ImageClassifier:
        """A copy at the operating point fitted for ``risk`` (sharing the ONNX session, which is read-only);
        ValueError naming the fitted risks when it was not fitted."""
        other = copy.copy(self)
        other.labels = self.labels.at_risk(risk)
        return other

    # ---- inference ---------------------------------------------------------------------------------
    def logits_arrays(self, pixels: np.ndarray) -> np.ndarray:
        """Raw logits for a preprocessed (N, 3, H, W) batch; with TTA, N holds pairs (image, mirror) as
        :func:`preprocess_batch` makes them, and (N/2, 2, C) comes back."""
        logits = self.session.run([OUTPUT_NAME], {INPUT_NAME: pixels})[0]
        return logits.reshape(-1, 2, logits.shape[-1]) if self.labels.tta else logits

    def probabilities_from_logits(self, logits: np.ndarray) -> np.ndarray:
        """Temperature-scaled class probabilities (averaged over the TTA pair when there is one)."""
        probs = softmax(logits / self.labels.temperature)
        return probs.mean(axis=-2) if self.labels.tta else probs

    def ood_scores_from_logits(self, logits: np.ndarray) -> np.ndarray:
        scores = self.labels.ood.scores(logits, self.concepts.animal_classes)
        return scores.mean(axis=-1) if self.labels.tta else scores

    def predict_arrays(self, pixels: np.ndarray) -> np.ndarray:
        """Class probabilities for a preprocessed batch (see :meth:`logits_arrays`)."""
        return self.probabilities_from_logits(self.logits_arrays(pixels))

    def logits(self, images: Sequence[ImageSource]) -> np.ndarray:
        """(N, classes) logits, or (N, 2, classes) with TTA; decoding errors raise
        :class:`~animal_verifier.vision.image_io.ImageError`."""
        p = self.labels.preprocessing
        out = []
        for start in range(0, len(images), self.batch_size):
            decoded = [
                load_image(source, min_side=p.resize, max_pixels=self.max_pixels)
                for source in images[start : start + self.batch_size]
            ]
            out.append(self.logits_arrays(preprocess_batch(decoded, p, flip=self.labels.tta)))
        shape = (0, 2, len(self.labels.class_ids)) if self.labels.tta else (0, len(self.labels.class_ids))
        return np.concatenate(out) if out else np.zeros(shape, np.float32)

    def probabilities(self, images: Sequence[ImageSource]) -> np.ndarray:
        """(N, classes) probabilities."""
        return self.probabilities_from_logits(self.logits(images))

    def classify(self, images: Sequence[ImageSource]) -> list[ImagePrediction]:
        logits = self.logits(images)
        probs, scores = self.probabilities_from_logits(logits), self.ood_scores_from_logits(logits)
        return [self.explain(p, float(s)) for p, s in zip(probs, scores, strict=True)]

    def explain(self, probs: np.ndarray, ood_score: float | None = None) -> ImagePrediction:
        """Turn one image's class probabilities (and OOD score, when known) into a prediction a person can
        read: no animal (far-OOD, P(animal) under the low threshold), not sure there is an animal (between the
        two animal thresholds: "animal" at level "unsure"), an animal it cannot name (near-OOD: at most a
        broader name, "bird"), or the most specific name it is sure of (hedged)."""
        concepts, names, ids = self.concepts, self.labels.class_names, self.labels.class_ids
        top = np.argsort(-probs)[:5]
        top5 = [(names[i], ids[i], float(probs[i])) for i in top]
        animal = concepts.animal_probability(probs)
        outcome = self.labels.ood.outcome(ood_score, animal, self.thresholds.no_animal)
        # an animal it cannot name (near-OOD) is never given an entry-level name: at most "bird", "mammal"...
        levels = BROADER_ONLY if outcome == NEAR_OOD else LEVELS
        hedged = hedge(self.ladder, probs, self.confidence, self.thresholds.no_animal, levels, self.thresholds.animal)
        if hedged is None or outcome == FAR_OOD:
            return ImagePrediction(
                None, names[top[0]], ids[top[0]], top5, animal, probs, ood_score=ood_score, ood=FAR_OOD
            )
        fine = int(hedged.classes[np.argmax(probs[hedged.classes])])
        return ImagePrediction(
            hedged.name,
            names[fine],
            ids[fine],
            top5,
            animal,
            probs,
            label_probability=hedged.probability,
            label_id=hedged.synset_id,
            label_level=hedged.level,
            ood_score=ood_score,
            ood=outcome,
        )

    def concept_probability(self, probs: np.ndarray, synset_id: str) -> float | None:
        """P(synset | image); None when no class of this model is at or below the synset (unverifiable)."""
        return self.concepts.probability(probs, synset_id)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (N, C) logits."""
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)
