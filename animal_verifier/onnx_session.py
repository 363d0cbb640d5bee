"""ONNX Runtime sessions on the CPU, opened one way for the image model and the text encoder."""

from __future__ import annotations

import os

import onnxruntime as ort


def available_cpus() -> int:
    """The CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_threads() -> int:
    """ONNX Runtime threads for one session: the CPUs this process may use, at most 4 (more buys
    little for one small model and starves concurrent sessions), and at most ``OMP_NUM_THREADS`` when
    set (a batch worker's or a Ray actor's share of the cores)."""
    available = available_cpus()
    limit = os.environ.get("OMP_NUM_THREADS", "")
    if limit.isdigit() and int(limit) > 0:
        available = min(available, int(limit))
    return max(1, min(4, available))


def cpu_session(model: bytes, threads: int) -> ort.InferenceSession:
    """A session on ``threads`` intra-op threads, sequential, fully optimised, without busy-waiting: on 2
    shared cores spinning threads starve the rest of the process."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
