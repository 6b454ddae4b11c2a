"""``akhbar ingest --help`` and ``akhbar stream --help``: instant, grouped, every default said.

Instant means "does not import Beam" (checked with ``sys.modules``, not a stopwatch): the options
are defined in ``pipelines/arguments.py``, which imports neither Beam nor a transform that does.
``--help-beam`` lists Beam's own options from Beam's option registry.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO, akhbar_cmd

GROUPS = {
    "ingest": [
        "inputs:",
        "feeds and fetching:",
        "dedup:",
        "extraction:",
        "limits:",
        "output and run control:",
    ],
    "stream": [
        "filters:",
        "feeds and fetching:",
        "dedup:",
        "extraction:",
        "limits:",
        "output and run control:",
        "polling schedule:",
    ],
}


def help_text(*args: str) -> str:
    proc = subprocess.run(
        [*akhbar_cmd(), *args], capture_output=True, text=True, timeout=120, cwd=REPO / "tests"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stderr == ""
    return proc.stdout


@pytest.mark.parametrize("command", ["ingest", "stream"])
def test_help_does_not_import_beam(command: str) -> None:
    code = (
        "import sys\n"
        "from akhbar.pipelines.cli import main\n"
        f"assert main([{command!r}, '--help']) == 0\n"
        "print('apache_beam' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.splitlines()[-1] == "False"


@pytest.mark.parametrize("command", ["ingest", "stream"])
def test_help_groups_options_and_says_every_default(command: str) -> None:
    from akhbar.pipelines.arguments import help_parser

    text = help_text(command, "--help")
    positions = [text.find(f"\n{group}\n") for group in GROUPS[command]]
    assert all(p > 0 for p in positions), (GROUPS[command], positions)
    assert positions == sorted(positions)
    for action in help_parser(command)._actions:
        if action.option_strings[0] in ("-h", "--help-beam"):
            continue
        assert action.help and ("Default" in action.help or "Required" in action.help), (
            action.option_strings
        )
        assert action.option_strings[0] in text
    # the default bounds shown are the ones the run uses (one definition, transforms.bounds)
    from apache_beam.options.pipeline_options import PipelineOptions

    from akhbar.pipelines.ingest import fetch_config_from
    from akhbar.pipelines.options import IngestOptions
    from akhbar.transforms.prepare import PrepareConfig
    from akhbar.transforms.sources.http import FetchConfig
    from akhbar.transforms.sources.limits import ReadLimits

    opts = PipelineOptions([]).view_as(IngestOptions)
    fetch = fetch_config_from(opts)
    assert (opts.max_file_bytes, opts.max_feed_items, opts.max_depth) == (
        ReadLimits().max_file_bytes,
        ReadLimits().max_feed_items,
        ReadLimits().max_depth,
    )
    assert opts.max_text_chars == PrepareConfig().max_text_chars
    assert (fetch.max_bytes, fetch.max_redirects) == (
        FetchConfig().max_bytes,
        FetchConfig().max_redirects,
    )
    assert f"Default: {ReadLimits().max_feed_items:,}" in text
    assert "--help-beam" in text and "Exit codes:" in " ".join(text.split())


def test_stream_help_is_truthful_about_inputs() -> None:
    """``stream`` reads --feeds only: no --input (it used to show "Default: the bundled
    seeds/samples/", which stream never read), and --feeds is required."""
    text = help_text("stream", "--help")
    assert "--input" not in text and "seeds/samples" not in text
    flat = " ".join(text.split())
    assert "or one URL per line. Required" in flat
    assert "Default: 300" in flat  # --poll-interval


def test_help_beam_lists_the_registry() -> None:
    """Every option of Beam's registered options classes is listed, grouped by class."""
    import apache_beam  # noqa: F401
    from apache_beam.options.pipeline_options import _BeamArgumentParser

    from akhbar.pipelines.registry import beam_option_classes

    text = help_text("ingest", "--help-beam")
    standard = [
        cls
        for cls in beam_option_classes()  # this process may have imported more (tests)
        if cls.__module__ == "apache_beam.options.pipeline_options"
    ]
    assert len(standard) > 15
    for cls in standard:
        parser = _BeamArgumentParser(add_help=False)
        cls._add_argparse_args(parser)
        flags = [s for action in parser._actions for s in action.option_strings]
        if flags:
            assert f"\n{cls.__name__}:" in text, cls.__name__
        for flag in flags:
            assert flag in text, flag
    assert "--input" not in text  # akhbar's own are in --help
    assert "--dask_client_address" not in text
