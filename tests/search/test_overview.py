"""The front page at a glance (theme × axis matrix, region tile map) and related practices."""
from __future__ import annotations

import html as htmllib
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from app.search import SearchRequest
from app.search.related import similar_text


def _brute_force(service, req: SearchRequest) -> dict[tuple[str, str], int]:
    """Count (theme, axis) pairs by reading every matching practice's record."""
    others = {f: v for f, v in req.filters.items() if f not in ("theme", "axis")}
    out: dict[tuple[str, str], int] = {}
    for r in service.all_matching(SearchRequest(q=req.q, filters=others))[0]:
        for theme in r.themes:
            for axis in (r.axis, f"{r.period} {r.axis}"):  # the code of any period and the period's own axis
                out[(theme, axis)] = out.get((theme, axis), 0) + 1
    return out


@pytest.mark.parametrize("q, filters", [
    ("", {}), ("nuorille", {}), ("", {"region": ("Pohjois-Karjala",)}),
    ("", {"theme": ("kotoutuminen",), "axis": ("TL 5",)}), ("zzqx", {}),
])
def test_cross_counts_agree_with_counting_by_hand(app, q, filters):
    service = app.extensions["search"]
    req = SearchRequest(q=q, filters=filters)
    assert service.search(req, matrix=True).matrix == _brute_force(service, req)


def _links(html: str, css_class: str) -> list[tuple[str, int]]:
    """(href, number shown) of every linked number in an element with ``css_class``."""
    return [(htmllib.unescape(href), int(n)) for href, n in
            re.findall(r'<a href="([^"]+)"(?: class="[^"]*")?>(\d+)<span class="visually-hidden">', html)]


@pytest.mark.parametrize("query", ["", "region=Pohjois-Karjala", "target_group=nuoret&ui=sv"])
def test_every_matrix_number_links_to_a_search_with_that_many_results(client, query):
    html = client.get(f"/?{query}").get_data(as_text=True)
    matrix = html.split('<table class="matrix">', 1)[1].split("</table>", 1)[0]
    cells = _links(matrix, "matrix")
    assert cells, "the matrix has linked cells"
    for href, shown in cells:
        assert dict(parse_qsl(urlsplit(href).query)).keys() >= {"theme", "axis"}
        total = client.get("/api/search?" + urlsplit(href).query).get_json()["total"]
        assert total == shown, href


@pytest.mark.parametrize("query", ["", "theme=kohti+ty%C3%B6t%C3%A4"])
def test_every_map_tile_links_to_a_search_with_that_many_results(client, app, query):
    html = client.get(f"/?{query}").get_data(as_text=True)
    svg = html.split('<svg class="tile-map"', 1)[1].split("</svg>", 1)[0]
    tiles = re.findall(r'<a href="([^"]+)" class="tile[^"]*">\s*<title>[^<]*</title>.*?<text class="tile-count"[^>]*>(\d+)</text>',
                       svg, flags=re.S)
    assert tiles
    regions = app.extensions["search"].vocab.regions
    assert svg.count("<rect") == len(regions), "every region and 'koko maa' has a tile"
    for href, shown in tiles:
        href = htmllib.unescape(href)
        assert client.get("/api/search?" + urlsplit(href).query).get_json()["total"] == int(shown)


def test_map_has_a_table_alternative_with_the_same_numbers(client):
    html = client.get("/").get_data(as_text=True)
    svg = html.split('<svg class="tile-map"', 1)[1].split("</svg>", 1)[0]
    table = html.split('<details class="map-table">', 1)[1].split("</details>", 1)[0]
    svg_counts = re.findall(r'<text class="tile-count"[^>]*>(\d+)</text>', svg)
    table_counts = re.findall(r"<td>(\d+)</td></tr>", table)
    assert sorted(map(int, svg_counts)) == sorted(map(int, table_counts))
    assert 'role="group" aria-labelledby="map-heading"' in html


def test_overview_is_above_results_on_the_front_page_and_below_for_a_text_search(client):
    front = client.get("/").get_data(as_text=True)
    assert front.index('class="overview"') < front.index('class="result-list"')
    text = client.get("/?q=nuorille").get_data(as_text=True)
    assert text.index('class="result-list"') < text.index('class="overview"')


def test_related_practices_share_text_or_facets(app, client):
    service = app.extensions["search"]
    related = service.related("nuorten-uravalmennus", "fi")
    assert related and all(r.result.slug != "nuorten-uravalmennus" for r in related)
    mine = service.practice("nuorten-uravalmennus")["fi"]
    for item in related:
        r = item.result
        assert item.similar_text or set(r.themes) & set(mine["themes"]) or r.objective == mine["objective"]
    html = client.get("/practice/nuorten-uravalmennus?ui=en").get_data(as_text=True)
    assert "Related practices" in html and f"/practice/{related[0].result.slug}" in html


def test_related_of_an_unknown_practice_is_empty(app):
    assert app.extensions["search"].related("nope", "fi") == []


def test_similar_text_is_what_whoosh_more_like_this_finds(bundled_app):
    # Remembering collection frequencies must not change which practices are alike, nor their order.
    service = bundled_app.extensions["search"]
    v = service.version()
    for slug in v.slugs:
        docnum = v.searcher.document_number(slug=slug, lang="fi")
        expected = [(h["slug"], h.score) for h in v.searcher.more_like(docnum, "body_fi", top=20, numterms=8)
                    if h["slug"] != slug]
        for _ in range(2):  # the second time from remembered frequencies
            got = similar_text(v, slug, "fi", 20)
            assert list(got.items()) == expected
