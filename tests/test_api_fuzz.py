"""The HTTP API fuzzed from its own OpenAPI schema (Schemathesis), in-process, on the rules-NER pipeline.

Schemathesis generates requests that fit the schema and requests that break it; every answer must be no
5xx, conform to the documented status codes, content types and bodies, and, when it is an error, be the
documented ``{"error", "detail"}`` shape with no internal object reprs and no file system paths. A second
test sends raw bodies nobody would write (any bytes under any content type) to the two POST endpoints.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from animal_verifier.serve.app import create_app

INTERNAL = re.compile(r" at 0x[0-9a-fA-F]+|Traceback|File \"|(^|[\s(\[':\"])/(tmp|work|usr|home|root|opt|var)/")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def client(full_pipeline):
    """The app, started once (its lifespan starts the inference thread, which can't be started twice)."""
    app = create_app(str(full_pipeline))
    with TestClient(app) as test_client:
        assert app.state.engine.wait_ready(300), app.state.engine.error
        yield test_client


def without_lifespan(app):
    """The app for Schemathesis, which starts and stops an app's lifespan as it likes: the client fixture
    owns it, so lifespan events are acknowledged here and never reach the app."""

    async def asgi(scope, receive, send):
        if scope["type"] != "lifespan":
            return await app(scope, receive, send)
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})

    return asgi


@pytest.fixture(scope="module")
def api_schema(client):
    return schemathesis.openapi.from_asgi("/openapi.json", without_lifespan(client.app))


def assert_clean_error(status: int, body: object) -> None:
    """An error answer is the documented shape, says something, and names nothing internal."""
    assert isinstance(body, dict) and set(body) <= {"error", "detail", "id"}, body
    assert isinstance(body["error"], str) and re.fullmatch(r"[a-z_]+", body["error"]), body
    assert isinstance(body["detail"], str) and body["detail"].strip(), body
    assert not INTERNAL.search(body["detail"]), body
    assert status < 500 or body["error"] in ("not_ready", "overloaded", "timeout"), (status, body)


@pytest.fixture(scope="module")
def generated_requests(api_schema) -> dict[str, st.SearchStrategy]:
    """Requests on every operation of the schema: ones that fit it (positive) and ones that break it."""
    return {mode: api_schema.as_strategy(generation_mode=mode) for mode in GenerationMode}


# Schemathesis' own pytest entry for a schema made by a fixture (``from_fixture``) needs pytest internals
# that pytest 9 removed, so its strategies are drawn here under a plain Hypothesis test.
@pytest.mark.parametrize("mode", list(GenerationMode), ids=str)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_api_answers_every_generated_request_in_its_documented_shape(generated_requests, mode, data):
    case = data.draw(generated_requests[mode], label="request")
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    if response.status_code >= 400:
        assert_clean_error(response.status_code, response.json())
    else:
        content_type = response.headers.get("content-type", [""])[0]  # Schemathesis: a list per header
        assert content_type.startswith(("application/json", "text/html")), content_type


CONTENT_TYPES = st.sampled_from(
    ["multipart/form-data; boundary=xyz", "multipart/form-data", "multipart/form-data; boundary=",
     "application/json", "text/plain; charset=utf-8", "image/jpeg", "", "multipart/mixed; boundary=a"]
)  # fmt: skip


@st.composite
def bodies(draw) -> bytes:
    """Any bytes, or a multipart body with a boundary 'xyz' and parts made of any bytes."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=400))
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(["text", "image", "other", "", "te\xffxt"]))
        filename = draw(st.sampled_from(["", '; filename="a.jpg"', '; filename="../../etc/passwd"']))
        head = f'Content-Disposition: form-data; name="{name}"{filename}'.encode("utf-8", "surrogateescape")
        parts.append(b"--xyz\r\n" + head + b"\r\n\r\n" + draw(st.binary(max_size=120)) + b"\r\n")
    return b"".join(parts) + draw(st.sampled_from([b"--xyz--\r\n", b"", b"--xyz"]))


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(path=st.sampled_from(["/v1/verify", "/v1/verify/batch"]), ctype=CONTENT_TYPES, body=bodies())
@example(path="/v1/verify", ctype="multipart/form-data; boundary=xyz",
         body=b'--xyz\r\nContent-Disposition: form-data; name="text"\r\n\r\nA cow.\r\n'
              b'--xyz\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n\r\n'
              b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\r\n--xyz--\r\n")  # fmt: skip
def test_raw_bodies_get_a_clean_4xx(client, path, ctype, body):
    response = client.post(path, content=body, headers={"content-type": ctype} if ctype else {})
    assert response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/json")
    if response.status_code >= 400:
        assert_clean_error(response.status_code, response.json())
    else:
        for item in response.json().get("results", []):
            if item.get("error"):
                assert_clean_error(422, item["error"])
