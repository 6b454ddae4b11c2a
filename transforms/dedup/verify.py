"""Second look at a candidate pair: duplicate, follow-up, or a different event (issue 20).

The MinHash estimate says how many words two texts share, not whether they report the same
thing. Reading 62,000 real articles showed where that goes wrong, and each rule here answers one
of those classes, using only the compact features of ``transforms.dedup.features``:

* **Templates** (royal cables to different countries, executions of different people, weather
  bulletins, match reports): the texts agree except in their *slots*. When both texts have
  numbers the other lacks, or both name places or people the other does not, a slot was
  *substituted*: another event. (A copy that adds or drops a number, or names one more place,
  is one-sided and stays a candidate.)
* **Shared blocks and two stories in one text**: the shared marks form one contiguous block,
  and a large part of a text lies outside it: a programme blurb on two episodes, a story
  appended after «ومن جهة أخرى». A cut-down copy also shares one block, but it is the *start*
  of the longer text, and the shorter text lies inside it; two outlets' trims of one story
  share one block too, but it opens both texts, and an appended story is whole in the longer
  text after a part titled for another story (round 3).
* **Follow-ups**: the same outlet, later, reuses most of the earlier body and adds new material
  with new facts (numbers, names, rare words), under a title that speaks of the same story (a
  shared content word). It is not a duplicate: it is kept and linked. With an unrelated title,
  the new material is another story, and the shared-block rules below decide.
* **Shared words out of order**: a copy's shared words run in the order of the text it copies;
  two texts that share a list (fixtures, results) each in its own order are not copies, however
  high their estimate.
* **Rewrites and cut-downs** below the threshold: a pair scoring from ``second_stage`` up to
  ``threshold`` (or whose short text matches the long one's lead signature) is a duplicate only
  when its shared words run in the same order through most of the shorter text, and its
  numbers and names agree.

Everything is a pure function of two ``NearDoc``s and the config, so the band partitions, the
merge step and the plain reference reach the same verdict on the same pair.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import Enum

import numpy as np

from akhbar.transforms.dedup.features import WEEKDAYS, crc_set
from akhbar.transforms.dedup.minhash import (
    MinhashConfig,
    combined_similarity,
    estimated_jaccard,
)

# Numbers substituted in place on both sides, this many in all, make another event; one name
# or weekday each way is enough (a cable to another country, a hearing moved to another day).
# One number each way is not (round 3; round 2 counted it): it made a template of a repost that
# corrects one figure ("office no. 13" reposted as "no. 18", judged syndicated), and a bulletin,
# a results list or a market close of another day changes several. A same-source update of one
# figure with new material is still a follow-up; without new material it is now a duplicate.
NUMBER_SLOTS = 3
# A short text whose lead-signature similarity to a long text reaches this is a cut-down
# candidate.
LEAD_MATCH = 0.5
# Block analysis needs this many marks in a text (fewer: too coarse to tell where overlap lies).
MIN_MARKS = 6
# The part of a text outside the shared block that makes it "another story" / "its own text".
OWN_PART = 0.35
# Two stories in one text: the shorter text is one block of the longer, starting this far into
# it, and at least this share of the longer text is its own (an article with another story
# appended after «ومن جهة أخرى»). A copy with a reworded lead still shares marks near the start.
ANOTHER_STORY = 0.25
# ... and the shorter text is shared from its start (its first shared mark lies within this
# share of it): the appended story is there whole. Two copies that each reworded the lead
# share neither opening (round 3: a round's referee list and its match-day repost, judged
# syndicated, each with its own first sentence, was "another story").
WHOLE_FROM = 0.1
# ... and either the titles share no content word (the longer text is titled for its own
# story) or at least this share of the longer text comes before the shared one. An outlet that
# opens another's copy with a sentence of its own also leaves the copy whole after it, but
# titles the same story (round 3: 118 of 300 such copies of ANT articles at similarity up to
# 1.0 were "another story" without this).
ANOTHER_STORY_ALONE = 0.5
# A cut-down copy: the shorter text lies this much inside the longer one...
CONTAINED = 0.7
# ... in a block that starts within this share of the longer text.
LEAD_START = 0.2
# A follow-up reuses this much of the earlier body and has this much new material, with new
# facts: a number or lexicon name the earlier text lacks, or this many new rare words.
REUSED = 0.45
NEW_MATERIAL = 0.2
# Shares are ratios of small mark counts: 1 - 12/15 is 0.19999999999999996 in floating point,
# which must count as the 20% it is.
_EPS = 1e-9
NEW_RARE = 2
# ... and keeps at least this share of the earlier text's numbers: a later text that replaces
# most of them is the next day's bulletin or the next round, not an update.
KEPT_NUMBERS = 0.5
# A later text that drops most of the earlier's numbers is a follow-up on new rare words alone
# only when this share of it is new (a reworded lead is less; a programme reposted with every
# match's TV channel added is more).
MOSTLY_NEW = 0.5
# Second stage: share of the shorter text's marks shared, in order.
ALIGNED = 0.5
# Below this share in order, with nothing shared in the first ``ANOTHER_STORY`` of the longer
# text, whatever the estimate, the texts share words but not a text: one fixture list inside a
# feature on two players and in the round's programme, each in its own order (round 3: the one
# such pair at 0.7+ in ANT). A rewrite that reorders its clauses (a forecast for tomorrow
# reworded as today's) is out of order too, but all along both texts.
SCRAMBLED = 0.4


class Kind(Enum):
    DIFFERENT = 0
    DUPLICATE = 1
    FOLLOWUP = 2  # ``later`` updates ``earlier``


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: Kind
    similarity: float
    reason: str = ""


DIFFERENT = Verdict(Kind.DIFFERENT, 0.0)


def _u32(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.uint32)


def substituted(a: bytes, b: bytes, least: int = 1) -> bool:
    """Each side has a value (number or name hash) the other lacks, ``least`` in all."""
    if not a or not b:
        return False
    set_a, set_b = _u32(a), _u32(b)
    common = np.intersect1d(set_a, set_b, assume_unique=True).size
    only_a, only_b = set_a.size - common, set_b.size - common
    return only_a > 0 and only_b > 0 and only_a + only_b >= least


def substituted_in_place(
    a: bytes, b: bytes, slots_a: bytes, slots_b: bytes, least: int = 1
) -> bool:
    """``substituted``, counting only values that stand where the other text has another value:
    a value only ``a`` has and one only ``b`` has, with a context (the word before or the word
    after, ``features.slot_pairs``) in common. A value the other text lacks because its whole
    sentence is missing (another outlet's trim) is no slot. Without slot pairs (an index entry
    written before them), the bare value sets decide."""
    if not substituted(a, b, least):
        return False
    if not slots_a or not slots_b:
        return True
    set_a, set_b = _u32(a), _u32(b)
    only_a = np.setdiff1d(set_a, set_b, assume_unique=True)
    only_b = np.setdiff1d(set_b, set_a, assume_unique=True)
    ctx_a, val_a = _pairs(slots_a)
    ctx_b, val_b = _pairs(slots_b)
    mine_a, mine_b = np.isin(val_a, only_a), np.isin(val_b, only_b)
    ctx_a, val_a, ctx_b, val_b = ctx_a[mine_a], val_a[mine_a], ctx_b[mine_b], val_b[mine_b]
    shared = np.intersect1d(ctx_a, ctx_b)
    if not shared.size:
        return False
    in_a = np.unique(val_a[np.isin(ctx_a, shared)]).size
    in_b = np.unique(val_b[np.isin(ctx_b, shared)]).size
    return in_a + in_b >= least


def _pairs(slots: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(contexts, values) of ``features.slot_pairs``' uint64 (context << 32 | value)."""
    packed = np.frombuffer(slots, dtype=np.uint64)
    return (packed >> np.uint64(32)).astype(np.uint32), packed.astype(np.uint32)


