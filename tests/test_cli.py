"""The `animal-verifier` command on real photos, including bad input and batch resume."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from animal_verifier.cli import app
from animal_verifier.ontology.imagenet import IMAGENET_OPERATING_POINTS

from .conftest import PHOTOS

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def model(full_pipeline: Path) -> str:
    return str(full_pipeline)


def test_verify_prints_the_headline_lines(model):
    result = invoke("verify", "--text", "I see a cat.", "--image", PHOTOS / "cow_gcompris.jpg", "--model", model)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == ["Extracted entities: ['cat']", "Predicted class: cow", "Matching result: False"]
    assert any(line.strip().startswith("- cat: contradicted") for line in lines[3:])
    assert "an animal the model knows" in lines[3]


def test_verify_says_not_sure_when_no_claim_is_contradicted_but_one_cant_be_told(model):
    """The giraffe has no ImageNet class: the claim is unverifiable, so the statement is not sure (not False)."""
    result = invoke("verify", "--text", "A tall giraffe!", "--image", PHOTOS / "giraffe_gcompris.jpg", "--model", model)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2] == "Matching result: not sure"
    out = json.loads(
        invoke("verify", "--json", "-t", "A tall giraffe!", "-i", PHOTOS / "giraffe_gcompris.jpg", "-m", model).output
    )
    assert out["match"] is None and out["reason"].startswith("unverifiable")


def test_verify_risk_picks_a_fitted_operating_point(model):
    cow = PHOTOS / "cow_gcompris.jpg"
    for key in IMAGENET_OPERATING_POINTS:
        result = invoke("verify", "--risk", key, "-t", "There is a cow.", "-i", cow, "-m", model)
        assert result.exit_code == 0, result.output
    result = invoke("verify", "--risk", "0.5", "-t", "There is a cow.", "-i", cow, "-m", model)
    assert result.exit_code == 1 and "no operating point fitted for risk 0.5" in result.output
    assert "Traceback" not in result.output


def test_verify_answers_a_photo_with_no_animal_and_an_odd_image(model, tmp_path):
    """A landscape and a blank image (P(animal) about 0.4 and 0.23: in the band) are answered "not sure there
    is an animal", not with a species or a traceback, and "There is a cow." is contradicted by P(cow) itself;
    every odd image: tests/test_ood.py."""
    Image.new("RGB", (400, 300), "white").save(tmp_path / "blank.png")
    for image in (PHOTOS / "grass_skimage.jpg", tmp_path / "blank.png"):
        result = invoke("verify", "--json", "--text", "There is a cow.", "--image", image, "--model", model)
        assert result.exit_code == 0, result.output
        out = json.loads(result.output)
        assert (out["predicted"], out["predicted_level"], out["match"]) == ("animal", "unsure", False), image
        assert out["ood"] != "known" and "no cow in the photo" in out["reason"]
        lines = invoke("verify", "--text", "There is a cow.", "--image", image, "--model", model).output.splitlines()
        assert lines[1:3] == ["Predicted class: not sure there is an animal", "Matching result: False"]


def test_verify_json(model):
    result = invoke(
        "verify",
        "--json",
        "--model",
        model,
        "--text",
        "I see two puppies and no cat.",
        "--image",
        PHOTOS / "dog_gcompris.jpg",
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["predicted"] == "dog" and out["match"] is True
    assert [(e["text"], e["canonical"], e["wordnet_id"], e["negated"]) for e in out["entities"]] == [
        ("puppies", "dog", "n02084071", False),
        ("cat", "cat", "n02121808", True),
    ]
    assert [c["verdict"] for c in out["claims"]] == ["supported", "supported"]


@pytest.mark.parametrize(
    "text, image, message",
    [
        ("A cat.", "missing.jpg", "cannot read the file"),
        ("A cat.", "README", "not an image"),
        ("   ", "cat_gcompris.jpg", "the text is empty"),
        ("a cat " * 20_000, "cat_gcompris.jpg", "the limit is"),
    ],
)
def test_verify_bad_input(model, tmp_path, text, image, message):
    path = PHOTOS / image
    if image == "README":
        path = tmp_path / "notes.jpg"
        path.write_text("this is not a photo")
    result = invoke("verify", "--model", model, "--text", text, "--image", path)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_verify_missing_model(tmp_path):
    result = invoke("verify", "--model", tmp_path / "nope", "--text", "a cat", "--image", PHOTOS / "cat_gcompris.jpg")
    assert result.exit_code == 1 and "not a spaCy pipeline folder" in result.output


def test_infer_ner(model):
    result = invoke("infer-ner", "--model", model, "--json", "There is no cow here.", "What a day.")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows[0]["entities"][0]["canonical"] == "cow" and rows[0]["entities"][0]["negated"] is True
    assert rows[1]["entities"] == []


def test_batch_per_line_errors_and_resume(model, tmp_path):
    shutil.copy(PHOTOS / "cat_gcompris.jpg", tmp_path / "cat.jpg")
    lines = [
        json.dumps({"text": "There is a cat in the picture.", "image": "cat.jpg"}),
        json.dumps({"text": "A dog on the sofa."}),  # no image: NER only
        '{"text": "broken json", ',
        json.dumps({"text": "", "image": "cat.jpg"}),
        json.dumps({"text": "A cow.", "image": "missing.jpg"}),
        json.dumps({"text": "No horses here.", "image": "cat.jpg"}),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines[:4]) + "\n")
    out = tmp_path / "out.jsonl"
    first = invoke("batch", src, out, "--model", model, "--batch-size", "2")
    assert first.exit_code == 0, first.output
    assert "4 lines: 2 ok, 2 errors, 0 already done" in first.output

    # a run killed mid-write leaves a torn last line; the next run cuts it and does the rest
    with open(out, "a") as f:
        f.write('{"line": 5, "text": "A co')
    src.write_text("\n".join(lines) + "\n")
    second = invoke("batch", src, out, "--model", model)
    assert second.exit_code == 0, second.output
    assert "6 lines: 1 ok, 1 errors, 4 already done" in second.output

    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[0]["match"] is True and rows[0]["predicted"] == "cat"
    assert rows[1]["predicted"] is None and rows[1]["entities"][0]["canonical"] == "dog" and rows[1]["match"] is None
    assert "not valid JSON" in rows[2]["error"]
    assert "empty" in rows[3]["error"]
    assert "missing.jpg" in rows[4]["error"]
    assert rows[5]["match"] is True and rows[5]["claims"][0]["negated"] is True


def test_batch_risk_is_one_setting_for_the_run(model, tmp_path, monkeypatch):
    """`batch --risk` answers at that operating point, `"match": null` for not sure; an unfitted risk is one
    clear line; the setting does not outlive the command."""
    from animal_verifier.pipeline import ENV_RISK

    monkeypatch.delenv(ENV_RISK, raising=False)
    shutil.copy(PHOTOS / "giraffe_gcompris.jpg", tmp_path / "giraffe.jpg")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "A tall giraffe!", "image": "giraffe.jpg"}) + "\n")
    done = invoke("batch", src, tmp_path / "out.jsonl", "--model", model, "--risk", "0.05")
    assert done.exit_code == 0, done.output
    (row,) = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert row["match"] is None and row["reason"].startswith("unverifiable")
    bad = invoke("batch", src, tmp_path / "other.jsonl", "--model", model, "--risk", "0.5")
    assert bad.exit_code == 1 and "no operating point fitted for risk 0.5" in bad.output
    assert "Traceback" not in bad.output and ENV_RISK not in os.environ


def test_serve_and_parallel_batch_refuse_an_unfitted_risk_before_starting_workers(model, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "A cat."}) + "\n")
    for args in (
        ("serve", "--model", model),
        ("batch", src, tmp_path / "out.jsonl", "--model", model, "--workers", "2"),
    ):
        result = invoke(*args, "--risk", "0.5")
        assert result.exit_code == 1 and "no operating point fitted for risk 0.5" in result.output, result.output
        assert "Traceback" not in result.output
