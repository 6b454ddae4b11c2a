"""Numbers written with digits, words or both, read from normalized tokens.

Our own parser rather than pyarabic's: it works on the tokens the other extractors already have,
knows where the number phrase ends (so the unit after it can be read), and handles the forms news
uses: accusative and dual endings ("مليونا", "ملياري"), "و"-joined parts ("ألف وخمسمائة"),
fractions of a scale ("مليار ونصف المليار") and digits followed by scale words ("1.2 مليار").
"""

from __future__ import annotations

from akhbar.transforms.extract.tokens import DIGITS, NUMBER_WORD

# fmt: off
UNITS: dict[str, float] = {
    "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4,
    "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6, "سبع": 7, "سبعه": 7, "ثمان": 8, "ثماني": 8,
    "ثمانيه": 8, "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10,
}
TENS: dict[str, float] = {
    "عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30, "اربعون": 40, "اربعين": 40,
    "خمسون": 50, "خمسين": 50, "ستون": 60, "ستين": 60, "سبعون": 70, "سبعين": 70,
    "ثمانون": 80, "ثمانين": 80, "تسعون": 90, "تسعين": 90,
}
HUNDREDS: dict[str, float] = {
    "مائه": 100, "مئه": 100, "مايه": 100, "مائتان": 200, "مائتين": 200, "مئتان": 200,
    "مئتين": 200, "ثلاثمائه": 300, "ثلاثمئه": 300, "اربعمائه": 400, "اربعمئه": 400,
    "خمسمائه": 500, "خمسمئه": 500, "ستمائه": 600, "ستمئه": 600, "سبعمائه": 700, "سبعمئه": 700,
    "ثمانمائه": 800, "ثمانمئه": 800, "ثمانيمائه": 800, "تسعمائه": 900, "تسعمئه": 900,
}
SCALES: dict[str, float] = {
    "الف": 1e3, "الفا": 1e3, "الاف": 1e3, "الفين": 1e3, "الفان": 1e3, "الفي": 1e3,
    "مليون": 1e6, "مليونا": 1e6, "ملايين": 1e6, "مليونين": 1e6, "مليوني": 1e6, "مليونان": 1e6,
    "مليار": 1e9, "مليارا": 1e9, "مليارات": 1e9, "مليارين": 1e9, "ملياري": 1e9, "ملياران": 1e9,
    "بليون": 1e9, "بلايين": 1e9, "تريليون": 1e12, "ترليون": 1e12, "تريليونات": 1e12,
}
DUALS = frozenset(["الفين", "الفان", "الفي", "مليونين", "مليوني", "مليونان", "مليارين", "ملياري", "ملياران"])
PLURALS = frozenset(["الاف", "ملايين", "مليارات", "بلايين", "تريليونات"])
FRACTIONS = {"نصف": 0.5, "ربع": 0.25}
TEEN_FIRST = {"احد": 1, "احدي": 1, "اثنا": 2, "اثني": 2, "اثنتا": 2, "اثنتي": 2}
# fmt: on
WORD_VALUES = {**UNITS, **TENS, **HUNDREDS}
# A number word glued to the preposition ب or ل or to the conjunction و: "لثلاثة أشهر", "بمئة
# طن", "وثلاثة آلاف" ("لست" is "I am not", left out).
GLUED_NUMBERS = {
    p + w: w
    for w in (*WORD_VALUES, *(s for s in SCALES if s not in PLURALS))
    for p in ("ب", "ل", "وب", "ول", "و")
    if w not in ("ست", "سته")
}
# A definite number after a definite plural noun counts it: "السنوات الخمس", "الأيام الثلاثة"
# ("الست", "السبع", "الاثنين" are also "the lady", "the lion", Monday: left out).
DEFINITE_NUMBERS = {
    "ال" + w: v
    for w, v in UNITS.items()
    if w not in ("ست", "سبع", "اثنان", "اثنين", "اثنتان", "اثنتين")
}
# Words a number phrase can begin with (digits aside): checked before read_number is called.
NUMBER_STARTS = frozenset([*WORD_VALUES, *SCALES, *TEEN_FIRST, *GLUED_NUMBERS, *DEFINITE_NUMBERS])
# Words a number phrase can hold, with or without و: ``read_number`` stops at any other word, so
# the scan marks these (``scan.NUMBER_WORD``) and the loop tests one bit.
NUMBER_PARTS = frozenset(
    [
        *(
            w
            for base in (*TEEN_FIRST, *WORD_VALUES, *SCALES, *FRACTIONS)
            for w in (base, "و" + base)
        ),
        *GLUED_NUMBERS,
    ]
)

NUMBER_PARTS_PLAIN = frozenset(
    w for base in (*TEEN_FIRST, *WORD_VALUES, *SCALES, *FRACTIONS) for w in (base, "و" + base)
)  # the parts a phrase continues with: "و" + a number word, not "ب" or "ل" + one


