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


@pytest.mark.parametrize("module", INFERENCE)
def test_importing_the_inference_side_stays_inference(module):
    script = f"""
import json, os, sys
before = dict(os.environ)
import {module}
changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set({list(FORBIDDEN)!r}))
print(json.dumps({{"changed": changed, "loaded": loaded}}))
"""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home())}  # no HF_* variables set beforehand
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out == {"changed": [], "loaded": []}, f"importing {module}: {out}"


def test_the_training_side_imports_the_library_never_the_reverse():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "animal_verifier").rglob("*.py")
        if "animal_verifier_train" in p.read_text(encoding="utf8")
    ]
    assert offenders == []
