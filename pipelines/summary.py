"""The summary ``akhbar ingest`` prints at the end of a run, from its run record.

It says where every item went (the accounting identity, checked), and what a user would
otherwise only find by querying: items an earlier run already wrote, undated items, failed
extraction and page fetches, and feeds the private-network guard refused.
"""

from __future__ import annotations

from typing import Any

from akhbar.schemas.run_record import RunRecord

BLOCKED = "http:ssrf-blocked"


def _tally(values: dict[str, int]) -> str:
    return "  ".join(f"{k}={v}" for k, v in sorted(values.items()))


def _failures(values: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in values.items() if k.startswith("failed")}


def format_summary(data: dict[str, Any] | RunRecord) -> str:
    record = data if isinstance(data, RunRecord) else RunRecord.from_json(data)
    lines = [
        f"akhbar ingest: run {record.run_id} -> {record.output}",
        f"  inputs           {record.input_files}",
        f"  items read       {record.read}",
        f"  articles         {record.articles}",
        f"  duplicates       {record.duplicates}  {_tally(record.duplicates_by_kind)}".rstrip(),
        f"  rejects          {record.rejects}",
    ]
    for reason, count in record.rejects_by_reason.items():
        lines.append(f"    {reason:<32} {count}")
    if record.already_ingested:
        changed = (
            f", {record.already_ingested_changed} with changed text (first version kept)"
            if record.already_ingested_changed
            else ""
        )
        lines.append(
            f"  already ingested {record.already_ingested}  (written by earlier runs{changed})"
        )
    if record.skipped_not_items:
        lines.append(
            f"  skipped records  {', '.join(f'{k}={v}' for k, v in record.skipped_not_items.items())}"
            "  (not news items: not counted as read)"
        )
    written = record.articles + record.duplicates
    if written:
        lines.append(
            f"  undated          {record.undated} of {written} written"
            "  (no usable date: partitioned by fetch time; published_from=none)"
        )
        lines.append(f"  dates from       {_tally(record.published_from)}")
    failed = _failures(record.enrichment)
    if failed:
        lines.append(
            f"  extraction       failed for {sum(failed.values())} articles"
            f"  ({_tally(failed)}; see the enrichment column)"
        )
    if record.page_fetch:
        lines.append(f"  pages fetched    {_tally(record.page_fetch)}  (--fetch-articles)")
    blocked = record.rejects_by_reason.get(BLOCKED, 0)
    if record.feeds and blocked:
        which = (
            "every feed was"
            if blocked >= record.feeds
            else f"{blocked} of {record.feeds} feeds were"
        )
        lines.append(
            f"  note: {which} refused by the private-network guard ({BLOCKED}); "
            "--allow-private-network lets loopback and private addresses through"
        )
    if record.crowded_partitions:
        lines.append(
            f"  note: {record.crowded_partitions} partitions hold more than 8 files; "
            f"akhbar compact --output {record.output} merges them (safe while others read)"
        )
    lines.append(f"  time taken       {record.seconds:.2f} s")
    verdict = "OK" if record.balanced else "MISMATCH"
    lines.append(
        f"  accounting       read {record.read} = articles {record.articles} + duplicates "
        f"{record.duplicates} + rejects {record.rejects} + already ingested "
        f"{record.already_ingested} ({record.accounted})  {verdict}"
    )
    return "\n".join(lines)
