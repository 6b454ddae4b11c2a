"""glibc tuning (pipelines/allocator.py): freed large buffers go back to the system."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from akhbar.pipelines.allocator import MMAP_THRESHOLD_ENV, _glibc, tune_allocator

needs_glibc = pytest.mark.skipif(_glibc() is None, reason="glibc only (mallopt)")

# A process that makes glibc raise its dynamic mmap threshold (one 8 MiB block freed), then
# allocates 300 MiB in 1 MiB blocks with small long-lived objects between them, the pattern of
# a runner buffering a stage, frees the big blocks and reports how much RSS it kept.
PROBE = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, {root!r})
    if {tune}:
        from akhbar.pipelines.allocator import tune_allocator
        tune_allocator()

    def rss_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

    big = bytearray(8 << 20)
    del big
    before = rss_mb()
    blocks, pins = [], []
    for i in range(300):
        blocks.append(bytearray(1 << 20))
        pins.append(bytes(1000 + i % 7))  # > 512 bytes: malloc, not Python's small-object pool
    peak = rss_mb()
    del blocks
    print(json.dumps({{"kept": rss_mb() - before, "grew": peak - before}}))
    """
)


def _probe(tune: bool) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(root=root, tune=tune)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout)


@needs_glibc
def test_freed_buffers_are_returned_only_with_the_fixed_threshold() -> None:
    default = _probe(tune=False)
    tuned = _probe(tune=True)
    assert default["grew"] > 250 and tuned["grew"] > 250  # both really allocated them
    # glibc's default keeps them: the dynamic threshold put them on the pinned heap
    assert default["kept"] > 250
    assert tuned["kept"] < 30


@needs_glibc
def test_worker_processes_keep_the_default() -> None:
    """Only the runner's process is tuned (SDK workers paid 10-15% wall time for it): a process
    started after ``tune_allocator`` keeps glibc's default and its freed buffers stay."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parent = textwrap.dedent(
        f"""
        import os, subprocess, sys
        sys.path.insert(0, {root!r})
        from akhbar.pipelines.allocator import tune_allocator
        assert tune_allocator()
        child = subprocess.run([sys.executable, "-c", {PROBE.format(root=root, tune=False)!r}],
                               env=os.environ, capture_output=True, text=True, check=True)
        print(child.stdout)
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run(
        [sys.executable, "-c", parent],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    child = json.loads(out.stdout)
    assert child["grew"] > 250 and child["kept"] > 250


def test_a_threshold_the_user_set_is_left_alone() -> None:
    env = {MMAP_THRESHOLD_ENV: "33554432"}
    assert tune_allocator(env) is False
    assert env == {MMAP_THRESHOLD_ENV: "33554432"}


def test_ingest_tunes_the_allocator_before_the_run(monkeypatch, tmp_path) -> None:
    """The wiring: ``akhbar ingest`` sets the allocator before the pipeline allocates."""
    import akhbar.pipelines.allocator as allocator
    import akhbar.pipelines.ingest as ingest
    from akhbar.pipelines.cli import ingest_main

    calls: list[str] = []
    real_run = ingest.run_ingest
    monkeypatch.setattr(allocator, "tune_allocator", lambda: calls.append("tune") or True)

    def recording_run(argv: list[str], progress_dir: str | None = None) -> dict:
        calls.append("run")
        return real_run(argv, progress_dir)

    monkeypatch.setattr(ingest, "run_ingest", recording_run)
    assert ingest_main(["--output", str(tmp_path / "out"), "--runner=FnApiRunner"]) == 0
    assert calls == ["tune", "run"]


def test_stream_tunes_the_allocator_before_the_run(monkeypatch, tmp_path) -> None:
    """``akhbar stream`` too. The command line is valid (a feed list), so ``stream_main`` goes
    as far as the run; the recorded run then stops with a usage error (exit 2) instead of
    streaming."""
    import akhbar.pipelines.allocator as allocator
    import akhbar.pipelines.stream as stream
    from akhbar.pipelines.usage import UsageError

    calls: list[str] = []
    monkeypatch.setattr(allocator, "tune_allocator", lambda: calls.append("tune") or True)

    def recording_run(argv: list[str]) -> dict:
        calls.append("run")
        raise UsageError("stopped by the test before streaming")

    monkeypatch.setattr(stream, "run_stream", recording_run)
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("http://127.0.0.1:9/feed.xml\n")
    argv = ["--output", str(tmp_path / "out"), "--feeds", str(feeds), "--runner=FnApiRunner"]
    assert stream.stream_main(argv) == 2
    assert calls == ["tune", "run"]
