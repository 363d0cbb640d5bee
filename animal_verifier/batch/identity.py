"""What ties an output to its input and its model, so a rerun resumes only the job it belongs to.

- **The input**: each record keeps the line's ``text`` and ``image`` (error records too, when the line
  parsed). On a rerun every record already written must match the input line it answers; otherwise the
  input changed and the rerun stops with a message (exit 1) rather than mix answers to two inputs.
  Outputs written before this rule are accepted where they can be checked (an error record of a line that
  did not parse has nothing to compare, and is accepted for such an old output).
- **The model**: a manifest beside the output (``OUT.batch.json`` for a file, ``_animal_verifier_batch.manifest``
  in a Ray folder; never a header line in the output, which readers would trip on) names the pipeline and
  a fingerprint of its files. A rerun with another pipeline stops with a message.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

MARK = "animal-verifier batch"
#: An input identity: a digest of (text, image), or None for a line that is not a JSON object.
Identity = bytes | None


class ResumeError(ValueError):
    """The output belongs to another input or another model: resuming would mix two jobs."""


def _digest(text: object, image: object) -> bytes:
    image = image if isinstance(image, str) else None  # image bytes are not copied to the record
    data = json.dumps([text, image], ensure_ascii=True, sort_keys=True, default=str)
    return hashlib.blake2b(data.encode("ascii"), digest_size=16).digest()


def parse_line(raw: str) -> dict:
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON ({err.msg} at column {err.colno})") from None
    except RecursionError:
        raise ValueError("not valid JSON here: nested too deeply") from None
    if not isinstance(record, dict):
        raise ValueError('expected an object like {"text": ..., "image": "path"}')
    if "line" in record:
        raise ValueError("the key 'line' is the output's line number; rename it in the input")
    return record


def input_identity(source: str | dict) -> Identity:
    """The identity of an input line (raw JSON) or row; None if it is not one (:func:`parse_line` refuses it)."""
    if isinstance(source, str):
        try:
            source = parse_line(source)
        except ValueError:
            return None
    return _digest(source.get("text"), source.get("image"))


def record_identity(record: dict) -> Identity:
    """The identity of the input a record answers; None for an error record of a line that did not parse."""
    if "text" not in record and "image" not in record:
        return None
    return _digest(record.get("text"), record.get("image"))


def check_same_input(
    done: dict[int, Identity], rows: Iterable[tuple[int, str | dict]], where: str, strict: bool
) -> None:
    """Raise :class:`ResumeError` unless every record in ``done`` (line -> identity) answers the input line
    of that number. ``strict`` (the output has a manifest): an error record of an unparsed line must still
    face an unparsed line."""
    seen: set[int] = set()
    for line, source in rows:
        if line not in done:
            continue
        seen.add(line)
        written, now = done[line], input_identity(source)
        if written == now or (written is None and not strict):
            continue
        raise ResumeError(
            f"{where} holds an answer to line {line} as it was before: the input changed since it was written; "
            "write to a new output (or delete this one) to verify the input as it is now"
        )
    if len(seen) < len(done):
        missing = min(set(done) - seen)
        raise ResumeError(f"{where} answers lines the input no longer has (line {missing}); the input changed")


def fingerprint(folder: Path) -> str:
    """A digest of every file in a pipeline folder (names and contents): retraining into the same folder
    changes it, copying the folder does not."""
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".pyc"):  # not bytecode caches
        h.update(str(path.relative_to(folder)).encode("utf8") + b"\0")
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()


def model_identity(model: str | None) -> dict:
    """What the manifest says about the pipeline: its name, version, fingerprint and the operating point the
    run loads it at (``--risk``, passed to every engine in ``ANIMAL_VERIFIER_RISK``; None: the built-in one)."""
    import spacy

    from animal_verifier.pipeline import resolve_model, risk_from_env

    resolved = resolve_model(model)
    folder = Path(resolved) if Path(resolved).exists() else spacy.util.get_package_path(resolved)
    meta_path = next(iter(sorted(folder.rglob("meta.json"))), None)
    meta = json.loads(meta_path.read_text(encoding="utf8")) if meta_path else {}
    name = f"{meta.get('lang', '')}_{meta.get('name', '')}".strip("_") or resolved
    return {"name": name, "version": meta.get("version"), "fingerprint": fingerprint(folder), "risk": risk_from_env()}


def loaded_identity(nlp) -> dict:
    """The identity of a pipeline already loaded (the Python API): its config and meta, not its files."""
    meta = json.dumps(nlp.meta, sort_keys=True, default=str)
    digest = hashlib.blake2b((nlp.config.to_str() + meta).encode("utf8"), digest_size=16).hexdigest()
    return {"name": f"{nlp.lang}_{nlp.meta.get('name', '')}", "version": nlp.meta.get("version"), "fingerprint": digest}


def new_manifest(model: dict) -> dict:
    return {"written_by": MARK, "model": model, "runs": []}


def parse_manifest(text: str, where: str) -> dict:
    """A manifest this command wrote, or :class:`ResumeError` (a file of that name that is not ours)."""
    try:
        manifest = json.loads(text)
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("written_by") != MARK:
        raise ResumeError(f"{where}: exists and was not written by batch; it is left as it is")
    return manifest


def check_model(manifest: dict, model: dict, where: str) -> None:
    old = manifest.get("model") or {}
    if old.get("risk") != model.get("risk"):  # thresholds differ: the verdicts would come from two rules
        raise ResumeError(
            f"{where} was written at --risk {old.get('risk') or 'default'}, this run is at "
            f"--risk {model.get('risk') or 'default'}; write to a new output to use this operating point"
        )
    if old.get("fingerprint") != model["fingerprint"]:
        raise ResumeError(
            f"{where} was written with another pipeline ({old.get('name')} {old.get('version')}, "
            f"fingerprint {str(old.get('fingerprint'))[:12]}; now {model['name']} {model['version']}, "
            f"{model['fingerprint'][:12]}); write to a new output to use this one"
        )
