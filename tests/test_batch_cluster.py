"""A real cluster's faults: two Ray nodes on this machine, both on 127.0.0.1; the second is killed mid-run.

`ray start` runs as a real process per node (its own CPUs, its own raylet), the command joins with
``--address`` (through ``ray_engine.connect``, as the CLI does), and the second node is killed with SIGKILL
while its actor verifies a block (one actor fits per node). A third node joins and the command is run again;
its records must equal one `batch` process's, and every socket the test's processes hold (sampled through the
runs) is on the loopback address. Slow (two Ray nodes, several model loads, about 2 minutes on 2 vCPU):
``pytest -m slow``, under the heavy lock, with ``ANIMAL_VERIFIER_CLUSTER_TEST=1`` (not part of the suite).
Results in docs/scale.md. Only the processes this test started are stopped, by their sessions (Ray's
workers take process groups of their own; ``ray stop`` would end every Ray on the machine).

Ray on Linux replaces ``--node-ip-address 127.0.0.1`` with the machine's network address
(``resolve_ip_for_localhost``); the nodes here start through a wrapper that keeps the address as given, and
the command keeps a loopback ``--address`` as given (``ray_engine.loopback_kept``), so nothing listens on or
talks over a network interface.
"""

from __future__ import annotations

import ipaddress
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
N_LINES = 2400  # enough that the kill lands while both actors still have blocks to verify


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
    """`ray start ... --block` in a session of its own: the node's GCS, raylet and workers are its processes."""
    cmd = [sys.executable, "-c", RAY_START, "start", "--block", "--node-ip-address", "127.0.0.1", *args]
    return start(cmd, log)


