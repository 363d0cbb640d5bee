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

The suite runs on both cores (``run_tests.sh``: pytest-xdist, ``--dist loadgroup``; pytest < 9.2, see
``tests/test_suite_groups.py``). Each xdist worker would
repeat every session fixture, so the built ones are made once per run (``built_once``: the first worker
that needs one builds it under a file lock, the others wait and reuse it); each test module is one group
(its module fixtures are built once), and the tests that use Ray are one group, so one worker starts Ray.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT / "assets" / "photos"
PIPELINE_CONFIG = ROOT / "configs" / "pipeline.cfg"


@pytest.hookimpl(tryfirst=True)  # before xdist turns the groups into node-id suffixes
def pytest_collection_modifyitems(config, items) -> None:
    """xdist groups for ``--dist loadgroup``: the tests that use Ray are one group (one worker starts it),
    every other test is in its module's group (module fixtures built once). Groups that hold slow tests
    (or Ray) go first, so that the two workers finish together instead of one waiting on a late long one
    (``run_tests.sh`` passes ``--no-loadscope-reorder``: xdist would otherwise order groups by their number
    of tests, and the few long ones would start last)."""
    slow_modules = {item.module.__name__ for item in items if item.get_closest_marker("slow")}
    for item in items:
        item.add_marker(pytest.mark.xdist_group("ray" if "local_ray" in item.fixturenames else item.module.__name__))
    items.sort(key=lambda item: not ("local_ray" in item.fixturenames or item.module.__name__ in slow_modules))


def built_once(tmp_path_factory, name: str, build: Callable[[Path], Path]) -> Path:
    """``build(folder)`` run once for the whole test run, its result shared by every xdist worker: the
    first to need it builds it under a file lock while the others wait; a build that failed half-way is
    cleared (the folder is this function's own) and made again."""
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "built_once"
    root.mkdir(exist_ok=True)
    folder, done = root / name, root / f"{name}.done"
    with FileLock(str(root / f"{name}.lock")):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            done.write_text(str(build(folder).relative_to(folder)), encoding="utf8")
    return folder / done.read_text(encoding="utf8")


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

    def build(out: Path) -> Path:
        export_onnx(build_model(), imagenet_label_map(), out)  # checks ONNX against torch on random pixels
        return out

    return built_once(tmp_path_factory, "imagenet", build)


@pytest.fixture(scope="session")
def rules_ner_dir(tmp_path_factory) -> Path:
    from animal_verifier.ontology.lexicon import load_lexicon
    from animal_verifier_train.ner.rules import lexicon_ner

    def build(out: Path) -> Path:
        lexicon_ner(load_lexicon()).to_disk(out / "model")
        return out / "model"

    return built_once(tmp_path_factory, "rules_ner", build)


@pytest.fixture(scope="session")
def full_pipeline(tmp_path_factory, rules_ner_dir, imagenet_dir) -> Path:
    return built_once(tmp_path_factory, "pipeline", lambda out: assemble(out / "pipeline", rules_ner_dir, imagenet_dir))


@pytest.fixture(scope="session")
def trf_ner_dir(tmp_path_factory) -> Path:
    """configs/ner_trf.cfg initialised, not trained (the shipped encoder, the NER head at its seed-0 start):
    what the runtime NER's export is checked on without training in the suite."""
    import spacy
    from spacy.training import Example

    from animal_verifier.offline import use_offline_hub
    from animal_verifier_train.ner.training import encoder_path

    def build(out: Path) -> Path:
        use_offline_hub()
        overrides = {"paths.encoder": str(encoder_path())}
        config = spacy.util.load_config(ROOT / "configs" / "ner_trf.cfg", overrides=overrides)
        nlp = spacy.util.load_model_from_config(config, auto_fill=True)
        doc = nlp.make_doc("I see a cat and two dogs.")
        example = Example.from_dict(doc, {"entities": [(8, 11, "ANIMAL"), (20, 24, "ANIMAL")]})
        spacy.util.fix_random_seed(0)  # the same head whichever tests ran before in this worker
        nlp.initialize(lambda: [example])
        nlp.to_disk(out / "model")
        return out / "model"

    return built_once(tmp_path_factory, "trf_ner", build)


@pytest.fixture(scope="session")
def runtime_ner_dir(trf_ner_dir, tmp_path_factory) -> Path:
    """``trf_ner_dir`` as the runtime NER (encoder on ONNX Runtime), as `export-ner` writes it."""
    from animal_verifier_train.ner.runtime import write_runtime_ner

    def build(out: Path) -> Path:
        check = write_runtime_ner(trf_ner_dir, out / "model")
        assert check is not None and check.max_diff_padded < 1e-3 and check.max_diff_alone < 1e-3
        return out / "model"

    return built_once(tmp_path_factory, "runtime_ner", build)


@pytest.fixture(scope="session")
def runtime_pipeline(tmp_path_factory, runtime_ner_dir, imagenet_dir) -> Path:
    """The product pipeline on the runtime NER: nothing in it needs torch."""
    return built_once(
        tmp_path_factory, "runtime_pipeline", lambda out: assemble(out / "pipeline", runtime_ner_dir, imagenet_dir)
    )


@pytest.fixture(scope="session")
def generated_corpus(tmp_path_factory) -> Path:
    """A small generated corpus (train/val/test JSON and DocBins), held-out names and templates in test."""
    import spacy

    from animal_verifier.ontology.lexicon import load_lexicon
    from animal_verifier_train.datagen import FILE_NAMES, DatagenConfig, generate_corpus, write_corpus
    from animal_verifier_train.ner.corpus import convert, read_records
    from animal_verifier_train.ner.real_text import held_out_texts

    def build(out: Path) -> Path:
        config = DatagenConfig(seed=1, n_train=3000, n_val=200, n_test=300, exclude_texts=held_out_texts())
        write_corpus(generate_corpus(config, load_lexicon()), out)
        nlp = spacy.blank("en")
        for split, name in (("train", "train"), ("val", "dev"), ("test", "test")):
            convert(nlp, read_records(out / FILE_NAMES[split])).docbin.to_disk(out / f"{name}.spacy")
        return out

    return built_once(tmp_path_factory, "corpus", build)


@pytest.fixture(scope="session")
def trained_ner_dir(tmp_path_factory, generated_corpus) -> Path:
    from animal_verifier_train.ner.training import Knobs, train

    def build(out: Path) -> Path:
        corpus = generated_corpus
        return train(
            ROOT / "configs" / "ner_cnn.cfg",
            out / "model",
            corpus / "train.spacy",
            corpus / "dev.spacy",
            Knobs(epochs=8),
        )

    return built_once(tmp_path_factory, "trained_ner", build)


@pytest.fixture(scope="session")
def tiny_animals10(tmp_path_factory) -> Path:
    """Animals-10 layout made from the shipped photos: 3 classes x 6 images (originals, mirrors, crops)."""
    from PIL import ImageOps

    from animal_verifier.vision.image_io import load_image

    def build(root: Path) -> Path:
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

    return built_once(tmp_path_factory, "animals10", build)


@pytest.fixture(scope="session")
def local_ray():
    """One local Ray for every test that needs it (starting one takes seconds); 2 CPUs as on this machine,
    on 127.0.0.1 only, as the command's own local Ray."""
    import ray

    from animal_verifier.batch.ray_engine import local_ray_options

    ray.init(**local_ray_options(num_cpus=2))
    yield ray
    ray.shutdown()
