"""The shortlist in Chromium: it survives a reload, with or without JavaScript, and its link reproduces it."""
from __future__ import annotations

import re


def _count(page) -> str:  # noqa: ANN001
    return page.locator("#shortlist-count").inner_text().strip()


def _rows(page) -> list[str]:  # noqa: ANN001
    return [row.get_attribute("id").removeprefix("r-") for row in page.locator("table.shortlist tbody tr").all()]


def test_shortlist_survives_reload_and_its_link_reproduces_it(page, new_context):
    page.goto("/?q=nuoret")
    buttons = page.locator("button.sl-toggle")
    chosen = [buttons.nth(i).get_attribute("value") for i in (0, 2)]
    for n, i in enumerate((0, 2), start=1):
        buttons.nth(i).click()
        page.wait_for_function("n => document.getElementById('shortlist-count').textContent.trim() === String(n)", arg=n)
    assert "listed" in buttons.nth(0).get_attribute("class")
    page.reload()
    assert _count(page) == "2"
    for slug in chosen:
        assert "listed" in page.locator(f'button.sl-toggle[value="{slug}"]').get_attribute("class")
    page.goto("/shortlist")
    assert _rows(page) == chosen
    link = page.locator("#share-url").input_value()
    assert link.startswith("http") and "ids=" in link

    other = new_context().new_page()  # another person, with no cookies of ours
    other.goto(link)
    assert _rows(other) == chosen
    assert _count(other) == "0", "a shared list is shown, not silently made theirs"
    other.locator("form[action$='/shortlist/save'] button").click()
    other.wait_for_url(re.compile(r"/shortlist$"))
    assert _rows(other) == chosen and _count(other) == "2"


def test_shortlist_without_javascript(nojs_page):
    page = nojs_page
    page.goto("/?q=nuoret")
    button = page.locator("button.sl-toggle").first
    slug = button.get_attribute("value")
    button.click()
    page.wait_for_url(re.compile(rf"#r-{slug}$"))
    assert _count(page) == "1"
    assert "listed" in page.locator(f'button.sl-toggle[value="{slug}"]').get_attribute("class")
    page.reload()
    assert _count(page) == "1"
    page.goto("/shortlist")
    assert _rows(page) == [slug]
    page.locator("button.sl-remove").click()
    page.wait_for_url(re.compile(r"/shortlist"))
    assert _rows(page) == [] and _count(page) == "0"
