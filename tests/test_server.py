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
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from animal_verifier.batch.runner import read_image as batch_read_image
from animal_verifier.batch.sources import ImageReader
from animal_verifier.pipeline import ModelNotFound
from animal_verifier.serve.access import KeyRing, Proxies, RateLimiter, host_allowed
from animal_verifier.serve.app import create_app
from animal_verifier.serve.budget import NoRoom, PixelBudget
from animal_verifier.serve.engine import InferenceEngine, verify_pairs
from animal_verifier.serve.errors import ApiError
from animal_verifier.serve.memory import limit_malloc_arenas
from animal_verifier.serve.schemas import ClaimResult, Verdict
from animal_verifier.serve.settings import LOOPBACK_HOSTS, ServerSettings
from animal_verifier.serve.uploads import Admission, decode_upload, model_view, sniff_image_type
from animal_verifier.text.checks import TextError, check_text
from animal_verifier.verify.claims import CONTRADICTED, SUPPORTED, UNVERIFIABLE, Claim
from animal_verifier.vision.image_io import load_image
from animal_verifier.vision.preprocess import Preprocessing, preprocess

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
    """A second app with other limits, serving the already loaded pipeline (tests run one at a time).
    ``peer``: the address the app sees the requests come from."""
    opened = []

    def make(peer: str = "testclient", **limits) -> TestClient:
        app = create_app(settings=ServerSettings(**limits), nlp=client.app.state.engine.nlp)
        test_client = TestClient(app, raise_server_exceptions=False, client=(peer, 50000))
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
    assert info["image_classes"] >= 2 and set(info["thresholds"]) == {"present", "absent", "animal", "no_animal"}
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
        r = c.get("/readyz")
        body = refused(r, 503, "not_ready")
        assert "failed to load" in body["detail"] and body["id"] == r.headers["x-request-id"]
        # the reason names files and internals: it is in the log, never in an answer
        assert str(tmp_path) not in r.text and "config" not in r.text.lower()
        r = post(c, "A cow.", photo("cow_gcompris.jpg"))
        refused(r, 503, "not_ready")
        assert str(tmp_path) not in r.text
        assert app.state.engine.error  # kept for the log


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


def test_the_documented_answer_has_the_fields_of_a_real_one(client):
    """docs/server.md's `/v1/verify` example, field for field and in order, against an answer given now: a
    field added to or dropped from the answer makes the example stale, and this fails."""
    doc = (ROOT / "docs" / "server.md").read_text(encoding="utf8")
    section = doc[doc.index("### `POST /v1/verify`\n") :]
    example = json.loads(section[section.index("```json\n") + 8 : section.index("\n```", section.index("```json"))])
    body = post(client, example["text"], photo("dog_gcompris.jpg")).json()
    assert list(example) == list(body)
    for key in ("entities", "claims", "top5"):
        assert [list(item) for item in example[key]] == [list(item) for item in body[key]], key
    assert list(example["model"]) == list(body["model"])
    assert [e["text"] for e in example["entities"]] == [e["text"] for e in body["entities"]]


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


# ---- API keys --------------------------------------------------------------------------------------------
KEYS = "# the team's keys\nalpha-key-0123456789\n\n  beta-key-9876543210  \n"


@pytest.fixture
def keys_file(tmp_path) -> Path:
    path = tmp_path / "keys.txt"
    path.write_text(KEYS)
    return path


def test_keys_file_is_read_without_comments_and_blank_lines(keys_file, tmp_path):
    ring = KeyRing.from_file(keys_file)
    assert len(ring) == 2
    assert ring.identify("alpha-key-0123456789") and ring.identify("beta-key-9876543210")
    assert ring.identify("# the team's keys") is None and ring.identify("") is None and ring.identify(None) is None
    assert ring.identify("alpha-key-0123456789") != ring.identify("beta-key-9876543210")
    assert "alpha" not in ring.identify("alpha-key-0123456789")  # a name for the log, not the key
    (tmp_path / "empty.txt").write_text("# nothing yet\n\n")
    with pytest.raises(ValueError, match="holds no key"):
        KeyRing.from_file(tmp_path / "empty.txt")
    with pytest.raises(ValueError, match="can't read"):
        KeyRing.from_file(tmp_path / "missing.txt")


