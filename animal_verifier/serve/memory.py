"""A cap on glibc's malloc arenas, so that the server's memory stays flat under concurrent load; and
Pillow's large images in blocks that go back to the system when freed.

glibc gives a thread that finds the main malloc arena busy an arena of its own, up to 8 per core. In the
server, the worker threads that parse and decode uploads (anyio's pool, up to 40), the inference thread and
the torch and ONNX Runtime threads spread their allocations over up to 16 arenas, and each arena keeps its
own freed pages and fragments. Under 16 clients the server's RSS kept creeping up in steps, a few MiB a
minute, with no growth in Python objects (tracemalloc) or in spaCy's StringStore; with 2 arenas the same
load levels off, lower (docs/server.md, "The 16-client soak"). The cap is set before the server starts its
threads; ``MALLOC_ARENA_MAX`` in the environment, which glibc reads itself, takes precedence.

Pillow allocates a decoded image in blocks of 16 MiB. glibc serves an allocation that large with mmap only
until the first such block is freed; then it raises its mmap threshold (up to 32 MiB) and serves the next
ones from its heaps, which keep the pages when they are freed. A 40-MP upload holds 160 MiB of blocks, so
after a few large uploads RSS stayed about 250 MiB above what was live (docs/server.md, "Bounded memory").
With blocks of 64 MiB, over the largest threshold, every block of a big image is mapped and unmapped; a
small image still takes only the bytes it needs.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_ARENA_MAX = -8  # glibc's <malloc.h>
PIL_BLOCK_BYTES = 64 * 1024 * 1024  # over glibc's largest dynamic mmap threshold (32 MiB on 64-bit)


def limit_malloc_arenas(arenas: int) -> bool:
    """``mallopt(M_ARENA_MAX, arenas)`` on glibc; True when the cap was set. False, changing nothing,
    on other C libraries (musl, macOS, Windows) and when ``MALLOC_ARENA_MAX`` is set in the environment."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    libc = ctypes.CDLL(None)  # the C library this process already runs on
    if not hasattr(libc, "gnu_get_libc_version"):  # not glibc: no such option
        return False
    return libc.mallopt(M_ARENA_MAX, arenas) == 1


def unmapped_image_blocks() -> None:
    """Pillow's image blocks of :data:`PIL_BLOCK_BYTES`, so a big decoded image is returned to the system
    when it is freed (see the module's docstring)."""
    from PIL import Image

    Image.core.set_block_size(PIL_BLOCK_BYTES)
