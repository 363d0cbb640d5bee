"""The HTTP API and the web page: `animal-verifier serve`.

    app = create_app("training/pipeline")          # or: animal-verifier serve --port 8000

Thread safety. ONNX Runtime sessions may be run from many threads, but a spaCy pipeline (and the torch
transformer inside it) is not documented as thread-safe, and on two cores concurrent calls would only
fight over the same CPUs. So the pipeline belongs to **one inference thread** (:class:`InferenceEngine`):
it loads the model, then takes (text, decoded image) pairs from a bounded queue and runs whatever is
waiting, up to ``max_batch_size``, as one ``nlp.pipe`` call, which batches the transformer and the image
model. Under load, requests are batched instead of serialised one by one behind a lock, and nothing
else ever touches ``nlp``. The cheap, GIL-releasing work (reading the upload, sniffing its type, decoding
the JPEG) runs concurrently in the request threads before a pair is queued. ``--workers N`` starts N
processes, each with its own pipeline and inference thread.

Limits. Uploads are read into memory up to a byte limit (never written to disk), the image type is
sniffed from the bytes (the file name and declared type are ignored), the pixel count is read from the
header before anything is decoded, and each request has a time limit. Every refusal is a 4xx (503 when
the server is busy) with a body ``{"error": code, "detail": message}``; an unexpected error is a 500
whose body carries an id that is logged with the traceback.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, Field
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from spacy.language import Language
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from animal_verifier import __version__
from animal_verifier.text.checks import MAX_TEXT_CHARS, TextError, check_text
from animal_verifier.verify.results import doc_to_result
from animal_verifier.vision.image_io import ImageError, load_image

log = logging.getLogger("animal_verifier.serve.app")

ENV_MODEL = "ANIMAL_VERIFIER_MODEL"
ENV_PREFIX = "ANIMAL_VERIFIER_"
STATIC_DIR = Path(str(resources.files("animal_verifier") / "static"))
FORM_OVERHEAD_BYTES = 64 * 1024  # multipart boundaries and part headers around the image and the text


# ---- settings ------------------------------------------------------------------------------------------
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

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) <= 0:
                raise ValueError(f"{f.name} must be positive, got {getattr(self, f.name)}")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ServerSettings:
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                kind = float if f.type in ("float", float) else int
                try:
                    values[f.name] = kind(raw)
                except ValueError:
                    raise ValueError(f"{ENV_PREFIX}{f.name.upper()}={raw!r} is not a number") from None
        return cls(**values)


# ---- errors --------------------------------------------------------------------------------------------
class ApiError(Exception):
    """A refusal the client can act on: HTTP status, a short machine code and a sentence for people."""

    def __init__(self, status: int, error: str, detail: str):
        super().__init__(detail)
        self.status, self.error, self.detail = status, error, detail

    def body(self) -> dict:
        return {"error": self.error, "detail": self.detail}


class NotReady(ApiError):
    def __init__(self, detail: str):
        super().__init__(503, "not_ready", detail)


# ---- request and response models ----------------------------------------------------------------------
class ErrorBody(BaseModel):
    error: str = Field(description="short machine-readable code, e.g. upload_too_large")
    detail: str = Field(description="what was wrong, for people")
    id: str | None = Field(None, description="on a 500 only: the id logged with the traceback")


class VerifyForm(BaseModel):
    """multipart/form-data body of POST /v1/verify."""

    text: str = Field(description="the sentence about the photo", examples=["There is a cow in the picture."])
    image: bytes = Field(description="the photo: JPEG, PNG, WebP, GIF, BMP or TIFF (type read from the bytes)")


class BatchForm(BaseModel):
    """multipart/form-data body of POST /v1/verify/batch: repeat `text` and `image`; paired in order."""

    text: list[str] = Field(description="one sentence per pair")
    image: list[bytes] = Field(description="one photo per pair, in the same order as the texts")


class Entity(BaseModel):
    text: str
    start: int = Field(description="character offset in the text (Unicode code points)")
    end: int
    canonical: str | None = Field(description="everyday singular noun, e.g. 'dog' for 'puppies'")
    wordnet_id: str | None = Field(description="WordNet 3.0 noun synset, e.g. n02084071")
    negated: bool


class TopClass(BaseModel):
    label: str
    wordnet_id: str
    probability: float


class ClaimResult(BaseModel):
    text: str
    animal: str
    wordnet_id: str | None
    negated: bool
    probability: float | None = Field(description="P(animal | image); null when the model can't express it")
    verdict: Literal["supported", "contradicted", "unverifiable"]
    reason: str


class ModelRef(BaseModel):
    name: str
    version: str
    image_model: str | None = None
    image_model_version: str | None = None


class VerifyResult(BaseModel):
    text: str
    entities: list[Entity]
    predicted: str | None = Field(description="basic-level animal seen ('cow'); null when no animal")
    fine_label: str | None = Field(description="the image model's own class ('ox')")
    top5: list[TopClass]
    animal_probability: float | None
    claims: list[ClaimResult]
    match: bool | None = Field(description="true only when every claim is supported")
    reason: str | None


class VerifyResponse(VerifyResult):
    model: ModelRef
    elapsed_ms: float


class BatchItem(BaseModel):
    index: int
    result: VerifyResult | None = None
    error: ErrorBody | None = None


class BatchResponse(BaseModel):
    results: list[BatchItem]
    model: ModelRef
    elapsed_ms: float


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    status: Literal["ready"] = "ready"
    model: ModelRef


class ModelInfo(BaseModel):
    model: ModelRef
    lang: str
    pipeline: list[str]
    spacy_version: str | None
    image_classes: int | None
    thresholds: dict[str, float] | None = Field(description="the claim verifier's decision thresholds")
    description: str | None
    limits: dict[str, int | float]


def _multipart_body(form: type[BaseModel]) -> dict:
    """OpenAPI request body for a form we parse ourselves (to keep uploads in memory and bounded);
    pydantic already writes ``bytes`` as ``{"type": "string", "format": "binary"}``, i.e. a file."""
    schema = form.model_json_schema()
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


ERROR_RESPONSES = {
    code: {"model": ErrorBody, "description": text}
    for code, text in {
        400: "malformed multipart body",
        413: "upload, pixel count or item count over the limit",
        415: "not multipart/form-data, or the upload is not an image",
        422: "missing or unexpected field, bad text, corrupt image",
        500: "internal error (with an id)",
        503: "model not loaded yet, queue full, or the request ran past its time limit",
    }.items()
}


# ---- reading the upload --------------------------------------------------------------------------------
@dataclass
class Part:
    name: str
    filename: str | None
    data: bytearray = field(default_factory=bytearray)


async def read_body(request: Request, limit: int, what: str) -> bytes:
    """The whole body in memory, refused with 413 as soon as it passes ``limit``."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "upload_too_large", f"the {what} is {int(declared):,} bytes; the limit is {limit:,}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "upload_too_large", f"the {what} is over the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_multipart(body: bytes, content_type: str, max_parts: int, too_many: str) -> list[Part]:
    """Parts of a multipart/form-data body, in order, all in memory."""
    ctype, params = parse_options_header(content_type or "")
    if ctype != b"multipart/form-data":
        shown = content_type.split(";")[0] or "none"
        raise ApiError(415, "not_multipart", f"send multipart/form-data (content type was {shown})")
    boundary = params.get(b"boundary")
    if not boundary:
        raise ApiError(400, "bad_form", "multipart/form-data without a boundary")
    parts: list[Part] = []
    headers: dict[bytes, bytes] = {}
    name, value = bytearray(), bytearray()

    def on_part_begin() -> None:
        if len(parts) >= max_parts:
            raise ApiError(413, "too_many_items", too_many)
        headers.clear()

    def on_header_end() -> None:
        headers[bytes(name).lower()] = bytes(value)
        name.clear()
        value.clear()

    def on_headers_finished() -> None:
        _, options = parse_options_header(headers.get(b"content-disposition", b""))
        if b"name" not in options:
            raise ApiError(400, "bad_form", "a form part has no name")
        filename = options.get(b"filename")
        parts.append(
            Part(options[b"name"].decode("utf-8", "replace"), filename and filename.decode("utf-8", "replace"))
        )

    callbacks = {
        "on_part_begin": on_part_begin,
        "on_header_field": lambda data, start, end: name.extend(data[start:end]),
        "on_header_value": lambda data, start, end: value.extend(data[start:end]),
        "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
        "on_part_data": lambda data, start, end: parts[-1].data.extend(data[start:end]),
    }
    try:
        parser = MultipartParser(boundary, callbacks)
        parser.write(body)
        parser.finalize()
    except MultipartParseError as err:
        raise ApiError(400, "bad_form", f"malformed multipart body ({err})") from None
    return parts


