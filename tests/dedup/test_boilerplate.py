"""dedup/boilerplate.py: outlet wrappers go, the story's own words stay."""

from __future__ import annotations

import pytest

from akhbar.transforms.dedup.boilerplate import strip_boilerplate
from akhbar.transforms.normalize import normalize_fast

BODY = "أعلنت وزارة الصحة اليوم عن تسجيل حالات جديدة."


@pytest.mark.parametrize(
    "wrapped",
    [
        f"القاهرة - أ ش أ: {BODY}",
        f"القاهرة - أ.ش.أ: {BODY}",
        f"تونس (وات) - {BODY}",
        f"الرياض 12 مايو 2020 (واس) - {BODY}",
        f"الدوحة، 5 يونيو (قنا) - {BODY}",
        f"(رويترز) - {BODY}",
        f"باريس (أ ف ب) – {BODY}",
        f"بيروت - وكالات: {BODY}",
        f"{BODY}\nالمصدر: وكالة تونس إفريقيا للأنباء",
        f"{BODY} المصدر: وات",
        f"{BODY}\nThe post وزارة الصحة appeared first on Jawhara FM.",
        f"{BODY}\nتابعونا على فيسبوك وتويتر",
        f"{BODY}\nشارك هذا المقال",
        f"{BODY}\n(بترا)",
    ],
)
def test_wrappers_are_stripped_in_both_spellings(wrapped: str) -> None:
    for text, body in ((wrapped, BODY), (normalize_fast(wrapped), normalize_fast(BODY))):
        assert strip_boilerplate(text).split() == body.split()


@pytest.mark.parametrize(
    "content",
    [
        "قالت وكالة رويترز إن المسؤول استقال من منصبه.",
        "أعلنت شركة قنا للبترول اليوم عن أرباحها.",
        "وقال الوزير إن الحكومة الجديدة ستعلن - وات: قريبا عن برنامجها",
        "تابع الوزير زيارته إلى الجنوب حيث التقى بممثلين عن المجتمع المدني وناقش معهم مشاريع التنمية المعطلة منذ سنوات في الجهة وآفاق إنجازها.",
        "المصدر الرئيسي للدخل هو السياحة",
    ],
)
def test_agency_names_and_long_lines_in_running_text_are_kept(content: str) -> None:
    assert strip_boilerplate(content) == content


def test_an_agency_tag_inside_a_sentence_leaves_the_sentence() -> None:
    stripped = strip_boilerplate("أعلنت الوزارة (أ ف ب) اليوم عن خطة جديدة.")
    assert stripped.split() == ["أعلنت", "الوزارة", "اليوم", "عن", "خطة", "جديدة."]


def test_diacritized_dateline_is_stripped() -> None:
    assert strip_boilerplate(f"تُونِس (وَات) - {BODY}").split() == BODY.split()


def test_dateline_hint_never_skips_a_dateline() -> None:
    """strip_boilerplate runs DATELINE only when the cheap hint matches: on real ANT texts
    (normalized and not) and on the dateline samples, every DATELINE match has a hint match."""
    import itertools

    from akhbar.seeds.ant import read_ant_docs
    from akhbar.transforms.dedup.boilerplate import _DATELINE_HINT, DATELINE
    from akhbar.transforms.normalize import normalize_fast

    texts = [d.get("text") or "" for d in itertools.islice(read_ant_docs(), 3000)]
    texts += [normalize_fast(t) for t in texts]
    texts += [
        "القاهرة - أ ش أ: قال",
        "تونس (وات) - أعلنت",
        "(رويترز) - قال",
        "الرياض 12 مايو (واس) -",
    ]
    with_dateline = [t for t in texts if DATELINE.search(t)]
    assert len(with_dateline) >= 4
    assert all(_DATELINE_HINT.search(t) for t in with_dateline)


def test_source_hint_never_skips_a_source_line() -> None:
    """SOURCE_LINE runs only when its hint matches: every SOURCE_LINE match, on real ANT texts
    (normalized and not) and on spelled-out variants, contains a hint match."""
    import itertools

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from akhbar.seeds.ant import read_ant_docs
    from akhbar.transforms.dedup.boilerplate import _SOURCE_HINT, SOURCE_LINE
    from akhbar.transforms.normalize import normalize_fast

    texts = [d.get("text") or "" for d in itertools.islice(read_ant_docs(), 3000)]
    texts += [normalize_fast(t) for t in texts]
    texts += [
        "خبر.\nالمصدر: وكالة",
        "نص. المَصْدَرُ ： رويترز",
        "مصدر الخبر:موقع",
        "text. Source : AFP",
    ]
    with_source = [t for t in texts if SOURCE_LINE.search(t)]
    assert len(with_source) >= 4
    assert all(_SOURCE_HINT.search(m.group()) for t in with_source for m in SOURCE_LINE.finditer(t))

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet="المصدر الخبرSourceَُ:：.\n\t ", max_size=40))
    def check(text: str) -> None:
        for match in SOURCE_LINE.finditer(text):
            assert _SOURCE_HINT.search(match.group())

    check()