def agree(a: bytes, b: bytes, slots_a: bytes = b"", slots_b: bytes = b"") -> bool:
    """No substitution (in place, given both texts' slot pairs: ``substituted_in_place``), and
    when both texts have values, they share one."""
    if not a or not b:
        return True
    if substituted_in_place(a, b, slots_a, slots_b):
        return False
    return np.intersect1d(_u32(a), _u32(b), assume_unique=True).size > 0


@dataclass(frozen=True, slots=True)
class Overlap:
    """Where two texts' shared marks lie, seen from each text."""

    covered_a: float  # share of a's marks that b has
    covered_b: float
    block_a: tuple[float, float]  # first and last shared mark of a, as shares of its length
    block_b: tuple[float, float]
    contiguous_a: bool  # shared marks of a fill their span (one block, nothing shared outside)
    contiguous_b: bool
    in_order: float  # share of the shorter text's marks shared in the same order
    marks: tuple[int, int]


def _side(mask: np.ndarray) -> tuple[float, tuple[float, float], bool]:
    n = mask.size
    hits = np.flatnonzero(mask)
    if not hits.size:
        return 0.0, (0.0, 0.0), False
    first, last = int(hits[0]), int(hits[-1])
    span = last - first + 1
    return hits.size / n, (first / n, (last + 1) / n), hits.size >= 0.8 * span


