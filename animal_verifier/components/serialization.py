"""The to_bytes/from_bytes half of spaCy's serialisation for components that keep files on disk.

spaCy's own pipes write one file per field; our components do the same in ``to_disk`` and get the
bytes form for free: each file becomes a field of one msgpack dict, so ``nlp.to_bytes()`` carries them.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

import srsly


class FolderSerializable:
    """Mixin: the bytes form of a component whose ``to_disk``/``from_disk`` write and read plain files."""

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            self.to_disk(tmp, exclude=exclude)
            files = sorted(p for p in Path(tmp).iterdir() if p.is_file())
            return srsly.msgpack_dumps({p.name: p.read_bytes() for p in files})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()):
        with tempfile.TemporaryDirectory() as tmp:
            for name, content in srsly.msgpack_loads(data).items():
                (Path(tmp) / name).write_bytes(content)
            return self.from_disk(tmp, exclude=exclude)
