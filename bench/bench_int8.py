"""The image model in int8 against fp32 (issue 20, item 2): is static int8 as accurate, and is it faster?

int8 is written by ``animal_verifier_train.vision.quantize`` (ONNX Runtime static quantisation: QDQ graph, int8
weights per channel, uint8 activations, MinMax ranges from assets/photos_dev run through the model's own
preprocessing, after ONNX Runtime's shape inference and optimisation pre-step) into a temporary folder, never
beside the fp32 model, afresh each run. Then, over the 142 images of assets/photos + assets/photos_dev:

- speed: images/s of the model alone (preprocessed arrays) at batch 1 and 16, and with decoding at batch 16
  (load_image + preprocess + ONNX Runtime, as ``batch`` does), best of ``--repeats`` passes after a warm-up;
- top-1 agreement of int8 with fp32;
- the held-out claim figures (true claims supported, false claims accepted, no-animal images answered "no
  animal" or OOD), each model with its OWN temperature, thresholds and OOD rule refitted inside every fold
  (``claim_calibration.cross_validate``, nested): leave one photo out (the figures of photo_eval.json), and
  ``--folds``-fold, whose per-fold figures give the fold-to-fold spread;
- each model's operating points fitted on all photos (what its labels.json would ship);
- ONNX Runtime's graph optimisation levels on the fp32 model, and a model optimised offline (saved by a session
  at ORT_ENABLE_ALL, loaded with optimisation off): session start and images/s.

The rule (issue 20): keep int8 only if every held-out figure stays within the fold-to-fold noise of fp32's.
"Noise" here is the standard error of the pooled figure from the per-fold figures (fold-to-fold standard
deviation / sqrt(folds)); the spread itself is reported beside it. Run under the shared lock:

    flock heavy.lock .venv/bin/python bench/bench_int8.py      # training/bench_int8.json
"""

from __future__ import annotations

import json
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Annotated

import numpy as np
import onnxruntime as ort
import typer

from animal_verifier.onnx_session import available_cpus, default_threads
from animal_verifier.verify.claims import SUPPORTED
from animal_verifier.vision.calibration import RISKS, risk_key
from animal_verifier.vision.classifier import INPUT_NAME, MODEL_FILE, OUTPUT_NAME, ImageClassifier
from animal_verifier.vision.image_io import load_image
from animal_verifier.vision.ood import FAR_OOD, NEAR_OOD
from animal_verifier.vision.preprocess import preprocess_batch
from animal_verifier_train.evaluation.claim_calibration import (
    FAR,
    ID,
    TEMPERATURES,
    CrossValidation,
    PhotoSet,
    build_photo_set,
    claim_table,
    cross_validate,
    fit,
    folds_for,
    summarise,
)
from animal_verifier_train.evaluation.photos import DEV_PHOTO_FOLDERS, read_photo_sets

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ("true_claims_supported", "false_claims_accepted", "no_animal_recognised")
LEVELS = {
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}


