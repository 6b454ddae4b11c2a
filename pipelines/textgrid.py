"""A terminal table for query results that keeps Arabic legible.

Arabic text is written in logical order, never reversed or reshaped: terminals with bidi support
(VTE, Konsole, mlterm, iTerm2, Windows Terminal) shape and order it themselves, and pre-reversed
text would come out backwards there and in every pipe or file. What this module does instead:

- measures *display* width: Arabic diacritics (harakat) and other combining marks take no
  column, wide East Asian characters take two, so columns line up whatever the script;
- folds newlines, tabs and control characters (including bidi controls, which would reorder the
  rest of the line) into spaces or drops them, so one row is one line;
- cuts long values to a width at a character boundary, never between a letter and its marks,
  and marks the cut with an ellipsis.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

ELLIPSIS = "…"
NULL = "NULL"
# Bidi embedding/override/isolate controls and marks: they would reorder the whole line.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def char_width(ch: str) -> int:
    """Columns a terminal gives one code point: 0 for marks and format characters, 2 for wide."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


def display_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def one_line(text: str) -> str:
    """Whitespace runs (newlines, tabs) become one space; control and bidi characters are dropped."""
    out = []
    for ch in text:
        if ch in "\n\r\t\v\f":
            out.append(" ")
        elif ch in _BIDI_CONTROLS or unicodedata.category(ch) == "Cc":
            continue
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def truncate(text: str, width: int) -> str:
    """At most ``width`` columns; a cut value ends in an ellipsis. Marks stay with their letter."""
    if display_width(text) <= width:
        return text
    budget = max(width - 1, 0)
    used = 0
    end = 0
    for i, ch in enumerate(text):
        w = char_width(ch)
        if used + w > budget:
            break
        used += w
        end = i + 1
    return text[:end].rstrip() + ELLIPSIS


def pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - display_width(text), 0)
    return gap + text if right else text + gap


def format_value(value: Any) -> str:
    """A compact, unambiguous cell text; nested values print as JSON, Arabic unescaped."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return f"{value:.6g}"
    if isinstance(value, datetime | date | time):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def is_numeric(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def render_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    max_width: int = 40,
    total_rows: int | None = None,
) -> str:
    """A box-drawn table; numbers right-aligned, text left-aligned, each cell cut to max_width."""
    cells = [[truncate(one_line(format_value(v)), max_width) for v in row] for row in rows]
    heads = [truncate(one_line(c), max_width) for c in columns]
    widths = [display_width(h) for h in heads]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))
    numeric = [
        bool(rows) and all(is_numeric(r[i]) or r[i] is None for r in rows)
        for i in range(len(columns))
    ]

    def line(left: str, mid: str, right: str) -> str:
        return left + mid.join("─" * (w + 2) for w in widths) + right

    out = [line("┌", "┬", "┐")]
    out.append("│" + "│".join(f" {pad(h, w)} " for h, w in zip(heads, widths, strict=True)) + "│")
    out.append(line("├", "┼", "┤"))
    for row in cells:
        out.append(
            "│"
            + "│".join(
                f" {pad(c, w, right=n)} " for c, w, n in zip(row, widths, numeric, strict=True)
            )
            + "│"
        )
    out.append(line("└", "┴", "┘"))
    total = len(rows) if total_rows is None else total_rows
    shown = f", {len(rows)} shown" if total != len(rows) else ""
    out.append(f"({total} row{'s' if total != 1 else ''}{shown})")
    return "\n".join(out)
