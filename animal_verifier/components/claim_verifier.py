"""``claim_verifier``: turns linked mentions and the image's concept probabilities into ``doc._.claims`` and
``doc._.match``.

It reads only the Doc: the mentions the linker wrote and ``doc._.concept_probabilities``, which the image
classifier filled for them. Its thresholds are the image model's calibrated ones, taken at ``initialize`` and
saved with the pipeline; the config may set any of them instead (checked against the calibrated ones when
the pipeline is initialised or loaded, so clearing an override brings the calibrated value back).
"""

import json
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry

from animal_verifier.components.extensions import register_extensions
from animal_verifier.components.serialization import FolderSerializable
from animal_verifier.constants import CLAIM_VERIFIER, IMAGE_CLASSIFIER, LABEL
from animal_verifier.verify.claims import DEFAULT_THRESHOLDS, Mention, verify
from animal_verifier.vision.calibration import Thresholds
from animal_verifier.vision.ood import KNOWN

register_extensions()

CFG_FILE = "cfg"
FIELDS = ("present", "absent", "animal", "no_animal")


class ClaimVerifier(FolderSerializable):
    def __init__(
        self,
        name: str = CLAIM_VERIFIER,
        *,
        present_threshold: float | None = None,
        absent_threshold: float | None = None,
        animal_threshold: float | None = None,
        no_animal_threshold: float | None = None,
        image_component: str = IMAGE_CLASSIFIER,
        label: str = LABEL,
        scorer: Callable[..., dict[str, float | None]] | None = None,
    ):
        self.name = name
        self.scorer = scorer
        self.image_component = image_component
        self.label = label
        self.configured = dict(
            zip(FIELDS, (present_threshold, absent_threshold, animal_threshold, no_animal_threshold), strict=True)
        )
        self._check_configured()
        self.calibrated: Thresholds | None = None  # the image model's, from initialize() or from_disk()
        self.thresholds: Thresholds | None = None  # what is applied: configured where set, else calibrated
        try:  # usable before initialize (a pipeline without an image model) unless the overrides need more
            self.thresholds = self._resolve(DEFAULT_THRESHOLDS)
        except ValueError:
            pass

    def _check_configured(self) -> None:
        """What can be checked before the calibrated values are known: the range, and absent <= present."""
        for field, value in self.configured.items():
            if value is not None and not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"'{self.name}' thresholds: {field}_threshold must be in [0, 1], got {value}")
        for low, high in (("absent", "present"), ("no_animal", "animal")):
            below, above = self.configured[low], self.configured[high]
            if below is not None and above is not None and float(below) > float(above):
                raise ValueError(f"'{self.name}' thresholds: {low}_threshold {below} is above {high}_threshold {above}")

    def _resolve(self, calibrated: Thresholds) -> Thresholds:
        values = {k: calibrated.to_json()[k] if v is None else float(v) for k, v in self.configured.items()}
        if self.configured["no_animal"] is None:  # an overridden `animal` keeps the calibrated band under it
            values["no_animal"] = min(values["no_animal"], values["animal"])
        try:
            return Thresholds(**values)
        except ValueError as err:
            raise ValueError(
                f"'{self.name}' thresholds, configured {self.configured} over {calibrated}: {err}"
            ) from None

    def set_calibrated(self, calibrated: Thresholds) -> None:
        self.thresholds = self._resolve(calibrated)  # first, so a refused combination changes nothing
        self.calibrated = calibrated

    def initialize(self, get_examples: Callable[[], Iterable] | None = None, *, nlp: Language | None = None) -> None:
        """Take the thresholds calibrated for the pipeline's image model (docs/vision.md)."""
        image = nlp.get_pipe(self.image_component) if nlp and self.image_component in nlp.pipe_names else None
        model = getattr(image, "model", None)
        if model is None:
            warnings.warn(
                f"'{self.name}': no initialised '{self.image_component}' in the pipeline, so no calibrated "
                "thresholds; using uncalibrated defaults",
                stacklevel=2,
            )
        self.set_calibrated(model.thresholds if model is not None else DEFAULT_THRESHOLDS)

    def __call__(self, doc: Doc) -> Doc:
        if self.thresholds is None:
            raise ValueError(f"'{self.name}' has no thresholds yet; initialize the pipeline first")
        mentions = [
            Mention(ent.text, ent._.canonical, ent.kb_id_ or None, ent._.negated)
            for ent in doc.ents
            if ent.label_ == self.label
        ]
        found = doc._.concept_probabilities
        concept = found.get if found is not None else None  # None: no image was classified
        verdict = verify(
            mentions,
            concept,
            doc._.animal_probability,
            doc._.image_label,
            self.thresholds,
            doc._.ood or KNOWN,
            doc._.image_label_probability,
        )
        doc._.claims = [c.to_dict() for c in verdict.claims]
        doc._.match = verdict.match
        doc._.match_reason = verdict.reason
        return doc

    def score(self, examples: Iterable[Example], **kwargs: Any) -> dict[str, float | None]:
        return (self.scorer or score_claims)(examples, **kwargs)

    # ---- serialisation: the calibrated values; overrides stay in the config -------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if "cfg" not in exclude:
            cfg = {"calibrated": self.calibrated.to_json() if self.calibrated else None}
            (path / CFG_FILE).write_text(json.dumps(cfg), encoding="utf8")  # json, not srsly: exact floats

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "ClaimVerifier":
        cfg = Path(path) / CFG_FILE
        if "cfg" not in exclude and cfg.is_file():
            saved = json.loads(cfg.read_text(encoding="utf8")).get("calibrated")
            if saved is not None:
                self.set_calibrated(Thresholds.from_json(saved, source=f"'{self.name}' {cfg}"))
        return self


