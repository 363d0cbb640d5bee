"""The batch command's rules on what it may write, when it may resume, and what one line may do.

Each case is one a user hit (issue 17): swapped arguments, a Ray output folder that held the input, a rerun
against an edited input or another model, URIs that carry their own endpoint, lines that stopped the run
(deep JSON, lone surrogates, a FIFO, a 16 x 300,000 strip, an exception in the pipeline, a dying worker).
Nothing here talks to a network: URIs go to loopback listeners or nowhere.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image
from typer.testing import CliRunner

from animal_verifier.batch.runner import record_line, verify_rows
from animal_verifier.cli import app
from animal_verifier.vision.image_io import ImageError, load_image

from .conftest import PHOTOS, ROOT

runner = CliRunner()
CAT, COW = PHOTOS / "cat_gcompris.jpg", PHOTOS / "cow_gcompris.jpg"


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf8").splitlines()]


def image_reader(endpoint: str | None = None, **options):
    """The batch job's image rules (imported here, so the file also runs against code from before them)."""
    from animal_verifier.batch.sources import ImageReader
    from animal_verifier.batch.uris import Storage

    return ImageReader(Storage(endpoint), **options)


def pair(text: str, image: object = None) -> str:
    return json.dumps({"text": text} if image is None else {"text": text, "image": str(image)})


@pytest.fixture(scope="module")
def model(full_pipeline: Path) -> str:
    return str(full_pipeline)


@pytest.fixture(scope="module")
def nlp(full_pipeline: Path):
    from animal_verifier.pipeline import load

    return load(full_pipeline)


@pytest.fixture
def pairs(tmp_path) -> Path:
    path = tmp_path / "pairs.jsonl"
    path.write_text(pair("I see a cat.", CAT) + "\n" + pair("There is a cow.", COW) + "\n", encoding="utf8")
    return path


# ---- 1. an output is only ever a batch output ------------------------------------------------------------
@pytest.mark.parametrize("workers", [1, 2])
def test_swapped_arguments_leave_the_input_as_it_was(model, pairs, tmp_path, workers):
    notes = tmp_path / "notes.jsonl"
    notes.write_text(pair("A dog.") + "\n", encoding="utf8")
    before = pairs.read_bytes()
    result = invoke("batch", notes, pairs, "--model", model, "--workers", workers)  # input and output swapped
    assert result.exit_code == 1, result.output
    assert "not a batch output" in result.output and "Traceback" not in result.output
    assert pairs.read_bytes() == before
    assert not (tmp_path / "pairs.jsonl.batch.json").exists()


def test_a_file_that_looks_torn_is_not_cut_unless_batch_wrote_it(model, pairs, tmp_path):
    other = tmp_path / "other.jsonl"
    other.write_bytes(b'{"line": 1, "note": "no newline at the end"')  # not ours: refused, not "repaired"
    result = invoke("batch", pairs, other, "--model", model)
    assert result.exit_code == 1 and "not a batch output" in result.output, result.output
    assert other.read_bytes() == b'{"line": 1, "note": "no newline at the end"'


def test_output_the_input_under_another_name_is_refused(model, pairs, tmp_path):
    link = tmp_path / "link.jsonl"
    os.link(pairs, link)
    before = pairs.read_bytes()
    result = invoke("batch", pairs, link, "--model", model)
    assert result.exit_code == 1 and "must not be the input" in result.output, result.output
    assert pairs.read_bytes() == before


