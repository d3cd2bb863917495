"""Browser tests: the site on a real WSGI server at 127.0.0.1, driven by Debian's Chromium (Playwright).

They are skipped, with the reason said, only where /usr/bin/chromium is missing and CI is not set;
in CI a missing browser fails them. axe-core comes from npm (node_modules, 'make install').
"""
from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--disable-sync"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):  # noqa: ANN001
    skip = None
    if not CHROMIUM.exists() and not os.environ.get("CI"):
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install chromium); CI installs it and runs these")
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if skip:
                item.add_marker(skip)


class Server:
    """The app served by werkzeug's threaded WSGI server in a background thread."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.httpd = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="site-under-test", daemon=True)

    def __enter__(self) -> "Server":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def site(bundled_index) -> Iterator[str]:
    """Base URL of the site over the bundled content (not TESTING: errors render as a visitor sees them)."""
    from app import create_app

    app = create_app({"INDEX_DIR": str(bundled_index), "CONTENT_DIR": str(ROOT / "content"),
                      "SECRET_KEY": secrets.token_hex(16)})
    with Server(app) as server:
        # The first search loads the Finnish morphology; do it before any page waits for it.
        app.test_client().get("/?q=nuoret")
        yield server.url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)"
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        yield chromium
        chromium.close()


def _context(browser, site: str, **options):  # noqa: ANN001
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(base_url=site, locale="fi-FI", **options)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture()
def context(browser, site):  # noqa: ANN001
    ctx = _context(browser, site)
    yield ctx
    ctx.close()


@pytest.fixture()
def page(context):  # noqa: ANN001
    return context.new_page()


@pytest.fixture()
def nojs_page(browser, site):  # noqa: ANN001
    ctx = _context(browser, site, java_script_enabled=False)
    yield ctx.new_page()
    ctx.close()


@pytest.fixture()
def new_context(browser, site):  # noqa: ANN001
    """A factory of extra contexts (a second visitor, a narrow screen); all closed after the test."""
    made = []

    def make(**options):
        ctx = _context(browser, site, **options)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


def run_axe(page) -> list[dict]:  # noqa: ANN001
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now.

    The script is served by a route on the site's own origin, so it runs under the site's strict
    CSP (script-src 'self') without bypassing it: the checks see the page as visitors do.
    """
    assert AXE.exists(), f"{AXE} is missing: run 'npm ci' (make install does)"
    page.route("**/__axe__/axe.min.js",
               lambda route: route.fulfill(path=str(AXE), content_type="application/javascript; charset=utf-8"))
    origin = page.url.split("/", 3)
    page.add_script_tag(url=f"{origin[0]}//{origin[2]}/__axe__/axe.min.js")
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
        }""",
        AXE_TAGS,
    )


def screenshot(page, name: str, full_page: bool = True) -> Path:  # noqa: ANN001
    """Save a screenshot for a person to look at (tests/artifacts/screenshots, git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture()
def axe():
    return run_axe


@pytest.fixture()
def shot():
    return screenshot
