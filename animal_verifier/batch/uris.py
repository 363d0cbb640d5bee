"""Files named by URI (``s3://bucket/a.jpg``, ``gs://...``, ``file:///...``), read through pyarrow's filesystems.

On a cluster the photos live in object storage, not on every node's disk. pyarrow (installed with the
``ray`` extra) resolves the scheme and the credentials the usual way (environment, instance role).
"""

from __future__ import annotations

import posixpath
import re

from animal_verifier.vision.image_io import ImageError

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def is_uri(name: str) -> bool:
    return bool(_SCHEME.match(name))


def join_uri(base: str, relative: str) -> str:
    """A path relative to the input's folder, when that folder is a URI."""
    scheme, _, rest = base.partition("://")
    return f"{scheme}://{posixpath.normpath(posixpath.join(rest, relative))}"


def read_uri(uri: str) -> bytes:
    try:
        from pyarrow import fs
    except ImportError:
        raise ImageError(uri, "reading URIs needs pyarrow: pip install 'animal-verifier[ray]'") from None
    try:
        filesystem, path = fs.FileSystem.from_uri(uri)
        with filesystem.open_input_stream(path) as f:
            return f.read()
    except (OSError, ValueError) as err:  # pyarrow's ArrowInvalid is a ValueError, its IO errors OSErrors
        raise ImageError(uri, f"cannot read the file ({err})") from err
