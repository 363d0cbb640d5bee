"""Where a line's image comes from, and the rules for reading it: one :class:`ImageReader`, used by all
three engines (it is small and picklable, so worker processes and Ray actors get the same one).

A pairs file may come from someone else, so every read is bounded: a local path must be a regular file
(a FIFO would block the run forever), optionally under ``--root``; a URI follows the URI policy
(:mod:`.uris`); every image is at most :data:`MAX_IMAGE_BYTES` and in one of the formats the server
accepts (:data:`~animal_verifier.vision.image_io.IMAGE_FORMATS`), so no exotic decoder runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from animal_verifier.batch.uris import Storage, UriError, check_uri, is_uri, join_uri
from animal_verifier.vision.image_io import IMAGE_FORMATS, ImageError, describe, load_image, read_regular_file

MAX_IMAGE_BYTES = 50 * 1024 * 1024  # a 50 MP JPEG is about 20 MB; the server's upload cap is 10 MiB


@dataclass(frozen=True)
class ImageReader:
    """``root``: local image paths must resolve under this folder (None: anywhere the process may read)."""

    storage: Storage = field(default_factory=Storage)
    root: str | None = None
    max_bytes: int = MAX_IMAGE_BYTES

    def with_root(self, root: str | Path | None) -> ImageReader:
        return ImageReader(self.storage, os.path.realpath(root) if root else None, self.max_bytes)

    def load(self, image: str | bytes | bytearray, base: str | Path) -> Image.Image:
        """The image named by a line (a path relative to ``base``, a URI) or given as bytes."""
        if isinstance(image, bytes | bytearray):
            return self._decode(image, describe(image))
        try:
            if is_uri(image):
                check_uri(image)
                if image.lower().startswith("file://"):
                    return self._local(self.storage.filesystem(image)[1], image)
                return self._decode(self.storage.read(image, self.max_bytes), image)
            if is_uri(str(base)):
                uri = join_uri(str(base), image)
                return self._decode(self.storage.read(uri, self.max_bytes), uri)
        except UriError as err:
            raise ImageError(image, str(err).removeprefix(f"{image}: ")) from None
        path = Path(image) if Path(image).is_absolute() else Path(base) / image
        return self._local(str(path), str(path))

    def _local(self, path: str, name: str) -> Image.Image:
        if self.root is not None:
            real = os.path.realpath(path)
            if os.path.commonpath([real, self.root]) != self.root:
                raise ImageError(name, f"outside --root {self.root}")
        return self._decode(read_regular_file(path, self.max_bytes), name)

    def _decode(self, data: bytes | bytearray, name: str) -> Image.Image:
        if len(data) > self.max_bytes:
            raise ImageError(name, f"the image is {len(data):,} bytes; the limit is {self.max_bytes:,}")
        return load_image(data, formats=IMAGE_FORMATS, name=name)