def test_api_needs_a_key_when_keys_are_set(app_with, keys_file, caplog):
    keyed = app_with(api_keys_file=str(keys_file))
    with caplog.at_level(logging.INFO, logger="animal_verifier.access"):
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"X-API-Key": "alpha-key-012345678"},
                        {"Authorization": "Basic alpha-key-0123456789"}):  # fmt: skip
            r = keyed.get("/v1/model", headers=headers)
            body = refused(r, 401, "unauthorized")
            assert r.headers["www-authenticate"] == "Bearer" and body["id"] == r.headers["x-request-id"]
        refused(keyed.get("/metrics"), 401, "unauthorized")
        refused(post(keyed, "A cow.", photo("cow_gcompris.jpg")), 401, "unauthorized")
        assert keyed.get("/v1/model", headers={"Authorization": "Bearer alpha-key-0123456789"}).status_code == 200
        assert keyed.get("/v1/model", headers={"X-API-Key": "beta-key-9876543210"}).status_code == 200
        assert keyed.get("/metrics", headers={"X-API-Key": "beta-key-9876543210"}).status_code == 200
        r = keyed.post(
            "/v1/verify",
            data={"text": "There is a cow."},
            files={"image": ("c.jpg", photo("cow_gcompris.jpg"))},
            headers={"Authorization": "Bearer alpha-key-0123456789"},
        )
        assert r.status_code == 200 and r.json()["predicted"] == "cow"
        for path in ("/healthz", "/readyz", "/", "/static/app.js"):  # open: probes and the page
            assert keyed.get(path).status_code == 200, path
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "animal_verifier.access"]
    assert len(lines) == 14
    assert not any("key-0123456789" in line or "key-9876543210" in line for line in lines)  # never logged
    assert all("key:" in line for line in lines if '" 200 ' in line and "/v1/" in line)


def test_without_keys_the_api_is_open(client):
    assert client.get("/v1/model").status_code == 200
    assert client.get("/metrics").status_code == 200


# ---- rate limits and requests in flight -------------------------------------------------------------------
def test_rate_limiter_is_a_token_bucket_per_client():
    limiter = RateLimiter(rate=2, burst_s=2)  # 4 at once, then 2 a second
    assert [limiter.take("a", now=100.0) for _ in range(4)] == [0.0] * 4
    assert limiter.take("a", now=100.0) == pytest.approx(0.5)
    assert limiter.take("b", now=100.0) == 0.0  # another client has its own bucket
    assert limiter.take("a", now=100.5) == 0.0  # one token back after half a second
    assert limiter.take("a", now=100.5) > 0
    small = RateLimiter(rate=1, burst_s=1, max_clients=2)
    for client in ("a", "b", "c"):
        small.take(client, now=0.0)
    assert list(small._buckets) == ["b", "c"]  # bounded: the least recently seen is forgotten


def test_rate_limit_answers_429_with_retry_after(app_with, keys_file):
    limited = app_with(rate_limit=0.5, rate_burst_s=4, api_keys_file=str(keys_file))  # 2 at once
    alpha, beta = {"X-API-Key": "alpha-key-0123456789"}, {"X-API-Key": "beta-key-9876543210"}
    assert [limited.get("/v1/model", headers=alpha).status_code for _ in range(2)] == [200, 200]
    r = limited.get("/v1/model", headers=alpha)
    refused(r, 429, "rate_limited")
    assert 1 <= int(r.headers["retry-after"]) <= 2
    assert limited.get("/v1/model", headers=beta).status_code == 200  # a key is a client
    assert limited.get("/healthz").status_code == 200  # probes are not limited


def test_client_address_comes_from_forwarded_for_only_behind_a_named_proxy(app_with):
    proxies = Proxies(("10.0.0.0/8",))
    assert proxies.client("10.1.2.3", "203.0.113.7, 10.9.9.9") == "203.0.113.7"
    assert proxies.client("198.51.100.1", "203.0.113.7") == "198.51.100.1"  # not a proxy: header ignored
    assert proxies.client("10.1.2.3", None) == "10.1.2.3"
    assert Proxies(("*",)).client("1.2.3.4", "5.6.7.8") == "5.6.7.8"
    behind = app_with(peer="10.0.0.5", rate_limit=0.25, rate_burst_s=4, forwarded_allow_ips=("10.0.0.5",))
    first, second = {"X-Forwarded-For": "203.0.113.1"}, {"X-Forwarded-For": "203.0.113.2"}
    assert behind.get("/v1/model", headers=first).status_code == 200
    refused(behind.get("/v1/model", headers=first), 429, "rate_limited")
    assert behind.get("/v1/model", headers=second).status_code == 200  # another client behind the proxy
    direct = app_with(peer="192.0.2.9", rate_limit=0.25, rate_burst_s=4, forwarded_allow_ips=("10.0.0.5",))
    assert direct.get("/v1/model", headers=first).status_code == 200
    refused(direct.get("/v1/model", headers=second), 429, "rate_limited")  # a forged header changes nothing


