"""The terminal table: display widths of Arabic with diacritics, cuts, one line per row."""

from __future__ import annotations

from datetime import UTC, datetime

from akhbar.pipelines.textgrid import display_width, format_value, one_line, render_table, truncate

MUHAMMAD = "مُحَمَّدٌ"  # 4 letters, 5 combining marks (damma, fatha, shadda, fatha, dammatan)


def test_arabic_marks_take_no_column_and_wide_characters_two() -> None:
    assert len(MUHAMMAD) == 9
    assert display_width(MUHAMMAD) == 4
    assert display_width("أخبار") == 5
    assert display_width("新闻") == 4
    assert display_width("a\u200bb") == 2  # zero-width space


def test_truncate_never_separates_a_letter_from_its_marks() -> None:
    cut = truncate(MUHAMMAD + " " + MUHAMMAD, 4)
    # three letters fit (the fourth column is the ellipsis); the third keeps shadda and fatha
    assert cut == MUHAMMAD[:7] + "…"
    assert display_width(cut) == 4
    assert truncate("قصير", 10) == "قصير"


def test_one_line_folds_whitespace_and_drops_bidi_and_control_characters() -> None:
    text = "سطر\nثان\t\u202eمقلوب\u202c\x00 end"
    assert one_line(text) == "سطر ثان مقلوب end"


def test_values_are_compact_and_unambiguous() -> None:
    assert format_value(None) == "NULL"
    assert format_value(True) == "true"
    assert format_value(["أ", "ب"]) == '["أ", "ب"]'
    assert format_value({"k": 1}) == '{"k": 1}'
    assert format_value(datetime(2024, 1, 2, 3, 4, tzinfo=UTC)) == "2024-01-02 03:04:00+00:00"
    assert format_value(0.1 + 0.2) == "0.3"


def test_rows_align_with_mixed_scripts_and_numbers_right_aligned() -> None:
    rows = [(MUHAMMAD, 7), ("اليوم السابع", 12345), ("youm7.com", None), ("新闻", 3)]
    table = render_table(["name", "n"], rows, max_width=20)
    lines = table.splitlines()
    assert lines[-1] == "(4 rows)"
    assert len({display_width(line) for line in lines[:-1]}) == 1, table
    assert lines[3].endswith("│     7 │")
    assert lines[4].endswith("│ 12345 │")
    assert lines[5].endswith("│  NULL │")
    assert MUHAMMAD in lines[3]  # logical order, marks intact, not reversed or reshaped


def test_empty_result_and_row_cap() -> None:
    assert render_table(["a"], [], total_rows=0).splitlines()[-1] == "(0 rows)"
    assert render_table(["a"], [(1,)], total_rows=50).splitlines()[-1] == "(50 rows, 1 shown)"
