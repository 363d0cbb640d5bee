"""A deterministic NER from the lexicon: every unambiguous animal name, matched case-insensitively.

It stands in the ``ner`` slot where a test must not depend on what a briefly trained model happens to
read (pipeline logic, CLI output, the server, batch), and it is the baseline a trained NER must beat.
Names whose usual sense is not an animal (jaguar, mouse, seal) are left out: a list can't tell the car
from the cat; the trained model reads the context.
"""

from __future__ import annotations

import spacy
from spacy.language import Language

from animal_verifier.constants import LABEL
from animal_verifier.ontology.lexicon import Lexicon


def lexicon_ner(lexicon: Lexicon, *, lang: str = "en") -> Language:
    """A blank pipeline whose only component, ``ner``, is a ``span_ruler`` writing the lexicon's names to
    ``doc.ents`` (a span ruler, not an entity ruler: its patterns survive ``to_bytes``)."""
    nlp = spacy.blank(lang)
    config = {"phrase_matcher_attr": "LOWER", "spans_key": None, "annotate_ents": True, "overwrite": False}
    ruler = nlp.add_pipe("span_ruler", name="ner", config=config)
    names = sorted(lexicon.names(include_ambiguous=False))
    ruler.add_patterns([{"label": LABEL, "pattern": name} for name in names])
    return nlp