def test_requests_in_flight_over_the_cap_get_503(app_with, monkeypatch):
    capped = app_with(max_in_flight=1)
    engine = capped.app.state.engine
    holding, release = threading.Event(), threading.Event()
    real = engine._verify

    def slow(nlp, pairs):
        holding.set()
        release.wait(60)
        return real(nlp, pairs)

    monkeypatch.setattr(engine, "_verify", slow)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(post, capped, "A cow.", photo("cow_gcompris.jpg"))
        assert holding.wait(60)
        r = capped.get("/v1/model")
        release.set()
        assert first.result(60).status_code == 200
    refused(r, 503, "overloaded")
    assert r.headers["retry-after"] == "1"
    assert capped.get("/v1/model").status_code == 200  # the slot was given back


# ---- Host and Origin ---------------------------------------------------------------------------------------
def test_host_names():
    assert host_allowed("127.0.0.1:8000", LOOPBACK_HOSTS) and host_allowed("LOCALHOST", LOOPBACK_HOSTS)
    assert host_allowed("[::1]:8000", LOOPBACK_HOSTS) and not host_allowed("evil.example:8000", LOOPBACK_HOSTS)
    assert not host_allowed(None, LOOPBACK_HOSTS) and not host_allowed("127.0.0.1.evil.example", LOOPBACK_HOSTS)
    assert host_allowed("api.example.org", ("*.example.org",)) and not host_allowed(
        "example.org.evil", ("*.example.org",)
    )
    assert host_allowed("anything", ("*",))


def test_foreign_host_is_400(app_with):
    guarded = app_with(allowed_hosts=LOOPBACK_HOSTS)
    for host in ("127.0.0.1:8000", "localhost", "[::1]:9"):
        assert guarded.get("/healthz", headers={"Host": host}).status_code == 200, host
    r = guarded.get("/readyz", headers={"Host": "rebound.evil.example"})
    refused(r, 400, "bad_host")
    refused(guarded.get("/healthz"), 400, "bad_host")  # the test client's own "testserver"


