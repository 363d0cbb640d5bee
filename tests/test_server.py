"""The HTTP API on real photos: answers, every limit, bad input, concurrency, start-up and errors.

Uses the ``full_pipeline`` fixture (tests/conftest.py): a real pipeline folder with NER, linker, the
ONNX ImageNet model and the claim verifier.
"""

from __future__ import annotations

import io
import json
import logging
import os
import platform
import socket
import subprocess
import sys
import threading
import time
import typing
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from animal_verifier.pipeline import ModelNotFound
from animal_verifier.serve.app import create_app
from animal_verifier.serve.engine import InferenceEngine, verify_pairs
from animal_verifier.serve.errors import ApiError
from animal_verifier.serve.memory import limit_malloc_arenas
from animal_verifier.serve.schemas import ClaimResult, Verdict
from animal_verifier.serve.settings import ServerSettings
from animal_verifier.serve.uploads import decode_upload, sniff_image_type
from animal_verifier.verify.claims import CONTRADICTED, SUPPORTED, UNVERIFIABLE, Claim
from animal_verifier.vision.image_io import load_image

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT / "assets" / "photos"
SETTINGS = ServerSettings()


def photo(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


def encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kwargs)
    return buf.getvalue()


def post(client: TestClient, text: str | None, image: bytes | None, filename="photo.jpg", ctype="image/jpeg"):
    data = {} if text is None else {"text": text}
    files = {} if image is None else {"image": (filename, image, ctype)}
    return client.post("/v1/verify", data=data, files=files)


