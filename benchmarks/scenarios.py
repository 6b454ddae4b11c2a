"""What ``make bench`` runs: the corpora, the runs on each, and how a scenario is chosen.

A *scenario* is a run on a corpus, named ``<corpus>/<run>`` (``unique-backfill-50k/akhbar_2w_all``).

Corpora (``corpus_path`` makes each on first use, in ``benchmarks/data/``, git-ignored):

- ``unique-<layout>-<size>``: unique articles, ANT sentences recombined
  (``benchmarks/unique_corpus.py``), ``layout`` ``backfill`` (ANT's multi-year dates, one
  outlet) or ``live`` (the last 7 days, 30 outlets), ``size`` 1k, 10k, 50k, 100k or 1m;
- ``ant-5x``: ANT five times, copies perturbed (``benchmarks/corpus.py``): 80% near duplicates,
  the duplicate-heavy scenario;
- ``saudinewsnet``: 31,030 real articles from 14 Saudi newspapers (``benchmarks/real_corpus.py``).

Runs (``RUNS``): akhbar's baselines (``io_floor``, ``reference_script``, ``plain_loop_*``:
akhbar's own functions in one loop), ``akhbar ingest`` on FnApiRunner with 1 worker, 2 workers
or default options (``akhbar_default_all``: no runner flag at all, run on a terminal so that its
live progress display is measured), on Prism, on the local Flink cluster
(``deploy/flink/local.sh``), and datatrove's MinHash dedup.

``DEFAULT_PLAN`` is ``make bench`` (about an hour on 2 idle cores: Prism runs at most twice and
Flink once, each costs minutes at 50k); ``MILLION_PLAN`` adds the 1M corpora and the 10k/100k
runs they are compared with (``make bench-1m``). ``select`` picks scenarios by name, prefix or
glob.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"
PY = sys.executable
AKHBAR = [PY, "-m", "akhbar.pipelines.cli", "ingest"]
ONE = ("--runner=FnApiRunner", "--direct_running_mode=in_memory", "--direct_num_workers=1")
TWO = ("--runner=FnApiRunner", "--direct_running_mode=multi_processing", "--direct_num_workers=2")
FLINK = ("--runner=flink", "--flink_master=localhost:8081", "--parallelism=2")


@dataclass(frozen=True)
class RunSpec:
    """How one run is made; ``kind``: akhbar, plain (a baseline script), or datatrove."""

    name: str
    kind: str
    what: str
    args: tuple[str, ...] = ()
    terminal: bool = False  # on a pseudo-terminal: the live display is drawn and measured
    engine: str | None = None  # needs this engine: "flink" (a running cluster)
    max_repeat: int | None = None  # fewer repetitions than asked: the slow engines


RUNS: dict[str, RunSpec] = {
    r.name: r
    for r in (
        RunSpec("io_floor", "plain", "JSONL -> Arrow -> zstd Parquet, nothing else"),
        RunSpec("reference_script", "plain", "NFKC, blake2b, rensa 16x8 LSH, one Parquet file"),
        RunSpec("plain_loop_all", "plain", "akhbar's own functions in one loop, every stage"),
        RunSpec("plain_loop_no_extract", "plain", "the same, extraction off", ("--no-extract",)),
        RunSpec("akhbar_default_all", "akhbar", "akhbar ingest, default options", (), True),
        RunSpec("akhbar_1w_all", "akhbar", "FnApiRunner, 1 worker", ONE),
        RunSpec("akhbar_2w_all", "akhbar", "FnApiRunner, 2 worker processes", TWO),
        RunSpec("akhbar_1w_no_extract", "akhbar", "1 worker, extraction off", (*ONE, "--no-extract")),
        RunSpec("akhbar_2w_no_extract", "akhbar", "2 workers, extraction off", (*TWO, "--no-extract")),
        RunSpec("akhbar_prism_all", "akhbar", "Prism (cached binary)", ("--runner=prism",),
                max_repeat=2),
        RunSpec("akhbar_flink_all", "akhbar", "Flink cluster, 2 TaskManagers", FLINK,
                engine="flink", max_repeat=1),
        RunSpec("datatrove", "datatrove", "datatrove 0.10.1 MinHash, defaults, 2 workers"),
    )
}  # fmt: skip

Plan = tuple[tuple[str, tuple[str, ...]], ...]

DEFAULT_PLAN: Plan = (
    ("unique-backfill-10k", ("io_floor", "reference_script", "plain_loop_all",
                             "plain_loop_no_extract", "akhbar_1w_all", "akhbar_1w_no_extract",
                             "akhbar_2w_all", "akhbar_default_all")),
    ("unique-backfill-50k", ("io_floor", "reference_script", "plain_loop_all", "akhbar_1w_all",
                             "akhbar_2w_all", "akhbar_default_all", "akhbar_prism_all",
                             "datatrove", "akhbar_flink_all")),
    ("ant-5x", ("reference_script", "akhbar_1w_all", "akhbar_default_all")),
    ("saudinewsnet", ("reference_script", "akhbar_default_all")),
)  # fmt: skip
MILLION_PLAN: Plan = (  # the 1M rows and what they are compared with
    ("unique-live-10k", ("akhbar_default_all",)),
    ("unique-backfill-100k", ("akhbar_default_all",)),
    ("unique-live-100k", ("akhbar_default_all",)),
    ("unique-backfill-1m", ("akhbar_default_all",)),
    ("unique-live-1m", ("akhbar_default_all",)),
)
QUICK_PLAN: Plan = (
    ("unique-backfill-1k", ("io_floor", "reference_script", "plain_loop_all",
                            "plain_loop_no_extract", "akhbar_1w_all", "akhbar_1w_no_extract",
                            "akhbar_2w_all", "akhbar_2w_no_extract", "akhbar_default_all")),
)  # fmt: skip
_UNIQUE = re.compile(r"unique-(backfill|live)-(\d+)([km])")
CORPUS_NAMES = ("unique-<backfill|live>-<N>k|<N>m", "ant-5x", "saudinewsnet")


def corpus_size(name: str) -> int | None:
    """Articles in a named corpus, when the name says (unique) or the corpus is fixed."""
    found = _UNIQUE.fullmatch(name)
    if found:
        return int(found[2]) * (1000 if found[3] == "k" else 1_000_000)
    return {"ant-5x": 50_805, "saudinewsnet": 31_030}.get(name)


def is_corpus(name: str) -> bool:
    return corpus_size(name) is not None


def corpus_path(name: str, data: Path = DATA, head: int | None = None) -> Path:
    """The JSONL of corpus ``name``, made (once) if missing, by a process of its own: making
    one loads ANT and numpy, and a harness grown by that would inflate the peak RSS of every
    run it starts (a forked child's ``ru_maxrss`` starts at its parent's size)."""
    cmd = [PY, "-m", "benchmarks.scenarios", name, "--data", str(data)]
    done = subprocess.run([*cmd, *(["--head", str(head)] if head else [])],
                          cwd=REPO, capture_output=True, text=True)  # fmt: skip
    if done.returncode:
        error = done.stderr.strip().splitlines() or ["failed"]
        kind = ValueError if "unknown corpus" in error[-1] else FileNotFoundError
        raise kind(f"corpus {name}: {error[-1]}")
    return Path(done.stdout.strip().splitlines()[-1])


def build_corpus(name: str, data: Path = DATA, head: int | None = None) -> Path:
    """``corpus_path``'s work, in this process; ``head``: only the first articles (a unique
    corpus of that size instead, not the first lines of a 1M file)."""
    from benchmarks import real_corpus, unique_corpus

    found = _UNIQUE.fullmatch(name)
    if found:
        size = corpus_size(name)
        assert size is not None
        return unique_corpus.ensure(found[1], min(size, head or size), data)
    if head:
        full = build_corpus(name, data)
        path = data / f"{name}.head{head}.jsonl"
        if not path.exists():
            with full.open("rb") as source, path.open("wb") as out:
                for i, line in enumerate(source):
                    if i >= head:
                        break
                    out.write(line)
        return path
    if name == "ant-5x":
        from benchmarks.corpus import ant_records, write_copies

        path = data / "ant-5x.jsonl"
        if not path.exists():
            data.mkdir(parents=True, exist_ok=True)
            write_copies(ant_records(), 5, path, seed=13)
        return path
    if name == "saudinewsnet":
        return real_corpus.ensure(data)
    raise ValueError(f"unknown corpus {name!r}; corpora: {', '.join(CORPUS_NAMES)}")


def main(argv: list[str] | None = None) -> None:
    """Make a corpus (``corpus_path`` runs this) and print its path."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("corpus")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--head", type=int)
    args = parser.parse_args(argv)
    print(build_corpus(args.corpus, args.data, args.head))


