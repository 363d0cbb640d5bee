"""Names shared by the library, the training side, the configs and the tests: spelled once, here."""

from __future__ import annotations

#: The one entity label of the NER and of every data set.
LABEL = "ANIMAL"

#: The packaged pipeline's name (``spacy.load(PACKAGE_NAME)``) and its name in ``meta.json``.
PACKAGE_NAME = "en_animal_verifier"
PIPELINE_NAME = "animal_verifier"

#: Component names in the assembled pipeline (they are also the factory names).
LINKER = "animal_linker"
IMAGE_CLASSIFIER = "image_classifier"
CLAIM_VERIFIER = "claim_verifier"
