"""The committed development photos (``assets/photos``): real animal photos with WordNet labels, plus
images with no animal, listed in ``photos.csv`` with their credits in ``CREDITS.md``."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from animal_verifier.vision.image_io import load_image
from animal_verifier.vision.preprocess import Preprocessing, preprocess_batch

PHOTOS_CSV = "photos.csv"
NON_ANIMAL = "non-animal"


@dataclass(frozen=True)
class Photo:
    path: Path
    label: str  # "" for an image with no animal
    wordnet_id: str  # "" for an image with no animal
    kind: str  # "photo" (an animal photo) or "non-animal"

    @property
    def has_animal(self) -> bool:
        return self.kind != NON_ANIMAL


def read_photos(folder: str | Path) -> list[Photo]:
    """The photos listed in ``folder/photos.csv``, in file order; a missing file is an error."""
    folder = Path(folder)
    with open(folder / PHOTOS_CSV, encoding="utf8", newline="") as f:
        photos = [Photo(folder / r["file"], r["label"], r["wordnet_id"], r["kind"]) for r in csv.DictReader(f)]
    missing = [str(p.path) for p in photos if not p.path.is_file()]
    if missing:
        raise FileNotFoundError(f"listed in {folder / PHOTOS_CSV} but missing: {', '.join(missing)}")
    return photos


def preprocess_folder(folder: str | Path, p: Preprocessing) -> np.ndarray:
    """Every photo of ``folder/photos.csv`` as one preprocessed batch (for export checks and benchmarks)."""
    return preprocess_batch([load_image(photo.path, min_side=p.resize) for photo in read_photos(folder)], p)
