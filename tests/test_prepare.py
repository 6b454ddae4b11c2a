"""prepare.py: RawItem -> Article (clean, normalize, basic extraction) or Reject with a reason."""

from __future__ import annotations

from datetime import UTC, datetime

from apache_beam import Create, Map
from apache_beam.testing.util import assert_that, equal_to

from akhbar.schemas.records import Article, Reject
from akhbar.transforms.normalize import normalize_fast
from akhbar.transforms.prepare import (
    REJECTS_TAG,
    PrepareArticles,
    PrepareConfig,
    PrepareDoFn,
    content_hash,
    prepare_item,
)
from tests.helpers import ARABIC_TEXT, NOW, beam_pipeline, make_raw

DEFAULT = PrepareConfig()
ENGLISH = "The minister said on Monday that the government is ready to sign the agreement."


def rejected(raw_kwargs: dict, config: PrepareConfig = DEFAULT) -> Reject:  # type: ignore[type-arg]
    result = prepare_item(make_raw("r", **raw_kwargs), config, NOW)
    assert isinstance(result, Reject), result
    return result


def test_empty_body_is_rejected() -> None:
    for body in (None, "", "   \n "):
        assert rejected({"body": body, "summary": None}).reason == "filter:empty-text"


def test_html_only_body_is_rejected() -> None:
    reject = rejected({"body": "<p> </p><script>var x = 'نص';</script><img src='a.jpg'><br/>"})
    assert (reject.reason, reject.stage) == ("filter:empty-text", "filter")
    assert (reject.id, reject.input, reject.source) == ("r", "feed.xml#item=r", "youm7.com")
    assert (reject.rejected_at, reject.partition_time) == (NOW, NOW)
    assert "<script>" in reject.payload and reject.payload.startswith("عنوان <b>الخبر</b>\n")


def test_short_text_is_rejected() -> None:
    reject = rejected({"body": "<p>خبر قصير</p>"})
    assert reject.reason == "filter:too-short"
    assert reject.detail == "8 characters < 20"
    assert isinstance(
        prepare_item(make_raw(body="خبر قصير"), PrepareConfig(min_text_chars=5), NOW), Article
    )


def test_language_filter() -> None:
    only_arabic = PrepareConfig(languages=("ar",))
    assert rejected({"body": ENGLISH}, only_arabic).reason == "filter:language-en"
    assert isinstance(prepare_item(make_raw(body=ENGLISH), DEFAULT, NOW), Article)
    assert isinstance(prepare_item(make_raw(body=ARABIC_TEXT), only_arabic, NOW), Article)


def test_summary_used_when_body_is_empty() -> None:
    article = prepare_item(make_raw(body=None, summary=f"<p>{ARABIC_TEXT}</p>"), DEFAULT, NOW)
    assert isinstance(article, Article)
    assert article.text == ARABIC_TEXT
    assert article.summary == ARABIC_TEXT


def test_good_arabic_item_becomes_an_article() -> None:
    raw = make_raw(
        "item-7",
        guid="g-7",
        title="  عنوان <b>الخبر</b>&amp;  التفاصيل ",
        body=f"<p>{ARABIC_TEXT}</p><p>فقرة ثانية\u200f عن مصر.</p>",
        summary=None,
        published_raw="الأحد 29 نوفمبر 2026 - 10:30",
        authors=["<b>محمد علي</b>", "محمد علي", ""],
        categories=["سياسة", "  "],
        language_declared="ar",
    )
    article = prepare_item(raw, DEFAULT, NOW)
    assert isinstance(article, Article)
    expected_text = f"{ARABIC_TEXT}\n\nفقرة ثانية عن مصر."
    assert article.text == expected_text
    assert article.text_normalized == normalize_fast(expected_text)
    assert "الصيني" in article.text_normalized and "عقدت" in article.text_normalized
    assert "مكافحه" in article.text_normalized
    assert article.content_hash == content_hash(article.text_normalized)
    assert len(article.content_hash) == 32
    assert article.url == "https://www.youm7.com/story/item-7"
    assert article.url_original == "https://www.youm7.com/story/item-7?utm_source=rss"
    assert article.url_key == "youm7.com/story/item-7"
    assert article.published_at == datetime(2026, 11, 29, 10, 30, tzinfo=UTC)
    assert article.published_raw == "الأحد 29 نوفمبر 2026 - 10:30"
    assert article.title == "عنوان الخبر& التفاصيل"
    assert (article.id, article.guid, article.source, article.origin) == (
        "item-7",
        "g-7",
        "youm7.com",
        "feed.xml#item=item-7",
    )
    assert (article.language, article.language_declared) == ("ar", "ar")
    assert article.authors == ["محمد علي"] and article.categories == ["سياسة"]
    assert article.word_count == len(expected_text.split())
    assert article.char_count == len(expected_text)
    assert article.summary is None and article.cluster_id is None


def test_same_story_in_two_spellings_gets_one_content_hash() -> None:
    egyptian = prepare_item(make_raw("a", body=ARABIC_TEXT.replace("ي ", "ى ")), DEFAULT, NOW)
    vowelled = prepare_item(make_raw("b", body=ARABIC_TEXT.replace("قال", "قَالَ")), DEFAULT, NOW)
    assert isinstance(egyptian, Article) and isinstance(vowelled, Article)
    assert egyptian.text != vowelled.text
    assert egyptian.content_hash == vowelled.content_hash


def test_source_parse_of_published_wins() -> None:
    parsed = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
    article = prepare_item(
        make_raw(published_at=parsed, published_raw="1 يناير 2020"), DEFAULT, NOW
    )
    assert isinstance(article, Article) and article.published_at == parsed


def test_internal_error_becomes_a_reject() -> None:
    broken = make_raw("bad", body=b"<p>bytes instead of text</p>")  # a reader bug
    [out] = list(PrepareDoFn(DEFAULT, NOW).process(broken))
    reject = out.value
    assert out.tag == REJECTS_TAG
    assert (reject.reason, reject.stage, reject.id) == ("clean:internal-error", "clean", "bad")
    assert reject.payload == "<p>bytes instead of text</p>"


def test_prepare_articles_pipeline() -> None:
    items = [
        make_raw("good-1"),
        make_raw("good-2", body=f"<div>{ARABIC_TEXT} ثانية</div>"),
        make_raw("empty", body="<p></p>"),
        make_raw("short", body="قصير"),
        make_raw("english", body=ENGLISH),
    ]
    with beam_pipeline() as p:
        result = p | Create(items) | PrepareArticles(PrepareConfig(languages=("ar",)), NOW)
        assert_that(
            result.articles | "ArticleIds" >> Map(lambda a: (a.id, a.language, a.url_key)),
            equal_to(
                [
                    ("good-1", "ar", "youm7.com/story/good-1"),
                    ("good-2", "ar", "youm7.com/story/good-2"),
                ]
            ),
            label="articles",
        )
        assert_that(
            result[REJECTS_TAG] | "RejectReasons" >> Map(lambda r: (r.id, r.stage, r.reason)),
            equal_to(
                [
                    ("empty", "filter", "filter:empty-text"),
                    ("short", "filter", "filter:too-short"),
                    ("english", "filter", "filter:language-en"),
                ]
            ),
            label="rejects",
        )
