"""Load test of `animal-verifier serve` on loopback: latency, throughput, errors and memory.

    flock heavy.lock .venv/bin/python bench/bench_server.py                  # 2 minutes, 8 clients
    flock heavy.lock .venv/bin/python bench/bench_server.py --clients 16 --duration 300 \
        --out training/bench_server_soak.json                                    # the 5-minute soak
    .venv/bin/python bench/bench_server.py --duration 10 --latency-seconds 5      # a short run
    flock heavy.lock .venv/bin/python bench/bench_server.py --keys --rate-limit 50 --clients 16 \
        --duration 120 --latency-seconds 0 --out training/bench_server_soak_keys.json  # keys and rate limits on

Starts the server as a subprocess on a free 127.0.0.1 port (never anything else), sends a 640-px JPEG of
a real photo with a sentence, first from one client in sequence (latency without queueing), then from
``--clients`` concurrent clients for ``--duration`` seconds. Reports requests per second, p50/p95/p99
latency, errors (5xx counted apart), answers that differ from the first one, and the server's resident
memory (RSS) after warm-up, sampled during the load, at the end, its trend in MiB per minute over the
second half of the load and its change over the last minute (flat memory: about 0 for both). Writes
everything as JSON, with the raw RSS samples and the ANIMAL_VERIFIER_* / MALLOC_* variables the server ran
under. ``--keys`` gives each client an API key of its own (a keys file in a temporary folder) and
``--rate-limit`` sets the server's per-client limit, so the load runs with both on; 429s are counted apart.
"""

from __future__ import annotations

import io
import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np
import typer
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only
TEXTS = ("There is a cow in the picture.", "I see a cow but no cat.", "A dog is standing in a field.")


@dataclass
class Phase:
    name: str
    clients: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    wrong: int = 0  # 200 answers that differ from the reference answer for the same sentence

    def summary(self) -> dict:
        lat = np.array(self.latencies_ms) if self.latencies_ms else np.zeros(1)
        ok = self.statuses.get("200", 0)
        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 1),
            "requests": len(self.latencies_ms),
            "ok": ok,
            "errors": len(self.latencies_ms) - ok,
            "server_errors_5xx": sum(n for status, n in self.statuses.items() if status.startswith("5")),
            "rate_limited_429": self.statuses.get("429", 0),
            "statuses": dict(self.statuses),
            "wrong_answers": self.wrong,
            "requests_per_s": round(ok / self.seconds, 1) if self.seconds else 0.0,
            "latency_ms": {
                q: round(float(np.percentile(lat, p)), 1)
                for q, p in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))
            },  # fmt: skip
            "server_elapsed_ms_p50": round(float(np.median(self.server_ms)), 1) if self.server_ms else None,
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmRSS for process {pid}")


def rss_growth(samples: list[tuple[float, float]]) -> float | None:
    """RSS trend during the load in MiB per minute (least squares over the second half of the samples, after
    the allocator has settled): about 0 when memory is flat, positive when it leaks."""
    tail = samples[len(samples) // 2 :]
    if len(tail) < 3:
        return None
    t, rss = np.array(tail, dtype=float).T
    return round(float(np.polyfit(t / 60.0, rss, 1)[0]), 2)


def rss_last_minute(samples: list[tuple[float, float]]) -> dict | None:
    """RSS over the last 60 s of the load: first and last sample and the change. Unlike the fit, a step-wise
    warm-up early in the run does not weigh on it; a leak still shows as a change. None for a load under 2 min,
    whose last minute would still hold the warm-up."""
    if not samples or samples[-1][0] < 120:
        return None
    end = samples[-1][0]
    window = [rss for t, rss in samples if t >= end - 60]
    return {"from": window[0], "to": window[-1], "min": min(window), "max": max(window),
            "change": round(window[-1] - window[0], 1)}  # fmt: skip


def jpeg_640(path: Path) -> bytes:
    image = Image.open(path).convert("RGB")
    scale = 640 / max(image.size)
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BICUBIC)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def answer_key(body: dict) -> tuple:
    claims = tuple((c["animal"], c["negated"], c["verdict"]) for c in body["claims"])
    return body["predicted"], tuple(e["text"] for e in body["entities"]), claims, body["match"]