def session(model: str | bytes, threads: int, level: ort.GraphOptimizationLevel, save_to: Path | None = None):
    """A session opened as animal_verifier.onnx_session.cpu_session opens it, at ``level``."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = level
    if save_to is not None:
        options.optimized_model_filepath = str(save_to)
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def best_rate(run: Callable[[], None], images: int, repeats: int) -> dict:
    """Images/s: a warm-up pass, then the best of ``repeats`` timed passes (other processes only ever slow a
    pass down), the median beside it."""
    run()
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        rates.append(images / (time.perf_counter() - start))
    return {"images_per_s": round(max(rates), 1), "median_images_per_s": round(float(np.median(rates)), 1)}


def model_speed(sess: ort.InferenceSession, pixels: np.ndarray, batch: int, repeats: int) -> dict:
    def run() -> None:
        for start in range(0, len(pixels), batch):
            sess.run([OUTPUT_NAME], {INPUT_NAME: pixels[start : start + batch]})

    return best_rate(run, len(pixels), repeats)


def decoding_speed(classifier: ImageClassifier, paths: list[Path], repeats: int) -> dict:
    """load_image + preprocess + the model, a batch of ``classifier.batch_size`` at a time (ImageClassifier.logits)."""
    return best_rate(lambda: classifier.logits(paths), len(paths), repeats)


def per_fold(data: PhotoSet, cv: CrossValidation, folds: list[np.ndarray]) -> dict[str, list[float]]:
    """The three held-out figures within each fold (the fold's photos, judged at its own fit)."""
    category = np.asarray(data.category)
    out: dict[str, list[float]] = {name: [] for name in FIGURES}
    for test in folds:
        inside = set(test.tolist())
        judged = [j for j in cv.judged if j.photo in inside]
        true = [j for j in judged if j.truth and category[j.photo] == ID]
        false = [j for j in judged if not j.truth]
        far = [i for i in test if category[i] == FAR]
        recognised = [cv.outcomes[i] in (FAR_OOD, NEAR_OOD) or cv.unsure_of_animal[i] for i in far]
        for name, hits, total in (
            ("true_claims_supported", sum(j.verdict == SUPPORTED for j in true), len(true)),
            ("false_claims_accepted", sum(j.verdict == SUPPORTED for j in false), len(false)),
            ("no_animal_recognised", sum(recognised), len(far)),
        ):
            if total:
                out[name].append(hits / total)
    return out


def held_out(data: PhotoSet, k: int) -> dict:
    """Leave-one-out figures (as photo_eval.json) and k-fold figures with their fold-to-fold spread."""
    loo = summarise(data, cross_validate(data))
    folds = folds_for(len(data), k)
    kfold_cv = cross_validate(data, k=k)
    kfold = summarise(data, kfold_cv)
    fold_figures = per_fold(data, kfold_cv, folds)
    result = {
        "leave_one_out": {
            "true_claims_supported": loo["true_claims_supported"],
            "false_claims_accepted": loo["false_claims_accepted"],
            "no_animal_recognised": loo["no_animal_answered_no_animal_or_ood"],
            "near_ood_flagged": loo["near_ood_flagged"],
            "ece": loo["calibration_error"]["ece"],
            "temperature": loo["temperature"],
        },
        f"{k}_fold": {
            "true_claims_supported": kfold["true_claims_supported"],
            "false_claims_accepted": kfold["false_claims_accepted"],
            "no_animal_recognised": kfold["no_animal_answered_no_animal_or_ood"],
        },
        "fold_to_fold": {},
    }
    for name, values in fold_figures.items():
        sd = float(np.std(values, ddof=1))
        result["fold_to_fold"][name] = {
            "per_fold": [round(v, 4) for v in values],
            "sd": round(sd, 4),
            "standard_error": round(float(sd / np.sqrt(len(values))), 4),
        }
    return result


def fitted_points(data: PhotoSet, risk: float) -> dict:
    """The temperature, operating points and OOD rule fitted on all photos: what the model's labels.json ships."""
    tables = {t: claim_table(data, t) for t in TEMPERATURES}
    calibration, _ = fit(data, np.ones(len(data), dtype=bool), tables, risk)
    return {
        "temperature": calibration.temperature,
        "ood": {"score": calibration.ood.score, "threshold": calibration.ood.threshold},
        "operating_points": {key: asdict(t) for key, t in calibration.operating_points.items()},
    }


def main(
    model_dir: Annotated[Path, typer.Option(help="The fp32 model dir (read only)")] = Path(
        "training/classifier/imagenet"
    ),
    output: Annotated[Path, typer.Option(help="JSON results")] = Path("training/bench_int8.json"),
    folds: Annotated[int, typer.Option(min=3, help="Folds for the fold-to-fold spread")] = 10,
    repeats: Annotated[int, typer.Option(min=1, help="Timed passes per figure")] = 3,
) -> None:
    from animal_verifier_train.vision.quantize import CALIBRATION_SET, quantize_on_photos

    if not (model_dir / MODEL_FILE).is_file():
        typer.secho(f"error: {model_dir / MODEL_FILE} not found (run `spacy project run export-classifier`)", err=True)
        raise typer.Exit(1)
    with tempfile.TemporaryDirectory() as tmp:
        work_dir = Path(tmp)
        int8 = work_dir / "int8"
        q = quantize_on_photos(model_dir, int8, ROOT / CALIBRATION_SET, calibrated_on=CALIBRATION_SET, progress=False)
        typer.echo(f"quantised: {q.fp32_bytes / 1e6:.1f} MB -> {q.int8_bytes / 1e6:.1f} MB")
        report = compare(model_dir, work_dir, folds, repeats)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=1) + "\n", encoding="utf8")
    typer.echo(json.dumps(report["decision"], indent=1))
    typer.echo(f"wrote {output}")