def test_ray_output_in_the_inputs_folder_deletes_nothing(model, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    src = data / "pairs.jsonl"
    src.write_text(pair("I see a cat.", CAT) + "\n", encoding="utf8")
    (data / "notes.jsonl").write_text("my notes\n", encoding="utf8")
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    for output in (data, tmp_path):  # the input's folder; a folder above it
        result = invoke("batch", src, output, "--model", model, "--engine", "ray")
        assert result.exit_code == 1, result.output
        assert "must not be the input" in result.output and "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before


def test_ray_output_folder_not_written_by_batch_is_refused(model, pairs, tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "old.parquet").write_bytes(b"not a parquet file")
    (folder / "keep.jsonl").write_text("a line\n")
    result = invoke("batch", pairs, folder, "--model", model, "--engine", "ray")
    assert result.exit_code == 1 and "not written by batch" in result.output, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["keep.jsonl", "old.parquet"]
    assert (folder / "old.parquet").read_bytes() == b"not a parquet file"


def test_help_says_what_the_output_must_be():
    result = invoke("batch", "--help")
    assert "new JSON Lines file" in " ".join(result.output.split())


# ---- 2. resume is tied to the input and the model --------------------------------------------------------
def test_rerun_against_an_edited_input_stops_instead_of_mixing(model, pairs, tmp_path):
    out = tmp_path / "out.jsonl"
    assert invoke("batch", pairs, out, "--model", model).exit_code == 0
    written = out.read_bytes()
    pairs.write_text(pair("I see a dog.", CAT) + "\n" + pair("There is a cow.", COW) + "\n", encoding="utf8")
    result = invoke("batch", pairs, out, "--model", model)
    assert result.exit_code == 1 and "input changed" in result.output, result.output
    assert out.read_bytes() == written
    # appending lines is not a change: the new ones are verified
    pairs.write_text(pair("I see a cat.", CAT) + "\n" + pair("There is a cow.", COW) + "\n" + pair("A cat."), "utf8")
    again = invoke("batch", pairs, out, "--model", model)
    assert again.exit_code == 0 and "2 already done" in again.output, again.output
    assert (tmp_path / "out.jsonl.batch.json").is_file()  # the manifest sits beside the output,
    assert all("line" in r for r in records(out))  # never a header line in it


def test_a_fixed_line_is_not_skipped_as_done(model, tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text('{"text": "broken\n' + pair("A cat.", CAT) + "\n", encoding="utf8")
    assert invoke("batch", src, out, "--model", model).exit_code == 0
    src.write_text(pair("A cow.", COW) + "\n" + pair("A cat.", CAT) + "\n", encoding="utf8")
    result = invoke("batch", src, out, "--model", model)
    assert result.exit_code == 1 and "input changed" in result.output, result.output


def test_rerun_with_another_model_stops(model, pairs, tmp_path):
    other = tmp_path / "other_model"
    shutil.copytree(model, other)
    meta = json.loads((other / "meta.json").read_text())
    meta["version"] = "9.9.9"
    (other / "meta.json").write_text(json.dumps(meta))
    out = tmp_path / "out.jsonl"
    first = invoke("batch", pairs, out, "--model", model, "--batch-size", "1")
    assert first.exit_code == 0, first.output
    lines = out.read_text(encoding="utf8").splitlines(keepends=True)
    out.write_text(lines[0], encoding="utf8")  # as if killed after one line
    result = invoke("batch", pairs, out, "--model", other)
    assert result.exit_code == 1 and "another pipeline" in result.output, result.output
    assert out.read_text(encoding="utf8") == lines[0]
    assert invoke("batch", pairs, out, "--model", model).exit_code == 0  # the same model resumes
    assert out.read_text(encoding="utf8") == "".join(lines)


def test_rerun_at_another_risk_stops(model, pairs, tmp_path):
    """--risk picks the thresholds: answers at two operating points in one file would mix two rules."""
    out = tmp_path / "out.jsonl"
    assert invoke("batch", pairs, out, "--model", model, "--risk", "0.01", "--batch-size", "1").exit_code == 0
    lines = out.read_text(encoding="utf8").splitlines(keepends=True)
    out.write_text(lines[0], encoding="utf8")  # as if killed after one line
    result = invoke("batch", pairs, out, "--model", model, "--risk", "0.1")
    assert result.exit_code == 1 and "--risk" in result.output, result.output
    assert out.read_text(encoding="utf8") == lines[0]
    assert invoke("batch", pairs, out, "--model", model, "--risk", "0.01").exit_code == 0
    assert out.read_text(encoding="utf8") == "".join(lines)


def test_an_output_from_before_the_manifest_still_resumes(model, pairs, tmp_path):
    out = tmp_path / "out.jsonl"
    assert invoke("batch", pairs, out, "--model", model, "--batch-size", "1").exit_code == 0
    full = out.read_text(encoding="utf8")
    (tmp_path / "out.jsonl.batch.json").unlink()
    out.write_text(full.splitlines(keepends=True)[0], encoding="utf8")
    result = invoke("batch", pairs, out, "--model", model)
    assert result.exit_code == 0 and "1 already done" in result.output, result.output
    assert out.read_text(encoding="utf8") == full


# ---- 4. every line's failure stays on that line ----------------------------------------------------------
def strip_png(tmp_path: Path) -> Path:
    path = tmp_path / "strip.png"
    Image.new("L", (16, 300_000), 128).save(path)
    return path


def hostile_lines(tmp_path: Path) -> list[str]:
    fifo = tmp_path / "fifo.jpg"
    os.mkfifo(fifo)
    ppm = tmp_path / "cat.ppm"
    load_image(CAT).save(ppm)  # a format Pillow decodes but the server does not accept
    return [
        "[" * 100_000,  # nested too deeply for the JSON parser
        '{"text": "A cat.", "n": ' + "9" * 5000 + "}",  # an integer over Python's digit limit
        '{"text": "A cat.", "n": 1e999}',  # infinity: not JSON
        '{"text": "A cat \\ud800 here."}',  # a lone surrogate passed check_text, then failed the write
        '{"text": "A cat.", "id": "\\udfff"}',  # not the text: a verdict, the value written escaped
        pair("A cat.", fifo),
        pair("A cat.", strip_png(tmp_path)),
        pair("A cat.", ppm),
        pair("A cat.", tmp_path),  # a folder
        json.dumps({"text": "A cat.", "line": 99}),
    ]


def test_hostile_lines_are_error_records_and_the_run_goes_on(model, tmp_path):
    hostile = hostile_lines(tmp_path)
    good = [pair("I see a cat.", CAT), pair("There is a cow.", COW)]
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n".join([good[0], *hostile, good[1]]) + "\n", encoding="utf8")
    done = subprocess.run(
        [sys.executable, "-m", "animal_verifier.cli", "batch", str(src), str(out), "--model", model],
        capture_output=True, text=True, cwd=ROOT, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = records(out)
    assert [r["line"] for r in rows] == list(range(1, len(hostile) + 3))
    assert "error" not in rows[0] and "error" not in rows[-1] and rows[0]["predicted"] == "cat"
    errors = {r["line"]: r["error"] for r in rows if "error" in r}
    assert sorted(errors) == [2, 3, 4, 5, 7, 8, 9, 10, 11], rows
    assert rows[5]["id"] == "\udfff" and "predicted" in rows[5]  # written escaped, read back as it came
    assert "nested too deeply" in errors[2]
    assert "not valid Unicode" in errors[5]
    assert "not a regular file" in errors[7]
    assert "too narrow" in errors[8]
    assert "accepted format" in errors[9]
    assert "not a regular file" in errors[10]
    assert "'line'" in errors[11]
    again = subprocess.run(
        [sys.executable, "-m", "animal_verifier.cli", "batch", str(src), str(out), "--model", model],
        capture_output=True, text=True, cwd=ROOT, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert again.returncode == 0 and f"{len(hostile) + 2} already done" in again.stdout, again.stderr


def test_a_strip_within_the_pixel_limit_is_refused_before_decoding(tmp_path):
    with pytest.raises(ImageError, match="too narrow"):
        load_image(strip_png(tmp_path))
    for photo in sorted(PHOTOS.glob("*.jpg"))[:10]:
        assert load_image(photo).width > 0  # ordinary photos pass


def test_an_image_over_the_byte_cap_is_an_error_for_its_line(nlp, tmp_path):
    reader = image_reader(max_bytes=1000)
    rows = verify_rows(nlp, [(1, pair("A cat.", CAT)), (2, pair("A cow."))], tmp_path, reader=reader)
    assert "limit is 1,000" in rows[0]["error"] and "error" not in rows[1]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200).map(lambda b: b.replace(b"\n", b" ")))
@example(data=b"[" * 5000)
@example(data=b'{"text": "\\ud800"}')
@example(data=b'{"text": "A cat.", "x": -1e400}')
@example(data=b'{"text": "A cat.", "image": 12}')
@example(data=b'{"text": "A cat.", "image": "gs://b/x.jpg?x=1"}')
def test_any_bytes_on_a_line_give_a_verdict_or_an_error_for_that_line(nlp, tmp_path, data):
    reader = image_reader("http://127.0.0.1:9")  # nothing listens on port 9; never a real endpoint
    raw = data.decode("utf8", errors="replace")  # as the input file is read
    rows = [(1, pair("I see a cat.", CAT)), (2, raw), (3, pair("A cow."))]
    got = verify_rows(nlp, rows, tmp_path, batch_size=3, reader=reader)
    assert [r["line"] for r in got] == [1, 2, 3]
    assert "error" not in got[0] and "error" not in got[2]
    for record in got:
        assert json.loads(record_line(record).encode("utf8")) == json.loads(record_line(record))


def test_a_decoders_unexpected_exception_fails_only_its_line(nlp, monkeypatch, tmp_path):
    import PIL.PngImagePlugin

    load_image(CAT).resize((40, 30)).save(tmp_path / "cat.png")

    def broken(self):
        raise TypeError("a decoder bug")

    monkeypatch.setattr(PIL.PngImagePlugin.PngImageFile, "load", broken)
    rows = [(1, pair("I see a cat.", CAT)), (2, pair("A cat.", "cat.png")), (3, pair("A cow."))]
    got = verify_rows(nlp, rows, tmp_path, batch_size=3)
    assert "error" not in got[0] and "error" not in got[2]
    assert "TypeError: a decoder bug" in got[1]["error"]


def test_an_exception_inside_the_pipeline_fails_only_its_line(nlp):
    from spacy.language import Language

    @Language.component("test_explode_on_boom")
    def explode(doc):
        if "boom" in doc.text:
            raise RuntimeError("boom")
        return doc

    nlp.add_pipe("test_explode_on_boom", last=True)
    try:
        rows = [(1, pair("I see a cat.", CAT)), (2, pair("A boom cat.")), (3, pair("A cow."))]
        got = verify_rows(nlp, rows, ROOT, batch_size=3)
    finally:
        nlp.remove_pipe("test_explode_on_boom")
    assert "error" not in got[0] and "error" not in got[2] and got[0]["predicted"] == "cat"
    assert "RuntimeError: boom" in got[1]["error"]


def crash_on_marker(chunk, *args):
    """A worker task that dies the way a crashing decoder does when a line holds CRASH."""
    from animal_verifier.batch.workers import _verify_chunk

    if any("CRASH" in raw for _, raw in chunk):
        os._exit(3)
    return _verify_chunk(chunk, *args)


def test_a_worker_that_dies_costs_only_its_line(model, tmp_path):
    from animal_verifier.batch.identity import model_identity
    from animal_verifier.batch.workers import run_batch_workers

    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    lines = [pair("I see a cat.", CAT), pair("CRASH now."), pair("A cow.", COW), pair("A dog."), pair("A cat.")]
    src.write_text("\n".join(lines) + "\n", encoding="utf8")
    summary = run_batch_workers(model, src, out, 2, 2, model_id=model_identity(model), task=crash_on_marker)
    rows = records(out)
    assert [r["line"] for r in rows] == [1, 2, 3, 4, 5]
    assert "died" in rows[1]["error"] and all("error" not in r for i, r in enumerate(rows) if i != 1)
    assert (summary.ok, summary.errors) == (4, 1)


# ---- 5. URIs with a policy -------------------------------------------------------------------------------
class Listener:
    """A loopback HTTP server that answers 404 to everything and counts the connections it gets."""

    def __init__(self):
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                hits.append(self.path)
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_HEAD = do_PUT = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def no_cloud(monkeypatch):
    """No request can leave the loopback address, even from code without the policy."""
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("ANIMAL_VERIFIER_S3_ENDPOINT", raising=False)
    listener = Listener()
    yield listener
    listener.close()


def test_a_uri_that_names_its_own_endpoint_is_never_contacted(nlp, no_cloud, tmp_path):
    hostile = [
        f"s3://bucket/x.jpg?endpoint_override=127.0.0.1:{no_cloud.port}&scheme=http",
        f"s3://key:secret@bucket/x.jpg?endpoint_override=127.0.0.1:{no_cloud.port}&scheme=http",
        f"http://127.0.0.1:{no_cloud.port}/x.jpg",
    ]
    rows = [(n, pair("A cat.", uri)) for n, uri in enumerate(hostile, start=1)]
    endpoint = f"http://127.0.0.1:{no_cloud.port}"
    got = verify_rows(nlp, rows, tmp_path)  # the default rules
    assert no_cloud.hits == []
    assert all("error" in r for r in got), got
    assert "query string" in got[0]["error"] and "not allowed" in got[2]["error"]
    got = verify_rows(nlp, rows, tmp_path, reader=image_reader(endpoint))  # the operator's endpoint changes nothing
    assert no_cloud.hits == [] and all("query string" in r["error"] for r in got[:2])


def test_the_operators_s3_endpoint_is_the_one_used(model, no_cloud, tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(pair("A cat.", "s3://bucket/photos/cat.jpg") + "\n", encoding="utf8")
    endpoint = f"http://127.0.0.1:{no_cloud.port}"
    result = invoke("batch", src, out, "--model", model, "--s3-endpoint", endpoint)
    assert result.exit_code == 0, result.output
    assert "cannot read" in records(out)[0]["error"]
    assert any("cat.jpg" in path for path in no_cloud.hits)
    bad = invoke("batch", src, tmp_path / "out2.jsonl", "--model", model, "--s3-endpoint", "ftp://x")
    assert bad.exit_code == 1 and "expected http(s)://HOST" in bad.output


def test_relative_paths_stay_under_a_uri_input(tmp_path):
    base = tmp_path / "pairs"
    base.mkdir()
    shutil.copy(CAT, tmp_path / "secret.jpg")
    shutil.copy(CAT, base / "cat.jpg")
    reader = image_reader()
    assert reader.load("cat.jpg", f"file://{base}").size == load_image(CAT).size
    with pytest.raises(ImageError, match="stay under"):
        reader.load("../secret.jpg", f"file://{base}")


def test_root_confines_local_image_paths(model, tmp_path):
    inside = tmp_path / "inside"
    inside.mkdir()
    shutil.copy(CAT, inside / "cat.jpg")
    (inside / "escape.jpg").symlink_to(COW)
    src, out = inside / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n".join([pair("A cat.", "cat.jpg"), pair("A cow.", COW), pair("A cow.", "escape.jpg")]) + "\n")
    result = invoke("batch", src, out, "--model", model, "--root", inside)
    assert result.exit_code == 0, result.output
    rows = records(out)
    assert "error" not in rows[0] and "outside --root" in rows[1]["error"] and "outside --root" in rows[2]["error"]


def test_input_and_output_uris_follow_the_policy(model, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(pair("A cat.", CAT) + "\n")
    for output in ("s3://bucket/out?endpoint_override=127.0.0.1:9", "http://127.0.0.1:9/out"):
        result = invoke("batch", src, output, "--model", model, "--engine", "ray")
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert "query string" in result.output or "not allowed" in result.output, result.output


# ---- 6. a local Ray stays on the loopback address --------------------------------------------------------
def test_local_ray_is_on_the_loopback_address(local_ray):
    nodes = [n for n in local_ray.nodes() if n["Alive"]]
    assert nodes and all(n["NodeManagerAddress"] == "127.0.0.1" for n in nodes)


def test_joining_a_loopback_address_stays_on_loopback(monkeypatch):
    """`--address 127.0.0.1:PORT` (a cluster started here with `--node-ip-address 127.0.0.1`) is joined at
    127.0.0.1, which Ray on Linux would turn into the machine's network address; Ray's switch is back as it
    was afterwards, and any other address is left to Ray. The cluster itself: tests/test_batch_cluster.py."""
    import ray
    import ray._private.ray_constants as ray_constants
    from ray._private.services import canonicalize_bootstrap_address

    from animal_verifier.batch.ray_engine import connect, loopback_kept

    monkeypatch.setattr(ray_constants, "ENABLE_RAY_CLUSTER", True)  # Linux's default, whatever local_ray set
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    joined = []
    monkeypatch.setattr(ray, "init", lambda address, **_: joined.append(canonicalize_bootstrap_address(address)))
    with socket.socket() as head:
        head.bind(("127.0.0.1", 0))
        head.listen()
        port = head.getsockname()[1]
        for host in ("127.0.0.1", "localhost"):
            connect(f"{host}:{port}")
    assert joined == [f"127.0.0.1:{port}"] * 2
    assert ray_constants.ENABLE_RAY_CLUSTER is True
    with loopback_kept("10.0.0.1:6379"):
        assert ray_constants.ENABLE_RAY_CLUSTER is True


def test_ray_applies_the_same_rules_on_its_actors(local_ray, model, no_cloud, tmp_path):
    """Hostile lines and a URI with its own endpoint, through Ray's actors: the records `batch` writes, no
    connection to the listener; then a rerun against an edited input stops."""
    from animal_verifier.batch.ray_engine import read_records

    uri = f"s3://bucket/x.jpg?endpoint_override=127.0.0.1:{no_cloud.port}&scheme=http"
    lines = [pair("I see a cat.", CAT), *hostile_lines(tmp_path), pair("A cat.", uri), pair("There is a cow.", COW)]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf8")
    one = invoke("batch", src, tmp_path / "one.jsonl", "--model", model, "--batch-size", "4")
    assert one.exit_code == 0, one.output
    out = tmp_path / "ray-out"
    args = ("batch", src, out, "--model", model, "--batch-size", "4", "--engine", "ray", "--workers", "2")
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert sorted(read_records(out), key=lambda r: r["line"]) == records(tmp_path / "one.jsonl")
    assert no_cloud.hits == []
    lines[0] = pair("I see a dog.", CAT)
    src.write_text("\n".join(lines) + "\n", encoding="utf8")
    rerun = invoke(*args)
    assert rerun.exit_code == 1 and "input changed" in rerun.output, rerun.output


def test_decoding_the_next_chunk_ahead_gives_the_same_records_in_order(nlp, tmp_path):
    """`batch` decodes chunk k+1 in a thread while chunk k is in the pipeline: the records are those of
    verify_rows chunk by chunk, in order, bad lines included."""
    from animal_verifier.batch.runner import verify_overlapped

    photos = sorted(PHOTOS.glob("*.jpg"))[:5]
    rows = [(i + 1, pair(f"I see a {p.stem.split('_')[0]}.", p)) for i, p in enumerate(photos)]
    rows += [(6, "not json"), (7, pair("A cat.", "missing.jpg")), (8, pair("A cow.")), (9, pair("A cat.", CAT))]
    chunks = [rows[i : i + 2] for i in range(0, len(rows), 2)]
    expected = [verify_rows(nlp, chunk, tmp_path, batch_size=2) for chunk in chunks]
    got = list(verify_overlapped(nlp, iter(chunks), tmp_path, batch_size=2))
    assert got == expected
    assert [r["line"] for chunk in got for r in chunk] == list(range(1, 10))
    assert "error" in got[2][1] and "error" in got[3][0] and "error" not in got[3][1]
    assert list(verify_overlapped(nlp, iter([]), tmp_path)) == []
