"""Organisations and places announced by a head noun: "وزارة الصحة والسكان", "محافظة الزرقاء".

No list can hold every ministry, committee, refugee camp or oil field, but Arabic names them with
a head noun followed by a genitive chain of definite words, so the chain is the name. The chain
ends at the first word that cannot continue a name: a verb, a preposition phrase, a number,
punctuation. Gazetteer names inside the chain ("مصرف ليبيا المركزي") are taken whole.

Guideline rules this follows (tests/golden/GUIDELINES.md): institutional heads are part of an
organisation's name; company and media heads (شركة، قناة، نادي) are not, unless a definite
chain follows them ("الشركة الوطنية للمحروقات"); administrative heads (محافظة، ولاية) are not
part of a place's name, facility heads (مخيم، حقل، ميناء) are.
"""

from __future__ import annotations

from akhbar.transforms.extract.inner_names import bare_name, person_name_end, quoted_name
from akhbar.transforms.extract.keywords import IdfTable
from akhbar.transforms.extract.lexicon import (
    ANAPHORIC,
    COMPANY_HEADS,
    NAME_PARTICLES,
    ORG_HEADS,
    PROCLITICS,
    STOPWORDS,
    TITLE_HEADS,
)
from akhbar.transforms.extract.org_words import (
    CHAIN_STOP,
    GENERIC_PAIRS,
    HONORIFICS,
    LAM_DEMONSTRATIVES,
    PAIR_HEADS,
    PRONOUNS,
    RANKS,
    STATUS,
    generic,
    verbal_noun,
)
from akhbar.transforms.extract.tokens import WORD, Span, Tokens, covering

MAX_CHAIN = 7
# Heads that name an organisation only with more than a place after them: "بعثة تونس" is
# Tunisia's delegation, "بعثة الأمم المتحدة لمساعدة العراق" an organisation.
PLACE_ONLY_WEAK = frozenset(["بعثه", "البعثه"])
COMMON_SHARE = 0.01  # a word in more than 1% of reference articles is not a rare proper name
FOREIGN_SHARE = 0.002  # a bare company name must be rarer than this


def _head_forms(heads: frozenset[str]) -> dict[str, tuple[int, str]]:
    """Every spelling of a head with its proclitics -> (offset of the head in it, head).

    One dict lookup per token instead of trying every proclitic on every word; "للوزارة" maps
    to the head at offset 0, since the article's ل is fused with the preposition's.
    """
    forms: dict[str, tuple[int, str]] = {}
    for head in heads:
        forms.setdefault(head, (0, head))
        for prefix in PROCLITICS:
            forms.setdefault(prefix + head, (len(prefix), head))
            if prefix[-1] == "ل" and head.startswith("ال"):
                forms.setdefault(prefix + head[1:], (len(prefix) - 1, head))
    return forms


_NEXT_PERSON = frozenset(
    ["ابو"]
    + ["و" + t for t in TITLE_HEADS]
    + ["لل" + t[2:] for t in TITLE_HEADS if t.startswith("ال")]
)
# Institutions named after a person after their describing adjective ("المستشفى الجامعي
# الطاهر صفر"); a ministry or a party followed by a name is followed by its officer instead.
_SITE = frozenset(["موقع", "الموقع"])
_NAMED_AFTER = frozenset(["مستشفي", "المستشفي", "معهد", "المعهد"])
_ORG_FORMS = _head_forms(ORG_HEADS | COMPANY_HEADS)
ORG_HEAD_FORMS = frozenset(_ORG_FORMS)  # every spelling of an organisation head, with clitics


def _head(tokens: Tokens, i: int, forms: dict[str, tuple[int, str]]) -> tuple[int, str] | None:
    """(start offset of the head inside token ``i``, head word) when the token is a head."""
    found = forms.get(tokens.texts[i])
    if found is None:
        return None
    return tokens.starts[i] + found[0], found[1]


def _definite(word: str) -> bool:
    return (
        len(word) > 3
        and word.startswith(("ال", "وال", "لل"))
        and word not in CHAIN_STOP
        and word not in STOPWORDS
    )


def _indefinite(word: str) -> bool:
    return len(word) >= 3 and not word.startswith("ال") and word not in STOPWORDS