def form_fields(parts: Sequence[Part], expected: Sequence[str]) -> dict[str, list[Part]]:
    found: dict[str, list[Part]] = {name: [] for name in expected}
    for part in parts:
        if part.name not in found:
            wanted = " and ".join(f"'{n}'" for n in expected)
            raise ApiError(422, "unexpected_field", f"unexpected form field '{part.name}' (send {wanted})")
        found[part.name].append(part)
    return found


def part_text(part: Part, settings: ServerSettings) -> str:
    try:
        text = bytes(part.data).decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(422, "bad_text", "the text is not valid UTF-8") from None
    try:
        return check_text(text, settings.max_text_chars)
    except TextError as err:
        raise ApiError(422, "bad_text", str(err)) from None


def read_pair(
    body: bytes, content_type: str, settings: ServerSettings, min_side: int | None
) -> tuple[str, Image.Image]:
    """(text, decoded image) from the body of POST /v1/verify. Runs in a worker thread: parsing a 10 MB
    body and decoding are CPU work that must not hold up the event loop."""
    parts = parse_multipart(body, content_type, 4, "send one 'text' and one 'image'")
    found = form_fields(parts, ("text", "image"))
    for name in ("text", "image"):
        if len(found[name]) != 1:
            missing = not found[name]
            problem = "missing" if missing else f"sent {len(found[name])} times"
            raise ApiError(422, "missing_field" if missing else "bad_form",
                           f"form field '{name}' is {problem}; send one 'text' and one 'image' "
                           "(several pairs: POST /v1/verify/batch)")  # fmt: skip
    text = part_text(found["text"][0], settings)
    return text, decode_upload(bytes(found["image"][0].data), settings, min_side)


