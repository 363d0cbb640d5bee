"""Entry-level names: what a person calls the animal of each image class ("cat" for a tabby, "fish" for a tench).

The names are derived from WordNet and word frequencies (``wordfreq``) by ``scripts/build_entry_names.py``
(Ordonez et al., ICCV 2013: the name people use trades how natural a word is against how far up the
hierarchy it is) and ship as ``data/imagenet_entry_names.tsv``, one reviewable row per animal class, so
inference needs neither. Every
entry name is the lexicon's display name of a synset at or above its class, so the word the image side
says is the word the text side links to the same synset.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

ENTRY_NAMES_FILE = "imagenet_entry_names.tsv"
COLUMNS = ("class_id", "class_name", "entry_name", "entry_id", "steps", "naturalness", "score")


@dataclass(frozen=True)
class EntryName:
    class_id: str  # the image class (WordNet synset id)
    class_name: str
    entry_name: str  # the lexicon's display name of entry_id
    entry_id: str  # synset at or above the class
    steps: int = 0  # hypernym steps from the class up to entry_id
    naturalness: float = 0.0  # how common the name is for an animal (Zipf scale: log10 uses per 10^9 words)
    score: float = 0.0  # naturalness minus the specificity cost, as ranked by the builder


def default_entry_names_path() -> Path:
    return Path(str(resources.files("animal_verifier") / "data" / ENTRY_NAMES_FILE))


def format_entry_names(rows: list[EntryName], header: str) -> str:
    """The table as ``data/imagenet_entry_names.tsv`` holds it: ``#`` header lines, column names, a row per class."""
    lines = [f"# {line}" if line else "#" for line in header.rstrip("\n").splitlines()]
    lines.append("\t".join(COLUMNS))
    lines += [
        f"{r.class_id}\t{r.class_name}\t{r.entry_name}\t{r.entry_id}\t{r.steps}\t{r.naturalness:.3f}\t{r.score:.3f}"
        for r in rows
    ]
    return "\n".join(lines) + "\n"


def read_entry_names(path: str | Path | None = None) -> dict[str, EntryName]:
    """Class id -> its entry-level name, from the shipped table or one at ``path``."""
    path = Path(path or default_entry_names_path())
    rows: dict[str, EntryName] = {}
    lines = [line for line in Path(path).read_text(encoding="utf8").splitlines() if line and line[0] != "#"]
    if not lines or tuple(lines[0].split("\t")) != COLUMNS:
        raise ValueError(f"{path}: expected a header row {' '.join(COLUMNS)}")
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(COLUMNS):
            raise ValueError(f"{path}: data row {number - 1} has {len(fields)} fields, expected {len(COLUMNS)}")
        class_id, class_name, name, entry_id, steps, naturalness, score = fields
        rows[class_id] = EntryName(class_id, class_name, name, entry_id, int(steps), float(naturalness), float(score))
    return rows
