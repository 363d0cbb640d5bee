"""The Doc and Span attributes the components write; registered once, on import of the components."""

from __future__ import annotations

from spacy.tokens import Doc, Span

DOC_EXTENSIONS: dict[str, object] = {
    "image": None,  # path, bytes or PIL image, set by the caller
    "concept_probabilities": None,  # {synset id of a mention: P(synset | image) or None}; None: no image
    "image_label": None,  # entry-level name ("dog"), "animal" for one the model cannot name, None: no animal
    "image_label_probability": None,  # P(image_label | image)
    "image_label_level": None,  # "entry" ("dog"), "broader" ("bird": only that is sure) or "animal"
    "ood_score": None,  # higher: less like the animals the model knows (animal_verifier/vision/ood.py)
    "ood": None,  # "known", "near-ood" (an animal the model cannot name), "far-ood" (no animal / not a photo)
    "image_fine_label": None,  # the model's own class ("beagle")
    "image_top5": None,  # [(name, wordnet id, probability), ...]
    "image_probs": None,  # numpy array over the model's classes
    "animal_probability": None,
    "claims": [],
    "match": None,
    "match_reason": None,
}
SPAN_EXTENSIONS: dict[str, object] = {"canonical": None, "negated": False}


def register_extensions() -> None:
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
