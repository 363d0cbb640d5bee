"""The one ASGI middleware in front of the app: request ids, Host and Origin checks, API keys, rate limits,
the cap on requests in flight, the access log and the request metrics.

Pure ASGI (no ``BaseHTTPMiddleware``), so bodies stream through untouched. In order, for each request:

1. an id (the client's ``X-Request-ID`` when it is short and plain, else a new one), returned as
   ``X-Request-ID``, put in every error body and in the access-log line;
2. ``Host`` not in ``allowed_hosts`` -> 400 ``bad_host`` (DNS rebinding);
3. a CORS preflight is answered here: 204 for an origin in ``cors_origins``, else 403;
4. a POST from a browser page of another origin not in ``cors_origins`` -> 403 ``cross_origin``;
5. ``/v1/...`` and ``/metrics`` without an accepted key, when keys are set -> 401 ``unauthorized``;
6. ``/v1/...``: over the client's rate -> 429 ``rate_limited``; more than ``max_in_flight`` being served
   -> 503 ``overloaded``; both with ``Retry-After``;
7. anything unexpected -> 500 ``internal_error`` with the id, the traceback logged under the same id.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from animal_verifier.serve.access import KeyRing, Proxies, RateLimiter, cross_site, host_allowed, presented_key
from animal_verifier.serve.access import retry_after as retry_after_header
from animal_verifier.serve.errors import ApiError, error_response, internal_error_body
from animal_verifier.serve.metrics import Metrics
from animal_verifier.serve.settings import ServerSettings

log = logging.getLogger("animal_verifier.serve.errors")
access_log = logging.getLogger("animal_verifier.access")

_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")  # a decoded path may hold a newline: never a forged log line
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CORS_HEADERS = "Authorization, X-API-Key, Content-Type, X-Request-ID"


def is_api(path: str) -> bool:
    return path.startswith("/v1/")


class Guard:
    """See the module's docstring. ``gauges()`` returns the current queue depth and pixels in flight."""

    def __init__(
        self,
        app: ASGIApp,
        settings: ServerSettings,
        metrics: Metrics,
        gauges: Callable[[], dict],
        keys: KeyRing | None = None,
    ):
        self.app = app
        self.settings = settings
        self.metrics = metrics
        self.gauges = gauges
        self.keys = keys
        self.proxies = Proxies(settings.forwarded_allow_ips)
        self.limiter = RateLimiter(settings.rate_limit, settings.rate_burst_s) if settings.rate_limit else None
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get("x-request-id", "")
        request_id = given if _SAFE_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        path, method = scope["path"], scope["method"]
        peer = scope["client"][0] if scope.get("client") else "unknown"
        client = self.proxies.client(peer, headers.get("x-forwarded-for"))
        origin = headers.get("origin")
        cors = origin if origin in self.settings.cors_origins else None
        status = [500]
        key_id: str | None = None
        counted = False

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                extra = [(b"x-request-id", request_id.encode())]
                if cors:
                    extra += [(b"access-control-allow-origin", cors.encode()), (b"vary", b"Origin"),
                              (b"access-control-expose-headers", b"X-Request-ID, Retry-After")]  # fmt: skip
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            refusal = self.refusal(scope, headers, path, method, cors)
            preflight = method == "OPTIONS" and "origin" in headers and "access-control-request-method" in headers
            if refusal is None and preflight:  # a browser asking first; it sends no key with it
                await Response(status_code=204, headers=self.preflight_headers())(scope, receive, send_with_headers)
                return
            if refusal is None and (is_api(path) or path == "/metrics") and self.keys is not None:
                key_id = self.keys.identify(presented_key(headers))
                if key_id is None:
                    refusal = ApiError(401, "unauthorized", "send a valid API key: 'Authorization: Bearer <key>' "
                                       "or 'X-API-Key: <key>'")  # fmt: skip
            if refusal is None and is_api(path):
                refusal = self.admit(key_id or client)
                counted = refusal is None
            if refusal is not None:
                await self.refuse(refusal, request_id, scope, receive, send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        except Exception as err:  # noqa: BLE001 - answered 500 with the id; the traceback goes to the log
            log.error("internal error %s on %s %s", request_id, method, path, exc_info=err)
            status[0] = 500
            body = JSONResponse(internal_error_body(request_id), status_code=500)
            try:
                await body(scope, receive, send_with_headers)
            except Exception:  # noqa: BLE001 - the response had already started: nothing more to send
                pass
        finally:
            if counted:
                self.in_flight -= 1
            seconds = time.perf_counter() - started
            self.metrics.observe(path, method, status[0], seconds)
            self.metrics.update(in_flight=self.in_flight, **self.gauges())
            self.log_access(request_id, client, key_id, method, path, status[0], seconds)

    # ---- the checks
    def refusal(self, scope: Scope, headers: dict, path: str, method: str, cors: str | None) -> ApiError | None:
        """The Host, preflight and Origin checks: the refusal, or None."""
        allowed = self.settings.allowed_hosts
        if allowed is not None and not host_allowed(headers.get("host"), allowed):
            return ApiError(400, "bad_host", "this server does not answer to that Host name")
        if method == "OPTIONS" and "origin" in headers and "access-control-request-method" in headers and not cors:
            return ApiError(403, "cross_origin", "this origin may not call the API (see --cors-origin)")
        if method in UNSAFE_METHODS:
            foreign = cross_site(headers, self.settings.cors_origins)
            if foreign is not None:
                return ApiError(403, "cross_origin", "a page from another site may not call this API "
                                "(the server's --cors-origin names the sites that may)")  # fmt: skip
        return None

    def admit(self, client: str) -> ApiError | None:
        """The rate limit and the cap on requests in flight: the refusal, or None (then counted in flight)."""
        if self.limiter is not None:
            wait = self.limiter.take(client)
            if wait > 0:
                detail = f"over {self.settings.rate_limit:g} requests a second; slow down"
                return ApiError(429, "rate_limited", detail, retry_after_header(wait))
        if self.in_flight >= self.settings.max_in_flight:
            return ApiError(503, "overloaded", f"the server is busy ({self.in_flight} requests being served); "
                            "try again shortly")  # fmt: skip
        self.in_flight += 1
        return None

    def preflight_headers(self) -> dict[str, str]:
        return {"access-control-allow-methods": "GET, POST", "access-control-allow-headers": CORS_HEADERS,
                "access-control-max-age": "600"}  # fmt: skip

    async def refuse(self, err: ApiError, request_id: str, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(err, request_id)
        if err.status == 401:
            response.headers["www-authenticate"] = "Bearer"
        await response(scope, receive, send)

    # ---- the access log
    def log_access(self, request_id, client, key_id, method, path, status, seconds) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        ms = round(seconds * 1000, 1)
        if self.settings.log_format == "json":
            line = json.dumps({"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "id": request_id,
                               "client": client, "key": key_id, "method": method, "path": path, "status": status,
                               "ms": ms})  # fmt: skip
        else:
            path, client = (_CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text) for text in (path, client))
            line = f'{client} {key_id or "-"} "{method} {path}" {status} {ms} ms id={request_id}'
        access_log.info(line)
