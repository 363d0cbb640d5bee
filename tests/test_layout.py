"""The inference library stands apart from the training side (the way open_clip stands apart from
open_clip_train): importing it pulls in no training code, no nltk, no matplotlib, and leaves the host
process's environment as it was."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INFERENCE = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for p in (ROOT / "animal_verifier").rglob("*.py")
)
FORBIDDEN = ("animal_verifier_train", "nltk", "matplotlib", "torchvision")


# Each module is imported in a fresh child forked from one server process, which imported the heavy
# third-party libraries once beforehand (starting a new interpreter per module, as before, took 90 s of the
# suite). The environment is recorded before those imports, so what they change still counts.
IMPORT_SERVER = f"""
import json, os, sys
before = dict(os.environ)
for heavy in ("numpy", "PIL.Image", "onnxruntime", "spacy", "typer", "pydantic"):
    __import__(heavy)
preloaded = sorted({{m.split(".")[0] for m in sys.modules}} & set({list(FORBIDDEN)!r}))
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:  # the child always leaves by os._exit: a normal exit would wait on the parent's threads
        try:
            __import__(line.strip())
            changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))
            loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set({list(FORBIDDEN)!r}))
            print(json.dumps({{"changed": changed, "loaded": loaded, "preloaded": preloaded}}), flush=True)
        except BaseException as err:
            print(json.dumps({{"failed": repr(err)}}), flush=True)
        os._exit(0)
    if os.waitpid(pid, 0)[1] != 0:  # killed before it could answer
        print(json.dumps({{"failed": "the child died"}}), flush=True)
"""


@pytest.fixture(scope="module")
def import_in_fresh_process():
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home())}  # no HF_* variables set beforehand
    server = subprocess.Popen(
        [sys.executable, "-c", IMPORT_SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )

    def run(module: str) -> dict:
        server.stdin.write(module + "\n")
        server.stdin.flush()
        return json.loads(server.stdout.readline())

    yield run
    server.stdin.close()
    server.wait(timeout=60)


@pytest.mark.parametrize("module", INFERENCE)
def test_importing_the_inference_side_stays_inference(module, import_in_fresh_process):
    out = import_in_fresh_process(module)
    assert out == {"changed": [], "loaded": [], "preloaded": []}, f"importing {module}: {out}"


def test_the_training_side_imports_the_library_never_the_reverse():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "animal_verifier").rglob("*.py")
        if "animal_verifier_train" in p.read_text(encoding="utf8")
    ]
    assert offenders == []
