"""The local output lock (``filelock``) with real processes: contenders for a dead run's lock,
a live holder that has run for hours, the holder's name in the message. Object-store locks are
in tests/storage/test_s3_lock.py; whole ``akhbar ingest`` runs in test_concurrent_runs.py."""

from __future__ import annotations

import os
import pickle
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from akhbar.transforms.lock import Holder, OutputLock, OutputLocked, iso, parse_iso
from akhbar.transforms.lock_remote import lock_object
from tests.conftest import run_akhbar
from tests.hardening.lock_party import Party, race

SEVEN_HOURS = 7 * 3600.0
MESSAGE = re.compile(
    r"(?P<output>\S+) is busy: another run holds it \(host (?P<host>\S+), pid (?P<pid>\d+), "
    r"started (?P<started>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\) \(wait with --lock-wait SECONDS, "
    r"or stop that run\)"
)


@pytest.fixture
def parties() -> Iterator[list[Party]]:
    """Every contender a test starts; none outlives it."""
    made: list[Party] = []
    yield made
    for party in made:
        party.close()


def start(parties: list[Party], output: Path, *args: str) -> Party:
    """A contender with a barrier of its own, or ``barrier=`` one shared with others."""
    party = Party(str(output), output.parent / f"barrier-{len(parties)}", *args)
    parties.append(party)
    return party


def start_together(parties: list[Party], output: Path, count: int) -> list[Party]:
    barrier = output.parent / f"barrier-{len(parties)}-together"
    made = [Party(str(output), barrier) for _ in range(count)]
    parties.extend(made)
    return made


def test_contenders_for_a_dead_runs_lock_never_both_hold_it(
    tmp_path: Path, parties: list[Party]
) -> None:
    """The old lock let two contenders that both judged a dead holder's lock stale both go on
    (the second deleted the first's fresh lock; in a check of this test against that lock, 3
    rounds in 15 let two in). Five rounds: the holder dies holding the lock, eight contenders
    are released at once, exactly one holds it and the others name it."""
    output = tmp_path / "out"
    holder = start(parties, output).ready()
    holder.go()
    assert holder.result()["won"]
    for _ in range(5):
        holder.kill()
        winner, losers = race(start_together(parties, output, 8))
        for loser in losers:
            found = MESSAGE.fullmatch(loser.outcome["message"])
            assert found, loser.outcome["message"]
            assert int(found["pid"]) == winner.pid  # the live winner, not the dead holder
            assert found["output"] == str(output)
        holder = winner


def test_a_live_holder_keeps_the_lock_however_long_it_has_run(
    tmp_path: Path, parties: list[Party]
) -> None:
    """A run that took the lock seven hours ago (its clock says so) and is still alive keeps
    it: the old lock judged any lock older than six hours stale and took it over."""
    output = tmp_path / "out"
    holder = start(parties, output, "--clock-offset", str(-SEVEN_HOURS)).ready()
    holder.go()
    assert holder.result()["won"]
    contender = start(parties, output).ready()
    contender.go()
    outcome = contender.result()
    assert not outcome["won"]
    found = MESSAGE.fullmatch(outcome["message"])
    assert found, outcome["message"]
    assert int(found["pid"]) == holder.pid
    assert abs(time.time() - SEVEN_HOURS - parse_iso(found["started"])) < 600
    # and a contender whose clock says a week has passed does no better: no clock decides
    with (
        pytest.raises(OutputLocked),
        OutputLock(str(output), clock=lambda: time.time() + 7 * 86400),
    ):
        pass
    holder.release()
    with OutputLock(str(output)):  # free as soon as the holder lets go
        pass


def test_the_holder_file_names_the_run_and_goes_with_it(tmp_path: Path) -> None:
    with OutputLock(str(tmp_path), clock=lambda: 1796666191.0):
        holder = Holder.from_json((tmp_path / "_state" / "lock").read_bytes())
        assert holder is not None
        assert iso(holder.started) == "2026-12-07T17:56:31Z"
        with pytest.raises(OutputLocked) as raised, OutputLock(str(tmp_path), wait_seconds=0.2):
            pass
    message = str(raised.value)
    assert str(pickle.loads(pickle.dumps(raised.value))) == message
    assert "\n" not in message
    assert message.startswith(f"{tmp_path} is busy: another run holds it (host ")
    assert "started 2026-12-07T17:56:31Z) (waited 0.2 s; wait longer with --lock-wait" in message
    assert not (tmp_path / "_state" / "lock").exists()


def test_lock_object_of_an_object_store_output() -> None:
    assert lock_object("s3://bucket") == ("s3", "bucket", "_state/lock")
    assert lock_object("gs://bucket/news/") == ("gs", "bucket", "news/_state/lock")
    with pytest.raises(ValueError, match="no bucket"):
        lock_object("s3:///news")


def test_a_gs_output_without_google_cloud_storage_says_what_to_install() -> None:
    try:
        import google.cloud.storage  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("google-cloud-storage is installed here")
    with pytest.raises(RuntimeError, match=r"akhbar\[gcp\]"):
        OutputLock("gs://bucket/news")


@pytest.mark.slow
def test_akhbar_stream_on_a_held_output_exits_3_with_the_one_line_message(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("http://127.0.0.1:9/feed.xml\n")  # never fetched: the lock comes first
    output = tmp_path / "out"
    with OutputLock(str(output)):
        proc = run_akhbar("stream", "--feeds", str(feeds), "--output", str(output),
                          "--duration", "1", "--allow-private-network")  # fmt: skip
    assert proc.returncode == 3, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("akhbar stream: error: ")
    found = MESSAGE.fullmatch(lines[0].removeprefix("akhbar stream: error: "))
    assert found, lines[0]
    assert int(found["pid"]) == os.getpid() and found["output"] == str(output)