def read_pairs(
    body: bytes, content_type: str, settings: ServerSettings, min_side: int | None
) -> list[tuple[str, Image.Image] | ApiError]:
    """The pairs of POST /v1/verify/batch, in order: (text, image), or the ApiError of that pair alone."""
    n = settings.max_batch_items
    too_many = f"at most {n} pairs per request"
    found = form_fields(parse_multipart(body, content_type, 2 * n, too_many), ("text", "image"))
    texts, images = found["text"], found["image"]
    if len(texts) != len(images):
        raise ApiError(422, "bad_form", f"{len(texts)} 'text' fields but {len(images)} 'image' fields; "
                       "send them in pairs, in order")  # fmt: skip
    if not texts:
        raise ApiError(422, "missing_field", "no pairs: repeat the fields 'text' and 'image'")
    if len(texts) > n:
        raise ApiError(413, "too_many_items", f"{len(texts)} pairs; {too_many}")
    pairs: list[tuple[str, Image.Image] | ApiError] = []
    for text_part, image_part in zip(texts, images, strict=True):
        try:
            pairs.append((part_text(text_part, settings), decode_upload(bytes(image_part.data), settings, min_side)))
        except ApiError as err:
            pairs.append(err)
    return pairs


# ---- images --------------------------------------------------------------------------------------------
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF",
               "image/bmp": "BMP", "image/tiff": "TIFF"}  # fmt: skip
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def sniff_image_type(data: bytes) -> str | None:
    """The image type from the first bytes (magic numbers), or None for anything else."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)


def decode_upload(data: bytes, settings: ServerSettings, min_side: int | None = None) -> Image.Image:
    """Check an uploaded image against the limits and decode it, or raise :class:`ApiError`."""
    if not data:
        raise ApiError(422, "bad_image", "the image file is empty")
    if len(data) > settings.max_upload_bytes:
        raise ApiError(
            413, "upload_too_large", f"the image is {len(data):,} bytes; the limit is {settings.max_upload_bytes:,}"
        )
    kind = sniff_image_type(data)
    if kind is None:
        accepted = ", ".join(fmt for fmt in IMAGE_TYPES.values())
        raise ApiError(415, "unsupported_media_type", f"the upload is not an image ({accepted}); "
                       "the type is read from the file's bytes, not its name")  # fmt: skip
    try:
        with Image.open(io.BytesIO(data)) as probe:  # reads the header only
            fmt, (width, height) = probe.format, probe.size
    except Image.DecompressionBombError as err:
        raise ApiError(413, "too_many_pixels", f"the image has too many pixels ({err})") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as err:
        raise ApiError(422, "bad_image", f"the {kind} image is corrupt or truncated ({err})") from None
    if fmt != IMAGE_TYPES[kind]:
        raise ApiError(422, "bad_image", f"the file starts like {kind} but decodes as {fmt}")
    if width * height > settings.max_pixels:
        raise ApiError(413, "too_many_pixels",
                       f"the image is {width}x{height} = {width * height:,} pixels; the limit is "
                       f"{settings.max_pixels:,}")  # fmt: skip
    try:
        image = load_image(data, min_side=min_side, max_pixels=settings.max_pixels)
    except ImageError as err:
        raise ApiError(422, "bad_image", str(err).replace(f"<{len(data)} bytes>: ", "", 1)) from None
    return image  # upright; load_image drops the applied orientation tag, so a second pass won't turn it


# ---- the inference thread ------------------------------------------------------------------------------
class Overloaded(ApiError):
    def __init__(self, size: int):
        super().__init__(503, "overloaded", f"the server is busy ({size} pairs waiting); try again shortly")


@dataclass
class _Job:
    text: str
    image: Image.Image
    future: Future = field(default_factory=Future)


class InferenceEngine:
    """Owns the spaCy pipeline: one thread loads it, then runs every nlp call, in micro-batches."""

    def __init__(self, model: str | None, settings: ServerSettings, nlp: Language | None = None):
        self.model = model
        self.settings = settings
        self.nlp: Language | None = None
        self.model_ref: ModelRef | None = None
        self.error: str | None = None
        self.batches = 0  # nlp.pipe calls
        self.largest_batch = 0
        self._given = nlp
        self._ready = threading.Event()
        self._settled = threading.Event()  # loaded or failed
        self._queue: queue.Queue[_Job | None] = queue.Queue(settings.max_queue)
        self._thread = threading.Thread(target=self._run, name="animal-verifier-inference", daemon=True)

    # lifecycle
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

    def check_ready(self) -> None:
        if self.error:
            raise NotReady(f"the model failed to load: {self.error}")
        if not self.ready:
            raise NotReady("the model is still loading; try again shortly")

    @property
    def min_side(self) -> int | None:
        """The image model's resize target, so big JPEGs can be decoded at a reduced scale."""
        model = self.nlp.get_pipe("image_classifier").model if self.nlp else None
        return model.labels.preprocessing.resize if model is not None else None

    def _load(self) -> Language:
        from animal_verifier.pipeline import load

        nlp = self._given if self._given is not None else load(self.model)
        if "image_classifier" not in nlp.pipe_names or "claim_verifier" not in nlp.pipe_names:
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
        if not live:
            return
        self.batches += 1
        self.largest_batch = max(self.largest_batch, len(live))
        try:
            results = self._verify(self.nlp, [(job.text, job.image) for job in live])
        except Exception:  # noqa: BLE001 - one bad pair must not fail the others: retry them one by one
            if len(live) == 1:
                raise_into(live[0].future, lambda: self._verify(self.nlp, [(live[0].text, live[0].image)])[0])
                return
            for job in live:
                raise_into(job.future, lambda job=job: self._verify(self.nlp, [(job.text, job.image)])[0])
            return
        for job, result in zip(live, results, strict=True):
            job.future.set_result(result)

    @staticmethod
    def _verify(nlp: Language, pairs: Sequence[tuple[str, Image.Image]]) -> list[dict]:
        docs = []
        for text, image in pairs:
            doc = nlp.make_doc(text)
            doc._.image = image
            docs.append(doc)
        return [doc_to_result(doc) for doc in nlp.pipe(docs, batch_size=len(docs))]

    # requests
    def submit(self, pairs: Sequence[tuple[str, Image.Image]]) -> list[Future]:
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


