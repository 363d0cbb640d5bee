"""``batch --engine ray``: the batch job on Ray Data, on this machine or a cluster, with the same records.

Input: a JSON Lines file (raw lines, parsed in the actors so a broken line is an error record, not a
failed read) or a Parquet file (a ``text`` column; ``image`` a path, a URI or the image's bytes). Both
readers number the rows as ``batch`` does and cut them into blocks of ``batch_size`` rows, so every
actor call is the same ``nlp.pipe`` batch as one ``batch`` chunk. Actors (``ActorPoolStrategy``) load
the pipeline once each and call :func:`animal_verifier.batch.runner.verify_rows`; rows come out as ``line``,
``error`` (null when fine) and ``record`` (the JSON line ``batch`` writes). That fixed schema whatever
the input carries means no input can fail the write, and a rerun's files sit beside the first run's.

Output is a folder of JSON Lines or Parquet files, named ``batch-RUN-...``, with a manifest
(``_animal_verifier_batch.manifest``) that names the model and every run, registered before the run writes.
The folder must be new, empty or one this command wrote, and must not hold the input. A rerun reads the
lines its own runs wrote (a file of one of its runs left torn by a kill is deleted and its lines redone),
checks they answer this input and this model (:mod:`.identity`), and verifies only the rest. Any other
file in the folder is reported and left alone.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq
from pyarrow import fs

from animal_verifier.batch.identity import (
    Identity,
    check_model,
    check_same_input,
    model_identity,
    new_manifest,
    parse_manifest,
    record_identity,
)
from animal_verifier.batch.output import OutputError, check_not_inside
from animal_verifier.batch.runner import numbered_lines, record_json, verify_rows
from animal_verifier.batch.sources import ImageReader
from animal_verifier.batch.uris import Storage, UriError, check_uri, is_uri
from animal_verifier.batch.workers import load_for_worker, threads_per_worker

if TYPE_CHECKING:
    import ray

JSONL, PARQUET = "jsonl", "parquet"
SUFFIXES = {".jsonl": JSONL, ".ndjson": JSONL, ".json": JSONL, ".parquet": PARQUET, ".pq": PARQUET}
_RAW = "__json_line__"  # the JSONL reader's column: a line as read, parsed by the actor
IO_CPUS = 0.25  # reading and writing tasks are light; on 2 cores whole-CPU ones would wait for the actors
MANIFEST = "_animal_verifier_batch.manifest"  # not .json: readers of the folder's .json files would take it
_OWN_FILE = re.compile(r"^batch-(?P<run>[0-9a-f]{16})-[0-9A-Za-z_-]+\.(jsonl|parquet)$")


class RayInputError(ValueError):
    """Bad input or options, found before any work starts."""


@dataclass
class RaySummary:
    ok: int
    errors: int
    skipped: int
    notes: list[str] = field(default_factory=list)  # files in the folder left alone, torn files removed

    def line(self, output: object) -> str:
        total = self.ok + self.errors + self.skipped
        return f"{total} lines: {self.ok} ok, {self.errors} errors, {self.skipped} already done; wrote {output}"


# ---- reading ------------------------------------------------------------------------------------------
def file_format(path: str) -> str:
    suffix = Path(path.split("://")[-1]).suffix.lower()
    if suffix not in SUFFIXES:
        raise RayInputError(f"{path}: unknown format {suffix or '(no suffix)'}; use one of {', '.join(SUFFIXES)}")
    return SUFFIXES[suffix]


def output_format(path: str) -> str:
    """A folder named ``*.parquet`` gets Parquet files; any other, JSON Lines files."""
    return PARQUET if SUFFIXES.get(Path(path.split("://")[-1]).suffix.lower()) == PARQUET else JSONL


def _filesystem(path: str, storage: Storage | None = None) -> tuple[fs.FileSystem, str]:
    """The filesystem and path of an input or output, under the URI policy (:mod:`.uris`)."""
    if is_uri(path):
        try:
            return (storage or Storage()).filesystem(path)
        except UriError as err:
            raise RayInputError(str(err)) from None
    return fs.LocalFileSystem(), str(Path(path).resolve())


@cache
def _ray_io() -> tuple[type, type, type]:
    """The JSONL and Parquet readers and the JSONL writer: Ray classes, so made on first use (importing
    ray sets environment variables, which importing this module must not)."""
    from ray.data.block import BlockAccessor
    from ray.data.datasource import BlockBasedFileDatasink, FileBasedDatasource

    class _JsonLines(FileBasedDatasource):
        """Numbered non-blank lines, unparsed, ``block_rows`` per block."""

        def __init__(self, paths: str, block_rows: int, **kwargs):
            super().__init__(paths, **kwargs)
            self.block_rows = block_rows

        def _read_stream(self, f: pa.NativeFile, path: str) -> Iterator[pa.Table]:
            text = io.TextIOWrapper(io.BytesIO(f.readall()), encoding="utf8", errors="replace")
            numbered = numbered_lines(text)
            while block := list(islice(numbered, self.block_rows)):
                lines, raws = zip(*block, strict=True)
                yield pa.table({"line": pa.array(lines, pa.int64()), _RAW: pa.array(raws, pa.string())})

    class _ParquetRows(FileBasedDatasource):
        """The file's rows with their 1-based row number as ``line``, ``block_rows`` per block."""

        def __init__(self, paths: str, block_rows: int, **kwargs):
            super().__init__(paths, **kwargs)
            self.block_rows = block_rows

        def _read_stream(self, f: pa.NativeFile, path: str) -> Iterator[pa.Table]:
            first = 1
            for batch in pq.ParquetFile(pa.BufferReader(f.readall())).iter_batches(batch_size=self.block_rows):
                table = pa.Table.from_batches([batch])
                yield table.add_column(0, "line", pa.array(range(first, first + len(table)), pa.int64()))
                first += len(table)

    class _RecordLines(BlockBasedFileDatasink):
        """JSON Lines files of the ``record`` column: line for line what ``batch`` writes."""

        def __init__(self, path: str, **kwargs):
            super().__init__(path, file_format=JSONL, **kwargs)

        def write_block_to_file(self, block: BlockAccessor, file: pa.NativeFile) -> None:
            records = block.to_arrow().column("record").to_pylist()
            file.write("".join(r + "\n" for r in records).encode("utf8"))

    return _JsonLines, _ParquetRows, _RecordLines


