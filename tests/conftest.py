"""Shared, session-scoped models built from what ships in the repo (nothing trained is committed).

``imagenet_dir``: the ImageNet EfficientNet-Lite0 exported to ONNX (model.onnx + labels.json).
``rules_ner_dir``: a deterministic NER (a span ruler over the lexicon, in the ``ner`` slot), so tests of
pipeline logic (linking, negation, claims, CLI, server, batch) read the same mentions on every machine.
``full_pipeline``: it and the image model assembled with `spacy assemble configs/pipeline.cfg`, as the
workflow does. ``trf_ner_dir``: configs/ner_trf.cfg initialised, not trained; ``runtime_ner_dir``: it as the
runtime NER (encoder on ONNX Runtime); ``runtime_pipeline``: that assembled with the image model.
``trained_ner_dir``: a CNN NER trained briefly on generated data, for the tests of what a
trained model must do (train, save, reload, score above a floor); never for exact outputs.
``local_ray``: one local Ray with 2 CPUs, shared by the tests of ``batch --engine ray``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT / "assets" / "photos"
PIPELINE_CONFIG = ROOT / "configs" / "pipeline.cfg"


def assemble(output: Path, ner: Path, image_model: Path, *extra: str) -> Path:
    """The workflow's `assemble` step: `spacy assemble configs/pipeline.cfg` with the two paths."""
    cmd = [sys.executable, "-m", "spacy", "assemble", str(PIPELINE_CONFIG), str(output)]
    cmd += ["--paths.ner", str(ner), "--paths.image_model", str(image_model), *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    return output


def copy_step_deps(
    project_dir: Path, command: str, given: dict[str, Path] | None = None, overrides: dict[str, str] | None = None
) -> dict:
    """Put project.yml and the declared deps of one workflow step into ``project_dir``, so the step runs
    there only if project.yml lists what it needs. ``given`` stands in for deps the tests build
    (a pipeline, a model); deps already in ``project_dir`` (made by an earlier step) and absolute paths
    are left as they are. Returns the step with the variables (and ``overrides``) filled in."""
    import srsly
    from weasel.util import substitute_project_variables

    shutil.copy(ROOT / "project.yml", project_dir / "project.yml")
    config = srsly.read_yaml(ROOT / "project.yml")
    config["vars"].update(overrides or {})
    step = next(c for c in substitute_project_variables(config)["commands"] if c["name"] == command)
    for dep in step["deps"]:
        target = project_dir / dep
        if Path(dep).is_absolute() or target.exists():
            continue
        source = (given or {}).get(dep, ROOT / dep)
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copyfile(source, target)  # a dep that exists nowhere fails here
    return step


@pytest.fixture(scope="session")
def imagenet_dir(tmp_path_factory) -> Path:
    from animal_verifier_train.vision.backbone import build_model
    from animal_verifier_train.vision.export import export_onnx, imagenet_label_map

    out = tmp_path_factory.mktemp("imagenet")
    export_onnx(build_model(), imagenet_label_map(), out)  # checks ONNX against torch on random pixels
    return out


@pytest.fixture(scope="session")
def rules_ner_dir(tmp_path_factory) -> Path:
    from animal_verifier.ontology.lexicon import load_lexicon
    from animal_verifier_train.ner.rules import lexicon_ner

    out = tmp_path_factory.mktemp("rules_ner") / "model"
    lexicon_ner(load_lexicon()).to_disk(out)
    return out


@pytest.fixture(scope="session")
def full_pipeline(tmp_path_factory, rules_ner_dir, imagenet_dir) -> Path:
    return assemble(tmp_path_factory.mktemp("pipeline") / "pipeline", rules_ner_dir, imagenet_dir)


@pytest.fixture(scope="session")
def trf_ner_dir(tmp_path_factory) -> Path:
    """configs/ner_trf.cfg initialised, not trained (the shipped encoder, the NER head at its seed-0 start):
    what the runtime NER's export is checked on without training in the suite."""
    import spacy
    from spacy.training import Example

    from animal_verifier.offline import use_offline_hub
    from animal_verifier_train.ner.training import encoder_path

    use_offline_hub()
    config = spacy.util.load_config(ROOT / "configs" / "ner_trf.cfg", overrides={"paths.encoder": str(encoder_path())})
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    doc = nlp.make_doc("I see a cat and two dogs.")
    example = Example.from_dict(doc, {"entities": [(8, 11, "ANIMAL"), (20, 24, "ANIMAL")]})
    nlp.initialize(lambda: [example])
    out = tmp_path_factory.mktemp("trf_ner") / "model"
    nlp.to_disk(out)
    return out


@pytest.fixture(scope="session")
def runtime_ner_dir(trf_ner_dir, tmp_path_factory) -> Path:
    """``trf_ner_dir`` as the runtime NER (encoder on ONNX Runtime), as `export-ner` writes it."""
    from animal_verifier_train.ner.runtime import write_runtime_ner

    out = tmp_path_factory.mktemp("runtime_ner") / "model"
    check = write_runtime_ner(trf_ner_dir, out)
    assert check is not None and check.max_diff_padded < 1e-3 and check.max_diff_alone < 1e-3
    return out


@pytest.fixture(scope="session")
def runtime_pipeline(tmp_path_factory, runtime_ner_dir, imagenet_dir) -> Path:
    """The product pipeline on the runtime NER: nothing in it needs torch."""
    return assemble(tmp_path_factory.mktemp("runtime_pipeline") / "pipeline", runtime_ner_dir, imagenet_dir)


@pytest.fixture(scope="session")
def generated_corpus(tmp_path_factory) -> Path:
    """A small generated corpus (train/val/test JSON and DocBins), held-out names and templates in test."""
    import spacy

    from animal_verifier.ontology.lexicon import load_lexicon
    from animal_verifier_train.datagen import FILE_NAMES, DatagenConfig, generate_corpus, write_corpus
    from animal_verifier_train.ner.corpus import convert, read_records
    from animal_verifier_train.ner.real_text import held_out_texts

    out = tmp_path_factory.mktemp("corpus")
    config = DatagenConfig(seed=1, n_train=3000, n_val=200, n_test=300, exclude_texts=held_out_texts())
    write_corpus(generate_corpus(config, load_lexicon()), out)
    nlp = spacy.blank("en")
    for split, name in (("train", "train"), ("val", "dev"), ("test", "test")):
        convert(nlp, read_records(out / FILE_NAMES[split])).docbin.to_disk(out / f"{name}.spacy")
    return out


@pytest.fixture(scope="session")
def trained_ner_dir(tmp_path_factory, generated_corpus) -> Path:
    from animal_verifier_train.ner.training import Knobs, train

    out = tmp_path_factory.mktemp("ner")
    return train(
        ROOT / "configs" / "ner_cnn.cfg",
        out / "model",
        generated_corpus / "train.spacy",
        generated_corpus / "dev.spacy",
        Knobs(epochs=8),
    )


@pytest.fixture(scope="session")
def tiny_animals10(tmp_path_factory) -> Path:
    """Animals-10 layout made from the shipped photos: 3 classes x 6 images (originals, mirrors, crops)."""
    from PIL import ImageOps

    from animal_verifier.vision.image_io import load_image

    root = tmp_path_factory.mktemp("animals10")
    sources = {
        "gatto": ["cat_gcompris.jpg", "cat_skimage.jpg"],
        "cane": ["dog_gcompris.jpg", "dog_opencv.jpg"],
        "farfalla": ["butterfly_opencv.jpg", "butterfly_opencv2.jpg"],
    }
    for folder, files in sources.items():
        (root / "raw-img" / folder).mkdir(parents=True)
        for name in files:
            image = load_image(PHOTOS / name)
            crop = image.crop((0, 0, int(image.width * 0.8), int(image.height * 0.8)))
            for k, view in enumerate((image, ImageOps.mirror(image), crop)):
                view.save(root / "raw-img" / folder / f"{Path(name).stem}_{k}.jpg", quality=90)
    return root


@pytest.fixture(scope="session")
def local_ray():
    """One local Ray for every test that needs it (starting one takes seconds); 2 CPUs as on this machine,
    on 127.0.0.1 only, as the command's own local Ray."""
    import ray

    from animal_verifier.batch.ray_engine import local_ray_options

    ray.init(**local_ray_options(num_cpus=2))
    yield ray
    ray.shutdown()
