"""The committed development photos: ``assets/photos`` (real animal photos with WordNet labels, plus images with
no animal) and ``assets/photos_dev`` (more animal photos, no-animal photos, drawings and toys), each listed in
``photos.csv`` with credits in ``CREDITS.md``.

The two sets label "no animal" differently (kind ``non-animal`` with an empty label; label ``none`` with kind
``none_photo``, ``drawing`` or ``toy``); :class:`Photo` reads both the same way.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from animal_verifier.vision.image_io import load_image
from animal_verifier.vision.preprocess import Preprocessing, preprocess_batch

PHOTOS_CSV = "photos.csv"
NON_ANIMAL = "non-animal"
NO_LABEL = ("", "none")
#: kinds of image that show a real animal (a photo, or a photo cut out of its background)
REAL_ANIMAL_KINDS = ("photo", "photo_cutout")


@dataclass(frozen=True)
class Photo:
    path: Path
    label: str  # "" or "none" for an image with no (real) animal
    wordnet_id: str  # "" for an image with no animal
    kind: str  # "photo", "photo_cutout"; no animal: "non-animal", "none_photo", "drawing", "toy"
    caption: str = ""  # what it shows, in the source's words (the animal a drawing or toy depicts)

    @property
    def has_animal(self) -> bool:
        """A real animal is in the picture (a drawing or a toy of one is not)."""
        return self.kind in REAL_ANIMAL_KINDS and self.label not in NO_LABEL


def read_photos(folder: str | Path) -> list[Photo]:
    """The photos listed in ``folder/photos.csv``, in file order; a missing file is an error."""
    folder = Path(folder)
    with open(folder / PHOTOS_CSV, encoding="utf8", newline="") as f:
        photos = [
            Photo(folder / r["file"], r["label"], r["wordnet_id"], r["kind"], r.get("caption") or "")
            for r in csv.DictReader(f)
        ]
    missing = [str(p.path) for p in photos if not p.path.is_file()]
    if missing:
        raise FileNotFoundError(f"listed in {folder / PHOTOS_CSV} but missing: {', '.join(missing)}")
    return photos


#: The committed photo sets the image side's calibration is fitted and measured on (docs/vision.md).
DEV_PHOTO_FOLDERS = (Path("assets/photos"), Path("assets/photos_dev"))


def read_photo_sets(folders: list[str | Path]) -> list[Photo]:
    """The photos of several folders, in folder then file order."""
    return [photo for folder in folders for photo in read_photos(folder)]


def preprocess_folder(folder: str | Path, p: Preprocessing) -> np.ndarray:
    """Every photo of ``folder/photos.csv`` as one preprocessed batch (for export checks and benchmarks)."""
    return preprocess_batch([load_image(photo.path, min_side=p.resize) for photo in read_photos(folder)], p)
