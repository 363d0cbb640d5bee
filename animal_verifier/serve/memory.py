"""A cap on glibc's malloc arenas, so that the server's memory stays flat under concurrent load.

glibc gives a thread that finds the main malloc arena busy an arena of its own, up to 8 per core. In the
server, the worker threads that parse and decode uploads (anyio's pool, up to 40), the inference thread and
the torch and ONNX Runtime threads spread their allocations over up to 16 arenas, and each arena keeps its
own freed pages and fragments. Under 16 clients the server's RSS kept creeping up in steps, a few MiB a
minute, with no growth in Python objects (tracemalloc) or in spaCy's StringStore; with 2 arenas the same
load levels off, lower (docs/server.md, "The 16-client soak"). The cap is set before the server starts its
threads; ``MALLOC_ARENA_MAX`` in the environment, which glibc reads itself, takes precedence.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_ARENA_MAX = -8  # glibc's <malloc.h>


def limit_malloc_arenas(arenas: int) -> bool:
    """``mallopt(M_ARENA_MAX, arenas)`` on glibc; True when the cap was set. False, changing nothing,
    on other C libraries (musl, macOS, Windows) and when ``MALLOC_ARENA_MAX`` is set in the environment."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    libc = ctypes.CDLL(None)  # the C library this process already runs on
    if not hasattr(libc, "gnu_get_libc_version"):  # not glibc: no such option
        return False
    return libc.mallopt(M_ARENA_MAX, arenas) == 1
