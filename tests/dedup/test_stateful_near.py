"""dedup/stateful_near.py: the stream's near-dup decision, its index, its state and its files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms import window as beam_window

from akhbar.schemas.records import Article, Duplicate
from akhbar.transforms.dedup.exact import DUPLICATES_TAG, DedupGroup, as_duplicate, cluster_id_for
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH, MinhashConfig
from akhbar.transforms.dedup.near_cluster import near_doc
from akhbar.transforms.dedup.near_index import index_entry, read_index_file, save_index
from akhbar.transforms.dedup.stateful_near import (
    INDEX_TAG,
    Canonical,
    Decision,
    Entry,
    NearIndex,
    Pinned,
    Redirect,
    StreamingNearDedup,
    _NearStateFn,
    decide,
    seed_entries,
)
from akhbar.transforms.dedup.stream_index import WriteStreamIndex
from tests.dedup.stories import paragraphs, respelled, story
from tests.helpers import NOW, beam_pipeline

CFG = DEFAULT_MINHASH
DAY = 86400.0
T = NOW.timestamp() + 3600  # wall clock of the first element: an hour after the fetch


def article(id: str, text: str, hours: float | None = 0, **kw: object) -> Article:
    a = story(id, text, hours, **kw)
    return replace(a, cluster_id=cluster_id_for(a))  # as StreamingExactDedup leaves it


def run(index: NearIndex, element: Article | Duplicate, now: float = T) -> Decision:
    """What the DoFn does with one element: expire, decide, remember."""
    index.expire(now - 7 * DAY)
    decision = decide(index, element, now)
    for entry in decision.remember:
        index.add(entry)
    return decision


P = paragraphs()


def test_first_article_is_canonical_and_indexed() -> None:
    index = NearIndex(CFG)
    a = article("a", P[0])
    d = run(index, a)
    assert d.emit is a and d.indexed is not None and d.indexed.id == "a"
    assert d.indexed.cluster_id == a.cluster_id
    assert [type(e) for e in d.remember] == [Canonical] and len(index) == 1


def test_respelled_copy_seen_later_points_at_the_first_seen_article() -> None:
    index = NearIndex(CFG)
    original = article("orig", P[0], hours=5)
    run(index, original)
    # published earlier but seen later: in a stream the first seen is canonical
    copy = article("copy", respelled(P[0]), hours=1, source="shorouknews.com")
    d = run(index, copy, T + 60)
    dup = d.emit
    assert isinstance(dup, Duplicate) and dup.kind == "near"
    assert dup.duplicate_of == "orig" and dup.cluster_id == original.cluster_id
    assert dup.similarity is not None and dup.similarity >= CFG.threshold
    assert d.indexed is None and d.comparisons == 1
    assert index.redirects["copy"].canonical_id == "orig" and "copy" not in index.canonicals


def test_another_story_on_the_same_topic_stays_apart() -> None:
    index = NearIndex(CFG)
    run(index, article("a", P[0]))
    for i, text in enumerate(P[1:]):
        d = run(index, article(f"p{i}", text))
        assert isinstance(d.emit, Article), f"paragraph {i + 1} merged"
    assert len(index.canonicals) == len(P)


def test_copy_never_points_at_a_duplicate() -> None:
    index = NearIndex(CFG)
    run(index, article("A", P[2]))
    run(index, article("B", respelled(P[2]), hours=1))
    # C is a copy of B (the same re-spelling, minus a sentence): it must point at A
    c = article("C", respelled(P[2]).rsplit(".", 2)[0], hours=2)
    d = run(index, c)
    assert isinstance(d.emit, Duplicate) and d.emit.duplicate_of == "A"
    # an exact/URL duplicate row of B from the exact stage is re-pointed at A too
    exact_of_b = as_duplicate(article("B2", respelled(P[2])), article("B", respelled(P[2])), "cB")
    assert exact_of_b.kind == "exact" and exact_of_b.duplicate_of == "B"
    d = run(index, exact_of_b)
    assert isinstance(d.emit, Duplicate)
    assert (d.emit.duplicate_of, d.emit.kind) == ("A", "near")
    assert d.emit.cluster_id == index.canonicals["A"].doc.cluster_id
    # and a row pointing at that row (a chain through the exact stage) ends at A as well
    d = run(index, replace(exact_of_b, id="B3", duplicate_of="B2", kind="url"))
    assert isinstance(d.emit, Duplicate) and d.emit.duplicate_of == "A"


def test_duplicate_of_a_canonical_passes_unchanged() -> None:
    index = NearIndex(CFG)
    a = article("a", P[0])
    run(index, a)
    row = as_duplicate(article("x", P[0]), a, a.cluster_id or "")
    d = run(index, row)
    assert d.emit is row and not d.dangling and not index.pinned


def test_an_id_rows_already_point_at_stays_canonical() -> None:
    index = NearIndex(CFG)
    run(index, article("A", P[0]))
    b = article("B", respelled(P[0]))
    # B's URL duplicate overtook B itself (they left the exact stage on different paths)
    row = as_duplicate(article("B'", respelled(P[0])), b, b.cluster_id or "")
    run(index, row)
    assert "B" in index.pinned
    d = run(index, b)
    assert d.emit is b and "B" in index.canonicals and "B" not in index.pinned


def test_a_row_for_a_pinned_id_is_reported_dangling() -> None:
    index = NearIndex(CFG)
    a, b = article("A", P[0]), article("B", P[0])
    run(index, a)
    run(index, as_duplicate(article("C", P[0]), b, "cB"))  # points at B, not seen yet
    d = run(index, as_duplicate(b, a, a.cluster_id or ""))  # B turns out to be a duplicate
    assert d.dangling


def test_entries_older_than_the_horizon_are_forgotten() -> None:
    index = NearIndex(CFG)
    run(index, article("old", P[0], hours=0))
    run(index, article("other", P[1], hours=0), T + 3 * DAY)
    assert len(index.canonicals) == 2 and index.bands
    # seen 8 days later: "old" is gone (7-day horizon), so the copy is a new canonical ...
    late = T + 8 * DAY
    d = run(index, article("copy", respelled(P[0]), hours=1), late)
    assert isinstance(d.emit, Article) and d.comparisons == 0
    assert set(index.canonicals) == {"other", "copy"}
    # ... and no band key still names the forgotten article
    named = {m for v in index.bands.values() for m in ([v] if isinstance(v, str) else v)}
    assert named == {"other", "copy"}


def test_same_time_closeness_rule_as_batch() -> None:
    index = NearIndex(CFG)
    run(index, article("orig", P[0], hours=0))
    d = run(index, article("copy", respelled(P[0]), hours=24 * 15))  # 15 days later (window 14)
    assert isinstance(d.emit, Article) and d.comparisons == 1


def test_band_cap_bounds_the_comparisons() -> None:
    config = MinhashConfig(max_band_size=20, oversized_band_sample=3)
    index = NearIndex(config)
    base = near_doc(article("t", P[0]), config)
    for i in range(500):  # 500 canonicals sharing every band key (a boilerplate-like block)
        doc = replace(base, id=f"c{i:03d}", cluster_id=f"k{i}")
        index.add(Canonical(doc, T + i))
    d = run(index, article("new", P[0], hours=0))
    assert d.oversized_bands == config.bands
    assert d.comparisons == 3  # the 3 oldest members of each band (the same 3), not 500
    assert isinstance(d.emit, Duplicate) and d.emit.duplicate_of == "c000"


def test_of_several_matching_canonicals_the_first_seen_wins() -> None:
    index = NearIndex(CFG)
    first = near_doc(article("first", P[0]), CFG)
    index.add(Canonical(replace(first, id="late", cluster_id="kl"), T + 10))
    index.add(Canonical(replace(first, id="early", cluster_id="ke"), T))
    d = run(index, article("copy", respelled(P[0])), T + 20)
    assert isinstance(d.emit, Duplicate) and (d.emit.duplicate_of, d.emit.cluster_id) == (
        "early",
        "ke",
    )


def test_rebuilding_from_the_entries_gives_the_same_index() -> None:
    index = NearIndex(CFG)
    remembered: list[Entry] = []
    for element in [
        article("A", P[0]),
        article("B", respelled(P[0])),
        article("C", P[1]),
    ]:
        remembered.extend(run(index, element).remember)
    rebuilt = NearIndex(CFG)
    for entry in remembered:
        rebuilt.add(entry)
    assert rebuilt.canonicals == index.canonicals and rebuilt.redirects == index.redirects
    assert rebuilt.bands == index.bands
    assert sorted(e.seen_at for e in rebuilt.entries()) == [T, T, T]


def test_seed_entries_read_index_files_and_skip_foreign_signatures(tmp_path: Path) -> None:
    a = article("a", P[0])
    b = article("b", P[1])
    good = index_entry(DedupGroup(a), CFG)
    foreign = replace(index_entry(DedupGroup(b), CFG), signature_key="other-algorithm")
    files = save_index([good, foreign], str(tmp_path), "run1")
    seeds, skipped = seed_entries([f.path for f in files], CFG)
    assert skipped == 1 and [s.id for s in seeds] == ["a"]
    assert seeds[0].doc.prior and seeds[0].doc.cluster_id == a.cluster_id
    assert seeds[0].seen_at == a.fetched_at.timestamp()


# --- the stateful DoFn and the index files in a Beam pipeline -------------------------------


def fixed_clock() -> float:
    return T


def late_clock() -> float:
    return T + 8 * DAY


def as_tuple(x: Article | Duplicate) -> tuple:
    if isinstance(x, Article):
        return ("article", x.id)
    return ("duplicate", x.id, x.duplicate_of, x.kind)


def outcome(kept, duplicates):
    """Everything that came out, as one sorted list (one element)."""
    return (
        (kept | "KA" >> beam.Map(as_tuple), duplicates | "KD" >> beam.Map(as_tuple))
        | "AllOut" >> beam.Flatten()
        | beam.combiners.ToList()
        | beam.Map(sorted)
    )


def test_stateful_dofn_matches_the_seeded_index_in_a_pipeline(tmp_path: Path) -> None:
    prior = article("prior", P[3], hours=-2)
    files = save_index([index_entry(DedupGroup(prior), CFG)], str(tmp_path / "idx"), "batch1")
    orig, other = article("orig", P[0]), article("other", P[1])
    copy_of_prior = article("copy-of-prior", respelled(P[3]), hours=1)
    with beam_pipeline() as p:
        kept, duplicates, entries = (
            p | "Articles" >> beam.Create([orig, other, copy_of_prior]),
            p | "Dups" >> beam.Create([]),
        ) | StreamingNearDedup(CFG, 7, [f.path for f in files], clock=fixed_clock, rewrite_min=1)
        assert_that(
            outcome(kept, duplicates),
            equal_to(
                [
                    [
                        ("article", "orig"),
                        ("article", "other"),
                        ("duplicate", "copy-of-prior", "prior", "near"),
                    ]
                ]
            ),
        )
        assert_that(
            entries | "E" >> beam.Map(lambda e: e.id), equal_to(["orig", "other"]), label="index"
        )


def test_seed_older_than_the_horizon_is_not_matched(tmp_path: Path) -> None:
    prior = article("prior", P[3], hours=-2)  # fetched at tests.helpers.NOW
    files = save_index([index_entry(DedupGroup(prior), CFG)], str(tmp_path / "idx"), "batch1")
    with beam_pipeline() as p:
        kept, duplicates, _ = (
            p | "Articles" >> beam.Create([article("copy", respelled(P[3]))]),
            p | "Dups" >> beam.Create([]),
        ) | StreamingNearDedup(CFG, 7, [f.path for f in files], clock=late_clock)
        assert_that(outcome(kept, duplicates), equal_to([[("article", "copy")]]))


def test_rows_point_at_written_articles_whatever_the_arrival_order(tmp_path: Path) -> None:
    """An exact-stage row for a copy may arrive before or after the copy itself: either the
    copy stays canonical (pinned) or the row is re-pointed; it never names a duplicate."""
    prior = article("prior", P[3], hours=-2)
    files = save_index([index_entry(DedupGroup(prior), CFG)], str(tmp_path / "idx"), "batch1")
    copy_of_prior = article("copy", respelled(P[3]), hours=1)
    exact_row = as_duplicate(article("exact", respelled(P[3])), copy_of_prior, "c")
    with beam_pipeline() as p:
        kept, duplicates, _ = (
            p | "Articles" >> beam.Create([copy_of_prior, article("orig", P[0])]),
            p | "Dups" >> beam.Create([exact_row]),
        ) | StreamingNearDedup(CFG, 7, [f.path for f in files], clock=fixed_clock)

        def check(got: list[list[tuple]]) -> None:
            [rows] = got
            written = {r[1] for r in rows if r[0] == "article"} | {"prior"}
            assert len(rows) == 3 and ("article", "orig") in rows, rows
            assert all(r[2] in written for r in rows if r[0] == "duplicate"), rows

        assert_that(outcome(kept, duplicates), check)


def test_one_of_two_copies_in_a_pipeline_is_canonical() -> None:
    """Arrival order inside a bundle is the runner's: whichever comes first is canonical."""
    a, b = article("a", P[0]), article("b", respelled(P[0]))
    with beam_pipeline() as p:
        kept, duplicates, _ = (
            p | "A" >> beam.Create([a, b]),
            p | "D" >> beam.Create([]),
        ) | StreamingNearDedup(CFG, 7, clock=fixed_clock)
        possible = (
            [("article", "a"), ("duplicate", "b", "a", "near")],
            [("article", "b"), ("duplicate", "a", "b", "near")],
        )

        def check(got: list[list[tuple]]) -> None:
            assert len(got) == 1 and got[0] in possible, got

        assert_that(outcome(kept, duplicates), check)


