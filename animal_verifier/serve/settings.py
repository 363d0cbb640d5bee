"""The server's limits and access rules, and the environment variables that set them.

Each field of :class:`ServerSettings` can be set as ``ANIMAL_VERIFIER_<FIELD>``, so that
``serve --workers N`` (whose worker processes build their app from the environment) and plain
``uvicorn --factory`` get the same settings as the process that was started. Numbers are written as
numbers; a limit that may be off takes ``none``; a list is comma-separated (``a.example,b.example``).
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, fields

from animal_verifier.text.checks import MAX_TEXT_CHARS

ENV_PREFIX = "ANIMAL_VERIFIER_"
ENV_MODEL = ENV_PREFIX + "MODEL"  # pipeline folder or package; the workers read it (see the `serve` command)
NO_LIMIT = "none"  # how the environment says "no limit" for a limit that may be off
LOG_FORMATS = ("text", "json")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")  # `serve`'s default --allowed-hosts on a loopback address


def env_name(setting: str) -> str:
    """The environment variable of a setting: ``max_upload_bytes`` -> ``ANIMAL_VERIFIER_MAX_UPLOAD_BYTES``."""
    return ENV_PREFIX + setting.upper()


@dataclass(frozen=True)
class ServerSettings:
    """Limits and access rules. Each can be set from the environment, e.g.
    ``ANIMAL_VERIFIER_MAX_UPLOAD_BYTES=5000000`` (see :meth:`from_env`). ``None`` means off: no keys, no
    rate limit, any Host."""

    max_upload_bytes: int = 10 * 1024 * 1024  # one image file
    max_pixels: int = 40_000_000  # width x height, read from the header before decoding
    max_text_chars: int = MAX_TEXT_CHARS
    request_timeout_s: float = 10.0  # whole request: reading, decoding, waiting, inference
    max_batch_items: int = 16  # pairs in one /v1/verify/batch request
    max_batch_bytes: int = 32 * 1024 * 1024  # whole body of a batch request
    max_queue: int = 64  # pairs waiting for the inference thread; more is refused with 503
    max_batch_size: int = 16  # pairs the inference thread runs in one nlp.pipe call
    malloc_arenas: int = 2  # glibc malloc arenas: fewer keeps memory flat under concurrent load (see .memory)
    max_pixels_in_flight: int = 120_000_000  # decoded pixels across all requests (see .budget)
    pixel_wait_s: float = 2.0  # how long an image waits for room in that budget before its 503
    max_in_flight: int = 32  # API requests being served at once; more get 503 at once
    api_keys_file: str | None = None  # one key a line, '#' comments; None: no key needed
    rate_limit: float | None = None  # API requests per second per client; None: no limit
    rate_burst_s: float = 5.0  # a client may spend this many seconds' worth of requests at once
    forwarded_allow_ips: tuple[str, ...] = ()  # proxies whose X-Forwarded-For names the client
    allowed_hosts: tuple[str, ...] | None = None  # Host header values (any port); None: any
    cors_origins: tuple[str, ...] = ()  # other origins whose browser pages may call the API
    log_format: str = "text"  # the access log: text or json (one object a line)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
                raise ValueError(f"{f.name} must be positive, got {value}")
        if self.log_format not in LOG_FORMATS:
            raise ValueError(f"log_format must be one of {', '.join(LOG_FORMATS)}, got {self.log_format!r}")

    def per_worker(self, workers: int) -> ServerSettings:
        """The share of one of ``workers`` processes: each holds its own rate limits and pixel budget, so
        they are divided for the service as a whole to keep the numbers given."""
        if workers == 1:
            return self
        rate = self.rate_limit / workers if self.rate_limit is not None else None
        pixels = max(1, self.max_pixels_in_flight // workers)
        return dataclasses.replace(self, rate_limit=rate, max_pixels_in_flight=pixels)

    def to_env(self) -> dict[str, str]:
        """Every setting as its environment variable, read back by :meth:`from_env` (the workers do)."""
        return {env_name(f.name): _format(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServerSettings:
        """Defaults, overridden by every ``ANIMAL_VERIFIER_<FIELD>`` that is set; a bad value is a ValueError
        naming the variable, so `serve` can refuse to start with a clear message."""
        environ = os.environ if environ is None else environ
        hints = typing.get_type_hints(cls)
        values: dict[str, object] = {}
        for f in fields(cls):
            name = env_name(f.name)
            raw = environ.get(name)
            if raw is not None:
                try:
                    values[f.name] = _parse(raw, hints[f.name])
                except ValueError as err:
                    raise ValueError(f"{name}={raw!r}: {err}") from None
        try:
            return cls(**values)
        except ValueError as err:
            raise ValueError(f"{err} (from the ANIMAL_VERIFIER_* environment)") from None


def _format(value: object) -> str:
    if value is None:
        return NO_LIMIT
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


def _parse(raw: str, kind: object) -> object:
    """A setting's value from its environment text, by the field's type."""
    optional = isinstance(kind, types.UnionType) and type(None) in typing.get_args(kind)
    if optional:
        if raw.strip().lower() in (NO_LIMIT, ""):
            return None
        kind = next(k for k in typing.get_args(kind) if k is not type(None))
    if typing.get_origin(kind) is tuple:
        return tuple(item.strip() for item in raw.split(",") if item.strip())
    if kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            raise ValueError("not a number" + (f" (or {NO_LIMIT})" if optional else "")) from None
    return raw
