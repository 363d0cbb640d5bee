"""A real cluster's faults: two Ray nodes on this machine, both on 127.0.0.1; the second is killed mid-run.

`ray start` runs as a real process per node (its own CPUs, its own raylet), the command joins with
``--address``, and the second node is killed with SIGKILL while the actors work. The rerun's records must
equal one `batch` process's. Slow (two Ray nodes, several model loads): ``pytest -m slow``; run it under the
heavy lock, with ``ANIMAL_VERIFIER_CLUSTER_TEST=1`` (not part of the suite). Not yet seen passing: on
2026-12-04 the helper that waits for both nodes could not join the head within 180 s (docs/scale.md).
Only the processes this test started are stopped, by their process groups (``ray stop`` would
end every Ray on the machine).

Ray on Linux replaces ``--node-ip-address 127.0.0.1`` with the machine's network address
(``resolve_ip_for_localhost``); the nodes here start through a wrapper that keeps the address as given, so
nothing listens on or talks over a network interface.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

import pytest

from .conftest import PHOTOS, ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("ANIMAL_VERIFIER_CLUSTER_TEST") != "1",
        reason="starts a two-node Ray cluster: ANIMAL_VERIFIER_CLUSTER_TEST=1, under the heavy lock (docs/scale.md)",
    ),
]

RAY_START = (
    "import sys, ray._private.services as s; s.resolve_ip_for_localhost = lambda host: host; "
    "from ray.scripts.scripts import main; sys.argv[0] = 'ray'; main()"
)
TEXTS = ("I see a cat.", "There is a cow in the picture.", "The dog isn't there.", "zero birds")
IMAGES = ("cow_gcompris.jpg", "cat_skimage.jpg", "dog_gcompris.jpg", "robin_opencv.jpg")
N_LINES = 240


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


TOKEN = secrets.token_hex(32)  # Ray's token authentication: the nodes and the driver share one


# `ray start --head` records its address in RAY_TMPDIR/ray_current_cluster, and every later `ray.init()` on
# the machine joins the cluster named there: this cluster's files stay in a folder of its own, removed after
@cache
def ray_tmpdir() -> str:
    return tempfile.mkdtemp(prefix="avray-")  # short: Ray's socket paths must fit in 107 bytes


def env() -> dict:
    """This test's environment for Ray: without the local Ray's switch that turns clusters off (the session's
    ``local_ray`` sets it in this process)."""
    base = {k: v for k, v in os.environ.items() if k != "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"}
    return {**base, "PYTHONPATH": str(ROOT), "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token",
            "RAY_AUTH_TOKEN": TOKEN, "RAY_TMPDIR": ray_tmpdir()}  # fmt: skip


def start_node(*args: str, log: Path) -> subprocess.Popen:
    """`ray start ... --block` in a process group of its own, so the node's raylet and workers go with it."""
    cmd = [sys.executable, "-c", RAY_START, "start", "--block", "--node-ip-address", "127.0.0.1", *args]
    with open(log, "w") as out:
        return subprocess.Popen(cmd, env=env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)


def wait_for_nodes(address: str, count: int, timeout: float = 120) -> None:
    script = (
        "import json, ray, time, sys\n"
        f"ray.init(address='{address}', logging_level='ERROR')\n"
        f"deadline = time.time() + {timeout}\n"
        f"while len([n for n in ray.nodes() if n['Alive']]) < {count} and time.time() < deadline: time.sleep(1)\n"
        "alive = [n for n in ray.nodes() if n['Alive']]\n"
        "print(json.dumps(sorted(n['NodeManagerAddress'] for n in alive)))\n"
        f"sys.exit(0 if len(alive) >= {count} else 1)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env(), capture_output=True, text=True, timeout=timeout + 60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert set(json.loads(done.stdout.strip().splitlines()[-1])) == {"127.0.0.1"}, done.stdout


def batch_cmd(model: str, src: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "animal_verifier.cli", "batch", str(src), str(out), "--model", model,
            "--batch-size", "4", *extra]  # fmt: skip


def test_a_node_killed_mid_run_then_rerun_gives_batchs_records(full_pipeline, tmp_path):
    src = tmp_path / "pairs.jsonl"
    lines = [json.dumps({"text": TEXTS[i % 4], "image": str(PHOTOS / IMAGES[(i * 3) % 4])}) for i in range(N_LINES)]
    src.write_text("\n".join(lines) + "\n")
    one = subprocess.run(batch_cmd(str(full_pipeline), src, tmp_path / "one.jsonl"), env=env(), cwd=ROOT,
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    assert one.returncode == 0, one.stderr
    expected = [json.loads(line) for line in (tmp_path / "one.jsonl").read_text().splitlines()]

    port = free_port()
    address = f"127.0.0.1:{port}"
    head = start_node("--head", "--port", str(port), "--num-cpus", "2", "--include-dashboard", "false",
                      log=tmp_path / "head.log")  # fmt: skip
    nodes = [head]
    try:
        second = start_node("--address", address, "--num-cpus", "2", log=tmp_path / "second.log")
        nodes.append(second)
        wait_for_nodes(address, 2)
        out = tmp_path / "ray-out"
        cmd = batch_cmd(str(full_pipeline), src, out, "--engine", "ray", "--workers", "2", "--address", address)
        run = subprocess.Popen(cmd, env=env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300
        while run.poll() is None and not list(out.glob("batch-*")) and time.monotonic() < deadline:
            time.sleep(0.2)
        stop(second)  # the second node dies mid-run, its raylet and actors with it
        try:
            stdout, stderr = run.communicate(timeout=300)
            first = (run.returncode, stdout + stderr)
        except subprocess.TimeoutExpired:
            run.kill()
            first = (None, run.communicate()[1])
        third = start_node("--address", address, "--num-cpus", "2", log=tmp_path / "third.log")
        nodes.append(third)
        wait_for_nodes(address, 2)
        again = subprocess.run(cmd, env=env(), cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert again.returncode == 0, (first, again.stdout + again.stderr)
        from animal_verifier.batch.ray_engine import read_records

        assert sorted(read_records(out), key=lambda r: r["line"]) == expected
        print(f"first run: {first[0]}; rerun: {again.stdout.strip()}")
    finally:
        for node in nodes:
            stop(node)
        shutil.rmtree(ray_tmpdir(), ignore_errors=True)
