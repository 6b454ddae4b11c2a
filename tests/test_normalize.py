"""normalize.py: one matching form for every spelling, fast path == camel-tools chain, language."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akhbar.schemas.records import Article
from akhbar.transforms.normalize import (
    MAX_EXPANSION,
    NormalizeConfig,
    detect_language,
    normalize,
    normalize_fast,
    normalize_reference,
)
from akhbar.transforms.prepare import PrepareConfig, prepare_item
from tests.helpers import NOW, SEED_ARTICLE, make_raw

IMPLEMENTATIONS = [normalize_fast, normalize_reference]
SEED = SEED_ARTICLE.read_text(encoding="utf-8")
ARABIC_LETTER = re.compile(r"([\u0628-\u063A\u0641-\u064A])")


@pytest.fixture(scope="module")
def seed_normalized() -> str:
    return normalize(SEED)


def test_seed_has_the_spellings_the_variants_change() -> None:
    assert "الصينى" in SEED and "إلى" in SEED and "أرواح" in SEED and "الصحة" in SEED


def test_seed_normalized_form(seed_normalized: str) -> None:
    assert "الصيني" in seed_normalized
    assert "الي ان القاهره" in seed_normalized
    assert not set("ىةأإآـ") & set(seed_normalized)
    assert normalize_reference(SEED) == seed_normalized


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda t: t.replace("ى", "ي"), id="final-ya"),
        pytest.param(lambda t: t.replace("ة", "ه"), id="teh-marbuta-as-heh"),
        pytest.param(lambda t: ARABIC_LETTER.sub("\\1\u064e", t), id="fatha-everywhere"),
        pytest.param(lambda t: ARABIC_LETTER.sub("\\1\u0651\u064f", t), id="shadda-damma"),
        pytest.param(lambda t: t.replace("ين", "يـــن").replace("لم", "لـم"), id="tatweel"),
        pytest.param(lambda t: t.replace("أ", "ا").replace("إ", "ا"), id="hamza-dropped"),
        pytest.param(lambda t: t.replace("ال", "أل").replace(" ا", " إ"), id="hamza-added"),
        pytest.param(lambda t: t.replace("ا", "آ"), id="madda"),
    ],
)
def test_seed_variants_normalize_identically(variant, seed_normalized: str) -> None:  # type: ignore[no-untyped-def]
    changed = variant(SEED)
    assert changed != SEED
    for impl in IMPLEMENTATIONS:
        assert impl(changed) == seed_normalized


def test_digits_become_ascii() -> None:
    for impl in IMPLEMENTATIONS:
        assert impl("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹ 0123456789") == "0123456789 0123456789 0123456789"
        assert impl("50 مليون و٣٠ دولة و۱۰۰") == "50 مليون و30 دوله و100"


def test_presentation_forms_and_rial_sign() -> None:
    for impl in IMPLEMENTATIONS:
        assert impl("\ufefb \ufdfc \ufe8d\ufedf") == "لا ريال ال"


# Each flag off: the text that rule would change comes out unchanged (the others still run).
FLAG_CASES = {
    "unicode_nfkc": ("\ufefb", "لا"),
    "dediacritize": ("مَصْرُ", "مصر"),
    "remove_tatweel": ("مصـــر", "مصر"),
    "alef": ("أإآٱ", "اااا"),
    "alef_maksura": ("على", "علي"),
    "teh_marbuta": ("مدينة", "مدينه"),
    "digits": ("٢٠٢٦ ۱۴", "2026 14"),
}


def test_every_flag_has_a_case() -> None:
    assert set(FLAG_CASES) == {f.name for f in fields(NormalizeConfig)}


@pytest.mark.parametrize("flag", sorted(FLAG_CASES))
@pytest.mark.parametrize("impl", IMPLEMENTATIONS, ids=lambda f: f.__name__)
def test_each_flag_switches_its_rule_off(flag: str, impl) -> None:  # type: ignore[no-untyped-def]
    text, expected = FLAG_CASES[flag]
    assert impl(text) == expected
    assert impl(text, NormalizeConfig(**{flag: False})) == text


def test_all_flags_off_is_identity() -> None:
    off = NormalizeConfig(**{f.name: False for f in fields(NormalizeConfig)})
    text = "أَهلاً ـ بالقاهرة ى ٣ \ufefb"
    assert normalize_fast(text, off) == normalize_reference(text, off) == text


def test_composition_after_removal_reaches_a_fixed_point() -> None:
    # Removing tatweel brings ي next to U+0654, which NFKC composes to ئ on the next pass.
    text = "ي\u0640\u0654"
    for impl in IMPLEMENTATIONS:
        once = impl(text)
        assert impl(once) == once


# --- properties: fast == reference, idempotence ------------------------------------------------

ARABIC_CHARS = (
    [chr(c) for c in range(0x0621, 0x064B)]  # letters, including ء أ إ آ ؤ ئ ى ة
    + [chr(c) for c in range(0x064B, 0x0653)]  # diacritics
    + ["\u0670", "\u0640", "\u0654", "\u0655", "\u0671"]
    + list("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹0123456789")
    + list("abcxyzABCé")
    + ["\u0301", "\u0308", "\u0327", "\u0300"]
    + ["\ufdfc", "\ufdfd", " ", "\n", "\u00a0"]
)
ARABIC_TEXT = st.lists(
    st.one_of(
        st.sampled_from(ARABIC_CHARS),
        st.characters(min_codepoint=0xFB50, max_codepoint=0xFDFF),
        st.characters(min_codepoint=0xFE70, max_codepoint=0xFEFF),
    ),
    max_size=40,
).map("".join)
CONFIGS = st.builds(NormalizeConfig, **{f.name: st.booleans() for f in fields(NormalizeConfig)})
PROPERTY = settings(max_examples=300, deadline=None)


@PROPERTY
@given(ARABIC_TEXT)
def test_fast_equals_reference_on_arabic_text(text: str) -> None:
    assert normalize_fast(text) == normalize_reference(text)


@PROPERTY
@given(st.text())
def test_fast_equals_reference_on_any_text(text: str) -> None:
    assert normalize_fast(text) == normalize_reference(text)


@PROPERTY
@given(st.one_of(ARABIC_TEXT, st.text()))
def test_normalize_idempotent(text: str) -> None:
    for impl in IMPLEMENTATIONS:
        once = impl(text)
        assert impl(once) == once


@PROPERTY
@given(st.one_of(ARABIC_TEXT, st.text()), CONFIGS)
def test_fast_equals_reference_and_idempotent_for_any_config(
    text: str, cfg: NormalizeConfig
) -> None:
    fast = normalize_fast(text, cfg)
    assert fast == normalize_reference(text, cfg)
    assert normalize_fast(fast, cfg) == fast


@PROPERTY
@given(st.one_of(ARABIC_TEXT, st.text()), CONFIGS)
def test_normalize_is_length_bounded(text: str, cfg: NormalizeConfig) -> None:
    for impl in IMPLEMENTATIONS:
        assert len(impl(text, cfg)) <= MAX_EXPANSION * len(text)


def test_the_length_bound_is_the_real_one() -> None:
    """Tight: the basmala ligature becomes 22 characters, and no character in the Arabic
    presentation-form blocks (where the expanding ligatures live) becomes more."""
    assert len(normalize("\ufdfd")) == MAX_EXPANSION
    assert len(normalize("\ufdfa")) == 18  # NFKC's own maximum
    blocks = [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)]
    assert max(len(normalize(chr(cp))) for cp in blocks) == MAX_EXPANSION
    assert len(normalize("\ufdfd" * 1000)) == MAX_EXPANSION * 1000


# --- language detection ------------------------------------------------------------------------


def test_detect_arabic_seed() -> None:
    assert detect_language(SEED) == "ar"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The minister said on Monday that the government is ready to sign the agreement.", "en"),
        ("Le président a annoncé mardi une série de mesures pour la relance de l'économie.", "fr"),
        ("این یک متن فارسی است که درباره اقتصاد کشور نوشته شده و چند کلمه دیگر هم دارد.", "fa"),
        ("مصر", "und"),
        ("12345 678 !!! ؟؟", "und"),
        ("", "und"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_arabic_with_some_latin_is_still_arabic() -> None:
    assert detect_language("أعلنت شركة Apple عن هاتف iPhone الجديد في مؤتمرها السنوي") == "ar"


def test_language_comes_from_the_text_not_the_feed() -> None:
    lying = make_raw("liar", body=SEED, language_declared="en")
    article = prepare_item(lying, PrepareConfig(languages=("ar",)), NOW)
    assert isinstance(article, Article), article
    assert (article.language, article.language_declared) == ("ar", "en")


def _reference_language(text: str, sample: int = 4000) -> str:
    """detect_language with the counts taken in first-appearance order (the Counter path)."""
    import akhbar.transforms.normalize as n

    fast = n._script_counts
    n._script_counts = lambda chunk: None  # type: ignore[assignment]
    try:
        return n.detect_language(text, sample)
    finally:
        n._script_counts = fast


def test_numpy_script_counts_decide_like_the_reference() -> None:
    """The numpy counts give the same language as counting in order, on real ANT texts, the
    seed and mixed-script strings, including ties (left to the reference) and astral letters."""
    import itertools

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from akhbar.seeds.ant import read_ant_docs
    from akhbar.transforms.normalize import _script_counts, _script_counts_in_order

    texts = [d.get("text") or "" for d in itertools.islice(read_ant_docs(), 2000)]
    texts += [
        SEED,
        "abcde абвгд",
        "абвгд abcde",
        "abcde αβγδε 中文中文中文",
        "𝐀𝐁𝐂𝐃𝐄 مرحبا بكم",
        "\ud800x" * 12,
    ]
    for text in texts:
        assert detect_language(text) == _reference_language(text), text[:80]
        found = _script_counts(text[:4000])
        if found is not None:
            counts, persian = _script_counts_in_order(text[:4000])
            assert found == (counts, persian)

    @settings(max_examples=400, deadline=None)
    @given(st.text(alphabet="abcdeاببپکیабвגדא中文αß𝐀1 .،", max_size=60))
    def check(text: str) -> None:
        assert detect_language(text) == _reference_language(text)

    check()
