"""The practice page answers "what has worked?": facts, dates and sections, in three languages; old
addresses redirect; the API gives the same facts."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from app import create_app
from app.indexing import build
from conftest import TINY, make_content

BODY = """Ohjaamossa nuorille tarjotaan uravalmennusta.

## Perusajatus

Valmennus kulkee nuoren mukana.

## Tulokset ja arviointi

Noin 80 % valmennetuista työllistyi.

## Yhteystaho

Riveria.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    practices = dict(TINY)
    meta, _ = practices[("nuorten-uravalmennus", "fi")]
    practices[("nuorten-uravalmennus", "fi")] = ({
        **meta, "eura_code": "S20168", "started": "2015-01-01", "ended": "2018-07-31",
        "funding": {"total": 2499130, "esf": 1093749.5, "source": "https://kohesio.eu/en/projects/Q3757245"},
        "aliases": ["uravalmennus-ohjaamossa-2"]}, BODY)
    meta, body = practices[("polkuja-toihin", "fi")]
    practices[("polkuja-toihin", "fi")] = ({**meta, "eura_code": "S31234", "started": "2024-03-01"}, body)
    tmp = tmp_path_factory.mktemp("facts")
    content, root = make_content(tmp / "content", practices), tmp / "index"
    assert build(content, root, today=dt.date(2026, 11, 2)).ok
    return create_app({"TESTING": True, "INDEX_DIR": str(root), "CONTENT_DIR": str(content)}).test_client()


def _page(site, path):
    resp = site.get(path)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_the_facts_in_finnish(site):
    html = _page(site, "/practice/nuorten-uravalmennus?ui=fi")
    facts = html[html.index('<section class="facts"'):html.index("</section>", html.index('<section class="facts"'))]
    assert "<h2 id=\"facts-heading\">Hankkeen tiedot</h2>" in facts
    assert 'href="https://www.eura2014.fi/rrtiepa/projekti.php?projektikoodi=S20168"' in facts
    assert "1.1.2015–31.7.2018" in facts
    assert "kokonaisbudjetti 2\xa0499\xa0130\xa0€" in facts
    assert "ESR-rahoituksen osuus 1\xa0093\xa0749,50\xa0€ (43,8\xa0% kokonaisbudjetista)" in facts
    assert '<time datetime="2026-11-02">2.11.2026</time>' in facts
    assert '<a href="#section-results">Lue, mitä siitä seurasi</a>' in facts


@pytest.mark.parametrize("ui, expected", [
    ("sv", ["Fakta om projektet", "1 jan. 2015–31 juli 2018", "total budget 2\xa0499\xa0130\xa0€", "Senast ändrad"]),
    ("en", ["Project facts", "Jan 1, 2015 – Jul 31, 2018", "total budget €2,499,130", "ESF share €1,093,749.50 (43.8% "
                                                                                      "of the total)", "Last changed"]),
])
def test_the_facts_in_swedish_and_english(site, ui, expected):
    html = _page(site, f"/practice/nuorten-uravalmennus?ui={ui}")
    for text in expected:
        assert text in html, text


def test_contents_link_the_sections_and_the_results_stand_out(site):
    html = _page(site, "/practice/nuorten-uravalmennus?ui=en&lang=fi")  # the Finnish version follows the template
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S).group()
    assert [a for a in re.findall(r'href="#(section-[a-z-]+)"', toc)] == [
        "section-basic-idea", "section-results", "section-contact"]
    assert '<li class="toc-results"><a href="#section-results" lang="fi">Tulokset ja arviointi</a>' in toc
    for anchor in ("section-basic-idea", "section-results", "section-contact"):
        assert html.count(f'id="{anchor}"') == 1
    assert '<div class="part part-results"><h2 id="section-results">' in html


def test_free_text_has_no_contents_and_says_there_are_no_results_yet(site):
    html = _page(site, "/practice/kielikoulutus?ui=en")
    assert '<nav class="toc"' not in html and 'class="part' not in html
    assert "The description has no section on results and evaluation yet." in html
    assert "EURA project code" not in html and "Funding" not in html  # nothing invented


def test_a_2021_2027_code_points_to_the_eura_2021_service(site):
    html = _page(site, "/practice/polkuja-toihin?ui=en")
    assert "S31234" in html and "eura2014.fi" not in html
    assert 'href="https://eura2021.fi/hanketietopalvelu"' in html
    assert "from Mar 1, 2024" in html


def test_an_old_address_redirects_permanently_with_its_query(site):
    resp = site.get("/practice/uravalmennus-ohjaamossa-2?lang=sv&ui=en")
    assert resp.status_code == 301
    assert resp.headers["Location"].endswith("/practice/nuorten-uravalmennus?lang=sv&ui=en")
    assert site.get("/practice/uravalmennus-ohjaamossa-2", follow_redirects=True).status_code == 200
    assert site.get("/practice/ei-koskaan-ollut").status_code == 404


def test_the_api_redirects_an_old_slug_and_gives_the_facts(site):
    resp = site.get("/api/practice/uravalmennus-ohjaamossa-2?lang=fi")
    assert resp.status_code == 301 and resp.mimetype == "application/json"
    assert resp.headers["Location"].endswith("/api/practice/nuorten-uravalmennus?lang=fi")
    assert resp.get_json()["error"] == 301
    data = site.get("/api/practice/uravalmennus-ohjaamossa-2?lang=fi", follow_redirects=True).get_json()
    assert data["slug"] == "nuorten-uravalmennus"
    assert data["eura_code"] == "S20168" and data["eura_url"].endswith("projektikoodi=S20168")
    assert (data["started"], data["ended"]) == ("2015-01-01", "2018-07-31")
    assert data["funding"] == {"total": 2499130, "esf": 1093749.5, "source": "https://kohesio.eu/en/projects/Q3757245"}
    assert data["aliases"] == ["uravalmennus-ohjaamossa-2"]
    assert [s["key"] for s in data["sections"]] == ["basic-idea", "results", "contact"]
    assert data["published"] == data["updated"] == "2026-11-02"
    sv = site.get("/api/practice/nuorten-uravalmennus?lang=sv").get_json()
    assert sv["lang"] == "sv" and sv["eura_code"] == "S20168", "a translation inherits the project's facts"


def test_a_shortlist_with_an_old_slug_shows_the_practice(site):
    html = _page(site, "/shortlist?ids=uravalmennus-ohjaamossa-2,kielikoulutus")
    assert "/practice/nuorten-uravalmennus" in html and "/practice/kielikoulutus" in html


def test_the_openapi_description_names_the_new_fields_and_sort(site):
    doc = site.get("/api/openapi.json").get_json()
    practice = doc["components"]["schemas"]["Practice"]["properties"]
    assert {"eura_code", "eura_url", "started", "ended", "funding", "published", "updated", "aliases",
            "sections"} <= set(practice)
    sort = next(p for p in doc["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "sort")
    assert sort["schema"]["enum"] == ["relevance", "title", "newest"]
    assert "301" in doc["paths"]["/api/practice/{slug}"]["get"]["responses"]
    assert set(site.get("/api/practice/nuorten-uravalmennus").get_json()) == set(practice)
