"""EfficientNet-Lite0/1/2, their int8 versions and the ensemble of the three, side by side: speed, size and
held-out claim accuracy on the development photos.

For each variant: images/s WITH decoding (load_image + preprocess + ONNX Runtime, batch 16, ``--threads``
intra-op threads, over every photo of assets/photos and assets/photos_dev, after a warm-up pass; best of
``--repeats`` passes, median beside it), the ONNX file size, for int8 the top-1 agreement with its fp32
model, and the claim figures held out by cross-validation (:func:`claim_accuracy`). ``ensemble`` averages
the three fp32 models' class probabilities, ``ensemble-logits`` their logits (the energy OOD score reads
logits); each photo is decoded once for all three.
Missing model dirs are exported (and quantised, calibrated on assets/photos_dev) into ``--models-dir`` first.
Run under the shared lock, on a quiet machine:

    flock heavy.lock .venv/bin/python bench/bench_backbones.py     # training/bench_backbones.json

``batch_pairs_per_s_estimate`` is `animal-verifier batch`'s pairs/s (``--batch-pairs-per-s``, Lite0, from
bench/bench_batch.py) with Lite0's image time per pair swapped for the variant's; the decision rule keeps
it at least 10x the seed stack's (``--seed-pairs-per-s``).
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from tqdm import tqdm

from animal_verifier.ontology.concepts import ConceptIndex
from animal_verifier.ontology.hedging import HEDGE_CONFIDENCE_DEFAULT, Ladder
from animal_verifier.vision.classifier import MODEL_FILE, ImageClassifier, softmax
from animal_verifier.vision.image_io import load_image
from animal_verifier.vision.preprocess import preprocess_batch
from animal_verifier_train.evaluation.claim_calibration import build_photo_set, cross_validate, summarise
from animal_verifier_train.evaluation.photos import Photo, read_photo_sets
from animal_verifier_train.vision.quantize import CALIBRATION_SET

ROOT = Path(__file__).resolve().parents[1]
PHOTO_SETS = ("assets/photos", "assets/photos_dev")
ENSEMBLE = "ensemble"
Run = Callable[[Sequence[Path]], np.ndarray]  # photos -> (N, classes) probabilities


@dataclass(frozen=True)
class Variant:
    name: str
    members: tuple[ImageClassifier, ...]  # one model, or the ensemble's three
    combine: str = "probabilities"  # how an ensemble joins its members: mean "probabilities" or mean "logits"

    def run(self, paths: Sequence[Path], batch_size: int) -> np.ndarray:
        """Logits the way ImageClassifier.logits computes them: decode, preprocess, run, a batch at a time.
        An ensemble decodes each photo once; its logits are the log of its members' mean probabilities
        (softmax gives that mean back) or its members' mean logits."""
        min_side = max(m.labels.preprocessing.resize for m in self.members)
        out = []
        for start in range(0, len(paths), batch_size):
            images = [load_image(path, min_side=min_side) for path in paths[start : start + batch_size]]
            logits = [m.logits_arrays(preprocess_batch(images, m.labels.preprocessing)) for m in self.members]
            if len(logits) == 1:
                out.append(logits[0])
            elif self.combine == "logits":
                out.append(np.mean(logits, axis=0))
            else:
                out.append(np.log(np.mean([softmax(x) for x in logits], axis=0) + 1e-12))
        return np.concatenate(out)

    def size_bytes(self, models_dir: Path) -> int:
        names = [self.name] if len(self.members) == 1 else [m.labels.model_name for m in self.members]
        return sum((models_dir / _dir_name(n) / MODEL_FILE).stat().st_size for n in names)


class FixedLogits:
    """What build_photo_set needs of a classifier, over logits computed elsewhere (an ensemble's)."""

    def __init__(self, concepts: ConceptIndex, logits: dict[Path, np.ndarray]):
        self.concepts, self._logits = concepts, logits
        self.ladder, self.confidence = Ladder.of(concepts), HEDGE_CONFIDENCE_DEFAULT  # named as the runtime names

    def logits(self, images: Sequence[Path]) -> np.ndarray:
        return np.stack([self._logits[Path(image)] for image in images])


