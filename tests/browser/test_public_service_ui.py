"""A public service's information in Chromium (issue 12), on a desktop (1280×900) and a phone
(390×844), with and without JavaScript: the privacy statement and a practice page read well and pass
axe-core, a demonstration installation says what it is, looking at pages sets no cookie while the
shortlist still works, and the sitemap, robots.txt and a citable shortlist are there."""
from __future__ import annotations

import re
import secrets
from pathlib import Path
from urllib.parse import unquote

import pytest

from .conftest import ROOT, Server

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
PRACTICE = "/practice/uravalmennus-ohjaamossa"
PUBLIC = {"PUBLISHER": "Esimerkkiministeriö", "CONTACT_EMAIL": "kaytantopankki@esimerkki.fi",
          "FEEDBACK_URL": "https://palaute.esimerkki.fi/kaytantopankki?sivu={url}"}


@pytest.fixture(scope="module")
def public_site(bundled_index):
    """The site as a publisher runs it: publisher, contact and feedback form set."""
    from app import create_app

    app = create_app({"INDEX_DIR": str(bundled_index), "CONTENT_DIR": str(ROOT / "content"),
                      "SECRET_KEY": secrets.token_hex(16), **PUBLIC})
    with Server(app) as server:
        yield server.url


def _overflow(page) -> int:  # noqa: ANN001
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:5]) for v in violations)


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang, heading", [("fi", "Tietosuoja ja evästeet"), ("en", "Privacy and cookies")])
def test_the_privacy_statement(new_context, axe, shot, size, js, lang, heading):
    context = new_context(viewport=SIZES[size], java_script_enabled=js)
    page = context.new_page()
    page.goto(f"/?ui={lang}")  # the choice of language is the visitor's: it may set the cookie
    page.locator(".site-footer").get_by_role("link", name=heading).click()
    page.wait_for_url(re.compile(r"/privacy$"))
    assert page.locator("h1").inner_text() == heading
    assert page.locator("#demo-notice").is_visible(), "a demonstration installation says so on every page"
    assert page.locator("main code", has_text="session").first.is_visible()
    assert _overflow(page) <= 0, f"{_overflow(page)} px too wide"
    shot(page, f"privacy-{lang}-{size}-{'js' if js else 'nojs'}")
    if js:  # axe-core is a script: it runs where scripts do
        violations = axe(page)
        assert not violations, _describe(violations)


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("size", list(SIZES))
def test_a_practice_page_states_its_terms_and_how_to_report_an_error(new_context, axe, shot, size, js):
    page = new_context(viewport=SIZES[size], java_script_enabled=js).new_page()
    page.goto(PRACTICE)
    terms = page.locator(".practice-terms")
    assert terms.is_visible() and terms.get_by_role("link", name="CC BY 4.0").is_visible()
    assert "esittelyasennuksesta" in terms.inner_text(), "no feedback address: said instead of a dead link"
    assert page.locator(".site-footer").get_by_role("link", name="CC BY 4.0").is_visible()
    assert _overflow(page) <= 0
    shot(page, f"practice-terms-demo-{size}-{'js' if js else 'nojs'}")
    if js:
        violations = axe(page)
        assert not violations, _describe(violations)


@pytest.mark.parametrize("size", list(SIZES))
def test_a_public_installation_names_its_publisher_and_takes_error_reports(browser, public_site, axe, shot, size):
    context = browser.new_context(base_url=public_site, locale="fi-FI", viewport=SIZES[size])
    try:
        page = context.new_page()
        page.goto(PRACTICE + "?ui=fi")
        assert page.locator("#demo-notice").count() == 0
        footer = page.locator(".site-footer")
        assert "Julkaisija: Esimerkkiministeriö." in footer.inner_text()
        assert footer.get_by_role("link", name="kaytantopankki@esimerkki.fi").get_attribute("href") == \
            "mailto:kaytantopankki@esimerkki.fi"
        report = page.get_by_role("link", name="Ilmoita virheestä tällä sivulla")
        href = report.get_attribute("href")
        assert href.startswith("https://palaute.esimerkki.fi/kaytantopankki?sivu=")
        assert unquote(href.split("sivu=", 1)[1]) == f"{public_site}{PRACTICE}?lang=fi"
        violations = axe(page)
        shot(page, f"practice-terms-public-{size}")
        assert not violations, _describe(violations)
        page.goto("/privacy")
        assert "Esimerkkiministeriö, joka on tässä kuvattujen henkilötietojen rekisterinpitäjä" in page.locator("main").inner_text()
        violations = axe(page)
        assert not violations, _describe(violations)
    finally:
        context.close()


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_looking_sets_no_cookie_and_the_shortlist_still_works(new_context, js):
    context = new_context(java_script_enabled=js, viewport=SIZES["phone"])
    page = context.new_page()
    for path in ("/", "/?q=nuoret", PRACTICE, "/shortlist", "/privacy", "/accessibility"):
        page.goto(path)
    assert context.cookies() == [], "no cookie for looking"
    page.goto("/?q=nuoret")
    button = page.locator("button.sl-toggle").first
    slug = button.get_attribute("value")
    button.click()
    if js:
        page.wait_for_function("() => document.getElementById('shortlist-count').textContent.trim() === '1'")
    else:
        page.wait_for_url(re.compile(rf"#r-{slug}$"))
    assert [c["name"] for c in context.cookies()] == ["session"], "the shortlist is the visitor's act"
    page.goto("/shortlist")
    assert page.locator("table.shortlist tbody tr").count() == 1


def test_two_tabs_opened_before_the_cookie_both_add(new_context):
    """Pages loaded before the session existed carry different fresh tokens: both are taken."""
    context = new_context()
    first, second = context.new_page(), context.new_page()
    first.goto("/?q=nuoret")
    second.goto(PRACTICE)
    first.locator("button.sl-toggle").first.click()
    first.wait_for_function("() => document.getElementById('shortlist-count').textContent.trim() === '1'")
    second.locator(".practice-tools button.sl-toggle").click()
    second.wait_for_function("() => document.getElementById('shortlist-count').textContent.trim() === '2'")
    second.goto("/shortlist")
    assert second.locator("table.shortlist tbody tr").count() == 2


def test_search_engines_find_the_sitemap_and_the_practices(page):
    robots = page.request.get("/robots.txt")
    assert robots.ok
    sitemap_line = next(line for line in robots.text().splitlines() if line.startswith("Sitemap: "))
    sitemap = page.request.get(sitemap_line.split(": ", 1)[1])
    assert sitemap.ok and sitemap.headers["content-type"].startswith("application/xml")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap.text())
    practices = [loc for loc in locs if "/practice/" in loc]
    assert practices and all(loc.startswith("http") for loc in locs)
    page.goto(practices[0].replace("&amp;", "&"))
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    assert canonical == practices[0].replace("&amp;", "&")
    assert page.locator('script[type="application/ld+json"]').count() == 1


def test_the_shortlist_downloads_can_be_cited(page, tmp_path: Path):
    page.goto("/?q=nuoret")
    for n in (1, 2):
        page.locator("button.sl-toggle:not(.listed)").first.click()
        page.wait_for_function("n => document.getElementById('shortlist-count').textContent.trim() === String(n)", arg=n)
    page.goto("/shortlist")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Markdown")).click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    citations = [line for line in text.splitlines() if re.match(r"\d+\. ", line)]
    assert len(citations) == 2 and all("/practice/" in c and "(viitattu " in c for c in citations)
    assert "CC BY 4.0" in text