def score_claims(examples: Iterable[Example], **kwargs: Any) -> dict[str, float | None]:
    """Over the examples with a gold ``reference._.match`` (True or False; others are skipped):
    ``match_acc``, the share whose predicted ``match`` equals it ("not sure", None, counts as wrong);
    ``match_coverage``, the share answered True or False; ``match_confident_errors``, the share answered the
    wrong way round. Each is None when no example has a gold match."""
    right = answered = total = 0
    for eg in examples:
        gold = eg.reference._.match
        if gold is None:
            continue
        total += 1
        predicted = eg.predicted._.match
        right += predicted is gold
        answered += predicted is not None
    if not total:
        return {"match_acc": None, "match_coverage": None, "match_confident_errors": None}
    return {
        "match_acc": right / total,
        "match_coverage": answered / total,
        "match_confident_errors": (answered - right) / total,
    }


@registry.scorers("animal_verifier.claim_scorer.v1")
def make_claim_scorer() -> Callable[..., dict[str, float | None]]:
    return score_claims


@Language.factory(
    CLAIM_VERIFIER,
    default_config={
        "present_threshold": None,
        "absent_threshold": None,
        "animal_threshold": None,
        "no_animal_threshold": None,
        "image_component": IMAGE_CLASSIFIER,
        "label": LABEL,
        "scorer": {"@scorers": "animal_verifier.claim_scorer.v1"},
    },
    assigns=["doc._.claims", "doc._.match", "doc._.match_reason"],
    requires=[
        "doc.ents",
        "span._.canonical",
        "span._.negated",
        "doc._.concept_probabilities",
        "doc._.animal_probability",
        "doc._.image_label",
        "doc._.image_label_probability",
        "doc._.ood",
    ],
    default_score_weights={"match_acc": 1.0, "match_coverage": 0.0, "match_confident_errors": 0.0},
)
def make_claim_verifier(
    nlp: Language,
    name: str,
    present_threshold: float | None,
    absent_threshold: float | None,
    animal_threshold: float | None,
    no_animal_threshold: float | None,
    image_component: str,
    label: str,
    scorer: Callable | None,
) -> "ClaimVerifier":
    return ClaimVerifier(
        name,
        present_threshold=present_threshold,
        absent_threshold=absent_threshold,
        animal_threshold=animal_threshold,
        no_animal_threshold=no_animal_threshold,
        image_component=image_component,
        label=label,
        scorer=scorer,
    )
