"""keywords.py: TF-IDF terms over normalized, clitic-stripped tokens, IDF from the ANT table."""

from __future__ import annotations

import gzip

from akhbar.seeds.build_idf import DEFAULT_OUT, write_table
from akhbar.transforms.extract.keywords import IdfTable, load_idf, term, terms, top_keywords
from akhbar.transforms.normalize import normalize_fast


def test_terms_drop_proclitics_and_stop_words() -> None:
    assert term("والحكومه") == "حكومه" and term("بالحكومه") == "حكومه" and term("حكومه") == "حكومه"
    assert terms(normalize_fast("قال إن الحكومة في تونس والحكومة")) == ["حكومه", "تونس", "حكومه"]


def test_rare_repeated_terms_rank_first() -> None:
    idf = IdfTable(1000, {"حكومه": 500, "زيتون": 5})
    text = normalize_fast("الحكومة الحكومة الحكومة والزيتون والزيتون")
    assert top_keywords(text, idf, k=2) == ["زيتون", "حكومه"]
    assert top_keywords(text, idf, k=0) == []
    assert top_keywords("", idf) == []


def test_title_terms_count_double() -> None:
    idf = IdfTable(10, {})
    assert top_keywords("زيتون زيتون فلاحه", idf, k=1, title="فلاحه") == ["فلاحه"]


def test_shipped_idf_table_is_small_and_sane() -> None:
    assert DEFAULT_OUT.stat().st_size < 200_000
    idf = load_idf()
    assert idf.documents == 10161
    assert 10_000 < len(idf.df) <= 20_000
    assert idf.share("تونس") > 0.1  # ANT is Tunisian news
    assert idf.idf("كلمه_نادره") > idf.idf("تونس")


def test_idf_table_writer_is_deterministic(tmp_path) -> None:
    from collections import Counter

    df = Counter({"ب": 3, "ا": 3, "ج": 9, "د": 1})
    a, b = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    assert write_table(10, df, a, top=10, min_df=2) == 3
    write_table(10, df, b, top=10, min_df=2)
    assert a.read_bytes() == b.read_bytes()
    with gzip.open(a, "rt", encoding="utf-8") as handle:
        assert handle.read() == "#documents\t10\nج\t9\nا\t3\nب\t3\n"
