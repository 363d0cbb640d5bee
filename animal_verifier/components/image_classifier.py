"""``image_classifier``: runs the ONNX image model on ``doc._.image``; a Doc without an image passes through.

``initialize`` loads the model folder (``model.onnx`` + ``labels.json``) and ties its classes to WordNet
with the pipeline's lexicon; ``to_disk`` writes the model, its label map and that concept index, so a
saved pipeline needs nothing else at run time.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from animal_verifier.components.extensions import register_extensions
from animal_verifier.components.serialization import FolderSerializable
from animal_verifier.constants import IMAGE_CLASSIFIER
from animal_verifier.ontology.concepts import ConceptIndex
from animal_verifier.ontology.lexicon import Lexicon, load_lexicon

register_extensions()

CONCEPTS_FILE = "concepts.json"


class ImageClassifierComponent(FolderSerializable):
    def __init__(self, name: str = IMAGE_CLASSIFIER, batch_size: int = 16):
        self.name = name
        self.batch_size = batch_size
        self.model = None  # an ImageClassifier, set by initialize() or from_disk()

    def initialize(
        self,
        get_examples: Callable[[], Iterable] | None = None,
        *,
        nlp: Language | None = None,
        model: str | Path | None = None,
        lexicon: Lexicon | None = None,
    ) -> None:
        """``model``: an image model folder (``[initialize.components.image_classifier] model``)."""
        from animal_verifier.vision.classifier import ImageClassifier

        if model is None:
            raise ValueError(f"'{self.name}' needs an image model folder: [initialize.components.{self.name}] model")
        self.model = ImageClassifier.from_dir(model, lexicon=lexicon or load_lexicon())

    def _require_model(self):
        if self.model is None:
            raise ValueError(f"the '{self.name}' component has no image model; initialize the pipeline first")
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
                    # P(S | image) for each synset the text names: plain data the claim verifier reads
                    doc._.concept_probabilities = {
                        ent.kb_id_: self.model.concept_probability(pred.probs, ent.kb_id_)
                        for ent in doc.ents
                        if ent.kb_id_
                    }
                    doc._.image_label = pred.label
                    doc._.image_label_probability = pred.label_probability
                    doc._.image_label_level = pred.label_level
                    doc._.ood_score = pred.ood_score
                    doc._.ood = pred.ood
                    doc._.image_fine_label = pred.fine_label
                    doc._.image_top5 = pred.top5
                    doc._.image_probs = pred.probs
                    doc._.animal_probability = pred.animal_probability
            yield from batch

    # ---- serialisation -------------------------------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        if "model" in exclude or self.model is None:  # nothing to save; from_disk() leaves it uninitialised
            path.mkdir(parents=True, exist_ok=True)
            return
        model = self.model
        model.to_dir(path)
        (path / CONCEPTS_FILE).write_text(json.dumps(model.concepts.to_json()), encoding="utf8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "ImageClassifierComponent":
        from animal_verifier.vision.classifier import ImageClassifier

        path = Path(path)
        if "model" in exclude or (path.is_dir() and not any(path.iterdir())):  # saved without a model
            return self
        concepts_path = path / CONCEPTS_FILE
        concepts = None
        if concepts_path.is_file():
            concepts = ConceptIndex.from_json(json.loads(concepts_path.read_text(encoding="utf8")))
        self.model = ImageClassifier.from_dir(path, concepts=concepts)
        return self


def _take_image_from_context(doc: Doc) -> None:
    """``nlp.pipe([(text, image), ...], as_tuples=True)`` puts the image in the Doc's context."""
    context = getattr(doc, "_context", None)
    if doc._.image is None and context is not None:
        if isinstance(context, dict):
            context = context.get("image")
        if isinstance(context, str | Path | bytes) or hasattr(context, "getpixel"):
            doc._.image = context


@Language.factory(
    IMAGE_CLASSIFIER,
    default_config={"batch_size": 16},
    assigns=[
        "doc._.concept_probabilities",
        "doc._.image_label",
        "doc._.image_label_probability",
        "doc._.image_label_level",
        "doc._.ood_score",
        "doc._.ood",
        "doc._.image_fine_label",
        "doc._.image_top5",
        "doc._.image_probs",
        "doc._.animal_probability",
    ],
)  # reads doc._.image, which the caller sets (no component assigns it, so it is not in `requires`)
def make_image_classifier(nlp: Language, name: str, batch_size: int) -> "ImageClassifierComponent":
    return ImageClassifierComponent(name, batch_size)
