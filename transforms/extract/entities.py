"""Entities (PER, ORG, LOC): gazetteer + head patterns + person patterns (+ optional NER), merged.

Sources are tried from the most to the least reliable and a later one never overrides an earlier
one where they overlap: gazetteer names, then organisations and places announced by a head noun,
then people announced by titles, then shorter repeats of those people, and last the spans of an
optional NER model. Everything is found on the normalized text and mapped back to ``text``, so
``text[start:end] == entity["text"]`` always holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter
from typing import Any, Protocol

from akhbar.transforms.extract.entity_rules import (
    clip,
    country_without_admin_head,
    dateline_agency,
    drop_currency_adjectives,
    quoted_acronyms,
)
from akhbar.transforms.extract.gazetteer import GazetteerMatcher, Lexicons
from akhbar.transforms.extract.heads import ORG_HEAD_FORMS, organisation_spans
from akhbar.transforms.extract.keywords import IdfTable
from akhbar.transforms.extract.lexicon import (
    ATTRIBUTION_VERBS,
    CURRENCY_WORDS,
    ROLE_AFTER,
    STOPWORDS,
    TITLE_HEADS,
)
from akhbar.transforms.extract.mentions import DATE_OPENERS
from akhbar.transforms.extract.numbers import NUMBER_PARTS, NUMBER_STARTS
from akhbar.transforms.extract.offsets import AlignedText
from akhbar.transforms.extract.person_words import (
    PERSON_TRIGGERS,
    PersonLexicon,
    conjoined_given,
    name_bits,
)
from akhbar.transforms.extract.persons import Persons, find_persons
from akhbar.transforms.extract.places import PLACE_HEAD_FORMS, place_spans
from akhbar.transforms.extract.propagation import propagate
from akhbar.transforms.extract.quotes import VERB_FORMS
from akhbar.transforms.extract.scan import (
    CURRENCY,
    DATE,
    NUMBER,
    ORG_HEAD,
    PERSON,
    PLACE_HEAD,
    QUOTE_MARK,
    VERB,
    Roles,
    Scan,
    read,
)
from akhbar.transforms.extract.tokens import NUMBER_WORD, WORD, Span, Tokens, covering
from akhbar.transforms.normalize import normalize_fast

ENTITY_TYPES = ("PER", "ORG", "LOC")
_START = itemgetter(0)  # Span.start


class SpanSource(Protocol):
    """Anything that proposes extra entity spans on the original text (the NER model)."""

    def spans(self, text: str) -> list[tuple[int, int, str]]: ...


class Segmenter(Protocol):
    """Anything that splits a word into (proclitics, stem) candidates (camel-tools morphology)."""

    def segment(self, word: str) -> list[tuple[str, str]]: ...


@dataclass(frozen=True, slots=True)
class EntityResources:
    matcher: GazetteerMatcher
    lexicons: Lexicons
    people: PersonLexicon
    single_word: dict[str, tuple[str, str, str]]  # key -> (canonical, type, country), for stems
    loc_keys: frozenset[str] = frozenset()  # normalized keys of gazetteer places
    roles: Roles = field(default_factory=lambda: Roles(lambda word: 0))
    national: frozenset[str] = frozenset()  # country adjectives ("الياباني"), all forms


def build_resources(
    lexicons: Lexicons, idf: IdfTable, use_person_list: bool = True
) -> EntityResources:
    entries = [e for e in lexicons.entries if use_person_list or e.type != "PER"]
    people = person_lexicon(lexicons, idf)
    single = {
        e.key: (e.canonical, e.type, e.country) for e in entries if " " not in e.key and not e.weak
    }
    loc_keys = frozenset(e.key for e in entries if e.type == "LOC")
    matcher = GazetteerMatcher(entries)
    roles = Roles(partial(classify, people.given_names), matcher.splits, idf.keyword_term)
    national = frozenset(form for form, country in lexicons.nisba.items() if country)
    return EntityResources(matcher, lexicons, people, single, loc_keys, roles, national)


def classify(given: frozenset[str], word: str) -> int:
    """The role bits of one normalized token text (see ``scan``); memoized by ``Roles``."""
    bits = name_bits(word, given)
    if word[:1].isdigit():
        return bits | NUMBER
    if (
        word in PERSON_TRIGGERS
        or word in given
        or word.startswith(("عبد", "ابو", "ابن"))
        or conjoined_given(word, given)
    ):
        bits |= PERSON
    if word in ORG_HEAD_FORMS:
        bits |= ORG_HEAD
    if word in PLACE_HEAD_FORMS:
        bits |= PLACE_HEAD
    if word in CURRENCY_WORDS:
        bits |= CURRENCY
    if word in NUMBER_STARTS:
        bits |= NUMBER
    if word in NUMBER_PARTS:
        bits |= NUMBER_WORD
    if word in VERB_FORMS:
        bits |= VERB
    if word in DATE_OPENERS:
        bits |= DATE
    if word == "«":
        bits |= QUOTE_MARK
    return bits


AMBIGUOUS_SHARE = 0.01  # a source given name in more reference articles is also a common word


def person_lexicon(lexicons: Lexicons, idf: IdfTable) -> PersonLexicon:
    """Given names that may start a name, and the words that may continue one.

    The curated lists (Arabic and foreign given names) start a name as they are. A name from the
    Wikidata-derived source list starts one only when it is rare as a word in the reference
    corpus ("خميس", "جمعه", "بيان", "مدينه" are names but mostly words) and carries no article;
    every source name, given or family, may continue one ("سالم زهران", "يوسف الشاهد").
    """
    skip = STOPWORDS | TITLE_HEADS | ROLE_AFTER | frozenset(ATTRIBUTION_VERBS)
    source = [
        name
        for name in lexicons.source_given
        if " " not in name
        and len(name) >= 3
        and not name.startswith("ال")
        and name not in skip
        and idf.word_share(name) < AMBIGUOUS_SHARE
    ]
    given = lexicons.given_names | frozenset(source)
    family = (lexicons.family_names | frozenset(lexicons.source_given)) - skip
    return PersonLexicon(
        given, frozenset(lexicons.nisba), idf, frozenset(family), lexicons.foreign_given
    )


@dataclass(slots=True)
class EntityResult:
    spans: list[Span]  # normalized offsets, in text order
    persons: Persons


def find_entities(
    aligned: AlignedText,
    res: EntityResources,
    segmenter: Segmenter | None = None,
    ner: SpanSource | None = None,
    found: Scan | None = None,
) -> EntityResult:
    """Entity spans of one article; ``found``: the article's token scan (computed if None)."""
    norm = aligned.normalized
    if found is None:
        found = read(norm, res.roles)
    tokens = found
    gazetteer = res.matcher.spans_at(norm, found.openers())
    if segmenter is not None:
        gazetteer += _segmented(tokens, gazetteer, res, segmenter)
    gazetteer = drop_currency_adjectives(tokens, gazetteer, found.where(CURRENCY))
    gazetteer = country_without_admin_head(norm, gazetteer, res.loc_keys)
    chosen = list(gazetteer)
    idf = res.people.idf
    people = res.people
    org_heads, place_heads = found.where(ORG_HEAD), found.where(PLACE_HEAD)
    cover = covering(found.starts, found.ends, gazetteer) if org_heads or place_heads else None
    patterns = organisation_spans(
        tokens,
        gazetteer,
        idf,
        people.given_names,
        people.nisba,
        people.family_names,
        org_heads,
        cover,
        res.national,
    ) + place_spans(
        tokens, gazetteer, idf, people.given_names, people.family_names, place_heads, cover
    )
    for span in sorted(patterns, key=lambda s: s.start - s.end):
        inside = [c for c in chosen if span.start <= c.start and c.end <= span.end]
        others = [c for c in chosen if c not in inside]
        if clip(span, others) and all(c.source == "gazetteer" for c in inside):
            # a longer pattern name swallows the gazetteer names inside it: "مخيم جنين",
            # "وزارة الطاقة السعودية", "صندوق قطر للتنمية"
            canonical = norm[span.start : span.end]  # already normalized
            chosen = [*others, Span(span.start, span.end, span.type, canonical, span.source)]

    marks = found.where(QUOTE_MARK)
    if marks:
        chosen += quoted_acronyms(tokens, chosen, marks)
    agency = dateline_agency(norm, tokens, chosen)
    if agency:
        outlet = agency[0]
        chosen = [c for c in chosen if c.end <= outlet.start or c.start >= outlet.end] + agency
    persons = find_persons(tokens, chosen, res.people, aligned.text_of, found.where(PERSON))
    for span in persons.spans:
        if clip(span, chosen):
            chosen.append(span)
            continue
        inside = [c for c in chosen if c.end > span.start and c.start < span.end]
        if all(c.type == "PER" and span.start <= c.start and c.end <= span.end for c in inside):
            # "إيفانكا ترامب" over the gazetteer's "ترامب": the relative's whole name
            chosen = [c for c in chosen if c not in inside] + [span]
    named = [s for s in chosen if s.type == "PER"]
    chosen += propagate(norm, named, chosen, res.people)
    chosen = _unify_people(chosen)
    if ner is not None:
        chosen += _ner_spans(aligned, ner, chosen)
    chosen.sort(key=_START)
    return EntityResult(chosen, persons)


