"""``batch --engine ray``: the batch job on Ray Data, on this machine or a cluster, with the same records.

Input: a JSON Lines file (raw lines, parsed in the actors so a broken line is an error record, not a
failed read) or a Parquet file (a ``text`` column; ``image`` a path, a URI or the image's bytes). Both
readers number the rows as ``batch`` does and cut them into blocks of ``batch_size`` rows, so every
actor call is the same ``nlp.pipe`` batch as one ``batch`` chunk. Actors (``ActorPoolStrategy``) load
the pipeline once each and call :func:`animal_verifier.batch.runner.verify_rows`; rows come out as ``line``,
``error`` (null when fine) and ``record`` (the JSON line ``batch`` writes). That fixed schema whatever
the input carries means no input can fail the write, and a rerun's files sit beside the first run's.

Output is a folder of JSON Lines or Parquet files. A rerun reads the lines already there (a file left
torn by a killed run is deleted and its lines redone) and verifies only the rest.
"""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq
from pyarrow import fs

from animal_verifier.batch.runner import numbered_lines, record_json, verify_rows
from animal_verifier.batch.uris import is_uri
from animal_verifier.batch.workers import load_for_worker, threads_per_worker

if TYPE_CHECKING:
    import ray

JSONL, PARQUET = "jsonl", "parquet"
SUFFIXES = {".jsonl": JSONL, ".ndjson": JSONL, ".json": JSONL, ".parquet": PARQUET, ".pq": PARQUET}
_RAW = "__json_line__"  # the JSONL reader's column: a line as read, parsed by the actor
IO_CPUS = 0.25  # reading and writing tasks are light; on 2 cores whole-CPU ones would wait for the actors


class RayInputError(ValueError):
    """Bad input or options, found before any work starts."""


@dataclass
class RaySummary:
    ok: int
    errors: int
    skipped: int

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


def _filesystem(path: str) -> tuple[fs.FileSystem, str]:
    if is_uri(path):
        return fs.FileSystem.from_uri(path)
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

        def __init__(self, path: str):
            super().__init__(path, file_format=JSONL)

        def write_block_to_file(self, block: BlockAccessor, file: pa.NativeFile) -> None:
            records = block.to_arrow().column("record").to_pylist()
            file.write("".join(r + "\n" for r in records).encode("utf8"))

    return _JsonLines, _ParquetRows, _RecordLines


def check_input(path: str) -> str:
    """The input's format; a missing file, an unknown suffix or a Parquet file without ``text`` fails here."""
    kind = file_format(path)
    filesystem, local = _filesystem(path)
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


def read_pairs(path: str, batch_size: int = 16) -> ray.data.Dataset:
    """A JSON Lines or Parquet file as a Dataset of numbered rows, ready for :func:`verify_dataset`."""
    kind = check_input(path)
    import ray

    json_lines, parquet_rows, _ = _ray_io()
    reader = json_lines if kind == JSONL else parquet_rows
    source = path if is_uri(path) else str(Path(path).resolve())
    return ray.data.read_datasource(reader(source, batch_size), num_cpus=IO_CPUS)


# ---- verifying ----------------------------------------------------------------------------------------
class PairVerifier:
    """One Ray actor: loads the pipeline once, then turns batches of rows into records."""

    def __init__(self, model: str | None, base: str, batch_size: int, threads: int):
        self.nlp = load_for_worker(model, threads)
        self.base, self.batch_size = base, batch_size

    def __call__(self, batch: pa.Table) -> pa.Table:
        rows = []
        for row in batch.to_pylist():
            line = row.pop("line", None)
            rows.append((line, row[_RAW] if _RAW in row else row))
        records = verify_rows(self.nlp, rows, self.base, self.batch_size)
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
) -> ray.data.Dataset:
    """Verify a Dataset of ``text`` and ``image`` rows (a path relative to ``base``, a URI, or bytes)
    with ``workers`` actors, one pipeline each. Each row comes out as ``line``, ``error`` (null when
    fine) and ``record``: the JSON object ``batch`` writes, with every input column but image bytes.
    ``line`` is the row's own ``line`` column (any id; null without one). ``model`` must be loadable on
    every node: an installed package name or a path they all see."""
    import ray

    from animal_verifier.pipeline import resolve_model

    resolved = resolve_model(model)
    if Path(resolved).exists():
        resolved = str(Path(resolved).resolve())
    threads, num_cpus = actor_resources(workers)
    base = str(base) if is_uri(str(base)) else str(Path(base).resolve())
    return ds.map_batches(
        PairVerifier,
        fn_constructor_kwargs={"model": resolved, "base": base, "batch_size": batch_size, "threads": threads},
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=num_cpus,
        batch_size=batch_size,
        batch_format="pyarrow",
    )


