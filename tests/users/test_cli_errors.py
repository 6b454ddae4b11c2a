"""The exit codes of README "Exit codes", case by case, through the real ``akhbar`` command.

2: every user error this module knows of, each exactly one line on stderr,
``akhbar <command>: error: <what> (<what to do>)``, no traceback, nothing written. 130: Ctrl-C,
then 0: the same command run again completes and balances (``test_interrupt.py`` also covers
``stream`` and worker processes). 1 (accounting) and
3 (output busy) have tests of their own (``tests/test_crash_and_state.py``,
``tests/hardening/test_lock.py``).

A newcomer's first mistakes used to go wrong quietly: ``--inptu in/`` ingested the bundled
samples and exited 0 (Beam only logs "Discarding unparseable args"), and a feed list or output
path mistake ended in a traceback. The usage errors run concurrently (each is a fresh process
that imports Beam) to keep this module quick.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import akhbar_cmd
from tests.users.interrupting import interrupt_when, jsonl_articles

ONE_LINE = re.compile(r"^akhbar (ingest|stream|query|report|schema): error: .+ \(.+\)$")

# id -> (argv, a fragment the one line must hold). Paths are relative to the case's folder.
USAGE_ERRORS: dict[str, tuple[list[str], str]] = {
    "ingest-typo": (
        ["ingest", "--inptu", "in/", "--output", "out"],
        "unknown option --inptu (did you mean --input?)",
    ),
    "ingest-typo-equals": (["ingest", "--outptu=out"], "unknown option --outptu (did you mean --output?)"),
    "stream-typo": (
        ["stream", "--feeds", "feeds.txt", "--pol-interval", "5", "--output", "out"],
        "unknown option --pol-interval (did you mean --poll-interval?)",
    ),
    "stream-typo-equals": (
        ["stream", "--feeds=feeds.txt", "--windw=60", "--output=out"],
        "unknown option --windw (did you mean --window?)",
    ),
    "query-typo": (["query", "--fromat", "csv", "select 1"], "unknown option --fromat (did you mean --format?)"),
    "query-out-renamed": (
        ["query", "--format", "parquet", "--out", "x.parquet", "select 1"],
        "--out was renamed to --export",
    ),
    "report-typo": (["report", "--outptu=out"], "unknown option --outptu (did you mean --output?)"),
    "schema-typo": (["schema", "--fromat=json"], "unknown option --fromat (did you mean --format?)"),
    "output-is-a-file": (["ingest", "--output", "afile"], "--output afile is a file, not a folder"),
    "output-through-a-file": (["ingest", "--output", "afile/out"], "afile is a file, not a folder"),
    "feeds-missing": (
        ["ingest", "--feeds", "missing.yaml", "--output", "out"],
        "missing.yaml: cannot read the feed list",
    ),
    "feeds-not-a-list": (
        ["ingest", "--feeds", "mapping.yaml", "--output", "out"],
        "mapping.yaml: expected a list of feeds",
    ),
    "feeds-entry-without-url": (
        ["ingest", "--feeds", "nourl.yaml", "--output", "out"],
        "nourl.yaml: entry 1 (a): url is missing",
    ),
    "feeds-invalid-yaml": (
        ["ingest", "--feeds", "syntax.yaml", "--output", "out"],
        "syntax.yaml: not valid YAML: line 2, column 1",
    ),
    "input-missing": (["ingest", "--input", "nope/", "--output", "out"], "--input 'nope/' does not exist"),
}  # fmt: skip

FEED_FILES = {
    "feeds.txt": "http://127.0.0.1:9/feed.xml\n",
    "mapping.yaml": "source: a\nurl: https://a.example/rss\n",
    "nourl.yaml": "- {source: a}\n",
    "syntax.yaml": "- {source: a, url: [unclosed\n",
}


def akhbar(cwd: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The command's result; one that does not end in time (a stream that went on with a
    mistyped flag) is reported as exit code -1 rather than hang the module."""
    try:
        return subprocess.run(
            [*akhbar_cmd(), *args], capture_output=True, text=True, timeout=timeout, cwd=cwd
        )
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else ""
        return subprocess.CompletedProcess(exc.cmd, -1, "", f"timed out after {timeout} s\n{err}")


def case_folder(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "afile").write_text("not a folder\n")
    for file, text in FEED_FILES.items():
        (folder / file).write_text(text)
    return folder


