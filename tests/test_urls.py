"""dedup/urls.py: canonical links and matching keys, so URL variants of one article meet."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

from akhbar.transforms.dedup.urls import canonical_url, host_of, url_key


def test_canonical_url_drops_tracking_fragment_and_default_port() -> None:
    url = (
        "HTTPS://WWW.Youm7.COM:443/story/2026/11/29/خبر?utm_source=rss&id=5&UTM_Medium=feed"
        "&fbclid=abc&gclid=q#comments"
    )
    assert canonical_url(url) == "https://www.youm7.com/story/2026/11/29/%D8%AE%D8%A8%D8%B1?id=5"


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("http://example.com:80/a/", "http://example.com/a/"),
        ("https://example.com:443", "https://example.com/"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com:8080/a", "https://example.com:8080/a"),
        ("https://Example.COM./a?b=1#x", "https://example.com/a?b=1"),
        ("https://example.com/a?fbclid=1&gclid=2&utm_campaign=x", "https://example.com/a"),
        (
            "https://example.com/a?q=%D9%85%D8%B5%D8%B1&x=",
            "https://example.com/a?q=%D9%85%D8%B5%D8%B1&x=",
        ),
        ("  https://example.com/a\n", "https://example.com/a"),
        ("https://مثال.مصر/خبر", "https://xn--mgbh0fb.xn--wgbh1c/%D8%AE%D8%A8%D8%B1"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript://example.com/%0aalert(1)",
        "file:///etc/passwd",
        "ftp://example.com/a",
        "mailto:editor@youm7.com",
        "data:text/html,<b>x</b>",
        "//example.com/a",
        "/story/1",
        "story/1",
        "http://",
        "https:///path",
        "http://exa mple.com/",
        "http://[::1",
        "",
        None,
    ],
)
def test_not_absolute_http_urls_give_none(url: str | None) -> None:
    assert canonical_url(url) is None
    assert url_key(url) is None
    assert host_of(url) is None


VARIANTS_OF_ONE_ARTICLE = [
    "https://www.youm7.com/story/2026/11/29/خبر-عاجل?id=5&page=2",
    "http://www.youm7.com/story/2026/11/29/خبر-عاجل?id=5&page=2",
    "https://youm7.com/story/2026/11/29/خبر-عاجل?id=5&page=2",
    "https://youm7.com/story/2026/11/29/خبر-عاجل/?id=5&page=2",
    "https://YOUM7.com/story/2026/11/29/%D8%AE%D8%A8%D8%B1-%D8%B9%D8%A7%D8%AC%D9%84?page=2&id=5",
    "https://www.youm7.com:443/story/2026/11/29/خبر-عاجل?page=2&utm_source=fb&id=5#top",
]


def test_url_key_equal_for_variants() -> None:
    keys = {url_key(u) for u in VARIANTS_OF_ONE_ARTICLE}
    assert keys == {"youm7.com/story/2026/11/29/خبر-عاجل?id=5&page=2"}


def test_url_key_keeps_what_distinguishes_articles() -> None:
    base = url_key("https://youm7.com/story/1?id=5")
    assert url_key("https://youm7.com/story/2?id=5") != base
    assert url_key("https://youm7.com/story/1?id=6") != base
    assert url_key("https://youm7.com/story/1") != base
    assert url_key("https://youm7.com:8443/story/1?id=5") != base
    assert url_key("https://news.youm7.com/story/1?id=5") != base


def test_url_key_drops_index_pages() -> None:
    assert url_key("https://example.com/news/index.html") == url_key("https://example.com/news/")
    assert url_key("https://example.com/index.php") == "example.com"


def test_host_of() -> None:
    assert host_of("https://WWW.Hespress.com/a") == "hespress.com"
    assert host_of("https://www.youm7.com:8080/a") == "youm7.com"


# --- properties --------------------------------------------------------------------------------

LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
HOSTS = st.builds(
    lambda labels, tld, upper: (
        (".".join([*labels, tld])).upper() if upper else ".".join([*labels, tld])
    ),
    st.lists(LABEL, min_size=1, max_size=3),
    st.sampled_from(["com", "net", "ma", "eg"]),
    st.booleans(),
)
PIECE = st.lists(
    st.sampled_from(
        list("abcXYZ019-_.~%/:@!$&'()*+,;=?#[] ")
        + list("خبرمصر")
        + ["%20", "%D8%A7", "%2F", "%FF", "utm_source=x", "fbclid=1", "a=1", "&", "="]
    ),
    max_size=12,
).map("".join)
HTTP_URLS = st.builds(
    lambda scheme, host, port, path, query, fragment: (
        f"{scheme}://{host}{port}/{path}"
        + (f"?{query}" if query else "")
        + (f"#{fragment}" if fragment else "")
    ),
    st.sampled_from(["http", "https", "HTTP", "hTtPs"]),
    HOSTS,
    st.sampled_from(["", ":80", ":443", ":8080", ":65535"]),
    PIECE,
    PIECE,
    PIECE,
)
PROPERTY = settings(max_examples=300, deadline=None)


@PROPERTY
@given(st.one_of(st.text(), urls(), HTTP_URLS))
def test_canonical_url_total_and_idempotent(url: str) -> None:
    canonical = canonical_url(url)
    if canonical is None:
        return
    assert canonical_url(canonical) == canonical
    assert urlsplit(canonical).scheme in ("http", "https")
    assert urlsplit(canonical).fragment == ""


@PROPERTY
@given(HTTP_URLS)
def test_canonical_url_keeps_the_host(url: str) -> None:
    canonical = canonical_url(url)
    assert canonical is not None, url
    assert urlsplit(canonical).hostname == urlsplit(url).hostname.lower()  # type: ignore[union-attr]


@PROPERTY
@given(st.one_of(urls(), HTTP_URLS))
def test_url_key_stable_on_canonical_output(url: str) -> None:
    canonical = canonical_url(url)
    assert url_key(canonical) == url_key(url)
    if canonical is not None:
        assert url_key(canonical_url(canonical)) == url_key(url)
        names = [k.lower() for k, _ in parse_qsl(urlsplit(canonical).query)]
        assert not [k for k in names if k.startswith("utm_") or k in ("fbclid", "gclid")]


def test_fast_unquote_is_unquote() -> None:
    """fast_unquote must equal urllib's unquote on every string: escapes of valid and broken
    UTF-8, lone and malformed '%', mixed case hex, non-ASCII text, and real ANT URL paths."""
    import itertools
    from urllib.parse import unquote, urlsplit

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from akhbar.seeds.ant import read_ant_docs
    from akhbar.transforms.dedup.urls import canonical_url, fast_unquote

    urls = [d.get("url") or "" for d in itertools.islice(read_ant_docs(), 2000)]
    paths = [urlsplit(canonical_url(u) or u).path for u in urls]
    assert sum("%" in p for p in paths) > 100
    for path in paths:
        assert fast_unquote(path) == unquote(path)

    escape = st.builds(lambda b: f"%{b:02x}", st.integers(0, 255)) | st.builds(
        lambda b: f"%{b:02X}", st.integers(0, 255)
    )
    piece = escape | st.sampled_from(["%", "%%", "%4", "%G1", "/", "a", "ب", "%D8", " ", "+"])

    @settings(max_examples=500, deadline=None)
    @given(st.lists(piece, max_size=20).map("".join))
    def check(text: str) -> None:
        assert fast_unquote(text) == unquote(text)

    check()