def check_input(path: str, storage: Storage | None = None) -> str:
    """The input's format; a missing file, an unknown suffix or a Parquet file without ``text`` fails here."""
    kind = file_format(path)
    filesystem, local = _filesystem(path, storage)
    try:
        info = filesystem.get_file_info(local)
    except (OSError, ValueError) as err:
        raise RayInputError(f"{path}: cannot read it ({err})") from None
    if info.type != fs.FileType.File:
        raise RayInputError(f"{path}: no such file")
    if kind == PARQUET:
        try:
            with filesystem.open_input_file(local) as f:
                names = pq.read_schema(f).names
        except (OSError, ValueError) as err:
            raise RayInputError(f"{path}: not a Parquet file ({err})") from None
        if "text" not in names:
            raise RayInputError(f"{path}: no 'text' column (columns: {', '.join(names)})")
        if "line" in names:
            raise RayInputError(f"{path}: has a 'line' column; the output numbers rows in 'line', rename it")
    return kind


def read_pairs(path: str, batch_size: int = 16, storage: Storage | None = None) -> ray.data.Dataset:
    """A JSON Lines or Parquet file as a Dataset of numbered rows, ready for :func:`verify_dataset`."""
    kind = check_input(path, storage)
    import ray

    json_lines, parquet_rows, _ = _ray_io()
    reader = json_lines if kind == JSONL else parquet_rows
    filesystem, source = _filesystem(path, storage)
    return ray.data.read_datasource(reader(source, batch_size, filesystem=filesystem), num_cpus=IO_CPUS)


# ---- verifying ----------------------------------------------------------------------------------------
class PairVerifier:
    """One Ray actor: loads the pipeline once, then turns batches of rows into records."""

    def __init__(self, model: str | None, base: str, batch_size: int, threads: int, reader: ImageReader | None = None):
        self.nlp = load_for_worker(model, threads)
        self.base, self.batch_size, self.reader = base, batch_size, reader

    def __call__(self, batch: pa.Table) -> pa.Table:
        rows = []
        for row in batch.to_pylist():
            line = row.pop("line", None)
            rows.append((line, row[_RAW] if _RAW in row else row))
        records = verify_rows(self.nlp, rows, self.base, self.batch_size, self.reader)
        return pa.table(
            {
                "line": [r["line"] for r in records],
                "error": pa.array([r.get("error") for r in records], pa.string()),
                "record": pa.array([record_json(r) for r in records], pa.string()),
            }
        )


