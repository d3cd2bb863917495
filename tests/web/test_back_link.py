"""A practice page leads back to the search (or shortlist, or comparison) it was opened from, without
JavaScript (issue 12: "Takaisin hakuun" went to / whatever the search was)."""
from __future__ import annotations

import html as htmllib
import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest


def _links(page: str, pattern: str) -> list[str]:
    return [htmllib.unescape(h) for h in re.findall(pattern, page)]


def _back(page: str) -> tuple[str, str]:
    m = re.search(r'<p class="back"><a href="([^"]*)">([^<]*)</a>', page)
    assert m, "the practice page has a back link"
    return htmllib.unescape(m.group(1)), m.group(2)


def test_results_link_to_practices_with_the_search_to_return_to(client):
    page = client.get("/?q=nuorille&region=Pohjois-Karjala&sort=title&ui=fi").get_data(as_text=True)
    links = _links(page, r'<h3><a href="(/practice/[^"]+)"')
    assert links
    for link in links:
        back = parse_qs(urlsplit(link).query)["back"]
        assert back == ["/?q=nuorille&region=Pohjois-Karjala&sort=title"], "the search, without the interface language"


def test_back_to_search_follows_the_link_from_the_results(client):
    page = client.get("/?q=nuorille&region=Pohjois-Karjala&ui=en").get_data(as_text=True)
    practice = client.get(_links(page, r'<h3><a href="(/practice/[^"]+)"')[0]).get_data(as_text=True)
    assert _back(practice) == ("/?q=nuorille&region=Pohjois-Karjala", "Back to search")
    # Its related practices keep the way back, and so does its language switch.
    related = _links(practice.split('<section class="related"', 1)[1], r'<a href="(/practice/[^"]+)"')
    assert related and all(parse_qs(urlsplit(r).query)["back"] == ["/?q=nuorille&region=Pohjois-Karjala"]
                           for r in related)
    switch = practice.split('class="lang-switch"', 1)[1].split("</nav>", 1)[0]
    sv = htmllib.unescape(re.findall(r'href="([^"]+)"', switch)[1])
    assert "ui=sv" in sv and parse_qs(urlsplit(sv).query)["back"] == ["/?q=nuorille&region=Pohjois-Karjala"]
    assert _back(client.get(sv).get_data(as_text=True)) == ("/?q=nuorille&region=Pohjois-Karjala",
                                                            "Tillbaka till sökningen")


@pytest.mark.parametrize("back, expected", [
    ("/?q=nuorille&page=2", ("/?q=nuorille&page=2", "Back to search")),
    ("/?q=nuorille&ui=sv", ("/?q=nuorille", "Back to search")),  # the language the visitor uses now stays
    ("/shortlist?ids=kielikoulutus,nuorten-uravalmennus", ("/shortlist?ids=kielikoulutus%2Cnuorten-uravalmennus",
                                                           "Back to the shortlist")),
    ("/compare?ids=kielikoulutus,nuorten-uravalmennus", ("/compare?ids=kielikoulutus%2Cnuorten-uravalmennus",
                                                         "Back to the comparison")),
    (None, ("/", "Back to search")),
    ("", ("/", "Back to search")),
    ("https://evil.example/?q=x", ("/", "Back to search")),
    ("//evil.example/", ("/", "Back to search")),
    ("/\\evil.example", ("/", "Back to search")),
    ("javascript:alert(1)", ("/", "Back to search")),
    ("/practice/kielikoulutus", ("/", "Back to search")),
    ("/api/search?q=x", ("/", "Back to search")),
    ("/?q=" + "x" * 3000, ("/", "Back to search")),
    ('/?q="><script>alert(1)</script>', ("/?q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E", "Back to search")),
])
def test_back_is_a_local_search_shortlist_or_comparison_else_the_search_page(client, back, expected):
    query = "" if back is None else f"&back={quote(back, safe='')}"
    resp = client.get(f"/practice/kielikoulutus?ui=en{query}")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert _back(page) == expected
    assert "<script>alert(1)" not in page


def test_shortlist_rows_lead_back_to_the_shortlist(client):
    page = client.get("/shortlist?ids=kielikoulutus,nuorten-uravalmennus&ui=en").get_data(as_text=True)
    link = _links(page, r'<th scope="row"><a href="(/practice/[^"]+)"')[0]
    practice = client.get(link).get_data(as_text=True)
    assert _back(practice) == ("/shortlist?ids=kielikoulutus%2Cnuorten-uravalmennus", "Back to the shortlist")
