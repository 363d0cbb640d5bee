"""`batch --workers N` and `batch --engine ray` write the records one `batch` process writes.

The Ray tests share one local Ray (``local_ray``, 2 CPUs) and use the rules-NER pipeline, so every
engine must agree to the last digit; they are few because each run starts actors that load the model.
"""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from animal_verifier.cli import app

from .conftest import PHOTOS, ROOT

DEMO = ROOT / "assets" / "demo" / "pairs.jsonl"
runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf8").splitlines()]


@pytest.fixture(scope="module")
def model(full_pipeline: Path) -> str:
    return str(full_pipeline)


@pytest.fixture(scope="module")
def demo_input(tmp_path_factory) -> Path:
    """The demo pairs plus the lines a large file always has: broken JSON, a missing photo, a blank line."""
    folder = tmp_path_factory.mktemp("demo")
    shutil.copytree(PHOTOS, folder / "photos")
    (folder / "pairs").mkdir()
    extra = ['{"text": "broken', "", json.dumps({"text": "A cat.", "image": "../photos/missing.jpg"})]
    path = folder / "pairs" / "pairs.jsonl"
    path.write_text(DEMO.read_text(encoding="utf8") + "\n".join(extra) + "\n", encoding="utf8")
    return path


@pytest.fixture(scope="module")
def one_process(model, demo_input, tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("one") / "out.jsonl"
    result = invoke("batch", demo_input, out, "--model", model, "--batch-size", "4")
    assert result.exit_code == 0, result.output
    rows = records(out)
    assert [r["line"] for r in rows] == [n for n in range(1, 17) if n != 15]  # line 15 is blank
    assert sum("error" in r for r in rows) >= 3 and sum("match" in r for r in rows) >= 10
    return rows


def test_two_workers_write_what_one_process_writes_and_resume(model, demo_input, one_process, tmp_path):
    out = tmp_path / "out.jsonl"
    result = invoke("batch", demo_input, out, "--model", model, "--batch-size", "4", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert records(out) == one_process  # same lines, same order, same values
    assert f"15 lines: {sum('error' not in r for r in one_process)} ok" in result.output

    # killed mid-write: five lines and a torn one; two workers finish only the rest
    lines = out.read_text(encoding="utf8").splitlines(keepends=True)
    out.write_text("".join(lines[:5]) + lines[5][:30], encoding="utf8")
    again = invoke("batch", demo_input, out, "--model", model, "--batch-size", "4", "--workers", "2")
    assert again.exit_code == 0, again.output
    assert "5 already done" in again.output
    assert records(out) == one_process


def test_ray_writes_the_same_records_and_resumes_after_a_kill(local_ray, model, demo_input, one_process, tmp_path):
    from animal_verifier.batch.ray_engine import MANIFEST, read_records

    out = tmp_path / "ray-out"
    args = ("batch", demo_input, out, "--model", model, "--batch-size", "4", "--engine", "ray", "--workers", "2")
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert sorted(read_records(out), key=lambda r: r["line"]) == one_process

    # a killed run leaves a file of its own torn mid-line: it is dropped, and only its lines are done again;
    # files batch did not write are reported and left alone, even one that looks like its own
    files = sorted(out.glob("batch-*.jsonl"))
    assert len(files) >= 2 and (out / MANIFEST).is_file(), sorted(p.name for p in out.iterdir())
    kept = files[0].read_text(encoding="utf8").splitlines(keepends=True)
    files[0].write_text("".join(kept[:3]), encoding="utf8")
    files[1].write_text(files[1].read_text(encoding="utf8").rstrip("\n")[:-5], encoding="utf8")
    for extra in files[2:]:
        extra.unlink()
    strangers = {"notes.txt": "my notes\n", "batch-0123456789abcdef-x-000000.jsonl": json.dumps(one_process[5])[:40]}
    for name, text in strangers.items():
        (out / name).write_text(text, encoding="utf8")
    again = invoke(*args)
    assert again.exit_code == 0, again.output
    assert "3 already done" in again.output and not files[1].exists()
    assert "left alone 2 file(s)" in again.output, again.output
    assert {name: (out / name).read_text(encoding="utf8") for name in strangers} == strangers
    assert sorted(read_records(out), key=lambda r: r["line"]) == one_process


def test_ray_parquet_in_and_out_with_image_bytes(local_ray, model, one_process, tmp_path):
    """Images as a column of bytes; the results equal those of `batch` on the same photos by path."""
    from animal_verifier.batch.ray_engine import read_records

    by_path = [r for r in one_process if "error" not in r and r.get("image")][:4]
    photos = [(Path(DEMO.parent, r["image"]).resolve()).read_bytes() for r in by_path]
    table = pa.table(
        {
            "id": ["a", "b", "c", "d", "bad-image", "no-text"],
            "text": [r["text"] for r in by_path] + ["A cat.", None],
            "image": photos + [b"not a photo", photos[0]],
        }
    )
    source = tmp_path / "pairs.parquet"
    pq.write_table(table, source, row_group_size=3)
    out = tmp_path / "out.parquet"
    result = invoke("batch", source, out, "--model", model, "--batch-size", "4", "--engine", "ray")
    assert result.exit_code == 0, result.output
    assert "6 lines: 4 ok, 2 errors" in result.output
    written = pq.read_table(out)
    assert written.column_names == ["line", "error", "record"]
    got = sorted(read_records(out), key=lambda r: r["line"])
    assert [r["line"] for r in got] == [1, 2, 3, 4, 5, 6] and [r["id"] for r in got[:4]] == ["a", "b", "c", "d"]
    for ray_record, batch_record in zip(got[:4], by_path, strict=True):
        assert "image" not in ray_record  # the bytes are not copied to the output
        expected = {k: v for k, v in batch_record.items() if k not in ("image", "line")}
        assert {k: v for k, v in ray_record.items() if k not in ("id", "line")} == expected
    assert "not an image" in got[4]["error"] and "'text' must be a string" in got[5]["error"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_bad_input_fails_before_any_work(model, tmp_path):
    good = tmp_path / "in.jsonl"
    good.write_text(json.dumps({"text": "A cat.", "image": str(PHOTOS / "cat_gcompris.jpg")}) + "\n")
    no_text = tmp_path / "no_text.parquet"
    pq.write_table(pa.table({"caption": ["A cat."]}), no_text)
    cases = [
        (("--engine", "spark"), good, "unknown engine 'spark'"),
        (("--engine", "ray"), tmp_path / "missing.jsonl", "no such file"),
        ((), tmp_path / "missing.jsonl", "no such file"),
        (("--engine", "ray"), no_text, "no 'text' column (columns: caption)"),
        (("--engine", "ray", "--address", f"127.0.0.1:{_free_port()}"), good, "no Ray cluster answers there"),
        (("--address", "127.0.0.1:6379"), good, "--address is for --engine ray"),
        (("--engine", "ray"), tmp_path / "in.csv", "unknown format .csv"),
    ]
    for options, source, message in cases:
        if source.suffix == ".csv":
            source.write_text("text,image\n")
        out = tmp_path / "out"
        result = invoke("batch", source, out, "--model", model, *options)
        assert result.exit_code == 1, (options, result.output)
        assert message in result.output and "Traceback" not in result.output, (options, result.output)
        assert not out.exists(), options  # nothing started


def test_a_missing_model_fails_before_the_workers_start(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": "A cat."}) + "\n")
    result = invoke("batch", source, tmp_path / "out.jsonl", "--model", tmp_path / "nope", "--workers", "2")
    assert result.exit_code == 1 and "not a spaCy pipeline folder" in result.output


def test_output_records_keep_parquet_only_types():
    """A Parquet column JSON has no type for (a timestamp) is written as text, never a failed job."""
    import datetime

    from animal_verifier.batch.runner import record_json

    stamp = datetime.datetime(2026, 12, 2, 8, 30)
    assert json.loads(record_json({"line": 1, "taken": stamp}))["taken"] == "2026-12-02 08:30:00"
