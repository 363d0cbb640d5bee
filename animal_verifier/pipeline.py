"""Loading the product pipeline: NER + linker + image classifier + claim verifier.

Building it is `spacy assemble configs/pipeline.cfg` (project.yml `assemble`); this module only loads.
"""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language

import animal_verifier.components  # noqa: F401  (registers the factories without an installed entry point)
from animal_verifier.constants import LINKER, PACKAGE_NAME
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


def load(model: str | Path | None = None) -> Language:
    use_offline_hub()
    return ensure_linker(spacy.load(resolve_model(model)))
