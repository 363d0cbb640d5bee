"""The few figures of each report worth a line in the README, quoted as the report file holds them (so a test can
find every number the README's Figures section shows in reports/)."""

from __future__ import annotations

from collections.abc import Callable


def _pct(rate: float) -> str:
    """0.9613 → "96.13%": the report's digits, moved two places."""
    text = f"{rate:.10f}".rstrip("0").rstrip(".")
    whole, _, frac = text.partition(".")
    frac = frac.ljust(2, "0")
    number = (whole + frac[:2]).lstrip("0") or "0"
    rest = frac[2:]
    return f"{number}.{rest}%" if rest else f"{number}%"


def _count(part: dict) -> str:
    return f"{part['count']}/{part['total']} ({_pct(part['rate'])})"


def ner(figures: dict) -> list[str]:
    lines = [
        "| F1 (precision / recall) | NER + linker | NER alone | sentences |",
        "|---|---|---|---|",
    ]
    for name in ("generated test", "real text"):
        both, alone = figures.get(name), figures.get(f"{name} (NER alone)")
        if not both:
            continue
        every = both["slices"]["all"]
        alone_f1 = alone["slices"]["all"]["f1"] if alone else "–"
        lines.append(
            f"| {name} | **{every['f1']}** ({every['precision']} / {every['recall']}) | {alone_f1} "
            f"| {every['sentences']} |"
        )
    slices = figures.get("generated test", {}).get("slices", {})
    shown = [f"{k} {slices[k]['f1']}" for k in ("negation", "plural", "multiword") if k in slices]
    if shown:
        lines += ["", f"Per slice on the generated test (NER + linker), F1: {', '.join(shown)}."]
    for name in ("generated test", "real text"):
        hard = figures.get(name, {}).get("slices", {}).get("hard_negative")
        if hard:
            lines.append(
                f"Hard negatives in the {name}: {hard['sentences_without_error']}/{hard['sentences']} sentences "
                f"({_pct(hard['sentence_accuracy'])}) with no false mention."
            )
    return lines


def pipeline(figures: dict) -> list[str]:
    lines = [
        f"Verdicts as expected for **{_pct(figures['claim_accuracy_expressible'])}** of the claims the image model "
        "can express, per kind of claim:",
        "",
        "| kind | statements | answered right | not sure | answered wrong | claims expressible | claims right "
        "| accuracy |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, row in sorted(figures.get("per_kind", {}).items()):
        answers = " | ".join(str(row.get(k, "")) for k in ("match_right", "match_not_sure", "match_confident_wrong"))
        lines.append(
            f"| {kind} | {row['statements']} | {answers} | {row['expressible']} | {row['right']} | {row['accuracy']} |"
        )
    return lines


def photo_eval(figures: dict) -> list[str]:
    fitted, held = figures.get("fitted_on_all_photos", {}), figures.get("held_out", {})
    lines = []
    if fitted:
        limits = fitted.get("thresholds", {})
        lines.append(
            f"Fitted on all photos: temperature {fitted.get('temperature')}, thresholds present "
            f"{limits.get('present')}, absent {limits.get('absent')}, no animal {limits.get('no_animal')}, "
            f"animal {limits.get('animal')}."
        )
    wanted = {
        "true_claims_supported": "true claims supported",
        "false_claims_accepted": "false claims accepted",
        "no_animal_answered_no_animal_or_ood": "no-animal photos answered no animal or OOD",
        "near_ood_flagged": "near-OOD photos flagged",
    }
    shown = [f"{label} {_count(held[key])}" for key, label in wanted.items() if key in held]
    if shown:
        lines.append(f"Held out (leave one out, {held.get('folds')} folds): {'; '.join(shown)}.")
    if "calibration_error" in held:
        lines.append(f"Expected calibration error held out: {held['calibration_error']['ece']}.")
    return lines


def hedging(figures: dict) -> list[str]:
    held = figures.get("held_out", {})
    return [
        f"Hedged image name on {held.get('photos')} animal photos, held out: accuracy {held.get('accuracy')}, "
        f"specificity {held.get('specificity')}, exact {held.get('exact_count')}/{held.get('photos')}."
    ]


def server(figures: dict) -> list[str]:
    lines = []
    for name, phase in figures.get("phases", {}).items():
        lines.append(
            f"{name}: {phase['clients']} client(s) for {phase['seconds']} s, {phase['requests_per_s']} requests/s, "
            f"p50 {phase['latency_ms']['p50']} ms, p99 {phase['latency_ms']['p99']} ms, {phase['errors']} errors."
        )
    rss = figures.get("rss_mib", {})
    if "before_load" in rss:
        lines.append(f"RSS {rss['before_load']} MiB before load, {rss.get('end')} MiB at the end.")
    return lines


def server_memory(figures: dict) -> list[str]:
    """bench_server_memory: concurrent batches of large PNGs against the pixel budget."""
    attack, rss = figures.get("attack", {}), figures.get("rss_mib", {})
    outcomes = ", ".join(f"{n} {k}" for k, n in sorted(figures.get("item_outcomes", {}).items()))
    after = figures.get("normal_request_after", {})
    return [
        f"{attack.get('requests')} concurrent batch request(s) of {attack.get('items')} PNGs of "
        f"{attack.get('side')} px a side: items {outcomes}; RSS {rss.get('before')} MiB before, "
        f"{rss.get('peak')} MiB at the peak, {rss.get('5_s_after')} MiB 5 s after; a normal request after: "
        f"{after.get('status')} in {after.get('ms')} ms."
    ]


def int8(figures: dict) -> list[str]:
    """bench_int8: the accuracy question and the speed, fp32 against int8, and what was decided."""
    models, agree = figures["models"], figures["top1_agreement"]
    lines = [
        f"Top-1 of int8 equal to fp32's on {agree['agree']}/{agree['photos']} photos ({_pct(agree['rate'])}). "
        "Held out (leave one out, each model with its own refitted thresholds), fp32 against int8:",
        "",
        "| figure | fp32 | int8 | difference | fp32 fold-to-fold sd | noise (standard error) |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in figures["decision"]["figures"].items():
        lines.append(
            f"| {name.replace('_', ' ')} | {row['fp32']} | {row['int8']} | {row['difference']} "
            f"| {row['fold_to_fold_sd']} | {row['noise_standard_error']} |"
        )
    speed = {name: models[name]["model_only_batch16"]["images_per_s"] for name in ("fp32", "int8")}
    lines += [
        "",
        f"Images/s, model alone at batch 16: fp32 {speed['fp32']}, int8 {speed['int8']}. "
        f"int8 kept: {'yes' if figures['decision']['keep_int8'] else 'no'}.",
    ]
    return lines


def scalars(figures: dict) -> list[str]:
    """Any other report: its top-level numbers."""
    shown = [
        f"{key} {value}"
        for key, value in figures.items()
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    ]
    return [f"{', '.join(shown)}."] if shown else []


HEADLINES: dict[str, Callable[[dict], list[str]]] = {
    "ner_metrics": ner,
    "pipeline_metrics": pipeline,
    "photo_eval": photo_eval,
    "hedging": hedging,
    "bench_int8": int8,
}


def headline(name: str, figures: dict) -> list[str]:
    """The README lines for the report ``name``."""
    if name.startswith("bench_server_memory"):
        return server_memory(figures)
    if name.startswith("bench_server"):
        return server(figures)
    return HEADLINES.get(name, scalars)(figures)
