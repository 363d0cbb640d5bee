"""Loading the product pipeline: NER + linker + image classifier + claim verifier.

Building it is `spacy assemble configs/pipeline.cfg` (project.yml `assemble`); this module only loads.
"""

from __future__ import annotations

import os
from pathlib import Path

import spacy
from spacy.language import Language

import animal_verifier.components  # noqa: F401  (registers the factories without an installed entry point)
from animal_verifier.constants import CLAIM_VERIFIER, IMAGE_CLASSIFIER, LINKER, PACKAGE_NAME
from animal_verifier.offline import use_offline_hub

# What the main job builds in a source checkout (`bash run_all.sh`); looked for only when this package sits
# in one (pyproject.toml beside it), never in an installed copy's site-packages.
_CHECKOUT = Path(__file__).resolve().parents[1]
CHECKOUT_PIPELINE = _CHECKOUT / "training" / "pipeline" if (_CHECKOUT / "pyproject.toml").is_file() else None


class ModelNotFound(FileNotFoundError):
    pass


def resolve_model(model: str | Path | None = None) -> str:
    """A path or package name; by default the pipeline the main job built in this checkout, else the
    installed package. Never the current directory's: what loads must not depend on where you stand."""
    if model:
        path = Path(model)
        if path.exists() or "/" in str(model) or str(model).startswith("."):
            if not (path / "config.cfg").is_file():
                raise ModelNotFound(f"{model}: not a spaCy pipeline folder (no config.cfg)")
            return str(path)
        if not spacy.util.is_package(str(model)):
            raise ModelNotFound(f"{model}: no such folder or installed pipeline package")
        return str(model)
    if CHECKOUT_PIPELINE is not None and (CHECKOUT_PIPELINE / "config.cfg").is_file():
        return str(CHECKOUT_PIPELINE)
    if spacy.util.is_package(PACKAGE_NAME):
        return PACKAGE_NAME
    raise ModelNotFound(
        f"no model: build one with `bash run_all.sh` (writes training/pipeline), "
        f"install the {PACKAGE_NAME} package, or pass --model"
    )


def ensure_linker(nlp: Language, *, drop_plain_words: bool = True) -> Language:
    """An NER-only pipeline (training/ner/model-best) gets the linker so mentions have WordNet ids
    (``drop_plain_words``: see :mod:`animal_verifier.components.animal_linker`)."""
    if LINKER not in nlp.pipe_names:
        nlp.add_pipe(LINKER, after="ner", config={"drop_plain_words": drop_plain_words})
    return nlp


#: The operating point for processes that load the pipeline themselves (batch workers, server workers): the
#: `--risk` of `batch` and `serve` is passed to them in this variable.
ENV_RISK = "ANIMAL_VERIFIER_RISK"


def risk_from_env() -> float | None:
    value = os.environ.get(ENV_RISK, "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{ENV_RISK}={value!r} is not a number") from None


def set_risk(nlp: Language, risk: float) -> Language:
    """Put the pipeline at the operating point fitted for ``risk`` at build time (docs/vision.md): the image
    classifier's thresholds (what it calls no animal, not sure, an animal) and the claim verifier's. A
    pipeline setting for the whole run, never per request; ValueError naming the fitted risks otherwise."""
    if IMAGE_CLASSIFIER not in nlp.pipe_names:
        raise ValueError("this pipeline has no image classifier, so no operating points to choose from")
    image = nlp.get_pipe(IMAGE_CLASSIFIER)
    if image.model is None:
        raise ValueError(f"'{IMAGE_CLASSIFIER}' is not initialised, so no operating points to choose from")
    image.model = image.model.at_risk(risk)
    if CLAIM_VERIFIER in nlp.pipe_names:
        nlp.get_pipe(CLAIM_VERIFIER).set_calibrated(image.model.thresholds)
    return nlp


def check_risk(model: str, risk: float) -> None:
    """Refuse a risk the pipeline folder's image model was not fitted for (ValueError) before worker processes
    load it; reads only its labels.json. An installed package is not checked here (its workers refuse it)."""
    import json
    import warnings

    from animal_verifier.vision.classifier import LABELS_FILE, LabelMap

    labels = Path(model) / IMAGE_CLASSIFIER / LABELS_FILE
    if not labels.is_file():
        return
    with warnings.catch_warnings():  # the workers warn about an old labels.json themselves
        warnings.simplefilter("ignore")
        LabelMap.from_json(json.loads(labels.read_text(encoding="utf8"))).at_risk(risk)


def load(model: str | Path | None = None, risk: float | None = None) -> Language:
    """The pipeline; at the operating point of ``risk`` (default: ``ANIMAL_VERIFIER_RISK``, else the one it
    was built with)."""
    use_offline_hub()
    risk = risk_from_env() if risk is None else risk
    nlp = ensure_linker(spacy.load(resolve_model(model)))
    return nlp if risk is None else set_risk(nlp, risk)
