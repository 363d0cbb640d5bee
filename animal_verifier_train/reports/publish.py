"""`spacy project run report`: the figure files of training/ copied into reports/ with their provenance, an
index (reports/README.md), the README's Figures section and the notebooks' committed copies, all written so
that publishing twice gives the same bytes (a file is rewritten only when its text changes)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from animal_verifier import atomic
from animal_verifier_train.reports.headlines import headline
from animal_verifier_train.reports.notebooks import normalise
from animal_verifier_train.reports.provenance import Lock, ProvenanceError, strip_local_paths

#: report name → (the file the workflow or a bench writes, what it measures)
SOURCES: dict[str, tuple[str, str]] = {
    "ner_metrics": ("training/ner_metrics.json", "NER on the generated test split and the real-text set"),
    "pipeline_metrics": ("training/pipeline_metrics.json", "End to end: verdicts on the shipped photos"),
    "photo_eval": ("training/classifier/photo_eval.json", "Image model: temperature, thresholds, OOD, held out"),
    "hedging": ("training/hedging/hedging.json", "Hedged image names: accuracy against specificity"),
    "ood_scores": ("training/classifier/ood_scores.json", "OOD scores compared (AUROC)"),
    "classifier_eval": ("training/classifier/finetuned/eval.json", "The fine-tuned image classifier"),
    "bench_ner": ("training/bench_ner.json", "NER throughput"),
    "bench_classifier": ("training/bench_classifier.json", "Image model throughput, ONNX Runtime and PyTorch"),
    "bench_batch": ("training/bench_batch.json", "`batch` pairs per second and cold start"),
    "bench_scale": ("training/bench_scale.json", "`batch` with worker processes and Ray"),
    "bench_backbones": ("training/bench_backbones.json", "EfficientNet-Lite backbones compared"),
    "bench_server": ("training/bench_server.json", "HTTP API load test"),
    "bench_runtime": ("training/bench_runtime.json", "Inference without torch: start-up, memory and speed"),
    "bench_int8": ("training/bench_int8.json", "The image model in int8 against fp32"),
}
#: where the executed notebooks are (the `notebooks` step) and where their committed copies go
EXECUTED_NOTEBOOKS, NOTEBOOKS = "training/notebooks", "notebooks"
BEGIN = "<!-- BEGIN figures: written by `spacy project run report` from reports/; edits here are overwritten -->"
END = "<!-- END figures -->"


@dataclass
class Published:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def dumps(payload: dict) -> str:
    return json.dumps(payload, indent=1, ensure_ascii=False) + "\n"


def _write(root: Path, rel: str, text: str, done: Published) -> None:
    path = root / rel
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        done.unchanged.append(rel)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path, text)
    done.written.append(rel)


def read_reports(folder: Path) -> dict[str, dict]:
    """Every published report, by name."""
    found = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}
    order = {name: i for i, name in enumerate(SOURCES)}
    return dict(sorted(found.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


def title(name: str) -> str:
    return SOURCES.get(name, ("", name.replace("_", " ")))[1]


def figures_markdown(reports: dict[str, dict], level: str = "###") -> str:
    """Each report's headline figures under a heading naming its file, then one table of where each came from."""
    parts = []
    for name, report in reports.items():
        lines = headline(name, report["figures"])
        if lines:
            parts.append(f"{level} {title(name)} (`reports/{name}.json`)\n\n" + "\n".join(lines) + "\n")
    rows = [
        "| report | measured (UTC) | machine | commit | command |",
        "|---|---|---|---|---|",
    ]
    for name, report in reports.items():
        prov = report["provenance"]
        machine = prov["machine"]
        rows.append(
            f"| `{name}.json` | `{prov['date']}` | `{machine['cores']} × {machine['cpu']}` | `{prov['commit'][:10]}` "
            f"| `{prov['command']}` |"
        )
    return "\n".join(parts) + "\n" + "\n".join(rows) + "\n"


INDEX_HEAD = """# Reports

Written by `spacy project run report` (scripts/report.py); do not edit. Each `*.json` holds `figures`, the
file a workflow step or bench wrote under the git-ignored `training/` (`provenance.source`), and
`provenance`: the `command` and its `script` lines as weasel ran them, `date` (when the file was written),
`machine` (CPU cores and model of the machine that published it, which is the one that ran the step:
`project.lock` and `training/` belong to one checkout) and `commit`. The commit is known from `project.lock`:
it records the md5 of every input and output of each step; an output whose md5 is the lock's was written by
that run, and when every committed input it read (followed through the steps that made the generated ones)
is unchanged, `commit` is the latest commit that changed any of them. A file that cannot be traced so is not
published. Files with `provenance.command` `python bench/...` were measured by hand before this command
existed; `commit` there is the commit that first committed the result.

"""


def publish(
    root: Path, out: str = "reports", readme: str = "README.md", sources: dict[str, tuple[str, str]] | None = None
) -> Published:
    """Publish what exists; a missing or untraceable figure file is a note, never an error."""
    done = Published()
    try:
        lock = Lock(root)
    except ProvenanceError as err:  # not a git checkout
        lock = None
        done.notes.append(f"nothing can be traced: {err}")
    if lock is not None and not lock.entries:
        done.notes.append("no project.lock: nothing the workflow measured can be traced (run `spacy project run all`)")
    for name, (source, _) in (SOURCES if sources is None else sources).items():
        if not (root / source).is_file():
            done.notes.append(f"skipped {name}: no {source}")
            continue
        if lock is None:
            continue
        try:
            provenance = lock.provenance(source)
        except ProvenanceError as err:
            done.notes.append(f"skipped {name}: {err}")
            continue
        figures = json.loads(strip_local_paths((root / source).read_text(encoding="utf-8")))
        _write(root, f"{out}/{name}.json", dumps({"provenance": provenance.to_dict(), "figures": figures}), done)
    reports = read_reports(root / out)
    _write(root, f"{out}/README.md", INDEX_HEAD + figures_markdown(reports, level="##"), done)
    _publish_readme(root, readme, figures_markdown(reports), done)
    _publish_notebooks(root, done)
    return done


def _publish_readme(root: Path, readme: str, block: str, done: Published) -> None:
    text = (root / readme).read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        done.notes.append(f"{readme} has no figures block ({BEGIN} … {END}); left as it is")
        return
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    _write(root, readme, f"{head}{BEGIN}\n\n{block}\n{END}{tail}", done)


def _publish_notebooks(root: Path, done: Published) -> None:
    executed = sorted((root / EXECUTED_NOTEBOOKS).glob("*.ipynb"))
    if not executed:
        done.notes.append(f"no executed notebooks in {EXECUTED_NOTEBOOKS}/ (run `spacy project run notebooks`)")
    for path in executed:
        if not (root / NOTEBOOKS / path.name).is_file():
            done.notes.append(f"skipped {path.name}: not a committed notebook")
            continue
        nb = normalise(nbformat.read(path, as_version=4))
        _write(root, f"{NOTEBOOKS}/{path.name}", nbformat.writes(nb), done)