def raise_into(future: Future, compute) -> None:
    try:
        future.set_result(compute())
    except Exception as err:  # noqa: BLE001 - handed to the request, which answers 500 with an id
        future.set_exception(err)


def model_ref(nlp: Language) -> ModelRef:
    meta = nlp.meta
    image = nlp.get_pipe("image_classifier").model if "image_classifier" in nlp.pipe_names else None
    return ModelRef(
        name=f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}",
        version=str(meta.get("version", "0.0.0")),
        image_model=image.labels.model_name if image is not None else None,
        image_model_version=image.labels.model_version if image is not None else None,
    )


# ---- the app -------------------------------------------------------------------------------------------
@contextmanager
def _stopwatch() -> Iterator[list[float]]:
    box = [0.0]
    start = time.perf_counter()
    yield box
    box[0] = round((time.perf_counter() - start) * 1000, 1)


def error_response(err: ApiError) -> JSONResponse:
    headers = {"Retry-After": "1"} if err.status == 503 else None
    return JSONResponse(err.body(), status_code=err.status, headers=headers)


def create_app(
    model: str | None = None, settings: ServerSettings | None = None, *, nlp: Language | None = None
) -> FastAPI:
    """The API and the page. ``model``: pipeline folder or package (default: the embedded pipeline); it is
    resolved now, so a wrong name fails at once, and loaded in the background at start-up (``/readyz``).
    ``nlp``: an already loaded pipeline to serve instead; the app's inference thread becomes its only user.
    """
    from animal_verifier.pipeline import resolve_model

    settings = settings or ServerSettings()
    if nlp is None:
        model = resolve_model(model)  # raises ModelNotFound with a clear message
    engine = InferenceEngine(model, settings, nlp)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        engine.start()
        yield
        await asyncio.to_thread(engine.stop)

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

    @app.exception_handler(ApiError)
    async def on_api_error(request: Request, err: ApiError) -> JSONResponse:
        return error_response(err)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(err.status_code, "http_error")
        return JSONResponse({"error": code, "detail": str(err.detail)}, status_code=err.status_code)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, err: RequestValidationError) -> JSONResponse:
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        return JSONResponse({"error": "bad_request", "detail": detail}, status_code=422)

    @app.exception_handler(Exception)
    async def on_internal_error(request: Request, err: Exception) -> JSONResponse:
        error_id = uuid.uuid4().hex[:12]
        log.error("internal error %s on %s %s", error_id, request.method, request.url.path, exc_info=err)
        body = {"error": "internal_error", "detail": "something went wrong on the server; the id is in its log",
                "id": error_id}  # fmt: skip
        return JSONResponse(body, status_code=500)

    @asynccontextmanager
    async def time_limit():
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
        openapi_extra=_multipart_body(VerifyForm),
        summary="Check one sentence against one photo",
    )
    async def verify(request: Request) -> VerifyResponse:
        engine.check_ready()
        with _stopwatch() as elapsed:
            async with time_limit():
                limit = settings.max_upload_bytes + 4 * settings.max_text_chars + FORM_OVERHEAD_BYTES
                body = await read_body(request, limit, "request body")
                content_type = request.headers.get("content-type", "")
                text, image = await run_in_threadpool(read_pair, body, content_type, settings, engine.min_side)
                (result,) = await run_pairs([(text, image)])
        return VerifyResponse(**result, model=engine.model_ref, elapsed_ms=elapsed[0])

    @app.post(
        "/v1/verify/batch",
        response_model=BatchResponse,
        responses=ERROR_RESPONSES,
        openapi_extra=_multipart_body(BatchForm),
        summary="Check several sentence-photo pairs (repeat 'text' and 'image'; paired in order)",
    )
    async def verify_batch(request: Request) -> BatchResponse:
        engine.check_ready()
        with _stopwatch() as elapsed:
            async with time_limit():
                body = await read_body(request, settings.max_batch_bytes, "batch request body")
                content_type = request.headers.get("content-type", "")
                read = await run_in_threadpool(read_pairs, body, content_type, settings, engine.min_side)
                items = [BatchItem(index=i) for i in range(len(read))]
                pairs, where = [], []
                for i, pair in enumerate(read):
                    if isinstance(pair, ApiError):
                        items[i].error = ErrorBody(**pair.body())
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
        image = nlp.get_pipe("image_classifier").model
        verifier = nlp.get_pipe("claim_verifier")
        return ModelInfo(
            model=engine.model_ref,
            lang=nlp.lang,
            pipeline=list(nlp.pipe_names),
            spacy_version=nlp.meta.get("spacy_version"),
            image_classes=len(image.labels.class_ids),
            thresholds={k: float(v) for k, v in asdict(verifier.thresholds).items()},
            description=nlp.meta.get("description"),
            limits={k: v for k, v in asdict(settings).items()},
        )

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers=PAGE_HEADERS)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


# The page loads nothing from elsewhere; say so to the browser too.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def app_from_env() -> FastAPI:
    """The app for `uvicorn --factory animal_verifier.serve.app:app_from_env` and `serve --workers N`:
    model from ANIMAL_VERIFIER_MODEL, limits from ANIMAL_VERIFIER_* variables."""
    return create_app(os.environ.get(ENV_MODEL) or None, ServerSettings.from_env())
