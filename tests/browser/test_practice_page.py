"""The practice page in Chromium as a planner reads it: facts, dates and contents at desktop and phone
widths, with and without JavaScript; the results section one click away; axe-core finds nothing."""
from __future__ import annotations

import pytest

WITH_FACTS = "/practice/alkuvaiheen-kotoutumispalvelujen-kehittaminen"  # EURA code, duration, funding, sections
NEW_PERIOD = "/practice/jalkihuollon-palvelut-lapissa"  # 2021–2027: the EURA 2021 service, funding, no code
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"][:5]) for v in violations)


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("size", list(SIZES))
def test_facts_contents_and_the_results_one_click_away(new_context, shot, size, js):
    page = new_context(viewport=SIZES[size], java_script_enabled=js).new_page()
    page.goto(WITH_FACTS + "?ui=fi")
    facts = page.locator("section.facts")
    assert facts.is_visible()
    text = facts.inner_text()
    for expected in ("S20251", "1.1.2015–31.7.2018", "kokonaisbudjetti 2\u00a0499\u00a0130\u00a0€", "43,8\u00a0%",
                     "Julkaistu", "Päivitetty"):
        assert expected in text, expected
    assert facts.get_by_role("link", name="hankkeen virallinen kuvaus (EURA2014)").get_attribute("href") == \
        "https://www.eura2014.fi/rrtiepa/projekti.php?projektikoodi=S20251"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow} px too wide"
    toc = page.locator("nav.toc")
    assert [t.strip() for t in toc.locator("a").all_inner_texts()] == [
        "Perusajatus", "Kohderyhmä", "Toteutus", "Tulokset ja arviointi", "Resurssit", "Yhteystaho"]
    shot(page, f"practice-facts-{size}-{'js' if js else 'nojs'}")
    facts.get_by_role("link", name="Lue, mitä siitä seurasi").click()
    page.wait_for_url("**#section-results")
    heading = page.locator("#section-results")
    assert heading.inner_text() == "Tulokset ja arviointi"
    box = heading.bounding_box()
    assert box and 0 <= box["y"] < SIZES[size]["height"] / 2, "the results heading is at the top of the view"
    border = page.locator(".part-results").evaluate("el => getComputedStyle(el).borderTopStyle")
    assert border == "solid", "the results section is framed"


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
@pytest.mark.parametrize("path", [WITH_FACTS, NEW_PERIOD])
def test_axe_finds_no_violations_on_a_page_with_sections_and_facts(page, axe, shot, path, lang):
    page.goto(f"{path}?ui={lang}")
    assert page.locator("section.facts").is_visible() and page.locator("nav.toc").is_visible()
    violations = axe(page)
    shot(page, f"practice-{path.rsplit('/', 1)[1]}-{lang}")
    assert not violations, _describe(violations)


def test_a_2021_2027_practice_points_to_the_eura_2021_service(page):
    page.goto(NEW_PERIOD + "?ui=en")
    facts = page.locator("section.facts")
    assert "EURA project code" not in facts.inner_text(), "no code was found, none is shown"
    assert "Mar 1, 2024 – Feb 28, 2027" in facts.inner_text()
    assert "ESF share €233,273 (95.0% of the total)" in facts.inner_text()


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_newest_first_from_the_search_page(new_context, js):
    page = new_context(java_script_enabled=js).new_page()
    page.goto("/?ui=en")
    page.locator("p.sort").get_by_role("link", name="newest").click()
    page.wait_for_url("**sort=newest**")
    assert page.locator("p.sort strong").inner_text() == "newest"
    assert page.locator(".result").count() > 0