def test_write_stream_index_stages_one_file_per_window_and_month(tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    entries = [index_entry(DedupGroup(article(f"a{i}", P[i], hours=24 * i)), CFG) for i in (0, 1)]
    with beam_pipeline() as p:
        files = (
            p
            | beam.Create([(entries[0], 100.0), (entries[1], 100.0), (entries[0], 130.0)])
            | beam.Map(lambda kv: beam_window.TimestampedValue(kv[0], kv[1]))
            | beam.WindowInto(beam_window.FixedWindows(20))
            | WriteStreamIndex(out, "live", "sfp")
        )
        assert_that(
            files
            | beam.Map(lambda f: (f.path.replace(out, ""), f.staged.replace(out, ""), f.rows)),
            equal_to(
                [
                    (
                        "/_state/near_index/month=2026-11/part-sfp-w100.parquet",
                        "/_staging/live-w100/_state/near_index/month=2026-11/part-sfp-w100.parquet",
                        2,
                    ),
                    (
                        "/_state/near_index/month=2026-11/part-sfp-w120.parquet",
                        "/_staging/live-w120/_state/near_index/month=2026-11/part-sfp-w120.parquet",
                        1,
                    ),
                ]
            ),
        )
    staged = (
        tmp_path / "out/_staging/live-w120/_state/near_index/month=2026-11/part-sfp-w120.parquet"
    )
    assert [e.id for e in read_index_file(str(staged))] == ["a0"]


def test_pinned_and_redirect_entries_expire_too() -> None:
    index = NearIndex(CFG)
    index.add(Pinned("x", T))
    index.add(Redirect("y", "z", "kz", 0.9, T + DAY))
    assert index.expire(T + 0.5 * DAY) == 1 and set(index.pinned) == set()
    assert index.expire(T + 2 * DAY) == 1 and len(index) == 0


# --- the DoFn's state handling, with in-memory stand-ins for Beam's state -------------------


class Bag:
    def __init__(self) -> None:
        self.items: list = []

    def add(self, x: object) -> None:
        self.items.append(x)

    def read(self) -> list:
        return list(self.items)

    def clear(self) -> None:
        self.items = []


class Value:
    def __init__(self) -> None:
        self.value: Any = None

    def read(self) -> Any:
        return self.value

    def write(self, x: object) -> None:
        self.value = x


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_state_is_seeded_once_rebuilt_on_another_worker_and_compacted(tmp_path: Path) -> None:
    prior = article("prior", P[3], hours=-2)
    files = save_index([index_entry(DedupGroup(prior), CFG)], str(tmp_path / "idx"), "b1")
    clock = Clock(T)
    bag, version = Bag(), Value()

    def worker() -> _NearStateFn:
        fn = _NearStateFn(CFG, 7 * DAY, [f.path for f in files], rewrite_min=1, clock=clock)
        fn.setup()
        return fn

    def send(fn: _NearStateFn, element: Article | Duplicate) -> list:
        return list(fn.process(("near", element), entries=bag, version=version))

    first = worker()
    out = send(first, article("A", P[0]))
    assert out[0].id == "A" and out[1].tag == INDEX_TAG
    assert [type(e).__name__ for e in bag.items] == ["Canonical", "Canonical"]  # seed, then A
    Path(files[0].path).unlink()  # a second seeding would now find nothing
    # another worker (or a restore) rebuilds from the bag: the seed is still there
    second = worker()
    [dup] = send(second, article("copy", respelled(P[3]), hours=1))
    assert dup.tag == DUPLICATES_TAG and dup.value.duplicate_of == "prior"
    assert version.read().entries == len(bag.items) == 3
    # the first worker's cache is now stale (the token moved): it rebuilds, it does not decide
    # against its old view, in which "copy" was unknown
    [again] = send(first, as_duplicate(article("x", respelled(P[3])), article("copy", "z"), "c"))
    assert again.value.duplicate_of == "prior"
    # eight days later everything has expired: the bag is rewritten with the live entries only
    clock.now = T + 8 * DAY
    send(second, article("B", P[1]))
    assert [getattr(e, "id", None) for e in bag.items] == ["B"]
    assert version.read().entries == 1
    # a retried bundle: the committed state went back, the cache did not -> rebuilt from state
    saved_bag, saved_version = list(bag.items), version.read()
    send(second, article("C", P[2]))
    bag.items, version.value = saved_bag, saved_version
    out = send(second, article("C", P[2]))
    assert out[0].id == "C" and len(bag.items) == 2


def test_adding_an_id_twice_keeps_one_entry_in_every_band() -> None:
    index = NearIndex(CFG)
    doc = replace(near_doc(article("a", P[0]), CFG), cluster_id="k")
    index.add(Canonical(doc, T))
    index.add(Canonical(doc, T + 1))
    assert len(index) == 1 and all(v == "a" for v in index.bands.values())
    assert index.expire(T + 0.5) == 0 and index.expire(T + 2) == 1 and not index.bands