def test_cross_site_posts_are_403_unless_the_origin_is_allowed(app_with, keys_file):
    open_app = app_with()
    cow = {"data": {"text": "A cow."}, "files": {"image": ("c.jpg", photo("cow_gcompris.jpg"))}}
    r = open_app.post("/v1/verify", headers={"Origin": "http://evil.example"}, **cow)
    refused(r, 403, "cross_origin")
    r = open_app.post("/v1/verify", headers={"Sec-Fetch-Site": "cross-site"}, **cow)
    refused(r, 403, "cross_origin")
    r = open_app.post("/v1/verify", headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}, **cow)
    assert r.status_code == 200  # the page itself
    assert open_app.post("/v1/verify", **cow).status_code == 200  # curl, scripts: no Origin

    cors = app_with(cors_origins=("https://app.example",), api_keys_file=str(keys_file))
    pre = cors.options("/v1/verify", headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "authorization"})  # fmt: skip
    assert pre.status_code == 204  # no key needed for a preflight
    assert pre.headers["access-control-allow-origin"] == "https://app.example"
    allowed = {h.strip().lower() for h in pre.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "x-api-key"} <= allowed
    r = cors.post("/v1/verify", headers={"Origin": "https://app.example", "X-API-Key": "alpha-key-0123456789"}, **cow)
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://app.example"
    assert "x-request-id" in r.headers["access-control-expose-headers"].lower()
    other = cors.options(
        "/v1/verify", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    refused(other, 403, "cross_origin")
    refused(cors.post("/v1/verify", headers={"Origin": "https://evil.example"}, **cow), 403, "cross_origin")


# ---- errors and text -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["\u200b", "\u200b\u200c\u200d\ufeff", "\x00\x07\x1b", " \u2800 \u3164 ", "\u202e\n"])
def test_invisible_text_is_refused_like_empty_text(client, text):
    with pytest.raises(TextError, match="empty"):
        check_text(text)
    body = refused(post(client, text, photo("cow_gcompris.jpg")), 422, "bad_text")
    assert "empty" in body["detail"]
    with pytest.raises(ValueError, match="empty"):  # the batch command's check: that line gets an error record
        batch_read_image({"text": text, "image": "cow_gcompris.jpg"}, PHOTOS, ImageReader())
    assert check_text("a\u200bcow") == "a\u200bcow"  # a visible character is enough


def test_every_error_carries_the_request_id(client):
    r = client.get("/no/such/page", headers={"X-Request-ID": "trace-42.a_b"})
    assert refused(r, 404, "not_found")["id"] == "trace-42.a_b" == r.headers["x-request-id"]
    r = client.get("/no/such/page", headers={"X-Request-ID": "bad id\twith tabs"})
    assert refused(r, 404, "not_found")["id"] == r.headers["x-request-id"] != "bad id\twith tabs"
    r = post(client, "", photo("cow_gcompris.jpg"))
    assert refused(r, 422, "bad_text")["id"] == r.headers["x-request-id"]
    assert client.get("/healthz").headers["x-request-id"]


def test_access_log_has_one_line_per_request_as_json_when_asked(app_with, caplog):
    as_json = app_with(log_format="json")
    with caplog.at_level(logging.INFO, logger="animal_verifier.access"):
        r = post(as_json, "A cow.", photo("cow_gcompris.jpg"))
        as_json.get("/nowhere")
    lines = [json.loads(rec.getMessage()) for rec in caplog.records if rec.name == "animal_verifier.access"]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("POST", "/v1/verify", 200), ("GET", "/nowhere", 404)]  # fmt: skip
    assert lines[0]["id"] == r.headers["x-request-id"] and lines[0]["client"] == "testclient" and lines[0]["ms"] > 0


