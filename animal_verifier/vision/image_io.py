"""Decode whatever a user hands us into an upright 8-bit RGB PIL image, or fail with a clear message.

Photos arrive as paths, bytes from an upload, open files or PIL images, in every mode PIL knows.
Everything the model sees goes through :func:`load_image`, so training, evaluation and inference decode
the same way: EXIF orientation applied, transparency composited on white, 16-bit scaled (not clipped),
the first frame of an animation, and big JPEGs decoded at a reduced scale (``draft``) when only a
small image is needed. Every failure is an :class:`ImageError` naming the file.

Geometry is bounded too (:data:`MAX_ASPECT_RATIO`, checked from the header before decoding): a 16 x 300,000
strip is within the pixel limit but preprocessing would resize it to 256 x 4,800,000 and take gigabytes.
:func:`read_regular_file` reads a file named by someone else: regular files only, up to a byte cap.
"""

from __future__ import annotations

import io
import math
import os
import re
import stat
import warnings
from collections.abc import Sequence
from typing import BinaryIO

import numpy as np
from PIL import Image, UnidentifiedImageError

ImageSource = str | os.PathLike | bytes | bytearray | memoryview | BinaryIO | Image.Image

# A 50-megapixel phone photo passes; PIL itself warns at 89 MP and refuses at 179 MP.
DEFAULT_MAX_PIXELS = 64_000_000
# Panoramas reach 4:1, phone "long screenshots" about 10:1; past this the shorter side resized to 256 makes
# a longer side of 12,800+ pixels, so memory grows with the ratio, not the pixel count.
MAX_ASPECT_RATIO = 50
#: The image types the server accepts (by MIME type, with Pillow's format name); batch reads allow only these.
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF",
               "image/bmp": "BMP", "image/tiff": "TIFF"}  # fmt: skip
IMAGE_FORMATS = tuple(IMAGE_TYPES.values())
_ORIENTATION_TAG = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_WHITE = (255, 255, 255)
_ALPHA_MODES = {"LA", "La", "PA", "RGBA", "RGBa"}


class ImageError(ValueError):
    """An image that cannot be read: missing, unreadable, not an image, truncated, corrupt or too big.

    The message names the source (``photo.jpg: not an image, ...``); ``reason`` is the same without the
    name, for a caller that already says which image it means (the server answering an upload).
    """

    def __init__(self, source: str, reason: str):
        super().__init__(source, reason)
        self.source, self.reason = source, reason

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


_OBJECT_REPR = re.compile(r"<[^<>]* at 0x[0-9a-fA-F]+>")


def pil_message(err: BaseException) -> str:
    """Pillow's message without the internal object reprs it sometimes names (``<_io.BytesIO object at
    0x...>``): a user reads it, and it says nothing to them."""
    return " ".join(_OBJECT_REPR.sub("the data", str(err)).split()) or type(err).__name__


