"""Generated NER corpus (train/val/test in the original project's JSON format) for the one entity label.

Public API: :class:`DatagenConfig`, :func:`generate_corpus`, :func:`write_corpus`,
:class:`DatagenError` (:class:`TemplateError` for a bad template file). See :mod:`.generate` for
the mix and the hold-out rules, :mod:`.templates` and ``templates/`` for the sentence data.
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
from animal_verifier_train.datagen.templates import TemplateError
from animal_verifier_train.datagen.validate import DatagenError
from animal_verifier_train.datagen.wordnet_text import WordNetTextError
from animal_verifier_train.wordnet import WORDNET_DIR

#: Old name of :data:`animal_verifier_train.wordnet.WORDNET_DIR`, still imported by
#: scripts/generate_data.py; the same object, not a second setting.
DEFAULT_WORDNET_DIR = WORDNET_DIR

__all__ = [
    "DEFAULT_WORDNET_DIR",
    "FILE_NAMES",
    "MANIFEST",
    "SPLITS",
    "Corpus",
    "DatagenConfig",
    "DatagenError",
    "TemplateError",
    "WordNetTextError",
    "generate_corpus",
    "write_corpus",
]