def claim_accuracy(concepts: ConceptIndex, photos: list[Photo], logits: np.ndarray) -> dict:
    """Held out by leave-one-photo-out cross-validation (claim_calibration.cross_validate: temperature,
    thresholds and OOD rule fitted without the photo, its claims judged as the pipeline judges them). The one
    figure is the balanced mean of true claims supported, false claims not accepted and no-animal images
    answered "no animal" or OOD."""
    data = build_photo_set(FixedLogits(concepts, dict(zip([p.path for p in photos], logits, strict=True))), photos)
    summary = summarise(data, cross_validate(data))
    rates = {
        "true_claims_supported": summary["true_claims_supported"]["rate"],
        "false_claims_accepted": summary["false_claims_accepted"]["rate"],
        "no_animal_recognised": summary["no_animal_answered_no_animal_or_ood"]["rate"],
    }
    balanced = (rates["true_claims_supported"] + 1 - rates["false_claims_accepted"] + rates["no_animal_recognised"]) / 3
    return {
        "method": "claim_calibration.cross_validate, leave one photo out; balanced mean of the three rates",
        "claim_accuracy": round(balanced, 4),
        **rates,
        "near_ood_flagged": summary["near_ood_flagged"]["rate"],
        "temperature_median": summary["temperature"]["median"],
        "ood_auroc": summary["auroc"],
        "counts": summary["photos"],
    }


def images_per_s(variant: Variant, paths: list[Path], batch_size: int, repeats: int) -> tuple[dict, np.ndarray]:
    """The warm-up pass gives the logits; the best of ``repeats`` timed passes is the figure (other
    processes on a shared machine only ever slow a pass down), the median is reported beside it."""
    logits = variant.run(paths, batch_size)
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        variant.run(paths, batch_size)
        rates.append(len(paths) / (time.perf_counter() - start))
    return {"images_per_s": round(max(rates), 1), "median_images_per_s": round(float(np.median(rates)), 1)}, logits


def build_missing(models_dir: Path, backbones: Sequence[str]) -> None:
    """Export each backbone and quantise it (calibrated on CALIBRATION_SET) where its dir is missing."""
    from animal_verifier_train.vision.backbone import build_model
    from animal_verifier_train.vision.export import export_onnx, imagenet_label_map
    from animal_verifier_train.vision.quantize import quantize_on_photos

    for name in backbones:
        fp32, int8 = models_dir / name, models_dir / f"{name}-int8"
        if not (fp32 / MODEL_FILE).is_file():
            typer.echo(f"exporting {name} to {fp32}")
            export_onnx(build_model(backbone=name), imagenet_label_map(backbone=name), fp32)
        if not (int8 / MODEL_FILE).is_file():
            typer.echo(f"quantising {name} to {int8}")
            quantize_on_photos(fp32, int8, ROOT / CALIBRATION_SET, calibrated_on=CALIBRATION_SET)


def _dir_name(model_name: str) -> str:
    return model_name.removeprefix("efficientnet-")


