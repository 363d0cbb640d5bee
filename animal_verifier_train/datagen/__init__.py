"""Generated NER corpus (train/val/test in the seed's JSON format) for the ANIMAL label.

Public API: :class:`DatagenConfig`, :func:`generate_corpus`, :func:`write_corpus`,
:class:`DatagenError`. See :mod:`.generate` for the mix and the hold-out rules.
"""

from animal_verifier_train.datagen.generate import (
    FILE_NAMES,
    MANIFEST,
    SPLITS,
    Corpus,
    DatagenConfig,
    generate_corpus,
    write_corpus,
)
from animal_verifier_train.datagen.validate import DatagenError
from animal_verifier_train.datagen.wordnet_text import DEFAULT_WORDNET_DIR, WordNetTextError

__all__ = [
    "DEFAULT_WORDNET_DIR",
    "FILE_NAMES",
    "MANIFEST",
    "SPLITS",
    "Corpus",
    "DatagenConfig",
    "DatagenError",
    "WordNetTextError",
    "generate_corpus",
    "write_corpus",
]