def actor_resources(workers: int) -> tuple[int, float]:
    """(threads, num_cpus) per actor: the cores shared out (never more than the largest node has), each
    actor asking a quarter CPU less than its threads so the read and write tasks (``IO_CPUS``) still get
    scheduled beside a full pool."""
    import ray

    if not ray.is_initialized():
        threads = threads_per_worker(workers)
    else:
        node_cpus = max(int(n["Resources"].get("CPU", 1)) for n in ray.nodes() if n["Alive"])
        threads = min(node_cpus, threads_per_worker(workers, int(ray.cluster_resources().get("CPU", 1))))
    return threads, threads - IO_CPUS


def verify_dataset(
    ds: ray.data.Dataset,
    model: str | None = None,
    *,
    workers: int = 1,
    base: str | Path = ".",
    batch_size: int = 16,
    reader: ImageReader | None = None,
) -> ray.data.Dataset:
    """Verify a Dataset of ``text`` and ``image`` rows (a path relative to ``base``, a URI, or bytes)
    with ``workers`` actors, one pipeline each. Each row comes out as ``line``, ``error`` (null when
    fine) and ``record``: the JSON object ``batch`` writes, with every input column but image bytes.
    ``line`` is the row's own ``line`` column (any id; null without one). ``model`` must be loadable on
    every node: an installed package name or a path they all see. ``reader``: the image rules
    (:class:`~.sources.ImageReader`: URI policy, ``--root``, byte cap), applied on every actor."""
    import ray

    from animal_verifier.pipeline import resolve_model

    resolved = resolve_model(model)
    if Path(resolved).exists():
        resolved = str(Path(resolved).resolve())
    threads, num_cpus = actor_resources(workers)
    base = str(base) if is_uri(str(base)) else str(Path(base).resolve())
    return ds.map_batches(
        PairVerifier,
        fn_constructor_kwargs={
            "model": resolved,
            "base": base,
            "batch_size": batch_size,
            "threads": threads,
            "reader": reader or ImageReader(),
        },
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=num_cpus,
        batch_size=batch_size,
        batch_format="pyarrow",
    )


# ---- writing and resuming -----------------------------------------------------------------------------
@dataclass
class Folder:
    """An output folder: its filesystem and path, its manifest (None: a new or empty folder) and files."""

    filesystem: fs.FileSystem
    root: str
    manifest: dict | None
    files: list[str]

    def own(self) -> list[str]:
        """Files a registered run of this folder wrote."""
        runs = set((self.manifest or {}).get("runs", []))
        return [p for p in self.files if (m := _OWN_FILE.match(p.rsplit("/", 1)[-1])) and m["run"] in runs]

    def others(self) -> list[str]:
        own = set(self.own())
        return [p for p in self.files if p not in own and p.rsplit("/", 1)[-1] != MANIFEST]

    def write_manifest(self, manifest: dict) -> None:
        self.filesystem.create_dir(self.root, recursive=True)
        tmp = f"{self.root}/.{MANIFEST}.{uuid.uuid4().hex}.tmp"
        with self.filesystem.open_output_stream(tmp) as f:
            f.write(json.dumps(manifest, indent=1).encode("utf8") + b"\n")
        self.filesystem.move(tmp, f"{self.root}/{MANIFEST}")  # a rename on local disks


def open_folder(output: str, storage: Storage | None = None) -> Folder:
    """The output folder as it is; :class:`OutputError` if it is not one this command may write to."""
    filesystem, root = _filesystem(output, storage)
    info = filesystem.get_file_info(root)
    if info.type == fs.FileType.NotFound:
        return Folder(filesystem, root, None, [])
    if info.type != fs.FileType.Directory:
        raise OutputError(f"{output}: exists and is not a folder (the Ray engine writes a folder of files)")
    found = filesystem.get_file_info(fs.FileSelector(root, recursive=True))
    files = sorted(i.path for i in found if i.type == fs.FileType.File)
    manifest_file = f"{root}/{MANIFEST}"
    if manifest_file in files:
        with filesystem.open_input_stream(manifest_file) as f:
            manifest = parse_manifest(f.read().decode("utf8", errors="replace"), manifest_file)
        return Folder(filesystem, root, manifest, files)
    if files:
        raise OutputError(
            f"{output}: the folder holds files and was not written by batch (no {MANIFEST}); "
            "it is left as it is: give a new or empty folder"
        )
    return Folder(filesystem, root, None, [])


