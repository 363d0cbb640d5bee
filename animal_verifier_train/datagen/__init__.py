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

__all__ = [
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
