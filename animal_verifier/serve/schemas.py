"""Request and response models: they write the OpenAPI schema and shape every JSON answer.

:class:`VerifyResult` and the models inside it are the schema of
:func:`animal_verifier.verify.results.doc_to_result` (the dict the CLI's ``--json`` and the batch command
print too), and :class:`ClaimResult` is :class:`animal_verifier.verify.claims.Claim` as a dict. The dict
is made there and only typed and described here; ``tests/test_server.py`` checks that both sides have the
same fields in the same order, so a field added on one side and not the other fails a test instead of
vanishing from the API. Only models that describe request forms have docstrings: pydantic copies a
model's docstring into the OpenAPI schema.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from animal_verifier.serve.errors import ErrorBody

# animal_verifier.verify.claims: SUPPORTED, CONTRADICTED, UNVERIFIABLE
Verdict = Literal["supported", "contradicted", "unverifiable"]


# ---- request forms (parsed by animal_verifier.serve.uploads; these models only document them) ----------
class VerifyForm(BaseModel):
    """multipart/form-data body of POST /v1/verify."""

    text: str = Field(description="the sentence about the photo", examples=["There is a cow in the picture."])
    image: bytes = Field(description="the photo: JPEG, PNG, WebP, GIF, BMP or TIFF (type read from the bytes)")


class BatchForm(BaseModel):
    """multipart/form-data body of POST /v1/verify/batch: repeat `text` and `image`; paired in order."""

    text: list[str] = Field(description="one sentence per pair")
    image: list[bytes] = Field(description="one photo per pair, in the same order as the texts")


def multipart_body(form: type[BaseModel]) -> dict:
    """OpenAPI request body for a form we parse ourselves (to keep uploads in memory and bounded);
    pydantic already writes ``bytes`` as ``{"type": "string", "format": "binary"}``, i.e. a file."""
    schema = form.model_json_schema()
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


# ---- doc_to_result ----------------------------------------------------------------------------------------
# One item of doc_to_result()["entities"] (animal_verifier.verify.results.entities).
class Entity(BaseModel):
    text: str
    start: int = Field(description="character offset in the text (Unicode code points)")
    end: int
    canonical: str | None = Field(description="everyday singular noun, e.g. 'dog' for 'puppies'")
    wordnet_id: str | None = Field(description="WordNet 3.0 noun synset, e.g. n02084071")
    negated: bool


# One item of doc_to_result()["top5"].
class TopClass(BaseModel):
    label: str
    wordnet_id: str
    probability: float


# One item of doc_to_result()["claims"]: a Claim (animal_verifier.verify.claims) as a dict.
class ClaimResult(BaseModel):
    text: str
    animal: str
    wordnet_id: str | None
    negated: bool
    probability: float | None = Field(description="P(animal | image); null when the model can't express it")
    verdict: Verdict
    reason: str


# doc_to_result() itself.
class VerifyResult(BaseModel):
    text: str
    entities: list[Entity]
    predicted: str | None = Field(
        description="the animal seen, as a person names it ('cow'), or only as sure as the model is ('bird', "
        "'animal'); null when no animal"
    )
    predicted_level: Literal["entry", "broader", "animal", "unsure"] | None = Field(
        None,
        description="how specific `predicted` is; 'unsure': not sure there is an animal at all (P(animal) "
        "between the two animal thresholds); null when no animal or no image",
    )
    fine_label: str | None = Field(description="the image model's own class ('ox')")
    top5: list[TopClass]
    animal_probability: float | None
    ood: Literal["known", "near-ood", "far-ood"] | None = Field(
        None,
        description="known: an animal the model knows; near-ood: an animal it cannot name; far-ood: no animal "
        "or not a photo; null without an image",
    )
    ood_score: float | None = Field(None, description="higher: less like the animals the model knows")
    claims: list[ClaimResult]
    match: bool | None = Field(
        description="true: every claim supported; false: some claim contradicted, or the text names no "
        "animal; null: not sure (no claim contradicted, some the photo can't settle; `reason` says which)"
    )
    reason: str | None


# ---- what the server adds ---------------------------------------------------------------------------------
class ModelRef(BaseModel):
    name: str
    version: str
    image_model: str | None = None
    image_model_version: str | None = None


class VerifyResponse(VerifyResult):
    model: ModelRef
    elapsed_ms: float


class BatchItem(BaseModel):
    index: int
    result: VerifyResult | None = None
    error: ErrorBody | None = None


class BatchResponse(BaseModel):
    results: list[BatchItem]
    model: ModelRef
    elapsed_ms: float


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    status: Literal["ready"] = "ready"
    model: ModelRef


class ModelInfo(BaseModel):
    model: ModelRef
    lang: str
    pipeline: list[str]
    spacy_version: str | None
    image_classes: int | None
    thresholds: dict[str, float] | None = Field(description="the claim verifier's decision thresholds")
    description: str | None
    limits: dict[str, int | float]
