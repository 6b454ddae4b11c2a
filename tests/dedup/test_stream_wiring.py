"""``akhbar stream`` and ``--dry-run`` use the near-dup window of ``--near-window-days`` and the
blocks earlier runs learned, as ``akhbar ingest`` does (issue 20: both used to run with the
default window and no learned blocks)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from akhbar.pipelines.stream import stream_plan
from akhbar.transforms.dedup.blocks import BlockCounter, blocks_dir, save_blocks
from akhbar.transforms.dedup.keys import dedup_key
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
from akhbar.transforms.dedup.stateful_near import NearIndex, decide
from akhbar.transforms.dedup.verify import Kind, verdict
from tests.conftest import REPO, akhbar_cmd
from tests.dedup.stories import respelled
from tests.dedup.test_blocks import item, texts
from tests.feeds.conftest import FeedItem, FeedServer, feed_server  # noqa: F401 (fixture)
from tests.feeds.test_stream import all_rows

SOURCE = "radio.example"
PUBLISHED = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def learn_blurb(output: Path) -> None:
    """What an earlier run leaves in ``_state/near_blocks``: six of the outlet's items carrying
    the programme blurb."""
    blurb, news = texts()
    counter = BlockCounter()
    acc = counter.create_accumulator()
    for i in range(2, 8):
        key = dedup_key(item(i, news[i] + "\n\n" + blurb, i), DEFAULT_MINHASH)
        acc = counter.add_input(acc, (SOURCE, key.sentences))
    folder = Path(blocks_dir(str(output)))
    folder.mkdir(parents=True)
    assert save_blocks(counter.extract_output(acc), str(folder / "part-earlier.parquet")) > 0


def feeds_yaml(tmp_path: Path, server: FeedServer) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(f'- {{source: {SOURCE}, url: "{server.base}/radio.xml"}}\n', encoding="utf-8")
    return path


def test_the_stream_plan_takes_the_window_and_the_learned_blocks(
    shared_data: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    learn_blurb(output)
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("http://127.0.0.1:1/feed.xml\n", encoding="utf-8")
    line = ["--feeds", str(feeds), "--output", str(output), "--poll-interval", "60"]
    run = stream_plan(PipelineOptions([*line, "--near-window-days", "3"]), str(output), "r")
    assert run.near is not None and run.near.max_days_apart == 3
    assert run.blocks.get(SOURCE)  # the blurb's sentences, for the stream's matching
    default = stream_plan(PipelineOptions(line), str(output), "r")
    assert default.near is not None and default.near.max_days_apart == 14
    # --dry-run reads nothing from the output, but builds the graph with the same window
    dry = stream_plan(
        PipelineOptions([*line, "--near-window-days", "3"]), str(output), "r", resolve=False
    )
    assert dry.near is not None and dry.near.max_days_apart == 3 and dry.blocks == {}
    assert stream_plan(PipelineOptions([*line, "--no-near-dedup"]), str(output), "r").near is None


def test_the_stream_decision_cuts_the_learned_blocks(shared_data: Path) -> None:
    """Two short items dominated by the blurb: copies to the stream without the blocks,
    different items with them (the batch path's verdict, ``test_blocks``)."""
    blurb, news = texts()
    first, second = (item(i, news[i] + "\n\n" + blurb, i) for i in (0, 1))
    from akhbar.transforms.dedup.near_cluster import near_doc

    plain = [near_doc(x, DEFAULT_MINHASH) for x in (first, second)]
    assert verdict(*plain, DEFAULT_MINHASH).kind is Kind.DUPLICATE
    with_blocks = [near_doc(x, DEFAULT_MINHASH, learned(first)) for x in (first, second)]
    assert verdict(*with_blocks, DEFAULT_MINHASH).kind is Kind.DIFFERENT

    for blocks, kept in (({}, 1), ({SOURCE: learned(first)}, 2)):
        index = NearIndex(DEFAULT_MINHASH)
        now = PUBLISHED.timestamp()
        written = 0
        for x in (first, second):
            decision = decide(index, x, now, blocks)
            for entry in decision.remember:
                index.add(entry)
            written += decision.emit is x
        assert written == kept, blocks


def learned(sample) -> frozenset[int]:
    import tempfile

    from akhbar.transforms.dedup.blocks import load_blocks, recent_block_files

    with tempfile.TemporaryDirectory() as tmp:
        learn_blurb(Path(tmp))
        return load_blocks(recent_block_files(blocks_dir(tmp), 30))[sample.source]


@pytest.mark.slow
def test_akhbar_stream_uses_the_window_option_and_the_learned_blocks(
    shared_data: Path,
    tmp_path: Path,
    feed_server: FeedServer,  # noqa: F811
) -> None:
    """A real ``akhbar stream`` into an output whose earlier run learned the outlet's blurb:
    two blurb-dominated items stay two articles, and a respelled repost 5 days later stays an
    article of its own with ``--near-window-days 3`` (both were near duplicates before)."""
    blurb, news = texts()
    story = " ".join(news[8:12])
    feed_server.feeds["radio.xml"] = [
        FeedItem(
            guid=f"blurb-{i}",
            title=" ".join(news[i].split()[:4]),  # titles of their own: not follow-ups
            text=news[i] + "\n\n" + blurb,
            published=PUBLISHED + timedelta(hours=i),
        )
        for i in (0, 1)
    ] + [
        FeedItem(guid="story", title="خبر", text=story, published=PUBLISHED + timedelta(hours=2)),
        FeedItem(
            guid="repost",
            title="خبر",
            text=respelled(story),
            published=PUBLISHED + timedelta(days=5),
        ),
    ]
    output = tmp_path / "out"
    learn_blurb(output)
    proc = subprocess.run(
        [*akhbar_cmd(), "stream", "--feeds", str(feeds_yaml(tmp_path, feed_server)),
         "--output", str(output), "--poll-interval", "1", "--duration", "3",
         "--allow-private-network", "--host-delay", "0.01", "--no-extract",
         "--near-window-days", "3"],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "OK" in proc.stdout, proc.stdout
    written = sorted(a["guid"] for a in all_rows(output, "articles"))
    assert written == ["blurb-0", "blurb-1", "repost", "story"], all_rows(output, "duplicates")
