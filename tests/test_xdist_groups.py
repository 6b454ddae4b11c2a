"""``make test PYTEST_PROCESSES=2``: the engine tests stay in one pytest-xdist process.

Each engine's cluster listens on fixed ports and is started once per process, so two processes
running engine tests would both try to start it, and the second fails. The grouping silently
stopped working twice: xdist's hook that reads the ``xdist_group`` marker ran before the one in
``tests/conftest.py`` that adds it, and pytest 9 ignores the node id xdist rewrites (pinned
``pytest<9``). This runs a few quick engine tests (no cluster) on two processes and checks that
one process ran them all.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_engine_tests_run_in_one_xdist_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p",
         "no:cacheprovider", "tests/engines/test_prism.py", "-k",
         "cached_binary or location_given or other_runners"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    ran = re.findall(r"^\[(gw\d)\] .*PASSED (\S+)", done.stdout, re.M)
    assert len(ran) >= 6, done.stdout[-3000:]
    assert all(node.endswith("@engines") for _, node in ran), ran
    assert len({worker for worker, _ in ran}) == 1, ran
