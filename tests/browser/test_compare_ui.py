"""Comparing practices in Chromium: desktop and phone, with and without JavaScript, axe-core, print,
and the ways to it from the shortlist."""
from __future__ import annotations

import re

import pytest

FOUR = ["uravalmennus-ohjaamossa", "tyoelamalahtoinen-suomen-kielen-koulutus", "tyollisyysviikko",
        "maahanmuuttajaromanien-ohjaus-ja-tyovalmiusvalmennus"]
COMPARE = "/compare?ids=" + ",".join(FOUR)
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:5]) for v in violations)


def _columns(page) -> list[str]:  # noqa: ANN001
    return [h.get_attribute("id").removeprefix("col-") for h in page.locator("table.compare thead th[scope=col]").all()]


def _page_overflow(page) -> int:  # noqa: ANN001
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_compare_page_at_both_widths_with_and_without_javascript(new_context, shot, size, javascript):
    page = new_context(viewport=VIEWPORTS[size], java_script_enabled=javascript).new_page()
    page.goto(COMPARE)
    assert _columns(page) == FOUR
    assert page.locator("table.compare tbody th[scope=row]").count() >= 8
    assert _page_overflow(page) <= 0, "the page itself never scrolls sideways; the table's region does"
    region = page.locator(".compare-scroll")
    wide = region.evaluate("el => el.scrollWidth > el.clientWidth")
    if size == "desktop":
        assert not wide, "four columns fit a desktop window"
        assert not page.locator(".compare-scroll-hint").is_visible()
    else:
        assert wide and page.locator(".compare-scroll-hint").is_visible()
        # The row headers stay in view while the practices scroll past them.
        header = page.locator("table.compare tbody th[scope=row]").first
        before = header.bounding_box()
        region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        after = header.bounding_box()
        assert after["x"] == pytest.approx(before["x"], abs=1) and header.is_visible()
        last = page.locator("table.compare thead th[scope=col]").last
        assert last.bounding_box()["x"] < VIEWPORTS[size]["width"], "the last practice scrolled into view"
    shot(page, f"compare-{size}-{'js' if javascript else 'nojs'}-fi")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_axe_finds_no_violations_on_the_compare_page(new_context, axe, shot, size, lang):
    page = new_context(viewport=VIEWPORTS[size]).new_page()
    page.goto(f"{COMPARE}&ui={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    violations = axe(page)
    if lang != "fi":
        shot(page, f"compare-{size}-{lang}")
    assert not violations, f"compare ({size}, {lang}):\n{_describe(violations)}"


@pytest.mark.parametrize("query", ["", "?ids=uravalmennus-ohjaamossa", "?ids=" + ",".join(FOUR + ["tyollisyysviikko",
                                   "valjvouhka", "mestari-kisalli-koulutusmalli"])])
def test_axe_on_the_help_page_and_the_one_with_a_notice(page, axe, shot, query):
    page.goto(f"/compare{query}")
    violations = axe(page)
    shot(page, "compare-help-fi" if len(query) < 40 else "compare-more-than-four-fi")
    assert not violations, _describe(violations)


def test_reflow_at_320_css_pixels(new_context, shot):
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    page.goto(COMPARE)
    shot(page, "narrow-compare-fi")
    assert _page_overflow(page) <= 0


def test_the_table_region_scrolls_with_the_keyboard(new_context):
    page = new_context(viewport=VIEWPORTS["phone"]).new_page()
    page.goto(COMPARE)
    region = page.locator(".compare-scroll")
    region.focus()
    assert region.evaluate("el => el === document.activeElement")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    page.wait_for_function("() => document.querySelector('.compare-scroll').scrollLeft > 0")


def test_the_printout_is_landscape_a4_without_menus(page, shot, tmp_path):
    page.goto(COMPARE)
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator("button.sl-toggle").first.is_visible()
    assert not page.locator(".share").is_visible()
    assert page.locator("table.compare").is_visible()
    assert page.locator("table.compare .print-only").first.is_visible(), "each printed column has its address"
    shot(page, "print-compare-fi")
    pdf = page.pdf(prefer_css_page_size=True)
    sizes = {tuple(round(float(n)) for n in m) for m in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
    assert sizes == {(842, 595)}, f"A4 landscape pages in points, got {sizes}"
    # Every column fits the page's width: nothing printed is cut off at the right.
    width = page.evaluate("document.documentElement.clientWidth")
    right = page.evaluate("Math.max(...[...document.querySelectorAll('table.compare th, table.compare td')]"
                          ".map(c => c.getBoundingClientRect().right))")
    assert right <= width + 1


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_from_the_shortlist_to_the_comparison(new_context, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto("/?q=nuoret")
    buttons = page.locator("button.sl-toggle")
    chosen = []
    for i in range(2):
        button = page.locator("button.sl-toggle:not(.listed)").first if javascript else buttons.nth(i)
        chosen.append(button.get_attribute("value"))
        button.click()
        if javascript:
            page.wait_for_function("n => document.getElementById('shortlist-count').textContent.trim() === String(n)",
                                   arg=i + 1)
        else:
            page.wait_for_url(re.compile(r"#r-"))
    page.goto("/shortlist")
    page.get_by_role("link", name="Vertaile näitä 2 käytäntöä rinnakkain").click()
    page.wait_for_url(re.compile(r"/compare\?ids="))
    assert _columns(page) == chosen
    # The shared address shows the same comparison to another person.
    link = page.locator("#share-url").input_value()
    other = new_context(java_script_enabled=javascript).new_page()
    other.goto(link)
    assert _columns(other) == chosen


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_long_shortlist_lets_the_visitor_tick_practices_to_compare(new_context, shot, javascript):
    five = FOUR + ["valjvouhka"]
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto("/shortlist?ids=" + ",".join(five))
    page.locator(f'input[name="ids"][value="{five[4]}"]').check()
    page.locator(f'input[name="ids"][value="{five[1]}"]').check()
    shot(page, f"shortlist-pick-to-compare-{'js' if javascript else 'nojs'}-fi")
    page.get_by_role("button", name="Vertaile valittuja käytäntöjä").click()
    page.wait_for_url(re.compile(r"/compare\?"))
    assert _columns(page) == [five[1], five[4]], "in the list's order"
    assert page.locator("html").get_attribute("lang") == "fi"


def test_back_from_a_practice_returns_to_the_comparison(page):
    page.goto(COMPARE)
    page.locator("table.compare thead th a").nth(2).click()
    page.wait_for_url(re.compile(r"/practice/tyollisyysviikko"))
    page.get_by_role("link", name="Takaisin vertailuun").click()
    page.wait_for_url(re.compile(r"/compare\?ids="))
    assert _columns(page) == FOUR


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_from_the_search_results_to_the_comparison(new_context, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto("/?q=nuoret")
    boxes = page.locator('input[type="checkbox"][form="compare-form"][name="ids"]')
    chosen = [boxes.nth(i).get_attribute("value") for i in (0, 2)]
    for slug in chosen:
        page.locator(f'input[form="compare-form"][value="{slug}"]').check()
    page.locator("#compare-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/compare\?ids="))
    assert _columns(page) == chosen
