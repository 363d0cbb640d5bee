"""Verify a JSON Lines file of (text, image) pairs: per-line errors, resumable, nothing lost.

Each output line is the input object plus the result (or an ``error``) and its input ``line``
number. Output is appended and flushed batch by batch, so a killed run loses at most the batch in
flight; a rerun keeps every complete line already written and does only the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from tqdm import tqdm

from animal_verifier.text.checks import TextError, check_text
from animal_verifier.verify.results import doc_to_result
from animal_verifier.vision.image_io import ImageError, load_image


@dataclass
class BatchSummary:
    ok: int = 0
    errors: int = 0
    skipped: int = 0  # already done by an earlier run

    @property
    def total(self) -> int:
        return self.ok + self.errors + self.skipped


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


def _parse(raw: str, base_dir: Path) -> tuple[dict, object | None]:
    """(record, image or None); raises ValueError with a message for this line."""
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON ({err.msg} at column {err.colno})") from None
    if not isinstance(record, dict):
        raise ValueError('expected an object like {"text": ..., "image": "path"}')
    check_text(record.get("text"))
    image = record.get("image")
    if image is None:
        return record, None
    if not isinstance(image, str) or not image.strip():
        raise ValueError("'image' must be a path string")
    path = Path(image) if Path(image).is_absolute() else base_dir / image
    return record, load_image(path)


def _lines(input_path: Path) -> Iterator[tuple[int, str]]:
    with open(input_path, encoding="utf8", errors="replace") as f:
        for line_no, raw in enumerate(f, start=1):
            if raw.strip():
                yield line_no, raw


def run_batch(nlp: Language, input_path: Path, output_path: Path, batch_size: int = 16) -> BatchSummary:
    done = _done_lines(output_path)
    total = sum(1 for _ in _lines(input_path))
    summary = BatchSummary(skipped=len(done))
    base_dir = input_path.parent
    output_path.parent.mkdir(parents=True, exist_ok=True)
    pending = ((n, raw) for n, raw in _lines(input_path) if n not in done)
    with open(output_path, "a", encoding="utf8") as out, tqdm(total=total, initial=len(done), unit="pair") as bar:
        while chunk := [item for _, item in zip(range(batch_size), pending, strict=False)]:
            rows: list[dict] = []
            docs, slots = [], []
            for line_no, raw in chunk:
                try:
                    record, image = _parse(raw, base_dir)
                except (ValueError, ImageError, TextError) as err:
                    rows.append({"line": line_no, "error": str(err)})
                    continue
                doc = nlp.make_doc(record["text"])
                doc._.image = image
                docs.append(doc)
                slots.append(len(rows))
                rows.append({"line": line_no, **record})
            for slot, doc in zip(slots, nlp.pipe(docs, batch_size=batch_size), strict=True):
                result = doc_to_result(doc)
                result.pop("text")
                rows[slot].update(result)
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                summary.errors += "error" in row
                summary.ok += "error" not in row
            out.flush()
            bar.update(len(chunk))
    return summary