def _unify_people(spans: list[Span]) -> list[Span]:
    """Give every person the fullest name the article uses for them.

    "عبد الغفار" after "خالد عبد الغفار", or "محمد بن عبدالرحمن" after the full chain, get the
    full name as ``normalized``; quotes then name one speaker, not three. When two people share
    the short form, the one mentioned last before it wins.
    """
    first_seen: dict[str, int] = {}
    for span in sorted([s for s in spans if s.type == "PER" and s.canonical], key=_START):
        first_seen.setdefault(span.canonical, span.start)
    if len(first_seen) < 2:
        return spans  # one name: nothing fuller to give
    # every word-aligned head and tail of each name -> the names it shortens: one dict pass
    # instead of comparing every pair of names
    fuller_of: dict[str, list[str]] = {}
    for full in first_seen:
        words = full.split(" ")
        for cut in range(1, len(words)):
            for part in (" ".join(words[:cut]), " ".join(words[cut:])):
                if part in first_seen:
                    found = fuller_of.setdefault(part, [])
                    if full not in found:
                        found.append(full)
    if not fuller_of:
        return spans
    out = []
    for span in spans:
        if span.type == "PER" and span.canonical in fuller_of:
            fuller = fuller_of[span.canonical]
            if fuller:
                before = [f for f in fuller if first_seen[f] <= span.start]
                pool = before or fuller
                best = (
                    max(pool, key=lambda f: (first_seen[f], len(f)))
                    if before
                    else min(pool, key=lambda f: (first_seen[f], -len(f)))
                )
                span = Span(span.start, span.end, span.type, best, span.source, span.country)
        out.append(span)
    return out


