"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import functools
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.tracking.test_alerts import receiver  # noqa: F401 - the local webhook receiver fixture

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-results"
# npm's axe-core, installed by bin/ensure-browser.sh (run by `make test`).
AXE = Path(os.environ.get("AXE_CORE_PATH") or ROOT / ".cache/npm-axe/node_modules/axe-core/axe.min.js")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

VIEWPORTS = {
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: run bin/ensure-browser.sh (apt-get install chromium)"
        if os.environ.get("STRETCH_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-quic",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def open_page(request, browser, live_server):
    """Opens a page in a fresh browser context: `open_page("phone", locale="zh-CN")` (other options
    go to `browser.new_context`, e.g. `java_script_enabled=False`). Each page
    fails the test on any console error (a CSP violation, a missing static file, a script error)
    and leaves a full-page screenshot in test-results/ named after the test."""
    opened: list[tuple] = []

    def open_(viewport: str, *, locale: str = "en-US", **options):
        context = browser.new_context(
            base_url=live_server.url, locale=locale, **VIEWPORTS[viewport], **options
        )
        page = context.new_page()
        page.viewport_name = viewport
        errors: list[str] = []

        def on_console(msg) -> None:
            # A 400 is how a form with bad input answers (shown in place); anything else is a defect.
            if msg.type == "error" and "status of 400" not in msg.text:
                errors.append(msg.text)

        page.on("console", on_console)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        opened.append((context, page, errors))
        return page

    yield open_
    ARTIFACTS.mkdir(exist_ok=True)
    for number, (context, page, errors) in enumerate(opened):
        suffix = f"-{number}" if number else ""
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}{suffix}.png"), full_page=True)
        context.close()
        assert not errors, f"browser console errors: {errors}"


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def page(request, open_page):
    """A fresh page per test and viewport (see open_page)."""
    return open_page(request.param)


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


_AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
  }));
}"""


_SETTLED = """() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')
  && document.getAnimations().every(a => a.playState !== 'running')"""


def assert_accessible(page) -> None:
    """Runs axe-core's WCAG 2.1 A and AA rules on the page as it is now and fails with a readable
    list of the violations (rule, impact, the elements and what is wrong with them)."""
    if not AXE.exists():
        message = f"axe-core not found at {AXE}: run bin/ensure-browser.sh (npm install axe-core@4)"
        if os.environ.get("STRETCH_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    page.wait_for_load_state()
    # A page still answering an htmx request is faded (.htmx-request has opacity .6) and fades
    # back over .2 s: axe would measure the faded colours. Check the page a person reads once it
    # has settled.
    page.wait_for_function(_SETTLED)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated rather than added as a <script>: the Content-Security-Policy forbids inline scripts.
        page.evaluate(_axe_source())
    violations = page.evaluate(_AXE_RUN, WCAG_21_AA)
    if violations:
        where = getattr(page, "viewport_name", None) or "{width}×{height}".format(**page.viewport_size)
        lines = [f"{len(violations)} accessibility violation(s) on {page.url} ({where}):"]
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            for node in v["nodes"][:5]:
                summary = " ".join((node["summary"] or "").split())
                lines.append(f"    {node['target']}: {summary}")
                lines.append(f"      {node['html'][:160]}")
            if len(v["nodes"]) > 5:
                lines.append(f"    … and {len(v['nodes']) - 5} more")
        pytest.fail("\n".join(lines), pytrace=False)


# Every visible table cell of text (not one that holds a form): how many lines its text takes.
_CELL_LINES = """() => [...document.querySelectorAll('th, td')]
  .filter(c => c.checkVisibility() && c.innerText.trim() && !c.querySelector('input:not([type=hidden]), select, textarea, button, meter'))
  .map(c => {
    const rows = new Set();
    const walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement.checkVisibility() || !node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) if (r.width > 0) rows.add(Math.round(r.top));
    }
    return {text: c.innerText.trim().replace(/\\s+/g, ' ').slice(0, 60), lines: rows.size};
  })"""


def assert_nothing_squeezed(page) -> None:
    """No table cell is squeezed into a column so narrow that its text wraps a character or two
    per line (a CJK word in a narrow column breaks between any two of its characters: 团/队)."""
    squeezed = []
    for cell in page.evaluate(_CELL_LINES):
        chars, lines = len(cell["text"].replace(" ", "")), cell["lines"]
        if lines >= 2 and chars / lines < 2 or lines >= 3 and chars / lines < 3:
            squeezed.append(cell)
    where = getattr(page, "viewport_name", None) or "{width}×{height}".format(**page.viewport_size)
    assert not squeezed, f"cells wrap a character or two per line on {page.url} ({where}): {squeezed}"


_RAW = {
    "None": re.compile(r"\bNone\b"),
    "a raw decimal (.0000)": re.compile(r"\d\.\d{4,}\b"),
    "an ISO date-time": re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),
    "a template variable": re.compile(r"\{\{|\{%|%\(\w+\)s"),
}


def assert_no_raw_values(page) -> None:
    """The visible text shows no raw value a person would not write: None, 12125.0000, an ISO
    date-time, or a template placeholder left unfilled."""
    text = page.locator("body").inner_text()
    found = {name: pattern.findall(text)[:3] for name, pattern in _RAW.items() if pattern.search(text)}
    assert not found, f"raw values on {page.url}: {found}"


def pick_person(box, name: str) -> None:
    """Choose `name` in a person picker (teams.people_picker) with the keyboard: type it into the
    combobox, wait for the matches, move to the one with that name with the arrow keys, press Enter."""
    from playwright.sync_api import expect

    box.click()
    box.fill(name)
    listbox = box.page.locator(f"#{box.get_attribute('aria-controls')}")
    options = listbox.locator("[role='option']:not([aria-disabled='true'])")
    expect(options.filter(has_text=name).first).to_be_visible()
    expect(options.filter(has_not_text=name)).to_have_count(0)  # the matches of `name`, not an older list
    expect(box).to_have_attribute("aria-expanded", "true")
    target = listbox.locator(f"[role='option'][data-label='{name}']").first
    target_id = target.get_attribute("id")
    for _ in range(options.count()):
        box.press("ArrowDown")
        if box.get_attribute("aria-activedescendant") == target_id:
            break
    assert box.get_attribute("aria-activedescendant") == target_id, f"{name} never became the active option"
    box.press("Enter")
    expect(box).to_have_value(name)
    expect(box).to_have_attribute("aria-expanded", "false")
    hidden = box.locator("xpath=preceding-sibling::input[@data-picker-value]")
    assert hidden.input_value() == target.get_attribute("data-value")


def add_person(box, name: str) -> None:
    """Add `name` to a picker of several people (widgets/people_picker.html) with the keyboard: type
    it, arrow to the match with that name, press Enter; it becomes a chip and the box empties."""
    from playwright.sync_api import expect

    box.click()
    box.fill(name)
    listbox = box.page.locator(f"#{box.get_attribute('aria-controls')}")
    options = listbox.locator("[role='option']:not([aria-disabled='true'])")
    expect(options.filter(has_text=name).first).to_be_visible()
    expect(options.filter(has_not_text=name)).to_have_count(0)
    target = listbox.locator(f"[role='option'][data-label='{name}']").first
    target_id = target.get_attribute("id")
    value = target.get_attribute("data-value")
    for _ in range(options.count()):
        box.press("ArrowDown")
        if box.get_attribute("aria-activedescendant") == target_id:
            break
    assert box.get_attribute("aria-activedescendant") == target_id, f"{name} never became the active option"
    box.press("Enter")
    expect(box).to_have_value("")
    chip = box.locator(f"xpath=preceding-sibling::ul[@data-picker-chips]/li[@data-chip='{value}']")
    expect(chip).to_contain_text(name)
