"""Turn the trained NER into the runtime NER the product pipeline sources: no torch at inference.

A transformer NER (``configs/ner_trf.cfg``): its encoder is exported to ONNX (the TorchScript exporter,
``dynamo=False``, checked against PyTorch on a padded batch and on each text alone, since transformers
skips an all-ones attention mask when not tracing), its tokenizer is taken from inside the trained
pipeline (not the encoder package's ``tokenizer.json``, which truncates and pads to 128), and the NER's
listener is replaced by :func:`animal_verifier.text.onnx_encoder.onnx_transformer` holding both; the
NER head keeps its trained weights. A CNN NER only gets its listener replaced by its own tok2vec.
Either way the result is a one-component pipeline (``ner``) with the same config and weights layout on
disk as in memory, so ``spacy.load`` and ``spacy assemble`` rebuild it.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.util import replace_model_node

from animal_verifier.text.onnx_encoder import ARCHITECTURE, INPUT_NAMES, OUTPUT_NAME, OnnxEncoder, onnx_transformer

NER = "ner"
OPSET = 17
SPANS = "spacy-transformers.strided_spans.v1"
POOLING = "reduce_mean.v1"
#: texts the export is checked on: short and long, so the padded batch has real padding
CHECK_TEXTS = (
    "There are two puppies and no cat on the sofa.",
    "Is that a golden retriever next to the geese?",
    "It isn't a cow, it's a bull.",
    "A hippopotamus, three flamingos and an axolotl were seen by the river bank early this morning, "
    "along with a heron that kept fishing while the rest of the zoo woke up.",
    "Dog.",
)


class RuntimeExportError(RuntimeError):
    """The trained NER cannot be turned into a runtime NER, or the export disagrees with PyTorch."""


@dataclass(frozen=True)
class EncoderCheck:
    """Largest difference of ONNX Runtime's last hidden state from PyTorch's, on the valid positions."""

    n_texts: int
    max_diff_padded: float  # PyTorch on the padded batch
    max_diff_alone: float  # PyTorch on each text alone (an all-ones mask, which transformers skips)


def saved_tokenizer(hf_tokenizer) -> str:
    """The trained pipeline's fast tokenizer as ``tokenizers`` JSON, set up as spacy-transformers calls
    it: no truncation, padded to the longest in the batch with the model's pad token."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_str(hf_tokenizer.backend_tokenizer.to_str())
    tokenizer.no_truncation()
    tokenizer.enable_padding(
        direction=hf_tokenizer.padding_side,
        pad_id=hf_tokenizer.pad_token_id,
        pad_type_id=hf_tokenizer.pad_token_type_id,
        pad_token=hf_tokenizer.pad_token,
    )
    return tokenizer.to_str()


def _encode(tokenizer_json: str, texts: list[str]) -> dict[str, np.ndarray]:
    from tokenizers import Tokenizer

    encodings = Tokenizer.from_str(tokenizer_json).encode_batch(texts, add_special_tokens=True)
    return {
        "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
    }


