"""The runtime NER's tok2vec: the trained transformer encoder on ONNX Runtime, no torch.

``animal_verifier.OnnxTransformer.v1`` stands where the PyTorch NER had spacy-transformers'
``Tok2VecTransformer`` (after ``replace_listeners``) and returns the same token vectors: strided spans,
wordpieces from the tokenizer saved inside the trained NER (:mod:`animal_verifier.text.wordpieces`), the
encoder's last hidden state, ``reduce_mean`` over each token's wordpieces (zeros for a token with none).
The encoder (ONNX bytes) and the tokenizer (``tokenizers`` JSON) travel inside the layer's attrs, so the
NER component's ``model`` file holds everything; the `export-ner` step writes them.
Nothing here imports torch or spacy-transformers (whose ``__init__`` imports torch).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import srsly
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model, deserialize_attr, serialize_attr
from thinc.types import Floats2d

from animal_verifier.text.wordpieces import WordpieceBatch, encode_docs

ARCHITECTURE = "animal_verifier.OnnxTransformer.v1"
#: the ONNX graph's input and output names (written by the export, read here)
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT_NAME = "last_hidden_state"


@dataclass
class OnnxEncoder:
    """An exported encoder and its tokenizer; the session is opened on first use (a layer built from a
    config holds an empty one until the trained bytes are loaded into it)."""

    model: bytes = b""
    tokenizer_json: str = ""
    max_length: int = 512
    _session: object | None = field(default=None, repr=False, compare=False)
    _tokenizer: object | None = field(default=None, repr=False, compare=False)

    @property
    def is_empty(self) -> bool:
        return not self.model

    def tokenizer(self):
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_str(self.tokenizer_json)
            tokenizer.no_truncation()  # spacy-transformers never truncates in the tokenizer: it cuts at max_length
            self._tokenizer = tokenizer
        return self._tokenizer

    def session(self):
        if self._session is None:
            from animal_verifier.onnx_session import cpu_session, default_threads

            self._session = cpu_session(self.model, default_threads())
        return self._session

    def hidden_states(self, batch: WordpieceBatch) -> np.ndarray:
        """(spans, width, hidden) float32: the encoder's last hidden state on the padded batch."""
        feeds = {
            "input_ids": batch.input_ids,
            "attention_mask": batch.attention_mask,
            "token_type_ids": batch.token_type_ids,
        }
        return self.session().run([OUTPUT_NAME], feeds)[0]

    def to_bytes(self) -> bytes:
        return srsly.msgpack_dumps(
            {"model": self.model, "tokenizer": self.tokenizer_json, "max_length": self.max_length}
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> OnnxEncoder:
        msg = srsly.msgpack_loads(data)
        return cls(msg["model"], msg["tokenizer"], int(msg["max_length"]))


@serialize_attr.register(OnnxEncoder)
def _serialize_encoder(_: OnnxEncoder, value: OnnxEncoder, name: str, model: Model) -> bytes:
    return value.to_bytes()


@deserialize_attr.register(OnnxEncoder)
def _deserialize_encoder(_: OnnxEncoder, value: bytes, name: str, model: Model) -> OnnxEncoder:
    return OnnxEncoder.from_bytes(value)


@registry.architectures(ARCHITECTURE)
def onnx_transformer(window: int = 128, stride: int = 96, width: int = 384) -> Model[list[Doc], list[Floats2d]]:
    """Token vectors from the exported encoder (``width`` wide), over spans of ``window`` tokens every
    ``stride`` tokens: the values the PyTorch NER's ``strided_spans.v1`` + ``reduce_mean.v1`` had."""
    return Model(
        "onnx_transformer",
        _forward,
        dims={"nO": width},
        attrs={"window": window, "stride": stride, "encoder": OnnxEncoder()},
    )


def token_vectors(model: Model, docs: list[Doc]) -> list[Floats2d]:
    """One (tokens, width) array per Doc."""
    encoder: OnnxEncoder = model.attrs["encoder"]
    if encoder.is_empty:
        raise ValueError(f"{ARCHITECTURE}: no encoder loaded (build the runtime NER with the export step)")
    width = model.get_dim("nO")
    batch = encode_docs(docs, encoder.tokenizer(), model.attrs["window"], model.attrs["stride"], encoder.max_length)
    if not batch.doc_spans or not sum(batch.doc_spans):
        return [model.ops.alloc2f(len(doc), width) for doc in docs]
    hidden = encoder.hidden_states(batch)
    rows_per_span = hidden.shape[1]
    outputs: list[Floats2d] = []
    row = 0
    for doc, n_spans, indices, lengths in zip(docs, batch.doc_spans, batch.indices, batch.lengths, strict=True):
        flat = hidden[row : row + n_spans].reshape(n_spans * rows_per_span, width)
        row += n_spans
        if not len(doc):
            outputs.append(model.ops.alloc2f(0, width))
        elif not lengths.sum():  # no token has a piece: spacy-transformers' empty alignment, all zeros
            outputs.append(model.ops.alloc2f(len(doc), width))
        else:
            outputs.append(model.ops.reduce_mean(flat[indices], lengths))
    return outputs


def _forward(model: Model, docs: list[Doc], is_train: bool):
    if is_train:
        raise ValueError(f"{ARCHITECTURE} is for inference only: train the PyTorch NER and export it")
    return token_vectors(model, docs), _no_backprop


def _no_backprop(d_vectors: list[Floats2d]) -> list[Doc]:
    return []
