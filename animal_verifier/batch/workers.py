"""``batch --workers N``: the same job over N processes, each with one copy of the pipeline.

The main process reads the input, hands chunks of ``batch_size`` lines to the workers, and writes their
records back in input order as they come, so the output, the resume and the progress bar are exactly
those of one process (:func:`animal_verifier.batch.runner.write_in_order`). Each worker limits ONNX
Runtime to its share of the cores, so N workers do not oversubscribe them.

A worker that dies (a decoder's crash, the kernel's OOM killer) breaks the pool: a fresh pool then takes the
chunks that were in flight line by line, so the one line that kills a worker gets an error record and every
other line its answer.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from spacy.language import Language

from animal_verifier.batch.runner import BatchSummary, Chunk, error_record, verify_rows, write_in_order
from animal_verifier.batch.sources import ImageReader
from animal_verifier.vision.classifier import available_cpus

_NLP: Language | None = None
_LOAD_ERROR: str | None = None


class WorkerError(RuntimeError):
    """A worker could not load the pipeline."""


def threads_per_worker(workers: int, cpus: int | None = None) -> int:
    return max(1, (cpus or available_cpus()) // workers)


def load_for_worker(model: str | None, threads: int) -> Language:
    """Load the pipeline with ONNX Runtime held to ``threads`` (a worker's share of the cores).

    ONNX Runtime reads the limit from ``OMP_NUM_THREADS`` (:func:`animal_verifier.vision.classifier.default_threads`);
    Ray actors load their pipeline through here too."""
    from animal_verifier.pipeline import load

    os.environ["OMP_NUM_THREADS"] = str(threads)
    return load(model)


def _start_worker(model: str | None, threads: int) -> None:
    global _NLP, _LOAD_ERROR
    try:
        _NLP = load_for_worker(model, threads)
    except Exception as err:  # noqa: BLE001 - reported by the first task, as a message, not a dead pool
        _LOAD_ERROR = f"{type(err).__name__}: {err}"


def _verify_chunk(chunk: Chunk, base: Path, batch_size: int, reader: ImageReader | None = None) -> list[dict]:
    if _NLP is None:
        raise WorkerError(f"a worker could not load the model: {_LOAD_ERROR}")
    return verify_rows(_NLP, chunk, base, batch_size, reader)


class _Pool:
    """The process pool, made again when a worker dies."""

    def __init__(self, model: str | None, workers: int, task=_verify_chunk):
        self.model, self.workers, self.task = model, workers, task
        self.threads = threads_per_worker(workers)
        self.pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")  # never fork a process that holds torch's thread pools
        return ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_start_worker, initargs=(self.model, self.threads)
        )

    def renew(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = self._new()

    def submit(self, chunk: Chunk, *args) -> Future:
        return self.pool.submit(self.task, chunk, *args)

    def line_by_line(self, chunk: Chunk, *args) -> list[dict]:
        """A chunk whose pool broke: each line alone, so only a line that kills a worker is an error."""
        records = []
        for row in chunk:
            try:
                records += self.submit([row], *args).result()
            except BrokenProcessPool:
                self.renew()
                records.append(error_record(row[0], "a worker process died on this line (a crash or out of memory)"))
        return records


def run_batch_workers(
    model: str | None,
    input_path: Path,
    output_path: Path,
    batch_size: int = 16,
    workers: int = 2,
    *,
    model_id: dict | None = None,
    reader: ImageReader | None = None,
    task=_verify_chunk,
) -> BatchSummary:
    """``model_id``: the pipeline's identity for the manifest (default: made from ``model``'s files).
    ``task``: what a worker runs on a chunk (tests swap in one that crashes)."""
    from animal_verifier.batch.identity import model_identity

    base = input_path.parent
    args = (base, batch_size, reader)
    pool = _Pool(model, workers, task)
    try:

        def verify(chunks: Iterator[Chunk]) -> Iterator[list[dict]]:
            in_flight: deque[tuple[Chunk, Future]] = deque()  # bounded: never a million lines in memory
            for chunk in chunks:
                in_flight.append((chunk, pool.submit(chunk, *args)))
                if len(in_flight) >= 2 * workers:
                    yield collect(in_flight)
            while in_flight:
                yield collect(in_flight)

        def collect(in_flight: deque[tuple[Chunk, Future]]) -> list[dict]:
            chunk, future = in_flight.popleft()
            try:
                return future.result()
            except BrokenProcessPool:
                pool.renew()  # every chunk in flight was lost with the pool: retry them on the fresh one
                retry = [chunk] + [c for c, _ in in_flight]
                in_flight.clear()
                first = pool.line_by_line(retry[0], *args)
                in_flight.extend((c, pool.submit(c, *args)) for c in retry[1:])
                return first

        return write_in_order(input_path, output_path, batch_size, verify, model_id or model_identity(model))
    finally:
        pool.pool.shutdown(wait=True, cancel_futures=True)