def _segmented(
    tokens: Tokens, found: list[Span], res: EntityResources, segmenter: Segmenter
) -> list[Span]:
    """Single-word names the prefix rules missed but the morphological analyzer can segment."""
    out: list[Span] = []
    for text, start, end, bits in zip(
        tokens.texts, tokens.starts, tokens.ends, tokens.bits, strict=True
    ):
        if not bits & WORD or len(text) < 4 or not clip(Span(start, end, "", "", ""), found + out):
            continue
        for _prefix, stem in segmenter.segment(text):
            hit = res.single_word.get(stem)
            at = text.rfind(stem)
            if hit is not None and at >= 0:
                canonical, type_, country = hit
                out.append(
                    Span(
                        start + at,
                        start + at + len(stem),
                        type_,
                        canonical,
                        "morphology",
                        country,
                    )
                )
                break
    return out


def _ner_spans(aligned: AlignedText, ner: SpanSource, taken: list[Span]) -> list[Span]:
    """Model spans (original offsets) moved to normalized offsets; kept where nothing else is."""
    out: list[Span] = []
    original = aligned.original
    norm_starts = _original_to_normalized(aligned)
    for start, end, type_ in ner.spans(original):
        if type_ not in ENTITY_TYPES or end <= start:
            continue
        n_start, n_end = norm_starts[start], norm_starts[end]
        if n_end <= n_start:
            continue
        span = Span(n_start, n_end, type_, normalize_fast(original[start:end]), "ner")
        if clip(span, taken + out):
            out.append(span)
    return out


def _original_to_normalized(aligned: AlignedText) -> list[int]:
    """For each original offset (0..len), the normalized offset of the first character kept at or
    after it (a deleted diacritic maps to the next letter)."""
    size = len(aligned.original)
    table: list[int | None] = [None] * (size + 1)
    table[size] = len(aligned.normalized)
    for n in range(len(aligned.normalized) - 1, -1, -1):
        table[aligned.start(n)] = n
    for o in range(size - 1, -1, -1):
        if table[o] is None:
            table[o] = table[o + 1]
    return [t if t is not None else 0 for t in table]


def to_dicts(
    aligned: AlignedText, spans: Iterable[Span], surfaces: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The schema's entity structs: text, normalized, type, start, end (offsets into ``text``).

    ``surfaces``, when given, receives canonical name -> the article's own spelling of it where
    the article writes it in full (quote speakers are shown that way). The normalized form of a
    surface is its slice of the normalized text: no second normalization per entity.
    """
    out = []
    norm, text, identity = aligned.normalized, aligned.original, aligned.identity
    for span in spans:
        start, end = span.start, span.end
        plain = norm[start:end]
        if not identity or end <= start:
            start, end = aligned.span(start, end)
        surface = text[start:end]
        if not surface.strip():
            continue
        canonical = span.canonical or plain
        if surfaces is not None and plain == canonical and canonical not in surfaces:
            surfaces[canonical] = surface
        out.append(
            {
                "text": surface,
                "normalized": canonical,
                "type": span.type,
                "start": start,
                "end": end,
            }
        )
    return out


def places(entities: list[dict[str, Any]]) -> list[str]:
    """Distinct normalized LOC values, in order of first mention."""
    seen: dict[str, None] = {}
    for entity in entities:
        if entity["type"] == "LOC":
            seen.setdefault(entity["normalized"], None)
    return list(seen)