def _chain(
    tokens: Tokens,
    i: int,
    gaz: list[Span | None],
    given: frozenset[str],
    after_definite: bool,
) -> tuple[int, list[str]]:
    """Extend a name chain from token ``i``; returns (index after the last token kept, kinds).

    A definite head ("البنك") cannot take an indefinite construct ("البنك يتوقع"), and words
    that start with ي are imperfect verbs, not nouns of a name. A person's name inside an
    institution's ("مستشفى ابن سينا", "المستشفى الجامعي ابن الجزار") is part of it.
    """
    texts, starts, bits = tokens.texts, tokens.starts, tokens.bits
    size = len(texts)
    j, kept_end = i, i
    kinds: list[str] = []
    pending: list[str] = []
    while j < size and j - i < MAX_CHAIN:
        word = texts[j]
        span = gaz[j]
        if span is not None and span.type in ("LOC", "ORG") and span.start >= starts[j]:
            if j == i and after_definite and span.type == "LOC":
                break  # "من الصندوق القاهرة": a definite head does not take a place in construct
            if kinds and span.start > starts[j] and word[0] in "وف":
                break  # "... نابلس والمؤسسة الوطنية للنفط": a list, not one name
            if kinds and span.type == "LOC" and span.start > starts[j] and word[0] == "ب":
                break  # "للحرس الوطني ببنزرت": "in Bizerte" is an adjunct, not part of it
            k = j
            while k < size and starts[k] < span.end:
                k += 1
            kinds += [*pending, f"gaz-{span.type}"]
            pending, j, kept_end = [], k, k
            continue
        if not bits[j] & WORD or span is not None:
            break
        if word[:1] in "وف" and (word[1:] in ORG_HEADS or word[1:] in COMPANY_HEADS):
            break  # "... والمؤسسة الوطنية": the next organisation of a list begins
        if (
            kinds
            and kinds[-1] == "gaz-ORG"
            and not pending
            and word.startswith("ال")
            and not word.endswith(("ي", "يه", "ين"))
        ):
            break  # "نشر موقع الجوهرة أف أم الخبر": after a known name only an adjective follows
        if j == i and word in HONORIFICS:
            break  # "برئاسة الدكتور رضا": a person follows the head, not its name
        if j == i and after_definite and verbal_noun(word):
            break  # "حاولت الشرطة التدخل": a definite head takes adjectives, not a verbal noun
        if word in STATUS and (kinds or pending):
            if pending and not kinds and not after_definite and all(p == "indef" for p in pending):
                kinds, kept_end = ["indef"] * len(pending), j  # "حزب باستيف الحاكم"
            break  # "الائتلاف الوطني السوري المعارض": the status is no part of the name
        if kinds and (word in _NEXT_PERSON or word.startswith("عبد")):
            # "هيئة الموانئ والمناطق الحرة أبو بكر عمر", "عبد ...": the next person;
            # "لحركة نداء تونس والوزير السابق": the person's next role; "الفريق الأمني
            # للرئيس التركي": a person's team, not an organisation's name
            break
        if (kinds or pending) and (
            word in HONORIFICS
            or (word in RANKS and j + 1 < size and (texts[j + 1] in given or texts[j + 1] == "اول"))
        ):
            break  # "وزارة الخارجية الدكتور ماجد", "مجلس السيادة الفريق عبد الفتاح": a person
        if pending and pending[-1] == "name" and word not in STOPWORDS and not word.startswith("ي"):
            kinds += [*pending, "name"]
            pending, j, kept_end = [], j + 1, j + 1
        elif word in NAME_PARTICLES or (
            not after_definite
            and not kinds
            and not pending
            and word in given
            and word not in STOPWORDS
            and not word.startswith("ال")
        ):
            # a person's name right after the head is part of the name ("مؤسسة محمد بن راشد");
            # after the chain has begun, even with words still pending, it is the next person
            # ("رئيس هيئة قناة السويس أسامة ربيع", "مجلس إدارة أكوا باور محمد أبونيان"): the
            # organisation ends before it
            pending.append("name")
            j += 1
        elif kinds and word in given and word not in STOPWORDS:
            break
        elif _definite(word):
            kinds += [*pending, "def"]
            pending, j, kept_end = [], j + 1, j + 1
        elif (
            word.startswith("ل")
            and word not in LAM_DEMONSTRATIVES
            and j + 1 < size
            and _lam_complement(tokens, j + 1)
        ):
            pending.append("lam")  # "لإعادة الإعمار": kept only with what follows
            j += 1
        elif (
            _indefinite(word)
            and not word.startswith("ي")
            and not (len(word) > 4 and word.endswith(PRONOUNS))  # "هيئة معارضة مقرها"
            and (pending or (j == i and not after_definite))
            and len(pending) < 3
        ):
            pending.append("indef")  # construct state: kept only if a definite word follows
            j += 1
        else:
            break
    return kept_end, kinds


def _lam_complement(tokens: Tokens, j: int) -> bool:
    """ "لإعادة الإعمار", "لاستغلال وتوزيع المياه": a definite word follows, possibly after a
    coordinated noun."""
    texts = tokens.texts
    text = texts[j]
    if text.startswith("ال"):
        return True
    return (
        text[:1] == "و"
        and bool(tokens.bits[j] & WORD)
        and j + 1 < len(texts)
        and texts[j + 1].startswith("ال")
    )


