"""User errors of the ``akhbar`` commands: one line, ``akhbar <command>: error: <what> (<what to do>)``.

A newcomer's first mistakes are typos and wrong paths. Before this module, a mistyped flag was
dropped by Beam with a log line and the run went on with the defaults (exit 0, wrong data), and
argparse or the run itself answered other mistakes with a usage block or a traceback. Here every
command gets the same treatment: an unknown option names the closest real one, nothing is
abbreviated silently (``--out`` is not ``--output``), and the message fits on one line so that
it is the last thing on the terminal. Exit code 2 is "usage"; 1 is reserved for a run whose
accounting did not balance.

This module imports neither Beam nor DuckDB: ``--help`` and usage errors must be instant.
"""

from __future__ import annotations

import argparse
import difflib
import errno
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn


class UsageError(ValueError):
    """Bad command line or input path (exit code 2). The text is ``<what> (<what to do>)``."""


def error_line(command: str, message: object) -> str:
    """The one line a user error prints, e.g. ``akhbar ingest: error: ...``."""
    return f"akhbar {command}: error: {message}"


def suggestion(flag: str, known: Iterable[str]) -> str | None:
    """The known flag closest to ``flag`` (difflib), or None when none is close."""
    matches = difflib.get_close_matches(flag, sorted(set(known)), n=1, cutoff=0.6)
    return matches[0] if matches else None


def unknown_option(
    command: str,
    flag: str,
    known: Iterable[str],
    special: Mapping[str, str] | None = None,
) -> UsageError:
    """The error for an option no parser defines, with the closest real one as a hint.

    ``special`` maps an option to its own full message: a renamed option must say what replaced
    it, not suggest whatever happens to be spelled alike (``--out`` is not ``--output``).
    """
    if special and flag in special:
        return UsageError(special[flag])
    close = suggestion(flag, known)
    if close:
        return UsageError(f"unknown option {flag} (did you mean {close}?)")
    return UsageError(f"unknown option {flag} (akhbar {command} --help lists the options)")


def first_unknown(
    command: str,
    extra: Sequence[str],
    known: Iterable[str],
    special: Mapping[str, str] | None = None,
    positional_hint: str = "",
) -> UsageError | None:
    """The error for the first argument no parser took (options before stray values: in
    ``--inptu in/`` the mistake is the flag, and ``in/`` is only left over because of it)."""
    for arg in extra:
        if is_option(arg):
            return unknown_option(command, arg.split("=", 1)[0], known, special)
    for arg in extra:
        hint = positional_hint or f"akhbar {command} --help lists the options"
        return UsageError(f"unexpected argument {arg!r} ({hint})")
    return None


def is_option(arg: str) -> bool:
    return arg.startswith("-") and len(arg) > 1 and not arg[1:2].isdigit()


def option_strings(parser: argparse.ArgumentParser) -> list[str]:
    """Every ``--flag`` the parser defines."""
    return [s for action in parser._actions for s in action.option_strings]


