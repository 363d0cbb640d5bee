"""Before and after, in one run: the PyTorch NER pipeline in the full .venv against the runtime pipeline
(the NER's encoder on ONNX Runtime) in .venv-runtime, where torch is not installed.

Measures, for each: `verify`'s cold start (process start to answer, best of 3) and its peak RSS, `serve`
until `/readyz` answers, the API's p50 latency (one client, a 640-px JPEG), `batch` pairs per second on
real photos with decoding; and in the same run `python -c "import torch"`, the original project's model
stack (bench_batch.seed_stack) and the size of .venv-runtime.

    python bench/bench_runtime.py --before training/bench_runtime/pipeline_torch --after training/pipeline
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import typer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_batch import make_pairs, seed_stack  # noqa: E402
from bench_server import TEXTS, Phase, answer_key, jpeg_640, run_phase, start_server, stop_server, wait_ready  # noqa: E402

PHOTO = ROOT / "assets" / "photos" / "cow_gcompris.jpg"
# run in the measured venv: time `batch` on the pairs (after a warm-up), print pairs per second
BATCH_CHILD = """
import json, sys, tempfile, time
from pathlib import Path
from animal_verifier.batch import run_batch
from animal_verifier.pipeline import load
nlp = load(sys.argv[1])
pairs = Path(sys.argv[2])
with tempfile.TemporaryDirectory() as tmp:
    run_batch(nlp, pairs, Path(tmp, "warm.jsonl"), 16)
    start = time.perf_counter()
    summary = run_batch(nlp, pairs, Path(tmp, "out.jsonl"), 16)
    elapsed = time.perf_counter() - start