# ---- metrics ---------------------------------------------------------------------------------------------
def scrape(test_client, **headers) -> dict[str, list]:
    from prometheus_client.parser import text_string_to_metric_families

    r = test_client.get("/metrics", headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {family.name: family.samples for family in text_string_to_metric_families(r.text)}


def test_metrics_in_prometheus_text_format(app_with):
    fresh = app_with()
    assert post(fresh, "A cow.", photo("cow_gcompris.jpg")).status_code == 200
    fresh.get("/no/such/page")
    families = scrape(fresh)
    requests = {(s.labels["route"], s.labels["status"]): s.value for s in families["animal_verifier_requests"]
                if s.name.endswith("_total")}  # fmt: skip
    assert requests[("/v1/verify", "200")] == 1 and requests[("other", "404")] == 1
    count = [s for s in families["animal_verifier_request_duration_seconds"]
             if s.name.endswith("_count") and s.labels["route"] == "/v1/verify"]  # fmt: skip
    assert count[0].value == 1
    values = {s.name + json.dumps(s.labels, sort_keys=True): s.value for f in families.values() for s in f}
    assert values["animal_verifier_queue_depth{}"] == 0 and values["animal_verifier_pixels_in_flight{}"] == 0
    assert values['animal_verifier_model_state{"state": "ready"}'] == 1
    assert values['animal_verifier_model_state{"state": "failed"}'] == 0
    assert "animal_verifier_requests_in_flight" in families


# ---- the pixel budget ------------------------------------------------------------------------------------
def test_pixel_budget_admits_in_order_and_bounds_what_is_in_flight():
    budget = PixelBudget(100)
    a = budget.acquire(60, timeout=1)
    with pytest.raises(NoRoom) as err:
        budget.acquire(50, timeout=0.05)
    assert (err.value.status, err.value.error, err.value.retry_after) == (503, "busy", "1")
    admitted = []
    waiter = threading.Thread(target=lambda: admitted.append(budget.acquire(50, timeout=30)))
    waiter.start()
    time.sleep(0.1)
    assert not admitted and budget.in_flight == 60
    budget.release(a)
    waiter.join(30)
    assert admitted == [50] and budget.in_flight == 50
    budget.release(50)
    assert budget.acquire(1_000, timeout=0) == 100  # bigger than the whole budget: admitted alone
    with pytest.raises(NoRoom):
        budget.acquire(1, timeout=0)
    budget.release(100)
    assert budget.in_flight == 0


def test_an_image_that_finds_no_room_is_refused_with_503_and_no_decode():
    budget = PixelBudget(1_000_000)
    budget.acquire(1_000_000, timeout=0)  # someone else's decode
    admission = Admission(Preprocessing(), budget, None, wait_s=0.05)
    with pytest.raises(ApiError) as err:
        decode_upload(photo("cow_gcompris.jpg"), SETTINGS, admission)
    assert (err.value.status, err.value.error) == (503, "busy")
    late = Admission(Preprocessing(), PixelBudget(10**9), time.monotonic() - 1)
    with pytest.raises(ApiError) as err:
        decode_upload(photo("cow_gcompris.jpg"), SETTINGS, late)
    assert (err.value.status, err.value.error) == (503, "busy") and "no time" in err.value.detail


def test_batch_item_that_finds_no_room_gets_503_and_the_answer_retry_after(app_with):
    small = app_with(max_pixels_in_flight=1_000_000, pixel_wait_s=0.05)
    small.app.state.budget.acquire(1_000_000, timeout=0)
    files = [("text", (None, b"A cow.")), ("image", ("c.jpg", photo("cow_gcompris.jpg")))]
    r = small.post("/v1/verify/batch", files=files)
    assert r.status_code == 200 and r.headers["retry-after"] == "1"
    assert r.json()["results"][0]["error"]["error"] == "busy"
    refused(post(small, "A cow.", photo("cow_gcompris.jpg")), 503, "busy")
    small.app.state.budget.release(1_000_000)
    assert post(small, "A cow.", photo("cow_gcompris.jpg")).status_code == 200


def test_thin_strip_scaled_up_past_the_pixel_limit_is_413():
    strip = encode(Image.new("1", (40_000, 10)), "PNG")  # 0.4 MP, but 1 M x 256 at the model's input size
    with pytest.raises(ApiError) as err:
        decode_upload(strip, SETTINGS, Admission(Preprocessing()))
    assert (err.value.status, err.value.error) == (413, "too_many_pixels") and "shorter side" in err.value.detail


@pytest.mark.parametrize("size", [(640, 480), (333, 1001), (257, 256), (256, 256), (100, 60), (4000, 3000)])
def test_model_view_leaves_the_image_model_input_unchanged(size):
    """An upload is reduced to the model's view right after decoding; the model's input is the same, bit
    for bit, as from the full image (the server's answers don't change, only its memory)."""
    p = Preprocessing()
    full = Image.open(PHOTOS / "squirrel_opencv.jpg").convert("RGB").resize(size, Image.Resampling.BILINEAR)
    view = model_view(full, p)
    assert view.size == (p.resize, p.resize) or min(full.size) < p.resize
    assert np.array_equal(preprocess(view, p), preprocess(full, p))


def test_decoded_upload_is_the_model_view(client):
    engine = client.app.state.engine
    image = decode_upload(photo("cow_gcompris.jpg"), SETTINGS, Admission(engine.preprocessing))
    full = decode_upload(photo("cow_gcompris.jpg"), SETTINGS, Admission())
    assert image.size == (engine.preprocessing.resize,) * 2 and full.size != image.size
    assert np.array_equal(preprocess(image, engine.preprocessing), preprocess(full, engine.preprocessing))


# ---- settings --------------------------------------------------------------------------------------------
def test_new_kinds_of_settings_from_the_environment():
    s = ServerSettings.from_env({
        "ANIMAL_VERIFIER_API_KEYS_FILE": "keys.txt",
        "ANIMAL_VERIFIER_RATE_LIMIT": "2.5",
        "ANIMAL_VERIFIER_ALLOWED_HOSTS": "api.example.org, localhost",
        "ANIMAL_VERIFIER_CORS_ORIGINS": "",
        "ANIMAL_VERIFIER_LOG_FORMAT": "json",
    })  # fmt: skip
    assert (s.api_keys_file, s.rate_limit, s.allowed_hosts) == ("keys.txt", 2.5, ("api.example.org", "localhost"))
    assert s.cors_origins == () and s.log_format == "json"
    assert ServerSettings.from_env({"ANIMAL_VERIFIER_RATE_LIMIT": "none"}).rate_limit is None
    assert (
        ServerSettings.from_env(s.to_env()) == s
        and ServerSettings.from_env(ServerSettings().to_env()) == ServerSettings()
    )
    with pytest.raises(ValueError, match="ANIMAL_VERIFIER_RATE_LIMIT"):
        ServerSettings.from_env({"ANIMAL_VERIFIER_RATE_LIMIT": "fast"})
    with pytest.raises(ValueError, match="log_format"):
        ServerSettings.from_env({"ANIMAL_VERIFIER_LOG_FORMAT": "xml"})
    two = ServerSettings(rate_limit=10, max_pixels_in_flight=120_000_000).per_worker(2)
    assert (two.rate_limit, two.max_pixels_in_flight) == (5, 60_000_000)  # the service as a whole keeps them


# ---- the command, served for real ------------------------------------------------------------------------
SERVE_KEY = "serve-test-key-55555555"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def served(full_pipeline, tmp_path_factory):
    """`animal-verifier serve` in a subprocess on a free loopback port, with a keys file, a rate limit, a
    pixel budget of one 40-MP image and a text limit from the environment; its log goes to a file."""
    folder = tmp_path_factory.mktemp("served")
    (folder / "keys.txt").write_text(f"# test\n{SERVE_KEY}\n")
    log_path = folder / "server.log"
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ANIMAL_VERIFIER_MAX_TEXT_CHARS": "50",
           "ANIMAL_VERIFIER_MAX_PIXELS_IN_FLIGHT": "40000000", "ANIMAL_VERIFIER_PIXEL_WAIT_S": "8"}  # fmt: skip
    cmd = [sys.executable, "-m", "animal_verifier.cli", "serve", "--port", str(port), "--model", str(full_pipeline),
           "--api-keys-file", str(folder / "keys.txt"), "--rate-limit", "200"]  # fmt: skip
    with open(log_path, "w") as log:
        server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:  # open without a key
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, log_path.read_text()
            time.sleep(0.2)
        yield base, server, log_path
    finally:
        server.terminate()
        server.wait(30)


