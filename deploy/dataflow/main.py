"""Entry point of akhbar's Dataflow Flex Templates (``FLEX_TEMPLATE_PYTHON_PY_FILE``).

The launcher runs ``python main.py --name=value ...`` with the template's parameters and
Dataflow's own options (``--runner``, ``--project``, ``--region``, ``--temp_location``,
``--sdk_container_image`` ...). Which command runs comes from the image's environment
(``AKHBAR_COMMAND``: ingest or stream, set per template by build-templates.sh). Template
parameter names cannot be akhbar's hyphenated flags in every tool, so ``poll_interval=300`` is
accepted for ``--poll-interval=300``.
"""

from __future__ import annotations

import os
import sys


def akhbar_argv(command: str, args: list[str]) -> list[str]:
    """``--poll_interval=300`` -> ``--poll-interval=300`` for akhbar's own options."""
    from akhbar.pipelines.options import ingest_help_parser, stream_help_parser

    parser = stream_help_parser() if command == "stream" else ingest_help_parser()
    ours = {flag for action in parser._actions for flag in action.option_strings}
    translated = []
    for arg in args:
        name, sep, value = arg.partition("=")
        hyphenated = name.replace("_", "-")
        if name.startswith("--") and name not in ours and hyphenated in ours:
            arg = f"{hyphenated}{sep}{value}"
        translated.append(arg)
    return [command, *translated]


def main() -> int:
    from akhbar.pipelines.cli import main as akhbar

    command = os.environ.get("AKHBAR_COMMAND", "ingest")
    return akhbar(akhbar_argv(command, sys.argv[1:]))


if __name__ == "__main__":
    raise SystemExit(main())
