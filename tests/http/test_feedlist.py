"""Feed lists (YAML and text) and the bundled seeds/feeds.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from akhbar.transforms.sources.feedlist import (
    FeedListError,
    FeedSpec,
    load_feed_list,
    parse_feed_list,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "feeds.yaml"


def test_yaml_list():
    specs = parse_feed_list(
        """
- source: youm7
  url: https://www.youm7.com/rss/SectionRss?SectionID=65
  language: AR
  country: eg
- {source: bbc-arabic, url: "https://feeds.bbci.co.uk/arabic/rss.xml", country: INTL}
- {source: local, url: "http://127.0.0.1:8000/feed.xml"}
"""
    )
    assert specs == [
        FeedSpec("youm7", "https://www.youm7.com/rss/SectionRss?SectionID=65", "ar", "EG"),
        FeedSpec("bbc-arabic", "https://feeds.bbci.co.uk/arabic/rss.xml", None, "intl"),
        FeedSpec("local", "http://127.0.0.1:8000/feed.xml"),
    ]


def test_yaml_under_a_feeds_key():
    specs = parse_feed_list("feeds:\n  - {source: a, url: 'https://a.example/rss'}\n")
    assert specs == [FeedSpec("a", "https://a.example/rss")]


def test_text_list_takes_the_source_from_the_host(tmp_path: Path):
    path = tmp_path / "feeds.txt"
    path.write_text(
        "\ufeff# Egyptian feeds\n"
        "https://www.youm7.com/rss/SectionRss?SectionID=65\n"
        "\n"
        "   https://www.masrawy.com/rss/rss   # trailing comment\n"
        "https://feeds.bbci.co.uk/arabic/rss.xml#fragment-kept\n",
        encoding="utf-8",
    )
    specs = load_feed_list(path)
    assert [(s.source, s.url) for s in specs] == [
        ("youm7.com", "https://www.youm7.com/rss/SectionRss?SectionID=65"),
        ("masrawy.com", "https://www.masrawy.com/rss/rss"),
        ("feeds.bbci.co.uk", "https://feeds.bbci.co.uk/arabic/rss.xml#fragment-kept"),
    ]
    assert all(s.language is None and s.country is None for s in specs)


def test_yaml_file_by_suffix(tmp_path: Path):
    path = tmp_path / "list.yml"
    path.write_text("- {source: a, url: 'https://a.example/rss'}\n", encoding="utf-8")
    assert load_feed_list(path) == [FeedSpec("a", "https://a.example/rss")]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("- {url: 'https://a.example/rss'}", "source is missing"),
        ("- {source: a}", "url is missing"),
        ("- {source: a, url: 'ftp://a.example/rss'}", "not an http(s) URL"),
        ("- {source: a, url: 'javascript:alert(1)'}", "not an http(s) URL"),
        ("- {source: a, url: 'https://'}", "not a valid absolute URL"),
        ("- {source: 'Al Jazeera', url: 'https://a.example/rss'}", "is not a slug"),
        ("- {source: ../etc, url: 'https://a.example/rss'}", "is not a slug"),
        ("- {source: a, url: 'https://a.example/rss', lang: ar}", "unknown key 'lang'"),
        ("- {source: a, url: 'https://a.example/rss', language: arabic!}", "language"),
        ("- {source: a, url: 'https://a.example/rss', country: Egypt}", "country"),
        ("- {source: a, url: 42}", "url must be a string"),
        ("- just-a-string", "expected a mapping"),
        ("source: a\nurl: b", "expected a list"),
        ("- {source: a, url: [unclosed", "not valid YAML"),
        ("[]", "holds no feed"),
        (
            "- {source: a, url: 'https://a.example/rss'}\n- {source: b, url: 'https://a.example/rss'}",
            "listed twice",
        ),
    ],
)
def test_yaml_errors_are_clear(text: str, fragment: str):
    with pytest.raises(FeedListError) as err:
        parse_feed_list(text, "feeds.yaml")
    assert fragment in str(err.value)
    assert str(err.value).startswith("feeds.yaml:")


def test_every_problem_is_reported_at_once():
    text = "- {source: a}\n- {source: b, url: 'https://b.example/'}\n- {url: 'file:///x'}\n"
    with pytest.raises(FeedListError) as err:
        parse_feed_list(text)
    assert len(err.value.problems) == 3
    assert err.value.problems[0].startswith("entry 1 (a):")
    assert err.value.problems[-1].startswith("entry 3:")


def test_text_errors_name_the_line():
    with pytest.raises(FeedListError) as err:
        parse_feed_list("https://a.example/rss\nnot-a-url\nhttps://b.example/ x\n", "f.txt", "text")
    assert err.value.problems == [
        "line 2: 'not-a-url' is not an http(s) URL",
        "line 3: expected one URL, got 'https://b.example/ x'",
    ]


def test_missing_file_is_a_feed_list_error(tmp_path: Path):
    with pytest.raises(FeedListError):
        load_feed_list(tmp_path / "nope.yaml")


def test_seed_feeds_are_sorted_unique_valid_and_cover_the_region():
    specs = load_feed_list(SEEDS)  # raises on any invalid entry or repeated URL
    sources = [s.source for s in specs]
    assert len(specs) >= 25
    assert sources == sorted(sources), "keep seeds/feeds.yaml sorted by source"
    assert len(set(sources)) == len(sources), "sources must be unique"
    assert len({s.url for s in specs}) == len(specs), "URLs must be unique"
    assert all(s.url.startswith(("https://", "http://")) for s in specs)
    assert all(s.language == "ar" and s.country for s in specs)
    countries = {s.country for s in specs}
    assert {"EG", "MA", "DZ", "TN"} <= countries  # Egypt and the Maghreb
    assert countries & {"SA", "AE", "QA", "KW", "BH", "OM"}  # the Gulf
    assert countries & {"LB", "SY", "JO", "PS", "IQ"}  # the Levant
    assert "intl" in countries
    expected = {"bbc-arabic", "france24-arabic", "dw-arabic", "rt-arabic", "skynewsarabia",
                "aljazeera", "aawsat", "hespress", "youm7", "masrawy", "ahram", "alarabiya",
                "anadolu-arabic"}  # fmt: skip
    assert expected <= set(sources)
