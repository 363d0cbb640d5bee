"""Verify a JSON Lines file of (text, image) pairs: per-line errors, resumable, nothing lost.

Each output line is the input object plus the result (or an ``error``) and its input ``line``
number. Output is appended and flushed batch by batch, in input order, so a killed run loses at most
the batches in flight; a rerun keeps every complete line already written and does only the rest,
provided the output was written by ``batch`` (:mod:`.output`) for this input and this model (:mod:`.identity`).
Whatever one line holds, its failure is an error record for that line and the run goes on.

:func:`verify_rows` is the one place an output record is made: ``batch`` in one process, its worker
processes (:mod:`.workers`) and Ray actors (:mod:`.ray_engine`) all call it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from PIL import Image
from spacy.language import Language
from tqdm import tqdm

from animal_verifier import atomic
from animal_verifier.batch.identity import check_same_input, loaded_identity, new_manifest, parse_line
from animal_verifier.batch.output import check_output_file, manifest_path
from animal_verifier.batch.sources import ImageReader
from animal_verifier.text.checks import check_text
from animal_verifier.verify.results import doc_to_result
from animal_verifier.vision.preprocess import Preprocessing
from animal_verifier.vision.view import model_view, pipeline_view

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


def read_image(record: dict, base: str | Path, reader: ImageReader) -> Image.Image | None:
    """The line's image, or None; raises for this line only. ``image`` is a path (relative to ``base``, the
    input's folder), a URI, or the image's bytes (a Parquet column; removed from the record, not copied)."""
    check_text(record.get("text"))
    image = record.get("image")
    if image is None:
        return None
    if isinstance(image, bytes | bytearray):
        del record["image"]
        return reader.load(image, base)
    if not isinstance(image, str) or not image.strip():
        raise ValueError("'image' must be a path or URI string, or the image's bytes")
    return reader.load(image, base)


def error_record(line_no: int, err: BaseException | str, record: dict | None = None) -> dict:
    """An error for one line; it keeps the line's ``text`` and ``image`` when it had them, so a rerun can
    tell whether the input line is still the one that failed (:mod:`.identity`)."""
    out: dict = {"line": line_no}
    for key in ("text", "image"):
        if record is not None and key in record and not isinstance(record[key], bytes | bytearray):
            out[key] = record[key]
    if isinstance(err, str):
        out["error"] = err
    elif isinstance(err, ValueError):  # ImageError, TextError, a bad line: their message is for the user
        out["error"] = str(err)
    else:
        out["error"] = f"unexpected error on this line ({type(err).__name__}: {err})"
    return out


def _results(nlp: Language, items: list[tuple[dict, Image.Image | None]], batch_size: int) -> list[dict | str]:
    """The result of each (record, image), through one ``nlp.pipe``; if the batch fails, each line alone,
    so only the line that fails gets an error (its message, a str)."""

    def docs(chunk):
        for record, image in chunk:
            doc = nlp.make_doc(record["text"])
            doc._.image = image
            yield doc

    def result(doc) -> dict:
        found = doc_to_result(doc)
        found.pop("text")
        return found

    try:
        return [result(doc) for doc in nlp.pipe(docs(items), batch_size=batch_size)]
    except Exception:  # noqa: BLE001, S110 - the batch failed: find its failing line, answer the others
        pass
    out: list[dict | str] = []
    for item in items:
        try:
            out.append(result(next(iter(nlp.pipe(docs([item]), batch_size=1)))))
        except Exception as err:  # noqa: BLE001 - one line's failure stays on that line
            out.append(f"the pipeline failed on this line ({type(err).__name__}: {err})")
    return out


@dataclass
class DecodedRows:
    """A chunk's rows read and their images decoded, before the pipeline: the records in order (an error
    record for a row that could not be read) and, for the others, their slot and (record, image)."""

    records: list[dict]
    slots: list[int]
    items: list[tuple[dict, Image.Image | None]]


def decode_rows(
    rows: Sequence[Row], base: str | Path, reader: ImageReader | None = None, view: Preprocessing | None = None
) -> DecodedRows:
    """Parse each row and decode its image, cut to the image model's ``view`` when given (its input stays the
    same, pixel for pixel: :func:`~animal_verifier.vision.view.model_view`); a bad row becomes its error
    record, whatever it holds."""
    reader = reader or ImageReader()
    decoded = DecodedRows([], [], [])
    for line_no, source in rows:
        record = None
        try:
            record = parse_line(source) if isinstance(source, str) else dict(source)
            image = read_image(record, base, reader)
            if image is not None and view is not None:
                image = model_view(image, view)
        except Exception as err:  # noqa: BLE001 - a decoder's surprise is this line's error, not the run's
            decoded.records.append(error_record(line_no, err, record))
            continue
        decoded.slots.append(len(decoded.records))
        decoded.items.append((record, image))
        decoded.records.append({"line": line_no, **record})
    return decoded


def verify_decoded(nlp: Language, decoded: DecodedRows, batch_size: int = 16) -> list[dict]:
    """The decoded rows through one ``nlp.pipe``: one writable output record per row, in order."""
    records = decoded.records
    results = _results(nlp, decoded.items, batch_size) if decoded.items else []
    for slot, result in zip(decoded.slots, results, strict=True):
        if isinstance(result, str):
            records[slot] = error_record(records[slot]["line"], result, records[slot])
        else:
            records[slot].update(result)
    return [_writable(record) for record in records]


def verify_rows(
    nlp: Language, rows: Sequence[Row], base: str | Path, batch_size: int = 16, reader: ImageReader | None = None
) -> list[dict]:
    """One output record per row, in order: ``line``, the input object and the result, or ``line`` and
    an ``error`` (a bad row never fails the others, whatever it holds). The valid rows go through one
    ``nlp.pipe``; every record returned can be written (:func:`record_json`)."""
    return verify_decoded(nlp, decode_rows(rows, base, reader), batch_size)


def verify_overlapped(
    nlp: Language,
    chunks: Iterable[Sequence[Row]],
    base: str | Path,
    batch_size: int = 16,
    reader: ImageReader | None = None,
) -> Iterator[list[dict]]:
    """:func:`verify_rows` for each chunk, in order, with the next chunk's images decoded and cut to the image
    model's view in a thread while this one is in the pipeline (Pillow and ONNX Runtime release the GIL, so
    the two overlap). The same records as :func:`verify_rows`: the model's input is the same, pixel for pixel."""
    reader = reader or ImageReader()
    view = pipeline_view(nlp)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-decode") as pool:
        ahead: Future[DecodedRows] | None = None
        for chunk in chunks:
            following = pool.submit(decode_rows, chunk, base, reader, view)
            if ahead is not None:
                yield verify_decoded(nlp, ahead.result(), batch_size)
            ahead = following
        if ahead is not None:
            yield verify_decoded(nlp, ahead.result(), batch_size)