if __name__ == "__main__":
    main()


def names(plan: Plan) -> list[str]:
    return [f"{corpus}/{run}" for corpus, runs in plan for run in runs]


def _matches(pattern: str, name: str) -> bool:
    corpus, run = name.split("/", 1)
    return (
        name.startswith(pattern)
        or run.startswith(pattern)
        or fnmatch.fnmatchcase(name, pattern)
        or corpus == pattern
    )


def select(patterns: Sequence[str] | None, with_million: bool = False) -> Plan:
    """The plan to run: the default one (plus the 1M corpora), or the scenarios of either plan
    that ``patterns`` name (a full name, a corpus, a prefix of a name or of a run, or a glob);
    ``corpus/run`` also names a pair that no plan holds (``unique-live-10k/akhbar_prism_all``)."""
    base = [*DEFAULT_PLAN, *(MILLION_PLAN if with_million else ())]
    if not patterns:
        return tuple(base)
    known = names((*DEFAULT_PLAN, *MILLION_PLAN))
    chosen: list[str] = []
    for pattern in patterns:
        hits = [n for n in known if _matches(pattern, n)]
        corpus, _, run = pattern.partition("/")
        if not hits and run in RUNS and is_corpus(corpus):
            hits = [pattern]
        if not hits:
            raise ValueError(
                f"no scenario matches {pattern!r}; corpora: {', '.join(CORPUS_NAMES)}; "
                f"runs: {', '.join(RUNS)}"
            )
        chosen += [h for h in hits if h not in chosen]
    plan: dict[str, list[str]] = {}
    for name in chosen:
        corpus, run = name.split("/", 1)
        plan.setdefault(corpus, []).append(run)
    return tuple((corpus, tuple(runs)) for corpus, runs in plan.items())


