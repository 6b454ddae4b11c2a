"""The object-store lock (``transforms/lock_remote.py``) on moto's S3 server on 127.0.0.1.

Concurrent contenders are real processes (``tests/hardening/lock_party.py``) released at the
same moment; the lease's passing time is an injected clock, never a wait. What is checked:
exactly one of eight concurrent lockers wins; the lease of a run that died elsewhere, once
expired, is taken over by exactly one of eight, and the lock of a run killed on this machine at
once by exactly one of eight; a live holder that renews keeps the lock for (simulated) hours;
a holder that lost its lease never deletes its successor's lock; release deletes the object;
the background thread renews; and ``akhbar ingest`` into a held ``s3://`` output exits 3
with the one-line message.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from akhbar.transforms.lock import Holder, OutputLock, OutputLocked, iso
from akhbar.transforms.lock_remote import SKEW_SECONDS
from tests.conftest import REPO, SAMPLES, akhbar_cmd
from tests.hardening.lock_party import Party, race
from tests.storage.conftest import KEY, REGION, SECRET, S3Server

BUSY = re.compile(
    r"s3://(?P<bucket>[\w-]+)/news is busy: another run holds it \(host \S+, "
    r"pid (?P<pid>\d+), started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\) \(wait with --lock-wait "
    r"SECONDS, or stop that run; if it died, its lease ends at "
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)"
)


@pytest.fixture(scope="module")
def atomic_s3() -> Iterator[S3Server]:
    """moto's S3 application behind a server that handles one request at a time.

    moto checks ``If-None-Match``/``If-Match`` and then writes, two steps with nothing holding
    other requests off in between, so two requests in flight together could both pass the
    check. S3 decides a conditional write atomically, and the lock relies on that; handling one
    request at a time gives moto the same property. The contenders still race: their requests
    arrive in whatever order the processes reach the server.
    """
    pytest.importorskip("boto3", reason="needs the aws extra: pip install 'akhbar[aws]'")
    server_module = pytest.importorskip("moto.server", reason="needs moto[server] (dev extra)")
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    app = server_module.DomainDispatcherApplication(server_module.create_backend_app)
    one_at_a_time = threading.Lock()

    def serial(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with one_at_a_time:
            return list(app(environ, start_response))

    server = make_server("127.0.0.1", 0, serial, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield S3Server(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def output(atomic_s3: S3Server, request: pytest.FixtureRequest) -> str:
    """``s3://<fresh bucket>/news``."""
    bucket = "lock-" + request.node.name.lower().replace("_", "-")[:45].strip("-")
    atomic_s3.client().create_bucket(Bucket=bucket)
    return f"s3://{bucket}/news"


def settings(server: S3Server) -> dict[str, str]:
    """What ``pipelines.options.storage_settings`` makes of ``server.beam_args()``."""
    return {
        "s3_endpoint_url": server.endpoint,
        "s3_access_key_id": KEY,
        "s3_secret_access_key": SECRET,
        "s3_region_name": REGION,
    }


def lock_body(server: S3Server, output: str) -> Holder | None:
    bucket = output.removeprefix("s3://").split("/")[0]
    keys = server.keys(bucket, "news/_state/")
    if "news/_state/lock" not in keys:
        return None
    raw = server.client().get_object(Bucket=bucket, Key="news/_state/lock")["Body"].read()
    return Holder.from_json(raw)


