"""spaCy components that join text and image on one Doc.

    nlp = spacy.load("en_animal_verifier")
    doc = nlp.make_doc("I see two puppies and no cat."); doc._.image = "photo.jpg"
    doc = nlp(doc)
    doc.ents, doc._.image_label, doc._.claims, doc._.match

``animal_linker`` links each ANIMAL entity to WordNet (``span.kb_id_``), ``image_classifier`` runs
the ONNX image model on ``doc._.image``, ``claim_verifier`` turns both into verdicts. The
factories are registered through entry points, so ``spacy.load`` finds them once the
``animal-verifier`` package is installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from animal_verifier.ontology.lexicon import LEXICON_FILE, Lexicon, load_lexicon
from animal_verifier.text.linking import Linker, repair_span
from animal_verifier.text.negation import is_negated
from animal_verifier.verify.claims import DEFAULT_THRESHOLDS, Mention, verify
from animal_verifier.vision.calibration import Thresholds

DOC_EXTENSIONS = {
    "image": None,  # path, bytes or PIL image, set by the caller
    "image_label": None,  # basic-level name ("dog"), None when the photo shows no animal
    "image_fine_label": None,  # the model's own class ("beagle")
    "image_top5": None,  # [(name, wordnet id, probability), ...]
    "image_probs": None,  # numpy array over the model's classes
    "animal_probability": None,
    "claims": [],
    "match": None,
    "match_reason": None,
}


def register_extensions() -> None:
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, default in (("canonical", None), ("negated", False)):
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)


register_extensions()


class AnimalLinker:
    """Sets ``kb_id_`` (WordNet id), ``_.canonical`` and ``_.negated`` on every ANIMAL entity, after
    fitting its boundaries to the longest lexicon term there (``linking.repair_span``)."""

    def __init__(self, name: str, lexicon: Lexicon | None = None, label: str = "ANIMAL"):
        self.name = name
        self.label = label
        self._set_lexicon(lexicon or load_lexicon())

    def _set_lexicon(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.linker = Linker(lexicon)

    def __call__(self, doc: Doc) -> Doc:
        ents: list[Span] = []
        old = list(doc.ents)
        for k, ent in enumerate(old):
            if ent.label_ == self.label:
                lo = ents[-1].end if ents else 0
                hi = old[k + 1].start if k + 1 < len(old) else len(doc)
                start, end = repair_span(doc, ent.start, ent.end, self.lexicon, lo, hi)
                term = self.linker.link(doc[start:end].text)
                ent = Span(doc, start, end, ent.label, kb_id=term.id if term else 0)
                ent._.canonical = self.lexicon.name(term.id) if term else None
                ent._.negated = is_negated(ent)
            ents.append(ent)
        doc.ents = ents
        return doc

    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        import srsly

        srsly.write_json(path / LEXICON_FILE, self.lexicon.to_json())

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> AnimalLinker:
        self._set_lexicon(Lexicon.from_path(Path(path) / LEXICON_FILE))
        return self


@Language.factory("animal_linker", default_config={"label": "ANIMAL"})
def make_animal_linker(nlp: Language, name: str, label: str) -> AnimalLinker:
    return AnimalLinker(name, label=label)


class ImageClassifierComponent:
    """Runs the ONNX image model on ``doc._.image``; a Doc without an image passes through."""

    def __init__(self, name: str, batch_size: int = 16):
        self.name = name
        self.batch_size = batch_size
        self.model = None  # an ImageClassifier; set by load_model() or from_disk()

    def load_model(self, model_dir: str | Path) -> None:
        from animal_verifier.vision.classifier import ImageClassifier

        self.model = ImageClassifier.from_dir(model_dir)

    def _require_model(self):
        if self.model is None:
            raise ValueError(f"the '{self.name}' component has no image model; call load_model(dir) first")
        return self.model

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size or self.batch_size):
            for doc in batch:
                _take_image_from_context(doc)
            with_image = [d for d in batch if d._.image is not None]
            if with_image:
                predictions = self._require_model().classify([d._.image for d in with_image])
                for doc, pred in zip(with_image, predictions, strict=True):
                    doc._.image_label = pred.label
                    doc._.image_fine_label = pred.fine_label
                    doc._.image_top5 = pred.top5
                    doc._.image_probs = pred.probs
                    doc._.animal_probability = pred.animal_probability
            yield from batch

    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        self._require_model().to_dir(path)

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> ImageClassifierComponent:
        self.load_model(path)
        return self


def _take_image_from_context(doc: Doc) -> None:
    """``nlp.pipe([(text, image), ...], as_tuples=True)`` puts the image in the Doc's context."""
    context = getattr(doc, "_context", None)
    if doc._.image is None and context is not None:
        if isinstance(context, dict):
            context = context.get("image")
        if isinstance(context, str | Path | bytes) or hasattr(context, "getpixel"):
            doc._.image = context


@Language.factory("image_classifier", default_config={"batch_size": 16})
def make_image_classifier(nlp: Language, name: str, batch_size: int) -> ImageClassifierComponent:
    return ImageClassifierComponent(name, batch_size)


class ClaimVerifier:
    """Turns linked mentions and the image's concept probabilities into ``doc._.claims`` and ``doc._.match``."""

    def __init__(self, nlp: Language, name: str, thresholds: Thresholds, image_component: str):
        self.nlp = nlp
        self.name = name
        self.thresholds = thresholds
        self.image_component = image_component

    def _image_model(self):
        if self.image_component in self.nlp.component_names:
            return self.nlp.get_pipe(self.image_component).model
        return None

    def __call__(self, doc: Doc) -> Doc:
        mentions = [
            Mention(ent.text, ent._.canonical, ent.kb_id_ or None, ent._.negated)
            for ent in doc.ents
            if ent.label_ == "ANIMAL"
        ]
        model = self._image_model()
        concept = None
        if model is not None and doc._.image_probs is not None:
            probs = doc._.image_probs

            def concept(synset_id: str) -> float | None:
                return model.concept_probability(probs, synset_id)

        verdict = verify(mentions, concept, doc._.animal_probability, doc._.image_label, self.thresholds)
        doc._.claims = [c.to_dict() for c in verdict.claims]
        doc._.match = verdict.match
        doc._.match_reason = verdict.reason
        return doc


@Language.factory(
    "claim_verifier",
    default_config={
        "present_threshold": DEFAULT_THRESHOLDS.present,
        "absent_threshold": DEFAULT_THRESHOLDS.absent,
        "animal_threshold": DEFAULT_THRESHOLDS.animal,
        "image_component": "image_classifier",
    },
)
def make_claim_verifier(
    nlp: Language,
    name: str,
    present_threshold: float,
    absent_threshold: float,
    animal_threshold: float,
    image_component: str,
) -> ClaimVerifier:
    return ClaimVerifier(nlp, name, Thresholds(present_threshold, absent_threshold, animal_threshold), image_component)
