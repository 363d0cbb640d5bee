"""The runtime NER (the transformer's encoder on ONNX Runtime) against the PyTorch NER it was exported from.

An initialised, untrained transformer NER (configs/ner_trf.cfg with the shipped all-MiniLM-L6-v2
encoder) stands in for the trained one, so the suite needs no extra training: what is checked is that the
export changes nothing, i.e. the same token vectors and the same entities, not what the NER finds. The
texts cover spacy-transformers' edge cases: several strided windows, lengths at the stride and window,
tokens with no wordpiece, whitespace tokens, and a window whose wordpieces pass 512 (truncated).
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT

pytest.importorskip("spacy_transformers")

WINDOW, STRIDE = 128, 96
EDGE_TEXTS = [
    "I see a cat.",
    "  two  spaces \n\n and a newline before the dog",
    "A zero\u200bwidth space and a \u0007 bell near the horse",
    "\u200b \u200b",
    "Café, naïve résumé: 東京 🐶 dog!",
    "cats." * 40,
    " ".join(f"word{i} cat" for i in range(150)),  # 300 tokens: four windows
    " ".join(["supercalifragilisticexpialidocious"] * 130),  # > 512 wordpieces in one window
    *(" ".join(["ox"] * n) for n in (1, 95, 96, 97, 127, 128, 129, 192, 193)),
]
# A process as if torch, transformers and spacy-transformers were not installed: they cannot be imported
# and their entry points are gone (spaCy loads every factory entry point when it builds a pipeline).
NO_TORCH = """
import importlib.metadata as md, sys
BLOCKED = {"torch", "transformers", "spacy_transformers"}
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"blocked: {name}")
sys.meta_path.insert(0, Block())
KEPT = md.EntryPoints(
    e for d in md.distributions() for e in d.entry_points if e.module.split(".")[0] not in BLOCKED
)
md.entry_points = lambda **selection: KEPT.select(**selection)
"""


def real_texts(n: int = 80) -> list[str]:
    data = json.loads((ROOT / "assets" / "real_text" / "real_text_ner.json").read_text(encoding="utf8"))
    return [example["text"] for example in data[:n]]


def torch_vectors(nlp, texts: list[str]) -> list[np.ndarray]:
    """The PyTorch NER's token vectors: the transformer, then the listener's pooling (reduce_mean)."""
    from spacy_transformers.layers.trfs2arrays import trfs2arrays
    from thinc.api import reduce_mean

    docs = list(nlp.get_pipe("transformer").pipe(nlp.make_doc(t) for t in texts))
    return trfs2arrays(reduce_mean(), 1.0).predict([doc._.trf_data for doc in docs])


def runtime_vectors(nlp, texts: list[str]) -> list[np.ndarray]:
    return nlp.get_pipe("ner").model.get_ref("tok2vec").layers[0].predict([nlp.make_doc(t) for t in texts])


def test_strided_spans_are_spacy_transformers():
    import spacy
    from spacy_transformers.span_getters import get_strided_spans

    from animal_verifier.text.wordpieces import strided_spans

    nlp = spacy.blank("en")
    for n in [*range(0, 400, 7), 95, 96, 97, 127, 128, 129, 192, 193, 224, 225]:
        doc = nlp.make_doc(" ".join(["ox"] * n))
        for window, stride in ((WINDOW, STRIDE), (8, 8), (10, 3)):
            expected = [(s.start, s.end) for s in get_strided_spans([doc], window, stride)[0]]
            assert [(s.start, s.end) for s in strided_spans(doc, window, stride)] == expected


def test_token_vectors_equal_pytorch_batched_and_alone(trf_ner_dir, runtime_ner_dir):
    import spacy

    trf, runtime = spacy.load(trf_ner_dir), spacy.load(runtime_ner_dir)
    texts = EDGE_TEXTS + real_texts(40)
    batched = list(zip(torch_vectors(trf, texts), runtime_vectors(runtime, texts), strict=True))
    alone = [(torch_vectors(trf, [t])[0], runtime_vectors(runtime, [t])[0]) for t in EDGE_TEXTS]
    for text, (expected, got) in zip(texts + EDGE_TEXTS, batched + alone, strict=True):
        assert got.shape == expected.shape, text
        assert np.abs(got - expected).max() < 1e-4, text
        # a token without wordpieces (or past the 512 cut) is zeros in both
        assert ((np.abs(got).sum(1) == 0) == (np.abs(expected).sum(1) == 0)).all(), text
    truncated = runtime_vectors(runtime, [EDGE_TEXTS[7]])[0]
    assert (np.abs(truncated).sum(1) == 0).any()  # the edge case is really exercised


def test_entities_equal_pytorch(trf_ner_dir, runtime_ner_dir):
    import spacy

    from animal_verifier_train.ner.corpus import read_records
    from animal_verifier_train.ner.equivalence import compare

    records = read_records(ROOT / "assets" / "real_text" / "real_text_ner.json")[:120]
    result = compare(spacy.load(trf_ner_dir), spacy.load(runtime_ner_dir), records, "real text sample")
    assert result.differing == [] and result.passed
    assert result.f1_torch == result.f1_runtime


def test_runtime_ner_config_and_load_without_torch(runtime_ner_dir):
    config = (runtime_ner_dir / "config.cfg").read_text(encoding="utf8")
    assert "spacy-transformers" not in config and "animal_verifier.OnnxTransformer.v1" in config
    code = NO_TORCH + (
        "import spacy, animal_verifier.components\n"
        f"nlp = spacy.load({str(runtime_ner_dir)!r})\n"
        "docs = list(nlp.pipe(['I see a cat.', '', 'Two dogs and no geese.']))\n"
        "assert 'torch' not in sys.modules and 'spacy_transformers' not in sys.modules\n"
        "print(nlp.pipe_names, [len(d) for d in docs])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "['ner'] [5, 0, 6]" in done.stdout


def test_pipeline_assembles_from_the_runtime_ner(runtime_pipeline):
    """configs/pipeline.cfg sources the runtime NER; verify runs on it and a shipped photo."""
    assert json.loads((runtime_pipeline / "meta.json").read_text())["pipeline"][0] == "ner"
    cmd = [sys.executable, "-m", "animal_verifier.cli", "verify", "--model", str(runtime_pipeline), "--json"]
    cmd += ["--text", "I see a cat.", "--image", str(ROOT / "assets" / "photos" / "cow_gcompris.jpg")]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout)["predicted"]


def test_a_cnn_ner_becomes_its_own_runtime_ner(tmp_path):
    """configs/ner_cnn.cfg: no encoder to export; the NER takes its tok2vec inline and answers the same."""
    import spacy
    from spacy.training import Example

    from animal_verifier_train.ner.runtime import write_runtime_ner

    nlp = spacy.util.load_model_from_config(spacy.util.load_config(ROOT / "configs" / "ner_cnn.cfg"), auto_fill=True)
    doc = nlp.make_doc("I see a cat and two dogs.")
    nlp.initialize(lambda: [Example.from_dict(doc, {"entities": [(8, 11, "ANIMAL"), (20, 24, "ANIMAL")]})])
    nlp.to_disk(tmp_path / "cnn")
    assert write_runtime_ner(tmp_path / "cnn", tmp_path / "runtime") is None
    runtime = spacy.load(tmp_path / "runtime")
    assert runtime.pipe_names == ["ner"]
    texts = real_texts(60)
    expected = [[(e.start_char, e.end_char) for e in d.ents] for d in spacy.load(tmp_path / "cnn").pipe(texts)]
    assert [[(e.start_char, e.end_char) for e in d.ents] for d in runtime.pipe(texts)] == expected


def test_export_ner_without_a_trained_model_says_so(tmp_path):
    cmd = [sys.executable, "scripts/export_ner.py", "--model", str(tmp_path / "none"), "--output", str(tmp_path / "o")]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1 and "error: no trained model" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()
