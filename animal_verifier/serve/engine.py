"""The one thread that owns the spaCy pipeline and runs every request through it, in micro-batches.

ONNX Runtime sessions may be run from many threads, but a spaCy pipeline (and the torch transformer inside
it) is not documented as thread-safe, and on two cores concurrent calls would only fight over the same
CPUs. So one inference thread loads the model, then takes (text, decoded image) pairs from a bounded
queue and runs whatever is waiting, up to ``max_batch_size``, as one ``nlp.pipe`` call, which batches the
transformer and the image model. Under load, requests are batched instead of serialised one by one behind
a lock, and nothing else ever touches ``nlp``.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from PIL import Image
from spacy.language import Language

from animal_verifier.constants import CLAIM_VERIFIER, IMAGE_CLASSIFIER
from animal_verifier.serve.errors import NotReady, Overloaded
from animal_verifier.serve.schemas import ModelRef
from animal_verifier.serve.settings import ServerSettings
from animal_verifier.verify.results import doc_to_result
from animal_verifier.vision.preprocess import Preprocessing
from animal_verifier.vision.view import pipeline_view

log = logging.getLogger(__name__)

Pair = tuple[str, Image.Image]
VerifyPairs = Callable[[Language, Sequence[Pair]], list[dict]]
REQUIRED_PIPES = (IMAGE_CLASSIFIER, CLAIM_VERIFIER)


def verify_pairs(nlp: Language, pairs: Sequence[Pair]) -> list[dict]:
    """One ``nlp.pipe`` call over the pairs: a ``doc_to_result`` dict each, in order."""
    docs = []
    for text, image in pairs:
        doc = nlp.make_doc(text)
        doc._.image = image
        docs.append(doc)
    return [doc_to_result(doc) for doc in nlp.pipe(docs, batch_size=len(docs))]


def model_ref(nlp: Language) -> ModelRef:
    """The pipeline's name and version, and its image model's, as every answer reports them."""
    meta = nlp.meta
    image = nlp.get_pipe(IMAGE_CLASSIFIER).model if IMAGE_CLASSIFIER in nlp.pipe_names else None
    return ModelRef(
        name=f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}",
        version=str(meta.get("version", "0.0.0")),
        image_model=image.labels.model_name if image is not None else None,
        image_model_version=image.labels.model_version if image is not None else None,
    )


@dataclass
class _Job:
    text: str
    image: Image.Image
    future: Future = field(default_factory=Future)


class InferenceEngine:
    """Owns the spaCy pipeline: one thread loads it, then runs every nlp call, in micro-batches.

    ``model``: what :func:`animal_verifier.pipeline.load` loads, unless ``nlp`` is an already loaded
    pipeline. ``verify``: how a batch of pairs is run (the default runs the pipeline); tests pass a stand-in.
    """

    def __init__(
        self,
        model: str | None,
        settings: ServerSettings,
        nlp: Language | None = None,
        verify: VerifyPairs = verify_pairs,
    ):
        self.model = model
        self.settings = settings
        self.nlp: Language | None = None
        self.model_ref: ModelRef | None = None
        self.error: str | None = None
        self.batches = 0  # runs of a batch (or of one pair alone), for tests and debugging
        self.largest_batch = 0
        self._given = nlp
        self._verify = verify
        self._ready = threading.Event()
        self._settled = threading.Event()  # loaded or failed
        self._queue: queue.Queue[_Job | None] = queue.Queue(settings.max_queue)
        self._thread = threading.Thread(target=self._run, name="animal-verifier-inference", daemon=True)

    # ---- lifecycle
    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until the model is loaded (True) or has failed to load, or the timeout passes (False)."""
        self._settled.wait(timeout)
        return self._ready.is_set()

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    @property
    def state(self) -> str:
        """loading, ready or failed (the metrics' model load state)."""
        return "failed" if self.error else "ready" if self.ready else "loading"

    def check_ready(self) -> None:
        """Refuse (503) while the model loads, and for good when it failed to load. The reason it failed is
        in the log only: it names files and internals."""
        if self.error:
            raise NotReady("the model failed to load; the server's log says why")
        if not self.ready:
            raise NotReady("the model is still loading; try again shortly")

    @property
    def preprocessing(self) -> Preprocessing | None:
        """The image model's preprocessing, so uploads can be decoded small and reduced to what it looks at."""
        return pipeline_view(self.nlp)

    @property
    def queue_depth(self) -> int:
        """Pairs waiting for the inference thread."""
        return self._queue.qsize()

    # ---- requests
    def submit(self, pairs: Sequence[Pair]) -> list[Future]:
        """Queue pairs for the inference thread; all or none (503 when the queue is full)."""
        self.check_ready()
        jobs = [_Job(text, image) for text, image in pairs]
        for i, job in enumerate(jobs):
            try:
                self._queue.put_nowait(job)
            except queue.Full:
                for queued in jobs[:i]:
                    queued.future.cancel()
                raise Overloaded(self._queue.qsize()) from None
        return [job.future for job in jobs]

    # ---- the inference thread
    def _load(self) -> Language:
        from animal_verifier.pipeline import load

        nlp = self._given if self._given is not None else load(self.model)
        if any(name not in nlp.pipe_names for name in REQUIRED_PIPES):
            raise ValueError(f"the pipeline has {nlp.pipe_names}; the server needs image_classifier and "
                             "claim_verifier (an NER-only model?)")  # fmt: skip
        self._verify(nlp, [("I see a cat.", Image.new("RGB", (256, 256), (128, 128, 128)))])  # warm up
        return nlp

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            nlp = self._load()
        except Exception as err:  # noqa: BLE001 - reported by /readyz and refused requests, and logged
            log.exception("loading the model %s failed", self.model)
            self.error = f"{type(err).__name__}: {err}"
            self._settled.set()
            return
        self.nlp, self.model_ref = nlp, model_ref(nlp)
        log.info("model %s %s ready in %.1f s", self.model_ref.name, self.model_ref.version,
                 time.perf_counter() - started)  # fmt: skip
        self._ready.set()
        self._settled.set()
        while (job := self._queue.get()) is not None:
            batch = [job]
            while len(batch) < self.settings.max_batch_size:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self._queue.put(None)  # stop after this batch
                    break
                batch.append(job)
            self._run_batch(batch)

    def _run_batch(self, batch: list[_Job]) -> None:
        live = [job for job in batch if job.future.set_running_or_notify_cancel()]  # skip timed-out ones
        if live:
            self._run_jobs(live)

    def _run_jobs(self, jobs: list[_Job]) -> None:
        """Run jobs whose futures are running, and settle every one of them, each exactly once."""
        self.batches += 1
        self.largest_batch = max(self.largest_batch, len(jobs))
        try:
            results = self._verify(self.nlp, [(job.text, job.image) for job in jobs])
        except Exception as err:  # noqa: BLE001 - handed to the request, which answers 500 with an id
            if len(jobs) == 1:
                jobs[0].future.set_exception(err)  # it failed alone: the error is its own; running it again won't help
                return
            for job in jobs:  # one bad pair must not fail the others: each runs once more, alone
                self._run_jobs([job])
            return
        for job, result in zip(jobs, results, strict=True):
            job.future.set_result(result)