def run_phase(
    phase: Phase, url: str, image: bytes, seconds: float, reference: dict[str, tuple], keys: list[str] | None = None
) -> None:
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(k: int) -> None:
        headers = {"X-API-Key": keys[k % len(keys)]} if keys else None
        with httpx.Client(timeout=60, headers=headers) as http:
            i = k
            while time.monotonic() < deadline:
                text = TEXTS[i % len(TEXTS)]
                i += 1
                start = time.perf_counter()
                try:
                    r = http.post(url, data={"text": text}, files={"image": ("photo.jpg", image, "image/jpeg")})
                    status, body = str(r.status_code), (r.json() if r.status_code == 200 else None)
                    wait = float(r.headers.get("retry-after", 1)) if r.status_code == 429 else 0.0
                except httpx.HTTPError as err:
                    status, body, wait = type(err).__name__, None, 0.0
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    phase.latencies_ms.append(elapsed)
                    phase.statuses[status] += 1
                    if body is not None:
                        phase.server_ms.append(body["elapsed_ms"])
                        phase.wrong += answer_key(body) != reference[text]
                if wait:  # a polite client waits as long as a 429 tells it to
                    time.sleep(min(wait, max(0.0, deadline - time.monotonic())))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(phase.clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    phase.seconds = time.monotonic() - start


def model_or_exit(model: str | None) -> str:
    """The pipeline to serve, resolved as `serve` does, or a clear line and exit 1."""
    from animal_verifier.pipeline import ModelNotFound, resolve_model

    try:
        return resolve_model(model)
    except ModelNotFound as err:
        typer.secho(f"error: {err}", fg="red", err=True)
        raise typer.Exit(1) from None


def start_server(
    model_path: str,
    log_path: Path,
    args: tuple[str, ...] = (),
    python: str | Path = sys.executable,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, str]:
    """`animal-verifier serve` on a free loopback port, its output in ``log_path``: (process, base URL).
    ``python``: the interpreter of the venv to serve from (bench_runtime.py serves from .venv-runtime too)."""
    port = free_port()
    cmd = [str(python), "-m", "animal_verifier.cli", "serve", "--host", HOST, "--port", str(port),
           "--model", model_path, "--log-level", "warning", *args]  # fmt: skip
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return server, f"http://{HOST}:{port}"


def wait_ready(
    server: subprocess.Popen,
    base: str,
    log_path: Path,
    limit_s: float = 300,
    poll_s: float = 0.2,
    started: float | None = None,
) -> float:
    """Seconds until ``/readyz`` answers 200 (from ``started``, a ``time.monotonic()``; default: now); exits
    with a clear line when the server dies or never gets there."""
    started = time.monotonic() if started is None else started
    while True:
        if server.poll() is not None:
            typer.secho(f"error: the server exited; see {log_path}", fg="red", err=True)
            raise typer.Exit(1)
        try:
            if httpx.get(f"{base}/readyz").status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        if time.monotonic() - started > limit_s:
            typer.secho(f"error: the server was not ready after {limit_s:g} s", fg="red", err=True)
            raise typer.Exit(1)
        time.sleep(poll_s)


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()


def report_head(info: dict, model_path: str) -> dict:
    """What every server report starts with: when, how, where, which versions and model, which settings."""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
        "versions": versions(),
        "model": info["model"],
        "model_path": shown_path(model_path),
        "server_env": {k: v for k, v in os.environ.items() if k.startswith(("ANIMAL_VERIFIER_", "MALLOC_"))},
    }


