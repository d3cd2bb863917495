"""The search page (issue 12): results first once a filter is chosen, the period › axis › objective and
large area › region trees, a stable order, and what each result row shows."""
from __future__ import annotations

import html
import re

import pytest

from app import create_app
from app.indexing import build
from conftest import TINY, make_content


def page(client, query: str) -> str:
    return html.unescape(client.get(f"/?{query}").get_data(as_text=True))


def _fieldset(page: str, facet: str) -> str:
    """The HTML of a facet's fieldset on a search page."""
    tree = page[page.index(f'id="facet-{facet}"'):]
    return tree[:tree.index("</fieldset>")]


def test_results_come_first_once_a_filter_is_chosen(client):
    entry = page(client, "")
    assert entry.index('class="overview"') < entry.index('class="result-list"'), "the entry page opens with the overview"
    for query in ("region=Pohjois-Karjala", "theme=kotoutuminen", "q=nuorille"):
        text = page(client, query)
        assert text.index('class="result-list"') < text.index('class="overview"'), query
    narrow = page(client, "region=Uusimaa&target_group=maahanmuuttajat&axis=TL+5")
    assert 'class="no-results"' in narrow and 'class="overview"' not in narrow.split('class="no-results"')[0]


def test_an_axis_of_any_period_still_works_and_says_so(client):
    data = client.get("/api/search?axis=TL+4").get_json()
    assert {r["slug"] for r in data["results"]} == {"yrittajyyskasvatus", "polkuja-toihin"}  # 2014–2020 and 2021–2027
    assert data["filters"] == {"axis": ["TL 4"]}
    text = page(client, "axis=TL+4&ui=fi")
    assert "TL 4 (2014–2020, 2021–2027)" in text, "no one period's name for a code of two periods"


@pytest.mark.parametrize("value, slug", [("2014–2020 TL 4", "yrittajyyskasvatus"), ("2021–2027 TL 4", "polkuja-toihin")])
def test_a_periods_own_axis_counts_only_that_period(client, value, slug):
    data = client.get("/api/search", query_string={"axis": value}).get_json()
    assert [r["slug"] for r in data["results"]] == [slug]


def test_the_priority_tree_nests_axes_and_objectives_under_their_period(client):
    text = client.get("/?ui=fi").get_data(as_text=True)
    tree = _fieldset(text, "priority")
    labels = re.findall(r'name="(period|axis|objective)" value="([^"]+)"', tree)
    assert labels.index(("period", "2014–2020")) < labels.index(("axis", "2014–2020 TL 4")) \
        < labels.index(("objective", "9.1")) < labels.index(("period", "2021–2027")) \
        < labels.index(("axis", "2021–2027 TL 4")) < labels.index(("objective", "4.1"))
    assert "Työllistävä, osaava ja osallistava Suomi" in html.unescape(tree)  # 2021–2027's own name for TL 4


def test_regions_are_grouped_under_their_large_area_and_keep_their_order(client):
    text = client.get("/?ui=fi").get_data(as_text=True)
    tree = _fieldset(text, "region")
    values = re.findall(r'name="(large_area|region)" value="([^"]+)"', tree)
    assert values.index(("large_area", "Itä-Suomi")) < values.index(("region", "Etelä-Savo")) \
        < values.index(("region", "Pohjois-Karjala")) < values.index(("large_area", "Pohjois-Suomi")) \
        < values.index(("region", "Kainuu"))
    before = re.findall(r'name="region" value="([^"]+)"', tree)
    after_click = page(client, "region=Pohjanmaa")
    after = re.findall(r'name="region" value="([^"]+)"', after_click[after_click.index('id="facet-region"'):])
    assert [v for v in after if v in before] == [v for v in before if v in after], "no re-sorting after a click"


