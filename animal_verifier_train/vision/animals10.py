"""Image folders for fine-tuning: which folder is which class, and which WordNet synset that class is.

A fine-tuned model's classes are synsets like ImageNet's, so the concept code works unchanged. Two layouts:

* Animals-10 (Kaggle, the original project's data): ``raw-img/`` with Italian folder names, mapped to English words;
* any ImageFolder tree: one folder per class, named by an animal word ("golden_retriever", "cow") or a
  synset id ("n02084071").

Either way the synset comes from the animal lexicon, the same lookup the text side uses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from animal_verifier.ontology.lexicon import Lexicon

#: Animals-10 folder (Italian) -> the English word a person uses.
ANIMALS10_FOLDERS: dict[str, str] = {
    "cane": "dog",
    "cavallo": "horse",
    "elefante": "elephant",
    "farfalla": "butterfly",
    "gallina": "chicken",
    "gatto": "cat",
    "mucca": "cow",
    "pecora": "sheep",
    "ragno": "spider",
    "scoiattolo": "squirrel",
}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
_SYNSET_ID = re.compile(r"^n\d{8}$")
SPLIT_FILE = "split.json"
Sample = tuple[Path, int]  # image path, class index


class DatasetLayoutError(ValueError):
    """A data folder that cannot be read as classes of animal images."""


@dataclass(frozen=True)
class ClassFolder:
    path: Path
    name: str  # English word shown to people
    synset_id: str


def find_class_folders(data_dir: str | Path, lexicon: Lexicon) -> list[ClassFolder]:
    """The class folders under ``data_dir`` (or its ``raw-img/``), sorted by class name."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DatasetLayoutError(f"{data_dir}: not a folder")
    root = data_dir / "raw-img" if (data_dir / "raw-img").is_dir() else data_dir
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise DatasetLayoutError(f"{root}: no class folders (expected raw-img/ or one folder per class)")
    italian = any(p.name in ANIMALS10_FOLDERS for p in folders)  # Animals-10: every folder must be one of its
    classes = []
    for folder in folders:
        if italian and folder.name not in ANIMALS10_FOLDERS:
            raise DatasetLayoutError(f"{folder}: not an Animals-10 folder (expected {', '.join(ANIMALS10_FOLDERS)})")
        word = ANIMALS10_FOLDERS[folder.name] if italian else folder.name.replace("_", " ")
        classes.append(ClassFolder(folder, *_synset_for(word, lexicon, folder)))
    seen: dict[str, Path] = {}
    for c in classes:
        if c.synset_id in seen:
            raise DatasetLayoutError(f"{seen[c.synset_id]} and {c.path} are the same class ({c.synset_id})")
        seen[c.synset_id] = c.path
    return sorted(classes, key=lambda c: c.name)


def _synset_for(word: str, lexicon: Lexicon, folder: Path) -> tuple[str, str]:
    if _SYNSET_ID.match(word):
        if word not in lexicon:
            raise DatasetLayoutError(f"{folder}: {word} is not an animal synset in the lexicon")
        return lexicon.name(word), word
    term = lexicon.lookup(word)
    if term is None:
        raise DatasetLayoutError(
            f"{folder}: '{word}' is not an animal word in the lexicon; name the folder after an animal "
            "(e.g. 'cow', 'golden_retriever') or a WordNet synset id (e.g. n02084071)"
        )
    return word, term.id


def list_images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def write_split(path: Path, data_dir: Path, classes: list[ClassFolder], split: dict[str, list[Sample]]) -> None:
    data_dir = Path(data_dir)
    data = {
        "data_dir": str(data_dir),
        "classes": [
            {"name": c.name, "synset_id": c.synset_id, "folder": str(c.path.relative_to(data_dir))} for c in classes
        ],
        **{name: [[str(p.relative_to(data_dir)), t] for p, t in samples] for name, samples in split.items()},
    }
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf8")


def read_split(path: str | Path, name: str = "test") -> tuple[list[Sample], list[dict]]:
    """One split's (path, target) samples and the class list from a ``split.json``."""
    data = json.loads(Path(path).read_text(encoding="utf8"))
    root = Path(data["data_dir"])
    return [(root / p, int(t)) for p, t in data[name]], data["classes"]
