"""Ways back in Chromium (issue 12): the language switch keeps a filter just chosen with JavaScript,
and a practice page leads back to the search it was opened from, with and without JavaScript."""
from __future__ import annotations

import re

import pytest

from app.content.vocabularies import load_vocabularies

from .conftest import ROOT

VOCAB = load_vocabularies(ROOT / "content" / "vocabularies")


def _total(page) -> int:  # noqa: ANN001
    return int(page.locator("#search-body").get_attribute("data-total"))


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_language_switch_keeps_a_facet_chosen_with_javascript(new_context, viewport):
    page = new_context(viewport=viewport).new_page()
    page.goto("/?q=nuoret")
    page.evaluate("window.samePage = true")
    panel = page.locator(".filter-panel")
    if not panel.evaluate("el => el.open"):
        page.locator(".filter-panel > summary").click()  # closed on a phone
    page.locator('input[name="region"][value="Etelä-Savo"]').check()
    page.wait_for_url(re.compile(r"region=Etel"))
    page.wait_for_function("() => document.getElementById('live').textContent.trim().length > 0")
    assert page.evaluate("window.samePage === true"), "the filter was applied by the script"
    filtered = _total(page)
    page.get_by_role("link", name="På svenska").click()
    page.wait_for_url(re.compile(r"ui=sv"))
    assert page.locator("html").get_attribute("lang") == "sv"
    assert "region=Etel" in page.url and "q=nuoret" in page.url
    assert page.locator('input[name="region"][value="Etelä-Savo"]').is_checked()
    assert _total(page) == filtered
    assert VOCAB.label("region", "Etelä-Savo", "sv") in page.locator(".chips").inner_text()


def test_language_switch_after_back_in_the_history_keeps_that_search(page):
    page.goto("/?q=nuoret")
    page.locator('input[name="region"][value="Etelä-Savo"]').check()
    page.wait_for_url(re.compile(r"region=Etel"))
    page.go_back()
    page.wait_for_url(lambda url: "region=" not in url)
    page.wait_for_function("() => !document.querySelector('input[name=\"region\"][value=\"Etelä-Savo\"]').checked")
    page.get_by_role("link", name="In English").click()
    page.wait_for_url(re.compile(r"ui=en"))
    assert "region=" not in page.url and "q=nuoret" in page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_back_to_search_returns_to_the_search_with_its_filters(new_context, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto("/?q=nuoret&region=Pohjois-Karjala")
    titles = page.locator(".result h3 a").all_inner_texts()
    page.locator(".result h3 a").first.click()
    page.wait_for_url(re.compile(r"/practice/"))
    page.get_by_role("link", name="Takaisin hakuun").click()
    page.wait_for_url(re.compile(r"/\?"))
    assert page.locator("#q").input_value() == "nuoret"
    assert page.locator('input[name="region"][value="Pohjois-Karjala"]').is_checked()
    assert page.locator(".result h3 a").all_inner_texts() == titles
