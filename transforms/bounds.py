"""Default bounds on what one input may cost a run (README, "Limits").

They live here, in a module that imports nothing, because two very different readers need the
same numbers: the readers and fetchers that enforce them (``transforms.sources.limits``,
``transforms.sources.http``, ``transforms.prepare``), and ``akhbar ingest --help``, which shows
them and must answer without importing Beam (a help screen that takes seconds is one users stop
reading). Keeping one definition means the help can never advertise a bound the run does not use.
"""

from __future__ import annotations

DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024
# Real feeds carry tens to a few hundred items; 10,000 leaves room for archive feeds while a
# runaway export cannot flood the run. Items past the limit are rejected one by one (each keeps
# its id), so nothing disappears without a row.
DEFAULT_MAX_FEED_ITEMS = 10_000
# Nesting: real JSON records and feeds stay under 20 levels. 1000 is about as deep as Python's
# JSON parser goes (it recurses), so a JSON line near it may also be refused as too deep.
# HTML pages have a lower ceiling of their own: libxml2 builds a tree at most 256 elements deep
# and drops everything below, so a deeper page is rejected whatever this says (HTML_MAX_DEPTH).
DEFAULT_MAX_DEPTH = 1000
HTML_MAX_DEPTH = 256
# Longer text, summary or title is cut (at a word) and the article flagged ``truncated``.
DEFAULT_MAX_TEXT_CHARS = 200_000
# One HTTP body, on the wire or decompressed (a gzip bomb stops here).
DEFAULT_MAX_FETCH_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