def test_a_regions_large_area_follows_the_period_and_the_whole_country_stands_apart(tmp_path):
    practices = dict(TINY)
    practices[("keski-pohjanmaa-2021", "fi")] = (
        {"title": "Polku Kokkolassa", "project": "Uusi polku", "regions": ["Keski-Pohjanmaa"], "themes": ["kohti työtä"],
         "priority": "TL 4 et 4.1", "period": "2021–2027"}, "Työnhakijat saivat tukea.")
    practices[("keski-pohjanmaa-2014", "fi")] = (
        {"title": "Vanha polku", "project": "Vanha", "regions": ["Keski-Pohjanmaa"], "themes": ["kohti työtä"],
         "priority": "TL 3 et 6.1"}, "Työnhakijat saivat tukea.")
    practices[("valtakunnallinen", "fi")] = (
        {"title": "Koko maan malli", "project": "Kansallinen", "regions": ["koko maa"], "themes": ["osallisuus"],
         "priority": "TL 5 et 10.1"}, "Malli levisi kuntiin.")
    content = make_content(tmp_path / "content", practices)
    assert build(content, tmp_path / "index").ok
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index"),
                         "CONTENT_DIR": str(content)}).test_client()
    north = {r["slug"] for r in client.get("/api/search?large_area=Pohjois-Suomi&per_page=100").get_json()["results"]}
    west = {r["slug"] for r in client.get("/api/search?large_area=L%C3%A4nsi-Suomi&per_page=100").get_json()["results"]}
    assert "keski-pohjanmaa-2021" in north and "keski-pohjanmaa-2014" in west
    assert "keski-pohjanmaa-2021" not in west and "valtakunnallinen" not in north | west
    text = html.unescape(client.get("/?ui=fi").get_data(as_text=True))
    assert 'value="koko maa"' in _fieldset(text, "region"), "national practices shown as such"


def test_result_rows_show_themes_target_groups_and_a_language_badge(client):
    text = page(client, "q=nuorille&ui=sv")
    row = text[text.index('id="r-yrittajyyskasvatus"'):]
    row = row[:row.index("</li>")]
    assert "lang-badge" in row and "finska" in row, "the Finnish version in the Swedish interface is marked"
    assert 'class="tag theme"' in row and 'class="tag group"' in row
    own = page(client, "q=nuorille&ui=fi")
    row = own[own.index('id="r-yrittajyyskasvatus"'):]
    assert "lang-badge" not in row[:row.index("</li>")]


def test_codes_are_explained_in_swedish_and_english(client):
    assert "TL 3 (prioriterat område 3)" in page(client, "ui=sv")
    assert "TL 3 (priority axis 3)" in page(client, "ui=en")
    assert "Specific objective 6.1" in page(client, "ui=en")


def test_the_ways_to_a_filtered_search_open_at_the_results(client):
    """Without JavaScript the page reloads at its top, where a phone shows the open filters first: the
    filter button, the overview's numbers and the zero-result hint's links open it at the results."""
    entry = page(client, "ui=fi")
    assert re.search(r'<button type="submit" form="search-form" class="apply" formaction="/#results-heading">', entry)
    overview = entry[entry.index('class="overview"'):]
    links = re.findall(r'<a href="(/\?[^"]*)"', overview)
    assert len(links) > 20 and all(link.endswith("#results-heading") for link in links)
    narrow = page(client, "region=Uusimaa&target_group=maahanmuuttajat&axis=TL+5")
    hint = narrow[narrow.index('class="no-results"'):]
    hint = hint[:hint.index("</div>")]
    without = re.findall(r'<a href="([^"]+)">', hint)
    assert len(without) >= 2 and all(link.endswith("#results-heading") for link in without[:-1])
    assert without[-1] == "/", "'Search without filters' leads to the entry page, which opens with the overview"
    chips = narrow[narrow.index('class="chips"'):]
    chips = re.findall(r'<a (?:class="clear" )?href="([^"]+)"', chips[:chips.index("</ul>")])
    assert len(chips) == 4 and all(c.endswith("#results-heading") for c in chips[:3]) and chips[3] == "/"
    listed = page(client, "q=nuorille&per_page=1")
    assert re.search(r'rel="next" href="/\?q=nuorille&per_page=1&page=2#results-heading"', listed)
    assert re.search(r'href="/\?q=nuorille&per_page=1&sort=newest#results-heading"', listed)
