"""Filter values in URLs: any spelling the content accepts means the known value, and an export or
feed never drops an unknown one silently (issue 12: /export.csv?region=pohjois-karjala exported all)."""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest

ATOM = "{http://www.w3.org/2005/Atom}"


def _slugs_of_csv(data: bytes) -> list[str]:
    _header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return sorted(r[-1].split("/practice/")[1].split("?")[0] for r in rows)


def _api(client, query: str) -> dict:  # noqa: ANN001
    return client.get(f"/api/search?per_page=100&{query}").get_json()


@pytest.mark.parametrize("facet, spelling, value", [
    ("region", "pohjois-karjala", "Pohjois-Karjala"),
    ("region", "POHJOIS-KARJALA", "Pohjois-Karjala"),
    ("region", " Etelä-Savo ", "Etelä-Savo"),
    ("region", unicodedata.normalize("NFD", "etelä-savo"), "Etelä-Savo"),  # "ä" as a + combining diaeresis
    ("large_area", "itä-suomi", "Itä-Suomi"),
    ("theme", "Kohti Työtä", "kohti työtä"),
    ("target_group", "Nuoret", "nuoret"),
    ("target_group", "maahanmuuttajataustaiset", "maahanmuuttajat"),  # an alias of the vocabulary
    ("axis", "TL3", "TL 3"),
    ("axis", "tl 3", "TL 3"),
    ("objective", "6. 1", "6.1"),
    ("period", "2021-2027", "2021–2027"),
    ("lang", "SV", "sv"),
])
def test_any_spelling_the_content_accepts_filters_like_the_value(client, facet, spelling, value):
    data = _api(client, f"{facet}={quote(spelling)}")
    assert data["ignored"] == [] and data["filters"] == {facet: [value]}
    assert data["total"] == _api(client, f"{facet}={quote(value)}")["total"] < _api(client, "")["total"]


def test_the_alias_is_one_the_vocabulary_has(app):
    """The alias above is real: the test does not pass by accident of a made-up vocabulary."""
    assert app.extensions["search"].vocab.aliases("target_group").get("maahanmuuttajataustaiset") == "maahanmuuttajat"


def test_csv_export_of_a_lower_case_region_holds_only_that_region(client):
    resp = client.get("/export.csv?region=pohjois-karjala")
    expected = sorted(r["id"] for r in _api(client, "region=Pohjois-Karjala")["results"])
    assert _slugs_of_csv(resp.data) == expected and len(expected) == 3
    assert "X-Ignored-Filters" not in resp.headers
    assert 'filename="kaytantopankki.csv"' in resp.headers["Content-Disposition"]


def test_the_search_page_shows_the_filter_chosen_in_any_spelling(client):
    html = client.get("/?region=pohjois-karjala&ui=en").get_data(as_text=True)
    assert re.search(r'name="region" value="Pohjois-Karjala" id="[^"]+" checked', html)
    assert "not known" not in html
    chips = html.split('class="chips"', 1)[1].split("</ul>", 1)[0]
    # The chip's link removes the filter however it was spelt.
    assert 'href="/?ui=en"' in chips.replace("&amp;", "&")


@pytest.mark.parametrize("endpoint", ["/export.csv", "/export.json", "/feed.atom"])
def test_an_unknown_filter_is_said_in_the_header(client, endpoint):
    resp = client.get(f"{endpoint}?region=Pohjois-Karjalax&theme=kohti+ty%C3%B6t%C3%A4&region=Atlantis")
    assert resp.status_code == 200
    assert resp.headers["X-Ignored-Filters"] == "region=Pohjois-Karjalax&region=Atlantis"
    assert client.get(f"{endpoint}?region=Kainuu").headers.get("X-Ignored-Filters") is None


def test_an_unknown_filter_is_said_in_the_file_name_the_json_and_the_feed_title(client):
    csv_resp = client.get("/export.csv?region=Atlantis")
    assert 'filename="kaytantopankki-unknown-filters-ignored.csv"' in csv_resp.headers["Content-Disposition"]
    data = json.loads(client.get("/export.json?region=Atlantis").data)
    assert data["ignored"] == [{"facet": "region", "value": "Atlantis"}]
    title = ET.fromstring(client.get("/feed.atom?region=Atlantis&ui=en").data).find(f"{ATOM}title").text
    assert "unknown filters ignored: Region: “Atlantis”" in title
    title = ET.fromstring(client.get("/feed.atom?region=Atlantis&ui=fi").data).find(f"{ATOM}title").text
    assert "Atlantis" in title and "ignored" not in title


def test_the_header_is_safe_for_any_value(client):
    resp = client.get("/export.csv?region=%C3%85land%0D%0ASet-Cookie:+x")
    assert resp.status_code == 200
    assert resp.headers["X-Ignored-Filters"] == "region=%C3%85land%0D%0ASet-Cookie%3A+x"
    assert "x" not in resp.headers.getlist("Set-Cookie")


def test_the_search_page_lists_the_unknown_filter(client):
    html = client.get("/?region=Pohjois-Karjalax&ui=en").get_data(as_text=True)
    assert "These filters are not known and were ignored:" in html and "Pohjois-Karjalax" in html


@pytest.mark.parametrize("spelling, value", [("2021-2027 tl4", "2021–2027 TL 4"), ("2014 - 2020 TL3", "2014–2020 TL 3")])
def test_a_periods_axis_in_any_spelling(client, spelling, value):
    data = _api(client, f"axis={quote(spelling)}")
    assert data["ignored"] == [] and data["filters"] == {"axis": [value]}
    assert data["total"] == _api(client, f"axis={quote(value)}")["total"] > 0
