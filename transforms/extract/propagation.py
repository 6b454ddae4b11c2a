"""Document-level propagation: a person named in full is the same person when the article
later uses the family name or the first name alone ("وأضاف كجوك" after "أحمد كجوك").

Every full name found gives its shorter forms; each is searched again in the whole article and
kept where no other entity is and the form is a whole word after valid proclitics. A first name
shared by two people names neither, and a first name followed by another name is someone else.
"""

from __future__ import annotations

from akhbar.transforms.extract.lexicon import (
    FOREIGN_PARTICLES,
    NAME_PARTICLES,
    STOPWORDS,
    VALID_PREFIXES,
)
from akhbar.transforms.extract.person_words import FOREIGN_SHARE, PersonLexicon
from akhbar.transforms.extract.tokens import Span


def name_forms(canonical: str, lex: PersonLexicon) -> list[str]:
    """Shorter forms under which a full name recurs: family name, a chain's head, and the first
    name of a two- or three-word name ("ماركو" after "ماركو روبيو")."""
    words = canonical.split()
    if len(words) < 2:
        return []
    forms = []
    first = words[0]
    if (
        len(words) <= 3
        and words[1] not in NAME_PARTICLES
        and first not in NAME_PARTICLES
        and first in lex.given_names
        and len(first) >= 3
    ):
        forms.append(first)
    last = words[-1]
    if len(words) >= 3 and words[-2] in NAME_PARTICLES:
        last = f"{words[-2]} {last}"
    particle = next((i for i, w in enumerate(words) if i and w in FOREIGN_PARTICLES), 0)
    if particle:
        last = " ".join(words[particle:])  # "فون دير لاين" after "أورسولا فون دير لاين"
    if len(last) >= 3 and last not in STOPWORDS and last != canonical:
        forms.append(last)
    if len(words) > 3 and words[1] in ("بن", "ابن"):
        forms.append(" ".join(words[:3]))
    return forms


def _another_name_follows(normalized: str, end: int, lex: PersonLexicon) -> bool:
    after = normalized[end : end + 40].split(maxsplit=1)
    if not after or not after[0].isalpha():
        return False
    word = after[0]
    return (
        word in lex.family_names
        or word in lex.given_names
        or lex.idf.word_share(word) < FOREIGN_SHARE
    )


def propagate(
    normalized: str, persons: list[Span], taken: list[Span], lex: PersonLexicon
) -> list[Span]:
    """Later mentions of a name by its shorter forms, e.g. "كجوك" after "أحمد كجوك"."""
    forms: dict[str, str] = {}
    owners: dict[str, set[str]] = {}
    for span in persons:
        for form in name_forms(span.canonical, lex):
            owners.setdefault(form, set()).add(span.canonical)
            current = forms.get(form)
            if current is None or len(span.canonical) > len(current):
                forms[form] = span.canonical
    first_forms = set()
    for form, names in owners.items():
        if any(n.split()[0] == form for n in names):
            first_forms.add(form)
            if len({n.split()[-1] for n in names}) > 1:
                del forms[form]  # two people share this first name: it names neither
    if not forms:
        return []
    n = len(normalized)
    occupied = bytearray(n)  # 1 where an entity already is: one C search per candidate
    for span in taken:
        if span.end > span.start:
            occupied[span.start : span.end] = b"\x01" * (span.end - span.start)
    out: list[Span] = []
    for form, canonical in sorted(forms.items(), key=lambda kv: -len(kv[0])):
        pos = normalized.find(form)
        while pos >= 0:
            end = pos + len(form)
            word_start = pos
            while word_start > 0 and normalized[word_start - 1].isalnum() and pos - word_start < 3:
                word_start -= 1
            ok = (
                (end >= n or not normalized[end].isalnum())
                and (word_start == 0 or not normalized[word_start - 1].isalnum())
                and normalized[word_start:pos] in VALID_PREFIXES
                and occupied.find(1, pos, end) < 0
            )
            if ok and form in first_forms and _another_name_follows(normalized, end, lex):
                ok = False  # "محمد قرامي" after "محمد القرامي": another full name, not "محمد"
            if ok:
                out.append(Span(pos, end, "PER", canonical, "propagated"))
                occupied[pos:end] = b"\x01" * (end - pos)
            pos = normalized.find(form, end)
    return out
