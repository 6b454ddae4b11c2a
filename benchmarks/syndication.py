"""A labelled syndication set built from the real ANT articles, for near-duplicate benchmarks.

Each chosen ANT article (a *story*) is republished by made-up outlets, one copy per perturbation
that real Arabic syndication shows: Egyptian spelling, dropped hamzas, partial diacritics,
tatweel, an agency dateline, a source/footer/share line, a paragraph cut, a reworded lead, a new
headline, and a copy combining several. Stories are drawn in groups from the same ANT category
and ISO week, so every group holds *hard negatives*: different articles on similar topics at the
same time. Everything is seeded; the same arguments give the same set.

Labels are only as good as the premise that different ANT articles are different stories. The
corpus repeats some texts (195 exact repeats), so stories are drawn from articles whose text and
URL are unique, and a group never holds two articles whose 3-shingle containment is 0.5 or more
(those are reposts of one story, not negatives); ``SetInfo.excluded_similar`` counts them.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from akhbar.schemas.records import RawItem, stable_id
from akhbar.transforms.normalize import normalize_fast

PERTURBATIONS = (
    "egyptian",
    "hamza",
    "diacritics",
    "tatweel",
    "dateline",
    "source_line",
    "paragraph_cut",
    "reworded_lead",
    "new_headline",
    "combined",
)
OUTLETS = (
    "youm7.com", "masrawy.com", "almasryalyoum.com", "shorouknews.com", "alarabiya.net",
    "aljazeera.net", "hespress.com", "alkhaleej.ae", "annahar.com", "alquds.co.uk",
)  # fmt: skip
DATELINES = (
    "تونس (وات) - ",
    "القاهرة - أ ش أ: ",
    "الرياض 12 مايو (واس) - ",
    "بيروت - وكالات: ",
    "عمان (بترا) - ",
    "الدوحة (قنا) - ",
    "دمشق - سانا: ",
    "باريس (أ ف ب) - ",
    "(رويترز) - ",
)
SOURCE_LINES = (
    "\nالمصدر: وكالة تونس إفريقيا للأنباء (وات)",
    "\nالمصدر: الأناضول",
    "\nThe post {title} appeared first on {outlet}.",
    "\nتابعونا على فيسبوك وتويتر",
    "\nشارك هذا المقال",
    " المصدر: وات",
)
LEAD_PREFIXES = ("أفادت مصادر مطلعة بأن", "في خبر جديد،", "بحسب ما أوردته وسائل إعلام محلية،")
HEADLINE_PREFIXES = ("عاجل: ", "بالفيديو: ", "شاهد: ", "تفاصيل: ")
SYNONYMS = {
    "قال": "صرح", "قالت": "صرحت", "أكد": "شدد", "أكدت": "شددت", "أعلن": "كشف",
    "أعلنت": "كشفت", "اليوم": "هذا اليوم", "أمس": "البارحة", "الحكومة": "السلطات",
    "تم": "جرى", "وقد": "ولقد", "حيث": "إذ", "خلال": "أثناء", "بعد": "عقب", "إن": "بأن",
    "أن": "بأن", "الذي": "والذي", "عدد": "جملة", "كبير": "هام", "جديد": "حديث",
}  # fmt: skip
HARAKAT = "\u064e\u064f\u0650\u0651\u0652\u064b"
NON_CONNECTING = set("اأإآدذرزوؤءة")


def egyptian(text: str, rng: random.Random) -> str:
    """Final ي written ى and final ة written ه, as Egyptian outlets do."""
    return re.sub(r"ة\b", "ه", re.sub(r"ي\b", "ى", text))


def hamza(text: str, rng: random.Random) -> str:
    """Hamza seats dropped: أ إ آ -> ا everywhere, ؤ -> و and ئ -> ي in a third of the words."""
    text = text.translate(str.maketrans("أإآ", "ااا"))
    words = text.split(" ")
    for i, w in enumerate(words):
        if ("ؤ" in w or "ئ" in w) and rng.random() < 1 / 3:
            words[i] = w.replace("ؤ", "و").replace("ئ", "ي")
    return " ".join(words)


def diacritics(text: str, rng: random.Random) -> str:
    """Partial vocalization: a haraka after one or two letters of 40% of the words."""
    out = []
    for w in text.split(" "):
        if len(w) > 2 and rng.random() < 0.4 and "\u0621" <= w[0] <= "\u064a":
            for _ in range(rng.randint(1, 2)):
                i = rng.randrange(1, len(w) + 1)
                w = w[:i] + rng.choice(HARAKAT) + w[i:]
        out.append(w)
    return " ".join(out)


def tatweel(text: str, rng: random.Random) -> str:
    """Kashida stretching inside a fifth of the longer words."""
    out = []
    for w in text.split(" "):
        if len(w) >= 4 and rng.random() < 0.2 and w[1] not in NON_CONNECTING and w[1].isalpha():
            w = w[:2] + "ـ" * rng.randint(1, 3) + w[2:]
        out.append(w)
    return " ".join(out)


def dateline(text: str, rng: random.Random) -> str:
    return rng.choice(DATELINES) + text


def source_line(text: str, rng: random.Random, title: str = "", outlet: str = "") -> str:
    return text + rng.choice(SOURCE_LINES).format(title=title, outlet=outlet)


_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+|\n+")


def paragraph_cut(text: str, rng: random.Random) -> str:
    """The copy stops early: the longest sentence-aligned prefix keeping 55-85% of the words,
    or a cut at 70% of the words when no sentence boundary falls in that range."""
    words = len(text.split())
    best = None
    for m in _SENTENCE_END.finditer(text):
        kept = len(text[: m.start()].split())
        if 0.55 * words <= kept <= 0.85 * words:
            best = m.start()
    if best is not None:
        return text[:best]
    cut = text.split(" ")
    return " ".join(cut[: max(1, int(len(cut) * 0.7))])


def reword(sentence: str, rng: random.Random) -> str:
    words = [SYNONYMS.get(w, w) for w in sentence.split()]
    words = [w for w in words if rng.random() > 0.15]  # some words dropped
    if "،" in sentence and len(words) > 6:
        joined = " ".join(words)
        head, _, tail = joined.partition("،")
        words = f"{tail.strip()}، {head.strip()}".split()
    return f"{rng.choice(LEAD_PREFIXES)} {' '.join(words)}"


def reworded_lead(text: str, rng: random.Random) -> str:
    """The first sentence rewritten: synonyms, dropped words, clauses swapped, a new opener."""
    m = _SENTENCE_END.search(text)
    end = m.start() if m else len(text)
    return reword(text[:end], rng) + text[end:]


def new_headline(title: str, rng: random.Random) -> str:
    return rng.choice(HEADLINE_PREFIXES) + " ".join(SYNONYMS.get(w, w) for w in title.split())


@dataclass(frozen=True, slots=True)
class LabelledItem:
    raw: RawItem
    story: str
    perturbation: str  # "original" or one of PERTURBATIONS
    group: str  # category|ISO week: stories of one group are hard negatives of each other


@dataclass(slots=True)
class SetInfo:
    stories: int = 0
    groups: int = 0
    items: int = 0
    excluded_short: int = 0
    excluded_repeated: int = 0
    excluded_similar: int = 0
    min_words: int = 0
    notes: list[str] = field(default_factory=list)


def parse_ant_time(value: str) -> datetime | None:
    value = (value or "").strip()
    try:
        if re.fullmatch(r"\d{2}/\d{2}/\d{4}", value):
            return datetime.strptime(value, "%d/%m/%Y").replace(hour=12, tzinfo=UTC)
        return datetime.fromisoformat(value).astimezone(UTC)
    except ValueError:
        return None


def _shingle_set(text: str) -> set[str]:
    words = re.findall(r"\w+", normalize_fast(text))
    return {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


def _too_similar(a: set[str], b: set[str]) -> bool:
    smaller = min(len(a), len(b)) or 1
    return len(a & b) / smaller >= 0.5


def make_copy(
    doc: dict[str, str], when: datetime, perturbation: str, rng: random.Random
) -> RawItem:
    text, title = doc["text"], doc.get("title", "")
    outlet = rng.choice(OUTLETS)
    steps = {
        "egyptian": [egyptian],
        "hamza": [hamza],
        "diacritics": [diacritics],
        "tatweel": [tatweel],
        "dateline": [dateline],
        "paragraph_cut": [paragraph_cut],
        "reworded_lead": [reworded_lead],
        "new_headline": [],
        "source_line": [],
        "combined": [egyptian, hamza, diacritics, dateline],
    }[perturbation]
    for step in steps:
        text = step(text, rng)
    if perturbation == "combined" and rng.random() < 0.5:
        text = paragraph_cut(text, rng)
    if perturbation in ("source_line", "combined"):
        text = source_line(text, rng, title, outlet)
    if perturbation in ("new_headline", "combined"):
        title = new_headline(title, rng)
    item_id = stable_id("syndication", doc["docno"], perturbation)
    return RawItem(
        item_id=item_id,
        origin=f"syndication#{doc['docno']}/{perturbation}",
        input_format="jsonl",
        source=outlet,
        fetched_at=when + timedelta(days=2),
        url=f"https://{outlet}/news/{item_id[:12]}",
        title=title,
        body=text,
        published_at=when + timedelta(hours=rng.uniform(-2, 36)),
    )


def original_item(doc: dict[str, str], when: datetime) -> RawItem:
    return RawItem(
        item_id=stable_id("syndication", doc["docno"], "original"),
        origin=f"syndication#{doc['docno']}/original",
        input_format="jsonl",
        source="jawharafm.net",
        fetched_at=when + timedelta(days=2),
        url=doc.get("url") or None,
        title=doc.get("title", ""),
        body=doc["text"],
        published_at=when,
    )


def build_set(
    docs: Iterable[dict[str, str]],
    stories: int = 300,
    per_group: int = 3,
    seed: int = 7,
    min_words: int = 40,
    perturbations: tuple[str, ...] = PERTURBATIONS,
) -> tuple[list[LabelledItem], SetInfo]:
    """``stories`` ANT articles in groups of up to ``per_group`` (same category and week), each
    with one copy per perturbation."""
    rng = random.Random(seed)
    info = SetInfo(min_words=min_words)
    docs = list(docs)
    text_seen: dict[str, int] = defaultdict(int)
    url_seen: dict[str, int] = defaultdict(int)
    for d in docs:
        text_seen[normalize_fast(d.get("text", "")).strip()] += 1
        url_seen[d.get("url", "")] += 1
    groups: dict[str, list[tuple[dict[str, str], datetime]]] = defaultdict(list)
    for d in docs:
        when = parse_ant_time(d.get("time", ""))
        if when is None or len(d.get("text", "").split()) < min_words:
            info.excluded_short += 1
            continue
        if text_seen[normalize_fast(d["text"]).strip()] > 1 or url_seen[d.get("url", "")] > 1:
            info.excluded_repeated += 1
            continue
        year, week, _ = when.isocalendar()
        groups[f"{d.get('cat', '')}|{year}-W{week:02d}"].append((d, when))
    names = sorted(g for g, members in groups.items() if len(members) >= 2)
    rng.shuffle(names)
    items: list[LabelledItem] = []
    for name in names:
        if info.stories >= stories:
            break
        members = sorted(groups[name], key=lambda m: m[0]["docno"])
        rng.shuffle(members)
        chosen: list[tuple[dict[str, str], datetime, set[str]]] = []
        for doc, when in members:
            sh = _shingle_set(doc["text"])
            if any(_too_similar(sh, other) for _, _, other in chosen):
                info.excluded_similar += 1
                continue
            chosen.append((doc, when, sh))
            if len(chosen) == min(per_group, stories - info.stories):
                break
        if len(chosen) < 2:
            continue
        info.groups += 1
        for doc, when, _ in chosen:
            info.stories += 1
            story = doc["docno"]
            items.append(LabelledItem(original_item(doc, when), story, "original", name))
            for p in perturbations:
                items.append(LabelledItem(make_copy(doc, when, p, rng), story, p, name))
    info.items = len(items)
    return items, info
