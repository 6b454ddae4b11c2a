"""Which flags are real for ``akhbar ingest``/``stream``: akhbar's own plus Beam's option registry.

Beam parses options leniently: a flag no options class defines is logged ("Discarding unparseable
args") and dropped, so ``akhbar ingest --inptu in/`` used to ingest the bundled samples and exit
0. ``check_argv`` parses the whole line before anything runs, with akhbar's options of that
command and every options class Beam knows, found the way ``PipelineOptions.get_all_options``
finds them (the imported direct subclasses of ``PipelineOptions``). So a new Beam version's
options are accepted without a list kept by hand.

Runners served by a job server (Flink, Spark, Portable) take options of the Java runner too
(``--checkpointing_interval``), which the Python registry cannot know; for them an unknown flag
in Beam's ``--snake_case`` passes (``--dry-run`` lists it), and only akhbar-style flags are
judged.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any, NoReturn

import apache_beam  # noqa: F401  (importing Beam registers its standard options classes)
from apache_beam.options.pipeline_options import PipelineOptions, _BeamArgumentParser

from akhbar.pipelines.arguments import add_arguments
from akhbar.pipelines.options import IngestOptions, PollingOptions, with_default_runner
from akhbar.pipelines.usage import UsageError, first_unknown, is_option, option_strings

JOB_SERVER_RUNNERS = frozenset({"FlinkRunner", "SparkRunner", "PortableRunner"})

# Options that exist for one command only, with a message that says where they belong.
SPECIAL = {
    "ingest": {
        flag: f"{flag} is an option of akhbar stream (akhbar ingest polls --feeds once per run)"
        for flag in ("--poll-interval", "--window", "--duration")
    },
    "stream": {
        "--input": "akhbar stream does not read files (poll feeds with --feeds FILE; "
        "files go through akhbar ingest --input)",
    },
}
POSITIONAL_HINT = {
    "ingest": "inputs are given with --input PATH",
    "stream": "feeds are given with --feeds FILE",
}


def beam_option_classes() -> list[type[PipelineOptions]]:
    """Beam's registered options classes, as ``get_all_options`` walks them, minus akhbar's."""
    classes: dict[str, type[PipelineOptions]] = {}
    for cls in PipelineOptions.__subclasses__():
        if not issubclass(cls, IngestOptions | PollingOptions):
            classes.setdefault(str(cls), cls)  # get_all_options keeps the first of a name too
    return list(classes.values())


class _CheckingParser(_BeamArgumentParser):
    """Beam's parser (it knows ``add_value_provider_argument``), with one-line errors."""

    def __init__(self, command: str, **kwargs: Any) -> None:
        kwargs.setdefault("add_help", False)
        super().__init__(
            prog=f"akhbar {command}", allow_abbrev=False, conflict_handler="resolve", **kwargs
        )
        self.command = command

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (akhbar {self.command} --help lists the options)")


def _parser(command: str) -> tuple[_CheckingParser, list[str], list[str]]:
    """The parser of the whole command line, Beam's flags and akhbar's own flags."""
    parser = _CheckingParser(command)
    for cls in beam_option_classes():
        cls._add_argparse_args(parser)
    beam_flags = option_strings(parser)
    add_arguments(parser, command)  # last, so that akhbar's own win a (theoretical) clash
    ours = [flag for flag in option_strings(parser) if flag not in set(beam_flags)]
    return parser, beam_flags, ours


def _runner_class(namespace: argparse.Namespace) -> str:
    return str(getattr(namespace, "runner", None) or "").rsplit(".", 1)[-1]


def _left_to_job_server(arg: str, ours: list[str]) -> bool:
    """An argument a job-server runner may know: a value, or a flag in Beam's ``--snake_case``
    that is not one of akhbar's ``--kebab-case`` options spelled with underscores. (Closeness
    cannot decide here: ``--checkpointing_interval`` is Flink's, not a typo of
    ``--poll-interval``.)"""
    if not is_option(arg):
        return True
    name = arg.split("=", 1)[0]
    return name.startswith("--") and "-" not in name[2:] and name.replace("_", "-") not in ours


def check_argv(command: str, argv: list[str]) -> argparse.Namespace:
    """Parse ``argv`` (runner already resolved by ``with_default_runner``) as ``command`` would
    run it; raise ``UsageError`` for an unknown option, a bad value or a stray argument."""
    parser, beam_flags, ours = _parser(command)
    namespace, extra = parser.parse_known_args(argv)
    runner = _runner_class(namespace)
    if runner in JOB_SERVER_RUNNERS:
        extra = [arg for arg in extra if not _left_to_job_server(arg, ours)]
    problem = first_unknown(
        command,
        extra,
        [*ours, *beam_flags],
        SPECIAL.get(command),
        POSITIONAL_HINT.get(command, ""),
    )
    if problem is not None:
        raise problem
    if command == "stream" and not namespace.feeds:
        raise UsageError(
            "akhbar stream needs --feeds FILE (a YAML list of {source, url, language?, "
            "country?}, or one URL per line; e.g. --feeds seeds/feeds.yaml)"
        )
    return namespace


def _first_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return lines[0].strip() if lines else ""


def _groups(classes: list[type[PipelineOptions]]) -> Iterator[tuple[str, str, list[Any]]]:
    for cls in classes:
        own = _BeamArgumentParser(add_help=False, allow_abbrev=False)
        cls._add_argparse_args(own)
        if own._actions:
            yield cls.__name__, _first_line(cls.__doc__), own._actions


def beam_help(command: str, argv: list[str]) -> str:
    """``akhbar <command> --help-beam``: Beam's options, one group per registered class."""
    with_default_runner([a for a in argv if a != "--help-beam"])  # refuses a retired runner
    parser = argparse.ArgumentParser(
        prog=f"akhbar {command}",
        usage=f"akhbar {command} [akhbar options] [Beam options]",
        description="Beam's runner options, read from Beam's option registry (the "
        "PipelineOptions classes imported now). They pass "
        "straight through to Beam, except that akhbar's default --runner is FnApiRunner. "
        f"akhbar's own options: akhbar {command} --help.",
        add_help=False,
        allow_abbrev=False,
        conflict_handler="resolve",
    )
    for title, description, actions in _groups(beam_option_classes()):
        group = parser.add_argument_group(title, description or None)
        for action in actions:
            group._add_action(action)
    return parser.format_help()
