"""``batch --workers N``: the same job over N processes, each with one copy of the pipeline.

The main process reads the input, hands chunks of ``batch_size`` lines to the workers, and writes their
records back in input order as they come, so the output, the resume and the progress bar are exactly
those of one process (:func:`animal_verifier.batch.runner.write_in_order`). Each worker limits ONNX
Runtime to its share of the cores, so N workers do not oversubscribe them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from spacy.language import Language

from animal_verifier.batch.runner import BatchSummary, Chunk, verify_rows, write_in_order
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


def _verify_chunk(chunk: Chunk, base: Path, batch_size: int) -> list[dict]:
    if _NLP is None:
        raise WorkerError(f"a worker could not load the model: {_LOAD_ERROR}")
    return verify_rows(_NLP, chunk, base, batch_size)


def run_batch_workers(
    model: str | None, input_path: Path, output_path: Path, batch_size: int = 16, workers: int = 2
) -> BatchSummary:
    base = input_path.parent
    threads = threads_per_worker(workers)
    context = multiprocessing.get_context("spawn")  # never fork a process that holds torch's thread pools
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(model, threads)) as pool:

        def verify(chunks: Iterator[Chunk]) -> Iterator[list[dict]]:
            in_flight: deque[Future] = deque()  # bounded: a million-line input is never all in memory
            for chunk in chunks:
                in_flight.append(pool.submit(_verify_chunk, chunk, base, batch_size))
                if len(in_flight) >= 2 * workers:
                    yield in_flight.popleft().result()
            while in_flight:
                yield in_flight.popleft().result()

        return write_in_order(input_path, output_path, batch_size, verify)