def _read_file(filesystem: fs.FileSystem, path: str) -> list[tuple[int, str | None, Identity]]:
    """(line, error, input identity) of each record in one output file; raises ValueError if it is torn."""
    if path.endswith(".parquet"):
        with filesystem.open_input_file(path) as f:
            table = pq.read_table(f, columns=["line", "error", "record"])
        records = [json.loads(r) for r in table.column("record").to_pylist()]
    else:
        with filesystem.open_input_stream(path) as f:
            text = f.read().decode("utf8")
        if text and not text.endswith("\n"):
            raise ValueError("torn last line")
        records = [json.loads(line) for line in text.splitlines()]
    return [(int(r["line"]), r.get("error"), record_identity(r)) for r in records]


def scan_output(folder: Folder, notes: list[str] | None = None) -> list[tuple[int, str | None, Identity]]:
    """(line, error, identity) of every record the folder's own runs wrote. A file of one of its runs
    that a kill left torn is deleted (its lines are done again); any other file is reported in ``notes``
    and left alone."""
    rows = []
    for path in folder.own():
        try:
            rows.extend(_read_file(folder.filesystem, path))
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
            folder.filesystem.delete_file(path)  # ours (its run is in the manifest) and torn
            if notes is not None:
                notes.append(f"removed {path}: torn by a killed run; its lines are verified again")
    if notes is not None and (others := folder.others()):
        shown = ", ".join(p.rsplit("/", 1)[-1] for p in others[:5]) + (" ..." if len(others) > 5 else "")
        notes.append(f"left alone {len(others)} file(s) in the output folder that batch did not write: {shown}")
    return rows


def read_records(output: str | Path) -> list[dict]:
    """Every record in an output folder (in no particular order), for tests and checks."""
    folder = open_folder(str(output))
    records = []
    for path in folder.own():
        if path.endswith(".parquet"):
            with folder.filesystem.open_input_file(path) as f:
                records += [json.loads(r) for r in pq.read_table(f, columns=["record"]).column("record").to_pylist()]
        else:
            with folder.filesystem.open_input_stream(path) as f:
                records += [json.loads(line) for line in f.read().decode("utf8").splitlines()]
    return records


def input_rows(path: str, storage: Storage | None = None) -> Iterator[tuple[int, str | dict]]:
    """(line, raw line or row with ``text`` and ``image``) of the input, read on the driver to check that
    the output answers it; image bytes are not read."""
    filesystem, local = _filesystem(path, storage)
    if file_format(path) == JSONL:
        with filesystem.open_input_stream(local) as f:
            yield from numbered_lines(io.TextIOWrapper(f, encoding="utf8", errors="replace"))
        return
    with filesystem.open_input_file(local) as f:
        parquet = pq.ParquetFile(f)
        image = "image" in parquet.schema_arrow.names and not pa.types.is_binary(
            parquet.schema_arrow.field("image").type
        )
        columns = ["text", "image"] if image else ["text"]
        line = 1
        for batch in parquet.iter_batches(columns=columns):
            for row in batch.to_pylist():
                yield line, row
                line += 1


def _skip_done(done: set[int]):
    done_lines = pa.array(sorted(done), pa.int64())

    def keep(batch: pa.Table) -> pa.Table:
        import pyarrow.compute as pc

        return batch.filter(pc.invert(pc.is_in(batch.column("line"), value_set=done_lines)))

    return keep


def _filenames(run: str):
    """Ray's FilenameProvider for this run: ``batch-RUN-WRITEUUID-TASK.FORMAT``, the pattern of own files."""
    from ray.data.datasource import FilenameProvider

    class Names(FilenameProvider):
        def __init__(self, file_format: str):
            super().__init__(file_format=file_format)

        def get_filename_for_task(self, write_uuid: str, task_index: int) -> str:
            return f"batch-{run}-{write_uuid}-{task_index:06}.{self.file_format}"

    return Names


# ---- the job ------------------------------------------------------------------------------------------
def check_address(address: str, timeout: float = 5.0) -> None:
    """Fail fast on a cluster address nothing answers at (``ray.init`` would retry for minutes)."""
    if address == "auto":
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise RayInputError(f"--address {address}: expected HOST:PORT (e.g. 10.0.0.1:6379), ray://HOST:PORT or auto")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as err:
        raise RayInputError(f"--address {address}: no Ray cluster answers there ({err})") from None


def connect(address: str | None, num_cpus: int | None = None) -> None:
    """Join the cluster at ``address``, or start a local Ray (all cores, or ``num_cpus``) on the loopback
    address only: no dashboard, nothing listening on or talking over a network interface."""
    import ray

    if address:
        check_address(address)
    if ray.is_initialized():
        return
    if address:
        try:
            with loopback_kept(address):
                ray.init(address=address, logging_level="WARNING")
        except ConnectionError as err:
            raise RayInputError(f"--address {address}: cannot join the Ray cluster ({err})") from None
    else:
        ray.init(**local_ray_options(num_cpus))


