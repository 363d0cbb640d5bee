"""Which pipeline `load()` picks: never one that happens to lie under the current directory."""

from __future__ import annotations

import pytest

from animal_verifier import pipeline
from animal_verifier.pipeline import ModelNotFound, resolve_model


def test_default_ignores_the_current_directory(tmp_path, monkeypatch):
    decoy = tmp_path / "training" / "pipeline"
    decoy.mkdir(parents=True)
    (decoy / "config.cfg").write_text("[nlp]\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pipeline, "CHECKOUT_PIPELINE", tmp_path / "elsewhere")
    monkeypatch.setattr(pipeline.spacy.util, "is_package", lambda name: False)
    with pytest.raises(ModelNotFound, match="run_all.sh"):
        resolve_model()


def test_default_is_the_checkout_pipeline_then_the_package(tmp_path, monkeypatch):
    built = tmp_path / "checkout" / "training" / "pipeline"
    built.mkdir(parents=True)
    (built / "config.cfg").write_text("[nlp]\n")
    monkeypatch.setattr(pipeline, "CHECKOUT_PIPELINE", built)
    assert resolve_model() == str(built)
    monkeypatch.setattr(pipeline, "CHECKOUT_PIPELINE", tmp_path / "none")
    monkeypatch.setattr(pipeline.spacy.util, "is_package", lambda name: name == "en_animal_verifier")
    assert resolve_model() == "en_animal_verifier"
    monkeypatch.setattr(pipeline, "CHECKOUT_PIPELINE", None)  # an installed copy: no checkout to look in
    assert resolve_model() == "en_animal_verifier"


@pytest.mark.parametrize("given", ["no/such/folder", "./nothing", "not_an_installed_package"])
def test_a_named_model_that_is_not_there_says_so(given):
    with pytest.raises(ModelNotFound, match=given.strip("./")):
        resolve_model(given)
