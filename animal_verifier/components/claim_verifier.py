"""``claim_verifier``: turns linked mentions and the image prediction into ``doc._.claims`` and ``doc._.match``.

It reads only the Doc: the mentions the linker wrote and ``doc._.image_prediction``, which carries the
image model's concept probabilities. Its thresholds are the image model's calibrated ones, copied at
``initialize`` (the config may set any of them instead) and saved with the pipeline.
"""

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry

from animal_verifier.components.extensions import register_extensions
from animal_verifier.components.serialization import folder_from_bytes, folder_to_bytes
from animal_verifier.constants import CLAIM_VERIFIER, IMAGE_CLASSIFIER, LABEL
from animal_verifier.verify.claims import DEFAULT_THRESHOLDS, Mention, verify
from animal_verifier.vision.calibration import Thresholds

register_extensions()

CFG_FILE = "cfg"
FIELDS = ("present", "absent", "animal")


class ClaimVerifier:
    def __init__(
        self,
        name: str = CLAIM_VERIFIER,
        *,
        present_threshold: float | None = None,
        absent_threshold: float | None = None,
        animal_threshold: float | None = None,
        image_component: str = IMAGE_CLASSIFIER,
        label: str = LABEL,
        scorer: Callable[..., dict[str, float | None]] | None = None,
    ):
        self.name = name
        self.scorer = scorer
        self.image_component = image_component
        self.label = label
        self.configured = dict(zip(FIELDS, (present_threshold, absent_threshold, animal_threshold), strict=True))
        self.thresholds = self._resolve(DEFAULT_THRESHOLDS)  # refuses out-of-range or inconsistent values

    def _resolve(self, calibrated: Thresholds) -> Thresholds:
        """The configured thresholds where set, else the calibrated ones."""
        values = {k: calibrated.to_json()[k] if v is None else float(v) for k, v in self.configured.items()}
        try:
            return Thresholds(**values)
        except ValueError as err:
            raise ValueError(f"'{self.name}' thresholds: {err}") from None

    def initialize(self, get_examples: Callable[[], Iterable] | None = None, *, nlp: Language | None = None) -> None:
        """Take the thresholds calibrated for the pipeline's image model (docs/vision.md)."""
        image = nlp.get_pipe(self.image_component) if nlp and self.image_component in nlp.pipe_names else None
        model = getattr(image, "model", None)
        self.thresholds = self._resolve(model.thresholds if model is not None else DEFAULT_THRESHOLDS)

    def __call__(self, doc: Doc) -> Doc:
        mentions = [
            Mention(ent.text, ent._.canonical, ent.kb_id_ or None, ent._.negated)
            for ent in doc.ents
            if ent.label_ == self.label
        ]
        prediction = doc._.image_prediction
        concept = prediction.concept_probability if prediction is not None else None
        verdict = verify(mentions, concept, doc._.animal_probability, doc._.image_label, self.thresholds)
        doc._.claims = [c.to_dict() for c in verdict.claims]
        doc._.match = verdict.match
        doc._.match_reason = verdict.reason
        return doc

    def score(self, examples: Iterable[Example], **kwargs: Any) -> dict[str, float | None]:
        return (self.scorer or score_claims)(examples, **kwargs)

    # ---- serialisation -------------------------------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if "cfg" not in exclude:
            (path / CFG_FILE).write_text(
                json.dumps({"thresholds": self.thresholds.to_json()}), encoding="utf8"
            )  # exact floats

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "ClaimVerifier":
        cfg = Path(path) / CFG_FILE
        if "cfg" not in exclude and cfg.is_file():
            self.thresholds = self._resolve(
                Thresholds.from_json(json.loads(cfg.read_text(encoding="utf8"))["thresholds"])
            )
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return folder_to_bytes(self, exclude)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "ClaimVerifier":
        return folder_from_bytes(self, data, exclude)


def score_claims(examples: Iterable[Example], **kwargs: Any) -> dict[str, float | None]:
    """``match_acc``: the share of statements whose ``match`` equals the gold one (``reference._.match``);
    examples without a gold match are skipped, and the score is None when none has one."""
    right = total = 0
    for eg in examples:
        gold = eg.reference._.match
        if gold is None:
            continue
        total += 1
        right += eg.predicted._.match is gold
    return {"match_acc": right / total if total else None}


@registry.scorers("animal_verifier.claim_scorer.v1")
def make_claim_scorer() -> Callable[..., dict[str, float | None]]:
    return score_claims


@Language.factory(
    CLAIM_VERIFIER,
    default_config={
        "present_threshold": None,
        "absent_threshold": None,
        "animal_threshold": None,
        "image_component": IMAGE_CLASSIFIER,
        "label": LABEL,
        "scorer": {"@scorers": "animal_verifier.claim_scorer.v1"},
    },
    assigns=["doc._.claims", "doc._.match", "doc._.match_reason"],
    requires=["doc.ents", "span._.canonical", "span._.negated", "doc._.image_prediction"],
    default_score_weights={"match_acc": 1.0},
)
def make_claim_verifier(
    nlp: Language,
    name: str,
    present_threshold: float | None,
    absent_threshold: float | None,
    animal_threshold: float | None,
    image_component: str,
    label: str,
    scorer: Callable | None,
) -> "ClaimVerifier":
    return ClaimVerifier(
        name,
        present_threshold=present_threshold,
        absent_threshold=absent_threshold,
        animal_threshold=animal_threshold,
        image_component=image_component,
        label=label,
        scorer=scorer,
    )