def export_encoder(hf_model, tokenizer_json: str, check_texts: tuple[str, ...] = CHECK_TEXTS, atol: float = 1e-3):
    """ONNX bytes of ``hf_model`` (inputs ``INPUT_NAMES``, output the last hidden state, dynamic batch and
    length) and how far ONNX Runtime is from PyTorch; raises :class:`RuntimeExportError` past ``atol``."""
    import torch

    from animal_verifier.onnx_session import cpu_session

    class LastHiddenState(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    wrapper = LastHiddenState(hf_model).eval()
    feeds = _encode(tokenizer_json, list(check_texts))  # padded: the masked path is what gets traced
    args = tuple(torch.from_numpy(feeds[name]) for name in INPUT_NAMES)
    dynamic = {name: {0: "spans", 1: "pieces"} for name in (*INPUT_NAMES, OUTPUT_NAME)}
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter announces its own deprecation
        torch.onnx.export(
            wrapper,
            args,
            buffer,
            input_names=list(INPUT_NAMES),
            output_names=[OUTPUT_NAME],
            dynamic_axes=dynamic,
            opset_version=OPSET,
            dynamo=False,
        )
        model = buffer.getvalue()
        onnx_out = cpu_session(model, 1).run([OUTPUT_NAME], feeds)[0]
        mask = feeds["attention_mask"].astype(bool)
        padded = wrapper(*args).numpy()
        diff_padded = float(np.abs(padded - onnx_out)[mask].max())
        diff_alone = 0.0
        for i, row in enumerate(mask):
            alone = wrapper(*(a[i : i + 1, : row.sum()] for a in args)).numpy()[0]
            diff_alone = max(diff_alone, float(np.abs(alone - onnx_out[i, : row.sum()]).max()))
    check = EncoderCheck(len(check_texts), diff_padded, diff_alone)
    if max(diff_padded, diff_alone) > atol:
        raise RuntimeExportError(f"ONNX Runtime disagrees with PyTorch: {check}")
    return model, check


def _transformer_settings(nlp: Language, upstream: str) -> tuple[int, int]:
    """(window, stride) of the transformer, refusing what the runtime layer does not reproduce."""
    trf_cfg = nlp.get_pipe_config(upstream)["model"]
    listener_cfg = nlp.get_pipe_config(NER)["model"]["tok2vec"]
    spans = trf_cfg.get("get_spans", {})
    pooling = listener_cfg.get("pooling", {}).get("@layers")
    if spans.get("@span_getters") != SPANS or pooling != POOLING:
        raise RuntimeExportError(
            f"the runtime NER reproduces {SPANS} with {POOLING} pooling; this NER has "
            f"{spans.get('@span_getters')} with {pooling}"
        )
    return int(spans["window"]), int(spans["stride"])


def runtime_ner(nlp: Language) -> tuple[Language, EncoderCheck | None]:
    """``nlp`` (a trained NER pipeline, changed in place) as a runtime NER: only ``ner``, no listener."""
    if NER not in nlp.pipe_names:
        raise RuntimeExportError(f"no '{NER}' component in {nlp.pipe_names}")
    upstream = next((name for name, pipe in nlp.pipeline if NER in getattr(pipe, "listening_components", [])), None)
    check = None
    if upstream is not None and nlp.get_pipe_config(upstream)["factory"] == "transformer":
        window, stride = _transformer_settings(nlp, upstream)
        trf = nlp.get_pipe(upstream).model
        tokenizer_json = saved_tokenizer(trf.tokenizer)
        model, check = export_encoder(trf.transformer, tokenizer_json)
        width = int(trf.get_dim("nO"))
        layer = onnx_transformer(window, stride, width)
        layer.attrs["encoder"] = OnnxEncoder(model, tokenizer_json, int(trf.tokenizer.model_max_length))
        ner = nlp.get_pipe(NER)
        listener = ner.model.get_ref("tok2vec").layers[0]
        replace_model_node(ner.model, listener, layer)
        # the config must build the tree that was saved (thinc refuses another structure on load)
        nlp._pipe_configs[NER]["model"]["tok2vec"] = {
            "@architectures": ARCHITECTURE,
            "window": window,
            "stride": stride,
            "width": width,
        }
        nlp.get_pipe(upstream).listener_map.pop(NER, None)
    elif upstream is not None:
        nlp.replace_listeners(upstream, NER, ["model.tok2vec"])
    for name in [n for n in nlp.pipe_names if n != NER]:
        nlp.remove_pipe(name)
    return nlp, check


def write_runtime_ner(source: Path, output: Path) -> EncoderCheck | None:
    """Load the trained NER at ``source``, build its runtime NER and save it to ``output``."""
    import spacy

    import animal_verifier.text.onnx_encoder  # noqa: F401  (registers the architecture)

    nlp, check = runtime_ner(spacy.load(source))
    nlp.to_disk(output)
    return check
