"""Reading, checking and converting NER data in the original project's JSON format.

The original project stored NER data as a JSON list of ``{"text": ..., "entities": [[start, end, "ANIMAL"], ...]}``.
We read that (and JSON Lines, one such object per line) strictly: a bad record stops the
run with the file and line, because a silently skipped or shifted span poisons training.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from animal_verifier import atomic
from animal_verifier.constants import LABEL

LABELS = (LABEL,)


class CorpusError(ValueError):
    """A data file that can't be used as it is; the message names the file and line."""


@dataclass(frozen=True)
class Record:
    text: str
    entities: tuple[tuple[int, int, str], ...]
    line: int = field(default=0, compare=False)  # where the record starts in its file, for messages
    extra: dict = field(default_factory=dict, compare=False)  # any other keys (source, slices, ...)

    def spans(self) -> set[tuple[int, int, str]]:
        return set(self.entities)


def _elements(text: str, path: Path) -> Iterable[tuple[int, object]]:
    """(line, value) for each element of a JSON list, or each line of a JSON Lines file."""
    stripped = text.lstrip()
    decoder = json.JSONDecoder()
    if stripped.startswith("["):
        pos = text.index("[") + 1
        while True:
            while pos < len(text) and text[pos] in " \t\r\n,":
                pos += 1
            if pos < len(text) and text[pos] == "]":
                return
            line = text.count("\n", 0, pos) + 1
            try:
                value, pos = decoder.raw_decode(text, pos)
            except json.JSONDecodeError as err:
                raise CorpusError(f"{path}:{err.lineno}: not valid JSON ({err.msg})") from None
            yield line, value
    else:
        for line, raw in enumerate(text.splitlines(), start=1):
            if raw.strip():
                try:
                    yield line, json.loads(raw)
                except json.JSONDecodeError as err:
                    raise CorpusError(f"{path}:{line}: not valid JSON ({err.msg})") from None


def parse_record(value: object, where: str, labels: Iterable[str] = LABELS) -> Record:
    """Check one record; raise CorpusError naming ``where`` (``file:line``) if it is wrong."""
    if not isinstance(value, dict):
        raise CorpusError(f"{where}: expected an object with 'text' and 'entities', got {type(value).__name__}")
    text = value.get("text")
    if not isinstance(text, str) or not text.strip():
        raise CorpusError(f"{where}: 'text' must be a non-empty string")
    raw_entities = value.get("entities", [])
    if not isinstance(raw_entities, list):
        raise CorpusError(f"{where}: 'entities' must be a list of [start, end, label]")
    entities: list[tuple[int, int, str]] = []
    for ent in raw_entities:
        if not (
            isinstance(ent, list | tuple)
            and len(ent) == 3
            and all(isinstance(x, int) and not isinstance(x, bool) for x in ent[:2])
            and isinstance(ent[2], str)
        ):
            raise CorpusError(f"{where}: entity {ent!r} is not [start, end, label]")
        start, end, label = ent
        if label not in labels:
            raise CorpusError(f"{where}: unknown label {label!r} (known: {', '.join(labels)})")
        if not 0 <= start < end <= len(text):
            raise CorpusError(f"{where}: span [{start}, {end}] out of range for a text of {len(text)} characters")
        if text[start:end] != text[start:end].strip():
            raise CorpusError(f"{where}: span [{start}, {end}] {text[start:end]!r} starts or ends with whitespace")
        entities.append((start, end, label))
    entities.sort()
    for (s1, e1, _), (s2, e2, _) in zip(entities, entities[1:], strict=False):
        if s2 < e1:
            raise CorpusError(f"{where}: spans [{s1}, {e1}] and [{s2}, {e2}] overlap")
    extra = {k: v for k, v in value.items() if k not in ("text", "entities")}
    return Record(text, tuple(entities), int(where.rsplit(":", 1)[-1]) if ":" in where else 0, extra)


def read_records(path: str | Path, labels: Iterable[str] = LABELS) -> list[Record]:
    """All records of a JSON list or JSON Lines file in that format, checked."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf8")
    except FileNotFoundError:
        raise CorpusError(f"{path}: no such file") from None
    except UnicodeDecodeError as err:
        line = err.object[: err.start].count(b"\n") + 1
        raise CorpusError(f"{path}:{line}: not UTF-8 text (byte {err.object[err.start]:#04x})") from None
    except OSError as err:
        raise CorpusError(f"{path}: can't read it ({err.strerror or err})") from None
    if not text.strip():
        raise CorpusError(f"{path}: the file is empty")
    labels = tuple(labels)
    return [parse_record(value, f"{path}:{line}", labels) for line, value in _elements(text, path)]


def write_records(records: Iterable[Record | dict], path: str | Path) -> None:
    """Write a JSON list in that format, atomically."""
    path = Path(path)
    rows = [
        r if isinstance(r, dict) else {"text": r.text, "entities": [list(e) for e in r.entities], **r.extra}
        for r in records
    ]
    atomic.write_json(path, rows, indent=1)


@dataclass
class Conversion:
    docbin: DocBin
    n_docs: int
    n_spans: int
    misaligned: list[tuple[Record, tuple[int, int, str]]]

    @property
    def misaligned_share(self) -> float:
        return len(self.misaligned) / max(1, self.n_spans)


def record_to_doc(nlp: Language, record: Record) -> tuple[Doc, list[tuple[int, int, str]]]:
    """A Doc with the record's entities; spans that don't fall on token boundaries are returned."""
    doc = nlp.make_doc(record.text)
    ents, bad = [], []
    for start, end, label in record.entities:
        span = doc.char_span(start, end, label=label, alignment_mode="strict")
        (bad if span is None else ents).append((start, end, label) if span is None else span)
    doc.ents = ents
    return doc, bad


def convert(nlp: Language, records: Iterable[Record]) -> Conversion:
    docbin = DocBin(store_user_data=False)
    n_docs = n_spans = 0
    misaligned: list[tuple[Record, tuple[int, int, str]]] = []
    for record in records:
        doc, bad = record_to_doc(nlp, record)
        docbin.add(doc)
        n_docs += 1
        n_spans += len(record.entities)
        misaligned.extend((record, span) for span in bad)
    return Conversion(docbin, n_docs, n_spans, misaligned)