def _in_order(ma: np.ndarray, mb: np.ndarray, shared: np.ndarray) -> int:
    """Length of the longest run of shared marks in the same order in both texts (a patience
    LIS over b's positions of a's shared marks, first occurrence each)."""
    if not shared.size:
        return 0
    first_b: dict[int, int] = {}
    for pos, value in enumerate(mb.tolist()):
        first_b.setdefault(value, pos)
    seen: set[int] = set()
    sequence = []
    for value in ma.tolist():
        if value in first_b and value not in seen:
            seen.add(value)
            sequence.append(first_b[value])
    tails: list[int] = []
    for x in sequence:
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if tails[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        if lo == len(tails):
            tails.append(x)
        else:
            tails[lo] = x
    return len(tails)


def overlap(marks_a: bytes, marks_b: bytes) -> Overlap:
    ma, mb = _u32(marks_a), _u32(marks_b)
    shared = np.intersect1d(ma, mb)
    cov_a, block_a, cont_a = _side(np.isin(ma, shared))
    cov_b, block_b, cont_b = _side(np.isin(mb, shared))
    shorter = min(np.unique(ma).size, np.unique(mb).size) or 1
    return Overlap(
        cov_a,
        cov_b,
        block_a,
        block_b,
        cont_a,
        cont_b,
        _in_order(ma, mb, shared) / shorter,
        (ma.size, mb.size),
    )


def close_in_time(a: tuple, b: tuple, config: MinhashConfig) -> bool:
    """Both undated, one undated, or published at most ``max_days_apart`` apart."""
    if config.max_days_apart is None or a[0] or b[0]:
        return True
    return abs((a[1] - b[1]).total_seconds()) <= config.max_days_apart * 86400


def scores(a, b, config: MinhashConfig) -> tuple[float, float]:
    """(similarity as before issue 20, similarity of the shorter text to the longer's lead)."""
    sim = combined_similarity(estimated_jaccard(a.signature, b.signature), a.size, b.size, config)
    # the shorter text against the longer one's lead; equal sizes: the smaller id is "shorter"
    short, long = (a, b) if (a.size, a.id) <= (b.size, b.id) else (b, a)
    lead = estimated_jaccard(short.signature, long.lead) if long.lead and short.signature else 0.0
    return sim, lead


def verdict(a, b, config: MinhashConfig) -> Verdict:
    """What ``a`` and ``b`` (``NearDoc``s) are to each other; ``Kind.FOLLOWUP`` means the later
    of the two (by ``order``) updates the earlier."""
    if not close_in_time(a.order, b.order, config):
        return DIFFERENT
    sim, lead = scores(a, b, config)
    if not config.verify:
        return Verdict(Kind.DUPLICATE, sim) if sim >= config.threshold else DIFFERENT
    if sim < config.second_stage and lead < LEAD_MATCH:
        return DIFFERENT
    return judge(a, b, sim, lead, config)


def judge(a, b, sim: float, lead: float, config: MinhashConfig) -> Verdict:
    """The rules of the module docstring, for a pair that passed the first stage."""
    earlier, later = (a, b) if a.order <= b.order else (b, a)
    ov = overlap(earlier.marks, later.marks)
    enough = min(ov.marks) >= MIN_MARKS
    slots = substituted_in_place(
        a.numbers, b.numbers, a.slots, b.slots, NUMBER_SLOTS
    ) or substituted_in_place(a.names, b.names, a.slots, b.slots)
    kept = _kept_share(earlier.numbers, later.numbers)
    new_facts = (
        _exclusive(later.numbers, earlier.numbers)
        # a weekday is a date slot, not a fact: "tomorrow" reposted as "today, Friday"
        or _exclusive(_without(later.names, weekday_hashes()), earlier.names)
        # new rare words alone are weak evidence: a reworded repost has them too ("14:00"
        # written out as "الساعة الثانية بعد الظهر"), and it drops the figures it rewords,
        # where an update keeps the earlier facts it adds to or brings much new text
        or (
            _new_count(later.rare, earlier.rare) >= NEW_RARE
            and (kept >= KEPT_NUMBERS or 1.0 - ov.covered_b >= MOSTLY_NEW - _EPS)
        )
    )
    if (
        config.followups
        and enough
        and not (slots and kept < KEPT_NUMBERS)
        and a.source == b.source
        and earlier.order < later.order
        and ov.covered_a >= REUSED
        and 1.0 - ov.covered_b >= NEW_MATERIAL - _EPS
        and new_facts
        and related_titles(a.title_words, b.title_words)
    ):
        return Verdict(Kind.FOLLOWUP, max(sim, lead), "follow-up")
    if slots:
        return Verdict(Kind.DIFFERENT, max(sim, lead), "template")
    if enough:
        # which text is the longer (by marks) and what the shorter shares of it
        long_cov, long_block, long_cont, short_cov, short_block = (
            (ov.covered_a, ov.block_a, ov.contiguous_a, ov.covered_b, ov.block_b)
            if ov.marks[0] >= ov.marks[1]
            else (ov.covered_b, ov.block_b, ov.contiguous_b, ov.covered_a, ov.block_a)
        )
        if (
            long_cont
            and long_block[0] >= ANOTHER_STORY
            and 1.0 - long_cov >= ANOTHER_STORY - _EPS
            and short_block[0] <= WHOLE_FROM
            and (
                long_block[0] >= ANOTHER_STORY_ALONE
                or not related_titles(a.title_words, b.title_words)
            )
        ):
            return Verdict(Kind.DIFFERENT, max(sim, lead), "another story in one text")
        if (
            ov.contiguous_a
            and ov.contiguous_b
            and 1.0 - ov.covered_a >= OWN_PART - _EPS
            and 1.0 - ov.covered_b >= OWN_PART - _EPS
            # a block opening both texts is their news, not a blurb (round 3: 17 of 600
            # two-outlet trims of ANT reports were "shared block")
            and max(ov.block_a[0], ov.block_b[0]) > LEAD_START
        ):
            return Verdict(Kind.DIFFERENT, max(sim, lead), "shared block")
        if ov.in_order < SCRAMBLED and long_block[0] >= ANOTHER_STORY:
            return Verdict(Kind.DIFFERENT, max(sim, lead), "shared words out of order")
        cut_down = short_cov >= CONTAINED and long_block[0] <= LEAD_START
        if sim >= config.threshold:
            return Verdict(Kind.DUPLICATE, sim)
        if lead >= LEAD_MATCH and cut_down:
            return Verdict(Kind.DUPLICATE, max(sim, lead, short_cov), "cut-down copy")
        # two outlets trim a story each its own way, so only values in the same place
        # disagree; one outlet's later text that lacks a name or number the earlier had and
        # has another has changed a fact (a visit moved, the referees and channels added)
        places = (a.slots, b.slots) if a.source != b.source else (b"", b"")
        if (
            sim >= config.second_stage
            and ov.in_order >= ALIGNED
            and agree(a.numbers, b.numbers, *places)
            and agree(a.names, b.names, *places)
        ):
            return Verdict(Kind.DUPLICATE, sim, "second stage")
        return Verdict(Kind.DIFFERENT, max(sim, lead), "second stage")
    if sim >= config.threshold:
        return Verdict(Kind.DUPLICATE, sim)
    return Verdict(Kind.DIFFERENT, max(sim, lead), "too short to verify")


def related_titles(a: bytes, b: bytes) -> bool:
    """The titles share a content word (or one of them has none to compare)."""
    if not a or not b:
        return True
    return np.intersect1d(_u32(a), _u32(b), assume_unique=True).size > 0


def _kept_share(earlier: bytes, later: bytes) -> float:
    """Share of ``earlier``'s values that ``later`` has too (1.0 when it has none)."""
    if not earlier:
        return 1.0
    e = _u32(earlier)
    if not later:
        return 0.0
    return np.intersect1d(e, _u32(later), assume_unique=True).size / e.size


def _new_count(mine: bytes, theirs: bytes) -> int:
    """How many values of ``mine`` ``theirs`` lacks."""
    if not mine:
        return 0
    m = _u32(mine)
    if not theirs:
        return int(m.size)
    return int(m.size - np.intersect1d(m, _u32(theirs), assume_unique=True).size)


@functools.cache
def weekday_hashes() -> bytes:
    """The names-feature hashes of the weekdays (``features.WEEKDAYS``)."""
    return crc_set(set(WEEKDAYS))


def _without(values: bytes, drop: bytes) -> bytes:
    if not values:
        return values
    return np.setdiff1d(_u32(values), _u32(drop), assume_unique=True).astype(np.uint32).tobytes()


def _exclusive(mine: bytes, theirs: bytes) -> bool:
    """``mine`` has a value ``theirs`` lacks."""
    if not mine:
        return False
    if not theirs:
        return True
    m = _u32(mine)
    return np.intersect1d(m, _u32(theirs), assume_unique=True).size < m.size
