"""What the `serve` command sets up around uvicorn: the log configuration, the metrics folder shared by
several workers, and whether an address is loopback."""

from __future__ import annotations

import copy
import ipaddress
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from animal_verifier.serve.metrics import MULTIPROC_ENV


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: only this machine can connect."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def log_config(log_format: str, level: str) -> dict:
    """uvicorn's logging configuration plus the app's loggers: the access log (one line a request, text in
    uvicorn's style or JSON alone on its line) on standard output, the app's errors with uvicorn's."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["av_json"] = {"format": "%(message)s"}
    config["handlers"]["av_access"] = {
        "formatter": "av_json" if log_format == "json" else "default",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stdout",
    }
    config["loggers"]["animal_verifier.access"] = {"handlers": ["av_access"], "level": level.upper(),
                                                   "propagate": False}  # fmt: skip
    config["loggers"]["animal_verifier"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config


@contextmanager
def metrics_folder(workers: int) -> Iterator[str | None]:
    """With several workers, a fresh folder for prometheus-client's multiprocess mode, removed at the end;
    an operator's own PROMETHEUS_MULTIPROC_DIR is used as it is and left alone."""
    if workers == 1 or os.environ.get(MULTIPROC_ENV):
        yield os.environ.get(MULTIPROC_ENV)
        return
    folder = tempfile.mkdtemp(prefix="animal-verifier-metrics-")
    os.environ[MULTIPROC_ENV] = folder
    try:
        yield folder
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(folder, ignore_errors=True)
