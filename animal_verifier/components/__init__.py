"""spaCy components that join text and image on one Doc.

    nlp = spacy.load("en_animal_verifier")
    doc = nlp.make_doc("I see two puppies and no cat."); doc._.image = "photo.jpg"
    doc = nlp(doc)
    doc.ents, doc._.image_label, doc._.claims, doc._.match

``animal_linker`` links each ANIMAL entity to WordNet (``span.kb_id_``), ``image_classifier`` runs
the ONNX image model on ``doc._.image``, ``claim_verifier`` turns both into verdicts. The factories
are registered through entry points, so ``spacy.load`` finds them once the package is installed;
importing this package registers them too, and the runtime NER's tok2vec architecture
(:mod:`animal_verifier.text.onnx_encoder`).
"""

from animal_verifier.components.animal_linker import AnimalLinker, make_animal_linker
from animal_verifier.components.claim_verifier import ClaimVerifier, make_claim_verifier, score_claims
from animal_verifier.components.extensions import DOC_EXTENSIONS, register_extensions
from animal_verifier.components.image_classifier import ImageClassifierComponent, make_image_classifier
from animal_verifier.components.lexicon_loader import load_lexicon_from_config
from animal_verifier.text import onnx_encoder  # noqa: F401  (registers animal_verifier.OnnxTransformer.v1)

__all__ = [
    "DOC_EXTENSIONS",
    "AnimalLinker",
    "ClaimVerifier",
    "ImageClassifierComponent",
    "load_lexicon_from_config",
    "make_animal_linker",
    "make_claim_verifier",
    "make_image_classifier",
    "register_extensions",
    "score_claims",
]