def parse_digits(text: str) -> float | None:
    """'1,300' -> 1300; '1,8' -> 1.8 (decimal comma); '2٫5' -> 2.5; '15٬000' -> 15000."""
    s = text.replace("٬", "").replace("٫", ".")
    if "," in s:
        groups = s.split(",")
        if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]) and "." not in groups[0]:
            s = "".join(groups)
        elif len(groups) == 2:
            s = groups[0] + "." + groups[1]
        else:
            return None
    if s.count(".") > 1:
        groups = s.split(".")
        if all(len(g) == 3 for g in groups[1:]):
            s = "".join(groups)  # 1.200.000
        else:
            return None
    try:
        return float(s)
    except ValueError:
        return None


def _word(text: str, continuation: bool) -> str:
    if continuation and text.startswith("و") and len(text) > 2:
        return text[1:]
    return text


def read_number(texts: list[str], bits: list[int], i: int) -> tuple[float, int, bool, bool] | None:
    """(value, index after, written with words, has a scale word) for a number at token ``i``.

    ``texts`` and ``bits`` of the tokens (``tokens.Tokens``): the bits must carry
    ``scan.NUMBER_WORD`` on the words of ``NUMBER_PARTS``, as a scan's do."""
    total = 0.0
    current: float | None = None
    last_scale = 0.0
    scaled = False
    k = i
    size = len(texts)
    digits = bits[i] & DIGITS
    if digits:
        current = parse_digits(texts[i])
        if current is None:
            return None
        k = i + 1
    while k < size:
        if scaled and current is None and texts[k] == "و" and k + 1 < size and bits[k + 1] & DIGITS:
            # "مليونا و50 ألف ريال": digits joined to a larger scale word by و add to it
            part = parse_digits(texts[k + 1])
            follow = SCALES.get(texts[k + 2], 0.0) if k + 2 < size else 0.0
            if part is None or part * max(follow, 1.0) >= last_scale:
                break
            current, k = part, k + 2
            continue
        if not bits[k] & NUMBER_WORD:
            break  # neither a number word nor one glued to و: no branch below takes it
        text = texts[k]
        continuation = k > i
        word = _word(text, continuation and (current is not None or total > 0))
        if not continuation and word in GLUED_NUMBERS:
            word = GLUED_NUMBERS[word]  # "لثلاثة أشهر"
        elif continuation and text in GLUED_NUMBERS and text not in NUMBER_PARTS_PLAIN:
            break  # "خمسة بألف": a glued word starts the next phrase
        if word in TEEN_FIRST and k + 1 < size and texts[k + 1] in ("عشر", "عشره"):
            if current is not None and digits:
                break
            current = (current or 0.0) + TEEN_FIRST[word] + 10
            k += 2
            continue
        if word in WORD_VALUES and not digits:
            value = WORD_VALUES[word]
            if word in ("عشر", "عشره") and current is not None and 1 <= current <= 9:
                current += 10
            elif current is not None and not text.startswith("و") and value < 100 <= current:
                break  # two numbers side by side, not one phrase
            else:
                current = (current or 0.0) + value
            k += 1
            continue
        if word in SCALES:
            if word in PLURALS and current is None:
                break  # "آلاف المحتجين": thousands of, no number
            scale = SCALES[word]
            base = (
                2.0
                if word in DUALS and current is None
                else (current if current is not None else 1.0)
            )
            if word in DUALS and current is not None:
                break
            if current is None and total and k > i and scale > last_scale and texts[k - 1] != "و":
                total *= scale  # "ألف مليون دينار": a thousand million
                last_scale = scale
                k += 1
                continue
            total += base * scale
            current, last_scale, scaled = None, scale, True
            k += 1
            continue
        if word in FRACTIONS and continuation and text.startswith("و") and (total or current):
            total += FRACTIONS[word] * (last_scale or 1.0)
            k += 1
            if k < size and texts[k].startswith("ال") and texts[k][2:] in SCALES:
                k += 1  # "مليار ونصف المليار"
            continue
        break
    if k == i:
        return None
    value = total + (current or 0.0)
    if value == 0 and not digits:
        return None
    return value, k, not digits, scaled


def parse_words(text: str) -> float | None:
    """Value of a number written in words (normalized), e.g. 'الف وخمسمائه' -> 1500."""
    from akhbar.transforms.extract.tokens import tokenize

    tokens = tokenize(text)
    if not tokens.texts:
        return None
    bits = [
        b | (NUMBER_WORD if t in NUMBER_PARTS else 0)
        for t, b in zip(tokens.texts, tokens.bits, strict=True)
    ]
    found = read_number(tokens.texts, bits, 0)
    if found is None or found[1] != len(tokens.texts):
        return None
    return found[0]
