"""The FastAPI app of `animal-verifier serve`: its routes and the web page.

    app = create_app("training/pipeline")          # or: animal-verifier serve --port 8000

A request handler is async and does little itself: it reads the body (:mod:`.uploads`, bounded), parses
and decodes it in a worker thread, where the cheap, GIL-releasing work runs concurrently, queues the pairs
for the single inference thread (:mod:`.engine`) and awaits them under the request's time limit. Every
refusal is an :class:`~.errors.ApiError`, answered by the handlers in :mod:`.errors`. In front of it all,
:mod:`.middleware` checks Host, Origin, API key, rate and requests in flight, and logs and counts every
request (``/metrics``). ``--workers N`` starts N processes, each with its own pipeline, inference thread,
pixel budget and rate limits.

The `serve` command imports ``ENV_MODEL``, ``ServerSettings`` and ``app_from_env`` from here.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from PIL import Image
from spacy.language import Language
from starlette.concurrency import run_in_threadpool

from animal_verifier import __version__
from animal_verifier.constants import CLAIM_VERIFIER, IMAGE_CLASSIFIER
from animal_verifier.serve.access import KeyRing
from animal_verifier.serve.budget import PixelBudget
from animal_verifier.serve.engine import InferenceEngine
from animal_verifier.serve.errors import ERROR_RESPONSES, ApiError, ErrorBody, install_error_handlers
from animal_verifier.serve.memory import limit_malloc_arenas, unmapped_image_blocks
from animal_verifier.serve.metrics import Metrics, forget_this_process
from animal_verifier.serve.middleware import Guard
from animal_verifier.serve.schemas import (
    BatchForm,
    BatchItem,
    BatchResponse,
    Health,
    ModelInfo,
    Ready,
    VerifyForm,
    VerifyResponse,
    VerifyResult,
    multipart_body,
)
from animal_verifier.serve.settings import ENV_MODEL, ServerSettings
from animal_verifier.serve.uploads import Admission, read_body, read_pair, read_pairs, verify_body_limit

__all__ = ["ENV_MODEL", "PAGE_HEADERS", "STATIC_DIR", "ServerSettings", "app_from_env", "create_app"]

STATIC_DIR = Path(str(resources.files(__package__) / "static"))

# The page loads nothing from elsewhere; say so to the browser too.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@contextmanager
def _stopwatch() -> Iterator[list[float]]:
    """Milliseconds spent inside the block, in ``box[0]`` once it ends (the answers' ``elapsed_ms``)."""
    box = [0.0]
    start = time.perf_counter()
    yield box
    box[0] = round((time.perf_counter() - start) * 1000, 1)


def create_app(
    model: str | None = None, settings: ServerSettings | None = None, *, nlp: Language | None = None
) -> FastAPI:
    """The API and the page. ``model``: pipeline folder or package (default: the embedded pipeline); it is
    resolved now, so a wrong name fails at once, and loaded in the background at start-up (``/readyz``).
    ``nlp``: an already loaded pipeline to serve instead; the app's inference thread becomes its only user.
    A keys file that can't be read or holds no key is a ValueError, at once.
    """
    from animal_verifier.pipeline import resolve_model

    settings = settings or ServerSettings()
    keys = KeyRing.from_file(settings.api_keys_file) if settings.api_keys_file else None
    if nlp is None:
        model = resolve_model(model)  # raises ModelNotFound with a clear message
    engine = InferenceEngine(model, settings, nlp)
    budget = PixelBudget(settings.max_pixels_in_flight)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        limit_malloc_arenas(settings.malloc_arenas)  # before the inference and worker threads start
        unmapped_image_blocks()
        engine.start()
        yield
        await asyncio.to_thread(engine.stop)
        forget_this_process()

    app = FastAPI(
        title="animal-verifier",
        version=__version__,
        summary="Is a sentence about a photo true? Animals named in the text, animal seen in the photo, verdict.",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI and ReDoc load their scripts from a CDN; the schema is at /openapi.json
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.budget = budget
    install_error_handlers(app)

    def gauges() -> dict:
        return {"queue_depth": engine.queue_depth, "pixels": budget.in_flight, "model_state": engine.state}

    app.add_middleware(Guard, settings=settings, metrics=metrics, gauges=gauges, keys=keys)

    def admission() -> Admission:
        """How this request's images are let in: none starts decoding in the last quarter of the request's
        time (at most 2 s), kept for running what was decoded, so a batch that can't be decoded in time is
        answered in part (its other items 503 busy) rather than timing out whole."""
        reserve = min(2.0, settings.request_timeout_s / 4)
        deadline = time.monotonic() + settings.request_timeout_s - reserve
        return Admission(engine.preprocessing, budget, deadline, settings.pixel_wait_s)

    @asynccontextmanager
    async def time_limit() -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(settings.request_timeout_s):
                yield
        except TimeoutError:
            raise ApiError(503, "timeout", f"the request took longer than {settings.request_timeout_s:g} s") from None

    async def run_pairs(pairs: list[tuple[str, Image.Image]]) -> list[dict]:
        futures = engine.submit(pairs)
        try:
            return list(await asyncio.gather(*(asyncio.wrap_future(f) for f in futures)))
        finally:
            for f in futures:
                f.cancel()  # a timed-out request leaves no work behind (no-op once running or done)

    @app.post(
        "/v1/verify",
        response_model=VerifyResponse,
        responses=ERROR_RESPONSES,
        openapi_extra=multipart_body(VerifyForm),
        summary="Check one sentence against one photo",
    )
    async def verify(request: Request) -> VerifyResponse:
        engine.check_ready()
        with _stopwatch() as elapsed:
            admit = admission()
            async with time_limit():
                body = await read_body(request, verify_body_limit(settings), "request body")
                content_type = request.headers.get("content-type", "")
                text, image = await run_in_threadpool(read_pair, body, content_type, settings, admit)
                (result,) = await run_pairs([(text, image)])
        return VerifyResponse(**result, model=engine.model_ref, elapsed_ms=elapsed[0])

    @app.post(
        "/v1/verify/batch",
        response_model=BatchResponse,
        responses=ERROR_RESPONSES,
        openapi_extra=multipart_body(BatchForm),
        summary="Check several sentence-photo pairs (repeat 'text' and 'image'; paired in order)",
    )
    async def verify_batch(request: Request, response: Response) -> BatchResponse:
        engine.check_ready()
        with _stopwatch() as elapsed:
            admit = admission()
            async with time_limit():
                body = await read_body(request, settings.max_batch_bytes, "batch request body")
                content_type = request.headers.get("content-type", "")
                read = await run_in_threadpool(read_pairs, body, content_type, settings, admit)
                items = [BatchItem(index=i) for i in range(len(read))]
                pairs, where = [], []
                for i, pair in enumerate(read):
                    if isinstance(pair, ApiError):
                        items[i].error = ErrorBody(**pair.body())
                        if pair.retry_after:  # the server was busy for this pair: say when to send it again
                            response.headers["Retry-After"] = pair.retry_after
                    else:
                        pairs.append(pair)
                        where.append(i)
                if pairs:
                    for i, result in zip(where, await run_pairs(pairs), strict=True):
                        items[i].result = VerifyResult(**result)
        return BatchResponse(results=items, model=engine.model_ref, elapsed_ms=elapsed[0])

    @app.get("/healthz", response_model=Health, summary="The process is up")
    async def healthz() -> Health:
        return Health()

    @app.get("/readyz", response_model=Ready, responses={503: {"model": ErrorBody}}, summary="The model is loaded")
    async def readyz() -> Ready:
        engine.check_ready()
        return Ready(model=engine.model_ref)

    @app.get("/v1/model", response_model=ModelInfo, responses={503: {"model": ErrorBody}}, summary="Pipeline meta")
    async def model_info() -> ModelInfo:
        engine.check_ready()
        nlp = engine.nlp
        image = nlp.get_pipe(IMAGE_CLASSIFIER).model
        verifier = nlp.get_pipe(CLAIM_VERIFIER)
        return ModelInfo(
            model=engine.model_ref,
            lang=nlp.lang,
            pipeline=list(nlp.pipe_names),
            spacy_version=nlp.meta.get("spacy_version"),
            image_classes=len(image.labels.class_ids),
            thresholds={k: float(v) for k, v in asdict(verifier.thresholds).items()},
            description=nlp.meta.get("description"),
            limits={k: v for k, v in asdict(settings).items() if type(v) in (int, float)},  # no paths, no lists
        )

    @app.get("/metrics", include_in_schema=False)
    async def metrics_text() -> Response:
        content, media_type = metrics.render()
        return Response(content, media_type=media_type)

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers=PAGE_HEADERS)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def app_from_env() -> FastAPI:
    """The app for `uvicorn --factory animal_verifier.serve.app:app_from_env` and `serve --workers N`:
    model from ANIMAL_VERIFIER_MODEL, limits from ANIMAL_VERIFIER_* variables."""
    return create_app(os.environ.get(ENV_MODEL) or None, ServerSettings.from_env())