def _writable(record: dict) -> dict:
    """The record if it can be written as JSON; else an error record for its line (a number JSON can't
    hold, such as ``1e999``)."""
    try:
        record_json(record)
        return record
    except (ValueError, TypeError, RecursionError) as err:
        reason = f"the line holds a value that can't be written as JSON ({err})"
    for keep in (record, None):
        fallback = error_record(record["line"], reason, keep)
        try:
            record_json(fallback)
            return fallback
        except (ValueError, TypeError, RecursionError):
            continue
    return {"line": record["line"], "error": reason}


def record_json(record: dict) -> str:
    """A record as JSON text; values JSON has no type for (a Parquet timestamp) become strings. Strict JSON
    (no NaN or Infinity); a lone surrogate (``"\\ud800"`` in the input) is written escaped, as it came."""
    text = json.dumps(record, ensure_ascii=False, default=str, allow_nan=False)
    try:
        text.encode("utf8")
    except UnicodeEncodeError:
        text = json.dumps(record, ensure_ascii=True, default=str, allow_nan=False)
    return text


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


def write_in_order(input_path: Path, output_path: Path, batch_size: int, verify: Verifier, model: dict) -> BatchSummary:
    """Check the output (:func:`.output.check_output_file`) and that it answers this input and ``model``
    (:mod:`.identity`), feed the pending lines to ``verify`` in chunks of ``batch_size`` and append each
    chunk's records as it comes back, flushed; the progress bar counts lines over the file."""
    found = check_output_file(input_path, output_path, model)
    strict = found.manifest is not None and not found.manifest.get("legacy")
    check_same_input(found.done, _lines(input_path), str(output_path), strict)
    done = found.done
    total = sum(1 for _ in _lines(input_path))
    summary = BatchSummary(skipped=len(done))
    output_path.parent.mkdir(parents=True, exist_ok=True)
    if found.manifest is None:  # before the first record: a killed run's file is known as ours
        try:
            atomic.write_json(manifest_path(output_path), {**new_manifest(model), "legacy": bool(done)}, indent=1)
        except OSError as err:  # named after the output, not the manifest's temporary file
            raise OSError(err.errno, err.strerror, str(output_path)) from err
    if output_path.exists() and found.keep < output_path.stat().st_size:
        with open(output_path, "r+b") as f:
            f.truncate(found.keep)  # the torn line a killed run left
    pending = ((n, raw) for n, raw in _lines(input_path) if n not in done)
    chunks = iter(lambda: list(islice(pending, batch_size)), [])
    with open(output_path, "a", encoding="utf8") as out, tqdm(total=total, initial=len(done), unit="pair") as bar:
        for records in verify(chunks):
            out.writelines(record_line(r) for r in records)
            out.flush()
            summary.count(records)
            bar.update(len(records))
    return summary


def run_batch(
    nlp: Language,
    input_path: Path,
    output_path: Path,
    batch_size: int = 16,
    *,
    model: dict | None = None,
    reader: ImageReader | None = None,
) -> BatchSummary:
    """The job in this process. ``model``: the pipeline's identity for the manifest
    (:func:`.identity.model_identity`; default: one made from ``nlp``'s config and meta)."""
    base = input_path.parent
    model = model or loaded_identity(nlp)
    return write_in_order(
        input_path,
        output_path,
        batch_size,
        lambda chunks: verify_overlapped(nlp, chunks, base, batch_size, reader),
        model,
    )
