"""The URI policy: which files named by URI (``s3://bucket/a.jpg``, ``gs://``, ``hdfs://``, ``file://``) a
batch job reads, and how, through pyarrow's filesystems.

Anyone who writes a pairs file chooses its URIs, so a URI is a request made with the operator's network and
credentials. The rules, the same for image URIs, input and output URIs, and on every Ray actor:

- only the schemes in :data:`SCHEMES`;
- no query string, fragment or credentials in the URI: pyarrow reads options such as
  ``?endpoint_override=HOST&scheme=http`` from the query and would send the request (signed with the
  machine's keys) to that host. Such a URI is refused, never read with the query stripped;
- the S3 endpoint comes from the operator (``--s3-endpoint``, ``ANIMAL_VERIFIER_S3_ENDPOINT``), the region
  and credentials from the environment; filesystems are built directly, never ``FileSystem.from_uri``,
  which also looks a bucket's region up on the internet;
- a relative image path under a URI input stays under the input's location (no ``../`` out of it);
- each image read is capped at a number of bytes.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from animal_verifier.vision.image_io import ImageError

if TYPE_CHECKING:
    from pyarrow import fs

SCHEMES = ("s3", "gs", "hdfs", "file")
ENV_S3_ENDPOINT = "ANIMAL_VERIFIER_S3_ENDPOINT"
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


class UriError(ValueError):
    """A URI the policy refuses."""


def is_uri(name: str) -> bool:
    return bool(_SCHEME.match(name))


def check_uri(uri: str) -> str:
    """``uri`` if the policy allows it, else :class:`UriError` saying why."""
    scheme = uri.split("://", 1)[0].lower()
    if scheme not in SCHEMES:
        raise UriError(
            f"{uri}: the scheme {scheme}:// is not allowed; use one of {', '.join(s + '://' for s in SCHEMES)}"
        )
    if "?" in uri or "#" in uri:
        raise UriError(f"{uri}: a URI must not carry a query string or fragment (options come from the operator)")
    parts = urlsplit(uri)
    if "@" in parts.netloc:
        raise UriError(f"{uri}: a URI must not carry credentials (they come from the environment)")
    if scheme == "file" and parts.netloc not in ("", "localhost"):
        raise UriError(f"{uri}: a file:// URI must name a local path (file:///...)")
    return uri


def join_uri(base: str, relative: str) -> str:
    """A path relative to the input's folder, when that folder is a URI; it must stay under that folder."""
    scheme, _, rest = base.partition("://")
    joined = posixpath.normpath(posixpath.join(rest, relative))
    root = posixpath.normpath(rest)
    if relative.startswith("/") or not (joined + "/").startswith(root.rstrip("/") + "/"):
        raise UriError(f"{relative}: a relative path must stay under the input's location {base}")
    return f"{scheme}://{joined}"


def parse_endpoint(endpoint: str) -> tuple[str, str]:
    """(host:port, scheme) of an ``--s3-endpoint`` such as ``http://127.0.0.1:9000``."""
    parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/") or parts.query:
        raise UriError(f"--s3-endpoint {endpoint}: expected http(s)://HOST[:PORT]")
    if "@" in parts.netloc:
        raise UriError(f"--s3-endpoint {endpoint}: credentials come from the environment, not the URL")
    return parts.netloc, parts.scheme


@dataclass(frozen=True)
class Storage:
    """How URIs are read: the operator's S3 endpoint (None: AWS) and the byte cap on each image read.
    Small and picklable: it travels to worker processes and Ray actors."""

    s3_endpoint: str | None = None

    @classmethod
    def from_options(cls, s3_endpoint: str | None) -> Storage:
        endpoint = s3_endpoint or os.environ.get(ENV_S3_ENDPOINT) or None
        if endpoint:
            parse_endpoint(endpoint)  # fails here, before any work
        return cls(endpoint)

    def filesystem(self, uri: str) -> tuple[fs.FileSystem, str]:
        """(filesystem, path in it) for an allowed URI."""
        from pyarrow import fs

        check_uri(uri)
        scheme, _, rest = uri.partition("://")
        scheme = scheme.lower()
        if scheme == "file":
            return fs.LocalFileSystem(), urlsplit(uri).path
        if scheme == "s3":
            if self.s3_endpoint:
                host, http = parse_endpoint(self.s3_endpoint)
                return fs.S3FileSystem(endpoint_override=host, scheme=http), rest
            return fs.S3FileSystem(), rest
        if scheme == "gs":
            return fs.GcsFileSystem(), rest
        return fs.HadoopFileSystem.from_uri(uri), urlsplit(uri).path  # hdfs://namenode:port/path

    def read(self, uri: str, max_bytes: int) -> bytes:
        """The bytes of the file at ``uri``, at most ``max_bytes``; every failure an :class:`ImageError`."""
        try:
            filesystem, path = self.filesystem(uri)
        except UriError as err:
            raise ImageError(uri, str(err).removeprefix(f"{uri}: ")) from None
        except ImportError:
            raise ImageError(uri, "reading URIs needs pyarrow: pip install 'animal-verifier[ray]'") from None
        except (OSError, ValueError) as err:
            raise ImageError(uri, f"cannot reach the storage ({err})") from None
        from pyarrow import fs

        if isinstance(filesystem, fs.LocalFileSystem):
            from animal_verifier.vision.image_io import read_regular_file

            return read_regular_file(path, max_bytes)
        try:
            with filesystem.open_input_file(path) as f:
                if f.size() > max_bytes:
                    raise ImageError(uri, f"the file is {f.size():,} bytes; the limit is {max_bytes:,}")
                return f.read(max_bytes)
        except (OSError, ValueError) as err:  # pyarrow's ArrowInvalid is a ValueError, its IO errors OSErrors
            raise ImageError(uri, f"cannot read the file ({err})") from err
