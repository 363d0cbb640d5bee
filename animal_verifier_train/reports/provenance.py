"""Where a figure file came from, worked out from weasel's project.lock and git, so no step has to record it.

project.lock keeps, for each command that ran, its script lines and the md5 of every dep and output. A file
whose md5 equals the lock's output md5 was written by that run; the run's inputs are its deps, followed
through the steps that made the generated ones (training/, corpus/) down to committed files. When every
committed input is unchanged (its md5 still the lock's and git sees no change), the measurement belongs to
the latest commit that changed any of them: that is "the commit measured", stable across later commits that
touch nothing it read.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import srsly
from weasel.util import get_checksum as checksum  # the lock's md5, file or folder

#: Absolute paths of this machine: a temporary or home folder, or a checkout somewhere.
LOCAL_PATH = re.compile(r"(?<![\w./:])/(?:work|tmp|home|root|Users|var/folders|private)(?:/[^\s\"',;:)\]]*)?")
#: The repository's top-level folders: an absolute path into one is made relative to the checkout.
REPO_FOLDERS = ("training", "assets", "corpus", "packages", "notebooks", "configs", "bench", "reports", "metas")
_INTO_REPO = re.compile(r"(?<![\w./:])/(?:[^\s\"',;:)\]/]+/)*?(" + "|".join(REPO_FOLDERS) + r")(?=/)")


class ProvenanceError(ValueError):
    """The file's origin cannot be shown: the message says why and what to rerun."""


@dataclass(frozen=True)
class Machine:
    cores: int
    cpu: str

    @classmethod
    def here(cls) -> Machine:
        return cls(cores=os.cpu_count() or 0, cpu=cpu_model())


@dataclass(frozen=True)
class Provenance:
    command: str
    script: list[str]
    commit: str
    date: str
    machine: Machine
    source: str
    external_inputs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        out = {
            "command": self.command,
            "script": self.script,
            "commit": self.commit,
            "date": self.date,
            "machine": {"cores": self.machine.cores, "cpu": self.machine.cpu},
            "source": self.source,
        }
        if self.external_inputs:
            out["external_inputs"] = self.external_inputs
        return out


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo), or the architecture where there is none."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return os.uname().machine


def strip_local_paths(text: str) -> str:
    """Absolute paths into a checkout made relative to it (".../x/training/pipeline" → "training/pipeline");
    any other path of this machine becomes "<local path>"."""
    return LOCAL_PATH.sub("<local path>", _INTO_REPO.sub(r"\1", text))


def utc_mtime(path: Path) -> str:
    """When the file was written (UTC, to the second): the date it was measured."""
    stamp = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).replace(microsecond=0)
    return stamp.isoformat().replace("+00:00", "Z")


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if done.returncode:
        raise ProvenanceError(f"git {args[0]} failed: {done.stderr.strip()}")
    return done.stdout.strip()


class Lock:
    """project.lock read once: which command wrote which output, with what inputs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        path = root / "project.lock"
        self.entries: dict = srsly.read_yaml(path) if path.is_file() else {}
        self._tracked = set(_git(root, "ls-files").splitlines())

    def producer(self, rel: str) -> tuple[str, dict] | None:
        """The command whose recorded outputs include ``rel``."""
        for name, entry in self.entries.items():
            for out in entry.get("outs", []):
                if out["path"] == rel:
                    return name, out
        return None

    def tracked(self, rel: str) -> bool:
        return rel in self._tracked or any(t.startswith(rel.rstrip("/") + "/") for t in self._tracked)

    def provenance(self, rel: str) -> Provenance:
        """The provenance of the figure file ``rel`` (relative to the root). Raises :class:`ProvenanceError`."""
        found = self.producer(rel)
        if found is None:
            raise ProvenanceError(f"{rel}: no command in project.lock wrote it")
        name, out = found
        if checksum(self.root / rel) != out["md5"]:
            raise ProvenanceError(f"{rel}: not the file `{name}` wrote last (rerun `spacy project run {name}`)")
        committed, external = self._inputs(name, seen=set())
        dirty = _git(self.root, "status", "--porcelain", "--", *sorted(committed)) if committed else ""
        if dirty:
            changed = ", ".join(line[3:] for line in dirty.splitlines())
            raise ProvenanceError(f"{rel}: its inputs differ from the last commit ({changed}); commit them first")
        commit = _git(self.root, "log", "-1", "--format=%H", "--", *sorted(committed)) if committed else ""
        if not commit:
            raise ProvenanceError(f"{rel}: no commit holds its inputs")
        return Provenance(
            command=f"spacy project run {name}",
            script=[strip_local_paths(line) for line in self.entries[name].get("script", [])],
            commit=commit,
            date=utc_mtime(self.root / rel),
            machine=Machine.here(),
            source=rel,
            external_inputs=sorted(external),
        )

    def _inputs(self, name: str, seen: set[str]) -> tuple[set[str], set[str]]:
        """The committed and the external files the command read, through the steps that made the rest."""
        committed: set[str] = set()
        external: set[str] = set()
        if name in seen:
            return committed, external
        seen.add(name)
        for dep in self.entries[name].get("deps", []):
            rel, md5 = dep["path"], dep["md5"]
            if self.tracked(rel):
                if not (self.root / rel).exists() or checksum(self.root / rel) != md5:
                    raise ProvenanceError(f"`{name}` read {rel} as it no longer is (rerun `spacy project run {name}`)")
                committed.add(rel)
                continue
            found = self.producer(rel)
            if found is None:
                external.add(strip_local_paths(rel))
                continue
            maker, out = found
            if out["md5"] != md5:
                raise ProvenanceError(f"`{name}` read {rel} before `{maker}` rewrote it (rerun `{name}`)")
            more_committed, more_external = self._inputs(maker, seen)
            committed |= more_committed
            external |= more_external
        return committed, external