assert summary.ok == summary.total, summary
print(summary.ok / elapsed)
"""
# peak RSS of one child: the wrapper's only child is the command
PEAK_RSS = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
PEAK_RSS += "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def best_time(cmd: list[str], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env(), cwd=ROOT)
        times.append(time.perf_counter() - start)
    return min(times)


def peak_rss_mib(cmd: list[str]) -> float:
    out = subprocess.run([sys.executable, "-c", PEAK_RSS, *cmd], check=True, capture_output=True, text=True, env=env())
    return round(int(out.stdout.strip()) / 1024, 1)


def verify_cmd(python: Path, model: str) -> list[str]:
    return [str(python), "-m", "animal_verifier.cli", "verify", "--model", model, "--text", "I see a cat.",
            "--image", str(PHOTO)]  # fmt: skip


def serve(python: Path, model: str, seconds: float = 20.0) -> dict:
    """Seconds until /readyz answers, then one client in sequence for ``seconds`` (bench_server's phase:
    a kept-alive connection, every answer checked against the first): p50 seen by the client and by the
    server."""
    log_path = Path(tempfile.mkdtemp(prefix="bench-runtime-")) / "serve.log"
    start = time.monotonic()
    server, base = start_server(model, log_path, python=python, env=env())
    try:
        ready = wait_ready(server, base, log_path, poll_s=0.05, started=start)
        image, url = jpeg_640(PHOTO), f"{base}/v1/verify"
        reference = {}
        with httpx.Client(timeout=60) as http:
            for text in TEXTS:  # warm-up, and the answer every later request must repeat
                for _ in range(5):
                    r = http.post(url, data={"text": text}, files={"image": ("photo.jpg", image, "image/jpeg")})
                    r.raise_for_status()
                reference[text] = answer_key(r.json())
        phase = Phase("sequential", 1)
        run_phase(phase, url, image, seconds, reference)
        summary = phase.summary()
        if summary["errors"] or summary["wrong_answers"]:
            raise RuntimeError(f"the server answered wrongly: {summary}")
        return {
            "serve_ready_s": round(ready, 2),
            "api_p50_ms": summary["latency_ms"]["p50"],
            "api_server_elapsed_p50_ms": summary["server_elapsed_ms_p50"],
        }
    finally:
        stop_server(server)


def batch_rate(python: Path, model: str, pairs: Path) -> float:
    out = subprocess.run([str(python), "-c", BATCH_CHILD, model, str(pairs)], check=True, capture_output=True,
                         text=True, env=env(), cwd=ROOT)  # fmt: skip
    return round(float(out.stdout.strip().splitlines()[-1]), 1)


def has_module(python: Path, module: str) -> bool:
    code = f"import importlib.util as u; print(u.find_spec({module!r}) is not None)"
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True).stdout.strip() == "True"


def size_mib(path: Path) -> float:
    out = subprocess.run(["du", "-sk", str(path)], check=True, capture_output=True, text=True).stdout
    return round(int(out.split()[0]) / 1024, 1)


def main(
    before: str = typer.Option(..., help="The pipeline on the PyTorch NER (assembled from training/ner/model-best)"),
    after: str = typer.Option("training/pipeline", help="The pipeline on the runtime NER"),
    full_python: Path = typer.Option(Path(".venv/bin/python"), help="The full venv's Python (torch installed)"),
    runtime_python: Path = typer.Option(Path(".venv-runtime/bin/python"), help="The runtime venv's Python"),
    serve_python: Path = typer.Option(
        None,
        help="A torch-free Python with the [serve] extra for the after-server (default: runtime_python; "
        "without fastapi there, the after-server is skipped)",
    ),
    n: int = typer.Option(256, help="Pairs per batch measurement"),
    output: Path = typer.Option(Path("training/bench_runtime.json"), help="Where to write the figures"),
) -> None:
    runtime_venv = runtime_python.parent.parent.resolve()  # du counts a symlinked venv as 0
    serve_python = serve_python or runtime_python
    for python, module in ((runtime_python, "torch"), (serve_python, "torch")):
        if has_module(python, module):
            typer.secho(f"error: {python} has {module}: the after-side must run without it", fg="red", err=True)
            raise typer.Exit(1)
    result: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", *sys.argv]),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
    }
    result["import_torch_s"] = round(best_time([str(full_python), "-c", "import torch"]), 2)
    typer.echo(f"python -c 'import torch': {result['import_torch_s']} s")
    sides = {"before": (full_python, full_python, before), "after": (runtime_python, serve_python, after)}
    with tempfile.TemporaryDirectory() as tmp:
        pairs = Path(tmp, "pairs.jsonl")
        pairs.write_text("".join(json.dumps(p) + "\n" for p in make_pairs(ROOT / "assets" / "photos", n)))
        for side, (python, server_python, model) in sides.items():
            figures = {
                "verify_cold_start_s": round(best_time(verify_cmd(python, model)), 2),
                "verify_peak_rss_mib": peak_rss_mib(verify_cmd(python, model)),
                # .venv-runtime has no [serve] extra: without --serve-python the after-server is not measured
                **(serve(server_python, model) if has_module(server_python, "fastapi") else {"serve": "no fastapi"}),
                "batch_pairs_per_s": batch_rate(python, model, pairs),
            }
            result[side] = figures
            typer.echo(f"{side}: {json.dumps(figures)}")
        seed_pairs = [json.loads(line) for line in pairs.read_text().splitlines()]
    result["seed_stack_pairs_per_s"] = {f"batch{bs}": round(seed_stack(seed_pairs, bs), 1) for bs in (1, 16)}
    best_seed = max(result["seed_stack_pairs_per_s"].values())
    result["after_vs_seed_stack"] = round(result["after"]["batch_pairs_per_s"] / best_seed, 1)
    result["before_vs_seed_stack"] = round(result["before"]["batch_pairs_per_s"] / best_seed, 1)
    result["runtime_venv_mib"] = size_mib(runtime_venv)
    typer.echo(
        f"seed stack: {result['seed_stack_pairs_per_s']} pairs/s; batch vs seed: before "
        f"{result['before_vs_seed_stack']}x, after {result['after_vs_seed_stack']}x; "
        f".venv-runtime {result['runtime_venv_mib']} MiB"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")
    typer.echo(f"wrote {output}")


if __name__ == "__main__":
    typer.run(main)