class Clock:
    """Time that passes only when the test says so."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def parties() -> Iterator[list[Party]]:
    made: list[Party] = []
    yield made
    for party in made:
        party.close()


def contenders(
    parties: list[Party], output: str, server: S3Server, folder: Path, count: int, *args: str
) -> list[Party]:
    barrier = folder / f"barrier-{len(parties)}"
    storage = json.dumps(settings(server))
    made = [Party(output, barrier, "--storage", storage, *args) for _ in range(count)]
    parties.extend(made)
    return made


def test_of_eight_concurrent_lockers_exactly_one_wins_and_release_deletes_the_lock(
    atomic_s3: S3Server, output: str, parties: list[Party], tmp_path: Path
) -> None:
    winner, losers = race(contenders(parties, output, atomic_s3, tmp_path, 8))
    for loser in losers:
        found = BUSY.fullmatch(loser.outcome["message"])
        assert found, loser.outcome["message"]
        assert int(found["pid"]) == winner.pid
    held = lock_body(atomic_s3, output)
    assert held is not None and held.pid == winner.pid
    winner.release()
    assert lock_body(atomic_s3, output) is None
    with OutputLock(output, storage=settings(atomic_s3)):  # free again at once
        pass


def test_an_expired_lease_is_taken_over_by_exactly_one(
    atomic_s3: S3Server, output: str, parties: list[Party], tmp_path: Path
) -> None:
    """The lock of a run that died on another machine: nothing here can see that it ended, so
    it holds until its lease ends; then exactly one of eight contenders takes it over."""
    now = time.time()
    dead = Holder(host="gone.example", pid=4242, started=now, token="dead", expires=now + 120,
                  proc="another-boot|pid:[4026531836]|4242|1")  # fmt: skip
    bucket = output.removeprefix("s3://").split("/")[0]
    atomic_s3.client().put_object(Bucket=bucket, Key="news/_state/lock", Body=dead.to_json())
    busy = pytest.raises(OutputLocked, match=r"host gone\.example, pid 4242, ")
    with busy, OutputLock(output, storage=settings(atomic_s3)):  # until its lease ends
        pass
    later = str(120 + SKEW_SECONDS + 1)  # the contenders' clocks: after the lease
    winner, losers = race(
        contenders(parties, output, atomic_s3, tmp_path, 8, "--clock-offset", later)
    )
    for loser in losers:
        found = BUSY.fullmatch(loser.outcome["message"])
        assert found, loser.outcome["message"]
        assert int(found["pid"]) == winner.pid  # the new holder, not the dead one
    winner.release()
    assert lock_body(atomic_s3, output) is None


def test_a_run_killed_on_this_machine_is_taken_over_at_once_by_exactly_one(
    atomic_s3: S3Server, output: str, parties: list[Party], tmp_path: Path
) -> None:
    """Same machine, same pid namespace: a contender sees that the holder's process has ended
    and need not wait for its lease (a crashed cron run must not block the next for minutes)."""
    (dead,) = contenders(parties, output, atomic_s3, tmp_path, 1)
    dead.ready().go()
    assert dead.result()["won"]
    dead.kill()  # its lease still runs for two minutes
    winner, losers = race(contenders(parties, output, atomic_s3, tmp_path, 8))
    for loser in losers:
        found = BUSY.fullmatch(loser.outcome["message"])
        assert found, loser.outcome["message"]
        assert int(found["pid"]) == winner.pid
    winner.release()
    assert lock_body(atomic_s3, output) is None


def test_a_live_holder_keeps_its_lease_for_hours_and_a_lost_one_deletes_nothing(
    atomic_s3: S3Server, output: str
) -> None:
    clock = Clock()
    started = clock.now
    storage = settings(atomic_s3)
    hour = 3600.0
    holder = OutputLock(output, storage=storage, clock=clock, lease_seconds=hour,
                        renew_in_background=False)  # fmt: skip
    holder.__enter__()
    assert holder.lock is not None
    contender = OutputLock(output, storage=storage, clock=clock, renew_in_background=False)
    for _ in range(14):  # seven hours, renewed every half hour
        clock.now += hour / 2
        assert holder.lock.renew()  # type: ignore[attr-defined]
        with pytest.raises(OutputLocked) as raised:
            contender.__enter__()
        assert f"started {iso(started)})" in str(raised.value)
    clock.now += hour + SKEW_SECONDS + 1  # the holder stalls for longer than its lease
    successor = contender
    successor.__enter__()
    assert not holder.lock.renew()  # type: ignore[attr-defined]  # it learns it lost the lock
    holder.__exit__(None, None, None)
    body = lock_body(atomic_s3, output)
    assert body is not None and body.token == successor.lock.me.token  # type: ignore[union-attr]
    successor.__exit__(None, None, None)
    assert lock_body(atomic_s3, output) is None


def test_the_background_thread_renews_the_lease(atomic_s3: S3Server, output: str) -> None:
    with OutputLock(output, storage=settings(atomic_s3), lease_seconds=0.4):  # renews each 0.1 s
        first = lock_body(atomic_s3, output)
        assert first is not None
        deadline = time.monotonic() + 60
        while (body := lock_body(atomic_s3, output)) is not None and body.seq < first.seq + 3:
            assert time.monotonic() < deadline, "the lease was not renewed"
            time.sleep(0.02)  # polling the object, not waiting for the renewals' timing
        assert body is not None and body.expires is not None and first.expires is not None
        assert body.expires > first.expires
    assert lock_body(atomic_s3, output) is None


@pytest.mark.slow
def test_an_ingest_into_a_held_s3_output_exits_3(atomic_s3: S3Server, output: str) -> None:
    command = [*akhbar_cmd(), "ingest", "--output", output, "--input", str(SAMPLES),
               *atomic_s3.beam_args()]  # fmt: skip
    with OutputLock(output, storage=settings(atomic_s3)):
        refused = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=600)
    assert refused.returncode == 3, refused.stderr[-2000:]
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, refused.stderr
    found = BUSY.fullmatch(lines[0].removeprefix("akhbar ingest: error: "))
    assert found, lines[0]
    bucket = found["bucket"]
    assert int(found["pid"]) == os.getpid()
    assert atomic_s3.keys(bucket) == []  # it wrote nothing; the holder released its lock
    # (that a run releases the lock when it ends is shown by every re-run on S3 in
    # test_s3_output.py: a lock left behind would make the second run exit 3)
