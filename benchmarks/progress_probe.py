"""Did ``akhbar ingest`` show its progress the whole way? Read from what it drew in a terminal.

``timing.run_once(..., terminal=True)`` runs the command on a pseudo-terminal and keeps every
chunk it wrote with the time it arrived. ``analyse`` turns that into the figures issue 19's
"progress display the whole way" is judged on:

- ``display_start_s``: when the first frame of the live table appeared (imports and planning
  come before it);
- ``max_frame_gap_s``: the longest time with no new frame, up to the end of the process: a
  display that stops refreshing shows here;
- ``longest_freeze_s`` (``freeze_from_s``/``freeze_to_s``): the longest time during which no
  count in the table changed, while frames kept coming: the clock ticks but the user learns
  nothing (a stage that reports no count, or a runner that holds everything until a shuffle);
- ``met``: the display started within ``START_LIMIT_S``, never paused more than
  ``GAP_LIMIT_S``, and no count froze longer than ``FREEZE_SHARE`` of the run (at least
  ``FREEZE_FLOOR_S``). That last bar is this benchmark's reading of "the whole way"; the
  figures themselves are in the report, so another reading can be checked against them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

START_LIMIT_S = 15.0
GAP_LIMIT_S = 5.0
FREEZE_SHARE = 0.10
FREEZE_FLOOR_S = 30.0
_ANSI = re.compile(
    r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]"
)
_TITLE = re.compile(r"akhbar ingest\s*\S\s*([\d.]+) s")
LABELS = (
    "items read",
    "cleaned and normalized",
    "rejected by filters",
    "already ingested by earlier runs",
    "articles written",
    "duplicates written",
    "rejects written",
)
_TAIL = 8192  # a frame is far shorter: the latest values are always in the last few KB


def counts_in(text: str, labels: Sequence[str] = LABELS) -> tuple[int | None, ...]:
    """The last value shown for each label in ``text`` (ANSI sequences removed); None: absent."""
    plain = _ANSI.sub("", text)
    out: list[int | None] = []
    for label in labels:
        found = re.findall(re.escape(label) + r"\s+([\d,]+)", plain)
        out.append(int(found[-1].replace(",", "")) if found else None)
    return tuple(out)


def analyse(frames: Sequence[tuple[float, str]], seconds: float) -> dict[str, Any]:
    """The figures of the module docstring from ``frames`` ((seconds after start, text))."""
    shown: list[float] = []  # times of chunks that drew a frame
    changes: list[float] = []  # times at which some count changed
    last: tuple[int | None, ...] | None = None
    buffer = ""
    for at, text in frames:
        buffer = (buffer + text)[-_TAIL:]
        if not _TITLE.search(_ANSI.sub("", text)):
            continue
        shown.append(at)
        now = counts_in(buffer)
        if now != last:
            changes.append(at)
            last = now
    if not shown:
        return {"frames": 0, "met": False, "why": "no live display was drawn"}
    gaps = [b - a for a, b in zip([*shown], [*shown[1:], seconds], strict=True)]
    marks = [*changes, shown[-1]]
    freezes = [(b - a, a, b) for a, b in pairwise(marks)] or [(0.0, 0.0, 0.0)]
    freeze, frozen_from, frozen_to = max(freezes)
    limit = max(FREEZE_FLOOR_S, FREEZE_SHARE * seconds)
    result = {
        "frames": len(shown),
        "count_changes": len(changes),
        "display_start_s": round(shown[0], 2),
        "max_frame_gap_s": round(max(gaps), 2),
        "longest_freeze_s": round(freeze, 2),
        "freeze_from_s": round(frozen_from, 2),
        "freeze_to_s": round(frozen_to, 2),
        "freeze_limit_s": round(limit, 1),
        "final_counts": dict(zip(LABELS, last or (), strict=False)),
    }
    why = []
    if shown[0] > START_LIMIT_S:
        why.append(f"display started after {shown[0]:.1f} s (> {START_LIMIT_S:.0f} s)")
    if max(gaps) > GAP_LIMIT_S:
        why.append(f"no frame for {max(gaps):.1f} s (> {GAP_LIMIT_S:.0f} s)")
    if freeze > limit:
        why.append(
            f"counts frozen for {freeze:.0f} s ({frozen_from:.0f}-{frozen_to:.0f} s; > {limit:.0f} s)"
        )
    return {**result, "met": not why, "why": "; ".join(why)}