@pytest.fixture(scope="module")
def usage_errors(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[Path, subprocess.CompletedProcess[str]]]:
    """Every case of USAGE_ERRORS, run once, a few at a time, each in a folder of its own."""
    root = tmp_path_factory.mktemp("usage")
    folders = {name: case_folder(root, name) for name in USAGE_ERRORS}
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {
            name: pool.submit(akhbar, folders[name], *argv, timeout=120)
            for name, (argv, _fragment) in USAGE_ERRORS.items()
        }
        return {name: (folders[name], future.result()) for name, future in futures.items()}


@pytest.mark.parametrize("case", sorted(USAGE_ERRORS))
def test_usage_error_is_one_line_and_exit_2(
    case: str, usage_errors: dict[str, tuple[Path, subprocess.CompletedProcess[str]]]
) -> None:
    folder, proc = usage_errors[case]
    argv, fragment = USAGE_ERRORS[case]
    report = f"{' '.join(argv)}\nexit {proc.returncode}\nstderr:\n{proc.stderr[-3000:]}"
    assert proc.returncode == 2, report
    assert len(proc.stderr.splitlines()) == 1, report
    line = proc.stderr.strip()
    assert ONE_LINE.match(line), report
    assert line.startswith(f"akhbar {argv[0]}: error: "), report
    assert fragment in line, report
    if "renamed" in fragment:
        assert "did you mean" not in line, report
    assert not (folder / "out").exists(), "a refused command line must not write anything"
    assert not (folder / "output").exists(), "nor fall back to the default output"


def test_ingest_typo_reports_exactly_this_line(
    usage_errors: dict[str, tuple[Path, subprocess.CompletedProcess[str]]],
) -> None:
    _folder, proc = usage_errors["ingest-typo"]
    assert proc.stderr == "akhbar ingest: error: unknown option --inptu (did you mean --input?)\n"


