"""The ``--feeds`` list: YAML (``[{source, url, language?, country?}]``) or text (one URL a line).

A mistyped feed list should stop a run before it starts, with every problem named by its line or
entry, not turn into hours of rejected fetches. So ``load_feed_list`` checks everything and raises
one ``FeedListError`` listing all problems: missing or unknown keys (a typo such as ``lang``
would otherwise be silently ignored), URLs that are not absolute http(s), malformed slugs,
language or country codes, and repeated URLs.

In the text form the source is the URL's host without ``www.`` (``host_of``), as for files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from akhbar.transforms.dedup.urls import canonical_url, host_of
from akhbar.transforms.sources.ssrf import url_scheme

YAML_SUFFIXES = (".yaml", ".yml", ".json")
ALLOWED_KEYS = frozenset({"source", "url", "language", "country"})
INTERNATIONAL = "intl"
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


FIX_HINT = "a feed list is a YAML list of {source, url, language?, country?}, or one URL per line"
MAX_SHOWN = 10


class FeedListError(ValueError):
    """The feed list is unusable; ``problems`` holds one message per bad line or entry.

    The message names them on one line (``akhbar ingest: error: <message> (<hint>)`` is what a
    user sees, and an error that scrolls is an error that is misread); ``hint`` says what to do.
    """

    def __init__(self, name: str, problems: list[str], hint: str = FIX_HINT) -> None:
        problems = [" ".join(p.split()) for p in problems]
        if len(problems) == 1:
            text = f"{name}: {problems[0]}"
        else:
            more = f"; and {len(problems) - MAX_SHOWN} more" if len(problems) > MAX_SHOWN else ""
            shown = "; ".join(problems[:MAX_SHOWN])
            text = f"{name}: {len(problems)} problems in the feed list: {shown}{more}"
        super().__init__(text)
        self.problems = problems
        self.hint = hint


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed to poll. ``source`` is the slug used in partitions; ``country`` is an ISO 3166-1
    alpha-2 code (upper case) or ``'intl'`` for international services."""

    source: str
    url: str
    language: str | None = None
    country: str | None = None


def load_feed_list(path: str | Path) -> list[FeedSpec]:
    """Read a feed list file: YAML when it ends in .yaml/.yml/.json, one URL per line otherwise."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise FeedListError(
            str(path), [f"cannot read the feed list: {reason}"], "check the path given to --feeds"
        ) from None
    except UnicodeDecodeError as exc:
        raise FeedListError(
            str(path), [f"not UTF-8 text ({exc.reason} at byte {exc.start})"], "save it as UTF-8"
        ) from None
    fmt = "yaml" if file.suffix.lower() in YAML_SUFFIXES else "text"
    return parse_feed_list(text, file.name, fmt)


def parse_feed_list(text: str, name: str = "feeds", fmt: str = "yaml") -> list[FeedSpec]:
    """Parse a feed list held in memory (``fmt`` is 'yaml' or 'text'); see ``load_feed_list``."""
    if fmt == "yaml":
        specs, problems = _from_yaml(text)
    elif fmt == "text":
        specs, problems = _from_text(text)
    else:
        raise ValueError(f"unknown feed list format {fmt!r}")
    seen: dict[str, str] = {}
    for where, spec in specs:
        if spec.url in seen:
            problems.append(f"{where}: {spec.url} is listed twice (first at {seen[spec.url]})")
        seen.setdefault(spec.url, where)
    if problems:
        raise FeedListError(name, problems)
    if not specs:
        raise FeedListError(name, ["the list holds no feed"])
    return [spec for _where, spec in specs]


def _from_text(text: str) -> tuple[list[tuple[str, FeedSpec]], list[str]]:
    specs: list[tuple[str, FeedSpec]] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()  # '#' starts a comment after a blank
        if not line:
            continue
        where = f"line {number}"
        if len(line.split()) > 1:
            problems.append(f"{where}: expected one URL, got {line!r}")
            continue
        url_problem = _url_problem(line)
        if url_problem:
            problems.append(f"{where}: {url_problem}")
            continue
        specs.append((where, FeedSpec(source=host_of(line) or "unknown", url=line)))
    return specs, problems


def _from_yaml(text: str) -> tuple[list[tuple[str, FeedSpec]], list[str]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return [], [f"not valid YAML: {_yaml_problem(exc)}"]
    if isinstance(data, dict) and set(data) == {"feeds"}:
        data = data["feeds"]
    if not isinstance(data, list):
        kind = {dict: "a mapping", str: "text", type(None): "nothing"}.get(type(data))
        return [], [f"expected a list of feeds, got {kind or type(data).__name__}"]
    specs: list[tuple[str, FeedSpec]] = []
    problems: list[str] = []
    for number, entry in enumerate(data, start=1):
        where = f"entry {number}"
        if isinstance(entry, dict) and isinstance(entry.get("source"), str):
            where += f" ({entry['source']})"
        spec, entry_problems = _entry(entry)
        problems.extend(f"{where}: {p}" for p in entry_problems)
        if spec is not None:
            specs.append((where, spec))
    return specs, problems


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """PyYAML's message in one line: where, then what (its own text spans several lines)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return " ".join(str(exc).split())


def _entry(entry: Any) -> tuple[FeedSpec | None, list[str]]:
    if not isinstance(entry, dict):
        return None, [f"expected a mapping with source and url, got {entry!r}"]
    allowed = ", ".join(sorted(ALLOWED_KEYS))
    problems = [f"unknown key {k!r} (allowed: {allowed})" for k in entry if k not in ALLOWED_KEYS]
    values: dict[str, str | None] = {}
    for key in sorted(ALLOWED_KEYS):
        value = entry.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(f"{key} must be a string, got {value!r}")
            value = None
        values[key] = value.strip() if isinstance(value, str) else None
    source, url = values["source"], values["url"]
    language, country = values["language"], values["country"]
    if not source:
        problems.append("source is missing")
    elif not _SLUG.match(source):
        problems.append(f"source {source!r} is not a slug (a-z, 0-9, '.', '_', '-')")
    if not url:
        problems.append("url is missing")
    elif problem := _url_problem(url):
        problems.append(problem)
    if language is not None and not _LANGUAGE.match(language.lower()):
        problems.append(f"language {language!r} is not a language code such as 'ar'")
    international = country is not None and country.lower() == INTERNATIONAL
    if country is not None and not international and not _COUNTRY.match(country.upper()):
        problems.append(f"country {country!r} is not an ISO 3166-1 alpha-2 code or 'intl'")
    if problems or not source or not url:
        return None, problems
    return FeedSpec(
        source=source,
        url=url,
        language=language.lower() if language else None,
        country=_country(country),
    ), []


def _country(country: str | None) -> str | None:
    if not country:
        return None
    return INTERNATIONAL if country.lower() == INTERNATIONAL else country.upper()


def _url_problem(url: str) -> str | None:
    scheme = url_scheme(url)
    if scheme not in ("http", "https"):
        return f"{url!r} is not an http(s) URL"
    if canonical_url(url) is None:
        return f"{url!r} is not a valid absolute URL"
    return None
