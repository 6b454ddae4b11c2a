"""charmap.py: the regex-and-replace mapping equals ``str.translate`` on the tables akhbar uses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.transforms.charmap import CharMap
from akhbar.transforms.extract.offsets import _ONE_TO_ONE
from akhbar.transforms.normalize import DEFAULT_NORMALIZE, NormalizeConfig, _build_table

TABLES = {
    "normalize": _build_table(DEFAULT_NORMALIZE),
    "normalize, digits and alef off": _build_table(NormalizeConfig(digits=False, alef=False)),
    "nfkc one-to-one": _ONE_TO_ONE,
}


def _text_over(table: dict[int, str | None]) -> st.SearchStrategy[str]:
    """Text mixing mapped characters, Arabic letters and anything else, so every mapped
    character occurs next to unmapped ones, repeated and at both ends."""
    mapped = st.sampled_from(sorted(chr(c) for c in table))
    arabic = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
    return st.text(st.one_of(mapped, arabic, st.characters()), max_size=60)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_equals_translate(name: str) -> None:
    table = TABLES[name]
    mapping = CharMap(table)

    @settings(max_examples=400, deadline=None)
    @given(_text_over(table))
    def check(text: str) -> None:
        assert mapping(text) == text.translate(table)

    check()


def test_equals_translate_on_real_text() -> None:
    text = "قالَ الرئيسُ إنّ ٣ آلاف ـــ شخصٍ في القاهرة\u00a0حضروا عام ١٤٤٥ هـ "
    for table in TABLES.values():
        assert CharMap(table)(text) == text.translate(table)


def test_a_table_whose_output_is_mapped_again_is_refused() -> None:
    """translate maps in one pass; replacing character by character would map 'b' twice."""
    with pytest.raises(ValueError, match="mapped characters"):
        CharMap({ord("a"): "b", ord("b"): "c"})
    with pytest.raises(ValueError, match="mapped characters"):
        CharMap({ord("a"): "xa"})


def test_empty_table_is_identity() -> None:
    assert CharMap({})("نص") == "نص"
