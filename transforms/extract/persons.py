"""Person names from the way Arabic news introduces people.

No package ships Arabic person lists, and a name such as لياو ليتشانج is in no list at all. But
news prose announces people: a title or role comes first ("السفير الصيني بالقاهرة، لياو
ليتشانج", "وزير الخارجية بدر عبد العاطي"), or a role follows a name ("حسام عبد الغفار المتحدث
باسم الوزارة"), or a speech verb precedes one ("وقال خالد حميدان"). Arab names have a grammar of
their own: compounds with عبد ("عبد الفتاح"), chains with بن/أبو/آل ("محمد بن عبدالرحمن بن جاسم آل
ثاني"), and a family name that often carries the article ("العلاق"). A name ends at a function
word, a verb, a role, punctuation or a known place or organisation.

What is announced once is then repeated bare ("وأضاف كجوك"), so every name found is propagated
(``propagation``): its family name, first name and a chain's first three words are searched
again in the whole article. Without any title, a given name followed by a family name the
lexicons know (``seeds/build_names.py``) or by a word the reference corpus never has is a name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter

from akhbar.transforms.extract.lexicon import (
    AFTER_ALA,
    COMPOUND_FIRST,
    COMPOUND_SECOND,
    FOREIGN_PARTICLES,
    NAME_PARTICLES,
)
from akhbar.transforms.extract.person_words import (
    FAMILY_SHARE,
    FOREIGN_SHARE,
    MONTH_WORDS,
    TITLES,
    PersonLexicon,
    conjoined_given,
    full_name,
    name_before_speech,
    not_a_name_word,
    record_title_before,
    role_after_name,
    title_key,
    trigger_words,
    verb_like,
)
from akhbar.transforms.extract.scan import COMPOUND, ORG_HEAD, SPEAKS, STOP, STRONG, TITLE, Scan
from akhbar.transforms.extract.tokens import (
    DIGITS,
    WORD,
    Span,
    covering,
)

_EGYPTIAN = re.compile(r"(?<!\w)(?:فى|الذى|التى)(?!\w)")  # final ى for ي
MAX_NAME_TOKENS = 7
MAX_TITLE_SKIP = 12
_ARTICLE_PREPOSITIONS = ("ال", "وال", "لل", "بال")
_SECRETARY = frozenset(["الامين", "امين", "الامينه", "امينه", "والامين", "وامين"])
_KIN = frozenset(["نجل", "نجله", "ابنه", "ابن", "شقيق", "شقيقه", "زوجه", "زوج", "والد", "والده"])
_SKIPPABLE = frozenset(["باسم", "في", "لدي", "سابقا", "السابق", "الحالي"])


@dataclass(slots=True)
class Persons:
    """Names found, and the titles seen next to them (for quote speakers like "وأشار المتحدث")."""

    spans: list[Span] = field(default_factory=list)
    titles: list[tuple[int, str, str]] = field(default_factory=list)  # (position, title, name)


class _Reader:
    def __init__(
        self,
        tokens: Scan,
        known: list[Span],
        lex: PersonLexicon,
        original: Callable[[int, int], str],
    ) -> None:
        self.tokens = tokens
        self.texts = tokens.texts
        self.bits = tokens.bits
        self.size = len(tokens.texts)
        self.known = covering(tokens.starts, tokens.ends, known)
        self.lex = lex
        self.original = original
        self._standard: bool | None = None

    def standard_orthography(self) -> bool:
        """The article does not write final ي as ى ("فى", "الذى" in Egyptian usage): then "على"
        with ى is always the preposition, even before a word that is also a given name ("على
        منحة", "على مظهر")."""
        if self._standard is None:
            starts, ends = self.tokens.starts, self.tokens.ends
            whole = self.original(starts[0], ends[-1]) if starts else ""
            self._standard = not _EGYPTIAN.search(whole)
        return self._standard

    def is_stop(self, i: int) -> bool:
        return bool(self.bits[i] & STOP)

    def preposition_ala(self, i: int) -> bool:
        """ "على" spelled with ى and followed by a clause or a noun phrase is the preposition."""
        texts = self.texts
        if texts[i] != "علي":
            return False
        tokens = self.tokens
        if self.original(tokens.starts[i], tokens.ends[i]) != "على":
            return False
        nxt = texts[i + 1] if i + 1 < self.size else None
        return (
            nxt is None
            or nxt in AFTER_ALA
            or nxt not in self.lex.given_names
            or self.standard_orthography()
        )

    def given_follows(self, k: int) -> bool:
        """A given name at ``k`` goes on with a chain of names: a common word that is also a
        name before it is a father's name ("عبد القادر كامل محمد")."""
        if k >= self.size or self.known[k] is not None or self.bits[k] & STOP:
            return False
        word = self.texts[k]
        # a father's name is a common given name ("محمد", "أحمد", "عبد ..."), not any word
        # that is also a name ("ضيف شرف" is a guest of honour)
        return word in self.lex.given_names and (
            word.startswith("عبد") or self.lex.idf.word_share(word) >= FAMILY_SHARE
        )

    def strong_start(self, i: int) -> bool:
        bits = self.bits[i]
        if bits & STRONG:
            return True
        # "عز الدين", "نور الدين"
        return bool(bits & COMPOUND) and i + 1 < self.size and self.texts[i + 1] in COMPOUND_SECOND

    def read_name(self, j: int, after_title: bool) -> tuple[int, int] | None:
        """Token range [j, k) of a name starting at ``j``, or None.

        A known given name starts a name anywhere; after a title, a word rare in the reference
        corpus may too (foreign names), or a common one if a given name follows ("آبي أحمد").
        Later words must be name particles, given names, rare family names (with ال: rare or
        nisba-like; "السوداني" only from the third word, where it is a family name), or for the
        second word any rare word.
        """
        texts, bits, known, lex, size = self.texts, self.bits, self.known, self.lex, self.size
        if j >= size or known[j] is not None or bits[j] & (STOP | ORG_HEAD):
            return None  # "برئاسة يوسف الشاهد": an organisation's head word is no name
        first = texts[j]
        if first == "علي" and self.preposition_ala(j):
            return None
        if first == "عيد" and j + 1 < size and texts[j + 1].startswith("ال"):
            return None  # "عيد النوروز", "عيد الفطر": a feast
        if first in _SECRETARY and j + 1 < size and texts[j + 1] in ("العام", "العامه"):
            return None  # "الأمين العام": the secretary-general, a title
        strong = self.strong_start(j)
        word_share = lex.idf.share_memo.__getitem__
        given = lex.given_names
        if not strong:
            nxt = texts[j + 1] if j + 1 < size else ""
            if not after_title or first.startswith("ال") or len(first) < 2:
                return None
            if not_a_name_word(first):
                return None  # "الفريق وعززت": a verb glued to و, not a name after a rank
            if word_share(first) >= FOREIGN_SHARE and nxt not in given:
                return None
        # a transliterated name: a known foreign given name, or a rare word opening a name
        # after a title ("رئيسة المفوضية الأوروبية أورسولا فون دير لاين")
        foreign = first in lex.foreign_given or (after_title and not strong)
        k = j + 1
        while k < size and k - j < MAX_NAME_TOKENS:
            word = texts[k]
            prev = texts[k - 1]
            if (
                (prev in NAME_PARTICLES or (foreign and prev in FOREIGN_PARTICLES))
                and bits[k] & WORD
                and known[k] is None
            ):
                k += 1  # "بن الشيخ", "آل ثاني": whatever follows a particle is a name
                continue
            if foreign and word in FOREIGN_PARTICLES and known[k] is None:
                k += 1  # "أورسولا فون دير لاين"
                continue
            family = known[k]
            if (
                family is not None
                and k == j + 1
                and strong
                and (first in lex.foreign_given or word_share(first) < FOREIGN_SHARE)
                and first not in _KIN
                and family.type == "PER"
                and family.start == self.tokens.starts[k]
                and family.end == self.tokens.ends[k]
                and family.canonical.endswith(" " + word)
            ):
                k += 1  # "إيفانكا ترامب" after "دونالد ترامب": a relative, the family name
                break
            if (
                family is not None
                or bits[k] & (STOP | ORG_HEAD)
                or (word == "علي" and self.preposition_ala(k))
                or (word in MONTH_WORDS and first not in lex.foreign_given)
            ):
                break
            count = k - j
            share = word_share(word)
            if (
                word in NAME_PARTICLES
                or (
                    word in COMPOUND_SECOND
                    and (prev in given or prev == "عبد" or prev in COMPOUND_FIRST)
                )
                or word in given
                or (
                    word in lex.family_names
                    and strong
                    and not verb_like(word)
                    and not not_a_name_word(word)
                    and (share < FAMILY_SHARE or self.given_follows(k + 1))
                )
            ):
                k += 1
            elif word.startswith("ال"):
                if not strong and not (share == 0 and len(word) >= 6 and count == 1):
                    break  # foreign names carry no Arabic article ("رئيس شعبة الذهب"), unless
                    # the word is unknown to the reference corpus ("جيانلوكا ألبيريني")
                if word in lex.nisba and count < 2:
                    break
                if count >= 2 and share > 0 and not word.endswith("ي"):
                    break  # "محمد مصطفى الاقتحام": a noun, not a family name
                if (
                    share >= FAMILY_SHARE
                    and word not in lex.nisba
                    and not (count == 1 and word in lex.family_names and share < 5 * FAMILY_SHARE)
                ):
                    break  # "يوسف الشاهد": a known family name may be a common word too
                k += 1
            elif verb_like(word):
                break
            elif count == 1 and (
                share < FOREIGN_SHARE * 2 or (strong and share < FAMILY_SHARE * 2)
            ):
                k += 1
            elif count >= 2 and share == 0:
                k += 1  # "خالد محمد بالعمى"
            else:
                break
        while k > j + 1 and (texts[k - 1] in NAME_PARTICLES or texts[k - 1] in FOREIGN_PARTICLES):
            k -= 1  # a dangling "بن" is not part of the name
        if k - j == 1 and (
            not after_title or first in given or word_share(first) > 0 or verb_like(first)
        ):
            return None
        return j, k

    def skip_title(self, j: int) -> int | None:
        """Index of the first name token after a title's complement, or None."""
        texts, bits, known, size = self.texts, self.bits, self.known, self.size
        starts = self.tokens.starts
        comma_used = False
        limit = min(size, j + MAX_TITLE_SKIP)
        while j < limit:
            span = known[j]
            if span is not None:
                if span.type == "PER":
                    return None  # the gazetteer already has this person
                while j < size and starts[j] < span.end:
                    j += 1
                continue
            word = texts[j]
            kind = bits[j] & (WORD | DIGITS)
            if not kind:
                if word in "،," and not comma_used:
                    comma_used = True
                    j += 1
                    continue
                return None
            if kind != WORD:
                return None
            if word in _SKIPPABLE:
                j += 1  # "المتحدث باسم": باسم is "on behalf of" here, not the name Bassem
                continue
            if self.strong_start(j):
                return j
            if word.startswith(_ARTICLE_PREPOSITIONS):
                j += 1
                continue
            if word in TITLES:
                j += 1
                continue
            construct = j + 1 < size and (texts[j + 1].startswith("ال") or known[j + 1] is not None)
            common = self.lex.idf.share_memo[word] >= FOREIGN_SHARE
            if construct and common and not self.strong_start(j):
                j += 1  # "رئيس مجلس الوزراء", "وزير خارجية مصر"
                continue
            return j
        return None


def find_persons(
    tokens: Scan,
    known: list[Span],
    lex: PersonLexicon,
    original: Callable[[int, int], str],
    candidates: list[int] | None = None,
) -> Persons:
    """Person spans (normalized offsets) introduced by titles, roles or speech verbs.

    ``original(start, end)``: the original text of a normalized span. ``candidates``: indices of
    the tokens that can announce or start a name (``scan.PERSON``), in text order; every token
    is tried when None.
    """
    texts, starts, ends, bits = tokens.texts, tokens.starts, tokens.ends, tokens.bits
    reader = _Reader(tokens, known, lex, original)
    result = Persons()
    for span in known:
        if span.type == "PER":
            record_title_before(tokens, span, result.titles)
    if candidates is None:
        triggers = trigger_words(lex.given_names)
        candidates = [
            i
            for i, text in enumerate(texts)
            if text in triggers
            or text.startswith(("عبد", "ابو", "ابن"))
            or conjoined_given(text, lex.given_names)
        ]
    size = len(texts)
    cover = reader.known
    resume = 0
    for i in candidates:
        if i < resume:
            continue
        text = texts[i]
        if cover[i] is not None or not bits[i] & WORD:
            continue
        word_bits = bits[i]
        name: tuple[int, int] | None = None
        title = ""
        if word_bits & TITLE and not (
            i > 0 and bits[i - 1] & ORG_HEAD and text.startswith("ال")
        ):  # "الهيئة المديرة": after a definite head the title word is an adjective
            start = reader.skip_title(i + 1)
            if start is not None:
                name = reader.read_name(start, after_title=True)
                title = title_key(text)
        elif word_bits & SPEAKS:
            if i + 1 < size and reader.strong_start(i + 1):
                name = reader.read_name(i + 1, after_title=False)
                name = name if name and name[1] - name[0] >= 2 else None
            if name is None and i + 1 < size and not bits[i + 1] & STRONG:
                name = name_before_speech(
                    texts, bits, cover, i, lex.idf.share_memo.__getitem__, lex.given_names
                )  # a given name is read as such
        elif (
            word_bits & STRONG
            or (word_bits & COMPOUND and i + 1 < size and texts[i + 1] in COMPOUND_SECOND)
        ) and not (text == "علي" and reader.preposition_ala(i)):
            candidate = reader.read_name(i, after_title=False)
            if candidate and candidate[1] - candidate[0] >= 2:
                j, k = candidate
                role = role_after_name(texts, k)
                if (
                    not role
                    and k < size
                    and not bits[k] & STOP
                    and cover[k] is None
                    and bits[k] & WORD
                ):
                    role = role_after_name(texts, k + 1)  # one family name the rules missed
                    k = k + 1 if role else k
                if role:
                    name, title = (j, k), role
                elif k - j == 2 and cover[j + 1] is not None:
                    name = (j, k)  # a given name before a known person's family name
                elif full_name(texts, j, k, lex) and not (
                    i > 0
                    and texts[i - 1] == "علي"
                    and reader.preposition_ala(i - 1)
                    and texts[i + 1] not in lex.given_names
                ):
                    # "سالم زهران", "كريستيانو رونالدو": no title needed; but after the
                    # preposition "على" a noun that is also a name ("على مظهر أشقر") needs a
                    # father's name after it
                    name = (j, k)
        if name is None:
            continue
        j, k = name
        start, end = starts[j], ends[k - 1]
        canonical = " ".join(texts[j:k])
        if conjoined_given(texts[j], lex.given_names):
            start, canonical = start + 1, canonical[1:]  # the و is a conjunction
        result.spans.append(Span(start, end, "PER", canonical, "person"))
        role_after = role_after_name(texts, k)
        for key in (title, role_after):
            if key:
                result.titles.append((start, key, canonical))
        resume = k
    result.titles.sort(key=_POSITION)
    return result


_POSITION = itemgetter(0)
