"""The report in a real browser: headless Chromium renders every chart, offline, Arabic RTL.

Playwright (pip) drives the system Chromium (Debian package ``chromium``); it never downloads a
browser because it is given ``executable_path``. The screenshot is written to
``docs/report-screenshot.png``, which the README shows, so the picture there is always one this
test produced from a real run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, akhbar_cmd

# CI artifact path; set AKHBAR_UPDATE_SCREENSHOT=1 to refresh the copy the README shows.
SCREENSHOT = (
    REPO / "docs" / "report-screenshot.png"
    if os.environ.get("AKHBAR_UPDATE_SCREENSHOT") == "1"
    else REPO / "output" / "ci-artifacts" / "report-screenshot.png"
)
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING_CHROMIUM = (
    "Chromium not found (looked for $AKHBAR_CHROMIUM, `chromium` on PATH, /usr/bin/chromium). "
    ".ci/run installs it: `apt-get update && apt-get install -y chromium`."
)
ARABIC_RE = "[\\u0600-\\u06FF]"


def chromium_executable() -> str:
    candidates = [os.environ.get("AKHBAR_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail(MISSING_CHROMIUM)


@pytest.fixture(scope="module")
def browser_page(
    sample_output: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """Open the sample report once; collect every request, failure, console message and error."""
    executable = chromium_executable()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package (a dev dependency) is not installed")
    # Laid out as after `make run` (./output), so the screenshot's header reads "output".
    workdir = tmp_path_factory.mktemp("browser")
    shutil.copytree(sample_output, workdir / "output")
    report = workdir / "output" / "report.html"
    proc = subprocess.run(
        [*akhbar_cmd(), "report"], cwd=workdir, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    seen: dict[str, Any] = {"requests": [], "failed": [], "console": [], "errors": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_FLAGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: seen["requests"].append(r.url))
            page.on("requestfailed", lambda r: seen["failed"].append(f"{r.url} {r.failure}"))
            page.on("console", lambda m: seen["console"].append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: seen["errors"].append(str(e)))
            page.goto(report.as_uri())
            page.wait_for_selector("body[data-charts]", timeout=60_000)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            seen["page"] = page
            seen["url"] = report.as_uri()
            yield seen
        finally:
            browser.close()


def test_every_chart_rendered_an_svg_with_marks(browser_page: dict[str, Any]) -> None:
    page = browser_page["page"]
    assert page.get_attribute("body", "data-charts") == "rendered", browser_page["console"]
    charts = page.evaluate(
        """() => Array.from(document.querySelectorAll('div.chart')).map(div => ({
            id: div.id,
            svg: div.querySelectorAll('svg').length,
            marks: div.querySelectorAll('svg g.mark-rect path').length,
            width: div.getBoundingClientRect().width,
            height: div.getBoundingClientRect().height,
        }))"""
    )
    ids = {c["id"] for c in charts}
    assert ids == {
        "chart-articles-per-day",
        "chart-duplicate-rate",
        "chart-story-clusters",
        "chart-rejects",
        "chart-runs",
        "chart-top-entities",
        "chart-top-places",
    }
    for chart in charts:
        assert chart["svg"] >= 1, chart
        assert chart["marks"] >= 1, chart
        assert chart["width"] > 200 and chart["height"] > 50, chart
    clusters = page.evaluate(
        f"""() => Array.from(document.querySelectorAll('#chart-story-clusters svg text'))
            .map(t => t.textContent).filter(t => /{ARABIC_RE}/.test(t))"""
    )
    assert len(clusters) == 3, clusters  # Arabic headlines as axis labels


def test_arabic_text_is_in_rtl_containers_with_the_arabic_font(
    browser_page: dict[str, Any],
) -> None:
    page = browser_page["page"]
    found = page.evaluate(
        f"""() => Array.from(document.querySelectorAll('[dir="rtl"]'))
            .filter(el => /{ARABIC_RE}/.test(el.textContent))
            .map(el => ({{
                direction: getComputedStyle(el).direction,
                font: getComputedStyle(el).fontFamily,
                visible: el.getBoundingClientRect().width > 0,
            }}))"""
    )
    assert len(found) >= 4, found
    assert all(f["direction"] == "rtl" and f["visible"] for f in found), found
    assert all("akhbar Naskh" in f["font"] for f in found), found
    assert page.evaluate("() => document.fonts.check('16px \"akhbar Naskh\"', '\\u0639')")


def test_no_network_requests_and_no_errors(browser_page: dict[str, Any]) -> None:
    requests = [u for u in browser_page["requests"] if not u.startswith("data:")]
    assert requests == [browser_page["url"]], requests
    assert browser_page["failed"] == []
    assert browser_page["errors"] == []
    problems = [m for m in browser_page["console"] if m.startswith(("error", "warning"))]
    assert problems == [], problems


def test_entity_and_place_charts_show_arabic_labels(browser_page: dict[str, Any]) -> None:
    page = browser_page["page"]
    for chart in ("#chart-top-entities", "#chart-top-places"):
        labels = page.evaluate(
            f"""() => Array.from(document.querySelectorAll('{chart} svg text'))
                .map(t => t.textContent).filter(t => /{ARABIC_RE}/.test(t))"""
        )
        assert labels, chart


def test_screenshot_was_written(browser_page: dict[str, Any]) -> None:
    data = SCREENSHOT.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    assert width == 1280 and height > 1500, (width, height)
