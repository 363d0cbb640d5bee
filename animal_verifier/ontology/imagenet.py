"""The ImageNet-1k class list: 1000 WordNet synset ids in model output order, with their names.

The list ships as ``data/imagenet_classes.tsv`` so inference needs neither timm nor WordNet. It was
copied once from the timm wheel (Apache-2.0) by ``scripts/build_imagenet_classes.py``; the file's
header records its provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from animal_verifier.vision.calibration import DEFAULT_RISK, Thresholds, risk_key
from animal_verifier.vision.ood import OodRule

CLASSES_FILE = "imagenet_classes.tsv"

#: The ImageNet EfficientNet-Lite0 model's decision settings: softmax temperature, claim thresholds per risk
#: (the operating points; ``IMAGENET_THRESHOLDS`` is the default risk's) and the near-OOD rule, fitted on
#: assets/photos + assets/photos_dev by ``scripts/evaluate_photos.py`` (held-out figures and command in
#: docs/vision.md); written into labels.json on export. tests/test_ood.py refits them and fails if these go
#: stale.
IMAGENET_TEMPERATURE = 0.8123
IMAGENET_OPERATING_POINTS = {
    "0.01": Thresholds(present=0.5, absent=0.0014, animal=0.6901, no_animal=0.1579),
    "0.02": Thresholds(present=0.5, absent=0.0014, animal=0.6901, no_animal=0.1579),
    "0.05": Thresholds(present=0.5, absent=0.0051, animal=0.6901, no_animal=0.6901),
    "0.1": Thresholds(present=0.5, absent=0.0222, animal=0.6901, no_animal=0.6901),
}
IMAGENET_RISK = DEFAULT_RISK
IMAGENET_THRESHOLDS = IMAGENET_OPERATING_POINTS[risk_key(IMAGENET_RISK)]
IMAGENET_OOD = OodRule(score="animal-energy", threshold=-8.1135)
HEADER = """\
# ImageNet-1k (ILSVRC-2012) classes in the standard output order of ImageNet-1k models.
# Columns: index, WordNet 3.0 noun synset id (n + 8-digit offset), short name (first lemma), all lemmas.
# Source: timm {version} wheel (Apache-2.0), timm/data/_info/imagenet_synsets.txt (order and ids) and
# timm/data/_info/imagenet_synset_to_lemma.txt (lemmas). Rebuild: python scripts/build_imagenet_classes.py
"""


@dataclass(frozen=True)
class ImageNetClass:
    index: int
    id: str  # WordNet synset id, e.g. n02123045
    name: str  # short name, e.g. "tabby"
    lemmas: tuple[str, ...]


def read_timm_class_list(info_dir: Path) -> list[ImageNetClass]:
    """The 1000 classes from timm's ``data/_info`` folder (used only to rebuild the TSV)."""
    ids = (info_dir / "imagenet_synsets.txt").read_text(encoding="utf8").split()
    lemmas: dict[str, tuple[str, ...]] = {}
    for line in (info_dir / "imagenet_synset_to_lemma.txt").read_text(encoding="utf8").splitlines():
        synset, _, text = line.partition("\t")
        lemmas[synset] = tuple(part.strip() for part in text.split(","))
    if len(ids) != 1000 or len(set(ids)) != 1000:
        raise ValueError(f"{info_dir}: expected 1000 distinct synset ids, found {len(set(ids))}")
    return [ImageNetClass(i, sid, lemmas[sid][0], lemmas[sid]) for i, sid in enumerate(ids)]


def write_class_table(classes: list[ImageNetClass], path: Path, timm_version: str) -> None:
    lines = [HEADER.format(version=timm_version).rstrip("\n")]
    lines += [f"{c.index}\t{c.id}\t{c.name}\t{', '.join(c.lemmas)}" for c in classes]
    path.write_text("\n".join(lines) + "\n", encoding="utf8")


def default_class_table_path() -> Path:
    return Path(str(resources.files("animal_verifier") / "data" / CLASSES_FILE))


@cache
def imagenet_classes(path: str | None = None) -> tuple[ImageNetClass, ...]:
    """The shipped ImageNet-1k class list, in output order."""
    classes = []
    for line in Path(path or default_class_table_path()).read_text(encoding="utf8").splitlines():
        if not line or line.startswith("#"):
            continue
        index, synset, name, lemmas = line.split("\t")
        classes.append(ImageNetClass(int(index), synset, name, tuple(lemmas.split(", "))))
    if [c.index for c in classes] != list(range(1000)):
        raise ValueError(f"{path or default_class_table_path()}: expected classes 0..999 in order")
    return tuple(classes)