def test_serve_command_starts_a_working_server(served):
    base, _, log_path = served
    auth = {"Authorization": f"Bearer {SERVE_KEY}"}
    cow = {"image": ("c.jpg", photo("cow_gcompris.jpg"))}
    refused(httpx.post(f"{base}/v1/verify", data={"text": "A cow."}, files=cow), 401, "unauthorized")
    r = httpx.post(f"{base}/v1/verify", data={"text": "A cow."}, files=cow, headers=auth)
    assert r.status_code == 200 and r.json()["predicted"] == "cow"
    request_id = r.headers["x-request-id"]
    r = httpx.post(f"{base}/v1/verify", data={"text": "a" * 51}, files=cow, headers=auth)
    assert r.status_code == 422 and "50" in r.json()["detail"]  # the limit came from the environment
    assert "<title>" in httpx.get(f"{base}/").text
    refused(httpx.get(f"{base}/healthz", headers={"Host": "rebound.evil.example"}), 400, "bad_host")  # loopback default
    assert httpx.get(f"{base}/healthz", headers={"Host": "localhost:1"}).status_code == 200
    limits = httpx.get(f"{base}/v1/model", headers=auth).json()["limits"]
    assert limits["rate_limit"] == 200 and limits["max_pixels_in_flight"] == 40_000_000
    assert "api_keys_file" not in limits  # no file system path in an answer
    time.sleep(0.2)
    log = log_path.read_text()
    assert f"id={request_id}" in log and SERVE_KEY not in log
    assert log.count(f"id={request_id}") == 1 and '"POST /v1/verify HTTP/1.1"' not in log  # uvicorn's log is off


