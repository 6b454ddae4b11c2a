"""The summary ``akhbar ingest`` prints at the end of a run, from its run record."""

from __future__ import annotations

from typing import Any


def format_summary(record: dict[str, Any]) -> str:
    lines = [
        f"akhbar ingest: run {record['run_id']} -> {record['output']}",
        f"  inputs           {record['input_files']}",
        f"  items read       {record['read']}",
        f"  articles         {record['articles']}",
        f"  duplicates       {record['duplicates']}"
        + "".join(f"  {k}={v}" for k, v in record["duplicates_by_kind"].items()),
        f"  rejects          {record['rejects']}",
    ]
    if record.get("already_ingested"):
        lines.append(f"  already ingested {record['already_ingested']}  (written by earlier runs)")
    for reason, count in record["rejects_by_reason"].items():
        lines.append(f"    {reason:<32} {count}")
    if record.get("skipped_not_items"):
        skipped = ", ".join(f"{k}={v}" for k, v in record["skipped_not_items"].items())
        lines.append(f"  skipped records  {skipped}  (not news items: not counted as read)")
    lines.append(f"  time taken       {record.get('seconds', 0):.2f} s")
    verdict = "OK" if record["balanced"] else "MISMATCH"
    lines.append(
        f"  accounting       read {record['read']} = articles {record['articles']} + duplicates "
        f"{record['duplicates']} + rejects {record['rejects']}"
        + (
            f" + already ingested {record['already_ingested']}"
            if record.get("already_ingested")
            else ""
        )
        + f" ({record['accounted']})  {verdict}"
    )
    return "\n".join(lines)