def compare(model_dir: Path, work_dir: Path, folds: int, repeats: int) -> dict:
    """fp32 (``model_dir``) against int8 (``work_dir/int8``): speed, agreement, held-out claim figures."""
    threads = default_threads()
    int8_dir = work_dir / "int8"
    photos = read_photo_sets([ROOT / f for f in DEV_PHOTO_FOLDERS])
    paths = [p.path for p in photos]
    models = {
        "fp32": ImageClassifier.from_dir(model_dir, threads=threads),
        "int8": ImageClassifier.from_dir(int8_dir, threads=threads),
    }
    p = models["fp32"].labels.preprocessing
    pixels = preprocess_batch([load_image(path, min_side=p.resize) for path in paths], p)
    report: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python bench/bench_int8.py",
        "machine": {
            "cpus": available_cpus(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "onnxruntime": metadata.version("onnxruntime"),
        },
        "threads": threads,
        "photos": {"sets": [str(f) for f in DEV_PHOTO_FOLDERS], "count": len(photos)},
        "int8": json.loads((int8_dir / "labels.json").read_text(encoding="utf8"))["model"]
        | {"quantization": models["int8"].labels.meta.get("quantization")},
        "rule": "keep int8 only if each held-out figure differs from fp32's by at most fp32's fold-to-fold "
        "standard error (sd of the per-fold figure / sqrt(folds))",
        "models": {},
    }
    logits = {}
    dirs = {"fp32": model_dir, "int8": int8_dir}
    for name, classifier in models.items():
        typer.echo(f"{name}: speed")
        row: dict = {"onnx_mb": round((dirs[name] / MODEL_FILE).stat().st_size / 1e6, 2)}
        for batch in (1, 16):
            row[f"model_only_batch{batch}"] = model_speed(classifier.session, pixels, batch, repeats)
        row["with_decoding_batch16"] = decoding_speed(classifier, paths, repeats)
        logits[name] = classifier.logits_arrays(pixels)
        typer.echo(f"{name}: held-out claim figures")
        data = build_photo_set(classifier, photos)
        row["held_out"] = held_out(data, folds)
        row["fitted_on_all_photos"] = fitted_points(data, models["fp32"].labels.risk)
        report["models"][name] = row
        typer.echo(json.dumps({k: v for k, v in row.items() if k != "held_out"}))
    agree = logits["int8"].argmax(1) == logits["fp32"].argmax(1)
    report["top1_agreement"] = {
        "agree": int(agree.sum()),
        "photos": len(agree),
        "rate": round(float(agree.mean()), 4),
        "differ": [paths[i].name for i in np.flatnonzero(~agree)],
    }
    report["decision"] = decide(report["models"]["fp32"]["held_out"], report["models"]["int8"]["held_out"])
    report["graph_optimisation"] = graph_optimisation(model_dir, work_dir, threads, pixels, repeats)
    report["risks"] = [risk_key(r) for r in RISKS]
    return report


def decide(fp32: dict, int8: dict) -> dict:
    """Each leave-one-out figure's difference against fp32's fold-to-fold standard error."""
    rows, keep = {}, True
    for name in FIGURES:
        a, b = fp32["leave_one_out"][name], int8["leave_one_out"][name]
        diff = b["rate"] - a["rate"]
        noise = fp32["fold_to_fold"][name]["standard_error"]
        within = abs(diff) <= noise
        # a change for the better is never a reason to refuse int8
        better = diff > 0 if name != "false_claims_accepted" else diff < 0
        ok = bool(within or better)
        keep = keep and ok
        rows[name] = {
            "fp32": f"{a['count']}/{a['total']}",
            "int8": f"{b['count']}/{b['total']}",
            "difference": round(diff, 4),
            "fold_to_fold_sd": fp32["fold_to_fold"][name]["sd"],
            "noise_standard_error": noise,
            "within_noise_or_better": ok,
        }
    return {"figures": rows, "keep_int8": keep}


def graph_optimisation(model_dir: Path, work_dir: Path, threads: int, pixels: np.ndarray, repeats: int) -> dict:
    """fp32 at each optimisation level (session start, images/s at batch 16), and a model optimised offline
    at ORT_ENABLE_ALL then loaded with optimisation off; the outputs compared with the level the runtime uses."""
    model = (model_dir / MODEL_FILE).read_bytes()
    offline = work_dir / "fp32-optimised.onnx"
    session(model, threads, LEVELS["all"], save_to=offline)
    reference = session(model, threads, LEVELS["all"]).run([OUTPUT_NAME], {INPUT_NAME: pixels[:16]})[0]
    out = {}
    variants = [(name, model, level) for name, level in LEVELS.items()]
    variants.append(
        ("offline-optimised, loaded at disabled", offline.read_bytes(), ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    )
    for name, source, level in variants:
        starts = []
        for _ in range(3):
            start = time.perf_counter()
            sess = session(source, threads, level)
            starts.append(time.perf_counter() - start)
        logits = sess.run([OUTPUT_NAME], {INPUT_NAME: pixels[:16]})[0]
        out[name] = {
            "session_start_ms": round(min(starts) * 1000, 1),
            "batch16": model_speed(sess, pixels, 16, repeats),
            "max_abs_logit_diff_vs_all": float(np.abs(logits - reference).max()),
        }
    return out


if __name__ == "__main__":
    typer.run(main)
