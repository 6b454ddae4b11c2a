"""One writer per object-store output: a conditional create, and a lease for runs that die.

S3 and GCS have no lock, but both create an object only if none exists (S3 ``PutObject`` with
``If-None-Match: *``, GCS ``if_generation_match=0``) and replace or delete one only if it is
still the version one read (S3 ``If-Match: <ETag>``, GCS ``if_generation_match=<generation>``).
Beam's FileSystems offers neither, so this module calls the stores' own clients, configured
from the run's storage options (``pipelines.options.storage_settings``).

The lock is the object ``OUTPUT/_state/lock``: JSON naming the holder (host, pid, start time)
with a random token, a renewal number and the end of its lease (``lock.Holder``).

- Taking it: a conditional create. Of any number of runs trying at once, exactly one succeeds.
- Holding it: a background thread rewrites it every ``lease/4`` seconds, conditional on the
  version it last wrote, with a later lease end. A live run keeps it however long it runs.
- A run that dies stops renewing. Once its lease has ended (plus ``SKEW_SECONDS`` for clocks
  that disagree), a contender replaces the object conditionally on the version it read: the
  first replace changes the version, so of two contenders the second fails and exactly one
  wins. A dead run blocks the output for at most ``LEASE_SECONDS + SKEW_SECONDS``, and not at
  all for a contender on the same machine, which can see that the holder's process has ended
  (``lock.ended_here``: same boot, same pid namespace, no process with that pid and start
  time) and takes over at once, by the same conditional replace.
- Releasing: a conditional delete of the holder's last version, so a run that had lost its
  lock never deletes its successor's.

Limits: the hosts' clocks must agree within ``SKEW_SECONDS`` (NTP does far better). A holder
that cannot renew for a whole lease (network partition, suspended process) loses the lock to a
newcomer and learns it at its next renewal; it logs an error, but a lease cannot stop a writer
that no longer holds it, so the two runs may overlap. The store must honour conditional writes
(AWS S3 does since 2024, GCS does; an S3-compatible store that ignored ``If-None-Match`` would
let two runs in, so check yours).

Tested here on moto's S3 server, which honours ``If-None-Match`` and ``If-Match`` on
``PutObject`` and ``If-Match`` on ``DeleteObject``. The GCS store follows the same protocol with
google-cloud-storage (the ``akhbar[gcp]`` extra) and has not been run against GCS or an emulator.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Protocol

from akhbar.transforms.lock import Clock, Holder, OutputLocked, ended_here, this_process

log = logging.getLogger(__name__)

LEASE_SECONDS = 120.0
SKEW_SECONDS = 30.0
POLL_SECONDS = 1.0  # between two looks at a busy lock, when waiting with --lock-wait


class ConditionalStore(Protocol):
    """One object with compare-and-swap writes; a version is an S3 ETag or a GCS generation."""

    where: str

    def create(self, body: bytes) -> str | None:
        """The new version, or None if the object exists."""
        ...

    def replace(self, body: bytes, version: str) -> str | None:
        """The new version, or None if the object is gone or no longer at ``version``."""
        ...

    def read(self) -> tuple[bytes, str] | None:
        """(body, version), or None if there is no object."""
        ...

    def delete(self, version: str) -> bool:
        """False if the object is gone or no longer at ``version`` (then it is left alone)."""
        ...


def lock_object(output: str) -> tuple[str, str, str]:
    """``s3://bucket/news`` -> ("s3", "bucket", "news/_state/lock")."""
    scheme, _, rest = output.partition("://")
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise ValueError(f"{output}: no bucket in the output URL")
    return scheme.lower(), bucket, "/".join(p for p in (prefix.strip("/"), "_state/lock") if p)


def lease_lock_for(
    output: str,
    storage: Mapping[str, Any],
    *,
    clock: Clock,
    lease_seconds: float,
    renew_in_background: bool,
) -> LeaseLock:
    scheme, bucket, key = lock_object(output)
    store: ConditionalStore = (
        S3Store(bucket, key, storage) if scheme == "s3" else GcsStore(bucket, key, storage)
    )
    return LeaseLock(output, store, clock, lease_seconds, renew_in_background)


