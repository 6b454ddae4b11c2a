"""offsets.py: spans found on the normalized text map back to the exact original characters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.transforms.extract.offsets import align
from akhbar.transforms.normalize import normalize_fast


def test_plain_text_is_the_identity() -> None:
    aligned = align("مصر والصين")
    assert aligned.normalized == "مصر والصين"
    assert aligned.span(0, 3) == (0, 3)


def test_deleted_diacritics_and_tatweel_are_skipped() -> None:
    text = "بالقاهرةِ، مـصـرُ الكبرى"
    aligned = align(text)
    assert aligned.normalized == "بالقاهره، مصر الكبري"
    n = aligned.normalized.index("مصر")
    start, end = aligned.span(n, n + 3)
    assert text[start:end] == "مـصـرُ"  # trailing damma stays with its letter
    n = aligned.normalized.index("القاهره")
    start, end = aligned.span(n, n + len("القاهره"))
    assert text[start:end] == "القاهرةِ"


def test_presentation_forms_take_the_exact_slow_path() -> None:
    text = "قال ﻻعب من مصر"  # U+FEFB LAM-ALEF ligature expands to two letters under NFKC
    aligned = align(text)
    assert "لاعب" in aligned.normalized
    n = aligned.normalized.index("مصر")
    start, end = aligned.span(n, n + 3)
    assert text[start:end] == "مصر"
    n = aligned.normalized.index("لاعب")
    start, end = aligned.span(n, n + 4)
    assert text[start:end] == "ﻻعب"


def test_normalized_form_is_normalize_fast_on_nfkc_text() -> None:
    text = "أعلنت وزارةُ المالية أن الإيرادات بلغت ٢٫٥ مليار"
    assert align(text).normalized == normalize_fast(text)


_ALPHABET = st.sampled_from(
    [
        *list("ابتثجحخدذرسشصضطظعغفقكلمنهويىةأإآؤئء ،.\n0123456789٠١٢٣٤٥"),
        "ً",
        "َ",
        "ُ",
        "ِ",
        "ّ",
        "ْ",
        "ـ",
        "ٰ",
        "ﻻ",
        "ٔ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_every_span_maps_inside_the_text_and_in_order(text: str) -> None:
    aligned = align(text)
    size = len(aligned.normalized)
    previous_start = 0
    for n in range(size + 1):
        start, end = aligned.span(n, size)
        assert 0 <= start <= end <= len(text)
        assert start >= previous_start
        previous_start = start
    for n in range(size):
        start, end = aligned.span(n, n + 1)
        assert 0 <= start < end <= len(text)
        assert aligned.normalized[n] in normalize_fast(text[start:end])
