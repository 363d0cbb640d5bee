"""The suite's own set-up: under `run_tests.sh` (pytest-xdist, ``--dist loadgroup``) the xdist groups of
``tests/conftest.py`` really reach the scheduler. pytest 9.2 changed node ids so that xdist 3.8's group suffix
is silently dropped (pytest-dev/pytest-xdist#1386): the tests would then spread one by one, every worker
would start its own Ray and repeat module fixtures, and nothing else would fail."""

from __future__ import annotations

import os

import pytest


@pytest.mark.skipif(not os.environ.get("PYTEST_XDIST_WORKER"), reason="only under pytest-xdist")
def test_the_xdist_group_reaches_the_scheduler(request):
    if not request.config.getvalue("loadgroup"):
        pytest.skip("not --dist loadgroup")
    assert request.node.nodeid.endswith("@tests.test_suite_groups"), request.node.nodeid