class LeaseLock:
    """The protocol of the module docstring, over any ``ConditionalStore``."""

    def __init__(
        self,
        output: str,
        store: ConditionalStore,
        clock: Clock,
        lease_seconds: float = LEASE_SECONDS,
        renew_in_background: bool = True,
    ) -> None:
        self.output = output
        self.store = store
        self.clock = clock
        self.lease = lease_seconds
        self.renew_in_background = renew_in_background
        self.me = replace(this_process(clock), token=secrets.token_hex(8))
        self.version: str | None = None  # of the object as this holder last wrote it
        self.lost = False
        self._guard = threading.Lock()  # renewals (thread) against release (caller)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self, wait_seconds: float) -> None:
        deadline = time.monotonic() + wait_seconds
        self.me = replace(this_process(self.clock), token=self.me.token)
        while True:
            self.me = replace(self.me, expires=self.clock() + self.lease)
            held, holder = self._attempt()
            if held:
                break
            if time.monotonic() >= deadline:
                ends = holder.expires + SKEW_SECONDS if holder and holder.expires else None
                raise OutputLocked(self.output, holder, wait_seconds, lease_ends=ends)
            time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        if self.renew_in_background:
            self._thread = threading.Thread(
                target=self._renew_loop, name="akhbar-output-lease", daemon=True
            )
            self._thread.start()

    def _attempt(self) -> tuple[bool, Holder | None]:
        """(True, None) once held; else (False, the holder found, or None if unreadable)."""
        holder = None
        for _ in range(3):  # the object can vanish or change between two of these requests
            body = self.me.to_json()
            version = self.store.create(body)
            if version is not None:
                self.version = version
                return True, None
            current = self.store.read()
            if current is None:
                continue  # released in between: create again
            holder = Holder.from_json(current[0])
            if holder is not None and holder.token == self.me.token:
                # Our create went through but its reply was lost, and the client's retry was
                # refused: the object is ours.
                self.me, self.version = holder, current[1]
                return True, None
            if not self.free_to_take(holder):
                return False, holder
            version = self.store.replace(body, current[1])
            if version is not None:
                log.warning(
                    "%s: took over the lock of a run that ended or whose lease ended (%s)",
                    self.output,
                    holder.describe() if holder else "unreadable lock object",
                )
                self.version = version
                return True, None
            # another contender replaced it first: look again
        return False, holder

    def free_to_take(self, holder: Holder | None) -> bool:
        """Its lease ended, or its process ended on this machine. A lock object this module
        did not write (no lease in it) counts as expired."""
        if holder is None or holder.expires is None:
            return True
        return self.clock() > holder.expires + SKEW_SECONDS or ended_here(holder)

    def renew(self) -> bool:
        """Extend the lease by one write; False once another run has taken the lock over."""
        with self._guard:
            if self.version is None or self.lost:
                return not self.lost
            following = replace(self.me, seq=self.me.seq + 1, expires=self.clock() + self.lease)
            version = self.store.replace(following.to_json(), self.version)
            if version is None:
                current = self.store.read()
                found = Holder.from_json(current[0]) if current else None
                if current and found and (found.token, found.seq) == (self.me.token, following.seq):
                    version = current[1]  # the write went through; its reply was lost
                else:
                    self.lost = True
                    log.error(
                        "%s: this run lost its lock (%s): its lease was not renewed in time; "
                        "another run may be writing to the same output",
                        self.output,
                        found.describe() if found else "the lock object is gone",
                    )
                    return False
            self.me, self.version = following, version
            return True

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.lease / 4):
            try:
                if not self.renew():
                    return
            except Exception:  # the network: the lease leaves room for three missed renewals
                log.warning("%s: could not renew the lock's lease", self.output, exc_info=True)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._guard:
            if self.version is not None and not self.lost and not self.store.delete(self.version):
                log.warning("%s: the lock object had changed; left it in place", self.store.where)
            self.version = None


