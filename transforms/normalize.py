"""Arabic orthographic normalization for matching, and language detection from the text.

``text_normalized`` is the form used for hashing, shingling and entity lookup: the same story
spelled the Egyptian way (final ى, ه for ة), with or without diacritics, tatweel or hamza on
alef must come out identical. Two implementations exist:

* ``normalize_reference`` calls the camel-tools functions one by one (the definition);
* ``normalize_fast`` does the same with one NFKC pass and one character mapping (about 3x faster).

A hypothesis property test proves they agree; the pipeline uses the fast one. Only camel-tools'
character-level modules are imported: they need no downloaded data and never import torch.
"""

from __future__ import annotations

import functools
import unicodedata
from collections import Counter
from dataclasses import dataclass

import numpy as np
from camel_tools.utils.charsets import AR_DIAC_CHARSET
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)

from akhbar.transforms.charmap import CharMap

TATWEEL = "\u0640"
ALEF_VARIANTS = "\u0625\u0623\u0671\u0622"  # إ أ ٱ آ  (camel-tools' normalize_alef_ar set)
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_DIGIT_TABLE = str.maketrans(ARABIC_INDIC_DIGITS + PERSIAN_DIGITS, "0123456789" * 2)
_RIAL_FIX = {0xFDFC: "ريال", 0xFDFD: "بسم الله الرحمن الرحيم"}  # as camel-tools' normalize_unicode
# The most characters one input character becomes: U+FDFD (the basmala ligature) spelled out
# above. NFKC's own maximum is 18 (U+FDFA); every other rule only deletes or maps 1:1. So
# len(normalize(x)) <= MAX_EXPANSION * len(x), which bounds the memory a hostile text can take.
MAX_EXPANSION = 22


@dataclass(frozen=True, slots=True)
class NormalizeConfig:
    """Each rule of the matching form; all on by default."""

    unicode_nfkc: bool = True
    dediacritize: bool = True
    remove_tatweel: bool = True
    alef: bool = True
    alef_maksura: bool = True
    teh_marbuta: bool = True
    digits: bool = True


DEFAULT_NORMALIZE = NormalizeConfig()


def _reference_once(text: str, cfg: NormalizeConfig) -> str:
    if cfg.unicode_nfkc:
        text = normalize_unicode(text)
    if cfg.dediacritize:
        text = dediac_ar(text)
    if cfg.remove_tatweel:
        text = text.replace(TATWEEL, "")
    if cfg.alef:
        text = normalize_alef_ar(text)
    if cfg.alef_maksura:
        text = normalize_alef_maksura_ar(text)
    if cfg.teh_marbuta:
        text = normalize_teh_marbuta_ar(text)
    if cfg.digits:
        text = text.translate(_DIGIT_TABLE)
    return text


def _build_table(cfg: NormalizeConfig) -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    if cfg.dediacritize:
        table.update({ord(c): None for c in AR_DIAC_CHARSET})
    if cfg.remove_tatweel:
        table[ord(TATWEEL)] = None
    if cfg.alef:
        table.update({ord(c): "\u0627" for c in ALEF_VARIANTS})
    if cfg.alef_maksura:
        table[0x0649] = "\u064a"
    if cfg.teh_marbuta:
        table[0x0629] = "\u0647"
    if cfg.digits:
        table.update(
            {ord(a): str(i % 10) for i, a in enumerate(ARABIC_INDIC_DIGITS + PERSIAN_DIGITS)}
        )
    return table


_MAPS: dict[NormalizeConfig, CharMap] = {}


def _fast_once(text: str, cfg: NormalizeConfig) -> str:
    mapping = _MAPS.get(cfg)
    if mapping is None:
        mapping = _MAPS[cfg] = CharMap(_build_table(cfg))
    if cfg.unicode_nfkc:
        if "\ufdfc" in text or "\ufdfd" in text:
            text = text.translate(_RIAL_FIX)
        text = unicodedata.normalize("NFKC", text)
    return mapping(text)  # == text.translate(_build_table(cfg)), faster (transforms.charmap)


def _to_fixed_point(text: str, cfg: NormalizeConfig, once: object) -> str:
    """Apply one pass until stable, so that normalize(normalize(x)) == normalize(x).

    Deleting tatweel or a diacritic can bring a letter next to a combining mark that NFKC then
    composes (ي + U+0654 -> ئ), so one pass is not always idempotent. A pass is stable exactly when
    its output is already NFKC-normal, which ``unicodedata.is_normalized`` checks cheaply.
    """
    step = once  # typed loosely to accept either pass
    out: str = step(text, cfg)  # type: ignore[operator]
    if not cfg.unicode_nfkc:
        return out
    for _ in range(8):
        if unicodedata.is_normalized("NFKC", out):
            return out
        out = step(out, cfg)  # type: ignore[operator]
    return out


def normalize_reference(text: str, cfg: NormalizeConfig = DEFAULT_NORMALIZE) -> str:
    """The normalization defined as a chain of camel-tools calls (slow; used to prove the fast one)."""
    return _to_fixed_point(text, cfg, _reference_once)


def normalize_fast(text: str, cfg: NormalizeConfig = DEFAULT_NORMALIZE) -> str:
    """Same result as ``normalize_reference`` with one NFKC and one character mapping per pass."""
    return _to_fixed_point(text, cfg, _fast_once)


normalize = normalize_fast


# --- language detection -----------------------------------------------------------------------

