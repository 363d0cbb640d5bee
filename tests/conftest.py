"""Shared, session-scoped models built from what ships in the repo (nothing trained is committed).

``imagenet_dir``: the ImageNet EfficientNet-Lite0 exported to ONNX (model.onnx + labels.json).
``ner_dir``: a CNN NER trained for a few epochs on a small generated corpus: good enough to find
everyday animals, fast enough for CI. ``full_pipeline``: both assembled with the linker and claim
verifier, written to disk like the product pipeline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT / "assets" / "photos"


@pytest.fixture(scope="session")
def imagenet_dir(tmp_path_factory) -> Path:
    from animal_verifier_train.vision.backbone import build_model
    from animal_verifier_train.vision.export import export_onnx, imagenet_label_map

    out = tmp_path_factory.mktemp("imagenet")
    export_onnx(build_model(), imagenet_label_map(), out)  # checks ONNX against torch on random pixels
    return out


@pytest.fixture(scope="session")
def ner_dir(tmp_path_factory) -> Path:
    import spacy

    from animal_verifier.ontology.lexicon import load_lexicon
    from animal_verifier_train.datagen import FILE_NAMES, DatagenConfig, generate_corpus, write_corpus
    from animal_verifier_train.ner.corpus import convert, read_records
    from animal_verifier_train.ner.real_text import held_out_texts
    from animal_verifier_train.ner.training import Knobs, train

    out = tmp_path_factory.mktemp("ner")
    # nothing held out: this model is for testing the product, not for measuring generalisation
    config = DatagenConfig(
        seed=1,
        n_train=3000,
        n_val=200,
        n_test=50,
        heldout_names=0.0,
        heldout_templates=0.0,
        exclude_texts=held_out_texts(),
    )
    write_corpus(generate_corpus(config, load_lexicon()), out)
    nlp = spacy.blank("en")
    for split, name in (("train", "train"), ("val", "dev")):
        convert(nlp, read_records(out / FILE_NAMES[split])).docbin.to_disk(out / f"{name}.spacy")
    return train(
        ROOT / "configs" / "ner_cnn.cfg", out / "model", out / "train.spacy", out / "dev.spacy", Knobs(epochs=8)
    )


@pytest.fixture(scope="session")
def full_pipeline(tmp_path_factory, ner_dir, imagenet_dir) -> Path:
    from animal_verifier.pipeline import assemble

    out = tmp_path_factory.mktemp("pipeline")
    assemble(ner_dir, imagenet_dir, meta={"name": "animal_verifier_test", "version": "0.0.0"}).to_disk(out)
    return out
