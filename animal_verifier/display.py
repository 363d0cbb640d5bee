"""displaCy for verified Docs: each ANIMAL mention coloured and linked to its WordNet 3.0 synset.

spaCy's ``kb_url_template`` fills the whole id into one slot, but a WordNet page is addressed by offset and
part of speech (``02121808-n``), so the link of each mention is made here and rendered in displaCy's
manual mode.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy import displacy
from spacy.tokens import Doc

from animal_verifier.constants import LABEL

#: A WordNet 3.0 synset's page, by offset and part of speech (the project's ids are nouns: n + offset).
WORDNET_URL = "http://wordnet-rdf.princeton.edu/pwn30/{offset}-n"
COLORS = {LABEL: "#f6c667"}
_SYNSET_ID = re.compile(r"n(\d{8})")


def wordnet_url(synset_id: str) -> str:
    match = _SYNSET_ID.fullmatch(synset_id)
    if match is None:
        raise ValueError(f"{synset_id!r} is not a WordNet noun synset id (n + 8 digits)")
    return WORDNET_URL.format(offset=match[1])


def displacy_data(doc: Doc, title: str | None = None) -> dict:
    """One Doc in displaCy's manual "ent" format: the ANIMAL mentions with their WordNet id and link."""
    ents = [
        {
            "start": ent.start_char,
            "end": ent.end_char,
            "label": ent.label_,
            "kb_id": ent.kb_id_,
            "kb_url": wordnet_url(ent.kb_id_) if ent.kb_id_ else "#",
        }
        for ent in doc.ents
        if ent.label_ == LABEL
    ]
    return {"text": doc.text, "ents": ents, "title": title}


def render_entities(docs: Doc | Iterable[Doc], titles: Iterable[str | None] | None = None, **kwargs) -> str | None:
    """displaCy's "ent" HTML (``jupyter=True`` shows it in a notebook and returns None)."""
    docs = [docs] if isinstance(docs, Doc) else list(docs)
    titles = list(titles) if titles is not None else [None] * len(docs)
    if len(titles) != len(docs):
        raise ValueError(f"{len(docs)} docs but {len(titles)} titles")
    data = [displacy_data(doc, title) for doc, title in zip(docs, titles, strict=True)]
    return displacy.render(data, style="ent", manual=True, options={"colors": COLORS, "ents": [LABEL]}, **kwargs)
