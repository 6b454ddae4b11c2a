"""robots.txt: our group or '*', longest match with wildcards, crawl delay, HTTP status rules."""

from __future__ import annotations

from urllib.robotparser import RobotFileParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.transforms.sources.article import (
    RobotsRules,
    robots_allows,
    robots_crawl_delay,
    robots_token,
    robots_url,
)

UA = "akhbar/0.1 (+https://github.com/akhbar/akhbar)"
OTHER = "SomeOtherBot/2.0"
ROBOTS = """\
# a news site
User-agent: *
Disallow: /admin/
Disallow: /search
Crawl-delay: 10

User-agent: akhbar
Disallow: /private/
Allow: /private/press/
Crawl-delay: 2.5

User-agent: BadBot
Disallow: /
"""


@pytest.mark.parametrize(
    ("url", "ours", "others"),
    [
        ("https://news.example/politics/1.html", True, True),
        ("https://news.example/admin/login", True, False),  # only '*' forbids it
        ("https://news.example/search?q=x", True, False),
        ("https://news.example/private/memo", False, True),  # only our group forbids it
        ("https://news.example/private/press/release-1", True, True),  # longer Allow wins
    ],
)
def test_our_group_replaces_the_star_group(url: str, ours: bool, others: bool) -> None:
    assert robots_allows(ROBOTS, url, UA) is ours
    assert robots_allows(ROBOTS, url, OTHER) is others
    assert robots_allows(ROBOTS, url, "BadBot/1.0") is False


def test_crawl_delay() -> None:
    assert robots_crawl_delay(ROBOTS, UA) == 3.0  # 2.5 rounded up: robotparser reads integers
    assert robots_crawl_delay(ROBOTS, OTHER) == 10.0
    assert robots_crawl_delay(ROBOTS, "BadBot") is None
    assert robots_crawl_delay("User-agent: *\nDisallow: /x\n", UA) is None


def test_user_agent_token() -> None:
    assert robots_token(UA) == "akhbar"
    assert robots_token("Mozilla/5.0 (compatible; akhbar/0.1; +https://x)") == "akhbar"
    assert robots_token("akhbar") == "akhbar"
    assert robots_token("") == "*"
    only_browser = RobotsRules.parse("User-agent: mozilla\nDisallow: /\n")
    assert only_browser.allows("https://a.example/x", "Mozilla/5.0 (compatible; akhbar/0.1)")


WILDCARDS = """\
User-agent: *
Disallow: /*?print=
Disallow: /*.pdf$
Disallow: /news/
Allow: /news/$
Allow: /news/public/
"""


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/article/1?print=1", False),
        ("/article/1?page=2", True),
        ("/files/report.pdf", False),
        ("/files/report.pdf?download=1", True),  # '$' anchors at the end
        ("/news/", True),
        ("/news/local/1", False),
        ("/news/public/1", True),
        ("/robots.txt", True),
    ],
)
def test_wildcards_and_longest_match(path: str, allowed: bool) -> None:
    assert robots_allows(WILDCARDS, f"https://site.example{path}", UA) is allowed


def test_why_not_plain_robotparser() -> None:
    """urllib.robotparser alone takes the first matching line and no wildcards."""
    plain = RobotFileParser()
    plain.parse(WILDCARDS.splitlines())
    assert plain.can_fetch(UA, "https://site.example/article/1?print=1") is True
    assert robots_allows(WILDCARDS, "https://site.example/article/1?print=1", UA) is False
    order = "User-agent: *\nDisallow: /news/\nAllow: /news/public/\n"
    plain = RobotFileParser()
    plain.parse(order.splitlines())
    assert plain.can_fetch(UA, "https://site.example/news/public/1") is False
    assert robots_allows(order, "https://site.example/news/public/1", UA) is True


def test_equal_length_rules_allow() -> None:
    text = "User-agent: *\nDisallow: /page\nAllow: /page\n"
    assert robots_allows(text, "https://a.example/page", UA) is True


def test_arabic_paths_match_encoded_or_not() -> None:
    text = "User-agent: *\nDisallow: /%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/\n"
    assert robots_allows(text, "https://a.example/أخبار/1", UA) is False
    assert robots_allows(text, "https://a.example/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/1", UA) is False
    assert robots_allows(text, "https://a.example/رياضة/1", UA) is True


@pytest.mark.parametrize(
    "text",
    ["", "User-agent: *\nDisallow:\n", "# nothing\n", "User-agent: other\nDisallow: /\n",
     "Disallow: /\n"],  # a rule before any User-agent line belongs to no group
)  # fmt: skip
def test_files_that_allow_everything(text: str) -> None:
    assert robots_allows(text, "https://a.example/any/page", UA) is True


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(200, False), (404, True), (410, True), (401, True), (403, True), (500, False),
     (503, False), (None, False)],
)  # fmt: skip
def test_http_status_of_robots_txt(status: int | None, allowed: bool) -> None:
    """RFC 9309: 4xx means no rules; 5xx or no answer means keep off for now."""
    rules = RobotsRules.from_response(status, "User-agent: *\nDisallow: /\n")
    assert rules.allows("https://a.example/page", UA) is allowed


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("https://WWW.Youm7.com/story/2024/1/1/x?y=1#z", "https://www.youm7.com/robots.txt"),
        ("http://user:pw@example.com:80/a", "http://example.com/robots.txt"),
        ("https://example.com:443/a", "https://example.com/robots.txt"),
        ("https://example.com:8443/a", "https://example.com:8443/robots.txt"),
        ("http://127.0.0.1:8080/page.html", "http://127.0.0.1:8080/robots.txt"),
        ("http://[::1]:8080/a", "http://[::1]:8080/robots.txt"),
        ("ftp://example.com/a", None),
        ("javascript:alert(1)", None),
        ("https:///nohost", None),
        ("http://example.com:99999/a", None),
    ],
)
def test_robots_url(page: str, expected: str | None) -> None:
    assert robots_url(page) == expected


def test_one_robots_url_per_origin() -> None:
    pages = ["https://a.example/1", "https://A.example:443/2?x", "https://a.example/3#f"]
    assert len({robots_url(p) for p in pages}) == 1


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400), st.text(max_size=60), st.text(max_size=40))
def test_never_raises(text: str, path: str, agent: str) -> None:
    rules = RobotsRules.parse(text)
    assert isinstance(rules.allows(f"https://a.example/{path}", agent), bool)
    delay = rules.crawl_delay(agent)
    assert delay is None or delay >= 0
    robots_url(path)
