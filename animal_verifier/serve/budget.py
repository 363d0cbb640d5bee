"""The budget of decoded pixels in flight across all requests of one server process.

Each upload's pixel count is checked on its own (``max_pixels``), but decoding happens in worker threads,
many at once: 16 single-colour 40-MP PNGs of 130 kB each hold 2.5 GB decoded. So every image is admitted
here, by the pixel count its header promises, before it is decoded, and gives its pixels back once it is
reduced to the model's input size. An image that does not fit waits its turn (first come, first served)
for at most a few seconds; then its request or batch item is refused with 503, never decoded unbounded.
An image larger than the whole budget is admitted alone, when nothing else is in flight.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from animal_verifier.serve.errors import ApiError


class NoRoom(ApiError):
    """503: too many pixels are being decoded right now; the same image may fit in a moment."""

    def __init__(self, pixels: int, limit: int):
        super().__init__(503, "busy", f"the server is decoding other images ({pixels:,} of {limit:,} pixels "
                         "in flight); try again shortly")  # fmt: skip


class PixelBudget:
    """A counting semaphore over pixels, fair (first come, first served) and thread-safe."""

    def __init__(self, limit: int):
        self.limit = limit
        self.in_flight = 0
        self._cond = threading.Condition()
        self._waiting: deque[object] = deque()

    def acquire(self, pixels: int, timeout: float) -> int:
        """Wait up to ``timeout`` seconds for room for ``pixels``; the pixels charged (give them back with
        :meth:`release`), or :class:`NoRoom`."""
        charge = min(pixels, self.limit)
        deadline = time.monotonic() + max(0.0, timeout)
        ticket = object()
        with self._cond:
            self._waiting.append(ticket)
            try:
                while self._waiting[0] is not ticket or self.in_flight + charge > self.limit:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise NoRoom(self.in_flight, self.limit)
                    self._cond.wait(left)
                self.in_flight += charge
                return charge
            finally:
                self._waiting.remove(ticket)
                self._cond.notify_all()  # the next in line may fit now

    def release(self, charge: int) -> None:
        with self._cond:
            self.in_flight -= charge
            self._cond.notify_all()

    @contextmanager
    def admitted(self, pixels: int, timeout: float) -> Iterator[int]:
        charge = self.acquire(pixels, timeout)
        try:
            yield charge
        finally:
            self.release(charge)
