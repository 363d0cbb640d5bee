"""Faults in the long job: `animal-verifier batch` killed, refused a folder, or out of disk space.

The command runs as a real process (on the rules-NER ``full_pipeline``), so a SIGKILL lands wherever the
process happens to be: between batches, inside the model, or halfway through writing a line.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import PHOTOS, ROOT

TEXTS = ("I see a cat.", "There is a cow in the picture.", "The dog isn't there.", "zero birds", "A CAT? no.")
IMAGES = ("cow_gcompris.jpg", "cat_skimage.jpg", "dog_gcompris.jpg", "robin_opencv.jpg", "clock_skimage.jpg")
N_LINES = 120


def write_input(path: Path) -> Path:
    lines = []
    for i in range(N_LINES):
        record = {"text": TEXTS[i % len(TEXTS)], "image": str(PHOTOS / IMAGES[(i * 3) % len(IMAGES)])}
        lines.append(json.dumps(record))
    lines[7] = "{not json"  # a bad line gets an error of its own, also after a resume
    lines[20] = json.dumps({"text": "A cat.", "image": "missing.jpg"})
    path.write_text("\n".join(lines) + "\n")
    return path


def batch_cmd(model: Path, src: Path, out: Path, batch_size: int = 3) -> list[str]:
    return [sys.executable, "-m", "animal_verifier.cli", "batch", str(src), str(out), "--model", str(model),
            "--batch-size", str(batch_size)]  # fmt: skip


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600, **kwargs)


def count_lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


@pytest.fixture(scope="module")
def uninterrupted(full_pipeline, tmp_path_factory) -> tuple[Path, bytes]:
    """The input and the output of one run that nothing stops."""
    folder = tmp_path_factory.mktemp("batch_clean")
    src = write_input(folder / "pairs.jsonl")
    done = run(batch_cmd(full_pipeline, src, folder / "out.jsonl"))
    assert done.returncode == 0, done.stderr
    data = (folder / "out.jsonl").read_bytes()
    assert data.count(b"\n") == N_LINES
    return src, data


def test_killed_at_random_points_then_rerun_gives_the_same_file(full_pipeline, uninterrupted, tmp_path):
    src, expected = uninterrupted
    out = tmp_path / "out.jsonl"
    rng = random.Random(11)  # the same kill points on every run of the suite
    kills = 0
    for _ in range(4):
        before = count_lines(out)
        if before >= N_LINES:
            break
        target = rng.randint(before + 1, N_LINES - 1)  # kill once this many lines are written, plus a bit
        extra_s = rng.uniform(0.0, 0.05)  # lands between batches, in the model, or mid-write
        proc = subprocess.Popen(batch_cmd(full_pipeline, src, out), cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 300
        while proc.poll() is None and count_lines(out) < target and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(extra_s)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(30)
    assert kills >= 2, "the runs finished before they could be killed; the test proves nothing"
    done = run(batch_cmd(full_pipeline, src, out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == expected


def drop_file_permission_override() -> list[str]:
    """A command prefix under which root obeys file permissions as anyone else does (setpriv)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a folder's permissions can't stop root")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"]


def test_unwritable_output_folder_is_a_clear_error(full_pipeline, uninterrupted, tmp_path):
    src, _ = uninterrupted
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        done = run(drop_file_permission_override() + batch_cmd(full_pipeline, src, folder / "out.jsonl"))
    finally:
        folder.chmod(0o755)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "error:" in done.stderr and str(folder / "out.jsonl") in done.stderr, done.stderr
    assert "ermission denied" in done.stderr


def test_output_under_a_file_is_a_clear_error(full_pipeline, uninterrupted, tmp_path):
    src, _ = uninterrupted
    (tmp_path / "a_file").write_text("x")
    done = run(batch_cmd(full_pipeline, src, tmp_path / "a_file" / "out.jsonl"))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "error:" in done.stderr and "a_file" in done.stderr, done.stderr


def test_full_disk_is_a_clear_error_and_keeps_what_was_written(full_pipeline, uninterrupted, tmp_path):
    """RLIMIT_FSIZE stands in for a full disk: writes past the limit fail with EFBIG, as ENOSPC would."""
    src, expected = uninterrupted
    out = tmp_path / "out.jsonl"
    limit = len(expected) // 3  # room for about a third of the answers

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = run(batch_cmd(full_pipeline, src, out), preexec_fn=small_disk)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "error:" in done.stderr and str(out) in done.stderr, done.stderr
    written = out.read_bytes()
    assert 0 < len(written) <= limit
    kept = written[: written.rfind(b"\n") + 1]
    assert kept and expected.startswith(kept)  # every complete line is a line of the clean run
    # with room again, a rerun finishes the job: nothing written before is lost or repeated
    again = run(batch_cmd(full_pipeline, src, out))
    assert again.returncode == 0, again.stderr
    assert out.read_bytes() == expected
