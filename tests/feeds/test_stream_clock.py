"""``akhbar stream`` judges dates against each element's processing time, not its start.

Before: "now" was frozen when the stream started, and ``plausible()`` drops dates more than
2 days after "now", so after 2 days of streaming every article got ``published_at = NULL``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from akhbar.pipelines.stream import StreamPlan, build_stream
from akhbar.transforms.prepare import PrepareArticles, PrepareConfig, PrepareDoFn
from akhbar.transforms.sources.feedlist import FeedSpec
from akhbar.transforms.sources.http import FetchConfig
from akhbar.transforms.sources.poll import PollConfig
from tests.helpers import ARABIC_TEXT, beam_pipeline, make_raw

START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


class SimulatedDays:
    """A clock for one worker: every call is 6 simulated hours after the one before, so 13
    items span 3 days (the items arrive in order on FnApiRunner's single worker)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> datetime:
        moment = START + timedelta(hours=6 * self.calls)
        self.calls += 1
        return moment


def test_three_simulated_days_of_streaming_keep_every_date() -> None:
    # item i is published at the moment the clock says it is processed (a live feed)
    items = [
        make_raw(
            f"day-{i}",
            published_at=START + timedelta(hours=6 * i),
            body=f"<p>خبر رقم {i}. {ARABIC_TEXT}</p>",
        )
        for i in range(13)
    ]
    with beam_pipeline() as p:
        prepared = (
            p
            | beam.Create(items, reshuffle=False)
            | PrepareArticles(PrepareConfig(), None, clock=SimulatedDays())
        )
        assert_that(
            prepared.articles | beam.Map(lambda a: (a.id, a.published_at is not None)),
            equal_to([(f"day-{i}", True) for i in range(13)]),
        )


def test_a_frozen_now_loses_the_third_day() -> None:
    """What the stream did before: the same items judged against the start lose day 3."""
    items = [make_raw(f"d{i}", published_at=START + timedelta(days=i)) for i in range(4)]
    frozen = PrepareDoFn(PrepareConfig(), START)
    frozen.setup()
    kept = [next(iter(frozen.process(item))).published_at for item in items]
    assert kept[:3] == [START + timedelta(days=i) for i in range(3)] and kept[3] is None


def test_the_stream_graph_gives_prepare_its_clock_and_no_fixed_now() -> None:
    clock = SimulatedDays()
    plan = StreamPlan(
        output="/tmp/never-written",
        run_id="r",
        specs=[FeedSpec(source="a.example", url="http://127.0.0.1:1/feed.xml")],
        poll=PollConfig(fetch=FetchConfig()),
        prepare=PrepareConfig(),
        validators={},
        prior_files=[],
        poll_interval=60,
        window=60,
        duration=60,
        near=None,
        clock=clock,
    )
    pipeline = beam.Pipeline()
    build_stream(pipeline, plan, START.timestamp())
    found = []

    class Visitor(beam.pipeline.PipelineVisitor):
        def visit_transform(self, node):  # type: ignore[no-untyped-def]
            fn = getattr(node.transform, "fn", None)
            fn = getattr(fn, "inner", fn)  # a multi-output step may wrap the DoFn
            if isinstance(fn, PrepareDoFn):
                found.append(fn)

    pipeline.visit(Visitor())
    assert len(found) == 1
    assert found[0].now is None and found[0].clock is clock
