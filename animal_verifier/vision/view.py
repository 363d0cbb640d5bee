"""The part of an image the image model looks at, cut out before the model sees it.

A server upload or a batch line can be reduced to it as soon as it is decoded (off the inference thread, and
holding ``resize``² pixels rather than the photo's), without changing the model's input by one pixel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PIL import Image

from animal_verifier.constants import IMAGE_CLASSIFIER
from animal_verifier.vision.preprocess import Preprocessing, centre_crop, resize_shorter

if TYPE_CHECKING:
    from spacy.language import Language


def model_view(image: Image.Image, p: Preprocessing) -> Image.Image:
    """All the image model will look at: the shorter side scaled to ``p.resize`` as the model does it, then
    the centre square of that size, inside which the model cuts its ``p.crop`` square. The model's own
    preprocessing leaves this image's size as it is, so its input is unchanged, pixel for pixel (a test
    checks it)."""
    return centre_crop(resize_shorter(image, p.resize, p.interpolation), p.resize)


def pipeline_view(nlp: Language | None) -> Preprocessing | None:
    """The preprocessing of the pipeline's image model (None without one), to cut images to its view."""
    pipe = nlp.get_pipe(IMAGE_CLASSIFIER) if nlp is not None and IMAGE_CLASSIFIER in nlp.pipe_names else None
    model = getattr(pipe, "model", None)
    return model.labels.preprocessing if model is not None else None
