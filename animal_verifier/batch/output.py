"""The output policy: an output is only ever a batch output, checked before anything is read or written.

For a JSON Lines output file (one process and ``--workers``): it must not be the input (nor the same file
under another name); if it exists it must be a batch output, every complete line a batch record, or it is
refused and left byte for byte as it was. Only the torn tail a killed run leaves (a last line without its
newline that starts like a record) is cut. The Ray engine's folder follows the same rules
(:mod:`.ray_engine`); :func:`check_not_inside` is the one both use for "the output holds the input".
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from animal_verifier.batch.identity import Identity, check_model, parse_manifest, record_identity

MANIFEST_SUFFIX = ".batch.json"
TORN_PREFIX = b'{"line": '  # every record starts so (record_json keeps "line" first)


class OutputError(ValueError):
    """An output the command must not write to; nothing was read or written."""


@dataclass
class FileOutput:
    """What a rerun finds: the records already written (line -> identity of the input it answers), how
    many bytes of complete records to keep, and the manifest (None: none yet; write one)."""

    path: Path
    done: dict[int, Identity]
    keep: int
    manifest: dict | None


def manifest_path(output: Path) -> Path:
    return output.with_name(output.name + MANIFEST_SUFFIX)


def same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def check_not_inside(input_path: str, output: str) -> None:
    """Refuse an output (a file or a folder) that is the input or holds it."""
    source, target = Path(input_path).resolve(), Path(output).resolve()
    if source == target or source.is_relative_to(target):
        raise OutputError(f"{output}: the output must not be the input nor a folder that holds it ({input_path})")


def parse_record(raw: bytes) -> dict | None:
    """The record on an output line, or None if the line is not one ``batch`` writes."""
    try:
        record = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(record, dict):
        return None
    line = record.get("line")
    if type(line) is not int or line < 1 or not ("error" in record or "text" in record):
        return None
    return record


def check_output_file(input_path: Path, output: Path, model: dict) -> FileOutput:
    """The output file's state, or :class:`OutputError` / :class:`~.identity.ResumeError` if it is not
    ours to write (it is then left as it is)."""
    manifest_file = manifest_path(output)
    if same_file(input_path, output) or same_file(input_path, manifest_file):
        raise OutputError("the output file must not be the input file")
    manifest = None
    if manifest_file.exists() or manifest_file.is_symlink():
        if not manifest_file.is_file():
            raise OutputError(f"{manifest_file}: exists and is not a batch manifest; it is left as it is")
        manifest = parse_manifest(manifest_file.read_text(encoding="utf8", errors="replace"), str(manifest_file))
    if output.is_symlink() and not output.exists():
        raise OutputError(f"{output}: a link to nothing; give a plain file")
    if not output.exists():
        return FileOutput(output, {}, 0, None)  # a manifest without its output is rewritten for this run
    if not output.is_file():
        raise OutputError(f"{output}: exists and is not a file (a JSON Lines output file was expected)")
    done, keep = _scan(output, has_manifest=manifest is not None)
    if manifest is not None:
        check_model(manifest, model, str(output))
    return FileOutput(output, done, keep, manifest)


def _scan(output: Path, has_manifest: bool) -> tuple[dict[int, Identity], int]:
    done: dict[int, Identity] = {}
    keep = 0
    with open(output, "rb") as f:
        for n, raw in enumerate(f, start=1):
            if not raw.endswith(b"\n") and raw.startswith(TORN_PREFIX) and (has_manifest or done):
                break  # the torn last line of a killed run: cut, and its line done again
            record = parse_record(raw) if raw.endswith(b"\n") else None
            if record is None or record["line"] in done:
                raise OutputError(
                    f"{output}: exists and is not a batch output (its line {n} is not a batch record); "
                    "it is left as it is: give a new output file"
                )
            done[record["line"]] = record_identity(record)
            keep += len(raw)
    return done, keep