def refused(response: httpx.Response, status: int, error: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == error and body["detail"], body
    assert "Traceback" not in response.text
    return body


@pytest.fixture(scope="module")
def client(full_pipeline: Path):
    app = create_app(str(full_pipeline))
    with TestClient(app) as test_client:
        engine = app.state.engine
        assert engine.wait_ready(300), engine.error
        yield test_client


@pytest.fixture
def app_with(client):
    """A second app with other limits, serving the already loaded pipeline (tests run one at a time)."""
    opened = []

    def make(**limits) -> TestClient:
        app = create_app(settings=ServerSettings(**limits), nlp=client.app.state.engine.nlp)
        test_client = TestClient(app, raise_server_exceptions=False)
        test_client.__enter__()
        opened.append(test_client)
        assert app.state.engine.wait_ready(60), app.state.engine.error
        return test_client

    yield make
    for test_client in opened:
        test_client.__exit__(None, None, None)


# ---- answers ---------------------------------------------------------------------------------------------
def test_verify_true_statement_on_a_real_photo(client):
    r = post(client, "There is a cow in the picture.", photo("cow_gcompris.jpg"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["text"] == "There is a cow in the picture."
    assert [(e["text"], e["start"], e["end"], e["canonical"], e["negated"]) for e in body["entities"]] == [
        ("cow", 11, 14, "cow", False)
    ]
    assert body["entities"][0]["wordnet_id"] == "n02402425"
    assert body["predicted"] == "cow" and body["predicted_level"] == "entry"
    assert body["fine_label"] and 0.5 < body["animal_probability"] <= 1
    assert body["ood"] == "known" and isinstance(body["ood_score"], float)
    probs = [c["probability"] for c in body["top5"]]
    assert len(probs) == 5 and probs == sorted(probs, reverse=True)
    assert [(c["animal"], c["verdict"]) for c in body["claims"]] == [("cow", "supported")]
    assert body["match"] is True and body["reason"]
    assert body["model"]["name"] and body["model"]["version"] and body["model"]["image_model"]
    assert body["elapsed_ms"] > 0


def test_verify_false_statement(client):
    body = post(client, "I see a dog.", photo("cat_skimage.jpg")).json()
    assert body["predicted"] == "cat"
    assert [(c["animal"], c["verdict"]) for c in body["claims"]] == [("dog", "contradicted")]
    assert body["match"] is False


def test_verify_negated_mention(client):
    body = post(client, "There is no cat in the picture.", photo("cow_gcompris.jpg")).json()
    assert [(e["text"], e["negated"]) for e in body["entities"]] == [("cat", True)]
    assert [(c["animal"], c["negated"], c["verdict"]) for c in body["claims"]] == [("cat", True, "supported")]
    assert body["match"] is True


def test_text_without_animal_makes_no_claim(client):
    body = post(client, "The sky is blue.", photo("dog_gcompris.jpg")).json()
    assert body["entities"] == [] and body["claims"] == []
    assert body["predicted"] == "dog" and body["match"] is False


def test_type_comes_from_the_bytes_not_the_name(client):
    png = encode(Image.open(PHOTOS / "dog_gcompris.jpg"), "PNG")
    r = post(client, "A dog.", png, filename="notes.txt", ctype="text/plain")
    assert r.status_code == 200, r.text
    assert r.json()["predicted"] == "dog"


def test_exif_orientation_applied_once():
    upright = Image.open(PHOTOS / "dog_gcompris.jpg").convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    sideways = encode(upright.transpose(Image.Transpose.ROTATE_90), "JPEG", exif=exif.tobytes())
    image = decode_upload(sideways, SETTINGS)
    assert image.size == upright.size
    # The image classifier decodes the PIL image again: it must not rotate it a second time.
    assert load_image(image).size == upright.size


# ---- refusals --------------------------------------------------------------------------------------------
def test_not_an_image_is_415(client):
    body = refused(post(client, "A cow.", b"just some text, not a photo\n", "cow.jpg"), 415, "unsupported_media_type")
    assert "bytes" in body["detail"]
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    refused(post(client, "A cow.", svg, "cow.png", "image/png"), 415, "unsupported_media_type")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(photo("cow_gcompris.jpg")[:4000], id="truncated-jpeg"),
        pytest.param(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40, id="jpeg-magic-then-garbage"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, id="png-magic-then-zeros"),
        pytest.param(b"", id="empty"),
    ],
)
def test_corrupt_image_is_422(client, data):
    body = refused(post(client, "A cow.", data), 422, "bad_image")
    assert " at 0x" not in body["detail"], body  # Pillow's message named its "<_io.BytesIO object at 0x...>"


def test_image_that_fails_to_decode_is_described_without_an_internal_name():
    with pytest.raises(ApiError) as err:
        decode_upload(photo("cow_gcompris.jpg")[:4000], SETTINGS)  # the header reads fine; the pixels don't
    assert (err.value.status, err.value.error) == (422, "bad_image")
    assert err.value.detail.startswith("truncated or corrupt image (") and "bytes>" not in err.value.detail


def test_upload_over_the_byte_limit_is_413(client):
    cow = photo("cow_gcompris.jpg")
    padded = cow + bytes(SETTINGS.max_upload_bytes + 1 - len(cow))  # a valid JPEG, one byte too long
    body = refused(post(client, "A cow.", padded), 413, "upload_too_large")
    assert f"the image is {len(padded):,} bytes; the limit is {SETTINGS.max_upload_bytes:,}" == body["detail"]
    body = refused(post(client, "A cow.", padded + bytes(1_000_000)), 413, "upload_too_large")
    assert "request body" in body["detail"]


def test_declared_body_size_over_the_limit_is_refused_before_reading(client):
    r = client.post(
        "/v1/verify",
        content=b"x" * 100,
        headers={"content-type": "multipart/form-data; boundary=x", "content-length": str(10**9)},
    )
    refused(r, 413, "upload_too_large")


def test_image_over_the_pixel_limit_is_413(client):
    bomb = encode(Image.new("1", (8000, 6000)), "PNG")  # 48 MP in 6 kB: refused from the header
    assert len(bomb) < 100_000
    body = refused(post(client, "A cow.", bomb, "bomb.png", "image/png"), 413, "too_many_pixels")
    assert "8000x6000" in body["detail"]


@pytest.mark.parametrize("text", ["", "   \n ", "a" * (SETTINGS.max_text_chars + 1)])
def test_bad_text_is_422(client, text):
    refused(post(client, text, photo("cow_gcompris.jpg")), 422, "bad_text")


def test_text_that_is_not_utf8_is_422(client):
    files = {"text": (None, b"\xff\xfe a cow"), "image": ("cow.jpg", photo("cow_gcompris.jpg"), "image/jpeg")}
    refused(client.post("/v1/verify", files=files), 422, "bad_text")


def test_form_problems(client):
    refused(post(client, None, photo("cow_gcompris.jpg")), 422, "missing_field")
    refused(client.post("/v1/verify", files=[("text", (None, b"A cow."))]), 422, "missing_field")
    refused(client.post("/v1/verify", data={"text": "A cow."}), 415, "not_multipart")  # urlencoded
    refused(client.post("/v1/verify", json={"text": "A cow."}), 415, "not_multipart")
    files = [("image", ("a.jpg", photo("cow_gcompris.jpg"), "image/jpeg"))] * 2
    refused(client.post("/v1/verify", data={"text": "A cow."}, files=files), 422, "bad_form")
    r = client.post("/v1/verify", data={"text": "A cow.", "img": "x"}, files={"image": ("a.jpg", b"x")})
    refused(r, 422, "unexpected_field")
    r = client.post("/v1/verify", content=b"--x\r\nno headers at all", headers={"content-type": "multipart/form-data"})
    refused(r, 400, "bad_form")


def test_time_limit_is_503_with_retry_after(app_with):
    fast = app_with(request_timeout_s=1e-6)
    r = post(fast, "A cow.", photo("cow_gcompris.jpg"))
    refused(r, 503, "timeout")
    assert r.headers["retry-after"] == "1"


def test_full_queue_is_503(app_with):
    small = app_with(max_queue=2)
    pairs = [("text", "A cow.")] * 3 + [("image", ("c.jpg", photo("cow_gcompris.jpg"), "image/jpeg"))] * 3
    refused(small.post("/v1/verify/batch", files=pairs), 503, "overloaded")


def test_internal_error_is_500_with_an_id_and_no_traceback(app_with, monkeypatch, caplog):
    broken = app_with()

    runs = []

    def explode(nlp, pairs):
        runs.append(len(pairs))
        raise RuntimeError("secret internals /srv/model/weights")

    monkeypatch.setattr(broken.app.state.engine, "_verify", explode)
    with caplog.at_level(logging.ERROR, logger="animal_verifier.serve"):
        r = post(broken, "A cow.", photo("cow_gcompris.jpg"))
    body = refused(r, 500, "internal_error")
    assert body["id"] == r.headers["x-request-id"] and len(body["id"]) >= 12 and "secret" not in r.text
    assert any(body["id"] in rec.getMessage() and rec.exc_info for rec in caplog.records)
    assert runs == [1]  # it failed alone: running it a second time could only fail again


# ---- the inference thread ----------------------------------------------------------------------------------
GRAY = Image.new("RGB", (64, 64), (128, 128, 128))


class FlakyPipeline:
    """Stands in for running the pipeline: fails every run that holds the text 'boom' and counts each text's
    runs. A run holding 'hold' waits for ``release``, so the pairs submitted meanwhile queue up together."""

    def __init__(self) -> None:
        self.runs: Counter[str] = Counter()
        self.holding, self.release = threading.Event(), threading.Event()

    def __call__(self, nlp, pairs) -> list[dict]:
        texts = [text for text, _ in pairs]
        self.runs.update(texts)
        if "hold" in texts:
            self.holding.set()
            self.release.wait(60)
        if "boom" in texts:
            raise RuntimeError("boom")
        return [{"text": text} for text in texts]


@pytest.fixture
def flaky(client):
    """An engine running :class:`FlakyPipeline`; the real pipeline is only there for its name and version."""
    pipeline = FlakyPipeline()
    engine = InferenceEngine(None, ServerSettings(), nlp=client.app.state.engine.nlp, verify=pipeline)
    engine.start()
    assert engine.wait_ready(60), engine.error
    yield engine, pipeline
    pipeline.release.set()
    engine.stop()


def test_a_pair_that_fails_alone_is_not_run_again(flaky):
    engine, pipeline = flaky
    (future,) = engine.submit([("boom", GRAY)])
    with pytest.raises(RuntimeError, match="boom"):
        future.result(60)
    assert pipeline.runs["boom"] == 1


def test_a_failed_batch_runs_each_pair_once_more_alone(flaky):
    engine, pipeline = flaky
    (held,) = engine.submit([("hold", GRAY)])
    assert pipeline.holding.wait(60)
    a, boom, c = engine.submit([("a", GRAY), ("boom", GRAY), ("c", GRAY)])
    pipeline.release.set()
    assert held.result(60) == {"text": "hold"}
    assert (a.result(60), c.result(60)) == ({"text": "a"}, {"text": "c"})
    with pytest.raises(RuntimeError, match="boom"):
        boom.result(60)
    assert engine.largest_batch == 3  # the three did run as one batch first
    assert {text: pipeline.runs[text] for text in ("a", "boom", "c")} == {"a": 2, "boom": 2, "c": 2}


# ---- batch -----------------------------------------------------------------------------------------------
def test_batch_answers_each_pair_and_reports_bad_items_alone(client):
    pairs = [
        ("There is a cow in the picture.", photo("cow_gcompris.jpg")),
        ("I see a dog.", photo("cat_skimage.jpg")),
        ("A cat.", photo("cow_gcompris.jpg")[:3000]),
        ("", photo("dog_gcompris.jpg")),
    ]
    files = [("text", (None, t.encode())) for t, _ in pairs] + [
        ("image", (f"{i}.jpg", d)) for i, (_, d) in enumerate(pairs)
    ]
    r = client.post("/v1/verify/batch", files=files)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [item["index"] for item in results] == [0, 1, 2, 3]
    assert results[0]["result"]["match"] is True and results[0]["result"]["predicted"] == "cow"
    assert results[1]["result"]["match"] is False and results[1]["result"]["predicted"] == "cat"
    assert results[2]["result"] is None and results[2]["error"]["error"] == "bad_image"
    assert results[3]["result"] is None and results[3]["error"]["error"] == "bad_text"
    single = post(client, pairs[0][0], pairs[0][1]).json()
    assert {k: single[k] for k in ("entities", "predicted", "claims", "match")} == {
        k: results[0]["result"][k] for k in ("entities", "predicted", "claims", "match")
    }


def test_batch_limits(client):
    cow = photo("cow_gcompris.jpg")
    n = SETTINGS.max_batch_items + 1
    files = [("text", (None, b"A cow."))] * n + [("image", ("c.jpg", cow))] * n
    refused(client.post("/v1/verify/batch", files=files), 413, "too_many_items")
    files = [("text", (None, b"A cow."))] * 2 + [("image", ("c.jpg", cow))]
    refused(client.post("/v1/verify/batch", files=files), 422, "bad_form")
    refused(client.post("/v1/verify/batch", files=[("other", (None, b"x"))]), 422, "unexpected_field")


# ---- concurrency -----------------------------------------------------------------------------------------
CONCURRENT = [
    ("dog_gcompris.jpg", "dog", "There is a dog in the picture."),
    ("cat_skimage.jpg", "cat", "I see a cat but no dog."),
    ("cow_gcompris.jpg", "cow", "A cow is standing in the field."),
    ("panda_gcompris.jpg", "giant panda", "There is no cat here."),  # "panda" is common: its own name
    ("polar_bear_gcompris.jpg", "bear", "A dog in the snow."),
    ("squirrel_opencv.jpg", "squirrel", "My cat is on the grass."),
    ("chicken_gcompris.jpg", "chicken", "There is a cow in the picture."),
    ("butterfly_opencv2.jpg", "monarch", "No dog and no cow."),  # a monarch: "monarch" is a common word
]
STABLE = ("text", "entities", "predicted", "fine_label", "claims", "match", "reason")


def test_eight_parallel_requests_each_get_their_own_answer(client):
    def ask(case):
        name, _, text = case
        r = post(client, text, photo(name))
        assert r.status_code == 200, r.text
        return r.json()

    alone = [ask(case) for case in CONCURRENT]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(ask, CONCURRENT * 2))
    for i, body in enumerate(together):
        name, label, text = CONCURRENT[i % len(CONCURRENT)]
        expected = alone[i % len(CONCURRENT)]
        assert body["text"] == text and body["predicted"] == label, name
        for key in STABLE:
            if key == "claims":  # batched and single runs may differ in the last rounded digit
                for got, want in zip(body[key], expected[key], strict=True):
                    assert {**got, "probability": None} == {**want, "probability": None}
                    assert got["probability"] == pytest.approx(want["probability"], abs=2e-4)
            else:
                assert body[key] == expected[key], (name, key)