def describe(source: object) -> str:
    """A short name for a source, for error messages."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return f"<{len(source)} bytes>"
    if isinstance(source, Image.Image):
        return f"<PIL image {source.mode} {source.width}x{source.height}>"
    return str(getattr(source, "name", None) or f"<{type(source).__name__}>")


def load_image(
    source: ImageSource,
    *,
    min_side: int | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    formats: Sequence[str] | None = None,
    name: str | None = None,
) -> Image.Image:
    """An upright RGB image from a path, bytes, a binary file object or a PIL image.

    ``min_side``: the caller only needs the shorter side this long, so a big JPEG file may be decoded at
    1/2, 1/4 or 1/8 scale (never below ``min_side``). ``max_pixels`` guards against decompression bombs;
    it can lower PIL's own limit (179 MP) but not raise it. ``formats``: the Pillow formats to try (default:
    every one Pillow knows; input from strangers should pass :data:`IMAGE_FORMATS`, so no exotic decoder,
    EPS's Ghostscript for one, ever runs). ``name``: what error messages call the source.
    """
    name = name or describe(source)
    if isinstance(source, Image.Image):
        return _finish(source, name, None, max_pixels)  # no draft(): it would change the caller's image
    if isinstance(source, (bytes, bytearray, memoryview)):
        fp: str | os.PathLike | BinaryIO = io.BytesIO(bytes(source))
    elif isinstance(source, (str, os.PathLike)) or hasattr(source, "read"):
        fp = source
    else:
        raise ImageError(name, "not an image source (give a path, bytes, a binary file or a PIL image)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fp, formats=formats) as image:
                result = _finish(image, name, min_side, max_pixels)
                return result if result is not image else image.copy()
    except ImageError:
        raise
    except (FileNotFoundError, IsADirectoryError, PermissionError) as e:
        raise ImageError(name, f"cannot read the file ({e.strerror or e})") from e
    except UnidentifiedImageError as e:
        if formats is not None:
            raise ImageError(name, f"not an image in an accepted format ({', '.join(formats)})") from e
        raise ImageError(name, "not an image, or a format Pillow cannot read") from e
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ImageError(name, f"too many pixels, refused as a possible decompression bomb ({pil_message(e)})") from e
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as e:
        raise ImageError(name, f"truncated or corrupt image ({pil_message(e)})") from e


def _finish(image: Image.Image, name: str, min_side: int | None, max_pixels: int) -> Image.Image:
    width, height = image.size
    if width * height > max_pixels:
        raise ImageError(
            name,
            f"{width}x{height} = {width * height:,} pixels is over the limit of {max_pixels:,} "
            "(a guard against decompression bombs; raise max_pixels to allow it)",
        )
    if width == 0 or height == 0:
        raise ImageError(name, f"empty image ({width}x{height})")
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise ImageError(name, f"{width}x{height} is too narrow a strip (sides over {MAX_ASPECT_RATIO}:1)")
    if min_side and image.format == "JPEG" and min(width, height) >= 2 * min_side:
        scale = min(width, height) / min_side
        image.draft(image.mode, (math.ceil(width / scale), math.ceil(height / scale)))
    image.load()
    image = _upright(image)
    return _to_rgb(image, name)


def read_regular_file(path: str | os.PathLike, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; anything else is an :class:`ImageError` at once.

    Opened non-blocking and checked on the open descriptor: a FIFO would block ``open`` forever, a device
    never ends, and a check by name before opening could be raced."""
    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise ImageError(name, f"cannot read the file ({e.strerror or e})") from e
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ImageError(name, "not a regular file (a folder, FIFO or device)")
        if info.st_size > max_bytes:
            raise ImageError(name, f"the file is {info.st_size:,} bytes; the limit is {max_bytes:,}")
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as e:
        raise ImageError(name, f"cannot read the file ({e.strerror or e})") from e
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # it grew while we read it
        raise ImageError(name, f"the file is over the limit of {max_bytes:,} bytes")
    return data


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation tag; a broken EXIF block is ignored, as viewers do."""
    try:
        orientation = image.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # noqa: BLE001 - EXIF from the wild is often malformed; the pixels are still fine
        return image
    method = _TRANSPOSE.get(orientation)
    if method is None:
        return image
    upright = image.transpose(method)
    upright.info.pop("exif", None)  # applied: decoding the result again must not turn it twice
    return upright


def _to_rgb(image: Image.Image, name: str) -> Image.Image:
    if image.mode.startswith("I") or image.mode == "F":
        return _high_depth_to_rgb(image)
    if image.mode in _ALPHA_MODES or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, _WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode == "RGB":
        return image
    try:
        return image.convert("RGB")  # L, 1, P, CMYK, YCbCr, ...
    except ValueError as e:
        raise ImageError(name, f"cannot convert image mode {image.mode} to RGB") from e


def _high_depth_to_rgb(image: Image.Image) -> Image.Image:
    """16-bit and 32-bit grayscale to 8 bits by scaling; PIL's own convert would clip to white."""
    pixels = np.asarray(image, dtype=np.float64)
    if image.mode.startswith("I;16") or pixels.max(initial=0) > 255:
        pixels = pixels / 257.0  # 0..65535 -> 0..255
    elif image.mode == "F" and pixels.max(initial=0) <= 1.0:
        pixels = pixels * 255.0
    gray = np.clip(np.rint(pixels), 0, 255).astype(np.uint8)
    return Image.fromarray(gray).convert("RGB")
