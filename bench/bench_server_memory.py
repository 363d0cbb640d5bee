"""The server's memory under an attack of large images: concurrent batches of single-colour 40-MP PNGs.

    flock heavy.lock .venv/bin/python bench/bench_server_memory.py                  # 8 x 16 x 40 MP

A single-colour 6,300 x 6,300 PNG is 130 kB on the wire and 160 MiB decoded (Pillow keeps RGB in 4 bytes a
pixel), so 16 of them in one batch request, 8 such requests at once, would hold 20 GiB decoded without a
bound. Starts `animal-verifier serve` (default settings; ``ANIMAL_VERIFIER_*`` variables pass through) on a
free 127.0.0.1 port, warms it up with a normal request, sends the batches all at once, samples the server's
RSS every 50 ms, then sends a normal request again. Reports every status and every item's outcome, the RSS
before, at its peak and after, and whether the normal request was answered; writes JSON (no machine-local
paths) and exits non-zero when a status is not 200/413/429/503 or the normal request fails.
"""

from __future__ import annotations

import io
import json
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import typer
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_server import ROOT, model_or_exit, report_head, rss_mib, start_server, stop_server, wait_ready  # noqa: E402

ALLOWED = {200, 413, 429, 503}
NORMAL_PHOTO = ROOT / "assets/photos/cow_gcompris.jpg"
LIMITS = ("max_pixels", "max_pixels_in_flight", "pixel_wait_s", "max_in_flight", "request_timeout_s")


def solid_png(side: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (side, side), (180, 40, 40)).save(buf, "PNG")
    return buf.getvalue()


def main(
    model: str = typer.Option(None, "--model", "-m", help="Pipeline folder or package (default: the embedded one)"),
    requests: int = typer.Option(8, min=1, max=64, help="Concurrent batch requests"),
    items: int = typer.Option(16, min=1, max=64, help="Images in each batch"),
    side: int = typer.Option(6300, min=64, help="Side of each square PNG (6,300: 39.7 MP)"),
    out: Path = typer.Option(ROOT / "training/bench_server_memory.json", help="Where to write the JSON report"),
) -> None:
    """Concurrent batches of large PNGs against `serve`: RSS bound, statuses, a normal request after."""
    model_path = model_or_exit(model)
    png = solid_png(side)
    texts = [("text", (None, b"A red square."))] * items
    batch = texts + [("image", (f"{i}.png", png, "image/png")) for i in range(items)]
    normal = {"data": {"text": "There is a cow in the picture."},
              "files": {"image": ("cow.jpg", NORMAL_PHOTO.read_bytes(), "image/jpeg")}}  # fmt: skip
    log_path = out.with_suffix(".log")
    server, base = start_server(model_path, log_path)
    try:
        ready_s = wait_ready(server, base, log_path)
        info = httpx.get(f"{base}/v1/model").json()
        httpx.post(f"{base}/v1/verify", **normal).raise_for_status()
        rss_before = rss_mib(server.pid)
        typer.echo(f"server ready in {ready_s:.1f} s, RSS {rss_before} MiB; sending {requests} x {items} PNGs of "
                   f"{side}x{side} ({len(png):,} bytes each)")  # fmt: skip
        samples: list[tuple[float, float]] = []
        done = threading.Event()
        start = time.monotonic()

        def sample() -> None:
            while not done.is_set():
                samples.append((round(time.monotonic() - start, 2), rss_mib(server.pid)))
                time.sleep(0.05)

        def send(_: int) -> dict:
            t0 = time.monotonic()
            try:
                r = httpx.post(f"{base}/v1/verify/batch", files=batch, timeout=300)
            except httpx.HTTPError as err:
                return {"status": type(err).__name__, "seconds": round(time.monotonic() - t0, 2)}
            answer = {"status": r.status_code, "seconds": round(time.monotonic() - t0, 2),
                      "retry_after": r.headers.get("retry-after")}  # fmt: skip
            body = r.json()
            if r.status_code == 200:
                answer["items"] = dict(Counter("ok" if i["result"] else i["error"]["error"] for i in body["results"]))
            else:
                answer["error"] = body.get("error")
            return answer

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            with ThreadPoolExecutor(requests) as pool:
                answers = list(pool.map(send, range(requests)))
        finally:
            load_s = time.monotonic() - start
            time.sleep(1.0)
            done.set()
            sampler.join()
        t0 = time.monotonic()
        r = httpx.post(f"{base}/v1/verify", **normal, timeout=60)
        after = {"status": r.status_code, "ms": round((time.monotonic() - t0) * 1000, 1),
                 "predicted": r.json().get("predicted") if r.status_code == 200 else None}  # fmt: skip
        time.sleep(5)
        rss_after = rss_mib(server.pid)
    finally:
        stop_server(server)

    statuses = Counter(str(a["status"]) for a in answers)
    item_outcomes = sum((Counter(a.get("items", {})) for a in answers), Counter())
    peak = max(rss for _, rss in samples)
    ok = all(a["status"] in ALLOWED for a in answers) and after["status"] == 200
    report = {
        **report_head(info, model_path),
        "limits": {k: info["limits"].get(k) for k in LIMITS},
        "attack": {
            "requests": requests,
            "items": items,
            "side": side,
            "png_bytes": len(png),
            "decoded_mib_each": round(side * side * 4 / 2**20, 1),
        },  # fmt: skip
        "statuses": dict(statuses),
        "item_outcomes": dict(item_outcomes),
        "answers": answers,
        "load_seconds": round(load_s, 1),
        "rss_mib": {
            "before": rss_before,
            "peak": peak,
            "peak_growth": round(peak - rss_before, 1),
            "5_s_after": rss_after,
        },  # fmt: skip
        "normal_request_after": after,
        "all_statuses_allowed_and_normal_answered": ok,
        "rss_samples": samples,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    typer.echo(f"statuses {dict(statuses)}, items {dict(item_outcomes)}; RSS {rss_before} -> peak {peak} -> "
               f"{rss_after} MiB; normal request after: {after}\nwrote {out}")  # fmt: skip
    if not ok:
        raise typer.Exit(1)


if __name__ == "__main__":
    typer.run(main)
