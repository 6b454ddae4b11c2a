"""Two real `akhbar ingest` processes started at the same moment on the same output folder.

Not a lock held by the test: both processes race for it. Without ``--lock-wait`` one run wins
and the other exits 3 having touched nothing; with it the second waits and runs after the
first. Either way the output must equal a single clean run's, with no staging, pending
manifest or lock left behind, and every run keeps its own run record.

The input is big enough that two processes started together meet at the lock: the samples plus
10,000 JSONL items keep the winner inside the lock for about 5 s here, against well under a
second between the two processes' start-up times.
"""

from __future__ import annotations

import json
import subprocess
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from tests.conftest import REPO, SAMPLES, akhbar_cmd, run_akhbar
from tests.feeds.conftest import FeedServer, feeds_file, make_handler
from tests.hardening.hostile import ARABIC

pytestmark = pytest.mark.slow
ITEMS = 10_000


def table(output: Path, name: str) -> list[dict]:
    data = ds.dataset(output / name, format="parquet", partitioning="hive").to_table()
    keep = [c for c in data.column_names if c != "at"]  # rejection time differs per run
    return sorted(data.select(keep).to_pylist(), key=lambda r: r["id"])


def leftovers(output: Path) -> list[str]:
    found = [p for p in (output / "_staging").rglob("*") if p.is_file()]
    found += list((output / "_state" / "pending").glob("*"))
    found += [p for p in output.rglob("*") if p.name.endswith(".inprogress")]
    found += [p for p in [output / "_state" / "lock"] if p.exists()]
    return [str(p) for p in found]


def together(*commands: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Start every command at once, then wait for all of them."""
    procs = [
        subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
        for c in commands
    ]
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    for path in SAMPLES.iterdir():
        if path.is_file() and not path.name.startswith((".", "_")) and path.suffix != ".md":
            (folder / path.name).write_bytes(path.read_bytes())
    (folder / "many.jsonl").write_text(
        "".join(
            json.dumps(
                {
                    "id": f"c{i}",
                    "url": f"https://c.example/{i}",
                    "source": "c.example",
                    "text": f"{ARABIC} خبر رقم {i}",
                },
                ensure_ascii=False,
            )
            + "\n"
            for i in range(ITEMS)
        ),
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, inputs: Path) -> Path:
    output = tmp_path_factory.mktemp("reference")
    proc = run_akhbar("ingest", "--input", str(inputs), "--output", str(output))
    assert proc.returncode == 0, proc.stderr
    return output


def assert_same_output(output: Path, reference: Path) -> None:
    for name in ("articles", "duplicates", "rejects"):
        assert table(output, name) == table(reference, name), name
    assert leftovers(output) == []


def test_two_runs_at_once_one_wins_and_the_other_exits_3(
    tmp_path: Path, inputs: Path, reference: Path
) -> None:
    command = [*akhbar_cmd(), "ingest", "--input", str(inputs), "--output", str(tmp_path)]
    first, second = together(command, command)
    codes = sorted([first.returncode, second.returncode])
    assert codes == [0, 3], (first.stderr[-1500:], second.stderr[-1500:])
    loser = first if first.returncode == 3 else second
    assert "locked" in loser.stderr and "Traceback" not in loser.stderr
    assert_same_output(tmp_path, reference)
    assert len(list((tmp_path / "_runs").glob("*.json"))) == 1


def test_with_lock_wait_the_second_run_waits_and_both_succeed(
    tmp_path: Path, inputs: Path, reference: Path
) -> None:
    command = [*akhbar_cmd(), "ingest", "--input", str(inputs), "--output", str(tmp_path),
               "--lock-wait", "300"]  # fmt: skip
    first, second = together(command, command)
    assert (first.returncode, second.returncode) == (0, 0), (first.stderr, second.stderr)
    assert_same_output(tmp_path, reference)  # the same inputs again replace, never add
    records = [json.loads(p.read_text()) for p in (tmp_path / "_runs").glob("*.json")]
    assert len(records) == 2, "each run keeps its own run record"
    assert all(r["balanced"] for r in records)


def test_feed_runs_at_once_with_lock_wait_lose_nothing(tmp_path: Path) -> None:
    """Feed runs name their files after the run: two runs must never share a name, or the
    second would replace (or clean away as stale) what the first wrote."""
    state = FeedServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        state.add_items("feed.xml", 20)
        feeds = feeds_file(tmp_path, state, "feed.xml")
        output = tmp_path / "out"
        command = [*akhbar_cmd(), "ingest", "--feeds", str(feeds), "--output", str(output),
                   "--allow-private-network", "--host-delay", "0", "--lock-wait", "300"]  # fmt: skip
        first, second = together(command, command)
    finally:
        server.shutdown()
        server.server_close()
    assert (first.returncode, second.returncode) == (0, 0), (first.stderr, second.stderr)
    assert len(table(output, "articles")) == 20
    assert leftovers(output) == []
    assert len(list((output / "_runs").glob("*.json"))) == 2
