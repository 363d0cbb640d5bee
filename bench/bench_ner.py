"""Throughput of the trained NER pipeline: sentences per second with nlp.pipe at batch 1 and 64.

python bench/bench_ner.py --model training/ner/model-best --output training/bench_ner.json
"""

from __future__ import annotations

import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import spacy
import typer

from animal_verifier_train.ner.corpus import read_records


def sentences_per_second(nlp, texts: list[str], batch_size: int, seconds: float) -> float:
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in nlp.pipe(texts, batch_size=batch_size):
            done += 1
    return done / (time.perf_counter() - start)


def main(
    model: Path = typer.Option(Path("training/ner/model-best"), help="Pipeline to measure"),
    data: Path = typer.Option(Path("corpus/test_ner_dataset.json"), help="Sentences to run"),
    n: int = typer.Option(256, help="Sentences per pass"),
    seconds: float = typer.Option(20.0, help="Measuring time per batch size"),
    output: Path = typer.Option(Path("training/bench_ner.json"), help="Where to write the figures"),
) -> None:
    import torch

    nlp = spacy.load(model)
    texts = [r.text for r in read_records(data)][:n]
    list(nlp.pipe(texts[:32]))  # warm up
    result = {
        "model": str(model),
        "pipeline": nlp.pipe_names,
        "sentences": len(texts),
        "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
        "torch_threads": torch.get_num_threads(),
        "cpus": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for batch_size in (1, 64):
        rate = sentences_per_second(nlp, texts, batch_size, seconds)
        result[f"sentences_per_second_batch_{batch_size}"] = round(rate, 1)
        typer.echo(f"batch {batch_size:3d}: {rate:7.1f} sentences/s ({1000 / rate:.1f} ms per sentence)")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")
    typer.echo(f"wrote {output}")


if __name__ == "__main__":
    typer.run(main)