def test_concurrent_batches_of_large_pngs_stay_within_the_pixel_budget(served):
    """4 concurrent batches of 4 single-colour 40-MP PNGs (130 kB each, 160 MiB each decoded): with a budget
    of one such image, one is decoded at a time, so the server's memory grows by about one decode (measured:
    365 MiB), not four; every answer is 200, 413, 429 or 503; a normal request right after is answered.
    (bench/bench_server_memory.py measures the full case: 8 batches of 16, the default budget.)"""
    if not Path("/proc/self/status").exists():
        pytest.skip("reads the server's RSS from /proc")
    base, server, _ = served
    auth = {"X-API-Key": SERVE_KEY}
    big = encode(Image.new("RGB", (6300, 6300), (180, 40, 40)), "PNG")
    assert len(big) < 200_000
    files = [("text", (None, b"A red square."))] * 4 + [("image", (f"{i}.png", big, "image/png")) for i in range(4)]
    cow = {"data": {"text": "A cow."}, "files": {"image": ("c.jpg", photo("cow_gcompris.jpg"))}, "headers": auth}
    assert httpx.post(f"{base}/v1/verify", **cow).status_code == 200
    before = rss_mib(server.pid)
    samples, done = [before], threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(rss_mib(server.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: httpx.post(f"{base}/v1/verify/batch", files=files, headers=auth,
                                                         timeout=120), range(4)))  # fmt: skip
    finally:
        done.set()
        sampler.join()
    assert {r.status_code for r in answers} <= {200, 413, 429, 503}, [r.text for r in answers]
    served_items = [item for r in answers if r.status_code == 200 for item in r.json()["results"]]
    assert all(item["result"] or item["error"]["error"] == "busy" for item in served_items)
    assert any(item["result"] for item in served_items)  # item by item, large images are still served
    growth = max(samples) - before
    assert growth < 600, f"RSS grew by {growth:.0f} MiB (one decode holds about 330 MiB; 4 at once, 1.3 GiB)"
    r = httpx.post(f"{base}/v1/verify", **cow)
    assert r.status_code == 200 and r.json()["predicted"] == "cow"
    metrics = httpx.get(f"{base}/metrics", headers=auth).text
    assert "animal_verifier_pixels_in_flight 0.0" in metrics


def test_access_log_line_cannot_be_forged_through_the_path(client, caplog):
    with caplog.at_level(logging.INFO, logger="animal_verifier.access"):
        client.get("/x%0AINFO:%20forged%20line")
    (line,) = [rec.getMessage() for rec in caplog.records if rec.name == "animal_verifier.access"]
    assert "\n" not in line and "/x\\x0aINFO:\\x20forged" in line


def test_serve_command_sets_the_defaults_and_warns_off_loopback_without_keys(full_pipeline, monkeypatch, keys_file):
    """What `serve` hands uvicorn and its workers, without starting it: the loopback Host default, the
    per-worker share of the limits, uvicorn's access log and proxy headers off, the warning."""
    import uvicorn
    from typer.testing import CliRunner

    from animal_verifier.cli import app

    runs: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kwargs: runs.append(kwargs))
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANIMAL_VERIFIER_")}

    def invoke(*args: str):
        monkeypatch.setattr(os, "environ", dict(clean))  # what serve writes for its workers stays in the test
        return CliRunner().invoke(app, ["serve", "--model", str(full_pipeline), *args])

    result = invoke("--workers", "2", "--rate-limit", "10")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert os.environ["ANIMAL_VERIFIER_ALLOWED_HOSTS"] == "localhost,127.0.0.1,[::1]"
    assert os.environ["ANIMAL_VERIFIER_RATE_LIMIT"] == "5.0"  # each of 2 workers: half
    assert os.environ["ANIMAL_VERIFIER_MAX_PIXELS_IN_FLIGHT"] == "60000000"
    assert runs[-1]["access_log"] is False and runs[-1]["proxy_headers"] is False and runs[-1]["workers"] == 2
    result = invoke("--host", "0.0.0.0")
    assert result.exit_code == 0 and "without API keys" in result.output
    assert os.environ["ANIMAL_VERIFIER_ALLOWED_HOSTS"] == "none"  # any host, unless --allowed-hosts says
    result = invoke("--host", "0.0.0.0", "--api-keys-file", str(keys_file))
    assert result.exit_code == 0 and "warning" not in result.output
    result = invoke("--api-keys-file", str(keys_file.with_name("none.txt")))
    assert (
        result.exit_code == 1 and "can't read the API keys file" in result.output and "Traceback" not in result.output
    )
    result = invoke("--forwarded-allow-ips", "not-an-address")
    assert result.exit_code == 1 and "Traceback" not in result.output