_PERSIAN_URDU_LETTERS = frozenset("پچژگکیۀےٹڈڑںھ")
_STOPWORDS = {
    "en": frozenset(
        [
            "the",
            "and",
            "of",
            "to",
            "in",
            "is",
            "that",
            "for",
            "on",
            "with",
            "as",
            "was",
            "by",
            "at",
            "from",
            "are",
            "this",
            "it",
            "an",
            "be",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "de",
            "des",
            "du",
            "et",
            "est",
            "un",
            "une",
            "pour",
            "dans",
            "que",
            "sur",
            "au",
            "aux",
            "par",
            "pas",
            "qui",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "de",
            "del",
            "y",
            "que",
            "en",
            "un",
            "una",
            "por",
            "con",
            "para",
            "es",
            "se",
            "al",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "nicht",
            "ein",
            "eine",
            "zu",
            "den",
            "mit",
            "von",
            "im",
            "für",
            "auf",
            "dem",
            "des",
        ]
    ),
    "pt": frozenset(
        [
            "o",
            "a",
            "os",
            "as",
            "de",
            "do",
            "da",
            "e",
            "que",
            "em",
            "um",
            "uma",
            "para",
            "com",
            "não",
            "por",
            "no",
            "na",
        ]
    ),
}


def _script_of(ch: str) -> str | None:
    cp = ord(ch)
    if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0x08A0 <= cp <= 0x08FF:
        return "arab"
    if 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF:
        return "arab"
    if cp < 0x250 and ch.isalpha():
        return "latn"
    if 0x0400 <= cp <= 0x04FF:
        return "cyrl"
    if 0x0590 <= cp <= 0x05FF:
        return "hebr"
    if 0x4E00 <= cp <= 0x9FFF or 0x3040 <= cp <= 0x30FF:
        return "cjk"
    return "other" if ch.isalpha() else None


@functools.lru_cache(maxsize=4096)
def _char_class(ch: str) -> tuple[str | None, bool]:
    """(script, is a Persian/Urdu letter) of one character; cached: texts reuse few characters."""
    return _script_of(ch), ch in _PERSIAN_URDU_LETTERS


_SCRIPTS = ("arab", "latn", "cyrl", "hebr", "cjk", "other")


@functools.cache
def _bmp_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per BMP code point: its script (index into ``_SCRIPTS`` + 1, 0 for none) and whether it
    is a Persian/Urdu letter. Built once per process (about 15 ms)."""
    script = np.zeros(0x10000, np.uint8)
    for cp in range(0x10000):
        name = _script_of(chr(cp))
        if name is not None:
            script[cp] = _SCRIPTS.index(name) + 1
    persian = np.zeros(0x10000, np.bool_)
    persian[[ord(ch) for ch in _PERSIAN_URDU_LETTERS]] = True
    return script, persian


def _script_counts(chunk: str) -> tuple[dict[str, int], int] | None:
    """Letters per script and Persian/Urdu letters of ``chunk``, counted with numpy; None when
    two scripts tie for first place (then the order of first appearance decides, which only
    ``_script_counts_in_order`` keeps)."""
    script, persian = _bmp_tables()
    points = np.frombuffer(chunk.encode("utf-32-le", "surrogatepass"), np.uint32)
    astral = points > 0xFFFF
    bmp = points[~astral] if astral.any() else points
    totals = np.bincount(script[bmp], minlength=len(_SCRIPTS) + 1)
    counts = {name: int(n) for name, n in zip(_SCRIPTS, totals[1:].tolist(), strict=True) if n}
    for cp in points[astral].tolist():
        name = _script_of(chr(cp))
        if name is not None:
            counts[name] = counts.get(name, 0) + 1
    if counts:
        top = max(counts.values())
        if sum(1 for n in counts.values() if n == top) > 1:
            return None
    return counts, int(np.count_nonzero(persian[bmp]))


def _script_counts_in_order(chunk: str) -> tuple[dict[str, int], int]:
    """The same counts, keyed in order of each script's first appearance (the reference)."""
    counts: dict[str, int] = {}
    persian = 0
    for ch, n in Counter(chunk).items():
        script, is_persian = _char_class(ch)
        if script is None:
            continue
        counts[script] = counts.get(script, 0) + n
        if is_persian:
            persian += n
    return counts, persian


def detect_language(text: str, sample: int = 4000) -> str:
    """ISO 639-1 code guessed from the text's script and, for Latin, a stop-word vote.

    Feeds mislabel themselves (Hespress declares ``en`` on Arabic content), so we trust only the
    text. Returns ``und`` when there are too few letters to say. Code points are classified
    through a per-process lookup table with numpy (``_script_counts``): ``Counter`` over the
    characters was a fifth of the prepare step, and a per-character Python loop two thirds.
    """
    chunk = text[:sample]
    found = _script_counts(chunk)
    counts, persian = found if found is not None else _script_counts_in_order(chunk)
    letters = sum(counts.values())
    if letters < 10:
        return "und"
    script = max(counts.items(), key=lambda kv: kv[1])[0]
    if script == "arab" or counts.get("arab", 0) / letters >= 0.4:
        return "fa" if persian / max(counts.get("arab", 1), 1) > 0.02 else "ar"
    if script == "latn":
        words = [w.strip(".,;:!?«»\"'()").lower() for w in chunk.split()]
        votes = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
        best, score = max(votes.items(), key=lambda kv: kv[1])
        return best if score >= 2 else "und"
    return {"cyrl": "ru", "hebr": "he", "cjk": "zh"}.get(script, "und")
