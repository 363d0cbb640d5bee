"""Pairs per second of `animal-verifier batch` with 1 and 2 worker processes and on Ray with 1 and 2 actors.

Each configuration runs as the user runs it (the CLI in a fresh process) on a small and a large input of
the same (sentence, photo) pairs; the difference removes the fixed cost (starting Ray, loading the model
in each worker), so the rate is the steady one a million pairs would see. Also the memory (RSS) of each
worker or actor, sampled during the large run, and whether every configuration wrote the same records.

    python bench/bench_scale.py --model training/pipeline --output training/bench_scale.json
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import typer
from bench_batch import make_pairs  # same pairs as bench_batch.py (bench/ is on sys.path when run as a script)
from bench_server import rss_mib

CONFIGS = [("batch", "local", 1), ("batch", "local", 2), ("ray", "ray", 1), ("ray", "ray", 2)]
WORKER_MARKS = {"local": "multiprocessing.spawn", "ray": "PairVerifier"}  # how a worker's command line reads


def descendants(root: int) -> list[tuple[int, str]]:
    """(pid, command line) of every process under ``root``, from /proc."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, ppid in parents.items() if ppid == pid]
        found += children
        frontier += children
    lines = []
    for pid in found:
        try:
            lines.append((pid, Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")))
        except OSError:
            continue
    return lines


class RssSampler(threading.Thread):
    """The largest RSS seen of each worker: the processes under ``root`` whose command line has ``mark``
    (``root`` itself when ``mark`` is None: one process is its own worker)."""

    def __init__(self, root: int, mark: str | None):
        super().__init__(daemon=True)
        self.root, self.mark, self.peak = root, mark, {}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.5):
            pids = [self.root] if self.mark is None else [p for p, cmd in descendants(self.root) if self.mark in cmd]
            for pid in pids:
                try:
                    self.peak[pid] = max(self.peak.get(pid, 0.0), rss_mib(pid))
                except (OSError, RuntimeError):
                    continue

    def worker_mib(self) -> list[float]:
        return sorted(round(v) for v in self.peak.values())


def run_cli(model: str, engine: str, workers: int, source: Path, out: Path, sample: bool) -> tuple[float, list]:
    cmd = [sys.executable, "-m", "animal_verifier.cli", "batch", str(source), str(out), "--model", model]
    cmd += ["--workers", str(workers), "--engine", engine]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = RssSampler(proc.pid, None if (engine, workers) == ("local", 1) else WORKER_MARKS[engine])
    if sample:
        sampler.start()
    stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - start
    sampler.stopped.set()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr[-3000:]}")
    return elapsed, sampler.worker_mib() if sample else []


def read_output(path: Path) -> list[dict]:
    if path.is_dir():
        from animal_verifier.batch.ray_engine import read_records

        return sorted(read_records(path), key=lambda r: r["line"])
    return [json.loads(line) for line in path.read_text(encoding="utf8").splitlines()]


def main(
    model: str = typer.Option("training/pipeline", help="Full pipeline folder or package"),
    photos: Path = typer.Option(Path("assets/photos"), help="Folder with photos.csv"),
    n: int = typer.Option(1536, help="Pairs in the large run (long enough that start-up noise is small)"),
    small: int = typer.Option(64, help="Pairs in the small run (its time is the fixed cost)"),
    output: Path = typer.Option(Path("training/bench_scale.json"), help="Where to write the figures"),
) -> None:
    cpus = os.cpu_count() or 1
    pairs = make_pairs(photos, n)
    result: dict = {
        "pairs": n,
        "small_pairs": small,
        "cpus": cpus,
        "model": model,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": {},
    }
    outputs = {}
    with tempfile.TemporaryDirectory() as tmp:
        inputs = {}
        for size in (small, n):
            inputs[size] = Path(tmp, f"pairs{size}.jsonl")
            inputs[size].write_text("".join(json.dumps(p) + "\n" for p in pairs[:size]), encoding="utf8")
        for name, engine, workers in CONFIGS:
            key = f"{name}_{workers}"
            t_small, _ = run_cli(model, engine, workers, inputs[small], Path(tmp, f"{key}-small"), False)
            t_big, rss = run_cli(model, engine, workers, inputs[n], Path(tmp, f"{key}-big"), True)
            rate = (n - small) / max(t_big - t_small, 1e-9)
            outputs[key] = read_output(Path(tmp, f"{key}-big"))
            result["runs"][key] = {
                "pairs_per_s": round(rate, 1),
                "end_to_end_pairs_per_s": round(n / t_big, 1),
                "fixed_cost_s": round(t_small - small / rate, 1),
                "per_core_pairs_per_s": round(rate / cpus, 1),
                "hours_per_million": round(1e6 / rate / 3600, 2),
                "core_hours_per_million": round(1e6 / rate / 3600 * cpus, 2),
                "worker_rss_mib": rss,
            }
            typer.echo(f"{key:8s} {rate:7.1f} pairs/s (end to end {n / t_big:6.1f}), worker RSS MiB {rss}")
    runs = result["runs"]
    result["speedup_batch_2_vs_1"] = round(runs["batch_2"]["pairs_per_s"] / runs["batch_1"]["pairs_per_s"], 2)
    result["speedup_ray_2_vs_1"] = round(runs["ray_2"]["pairs_per_s"] / runs["ray_1"]["pairs_per_s"], 2)
    result["ray_2_vs_batch_2"] = round(runs["ray_2"]["pairs_per_s"] / runs["batch_2"]["pairs_per_s"], 2)
    result["same_records"] = all(records == outputs["batch_1"] for records in outputs.values())
    typer.echo(
        f"speed-up 2 vs 1: batch {result['speedup_batch_2_vs_1']}x, Ray {result['speedup_ray_2_vs_1']}x; "
        f"Ray 2 / batch 2: {result['ray_2_vs_batch_2']}; same records everywhere: {result['same_records']}"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    typer.run(main)
