"""From a request body to checked (text, decoded image) pairs, or an :class:`ApiError` saying what is wrong.

Uploads are read into memory up to a byte limit and parsed there (never written to disk). The image type
is sniffed from the bytes (the file name and declared type are ignored), and the pixel count is read from
the header before anything is decoded; the image then waits for room in the pixel budget shared by all
requests (:mod:`.budget`), is decoded, and is reduced to what the image model looks at, so a queued pair
holds a few hundred kB whatever was uploaded. Everything here but :func:`read_body` is CPU work that the
app runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from fastapi import Request
from PIL import Image, UnidentifiedImageError
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from animal_verifier.serve.budget import PixelBudget
from animal_verifier.serve.errors import ApiError
from animal_verifier.serve.settings import ServerSettings
from animal_verifier.text.checks import TextError, check_text
from animal_verifier.vision.image_io import IMAGE_TYPES, ImageError, load_image, pil_message
from animal_verifier.vision.preprocess import Preprocessing
from animal_verifier.vision.view import model_view

FORM_OVERHEAD_BYTES = 64 * 1024  # multipart boundaries and part headers around the image and the text
FIELDS = ("text", "image")

Pair = tuple[str, Image.Image]


@dataclass(frozen=True)
class Admission:
    """How an upload is let in. ``view``: the image model's preprocessing, to reduce each image to what the
    model looks at; ``budget``: the pixels in flight across requests; ``deadline``: no image of the request
    starts decoding after it (``time.monotonic()``), so that what was decoded can still be answered in time.
    None: no such bound (tests, tools)."""

    view: Preprocessing | None = None
    budget: PixelBudget | None = None
    deadline: float | None = None
    wait_s: float = 2.0  # at most this long for room in the budget

    def wait(self) -> float:
        """Seconds an image may wait for room now; past the deadline, it is refused without decoding."""
        if self.deadline is None:
            return self.wait_s
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise ApiError(503, "busy", "no time was left in this request to decode this image; send it again")
        return min(self.wait_s, left)


ADMIT_ALL = Admission()


# ---- the body ------------------------------------------------------------------------------------------
def verify_body_limit(settings: ServerSettings) -> int:
    """Bytes allowed for the body of POST /v1/verify: the image, the text (up to 4 UTF-8 bytes a character)
    and the form around them."""
    return settings.max_upload_bytes + 4 * settings.max_text_chars + FORM_OVERHEAD_BYTES


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


# ---- the form ------------------------------------------------------------------------------------------
@dataclass
class Part:
    name: str
    filename: str | None
    data: bytearray = field(default_factory=bytearray)


def parse_multipart(body: bytes, content_type: str, max_parts: int, too_many: str) -> list[Part]:
    """Parts of a multipart/form-data body, in order, all in memory. ``too_many``: the detail of the 413
    when there are more than ``max_parts``, refused while parsing rather than after."""
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
    """The parts grouped by field name, in order; an unexpected name is refused rather than ignored."""
    found: dict[str, list[Part]] = {name: [] for name in expected}
    for part in parts:
        if part.name not in found:
            wanted = " and ".join(f"'{n}'" for n in expected)
            raise ApiError(422, "unexpected_field", f"unexpected form field '{part.name}' (send {wanted})")
        found[part.name].append(part)
    return found


def part_text(part: Part, settings: ServerSettings) -> str:
    """The sentence of a form part, checked as the CLI checks it."""
    try:
        text = bytes(part.data).decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(422, "bad_text", "the text is not valid UTF-8") from None
    try:
        return check_text(text, settings.max_text_chars)
    except TextError as err:
        raise ApiError(422, "bad_text", str(err)) from None


# ---- pairs ---------------------------------------------------------------------------------------------
def read_pair(body: bytes, content_type: str, settings: ServerSettings, admission: Admission = ADMIT_ALL) -> Pair:
    """(text, decoded image) from the body of POST /v1/verify."""
    parts = parse_multipart(body, content_type, 4, "send one 'text' and one 'image'")
    found = form_fields(parts, FIELDS)
    for name in FIELDS:
        if len(found[name]) != 1:
            missing = not found[name]
            problem = "missing" if missing else f"sent {len(found[name])} times"
            raise ApiError(422, "missing_field" if missing else "bad_form",
                           f"form field '{name}' is {problem}; send one 'text' and one 'image' "
                           "(several pairs: POST /v1/verify/batch)")  # fmt: skip
    text = part_text(found["text"][0], settings)
    return text, decode_upload(bytes(found["image"][0].data), settings, admission)


def read_pairs(
    body: bytes, content_type: str, settings: ServerSettings, admission: Admission = ADMIT_ALL
) -> list[Pair | ApiError]:
    """The pairs of POST /v1/verify/batch, in order: (text, image), or the ApiError of that pair alone, so
    one bad pair does not refuse the others. Problems with the form as a whole are raised. Images are
    admitted to the pixel budget one at a time, so a batch of large images is decoded item by item."""
    n = settings.max_batch_items
    too_many = f"at most {n} pairs per request"
    found = form_fields(parse_multipart(body, content_type, 2 * n, too_many), FIELDS)
    texts, images = found["text"], found["image"]
    if len(texts) != len(images):
        raise ApiError(422, "bad_form", f"{len(texts)} 'text' fields but {len(images)} 'image' fields; "
                       "send them in pairs, in order")  # fmt: skip
    if not texts:
        raise ApiError(422, "missing_field", "no pairs: repeat the fields 'text' and 'image'")
    if len(texts) > n:
        raise ApiError(413, "too_many_items", f"{len(texts)} pairs; {too_many}")
    pairs: list[Pair | ApiError] = []
    for text_part, image_part in zip(texts, images, strict=True):
        try:
            text = part_text(text_part, settings)
            pairs.append((text, decode_upload(bytes(image_part.data), settings, admission)))
        except ApiError as err:
            pairs.append(err)
    return pairs


# ---- the image -----------------------------------------------------------------------------------------
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


def decode_upload(data: bytes, settings: ServerSettings, admission: Admission = ADMIT_ALL) -> Image.Image:
    """Check an uploaded image against the limits, wait for room in the pixel budget and decode it, reduced
    to the model's view when ``admission.view`` is given; or raise :class:`ApiError`."""
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
        raise ApiError(413, "too_many_pixels", f"the image has too many pixels ({pil_message(err)})") from None
    except UnidentifiedImageError:  # Pillow's message names its BytesIO object: nothing for the client
        raise ApiError(
            422, "bad_image", f"the {kind} image is corrupt or truncated (its header can't be read)"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as err:
        raise ApiError(422, "bad_image", f"the {kind} image is corrupt or truncated ({pil_message(err)})") from None
    if fmt != IMAGE_TYPES[kind]:
        raise ApiError(422, "bad_image", f"the file starts like {kind} but decodes as {fmt}")
    if width * height > settings.max_pixels:
        raise ApiError(413, "too_many_pixels",
                       f"the image is {width}x{height} = {width * height:,} pixels; the limit is "
                       f"{settings.max_pixels:,}")  # fmt: skip
    pixels = width * height
    view = admission.view
    if view is not None and width and height:
        # the model scales the shorter side to view.resize: a thin strip is scaled up to its own bomb
        scale = view.resize / min(width, height)
        scaled = max(view.resize, round(width * scale)) * max(view.resize, round(height * scale))
        if scaled > settings.max_pixels:
            raise ApiError(413, "too_many_pixels", f"the image is {width}x{height}: scaled to the model's input "
                           f"({view.resize} pixels on the shorter side) it would be {scaled:,} pixels; the limit is "
                           f"{settings.max_pixels:,}")  # fmt: skip
        pixels = max(pixels, scaled)
    wait = admission.wait()  # a request out of time stops here, before decoding
    budget = admission.budget
    charge = budget.acquire(pixels, wait) if budget is not None else 0
    try:
        image = load_image(data, min_side=view.resize if view else None, max_pixels=settings.max_pixels)
        if view is not None:
            image = model_view(image, view)
    except ImageError as err:
        raise ApiError(422, "bad_image", err.reason) from None  # the reason alone: the client knows which file
    finally:
        if budget is not None:
            budget.release(charge)
    return image  # upright; load_image drops the applied orientation tag, so a second pass won't turn it
