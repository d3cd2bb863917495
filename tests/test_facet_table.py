"""Adding a facet is one entry in the facet table plus its vocabulary file: validation, index, the
search page, the JSON API, the OpenAPI description and the CSV export all follow."""
from __future__ import annotations

import csv
import io

import pytest
import yaml

from app import create_app, names
from app.indexing import build
from conftest import TINY, make_content, write_practice

FUND = names.Facet("fund", "funds", True, "Fund", vocabulary="funds.yaml")
FUNDS = {"values": [
    {"value": "ESR", "fi": "Euroopan sosiaalirahasto", "sv": "Europeiska socialfonden", "en": "European Social Fund",
     "aliases": ["ESF"]},
    {"value": "ESR+", "fi": "Euroopan sosiaalirahasto plus", "sv": "Europeiska socialfonden plus",
     "en": "European Social Fund Plus"},
]}


@pytest.fixture()
def with_fund(monkeypatch):
    monkeypatch.setattr(names, "FACETS", names.FACETS)  # restored after the test …
    names.FACETS.append(FUND)  # … and extended in place, as a deployment's table would be
    yield FUND
    names.FACETS.remove(FUND)


@pytest.fixture()
def fund_site(with_fund, tmp_path):
    content = make_content(tmp_path / "content")
    (content / "vocabularies" / "funds.yaml").write_text(yaml.safe_dump(FUNDS, allow_unicode=True), encoding="utf-8")
    for (slug, lang), (meta, body) in TINY.items():
        if lang == "fi":
            fund = ["ESR+"] if meta.get("period") == "2021–2027" else ["ESF"]  # an alias is accepted
            write_practice(content, slug, lang, {**meta, "funds": fund}, body)
    result = build(content, tmp_path / "index")
    assert result.ok, [str(p) for p in result.problems]
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index"), "CONTENT_DIR": str(content)})
    return content, app.test_client()


def test_an_unknown_value_of_the_new_facet_is_a_problem_with_a_suggestion(fund_site, tmp_path):
    content, _client = fund_site
    meta, body = TINY[("kielikoulutus", "fi")]
    write_practice(content, "kielikoulutus", "fi", {**meta, "funds": ["ESR +"]}, body)
    result = build(content, tmp_path / "index2", check_only=True)
    assert [(p.field, p.message) for p in result.problems] == [
        ("funds", "'ESR +' is not a known fund (did you mean 'ESR+'?)")]


def test_the_search_page_offers_and_applies_the_new_facet(fund_site):
    _content, client = fund_site
    html = client.get("/?ui=en").get_data(as_text=True)
    assert 'id="facet-fund"' in html and "<legend>Fund</legend>" in html
    assert "European Social Fund Plus" in html
    narrowed = client.get("/?fund=ESR%2B&ui=en").get_data(as_text=True)
    assert "Polku työhön pitkäaikaistyöttömille" in narrowed and "Uravalmennus nuorille" not in narrowed


def test_the_api_filters_counts_and_returns_the_new_facet(fund_site):
    _content, client = fund_site
    data = client.get("/api/search?fund=ESR&ui=sv").get_json()
    assert data["filters"] == {"fund": ["ESR"]}
    assert {r["slug"] for r in data["results"]} == {s for (s, lang) in TINY if lang == "fi"} - {"polkuja-toihin"}
    assert all(r["funds"] == ["ESR"] for r in data["results"])
    counts = {fv["value"]: (fv["count"], fv["label"]) for fv in data["facets"]["fund"]}
    assert counts["ESR"] == (len(data["results"]), "Europeiska socialfonden") and counts["ESR+"][0] == 1
    practice = client.get("/api/practice/polkuja-toihin").get_json()
    assert practice["funds"] == ["ESR+"]


def test_the_openapi_description_names_the_new_facet(fund_site):
    _content, client = fund_site
    spec = client.get("/api/openapi.json").get_json()
    params = {p["name"]: p for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert "ESR+" in params["fund"]["description"]
    schemas = spec["components"]["schemas"]
    assert "funds" in schemas["Result"]["properties"] and "funds" in schemas["Practice"]["properties"]
    assert "fund" in schemas["SearchResponse"]["properties"]["facets"]["properties"]


def test_the_csv_export_has_a_column_for_the_new_facet(fund_site):
    _content, client = fund_site
    rows = list(csv.reader(io.StringIO(client.get("/export.csv?ui=en&sort=title").data.decode("utf-8-sig"))))
    header = rows[0]
    assert "Fund" in header
    by_title = {row[header.index("Practice")]: row[header.index("Fund")] for row in rows[1:]}
    assert by_title["Polku työhön pitkäaikaistyöttömille"] == "European Social Fund Plus"
    assert by_title["Career coaching for young people"] == "European Social Fund"
