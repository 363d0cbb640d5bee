"""Every refusal the API makes, and the one JSON shape it has: ``{"error": code, "detail": sentence, "id": ...}``.

Refusals are raised as :class:`ApiError` anywhere (parsing, decoding, the inference queue, the middleware)
and turned into responses here, so a client never sees a traceback or an HTML error page. Every error body
carries the request's id (also sent as ``X-Request-ID`` and written in the access log); anything unexpected
becomes a 500 whose traceback is logged under that id, and only there.
"""

from __future__ import annotations

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A refusal the client can act on: HTTP status, a short machine code and a sentence for people."""

    def __init__(self, status: int, error: str, detail: str, retry_after: str | None = None):
        super().__init__(detail)
        self.status, self.error, self.detail = status, error, detail
        self.retry_after = retry_after or ("1" if status == 503 else None)  # a 503 is never the client's fault

    def body(self) -> dict:
        return {"error": self.error, "detail": self.detail}


class NotReady(ApiError):
    """503: the model is still loading or failed to load; the same request may succeed later."""

    def __init__(self, detail: str):
        super().__init__(503, "not_ready", detail)


class Overloaded(ApiError):
    """503: the inference queue is full; refusing at once beats letting requests pile up until they time out."""

    def __init__(self, size: int):
        super().__init__(503, "overloaded", f"the server is busy ({size} pairs waiting); try again shortly")


class ErrorBody(BaseModel):
    error: str = Field(description="short machine-readable code, e.g. upload_too_large")
    detail: str = Field(description="what was wrong, for people")
    id: str | None = Field(None, description="the request's id (X-Request-ID); a 500's traceback is logged under it")


# The error answers of the two POST endpoints, for the OpenAPI schema.
ERROR_RESPONSES = {
    code: {"model": ErrorBody, "description": text}
    for code, text in {
        400: "malformed multipart body, or a Host name the server does not answer to",
        401: "no valid API key (when the server has keys)",
        403: "a page from another site (Origin) that --cors-origin does not name",
        413: "upload, pixel count or item count over the limit",
        415: "not multipart/form-data, or the upload is not an image",
        422: "missing or unexpected field, bad text, corrupt image",
        429: "over the client's rate limit (Retry-After says when to try again)",
        500: "internal error (with an id)",
        503: "model not loaded yet, busy (queue, requests or pixels in flight), or past the time limit",
    }.items()
}


def request_id(request: Request) -> str | None:
    """The id the middleware gave the request (:mod:`.middleware`), if it ran."""
    return getattr(request.state, "request_id", None)


def error_response(err: ApiError, request_id: str | None = None) -> JSONResponse:
    """The response for a refusal; a 503 or 429 says when to try again."""
    headers = {"Retry-After": err.retry_after} if err.retry_after else None
    return JSONResponse({**err.body(), "id": request_id}, status_code=err.status, headers=headers)


def internal_error_body(error_id: str) -> dict:
    return {"error": "internal_error", "detail": "something went wrong on the server; the id is in its log",
            "id": error_id}  # fmt: skip


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error in the shape above: ours, routing (404/405), validation and unexpected ones."""

    @app.exception_handler(ApiError)
    async def on_api_error(request: Request, err: ApiError) -> JSONResponse:
        return error_response(err, request_id(request))

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(err.status_code, "http_error")
        body = {"error": code, "detail": str(err.detail), "id": request_id(request)}
        return JSONResponse(body, status_code=err.status_code, headers=getattr(err, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, err: RequestValidationError) -> JSONResponse:
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        return JSONResponse({"error": "bad_request", "detail": detail, "id": request_id(request)}, status_code=422)

    @app.exception_handler(Exception)
    async def on_internal_error(request: Request, err: Exception) -> JSONResponse:
        # The middleware answers these first; this stays for an app served without it.
        error_id = request_id(request) or uuid.uuid4().hex[:16]
        log.error("internal error %s on %s %s", error_id, request.method, request.url.path, exc_info=err)
        return JSONResponse(internal_error_body(error_id), status_code=500)