# More usage errors, checked in this process through the same entry point (quicker than a
# process each): argv, the fragment of the one line.
MORE_USAGE_ERRORS = {
    "stray-argument": (["ingest", "in/"], "unexpected argument 'in/' (inputs are given with --input"),
    "retired-dask-runner": (["ingest", "--runner=dask"], "the Dask runner is no longer supported"),
    "bad-value": (["ingest", "--max-depth", "0"], "argument --max-depth: must be a positive integer"),
    "stream-option-on-ingest": (["ingest", "--poll-interval=5"], "is an option of akhbar stream"),
    "stream-input": (["stream", "--feeds", "f.txt", "--input", "x"], "akhbar stream does not read files"),
    "stream-without-feeds": (["stream"], "akhbar stream needs --feeds FILE"),
    "unknown-command": (["ingets"], "unknown command 'ingets' (did you mean ingest?)"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(MORE_USAGE_ERRORS))
def test_more_usage_errors(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from akhbar.pipelines.cli import main

    argv, fragment = MORE_USAGE_ERRORS[case]
    monkeypatch.chdir(tmp_path)  # anything written by mistake would land here
    assert main([*argv, "--output", "out"] if argv[0] != "ingets" else argv) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and fragment in err, err
    assert err.startswith(f"akhbar {argv[0]}: error: " if case != "unknown-command" else "akhbar: ")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("accepted", "mistyped", "suggested"),
    [
        (
            ["--runner=FnApiRunner", "--direct_num_workers=2", "--direct_running_mode=in_memory"],
            "--direct_num_worker=2",
            "--direct_num_workers",
        ),
        (
            ["--s3_endpoint_url=http://127.0.0.1:9000", "--s3_region_name=eu-west-1"],
            "--s3_endpoint=http://127.0.0.1:9000",
            "--s3_endpoint_url",
        ),
        (
            ["--runner=DataflowRunner", "--project=p", "--region=europe-west1"],
            "--regoin=europe-west1",
            "--region",
        ),
        (
            # Java options of a job-server runner (--checkpointing_interval) are its to judge
            ["--runner=FlinkRunner", "--flink_master=localhost:8081", "--checkpointing_interval=1"],
            "--flink-master=localhost:8081",
            "--flink_master",
        ),
        (
            ["--runner=PrismRunner", "--prism_location=/opt/prism"],
            "--prism_locaton=/opt/prism",
            "--prism_location",
        ),
    ],
    ids=["direct", "s3", "dataflow", "flink", "prism"],
)
def test_beam_options_pass_and_their_typos_do_not(
    tmp_path: Path, accepted: list[str], mistyped: str, suggested: str
) -> None:
    """What is a Beam option comes from Beam's option registry, so a real one passes and a
    misspelt one is refused with the real name."""
    from akhbar.pipelines.cli import checked_ingest_argv
    from akhbar.pipelines.options import UsageError

    output = f"--output={tmp_path / 'out'}"
    argv = checked_ingest_argv([*accepted, output])
    assert all(flag in argv for flag in accepted[1:])
    with pytest.raises(UsageError) as err:
        checked_ingest_argv([*accepted, mistyped, output])
    assert f"unknown option {mistyped.split('=')[0]} (did you mean {suggested}?)" == str(err.value)


def test_stream_accepts_its_own_options_without_a_warning(tmp_path: Path) -> None:
    """``--poll-interval`` and ``--window`` used to be "Discarding unparseable args" to Beam:
    they were defined on a subclass Beam's option registry never walks."""
    (tmp_path / "feeds.txt").write_text("http://127.0.0.1:9/feed.xml\n")
    proc = akhbar(
        tmp_path,
        "stream",
        "--dry-run",
        "--feeds",
        "feeds.txt",
        "--poll-interval",
        "60",
        "--window=120",
        "--duration",
        "600",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Discarding" not in proc.stderr and "nparseable" not in proc.stderr


def test_python_api_refuses_a_mistyped_option(tmp_path: Path) -> None:
    """``akhbar.ingest`` goes through the same check as the command line."""
    import akhbar
    from akhbar.pipelines.options import UsageError

    with pytest.raises(UsageError) as err:
        akhbar.ingest(output=tmp_path / "out", inptu="x")
    assert "--inptu" in str(err.value) and "--input" in str(err.value)
    assert not (tmp_path / "out").exists()


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder this process cannot write into, even as root: mode 0555 for other users, the
    immutable attribute (``chattr +i``, which root obeys) for root."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(folder)]).returncode != 0:
        pytest.skip("running as root without chattr +i: no folder refuses root's writes here")
    try:
        yield folder
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


def test_read_only_output_is_one_line_and_exit_2(read_only_folder: Path, tmp_path: Path) -> None:
    with pytest.raises(OSError):  # the folder really refuses writes, whoever runs the test
        (read_only_folder / "probe").mkdir()
    proc = akhbar(tmp_path, "ingest", "--output", str(read_only_folder / "out"))
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert len(proc.stderr.splitlines()) == 1, proc.stderr[-3000:]
    line = proc.stderr.strip()
    assert ONE_LINE.match(line) and "cannot write into" in line, line


def test_os_errors_of_a_run_become_one_line_with_a_hint(read_only_folder: Path) -> None:
    """What the run itself raises past the early check (a folder made read-only, a disk that
    fills up) is formatted from the real OS error, not a made-up one."""
    from akhbar.pipelines.usage import os_error_message

    with pytest.raises(OSError) as raised:
        (read_only_folder / "_state").mkdir()
    message = os_error_message(raised.value)
    assert raised.value.errno in (errno.EACCES, errno.EPERM)
    assert str(read_only_folder / "_state") in message
    assert "choose another --output" in message and "\n" not in message


@pytest.mark.slow
def test_interrupted_run_exits_130_and_the_next_run_balances(tmp_path: Path) -> None:
    """Ctrl-C while the pipeline works on items: one line, exit 130, nothing committed, and
    running the same command again completes and balances."""
    source = jsonl_articles(tmp_path / "big.jsonl", 3000)
    argv = ["ingest", "--input", str(source), "--output", "out"]
    work = tmp_path / "tmp"  # where the run's progress folder appears once items flow
    work.mkdir()
    proc = interrupt_when(
        [*akhbar_cmd(), *argv],
        tmp_path,
        lambda: any(work.glob("akhbar-progress-*/*.json")),
        env={"TMPDIR": str(work)},
    )
    assert proc.returncode == 130, proc.stderr[-3000:]
    assert proc.stderr == "akhbar ingest: interrupted: nothing was committed; run again to resume\n"
    assert not list((tmp_path / "out").glob("articles/**/*.parquet"))
    assert not (tmp_path / "out" / "_runs").exists() or not any((tmp_path / "out/_runs").iterdir())
    again = akhbar(tmp_path, *argv)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "read 3000 = articles 3000" in again.stdout and again.stdout.rstrip().endswith("OK")


def test_query_export_writes_the_file_its_extension_names(
    sample_output: Path, tmp_path: Path
) -> None:
    """``--export FILE`` (formerly ``--out``) is the file to write, in the format its extension
    names unless ``--format`` says otherwise; ``--output`` stays the folder to read."""
    sql = "select source, count(*) as n from articles group by source order by source"
    target = tmp_path / "per-source.csv"
    proc = akhbar(tmp_path, "query", "--output", str(sample_output), "--export", str(target), sql)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "source,n" and len(lines) == 5
    unknown = akhbar(tmp_path, "query", "--output", str(sample_output), "--export", "x.txt", sql)
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1
    assert "--export writes csv, json or parquet" in unknown.stderr