def main(
    models_dir: Annotated[Path, typer.Option(help="Model dirs lite0, lite0-int8, ...; missing ones are built")] = Path(
        "training/classifier/backbones"
    ),
    output: Annotated[Path, typer.Option(help="JSON results")] = Path("training/bench_backbones.json"),
    threads: Annotated[int, typer.Option(min=1, help="ONNX Runtime intra-op threads")] = 2,
    batch_size: Annotated[int, typer.Option(min=1, help="Images per batch")] = 16,
    repeats: Annotated[int, typer.Option(min=1, help="Timed passes over the photos per variant")] = 3,
    batch_pairs_per_s: Annotated[float, typer.Option(help="`batch` pairs/s with Lite0 (bench_batch.py)")] = 49.3,
    seed_pairs_per_s: Annotated[float, typer.Option(help="The seed stack's pairs/s (bench_batch.py)")] = 3.0,
) -> None:
    from animal_verifier_train.vision.backbone import BACKBONES

    build_missing(models_dir, list(BACKBONES))
    photos: list[Photo] = read_photo_sets([ROOT / s for s in PHOTO_SETS])
    paths = [p.path for p in photos]
    load = lambda name: ImageClassifier.from_dir(models_dir / name, threads=threads, batch_size=batch_size)  # noqa: E731
    fp32 = {name: load(name) for name in BACKBONES}
    variants = [Variant(name, (model,)) for name, model in fp32.items()]
    variants += [Variant(f"{name}-int8", (load(f"{name}-int8"),)) for name in BACKBONES]
    variants.append(Variant(ENSEMBLE, tuple(fp32.values())))
    variants.append(Variant(f"{ENSEMBLE}-logits", tuple(fp32.values()), combine="logits"))

    rows, logits_of = [], {}
    concepts = fp32["lite0"].concepts  # the same ImageNet-1k classes for every variant
    for variant in tqdm(variants, desc="variants", unit="variant"):
        speed, logits = images_per_s(variant, paths, batch_size, repeats)
        logits_of[variant.name] = logits
        row = {"variant": variant.name, **speed, "onnx_mb": round(variant.size_bytes(models_dir) / 1e6, 2)}
        fp32_name = variant.name.removesuffix("-int8")
        if fp32_name != variant.name:
            agree = (logits.argmax(1) == logits_of[fp32_name].argmax(1)).mean()
            row["top1_agreement_with_fp32"] = round(float(agree), 4)
        row.update(claim_accuracy(concepts, photos, logits))
        rows.append(row)
    lite0_time = 1 / next(r["images_per_s"] for r in rows if r["variant"] == "lite0")
    for row in rows:
        pairs = 1 / (1 / batch_pairs_per_s - lite0_time + 1 / row["images_per_s"])
        row["batch_pairs_per_s_estimate"] = round(pairs, 1)
        row["times_seed_stack"] = round(pairs / seed_pairs_per_s, 1)

    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python bench/bench_backbones.py",
        "machine": {
            "cpus_available": len(os.sched_getaffinity(0)),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "onnxruntime": metadata.version("onnxruntime"),
        },
        "load_average_at_end": os.getloadavg(),
        "threads": threads,
        "batch_size": batch_size,
        "photos": {"sets": list(PHOTO_SETS), "count": len(photos)},
        "int8_calibrated_on": CALIBRATION_SET,
        "batch_pairs_per_s_lite0": batch_pairs_per_s,
        "seed_pairs_per_s": seed_pairs_per_s,
        "results": rows,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=1) + "\n", encoding="utf8")
    typer.echo(table(rows))
    typer.echo(f"wrote {output}")


def table(rows: list[dict]) -> str:
    """The results as a Markdown table (the one docs/vision.md shows)."""
    head = (
        "| variant | images/s (decoding) | ONNX MB | top-1 = fp32 | held-out claim accuracy | true supported "
        "| false accepted | no animal or OOD | near-OOD flagged | `batch` pairs/s (est.) | × seed |"
    )
    lines = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for r in rows:
        agree = f"{r['top1_agreement_with_fp32']:.1%}" if "top1_agreement_with_fp32" in r else "–"
        lines.append(
            f"| {r['variant']} | {r['images_per_s']} | {r['onnx_mb']} | {agree} | {r['claim_accuracy']:.3f} | "
            f"{r['true_claims_supported']:.3f} | {r['false_claims_accepted']:.4f} | {r['no_animal_recognised']:.3f} | "
            f"{r['near_ood_flagged']:.3f} | "
            f"{r['batch_pairs_per_s_estimate']} | {r['times_seed_stack']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    typer.run(main)
