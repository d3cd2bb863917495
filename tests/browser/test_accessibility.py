"""WCAG 2.1 A/AA in a real browser: axe-core on every kind of page in three languages, keyboard use,
reflow at 320 CSS px (400 % zoom) and print styles."""
from __future__ import annotations

import pytest

LANGS = ("fi", "sv", "en")
PAGES = {
    "front": "/",
    "results": "/?q=nuoret",
    "zero-results": "/?q=zzqx",
    "filtered": "/?region=Pohjois-Karjala&theme=kohti+ty%C3%B6t%C3%A4",
    "practice": "/practice/uravalmennus-ohjaamossa",
    "practice-untranslated": "/practice/tyollisyysviikko",
    "shortlist": "/shortlist",
    "statement": "/accessibility",
    "privacy": "/privacy",
}
# Screenshots cost time: every page in Finnish, these also in Swedish and English.
SHOWN_IN_EVERY_LANGUAGE = ("front", "practice-untranslated", "shortlist")


def _with_ui(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}ui={lang}"


def _fill_shortlist(page, lang: str, how_many: int = 2) -> list[str]:  # noqa: ANN001
    """Add the first results to the shortlist with the page's own buttons; their slugs."""
    page.goto(_with_ui("/", lang))
    buttons = page.locator("button.sl-toggle")
    slugs = []
    for i in range(how_many):
        button = buttons.nth(i)
        slugs.append(button.get_attribute("value"))
        button.click()
        page.wait_for_function("n => document.getElementById('shortlist-count').textContent.trim() === String(n)", arg=i + 1)
    return slugs


def _describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:5]) for v in violations)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_wcag21_aa_violations(page, axe, shot, name, lang):
    if name == "shortlist":
        _fill_shortlist(page, lang)
    page.goto(_with_ui(PAGES[name], lang))
    assert page.locator("html").get_attribute("lang") == lang
    if name == "zero-results":
        assert page.locator(".no-results").is_visible()
    if name in ("results", "filtered"):
        assert page.locator(".result").count() > 0
    if name == "shortlist":
        assert page.locator("table.shortlist tbody tr").count() == 2
    violations = axe(page)
    if lang == "fi" or name in SHOWN_IN_EVERY_LANGUAGE:
        shot(page, f"{name}-{lang}")
    assert not violations, f"{name} ({lang}):\n{_describe(violations)}"


def test_overview_with_filters_and_details_open_has_no_violations(page, axe, shot):
    """The region table behind the disclosure is checked too, with a selected region and theme."""
    page.goto("/?region=Uusimaa&axis=TL+3&ui=fi")
    page.locator(".map-table summary").click()
    assert page.locator(".map-table table").is_visible()
    violations = axe(page)
    shot(page, "front-filtered-table-open-fi")
    assert not violations, _describe(violations)


def test_keyboard_skip_link_focus_and_filter(page):
    page.goto("/?q=nuoret")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is on screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Tab on to the first filter and tick it with the space bar: the results change, focus stays on it.
    first = page.locator('input[type="checkbox"][form="search-form"]').first
    name, value = first.get_attribute("name"), first.get_attribute("value")
    first.focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), "focus is visible"
    page.keyboard.press("Space")
    page.wait_for_url(lambda url: f"{name}=" in url)
    focused = page.evaluate("[document.activeElement.name, document.activeElement.value, document.activeElement.checked]")
    assert focused == [name, value, True]


@pytest.mark.parametrize("name", ["front", "results", "practice", "shortlist", "statement", "privacy"])
def test_reflow_at_320_css_pixels_needs_no_horizontal_scrolling(new_context, shot, name):
    """WCAG 1.4.10: 1280 px at 400 % zoom is 320 CSS px; nothing may need scrolling sideways."""
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    if name == "shortlist":
        _fill_shortlist(page, "fi")
    page.goto(PAGES[name])
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    shot(page, f"narrow-{name}-fi")
    assert overflow <= 0, f"{name} is {overflow} px too wide at 320 px"


def test_print_styles_leave_out_navigation_and_buttons(page, shot):
    _fill_shortlist(page, "fi", how_many=1)
    page.goto("/practice/uravalmennus-ohjaamossa")
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator("button.sl-toggle").is_visible()
    assert page.locator("article.practice h1").is_visible()
    assert page.locator(".print-only").first.is_visible(), "the printout says where the practice is online"
    shot(page, "print-practice-fi")
    page.goto("/shortlist")
    assert not page.locator("button.sl-remove").first.is_visible()
    assert not page.locator(".share").is_visible()
    assert page.locator("table.shortlist .print-only").first.is_visible(), "each printed row has its address"
    shot(page, "print-shortlist-fi")


def test_the_axe_check_does_find_violations(page, axe):
    """The harness is not vacuous: an image without alternative text and pale text are reported."""
    page.goto("/accessibility")
    page.evaluate("""() => {
        const img = document.createElement('img'); img.src = '/static/none.png'; document.querySelector('main').append(img);
        const p = document.createElement('p'); p.textContent = 'pale text'; p.className = 'hint';
        document.querySelector('main').append(p);
        document.querySelector('main p').setAttribute('lang', 'zz-not-a-language');
    }""")
    found = {v["id"] for v in axe(page)}
    assert {"image-alt", "valid-lang"} <= found