def organisation_spans(
    tokens: Tokens,
    gazetteer: list[Span],
    idf: IdfTable,
    given: frozenset[str],
    nisba: frozenset[str] = frozenset(),
    family: frozenset[str] = frozenset(),
    candidates: list[int] | None = None,
    cover: list[Span | None] | None = None,
    national: frozenset[str] = frozenset(),
) -> list[Span]:
    """Organisations named by an institutional head plus a genitive chain.

    ``national``: the country adjectives ("الياباني"), which after a rare name describe it
    rather than belong to it ("بنك ميزوهو الياباني" gives "بنك ميزوهو").

    ``candidates``: indices of the tokens that may be an organisation head (``scan.ORG_HEAD``),
    in text order; the tokens are searched for heads when None. ``cover``: ``covering(tokens,
    gazetteer)`` when the caller has it.
    """
    texts, starts, ends = tokens.texts, tokens.starts, tokens.ends
    gaz = cover if cover is not None else covering(starts, ends, gazetteer)
    out: list[Span] = []
    if candidates is None:
        candidates = [i for i, text in enumerate(texts) if text in _ORG_FORMS]
    resume = 0
    for i in candidates:
        if i < resume or gaz[i] is not None:
            continue
        found = _head(tokens, i, _ORG_FORMS)
        if found is None:
            continue
        start, head = found
        if i + 1 < len(texts) and texts[i + 1] in ("«", '"'):
            quoted = quoted_name(tokens, i + 1)
            if quoted is not None:  # "وكالة «تسنيم»", "وكالة "فارس" الإيرانية": the quoted name
                out.append(quoted)
                resume = i + 2
                continue
        company = head in COMPANY_HEADS
        named_after = person_name_end(tokens, i + 1, gaz, given, family) if not company else None
        if head == "رئاسه" and named_after is not None:
            continue  # "برئاسة محمد بن علي": chaired by a person, no organisation
        if named_after is not None and not head.startswith("ال"):
            # "مستشفى الهادي شاكر", "جامعة الملك سعود": the person's whole name is the name
            out.append(Span(start, ends[named_after - 1], "ORG", "", "pattern"))
            resume = named_after
            continue
        end_index, kinds = _chain(tokens, i + 1, gaz, given, head.startswith("ال"))
        if (
            head in _NAMED_AFTER
            and kinds
            and all(k == "def" for k in kinds)
            and not any(t.startswith("لل") for t in texts[i + 1 : end_index])
        ):  # not "المعهد الوطني للاستهلاك طارق بن جازية": its director
            person_end = person_name_end(tokens, end_index, gaz, given, family)
            if person_end is not None:  # "المستشفى الجامعي الطاهر صفر": named after a person
                end_index, kinds = person_end, [*kinds, "name"]
        if head == "رئاسه" and kinds[:1] == ["name"]:
            continue  # "برئاسة لورا جاراميلو"
        if (
            not company
            and kinds == ["indef", "def"]
            and texts[end_index - 1] in national
            and idf.word_share(texts[i + 1]) < FOREIGN_SHARE
        ):
            end_index, kinds = end_index - 1, ["indef"]  # "بنك ميزوهو الياباني": a description
        names = texts[i + 1 : end_index]
        if (
            head in _SITE
            and kinds[:1] == ["def"]
            and idf.word_share(names[0]) >= FOREIGN_SHARE
            and end_index == i + 2
        ):
            continue  # "موقع الحادث", "موقع الهجوم": the place where, not a website
        if (
            head in PAIR_HEADS
            and names
            and (head.removeprefix("ال"), names[0].removeprefix("ل")) in GENERIC_PAIRS
        ):
            continue  # "حركة المرور", "موقع التواصل الاجتماعي فيسبوك": the gazetteer keeps فيسبوك
        if kinds and generic(head, kinds, names, nisba):
            # "الجهاز الفني", "الفريق الزائر", "المجلس التنفيذي للصندوق": a description
            quoted = quoted_name(tokens, end_index) if company else None
            if quoted is not None:
                out.append(quoted)  # "الشركة الناشئة «رين»"
            resume = end_index
            continue
        if (
            kinds
            and not all(n in ANAPHORIC for n in names)
            and not (
                (company or head in PLACE_ONLY_WEAK)
                and len(kinds) == 1
                and kinds[0].startswith("gaz")
            )
        ):
            if company and kinds[0] != "def":
                start = starts[i + 1]  # "شركة نفط البصرة": the head is not the name
                adjective = names[-1] in nisba or names[-1].endswith(("يه", "ي"))
                if (
                    len(kinds) == 2
                    and kinds[0] in ("indef", "gaz-ORG")
                    and kinds[1] == "def"
                    and adjective
                ):
                    end_index -= 1  # "مجموعة إيني الإيطالية": the adjective describes the name
            out.append(Span(start, ends[end_index - 1], "ORG", "", "pattern"))
            resume = end_index
            continue
        if company:
            named = quoted_name(tokens, i + 1) or bare_name(tokens, i + 1, gaz, idf)
            if named is not None:
                out.append(named)
    return out