@dataclass(frozen=True)
class Scenario:
    """One command to time; ``fresh``: folders removed before every repetition."""

    corpus: str
    run: RunSpec
    cmd: list[str]
    output: Path | None = None  # akhbar's output folder (kept after the last repetition)
    fresh: tuple[Path, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.corpus}/{self.run.name}"


def command(corpus: str, run: RunSpec, path: Path, work: Path, dt_python: str | None) -> Scenario:
    """The command line of ``run`` over the corpus file ``path``, writing under ``work``."""
    folder = work / run.name
    if run.kind == "akhbar":
        out = folder / "out"
        cmd = [*AKHBAR, "--input", str(path), "--output", str(out), *run.args]
        return Scenario(corpus, run, cmd, out, (out,))
    if run.kind == "datatrove":
        shards = folder / "in"
        cmd = [str(dt_python), str(HERE / "datatrove_minhash.py"), str(shards), str(folder / "dt"),
               str(folder / "dt.json"), "--workers", "2", "--no-clusters"]  # fmt: skip
        return Scenario(corpus, run, cmd, None, (folder / "dt",))
    module = run.name.removesuffix("_all").removesuffix("_no_extract")
    if module == "plain_loop":
        cmd = [PY, "-m", "benchmarks.plain_loop", str(path), str(folder / "plain"), *run.args]
        return Scenario(corpus, run, cmd, None, (folder / "plain",))
    cmd = [PY, "-m", f"benchmarks.{module}", str(path), str(folder / "out.parquet")]
    return Scenario(corpus, run, cmd)


def split_shards(path: Path, shards: int, folder: Path) -> Path:
    """``path`` cut into ``shards`` consecutive JSONL files (datatrove parallelizes by file),
    streamed: a shard at a time is never the whole corpus in memory."""
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("rb") as handle:
        total = sum(1 for _ in handle)
    step = -(-total // shards)
    with path.open("rb") as handle:
        for i in range(shards):
            with (folder / f"part-{i:03d}.jsonl").open("wb") as out:
                for _ in range(step):
                    line = handle.readline()
                    if not line:
                        break
                    out.write(line)
    return folder