# ---- writing and resuming -----------------------------------------------------------------------------
def _output_files(output: str) -> tuple[fs.FileSystem, list[str]]:
    filesystem, root = _filesystem(output)
    info = filesystem.get_file_info(root)
    if info.type == fs.FileType.NotFound:
        return filesystem, []
    if info.type != fs.FileType.Directory:
        raise RayInputError(f"{output}: exists and is not a folder (the Ray engine writes a folder of files)")
    found = filesystem.get_file_info(fs.FileSelector(root, recursive=False))
    return filesystem, sorted(i.path for i in found if i.type == fs.FileType.File)


def _read_file(filesystem: fs.FileSystem, path: str) -> list[tuple[int, str | None]]:
    """(line, error) of each record in one output file; raises ValueError if the file is torn."""
    if path.endswith(".parquet"):
        with filesystem.open_input_file(path) as f:
            table = pq.read_table(f, columns=["line", "error"])
        return list(zip(table.column("line").to_pylist(), table.column("error").to_pylist(), strict=True))
    with filesystem.open_input_stream(path) as f:
        text = f.read().decode("utf8")
    if text and not text.endswith("\n"):
        raise ValueError("torn last line")
    return [(int(r["line"]), r.get("error")) for r in map(json.loads, text.splitlines())]


def scan_output(output: str) -> list[tuple[int, str | None]]:
    """(line, error) of every record already written; files a killed run left torn are deleted."""
    filesystem, paths = _output_files(output)
    rows = []
    for path in paths:
        if not path.endswith((".jsonl", ".parquet")):
            continue
        try:
            rows.extend(_read_file(filesystem, path))
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
            filesystem.delete_file(path)  # its lines are done again
    return rows


def read_records(output: str | Path) -> list[dict]:
    """Every record in an output folder (in no particular order), for tests and checks."""
    filesystem, paths = _output_files(str(output))
    records = []
    for path in paths:
        if path.endswith(".parquet"):
            with filesystem.open_input_file(path) as f:
                records += [json.loads(r) for r in pq.read_table(f, columns=["record"]).column("record").to_pylist()]
        elif path.endswith(".jsonl"):
            with filesystem.open_input_stream(path) as f:
                records += [json.loads(line) for line in f.read().decode("utf8").splitlines()]
    return records


def _skip_done(done: set[int]):
    done_lines = pa.array(sorted(done), pa.int64())

    def keep(batch: pa.Table) -> pa.Table:
        import pyarrow.compute as pc

        return batch.filter(pc.invert(pc.is_in(batch.column("line"), value_set=done_lines)))

    return keep


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
    """Join the cluster at ``address``, or start a local Ray (all cores, or ``num_cpus``)."""
    import ray

    if address:
        check_address(address)
    if ray.is_initialized():
        return
    if address:
        try:
            ray.init(address=address, logging_level="WARNING")
        except ConnectionError as err:
            raise RayInputError(f"--address {address}: cannot join the Ray cluster ({err})") from None
    else:
        ray.init(num_cpus=num_cpus, logging_level="WARNING")


def run_ray(
    model: str | None,
    input_path: str,
    output_path: str,
    *,
    batch_size: int = 16,
    workers: int = 1,
    address: str | None = None,
) -> RaySummary:
    """The whole job; every check on the input, the output and the address runs before Ray does work."""
    check_input(input_path)
    out_kind = output_format(output_path)
    _output_files(output_path)  # a file where the folder should be fails here
    connect(address)
    done_rows = scan_output(output_path)
    done = {line for line, _ in done_rows}
    ds = read_pairs(input_path, batch_size)
    if done:
        ds = ds.map_batches(_skip_done(done), batch_format="pyarrow", num_cpus=IO_CPUS)
    base = input_path.rsplit("/", 1)[0] if is_uri(input_path) else Path(input_path).resolve().parent
    verified = verify_dataset(ds, model, workers=workers, base=base, batch_size=batch_size)
    target = output_path if is_uri(output_path) else str(Path(output_path).resolve())
    if out_kind == PARQUET:
        verified.write_parquet(target, ray_remote_args={"num_cpus": IO_CPUS})
    else:
        verified.write_datasink(_ray_io()[2](target), ray_remote_args={"num_cpus": IO_CPUS})
    new = [row for row in scan_output(output_path) if row[0] not in done]
    errors = sum(error is not None for _, error in new)
    return RaySummary(ok=len(new) - errors, errors=errors, skipped=len(done))
