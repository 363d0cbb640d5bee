"""The lexicon as a config value: ``{"@misc": "animal_verifier.lexicon.v1", "path": ...}``.

Every component's ``initialize`` block names the same ``${paths.lexicon}``; loading is cached per path,
so they all get the one Lexicon object.
"""

from __future__ import annotations

from spacy.util import registry

from animal_verifier.ontology.lexicon import Lexicon, load_lexicon


@registry.misc("animal_verifier.lexicon.v1")
def load_lexicon_from_config(path: str | None = None) -> Lexicon:
    """``path`` None or empty: the lexicon shipped in the package."""
    return load_lexicon(str(path) if path else None)
