"""The server's limits, and the environment variables that set them.

Each field of :class:`ServerSettings` can be set as ``ANIMAL_VERIFIER_<FIELD>``, so that
``serve --workers N`` (whose worker processes build their app from the environment) and plain
``uvicorn --factory`` get the same limits as the process that was started.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from animal_verifier.text.checks import MAX_TEXT_CHARS

ENV_PREFIX = "ANIMAL_VERIFIER_"
ENV_MODEL = ENV_PREFIX + "MODEL"  # pipeline folder or package; the workers read it (see the `serve` command)


def env_name(setting: str) -> str:
    """The environment variable of a setting: ``max_upload_bytes`` -> ``ANIMAL_VERIFIER_MAX_UPLOAD_BYTES``."""
    return ENV_PREFIX + setting.upper()


@dataclass(frozen=True)
class ServerSettings:
    """Limits that protect the service. Each can be set from the environment, e.g.
    ``ANIMAL_VERIFIER_MAX_UPLOAD_BYTES=5000000`` (see :meth:`from_env`)."""

    max_upload_bytes: int = 10 * 1024 * 1024  # one image file
    max_pixels: int = 40_000_000  # width x height, read from the header before decoding
    max_text_chars: int = MAX_TEXT_CHARS
    request_timeout_s: float = 10.0  # whole request: reading, decoding, waiting, inference
    max_batch_items: int = 16  # pairs in one /v1/verify/batch request
    max_batch_bytes: int = 32 * 1024 * 1024  # whole body of a batch request
    max_queue: int = 64  # pairs waiting for the inference thread; more is refused with 503
    max_batch_size: int = 16  # pairs the inference thread runs in one nlp.pipe call
    malloc_arenas: int = 2  # glibc malloc arenas: fewer keeps memory flat under concurrent load (see .memory)

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) <= 0:
                raise ValueError(f"{f.name} must be positive, got {getattr(self, f.name)}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServerSettings:
        """Defaults, overridden by every ``ANIMAL_VERIFIER_<FIELD>`` that is set; a bad value is a ValueError
        naming the variable, so `serve` can refuse to start with a clear message."""
        environ = os.environ if environ is None else environ
        values: dict[str, int | float] = {}
        for f in fields(cls):
            name = env_name(f.name)
            raw = environ.get(name)
            if raw is not None:
                kind = float if f.type in ("float", float) else int
                try:
                    values[f.name] = kind(raw)
                except ValueError:
                    raise ValueError(f"{name}={raw!r} is not a number") from None
        return cls(**values)