class ArgumentParser(argparse.ArgumentParser):
    """An argparse parser whose mistakes are ``UsageError``s with one line of text.

    No abbreviations (``--out`` must not quietly mean ``--output``), unknown options get a
    suggestion, and ``special`` options (renamed ones) get their own message.
    """

    def __init__(
        self,
        *args: Any,
        special: Mapping[str, str] | None = None,
        positional_hint: str = "",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self.special = dict(special or {})
        self.positional_hint = positional_hint

    @property
    def command(self) -> str:
        return self.prog.removeprefix("akhbar ").strip() or self.prog

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (akhbar {self.command} --help lists the options)")

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> argparse.Namespace:
        parsed, extra = self.parse_known_args(args, namespace)
        problem = first_unknown(
            self.command, extra, option_strings(self), self.special, self.positional_hint
        )
        if problem is not None:
            raise problem
        return parsed


def check_output(output: str) -> None:
    """Refuse an ``--output`` akhbar could not write into, before Beam starts.

    Only looks (no folder is created here, so ``--dry-run`` and a refused line leave no trace):
    the path must be a folder or not exist yet, its nearest existing ancestor a folder this
    process may write into (``os.access`` also answers for read-only mounts and immutable
    folders, where even root cannot write). Object-store outputs (``s3://``) are left to the run.
    """
    if "://" in output:
        return
    path = Path(output).expanduser().absolute()
    if path.exists() and not path.is_dir():
        raise UsageError(
            f"--output {output} is a file, not a folder (give a folder; it is created if missing)"
        )
    existing = path
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(
            f"--output {output}: {existing} is a file, not a folder (choose another --output)"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(
            f"--output {output}: cannot write into {existing} (permission denied or read-only: "
            "choose another --output, or make it writable)"
        )


# What to do about an OS error, by errno; the run's own paths are under --output.
OS_ERROR_HINTS = {
    errno.EACCES: "permission denied: choose another --output, or fix the permissions",
    errno.EPERM: "not permitted: choose another --output, or fix the permissions",
    errno.EROFS: "the file system is read-only: choose another --output",
    errno.ENOTDIR: "part of the path is a file, not a folder: choose another --output",
    errno.EISDIR: "a folder stands where a file is expected: remove it or choose another --output",
    errno.ENOSPC: "the disk is full: free some space, or choose another --output",
    errno.EDQUOT: "the disk quota is exceeded: free some space, or choose another --output",
    errno.ENOENT: "check the path",
    errno.EEXIST: "something else already has that name: remove it or choose another --output",
}


def os_error_message(exc: OSError) -> str:
    """``<what> (<what to do>)`` for an OS error, without the traceback.

    akhbar raises some OS errors with a message of its own (``--input 'x' does not exist``):
    those have no errno and are shown as they are.
    """
    if exc.errno is None or not exc.strerror:
        text = str(exc) or type(exc).__name__
        if text.startswith("--input"):
            return (
                f"{text} (check the path; quote a glob so that akhbar, not the shell, expands it)"
            )
        return f"{text} (check the path)"
    where = f": {exc.filename}" if exc.filename else ""
    hint = OS_ERROR_HINTS.get(exc.errno, "check the path and its permissions")
    return f"{exc.strerror}{where} ({hint})"


# What Beam's portable runners (Flink, Spark, Prism) raise when the job fails on the runner,
# from ``PipelineResult.wait_until_finish``: the job id, its state, the runner's last error.
_RUNNER_FAILED = re.compile(
    r"Pipeline (?P<job>\S+) failed in state (?P<state>\w+): ?(?P<text>.*)", re.S
)
# A Java exception line: ``[Caused by: ]package.Class: message``.
_JAVA_EXCEPTION = re.compile(
    r"^(?:Caused by: )?(?:[a-z_$][\w$]*\.)+(?P<cls>[A-Z][\w$]*)(?:: ?(?P<msg>.*))?$"
)
# After a runner failure: what happened to the output, and what to do.
AFTER_RUNNER_FAILURE = {
    "ingest": "nothing of this run was committed; run again to resume once the cluster is whole",
    "stream": "windows already committed stay, the rest was not committed; run again to resume "
    "once the cluster is whole",
}


def runner_failure(exc: BaseException) -> tuple[str, str] | None:
    """(job name, one-line reason) when ``exc`` is a portable runner's report of a job that
    failed on the runner (a TaskManager lost, a slot that never came), else None.

    Why only these: a job lost to the cluster is the operator's to fix and a run to repeat, so
    it gets one line (Beam's traceback only shows where the driver waited). A failure inside
    akhbar's own Python code also reaches the driver this way, with the SDK worker's Python
    traceback in the text: that is a bug, and it keeps its traceback (None here).

    The reason is the innermost Java cause (Flink reports ``JobExecutionException: Job
    execution failed`` around ``Recovery is suppressed by ...`` around the real cause), with
    its class's simple name; the job name is the one the runner's UI lists.
    """
    if not isinstance(exc, RuntimeError):
        return None
    found = _RUNNER_FAILED.match(str(exc))
    if found is None or found["state"] == "DONE":
        return None
    text = found["text"].strip()
    if "Traceback (most recent call last)" in text:
        return None
    causes = [m for line in text.splitlines() if (m := _JAVA_EXCEPTION.match(line.strip()))]
    if causes:
        root = causes[-1]
        reason = f"{root['cls']}: {root['msg'] or ''}".rstrip(": ")
    else:
        reason = next((line.strip() for line in text.splitlines() if line.strip()), "")
    reason = " ".join(reason.split())  # one line, whatever the runner put in it
    if len(reason) > 300:
        reason = reason[:297] + "..."
    job = found["job"].split("_", 1)[0] if found["job"].startswith("BeamApp-") else found["job"]
    return job, reason or f"the job ended in state {found['state']} without a reason"


def runner_failure_line(command: str, job: str, reason: str) -> str:
    """The one line ``akhbar <command>`` prints for a job that failed on the runner."""
    after = AFTER_RUNNER_FAILURE.get(command, "run again")
    return error_line(command, f"the job failed on the runner: {reason} (job {job}; {after})")
