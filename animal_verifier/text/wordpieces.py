"""spacy-transformers' input side, without torch: the spans a Doc is cut into, their wordpieces, and which
wordpieces each spaCy token gets.

Each function reproduces its spacy-transformers 1.4 counterpart exactly (``strided_spans.v1``,
``huggingface_tokenize`` with ``padding="longest"``, ``get_alignment_via_offset_mapping``,
``truncate_oversize_splits``), so the runtime NER (:mod:`animal_verifier.text.onnx_encoder`) sees the
same inputs the PyTorch NER was trained on. The wordpieces come from the ``tokenizers`` package with the
tokenizer saved inside the trained NER.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from spacy.tokens import Doc, Span

if TYPE_CHECKING:
    from tokenizers import Tokenizer


def strided_spans(doc: Doc, window: int, stride: int) -> list[Span]:
    """``spacy-transformers.strided_spans.v1`` for one Doc: windows of ``window`` tokens every ``stride``
    tokens; the loop and its ``else`` are kept as written there, since its edge cases decide which
    tokens share a window (an empty Doc gets none; the last window may be a short tail)."""
    spans: list[Span] = []
    start = 0
    for _ in range(len(doc) // stride):
        spans.append(doc[start : start + window])
        if (start + window) >= len(doc):
            break
        start += stride
    else:
        if start < len(doc):
            spans.append(doc[start:])
    return spans


def span_pieces(span: Span, offsets: np.ndarray) -> list[set[int]]:
    """For each token of ``span``, the wordpieces (rows of ``offsets``, character offsets into
    ``span.text``) that overlap it. As spacy-transformers' ``get_span2wp_from_offset_mapping``: a token
    also owns the character after it (its trailing space), unless the next token starts there."""
    first = span[0]
    char_to_token = np.full(len(span.text) + 1, -1, dtype=np.int64)
    for token in span:
        begin = token.idx - first.idx
        char_to_token[begin : begin + len(token) + 1] = token.i - first.i
    pieces: list[set[int]] = [set() for _ in range(len(span))]
    for j, (start, end) in enumerate(offsets.tolist()):
        for char in range(max(start, 0), min(end, len(char_to_token))):
            token = char_to_token[char]
            if token >= 0:
                pieces[token].add(j)
    return pieces


@dataclass
class WordpieceBatch:
    """The encoder's inputs for a batch of Docs, and where each token's wordpieces are.

    ``input_ids``, ``attention_mask``, ``token_type_ids``: (spans, width) int64, padded to the longest
    span and cut at the model's maximum length. ``doc_spans``: how many spans each Doc has.
    ``indices`` / ``lengths``: per Doc, the flat indices (into that Doc's rows x width) of each token's
    wordpieces, sorted, and how many each token has (0: the token gets a vector of zeros)."""

    input_ids: np.ndarray
    attention_mask: np.ndarray
    token_type_ids: np.ndarray
    doc_spans: list[int]
    indices: list[np.ndarray]
    lengths: list[np.ndarray]


def encode_docs(docs: list[Doc], tokenizer: Tokenizer, window: int, stride: int, max_length: int) -> WordpieceBatch:
    """Cut ``docs`` into strided spans, tokenise them in one batch (special tokens added, padded to the
    longest span) and align the wordpieces to the tokens. A token in two overlapping windows gets the
    pieces of both; a batch whose longest span reaches ``max_length`` pieces is cut there, and the
    alignment loses the pieces past the cut."""
    nested = [strided_spans(doc, window, stride) for doc in docs]
    flat = [span for spans in nested for span in spans]
    encodings = tokenizer.encode_batch([span.text for span in flat], add_special_tokens=True) if flat else []
    width = max((len(e.ids) for e in encodings), default=0)
    rows = len(encodings)
    input_ids = np.zeros((rows, width), dtype=np.int64)
    attention_mask = np.zeros((rows, width), dtype=np.int64)
    token_type_ids = np.zeros((rows, width), dtype=np.int64)
    offsets = np.zeros((rows, width, 2), dtype=np.int64)
    for i, encoding in enumerate(encodings):
        n = len(encoding.ids)  # all equal when the tokenizer pads (as saved by the export); else 0-padded
        input_ids[i, :n] = encoding.ids
        attention_mask[i, :n] = encoding.attention_mask
        token_type_ids[i, :n] = encoding.type_ids
        offsets[i, :n] = encoding.offsets
    kept = min(width, max_length)
    indices: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    row = 0
    for doc, spans in zip(docs, nested, strict=True):
        pieces: list[set[int]] = [set() for _ in range(len(doc))]
        for k, span in enumerate(spans):
            for token, found in zip(span, span_pieces(span, offsets[row + k]), strict=True):
                # flat index into this Doc's rows after the cut at max_length (pieces past it are dropped)
                pieces[token.i].update(k * kept + j for j in found if j < kept)
        row += len(spans)
        lengths.append(np.array([len(p) for p in pieces], dtype=np.int32))
        indices.append(np.array([j for p in pieces for j in sorted(p)], dtype=np.int64))
    return WordpieceBatch(
        input_ids[:, :kept],
        attention_mask[:, :kept],
        token_type_ids[:, :kept],
        [len(spans) for spans in nested],
        indices,
        lengths,
    )
