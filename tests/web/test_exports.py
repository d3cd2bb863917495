"""Exports: CSV, JSON, Atom and Markdown builders, and /export.csv, /export.json, /feed.atom over the index."""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from app.search.response import result_from_record
from app.web import exports

ATOM = "{http://www.w3.org/2005/Atom}"
RECORD = {"lang": "fi", "title": "=SUM(A1) | [x]", "project": "P*", "summary": "S", "axis": "TL 3", "objective": "6.1",
          "period": "2014–2020", "regions": ["Uusimaa", "Lappi"], "themes": ["kohti työtä"], "target_groups": [],
          "languages": ["fi"], "large_areas": ["Etelä-Suomi", "Pohjois-Suomi"]}
ROW = exports.Row(result_from_record("a-b", RECORD, "S", "fi"), url="http://x/practice/a-b?lang=fi")


def label(facet: str, value: str) -> str:
    return f"<{facet}:{value}>"


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode()), "a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_rows_labels_and_formula_defusing():
    header, row = _csv(exports.to_csv([ROW], {"title": "Nimi"}, label))
    assert header[0] == "Nimi" and header[-1] == "url"
    assert row[0] == "'=SUM(A1) | [x]", "a cell starting with = is not run as a formula"
    assert row[header.index("regions")] == "<region:Uusimaa>; <region:Lappi>"
    assert row[header.index("priority")] == "TL 3 et 6.1"


def test_markdown_escapes_and_links():
    text = exports.to_markdown([ROW], "List", {"title": "Practice"}, label, "http://x/shortlist?ids=a-b", "Shared:")
    line = [ln for ln in text.splitlines() if ln.startswith("| [")][0]
    assert line.startswith(r"| [=SUM(A1) \| \[x\]](<http://x/practice/a-b?lang=fi>) | P\* | TL 3 et 6.1 |")
    assert "<http://x/shortlist?ids=a-b>" in text


def test_atom_is_well_formed():
    feed = exports.Feed(title="T <&>", self_url="http://x/feed.atom?q=a&b=c", alternate_url="http://x/?q=a",
                        updated="2026-01-01T00:00:00+00:00", author="K", lang="sv")
    root = ET.fromstring(exports.to_atom([ROW, ROW], feed, label))
    assert root.tag == f"{ATOM}feed" and root.get("{http://www.w3.org/XML/1998/namespace}lang") == "sv"
    assert root.find(f"{ATOM}title").text == "T <&>"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2 and entries[0].find(f"{ATOM}id").text == ROW.url


def _api_ids(client, query: str) -> list[str]:
    ids, page = [], 1
    while True:
        data = client.get(f"/api/search?{query}&per_page=100&page={page}").get_json()
        ids += [r["id"] for r in data["results"]]
        if page >= data["pages"]:
            return ids
        page += 1


SEARCHES = ["", "q=nuorille", "region=Pohjois-Karjala", "theme=kohti+ty%C3%B6t%C3%A4&sort=title",
            "q=zzqx", "region=Atlantis"]


@pytest.mark.parametrize("query", SEARCHES)
def test_csv_has_one_row_per_matching_practice(client, query):
    resp = client.get(f"/export.csv?{query}")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    header, *rows = _csv(resp.data)
    expected = _api_ids(client, query)
    assert len(rows) == len(expected)
    assert sorted(r[-1].split("/practice/")[1].split("?")[0] for r in rows) == sorted(expected)


@pytest.mark.parametrize("query", SEARCHES)
def test_json_has_every_matching_practice_in_result_order(client, query):
    data = json.loads(client.get(f"/export.json?{query}").data)
    expected = _api_ids(client, query)
    assert data["total"] == len(expected) and [r["id"] for r in data["results"]] == expected


@pytest.mark.parametrize("query", SEARCHES)
def test_feed_lists_the_search(client, query):
    resp = client.get(f"/feed.atom?{query}")
    assert resp.mimetype == "application/atom+xml"
    root = ET.fromstring(resp.data)
    links = [e.find(f"{ATOM}link").get("href") for e in root.findall(f"{ATOM}entry")]
    assert [link.split("/practice/")[1].split("?")[0] for link in links] == _api_ids(client, query)[:100]


def test_csv_speaks_the_interface_language(app):
    vocab = app.extensions["search"].vocab
    fi = _csv(app.test_client().get("/export.csv?region=Etel%C3%A4-Savo&ui=fi").data)
    sv = _csv(app.test_client().get("/export.csv?region=Etel%C3%A4-Savo&ui=sv").data)
    assert fi[0] != sv[0], "column names are translated"
    assert vocab.label("region", "Etelä-Savo", "sv") in sv[1][sv[0].index("Landskap")]


def test_feed_title_is_escaped_and_search_page_links_to_it(client):
    root = ET.fromstring(client.get("/feed.atom?q=%3Cscript%3E").data)
    assert "<script>" in root.find(f"{ATOM}title").text  # text, escaped by the XML writer
    html = client.get("/?q=nuorille").get_data(as_text=True)
    assert 'type="application/atom+xml" href="/feed.atom?q=nuorille"' in html
    assert 'href="/export.csv?q=nuorille"' in html and 'href="/export.json?q=nuorille"' in html


def test_exports_ignore_the_page_of_the_search(client):
    everything = _api_ids(client, "")
    header, *rows = _csv(client.get("/export.csv?per_page=1&page=3").data)
    assert len(rows) == len(everything)
    assert json.loads(client.get("/export.json?per_page=1&page=3").data)["total"] == len(everything)


def test_exports_stop_at_the_limit_and_say_so(client, monkeypatch):
    from app.web import downloads as views

    everything = json.loads(client.get("/export.json").data)
    assert everything["truncated"] is False and everything["returned"] == everything["total"] > 2
    monkeypatch.setattr(views, "EXPORT_LIMIT", 2)
    data = json.loads(client.get("/export.json").data)
    assert data["total"] == everything["total"] and data["returned"] == 2 and data["truncated"] is True
    assert [r["id"] for r in data["results"]] == [r["id"] for r in everything["results"][:2]]  # the first ones
    resp = client.get("/export.csv")
    assert len(_csv(resp.data)) == 1 + 2
    assert resp.headers["X-Total-Count"] == str(everything["total"])
    assert 'filename="kaytantopankki-first-2.csv"' in resp.headers["Content-Disposition"]
    page = client.get("/?ui=en").get_data(as_text=True)
    assert f"Download the first 2 of {everything['total']}:" in page