def shown_path(path: str | Path) -> str:
    """A path for a report: relative to the repository, else its name alone (no machine-local paths)."""
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("spacy", "spacy-transformers", "torch", "onnxruntime", "fastapi", "uvicorn"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    return {"cpu": cpu, "cores": len(os.sched_getaffinity(0)), "system": platform.platform()}


def main(
    model: str = typer.Option(None, "--model", "-m", help="Pipeline folder or package (default: the embedded one)"),
    duration: float = typer.Option(120.0, min=1, max=1800, help="Seconds of concurrent load"),
    clients: int = typer.Option(8, min=1, max=64, help="Concurrent clients"),
    latency_seconds: float = typer.Option(20.0, min=0, max=600, help="Seconds of one client in sequence first"),
    photo: Path = typer.Option(ROOT / "assets/photos/cow_gcompris.jpg", help="Photo, re-encoded as a 640-px JPEG"),
    out: Path = typer.Option(ROOT / "training/bench_server.json", help="Where to write the JSON report"),
    rss_every: float = typer.Option(5.0, min=0.5, help="Seconds between RSS samples during the load"),
    keys: bool = typer.Option(False, "--keys", help="An API key per client (the server then requires keys)"),
    rate_limit: float = typer.Option(None, min=0.001, help="The server's --rate-limit (requests/s per client)"),
) -> None:
    """Bounded load test of the HTTP API on 127.0.0.1."""
    model_path = model_or_exit(model)
    image = jpeg_640(photo)
    log_path = out.with_suffix(".log")  # the server's own output
    args: list[str] = ["--rate-limit", str(rate_limit)] if rate_limit else []
    folder = tempfile.TemporaryDirectory(prefix="bench-server-keys-")
    client_keys = [secrets.token_urlsafe(24) for _ in range(clients)] if keys else None
    if client_keys:
        keys_file = Path(folder.name) / "keys.txt"
        keys_file.write_text("\n".join(client_keys) + "\n")
        args += ["--api-keys-file", str(keys_file)]
    auth = {"X-API-Key": client_keys[0]} if client_keys else None
    server, base = start_server(model_path, log_path, tuple(args))
    try:
        ready_s = wait_ready(server, base, log_path)
        info = httpx.get(f"{base}/v1/model", headers=auth).json()
        url = f"{base}/v1/verify"
        reference = {}
        for text in TEXTS:  # warm-up, and the answer every later request must repeat
            for _ in range(5):
                r = httpx.post(url, data={"text": text}, files={"image": ("photo.jpg", image, "image/jpeg")},
                               headers=auth)  # fmt: skip
                r.raise_for_status()
            reference[text] = answer_key(r.json())
        rss = {"after_warm_up": rss_mib(server.pid)}
        typer.echo(f"server ready in {ready_s:.1f} s, RSS {rss['after_warm_up']} MiB; model {info['model']}")

        phases = []
        if latency_seconds > 0:
            single = Phase("sequential", 1)
            run_phase(single, url, image, latency_seconds, reference, client_keys)
            phases.append(single)
            typer.echo(f"1 client:  {json.dumps(single.summary())}")
        rss["before_load"] = rss_mib(server.pid)
        load = Phase("concurrent", clients)
        samples: list[tuple[float, float]] = []
        runner = threading.Thread(target=run_phase, args=(load, url, image, duration, reference, client_keys))
        load_start = time.monotonic()
        runner.start()
        while runner.is_alive():
            samples.append((round(time.monotonic() - load_start, 1), rss_mib(server.pid)))
            runner.join(rss_every)
        rss["end"] = rss_mib(server.pid)
        rss["max_during_load"] = max(r for _, r in samples + [(0, rss["end"])])
        rss["growth_mib_per_min"] = rss_growth(samples)
        rss["last_minute"] = rss_last_minute(samples)
        phases.append(load)
        typer.echo(f"{clients} clients: {json.dumps(load.summary())}")
    finally:
        stop_server(server)
        folder.cleanup()

    report = {
        **report_head(info, model_path),
        "keys": len(client_keys) if client_keys else 0,
        "rate_limit": rate_limit,
        "pipeline": info["pipeline"],
        "image": {
            "source": str(photo.relative_to(ROOT) if photo.is_relative_to(ROOT) else photo),
            "size": list(Image.open(io.BytesIO(image)).size),
            "bytes": len(image),
        },  # fmt: skip
        "server_ready_s": round(ready_s, 1),
        "phases": {p.name: p.summary() for p in phases},
        "rss_mib": rss,
        "rss_samples": samples,
    }
    out.write_text(json.dumps(report, indent=1) + "\n")
    typer.echo(f"RSS MiB: {rss}\nwrote {out}")


if __name__ == "__main__":
    typer.run(main)