@contextmanager
def loopback_kept(address: str) -> Iterator[None]:
    """While joining a cluster at a loopback address (``127.0.0.1:PORT``, ``localhost:PORT``: one started on
    this machine with ``--node-ip-address 127.0.0.1``), keep it on loopback. ``ray.init`` turns the hosts Ray
    calls localhost into the machine's network address (``resolve_ip_for_localhost``) unless multi-node
    clusters are off, and then cannot reach a head that listens on 127.0.0.1 only. Multi-node clusters are
    off for the join alone: a driver that joins starts no node, and once joined Ray takes the node's address
    from the node it joined. Any other address is left to Ray."""
    import ray._private.ray_constants as ray_constants
    from ray._common.network_utils import is_localhost, parse_address

    host = (parse_address(address) or ("",))[0]
    before = ray_constants.ENABLE_RAY_CLUSTER
    if host and is_localhost(host):
        ray_constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        ray_constants.ENABLE_RAY_CLUSTER = before


def local_ray_options(num_cpus: int | None = None) -> dict:
    """``ray.init`` options of a local Ray: on 127.0.0.1. Ray on Linux turns ``127.0.0.1`` into the machine's
    network address unless multi-node clusters are off (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``, the
    setting Ray itself uses on macOS for the same reason), so this turns them off for this process and the
    ones Ray starts; joining a cluster (``--address``) does not come through here (see :func:`loopback_kept`)."""
    import ray._private.ray_constants as ray_constants

    os.environ[ray_constants.ENABLE_RAY_CLUSTERS_ENV_VAR] = "0"
    ray_constants.ENABLE_RAY_CLUSTER = False  # read at import: ray may be imported already
    return {
        "address": "local",  # a new Ray of its own, never one whose address a `ray start` left in Ray's temp folder
        "num_cpus": num_cpus,
        "logging_level": "WARNING",
        "include_dashboard": False,
        "_node_ip_address": "127.0.0.1",
    }


def run_ray(
    model: str | None,
    input_path: str,
    output_path: str,
    *,
    batch_size: int = 16,
    workers: int = 1,
    address: str | None = None,
    reader: ImageReader | None = None,
) -> RaySummary:
    """The whole job; every check on the input, the output and the address runs before Ray does work."""
    reader = reader or ImageReader()
    storage = reader.storage
    for uri in (input_path, output_path):
        if is_uri(uri):
            try:
                check_uri(uri)
            except UriError as err:
                raise RayInputError(str(err)) from None
    if not is_uri(input_path) and not is_uri(output_path):
        check_not_inside(input_path, output_path)
    check_input(input_path, storage)
    out_kind = output_format(output_path)
    model_id = model_identity(model)
    folder = open_folder(output_path, storage)
    notes: list[str] = []
    done_rows = scan_output(folder, notes) if folder.manifest else []
    done = {line: identity for line, _, identity in done_rows}
    if folder.manifest:
        check_model(folder.manifest, model_id, output_path)
        check_same_input(done, input_rows(input_path, storage), output_path, strict=True)
    connect(address)
    run = uuid.uuid4().hex[:16]
    manifest = folder.manifest or new_manifest(model_id)
    folder.write_manifest({**manifest, "runs": [*manifest.get("runs", []), run]})  # before any file of the run
    ds = read_pairs(input_path, batch_size, storage)
    if done:
        ds = ds.map_batches(_skip_done(set(done)), batch_format="pyarrow", num_cpus=IO_CPUS)
    base = input_path.rsplit("/", 1)[0] if is_uri(input_path) else Path(input_path).resolve().parent
    verified = verify_dataset(ds, model, workers=workers, base=base, batch_size=batch_size, reader=reader)
    names = _filenames(run)
    write = {"filesystem": folder.filesystem, "filename_provider": names(out_kind)}
    if out_kind == PARQUET:
        verified.write_parquet(folder.root, ray_remote_args={"num_cpus": IO_CPUS}, **write)
    else:
        verified.write_datasink(_ray_io()[2](folder.root, **write), ray_remote_args={"num_cpus": IO_CPUS})
    new = [row for row in scan_output(open_folder(output_path, storage)) if row[0] not in done]
    errors = sum(error is not None for _, error, _ in new)
    return RaySummary(ok=len(new) - errors, errors=errors, skipped=len(done), notes=notes)
