"""Checks every record must pass before anything is written: a bad span is a bug, never data."""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language

from animal_verifier.constants import LABEL


class DatagenError(ValueError):
    """Generated data that breaks the format or the span rules; the message names the record."""


def record_problem(record: dict, nlp: Language) -> str | None:
    """What is wrong with one record in the original project's JSON format, or None."""
    text = record.get("text")
    ents = record.get("entities")
    if not isinstance(text, str) or not text.strip():
        return "empty or missing text"
    if not isinstance(ents, list):
        return "entities is not a list"
    doc = nlp.make_doc(text)
    last_end = 0
    for ent in ents:
        if not (isinstance(ent, list) and len(ent) == 3 and ent[2] == LABEL):
            return f"entity {ent!r} is not [start, end, {LABEL!r}]"
        start, end = ent[0], ent[1]
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            return f"entity {ent!r} is out of range"
        if start < last_end:
            return f"entity {ent!r} overlaps or is out of order"
        last_end = end
        if text[start:end] != text[start:end].strip():
            return f"entity {ent!r} starts or ends with whitespace"
        if doc.char_span(start, end) is None:
            return f"entity {text[start:end]!r} at {start}:{end} does not fall on token boundaries"
    return None


def validate_records(records: Sequence[dict], nlp: Language, split: str) -> None:
    """Raise :class:`DatagenError` naming the first bad record of ``split``."""
    for i, record in enumerate(records):
        problem = record_problem(record, nlp)
        if problem:
            raise DatagenError(f"{split} record {i} ({record.get('text')!r}): {problem}")
