"""Words that end or empty an organisation's name chain (``heads``): which definite words stop
a chain, which adjectives only describe a generic head ("الجهاز الفني"), which head and
complement name an activity rather than a body ("حركة المرور"), and the honorifics and ranks that
announce the next person. Kept apart from the chain machinery so each reads on its own.
"""

from __future__ import annotations

from akhbar.transforms.extract.lexicon import ANAPHORIC, COMPANY_HEADS
from akhbar.transforms.extract.mentions import WEEKDAYS
from akhbar.transforms.normalize import normalize_fast

CHAIN_STOP = frozenset(
    [
        "الذي",
        "التي",
        "الذين",
        "اللذين",
        "اللتين",
        "الان",
        "اليوم",
        "الماضي",
        "المقبل",
        "القادم",
        "الجاري",
        "الحالي",
        *WEEKDAYS,
        "الاول",
        "الثاني",
        "الثالث",
        "الاخير",
        "الاخيره",
        "المتعلق",
        "المتعلقه",
        "الخاص",
        "الخاصه",
        "الصادر",
        "الصادره",
        "المذكور",
        "المذكوره",
        "اللازم",
        "اللازمه",
        "التابع",
        "التابعه",
        "التابعين",
        "والذي",
        "والتي",
        "والذين",
    ]
)


GENERIC_STOP = frozenset(
    [
        "الفني",
        "الزائر",
        "المضيف",
        "الناشئه",
        "المنافس",
        "الخصم",
        "الاداري",
        "الطبي",
        "التنفيذي",
        "التنفيذيه",
        "المحلي",
        "المحليه",
        "الاول",
        "الثاني",
        "الاعلي",
        "الجديد",
        "الجديده",
        "الكبير",
        "الكبري",
        "الرئيسي",
        "الرئيسيه",
        # status adjectives: "الائتلاف الحاكم", "الفريق الزائر الوحيد", "المجلس السابق"
        "الحاكم",
        "الحاكمه",
        "الوحيد",
        "الوحيده",
        "السابق",
        "السابقه",
        "الاسبق",
        "المعارض",
        "المعارضه",
        # ordinals and descriptions of a kind, not names: "المجموعة الأولى", "الهيئة المديرة",
        # "المكتب السياسي", "المؤسسة الأمنية", "الفريق الأمني"
        "الاولي",
        "الثانيه",
        "الثالثه",
        "الثالث",
        "المديره",
        "السياسي",
        "السياسيه",
        "الامني",
        "الامنيه",
        "التربوي",
        "التربويه",
    ]
)
STATUS = frozenset(
    ["الحاكم", "الحاكمه", "المعارض", "المعارضه", "السابق", "السابقه", "الاسبق", "الاسبقه"]
)
# A head with one complement that names an activity, not an organisation: "حركة المرور" is
# traffic, "سلطة الإشراف" the supervising authority, "لجنة التحقيق" an inquiry.
GENERIC_PAIRS = frozenset(
    [
        ("حركه", "المرور"),
        ("حركه", "السير"),
        ("حركه", "القطارات"),
        ("حركه", "الملاحه"),
        ("حركه", "الطيران"),
        ("حركه", "النقل"),
        ("حركه", "التنقل"),
        ("حركه", "الاسعار"),
        ("سلطه", "الاشراف"),
        ("وزاره", "الاشراف"),
        ("هيئه", "الدفاع"),
        ("لجنه", "التحقيق"),
        ("موقع", "التواصل"),
    ]
)
PAIR_HEADS = frozenset(h for head, _ in GENERIC_PAIRS for h in (head, "ال" + head))
LAM_DEMONSTRATIVES = frozenset(["لهذا", "لهذه", "لذلك", "لتلك", "لهذين", "لهاتين", "لهؤلاء"])
# Words that introduce a person and so end an organisation's name before it. Honorifics always
# do; a military rank only before a given name or "أول" ("الفريق" is also a team).
HONORIFICS = frozenset(
    normalize_fast(w)
    for w in [
        "الدكتور",
        "الدكتورة",
        "د",
        "المهندس",
        "المهندسة",
        "الأستاذ",
        "الأستاذة",
        "السيد",
        "السيدة",
        "الشيخ",
        "الشيخة",
        "معالي",
        "سمو",
        "سعادة",
        "فخامة",
    ]
)
RANKS = frozenset(
    normalize_fast(w) for w in ["الفريق", "اللواء", "العميد", "العقيد", "المشير", "الجنرال"]
)


PRONOUNS = ("ها", "هم", "هما", "هن", "كم")


REGNAL = frozenset(["الاول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع"])


def verbal_noun(word: str) -> bool:
    """A definite verbal noun of the تفعّل/تفاعل forms ("التدخل", "التفاوض"); adjectives of
    that shape end in ي ("التونسي", "التنفيذية")."""
    return len(word) >= 6 and word.startswith("الت") and not word.endswith(("ي", "يه", "ين", "يون"))


def generic(head: str, kinds: list[str], names: list[str], nisba: frozenset[str]) -> bool:
    """A definite generic head followed only by describing adjectives, or by a word that refers
    back ("للصندوق"), or a construct that ends on such a word, names no organisation: "الجهاز
    الفني", "الشركة الناشئة", "الفريق الزائر". A country adjective ("البنك المركزي المصري") or a genitive complement that is a
    name ("المؤسسة الوطنية للنفط") makes it one."""
    last = names[-1][1:] if names[-1].startswith("لل") else names[-1]
    if (
        "indef" in kinds
        and all(k in ("def", "indef") for k in kinds)
        and (last in ANAPHORIC or ("ال" + last[2:]) in ANAPHORIC)
    ):
        return True  # "مجلس إدارة المؤسسة": the board of an organisation named before
    if not head.startswith("ال") or any(k != "def" for k in kinds):
        return False
    stripped = [n[1:] if n.startswith("لل") else n for n in names]
    if any(n in nisba or ("ال" + n[2:]) in nisba for n in stripped):
        return False
    if head in COMPANY_HEADS and not any(n.endswith(("ي", "يه")) for n in stripped):
        return True  # "الشركة المنتجة", "الفريق المبتكر": a description, no relation adjective
    return all(n in GENERIC_STOP or n in ANAPHORIC or ("ال" + n[2:]) in ANAPHORIC for n in names)