def start(cmd: list[str], log: Path) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen(cmd, env=env(), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def session(leader: int) -> list:
    """The live processes of the session ``leader`` began. Ray's workers take process groups of their own, so
    a node's process group alone would miss them; they stay in the session."""
    import ray  # noqa: F401  (Ray ships its own psutil and puts it on the path)

    # isort: split
    import psutil

    found = []
    for proc in psutil.process_iter():
        try:
            if os.getsid(proc.pid) == leader and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (OSError, psutil.Error):
            pass
    return found


def stop(proc: subprocess.Popen) -> None:
    """SIGKILL every process of ``proc``'s session: only what this test started, never `ray stop`."""
    import psutil

    for _ in range(10):
        if not (alive := session(proc.pid)):
            break
        for member in alive:
            try:
                member.send_signal(signal.SIGKILL)
            except psutil.Error:
                pass
        psutil.wait_procs(alive, timeout=5)
    proc.wait(30)


def is_loopback(ip: str) -> bool:
    address = ipaddress.ip_address(ip.split("%")[0])
    return (getattr(address, "ipv4_mapped", None) or address).is_loopback


def sockets(procs: list[subprocess.Popen]) -> set[tuple[str, str, str, str]]:
    """(process, local address, remote address, state) of every internet socket the sessions of ``procs`` hold."""
    import psutil

    seen = set()
    for leader in procs:
        for member in session(leader.pid):
            try:
                for c in member.net_connections(kind="inet"):
                    seen.add((member.name(), c.laddr.ip if c.laddr else "", c.raddr.ip if c.raddr else "", c.status))
            except psutil.Error:
                pass
    return seen


def watch(proc: subprocess.Popen, procs: list[subprocess.Popen], seen: set, until=lambda: False, timeout=600) -> None:
    """Sample the sockets of ``procs`` every half second until ``proc`` exits, ``until()`` holds or ``timeout``."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and not until() and time.monotonic() < deadline:
        seen |= sockets(procs)
        time.sleep(0.5)


def wait_for_nodes(address: str, count: int, log: Path, timeout: float = 120) -> None:
    """Join through :func:`connect` (as the command does) and wait until ``count`` nodes are alive."""
    script = (
        "import json, ray, time, sys\n"
        "from animal_verifier.batch.ray_engine import connect\n"
        f"connect('{address}')\n"
        f"deadline = time.time() + {timeout}\n"
        f"while len([n for n in ray.nodes() if n['Alive']]) < {count} and time.time() < deadline: time.sleep(1)\n"
        "alive = [n for n in ray.nodes() if n['Alive']]\n"
        "print(json.dumps(sorted(n['NodeManagerAddress'] for n in alive)))\n"
        f"sys.exit(0 if len(alive) >= {count} else 1)\n"
    )
    waiter = start([sys.executable, "-c", script], log)
    try:
        waiter.wait(timeout + 60)
    finally:
        stop(waiter)
    output = log.read_text()
    assert waiter.returncode == 0, output
    assert set(json.loads(output.strip().splitlines()[-1])) == {"127.0.0.1"}, output


def batch_cmd(model: str, src: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "animal_verifier.cli", "batch", str(src), str(out), "--model", model,
            "--batch-size", "4", *extra]  # fmt: skip


def test_a_node_killed_mid_run_then_rerun_gives_batchs_records(full_pipeline, tmp_path):
    src = tmp_path / "pairs.jsonl"
    lines = [json.dumps({"text": TEXTS[i % 4], "image": str(PHOTOS / IMAGES[(i * 3) % 4])}) for i in range(N_LINES)]
    src.write_text("\n".join(lines) + "\n")
    t0 = time.monotonic()
    one = subprocess.run(batch_cmd(str(full_pipeline), src, tmp_path / "one.jsonl"), env=env(), cwd=ROOT,
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    assert one.returncode == 0, one.stderr
    expected = [json.loads(line) for line in (tmp_path / "one.jsonl").read_text().splitlines()]
    times = {"batch": time.monotonic() - t0}

    port = free_port()
    address = f"127.0.0.1:{port}"
    seen: set = set()
    procs = [start_node("--head", "--port", str(port), "--num-cpus", "2", "--include-dashboard", "false",
                        log=tmp_path / "head.log")]  # fmt: skip
    try:
        second = start_node("--address", address, "--num-cpus", "2", log=tmp_path / "second.log")
        procs.append(second)
        wait_for_nodes(address, 2, tmp_path / "wait1.log")
        out = tmp_path / "ray-out"
        cmd = batch_cmd(str(full_pipeline), src, out, "--engine", "ray", "--workers", "2", "--address", address)
        t0 = time.monotonic()
        run = start(cmd, tmp_path / "run1.log")
        procs.append(run)
        watch(run, procs, seen, until=lambda: any(out.glob("batch-*")), timeout=300)
        killed_at = time.monotonic() - t0
        on_second = sorted({p.name() for p in session(second.pid)})
        written = sum(f.read_bytes().count(b"\n") for f in out.glob("batch-*"))
        running = run.poll() is None
        stop(second)  # the second node dies mid-run, its raylet and actors with it
        assert running, "the run ended before the kill"
        assert any("PairVerifier" in name for name in on_second), on_second  # one actor per node (1.75 of 2 CPUs)
        watch(run, procs, seen, timeout=300)
        first = run.poll()
        stop(run)
        times["first run"] = time.monotonic() - t0
        procs.append(start_node("--address", address, "--num-cpus", "2", log=tmp_path / "third.log"))
        wait_for_nodes(address, 2, tmp_path / "wait2.log")
        t0 = time.monotonic()
        again = start(cmd, tmp_path / "run2.log")
        procs.append(again)
        watch(again, procs, seen, timeout=600)
        rerun = again.poll()
        times["rerun"] = time.monotonic() - t0
        assert rerun == 0, ((first, (tmp_path / "run1.log").read_text()[-3000:]), (tmp_path / "run2.log").read_text())
        from animal_verifier.batch.ray_engine import read_records

        assert sorted(read_records(out), key=lambda r: r["line"]) == expected
        outside = sorted(s for s in seen if (s[1] and not is_loopback(s[1])) or (s[2] and not is_loopback(s[2])))
        assert seen and not outside, outside
        listening = sorted({(name, ip) for name, ip, _, state in seen if state == "LISTEN"})
        summary = (tmp_path / "run2.log").read_text().strip().splitlines()[-1]
        print(f"\nkilled the second node {killed_at:.0f} s into the first run ({written} records written; "
              f"its processes: {on_second}); "
              f"first run exit {first}, {(tmp_path / 'run1.log').read_text().strip().splitlines()[-1]!r}; "
              f"rerun: {summary!r}; times {({k: round(v) for k, v in times.items()})}; "
              f"{len(seen)} sockets seen, all on loopback; listening: {listening}")  # fmt: skip
    finally:
        for proc in reversed(procs):
            stop(proc)
        shutil.rmtree(ray_tmpdir(), ignore_errors=True)
