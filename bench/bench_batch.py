"""`batch` throughput against the original project's model stack, and the cold start of `verify`.

The original project ran a bert-base-cased token classifier and a ResNet-50 per (text, image) pair. Both are
built here with random weights (the speed is the same; there is no hub to fetch trained ones), with
the same photos, the same decoding and torchvision preprocessing, one pair at a time as the original's
pipeline.py did, and also in batches of 16 to be fair to it. The bert-base-cased vocabulary isn't
available offline, so its tokenizer is stood in for by MiniLM's WordPiece tokenizer (same algorithm).

    python bench/bench_batch.py --model training/pipeline --output training/bench_batch.json
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import typer

SENTENCES = [
    "There is a {} in the picture.",
    "I see two dogs and no {}.",
    "Is that a {} next to the fence?",
    "It isn't a {}, it's a cow.",
]


def make_pairs(photos: Path, n: int) -> list[dict]:
    from animal_verifier_train.evaluation.photos import read_photos

    shots = [p for p in read_photos(photos) if p.kind == "photo"]
    return [
        {
            "text": SENTENCES[i % len(SENTENCES)].format(shots[i % len(shots)].label),
            "image": str(shots[i % len(shots)].path.resolve()),
        }
        for i in range(n)
    ]


def ours(model: str, pairs: list[dict], batch_size: int) -> float:
    from animal_verifier.batch import run_batch
    from animal_verifier.pipeline import load

    nlp = load(model)
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp, "in.jsonl"), Path(tmp, "out.jsonl")
        src.write_text("".join(json.dumps(p) + "\n" for p in pairs[:16]))
        run_batch(nlp, src, Path(tmp, "warm.jsonl"), batch_size)  # warm up
        src.write_text("".join(json.dumps(p) + "\n" for p in pairs))
        start = time.perf_counter()
        summary = run_batch(nlp, src, out, batch_size)
        elapsed = time.perf_counter() - start
    assert summary.ok == len(pairs), summary
    return len(pairs) / elapsed


def seed_stack(pairs: list[dict], batch_size: int) -> float:
    import torch
    import torchvision
    from PIL import Image
    from torchvision import transforms
    from transformers import AutoTokenizer, BertConfig, BertForTokenClassification

    from animal_verifier_train.ner.training import encoder_path

    torch.manual_seed(0)
    bert = BertForTokenClassification(BertConfig(vocab_size=28996, num_labels=3)).eval()  # bert-base-cased shape
    resnet = torchvision.models.resnet50(weights=None).eval()
    tokenizer = AutoTokenizer.from_pretrained(encoder_path())
    prep = transforms.Compose(
        [transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
         transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]
    )  # fmt: skip

    def run(chunk: list[dict]) -> None:
        images = torch.stack([prep(Image.open(p["image"]).convert("RGB")) for p in chunk])
        enc = tokenizer([p["text"] for p in chunk], return_tensors="pt", padding=True)
        enc["input_ids"] = enc["input_ids"].clamp(max=28995)
        with torch.no_grad():
            resnet(images).argmax(-1)
            bert(**enc).logits.argmax(-1)

    run(pairs[:2])
    start = time.perf_counter()
    for i in range(0, len(pairs), batch_size):
        run(pairs[i : i + batch_size])
    return len(pairs) / (time.perf_counter() - start)


def cold_start(model: str, image: str, runs: int = 3) -> float:
    cmd = [
        sys.executable,
        "-m",
        "animal_verifier.cli",
        "verify",
        "--model",
        model,
        "--text",
        "I see a cat.",
        "--image",
        image,
    ]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main(
    model: str = typer.Option("training/pipeline", help="Full pipeline folder or package"),
    photos: Path = typer.Option(Path("assets/photos"), help="Folder with photos.csv"),
    n: int = typer.Option(128, help="Pairs per measurement"),
    output: Path = typer.Option(Path("training/bench_batch.json"), help="Where to write the figures"),
) -> None:
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    pairs = make_pairs(photos, n)
    result: dict = {"pairs": n, "cpus": os.cpu_count(), "date": datetime.now(UTC).isoformat(timespec="seconds")}
    result["ours_pairs_per_s_batch16"] = round(ours(model, pairs, 16), 2)
    typer.echo(f"animal-verifier batch (16):     {result['ours_pairs_per_s_batch16']:7.2f} pairs/s")
    for bs in (1, 16):
        rate = seed_stack(pairs, bs)
        result[f"seed_stack_pairs_per_s_batch{bs}"] = round(rate, 2)
        typer.echo(f"original stack BERT-base + ResNet-50 ({bs:2d}): {rate:7.2f} pairs/s")
    result["speedup_vs_seed_batch1"] = round(
        result["ours_pairs_per_s_batch16"] / result["seed_stack_pairs_per_s_batch1"], 1
    )
    result["speedup_vs_seed_batch16"] = round(
        result["ours_pairs_per_s_batch16"] / result["seed_stack_pairs_per_s_batch16"], 1
    )
    result["verify_cold_start_s"] = round(cold_start(model, str(photos / "cat_gcompris.jpg")), 2)
    typer.echo(
        f"speed-up: {result['speedup_vs_seed_batch1']}x (original stack one pair at a time), "
        f"{result['speedup_vs_seed_batch16']}x (original stack in batches of 16)"
    )
    typer.echo(f"verify cold start (process start to answer, best of 3): {result['verify_cold_start_s']} s")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    typer.run(main)
