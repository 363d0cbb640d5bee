"""Verify a JSON Lines file of (text, image) pairs: per-line errors, resumable, nothing lost.

Each output line is the input object plus the result (or an ``error``) and its input ``line``
number. Output is appended and flushed batch by batch, in input order, so a killed run loses at most
the batches in flight; a rerun keeps every complete line already written and does only the rest.

:func:`verify_rows` is the one place an output record is made: ``batch`` in one process, its worker
processes (:mod:`.workers`) and Ray actors (:mod:`.ray_engine`) all call it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from PIL import Image
from spacy.language import Language
from tqdm import tqdm

from animal_verifier.batch.uris import is_uri, join_uri, read_uri
from animal_verifier.text.checks import check_text
from animal_verifier.verify.results import doc_to_result
from animal_verifier.vision.image_io import load_image

#: (line number, input): a raw JSON line, or a row already read (from Parquet or a Ray Dataset).
Row = tuple[int, str | dict]
Chunk = list[tuple[int, str]]


@dataclass
class BatchSummary:
    ok: int = 0
    errors: int = 0
    skipped: int = 0  # already done by an earlier run

    @property
    def total(self) -> int:
        return self.ok + self.errors + self.skipped

    def count(self, records: Iterable[dict]) -> None:
        for record in records:
            self.errors += "error" in record
            self.ok += "error" not in record

    def line(self, output: object) -> str:
        return f"{self.total} lines: {self.ok} ok, {self.errors} errors, {self.skipped} already done; wrote {output}"


def _done_lines(output: Path) -> set[int]:
    """Line numbers already answered; a torn last line from a killed run is cut off."""
    if not output.exists():
        return set()
    done, keep = set(), 0
    with open(output, "rb") as f:
        for raw in f:
            try:
                done.add(int(json.loads(raw)["line"]))
            except (ValueError, KeyError, TypeError):
                break  # everything after a torn line is rewritten
            keep += len(raw)
    if keep < output.stat().st_size:
        with open(output, "r+b") as f:
            f.truncate(keep)
    return done


def parse_line(raw: str) -> dict:
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON ({err.msg} at column {err.colno})") from None
    if not isinstance(record, dict):
        raise ValueError('expected an object like {"text": ..., "image": "path"}')
    return record


def read_pair(source: str | dict, base: str | Path) -> tuple[dict, Image.Image | None]:
    """(record to write back, image or None); raises ValueError with a message for this line.

    ``image`` is a path (relative to ``base``, the input's folder), a URI read through pyarrow's
    filesystems (``s3://``, ``gs://``, ...), or the image's bytes (a Parquet column); bytes are not
    copied into the output record."""
    record = parse_line(source) if isinstance(source, str) else dict(source)
    check_text(record.get("text"))
    image = record.get("image")
    if image is None:
        return record, None
    if isinstance(image, bytes | bytearray):
        del record["image"]
        return record, load_image(image)
    if not isinstance(image, str) or not image.strip():
        raise ValueError("'image' must be a path or URI string, or the image's bytes")
    if is_uri(image) or is_uri(str(base)):
        uri = image if is_uri(image) else join_uri(str(base), image)
        return record, load_image(read_uri(uri))
    path = Path(image) if Path(image).is_absolute() else Path(base) / image
    return record, load_image(path)


def verify_rows(nlp: Language, rows: Sequence[Row], base: str | Path, batch_size: int = 16) -> list[dict]:
    """One output record per row, in order: ``line``, the input object and the result, or ``line`` and
    an ``error`` (a bad row never fails the others). The valid rows go through one ``nlp.pipe``."""
    records: list[dict] = []
    docs, slots = [], []
    for line_no, source in rows:
        try:
            record, image = read_pair(source, base)
        except ValueError as err:  # ImageError and TextError are ValueErrors
            records.append({"line": line_no, "error": str(err)})
            continue
        doc = nlp.make_doc(record["text"])
        doc._.image = image
        docs.append(doc)
        slots.append(len(records))
        records.append({"line": line_no, **record})
    for slot, doc in zip(slots, nlp.pipe(docs, batch_size=batch_size), strict=True):
        result = doc_to_result(doc)
        result.pop("text")
        records[slot].update(result)
    return records


def record_json(record: dict) -> str:
    """A record as JSON text; values JSON has no type for (a Parquet timestamp) become strings."""
    return json.dumps(record, ensure_ascii=False, default=str)


def record_line(record: dict) -> str:
    return record_json(record) + "\n"


def numbered_lines(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(line number, line) for the non-blank lines; numbers count every line, as an editor does."""
    for line_no, raw in enumerate(lines, start=1):
        if raw.strip():
            yield line_no, raw


def _lines(input_path: Path) -> Iterator[tuple[int, str]]:
    with open(input_path, encoding="utf8", errors="replace") as f:
        yield from numbered_lines(f)


#: Turns chunks of pending lines into their records, chunk by chunk, in order.
Verifier = Callable[[Iterator[Chunk]], Iterator[list[dict]]]


def write_in_order(input_path: Path, output_path: Path, batch_size: int, verify: Verifier) -> BatchSummary:
    """Resume from ``output_path``, feed the pending lines to ``verify`` in chunks of ``batch_size`` and
    append each chunk's records as it comes back, flushed; the progress bar counts lines over the file."""
    done = _done_lines(output_path)
    total = sum(1 for _ in _lines(input_path))
    summary = BatchSummary(skipped=len(done))
    output_path.parent.mkdir(parents=True, exist_ok=True)
    pending = ((n, raw) for n, raw in _lines(input_path) if n not in done)
    chunks = iter(lambda: list(islice(pending, batch_size)), [])
    with open(output_path, "a", encoding="utf8") as out, tqdm(total=total, initial=len(done), unit="pair") as bar:
        for records in verify(chunks):
            out.writelines(record_line(r) for r in records)
            out.flush()
            summary.count(records)
            bar.update(len(records))
    return summary


def run_batch(nlp: Language, input_path: Path, output_path: Path, batch_size: int = 16) -> BatchSummary:
    base = input_path.parent
    return write_in_order(
        input_path, output_path, batch_size, lambda chunks: (verify_rows(nlp, c, base, batch_size) for c in chunks)
    )
