"""Image classifier throughput: ONNX Runtime vs PyTorch, batch 1 and 16, with and without decoding.

"without decoding" times the model on preprocessed arrays; "with decoding" times JPEG file -> load_image ->
preprocess -> model, i.e. what ImageClassifier.probabilities does. Run under the shared lock:

    flock heavy.lock .venv/bin/python bench/bench_classifier.py --threads 2
"""

import json
import os
import platform
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from animal_verifier.vision.classifier import INPUT_NAME, OUTPUT_NAME, ImageClassifier
from animal_verifier.vision.image_io import load_image
from animal_verifier.vision.preprocess import preprocess_batch
from animal_verifier_train.evaluation.photos import read_photos


def _rate(step, batch: int, seconds: float, repeats: int = 5) -> dict:
    """Images per second over ``repeats`` windows; the best window is the figure (other processes on a
    shared machine only ever slow a window down), the median is reported beside it."""
    step()  # warm-up
    step()
    rates = []
    for _ in range(repeats):
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / repeats:
            step()
            done += batch
        rates.append(done / (time.perf_counter() - start))
    best = max(rates)
    return {
        "images_per_s": round(best, 1),
        "ms_per_image": round(1000 / best, 2),
        "median_images_per_s": round(float(np.median(rates)), 1),
    }


def main(
    model_dir: Annotated[Path, typer.Option(help="ONNX model dir")] = Path("training/classifier/imagenet"),
    photos: Annotated[Path, typer.Option(help="Folder with photos.csv (the JPEGs to decode)")] = Path("assets/photos"),
    threads: Annotated[int, typer.Option(help="Threads for ONNX Runtime and PyTorch")] = 2,
    seconds: Annotated[float, typer.Option(help="Measuring time per configuration")] = 5.0,
    output: Annotated[Path, typer.Option(help="JSON results")] = Path("training/bench_classifier.json"),
    torch_too: Annotated[bool, typer.Option("--torch/--no-torch", help="Also time PyTorch")] = True,
) -> None:
    classifier = ImageClassifier.from_dir(model_dir, threads=threads)
    p = classifier.labels.preprocessing
    files = [photo.path for photo in read_photos(photos)]
    pixels = preprocess_batch([load_image(f, min_side=p.resize) for f in files], p)
    runners = {"onnx": lambda x: classifier.session.run([OUTPUT_NAME], {INPUT_NAME: x})}
    if torch_too:
        import torch

        from animal_verifier_train.vision.backbone import build_model

        torch.set_num_threads(threads)
        model = build_model(len(classifier.labels.class_ids), pretrained=False, backbone=classifier.labels.model_name)
        model.eval()

        def run_torch(x: np.ndarray):
            with torch.inference_mode():
                return model(torch.from_numpy(x))

        runners["torch"] = run_torch

    results = []
    for engine, run in runners.items():
        for batch in (1, 16):
            x = np.ascontiguousarray(np.resize(pixels, (batch, *pixels.shape[1:])))
            cycle = [files[(i + k) % len(files)] for i in range(0, len(files), batch) for k in range(batch)]
            chunks = [cycle[i : i + batch] for i in range(0, len(cycle), batch)]
            state = {"i": 0}

            def decode_and_run(run=run, chunks=chunks, state=state):
                chunk = chunks[state["i"] % len(chunks)]
                state["i"] += 1
                run(preprocess_batch([load_image(f, min_side=p.resize) for f in chunk], p))

            for decoding, step in (("no", lambda run=run, x=x: run(x)), ("yes", decode_and_run)):
                r = _rate(step, batch, seconds)
                results.append({"engine": engine, "batch": batch, "decoding": decoding, **r})
                typer.echo(
                    f"{engine:5} batch {batch:2d} decoding {decoding:3}: {r['images_per_s']:7.1f} img/s  "
                    f"{r['ms_per_image']:6.2f} ms/img  (median window {r['median_images_per_s']:.1f} img/s)"
                )
    report = {
        "load_average_at_end": os.getloadavg(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus_available": len(os.sched_getaffinity(0)),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "onnxruntime": metadata.version("onnxruntime"),
            "torch": metadata.version("torch"),
        },
        "threads": threads,
        "model": f"{classifier.labels.model_name} {classifier.labels.model_version}",
        "photos": len(files),
        "results": results,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=1) + "\n", encoding="utf8")
    typer.echo(f"wrote {output}")


if __name__ == "__main__":
    typer.run(main)