class S3Store:
    """The lock object on S3 (or an S3-compatible store), through boto3."""

    REFUSED = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "404"})

    def __init__(self, bucket: str, key: str, settings: Mapping[str, Any]) -> None:
        try:
            import boto3
            from botocore.exceptions import ClientError
        except ImportError as exc:
            raise RuntimeError("s3:// outputs need boto3: pip install 'akhbar[aws]'") from exc
        self.client_error = ClientError
        self.client = s3_client(boto3, settings)
        self.bucket, self.key = bucket, key
        self.where = f"s3://{bucket}/{key}"

    def refused(self, exc: Exception) -> bool:
        """412 (condition failed), 409 (a concurrent conditional write won), 404 (gone)."""
        response = getattr(exc, "response", {})
        code = response.get("Error", {}).get("Code", "")
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code == "NoSuchBucket":
            return False
        return code in self.REFUSED or status in (404, 409, 412)

    def create(self, body: bytes) -> str | None:
        return self._put(body, IfNoneMatch="*")

    def replace(self, body: bytes, version: str) -> str | None:
        return self._put(body, IfMatch=version)

    def _put(self, body: bytes, **condition: str) -> str | None:
        try:
            reply = self.client.put_object(
                Bucket=self.bucket,
                Key=self.key,
                Body=body,
                ContentType="application/json",
                **condition,
            )
        except self.client_error as exc:
            if self.refused(exc):
                return None
            raise
        return str(reply["ETag"])

    def read(self) -> tuple[bytes, str] | None:
        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=self.key)
        except self.client_error as exc:
            if self.refused(exc):
                return None
            raise
        return reply["Body"].read(), str(reply["ETag"])

    def delete(self, version: str) -> bool:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key, IfMatch=version)
        except self.client_error as exc:
            if self.refused(exc):
                return False
            code = exc.response.get("Error", {}).get("Code", "")
            if code not in ("NotImplemented", "InvalidArgument"):
                raise
            # A store without conditional deletes: check, then delete (a narrow race, and only
            # with a successor that took over a lease this run had already lost).
            current = self.read()
            if current is None or current[1] != version:
                return False
            self.client.delete_object(Bucket=self.bucket, Key=self.key)
        return True


def s3_client(boto3: Any, settings: Mapping[str, Any]) -> Any:
    """A client built as Beam's S3 filesystem builds its own (``S3Options``, same values as
    given), so the lock reaches the same endpoint with the same credentials and TLS checks as
    the run's reads and writes."""
    return boto3.session.Session().client(
        "s3",
        region_name=settings.get("s3_region_name"),
        api_version=settings.get("s3_api_version"),
        use_ssl=not settings.get("s3_disable_ssl", False),
        verify=settings.get("s3_verify"),
        endpoint_url=settings.get("s3_endpoint_url"),
        aws_access_key_id=settings.get("s3_access_key_id"),
        aws_secret_access_key=settings.get("s3_secret_access_key"),
        aws_session_token=settings.get("s3_session_token"),
    )


class GcsStore:
    """The lock object on GCS, through google-cloud-storage (``akhbar[gcp]``).

    Not run here: this environment has no GCS server or emulator. Generations play the part of
    S3's ETags; the client retries uploads that carry ``if_generation_match``, and a retry that
    is refused because the first attempt went through is recognised by the token (LeaseLock).
    """

    def __init__(self, bucket: str, key: str, settings: Mapping[str, Any]) -> None:
        try:
            from google.api_core import exceptions
            from google.cloud import storage
        except ImportError as exc:
            raise RuntimeError(
                "gs:// outputs need google-cloud-storage: pip install 'akhbar[gcp]'"
            ) from exc
        self.refused = (exceptions.PreconditionFailed, exceptions.NotFound)
        self.bucket = storage.Client(project=settings.get("project")).bucket(bucket)
        self.key = key
        self.where = f"gs://{bucket}/{key}"

    def create(self, body: bytes) -> str | None:
        return self._upload(body, 0)

    def replace(self, body: bytes, version: str) -> str | None:
        return self._upload(body, int(version))

    def _upload(self, body: bytes, generation: int) -> str | None:
        blob = self.bucket.blob(self.key)
        try:
            blob.upload_from_string(
                body, content_type="application/json", if_generation_match=generation
            )
        except self.refused:
            return None
        return str(blob.generation)

    def read(self) -> tuple[bytes, str] | None:
        for _ in range(3):  # replaced between the metadata and the download: read again
            blob = self.bucket.get_blob(self.key)
            if blob is None:
                return None
            try:
                return blob.download_as_bytes(if_generation_match=blob.generation), str(
                    blob.generation
                )
            except self.refused:
                continue
        return None

    def delete(self, version: str) -> bool:
        try:
            self.bucket.blob(self.key).delete(if_generation_match=int(version))
        except self.refused:
            return False
        return True
