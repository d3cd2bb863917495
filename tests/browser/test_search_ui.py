"""Search as a person uses it in Chromium: language switch, with and without JavaScript, Back, export."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from app.content.vocabularies import load_vocabularies

ROOT = Path(__file__).resolve().parents[2]
VOCAB = load_vocabularies(ROOT / "content" / "vocabularies")


def _total(page) -> int:  # noqa: ANN001
    return int(page.locator("#search-body").get_attribute("data-total"))


def _api(page, query: str) -> dict:  # noqa: ANN001
    response = page.request.get(f"/api/search?{query}")
    assert response.ok
    return response.json()


def _all_ids(page, query: str) -> list[str]:  # noqa: ANN001
    ids, number = [], 1
    while True:
        data = _api(page, f"{query}&per_page=100&page={number}")
        ids += [r["id"] for r in data["results"]]
        if number >= data["pages"]:
            return ids
        number += 1


def test_language_switch_keeps_the_search(page):
    page.goto("/?q=nuoret&region=Pohjois-Karjala")
    assert page.locator("html").get_attribute("lang") == "fi"
    before = _total(page)
    assert before > 0
    for lang, name in (("sv", "På svenska"), ("en", "In English")):
        page.get_by_role("link", name=name).click()
        page.wait_for_url(re.compile(rf"ui={lang}"))
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("#q").input_value() == "nuoret"
        assert page.locator('input[name="region"][value="Pohjois-Karjala"]').is_checked()
        assert _total(page) == before
        assert VOCAB.label("region", "Pohjois-Karjala", lang) in page.locator(".chips").inner_text()
    # The choice is remembered: the brand link leads to an English front page.
    page.locator(".brand").click()
    page.wait_for_url(lambda url: "q=" not in url)
    assert page.locator("html").get_attribute("lang") == "en"


def test_language_switch_on_a_practice_shows_its_translation(page):
    page.goto("/practice/uravalmennus-ohjaamossa?ui=fi")
    finnish = page.locator("h1").inner_text()
    page.get_by_role("link", name="På svenska").click()
    page.wait_for_url(re.compile("ui=sv"))
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("article").get_attribute("lang") == "sv"
    assert page.locator("h1").inner_text() != finnish


def test_untranslated_practice_is_shown_in_its_language_with_a_note(page):
    page.goto("/practice/tyollisyysviikko?ui=en")
    assert page.locator("article").get_attribute("lang") == "fi"
    note = page.locator("article .notice")
    assert note.get_attribute("lang") == "en" and "Finnish" in note.inner_text()


def test_search_and_filtering_work_without_javascript(nojs_page):
    page = nojs_page
    page.goto("/")
    page.fill("#q", "nuoret")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=nuoret"))
    assert _total(page) == _api(page, "q=nuoret")["total"] > 0
    assert page.locator("button.apply").is_visible(), "without JavaScript the filters are applied with a button"
    box = page.locator('input[type="checkbox"][name="region"]').first
    region = box.get_attribute("value")
    box.check()
    page.locator("button.apply").click()
    page.wait_for_url(re.compile(r"region="))
    assert page.locator("#q").input_value() == "nuoret"
    expected = _api(page, f"q=nuoret&region={region}")["total"]
    assert _total(page) == expected > 0
    label = VOCAB.label("region", region, "fi")
    for line in page.locator(".result .project").all_inner_texts():
        assert label in line


def test_filter_applies_at_once_and_back_button_restores(page):
    page.goto("/?q=nuoret")
    start = _total(page)
    page.evaluate("window.samePage = true")
    assert not page.locator("button.apply").is_visible(), "with JavaScript each change applies at once"
    box = page.locator('input[type="checkbox"][name="theme"]').first
    theme = box.get_attribute("value")
    box.check()
    page.wait_for_url(re.compile(r"theme="))
    page.wait_for_function("() => document.getElementById('live').textContent.trim().length > 0")
    assert page.evaluate("window.samePage === true"), "the results were swapped in, not a new page load"
    filtered = _total(page)
    assert filtered == _api(page, f"q=nuoret&theme={theme}")["total"]
    assert str(filtered) in page.locator("#live").inner_text(), "the new count is announced"
    page.go_back()
    page.wait_for_url(lambda url: "theme=" not in url)
    page.wait_for_function("n => document.getElementById('search-body').dataset.total === String(n)", arg=start)
    assert not page.locator(f'input[name="theme"][value="{theme}"]').is_checked()
    page.go_forward()
    page.wait_for_url(re.compile(r"theme="))
    page.wait_for_function("n => document.getElementById('search-body').dataset.total === String(n)", arg=filtered)
    assert page.locator(f'input[name="theme"][value="{theme}"]').is_checked()


@pytest.mark.parametrize("query", ["q=nuoret", "theme=kohti+ty%C3%B6t%C3%A4&sort=title", "region=Uusimaa&region=Lappi"])
def test_exported_csv_has_one_row_per_matching_practice(page, query):
    page.goto(f"/?{query}&per_page=5")
    total = _total(page)
    with page.expect_download() as download:
        page.locator(".downloads a", has_text="CSV").click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    assert len(rows) == total, "every matching practice, not just the five on the page"
    slugs = [row[-1].split("/practice/")[1].split("?")[0] for row in rows]
    assert sorted(slugs) == sorted(_all_ids(page, query))
    assert len(set(slugs)) == len(slugs)
