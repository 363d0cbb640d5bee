"""animal-verifier: is a sentence about a photo true?

import animal_verifier
nlp = animal_verifier.load()                   # the embedded pipeline or the installed package
doc = nlp.make_doc("I see a cat."); doc._.image = "cow.jpg"; doc = nlp(doc)
doc._.match, doc._.claims
"""

__version__ = "0.1.0"
__all__ = ["load", "load_lexicon", "ImageClassifier", "__version__"]


def __getattr__(name: str):
    # Lazy, so `import animal_verifier.ontology.lexicon` doesn't pay for spaCy, torch or ONNX Runtime.
    if name == "load":
        from animal_verifier.pipeline import load

        return load
    if name == "load_lexicon":
        from animal_verifier.ontology.lexicon import load_lexicon

        return load_lexicon
    if name == "ImageClassifier":
        from animal_verifier.vision.classifier import ImageClassifier

        return ImageClassifier
    raise AttributeError(f"module 'animal_verifier' has no attribute {name!r}")
