"""Loading and assembling the full pipeline: NER + linker + image classifier + claim verifier."""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language

import animal_verifier.components  # noqa: F401  (registers the factories without an installed entry point)

PACKAGE_NAME = "en_animal_verifier"
# What the main job builds; found relative to the working directory, then to the source checkout.
EMBEDDED_PIPELINE = Path("training/pipeline")
_REPO_ROOT = Path(__file__).resolve().parents[1]


class ModelNotFound(FileNotFoundError):
    pass


def resolve_model(model: str | Path | None = None) -> str:
    """A path or package name; by default the embedded pipeline, else the installed package."""
    if model:
        path = Path(model)
        if path.exists() or "/" in str(model) or str(model).startswith("."):
            if not (path / "config.cfg").is_file():
                raise ModelNotFound(f"{model}: not a spaCy pipeline folder (no config.cfg)")
            return str(path)
        if not spacy.util.is_package(str(model)):
            raise ModelNotFound(f"{model}: no such folder or installed pipeline package")
        return str(model)
    for base in (Path.cwd(), _REPO_ROOT):
        if (base / EMBEDDED_PIPELINE / "config.cfg").is_file():
            return str(base / EMBEDDED_PIPELINE)
    if spacy.util.is_package(PACKAGE_NAME):
        return PACKAGE_NAME
    raise ModelNotFound(
        f"no model: build one with `bash run_all.sh` (writes {EMBEDDED_PIPELINE}), "
        f"install the {PACKAGE_NAME} package, or pass --model"
    )


def ensure_linker(nlp: Language) -> Language:
    """An NER-only pipeline (training/ner/model-best) gets the linker so mentions have WordNet ids."""
    if "animal_linker" not in nlp.pipe_names:
        nlp.add_pipe("animal_linker", after="ner")
    return nlp


def load(model: str | Path | None = None) -> Language:
    return ensure_linker(spacy.load(resolve_model(model)))


def assemble(ner_dir: Path, image_model_dir: Path, meta: dict | None = None) -> Language:
    """The product pipeline: the trained NER plus our three components, thresholds in its config."""
    from animal_verifier.vision.classifier import ImageClassifier

    nlp = ensure_linker(spacy.load(ner_dir))
    image = nlp.add_pipe("image_classifier")
    image.model = ImageClassifier.from_dir(image_model_dir)
    t = image.model.thresholds  # calibrated for this model (docs/vision.md), copied into the config
    nlp.add_pipe(
        "claim_verifier",
        config={"present_threshold": t.present, "absent_threshold": t.absent, "animal_threshold": t.animal},
    )
    nlp.meta.update(meta or {})
    return nlp