# ---- service endpoints -----------------------------------------------------------------------------------
def test_health_ready_and_model(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["model"]["name"]
    info = client.get("/v1/model").json()
    assert {"ner", "animal_linker", "image_classifier", "claim_verifier"} <= set(info["pipeline"])
    assert info["image_classes"] >= 2 and set(info["thresholds"]) == {"present", "absent", "animal"}
    assert info["limits"]["max_upload_bytes"] == SETTINGS.max_upload_bytes


def test_openapi_schema_describes_the_endpoints(client):
    schema = client.get("/openapi.json").json()
    for path in ("/v1/verify", "/v1/verify/batch", "/healthz", "/readyz", "/v1/model"):
        assert path in schema["paths"], path
    body = schema["paths"]["/v1/verify"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["properties"]["image"]["format"] == "binary" and set(body["required"]) == {"text", "image"}
    assert "413" in schema["paths"]["/v1/verify"]["post"]["responses"]
    refused(client.get("/no/such/page"), 404, "not_found")


def test_page_is_self_contained(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for asset in ("/static/app.js", "/static/style.css"):
        assert asset in page.text
        assert client.get(asset).status_code == 200
    for text in (page.text, client.get("/static/app.js").text, client.get("/static/style.css").text):
        assert "://" not in text  # nothing from a CDN or any other host


def test_model_that_fails_to_load_is_reported_not_ready(tmp_path):
    (tmp_path / "config.cfg").write_text("this is not a spaCy config\n")
    app = create_app(str(tmp_path))
    with TestClient(app) as c:
        assert not app.state.engine.wait_ready(60)
        assert c.get("/healthz").status_code == 200
        body = refused(c.get("/readyz"), 503, "not_ready")
        assert "failed to load" in body["detail"]
        refused(post(c, "A cow.", photo("cow_gcompris.jpg")), 503, "not_ready")


def test_unknown_model_fails_at_once(tmp_path):
    with pytest.raises(ModelNotFound):
        create_app(str(tmp_path / "missing"))


# ---- the response models are the schema of doc_to_result ---------------------------------------------------
def test_claim_model_has_the_fields_of_claim():
    assert list(ClaimResult.model_fields) == [f.name for f in fields(Claim)]
    assert set(typing.get_args(Verdict)) == {SUPPORTED, CONTRADICTED, UNVERIFIABLE}


def test_answer_is_doc_to_result_plus_model_and_time(client, monkeypatch):
    made: list[dict] = []

    def recording(nlp, pairs):
        made.extend(verify_pairs(nlp, pairs))
        return made[-len(pairs) :]

    monkeypatch.setattr(client.app.state.engine, "_verify", recording)
    body = post(client, "There is no cat in the picture.", photo("cow_gcompris.jpg")).json()
    (result,) = made
    assert result["entities"] and result["claims"] and result["top5"]  # so the nested shapes are compared too
    assert list(body) == [*result, "model", "elapsed_ms"]  # same fields, same order, nothing dropped
    assert {k: body[k] for k in result} == result
    for key in ("entities", "claims", "top5"):
        assert [list(item) for item in body[key]] == [list(item) for item in result[key]], key


# ---- small parts -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt, kind", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp"),
                                       ("GIF", "image/gif"), ("BMP", "image/bmp"), ("TIFF", "image/tiff")])  # fmt: skip
def test_sniff_and_decode_every_accepted_type(fmt, kind):
    data = encode(Image.new("RGB", (40, 30), (200, 10, 10)), fmt)
    assert sniff_image_type(data) == kind
    assert decode_upload(data, SETTINGS).size == (40, 30)


def test_decode_refuses_with_status_and_code():
    with pytest.raises(ApiError) as err:
        decode_upload(b"%PDF-1.7 ...", SETTINGS)
    assert (err.value.status, err.value.error) == (415, "unsupported_media_type")


def test_settings_from_the_environment():
    s = ServerSettings.from_env(
        {"ANIMAL_VERIFIER_MAX_UPLOAD_BYTES": "5000", "ANIMAL_VERIFIER_REQUEST_TIMEOUT_S": "2.5"}
    )
    assert (s.max_upload_bytes, s.request_timeout_s, s.max_batch_items) == (5000, 2.5, 16)
    with pytest.raises(ValueError, match="not a number"):
        ServerSettings.from_env({"ANIMAL_VERIFIER_MAX_PIXELS": "lots"})
    with pytest.raises(ValueError, match="positive"):
        ServerSettings(max_queue=0)


def test_malloc_arenas_capped_on_glibc_unless_the_environment_says(monkeypatch):
    """The cap that keeps memory flat under load is set on glibc, and an operator's MALLOC_ARENA_MAX wins."""
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert limit_malloc_arenas(SETTINGS.malloc_arenas) is glibc
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas(SETTINGS.malloc_arenas) is False
    assert ServerSettings.from_env({"ANIMAL_VERIFIER_MALLOC_ARENAS": "8"}).malloc_arenas == 8


# ---- the command -----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_command_starts_a_working_server(full_pipeline):
    port = free_port()
    env = {**os.environ, "ANIMAL_VERIFIER_MAX_TEXT_CHARS": "50"}
    cmd = [sys.executable, "-m", "animal_verifier.cli", "serve", "--port", str(port), "--model", str(full_pipeline)]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stdout.read()
            time.sleep(0.2)
        r = httpx.post(
            f"{base}/v1/verify", data={"text": "A cow."}, files={"image": ("c.jpg", photo("cow_gcompris.jpg"))}
        )
        assert r.status_code == 200 and r.json()["predicted"] == "cow"
        r = httpx.post(
            f"{base}/v1/verify", data={"text": "a" * 51}, files={"image": ("c.jpg", photo("cow_gcompris.jpg"))}
        )
        assert r.status_code == 422 and "50" in r.json()["detail"]  # the limit came from the environment
        assert "<title>" in httpx.get(f"{base}/").text
    finally:
        server.terminate()
        server.wait(30)


def test_serve_command_refuses_a_missing_model(tmp_path):
    from typer.testing import CliRunner

    from animal_verifier.cli import app

    result = CliRunner().invoke(app, ["serve", "--model", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert "not a spaCy pipeline folder" in result.output and "Traceback" not in result.output


def test_json_error_bodies_parse(client):
    # Every error body is a JSON object with the two keys, even for routing errors.
    r = client.put("/v1/verify")
    body = json.loads(r.text)
    assert r.status_code == 405 and body["error"] == "method_not_allowed"
