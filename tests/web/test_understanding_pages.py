"""What the page and the API say about how a query was understood (issue 11)."""
from __future__ import annotations

import html

import pytest

from app import create_app
from app.indexing import build


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "search"))
    import planner_corpus

    root = tmp_path_factory.mktemp("understood")
    content = planner_corpus.make(root / "content")
    assert build(content, root / "index").ok
    app = create_app({"TESTING": True, "INDEX_DIR": str(root / "index"), "CONTENT_DIR": str(content)})
    return app.test_client()


def test_a_named_facet_value_is_offered_as_a_filter_with_its_count(client):
    page = html.unescape(client.get("/?q=nuoret+It%C3%A4-Suomessa&ui=en").get_data(as_text=True))
    assert "Your search names these. Narrow to:" in page
    assert "large_area=It%C3%A4-Suomi" in client.get("/?q=nuoret+It%C3%A4-Suomessa&ui=en").get_data(as_text=True)
    data = client.get("/api/search?q=nuoret+It%C3%A4-Suomessa").get_json()
    offered = {(o["facet"], o["value"]): o["count"] for o in data["recognised"]}
    assert offered[("large_area", "Itä-Suomi")] >= 1 and data["filters"] == {}


def test_a_municipality_names_its_region(client):
    data = client.get("/api/search?q=nuoret+Kajaanissa").get_json()
    region = next(o for o in data["recognised"] if o["facet"] == "region")
    assert (region["value"], region["via"]) == ("Kainuu", "Kajaani")


def test_a_partial_match_says_so_and_names_the_missing_word(client):
    data = client.get("/api/search?q=harjoittelivat+kielt%C3%A4+zzqxw").get_json()
    assert data["match"] == "partial" and data["missing"] == ["zzqxw"] and data["total"] >= 1
    page = html.unescape(client.get("/?q=harjoittelivat+kielt%C3%A4+zzqxw&ui=en").get_data(as_text=True))
    assert "No practice contains every word of your search" in page and "“zzqxw”" in page
    fi = html.unescape(client.get("/?q=harjoittelivat+kielt%C3%A4+zzqxw&ui=fi").get_data(as_text=True))
    assert "Yksikään käytäntö ei sisällä kaikkia hakusanojasi" in fi


def test_exports_and_feed_say_which_kind_of_set_they_hold(client):
    csv = client.get("/export.csv?q=harjoittelivat+kielt%C3%A4+zzqxw")
    assert csv.headers["X-Match"] == "partial" and "partial-matches" in csv.headers["Content-Disposition"]
    assert client.get("/export.json?q=harjoittelivat+kielt%C3%A4+zzqxw").get_json()["match"] == "partial"
    feed = client.get("/feed.atom?q=harjoittelivat+kielt%C3%A4+zzqxw&ui=en").get_data(as_text=True)
    assert "(some of the words)" in feed
    assert client.get("/export.csv?q=vertaismentorointi").headers["X-Match"] == "all"


def test_an_exclusion_is_said(client):
    page = html.unescape(client.get("/?q=-vertaismentorointi&ui=en").get_data(as_text=True))
    assert "Excluded practices that mention:" in page and "“vertaismentorointi”" in page
    assert client.get("/api/search?q=-vertaismentorointi").get_json()["excluded"] == ["vertaismentorointi"]

