"""Search service over a real index built from the tiny content."""
from collections import Counter

import pytest
import yaml

from app.search import SearchRequest, SearchService
from conftest import TINY


@pytest.fixture(scope="module")
def svc(built_index, tiny_content):
    return SearchService(built_index, tiny_content / "vocabularies")


def run(svc, q="", **kw):
    filters = {k: tuple(v) for k, v in kw.pop("filters", {}).items()}
    return svc.search(SearchRequest(q=q, filters=filters, **kw))


def ids(resp):
    return [r.slug for r in resp.results]


def _fixture_facets():
    """Facets of each practice read straight from the fixture's front matter, not through our code."""
    out = {}
    for (slug, lang), (meta, _) in TINY.items():
        if lang == "fi":
            text = yaml.safe_dump(meta, allow_unicode=True)
            m = yaml.safe_load(text)
            axis = m["priority"].replace("TL3", "TL 3").split(" et")[0]
            period = m.get("period", "2014–2020")
            # An axis counts twice: as the code of any period and as that period's own axis (issue 12).
            out[slug] = {"region": m["regions"], "theme": m["themes"], "target_group": m.get("target_groups", []),
                         "axis": [axis, f"{period} {axis}"], "period": [period]}
    return out


@pytest.mark.parametrize("filters", [
    {},
    {"region": ["Pohjois-Karjala"]},
    {"region": ["Pohjois-Karjala", "Etelä-Savo"]},
    {"theme": ["kohti työtä"]},
    {"region": ["Pohjois-Karjala"], "theme": ["kohti työtä", "kotoutuminen"]},
    {"target_group": ["nuoret"], "axis": ["TL 3", "TL 4"]},
    {"period": ["2021–2027"]},
])
def test_facet_counts_match_the_fixture_files(svc, filters):
    facts = _fixture_facets()
    resp = run(svc, filters=filters)

    def passes(slug, skip=None):
        return all(set(vals) & set(facts[slug][f]) for f, vals in filters.items() if f != skip)

    assert resp.total == sum(passes(s) for s in facts)
    for facet in ("region", "theme", "target_group", "axis", "period"):
        expected = Counter(v for s in facts if passes(s, facet) for v in facts[s][facet])
        got = {fv.value: fv.count for fv in resp.facets[facet] if fv.count}
        assert got == dict(expected), facet


def test_facet_values_keep_the_vocabularys_order_whatever_is_chosen(svc):
    # A stable order while the visitor works (issue 12): not re-sorted by count or selection after a click.
    order = list(svc.vocab.terms("region"))
    for filters in ({}, {"region": ["Uusimaa"]}, {"region": ["Pohjois-Karjala"], "theme": ["kotoutuminen"]}):
        shown = [fv.value for fv in run(svc, filters=filters).facets["region"]]
        assert shown == sorted(shown, key=order.index)


@pytest.mark.parametrize("query, expected", [
    ("uravalmennus", {"nuorten-uravalmennus"}),
    ("maahanmuuttajille", {"kielikoulutus", "romanien-osallisuus"}),  # the second is tagged so (its metadata)
    ("Kaiku", {"kielikoulutus"}),
    ("nuorille ohjausta", {"nuorten-uravalmennus"}),
    ("hoivayritysten OR romaniportti", {"hoivayritysten-digitaidot", "romanien-osallisuus"}),
    ("karriärcoachning", {"nuorten-uravalmennus"}),
    ("career coaching", {"nuorten-uravalmennus"}),
    ('"suomen kielen"', {"kielikoulutus"}),
    ('"kielen suomen"', set()),
    ("sparrauksella -yritysyhteistyöllä", set()),
    ("sparrauksella NOT hoivayritysten", {"ikaantyneet-tyonhakijat"}),
])
def test_queries(svc, query, expected):
    assert set(ids(run(svc, query))) == expected


def test_one_row_per_practice_even_when_several_languages_match(svc):
    resp = run(svc, "Ohjaamo")
    assert ids(resp).count("nuorten-uravalmennus") == 1
    assert resp.total == len(ids(resp))


def test_results_in_the_display_language(svc):
    r = run(svc, "uravalmennusta", ui_lang="sv").results[0]
    assert r.title == "Karriärcoachning för unga" and r.lang == "sv"
    assert r.languages == ["en", "fi", "sv"]


def test_snippets_mark_matches_and_escape_the_rest(svc):
    r = run(svc, "sparrauksella").results[0]
    assert "<mark>sparrauksella</mark>" in r.snippet
    assert "<" not in r.snippet.replace("<mark>", "").replace("</mark>", "")


@pytest.mark.parametrize("query", ['"unclosed', "title:(", "AND OR NOT", "[a TO", "^5", "~9", "*", "a*", "*a*",
                                   "?*?*?*", "region:Uusimaa", "x" * 10_000, "sana " * 2000, "\x00", "\u202e"])
def test_hostile_syntax_never_fails(svc, query):
    resp = run(svc, query)
    assert resp.total >= 0


def test_field_syntax_cannot_address_schema_fields(svc):
    # "region:Uusimaa" is read as words, so it does not act as a filter on the region field.
    assert run(svc, "region:Uusimaa").total == run(svc, "region Uusimaa").total


def test_title_sort_and_pagination(svc):
    all_titles = [r.title for r in run(svc, sort="title", per_page=100).results]
    assert all_titles == sorted(all_titles, key=lambda t: t.casefold())
    page2 = run(svc, sort="title", per_page=3, page=2)
    assert [r.title for r in page2.results] == all_titles[3:6]


def test_page_beyond_the_end_is_clamped(svc):
    resp = run(svc, per_page=5, page=10**6)
    assert resp.page == resp.pages == 2
    assert resp.results


def test_lang_filter_counts_practices_with_a_version(svc):
    assert ids(run(svc, filters={"lang": ["sv"]})) == ["nuorten-uravalmennus"]


# --- typo tolerance, suggestions, zero-result help, synonyms, why-this-matched ----------------

@pytest.mark.parametrize("typed, searched, expected", [
    ("uravalmenusta", "uravalmennus", "nuorten-uravalmennus"),
    ("sparrauksela", "sparraus", "ikaantyneet-tyonhakijat"),
    ("romaniporti", "romaniportti", "romanien-osallisuus"),
])
def test_a_mistyped_word_is_retried_one_edit_away(svc, typed, searched, expected):
    resp = run(svc, typed)
    assert resp.corrected == {typed: searched}
    assert ids(resp) == [expected]


def test_short_words_and_matching_words_are_not_corrected(svc):
    assert run(svc, "romni").corrected == {"romni": "romani"}
    assert run(svc, "romn").corrected == {}  # fewer than five letters: too short to guess
    assert run(svc, "qxzzyv").corrected == {}  # one edit from nothing indexed: nothing to offer
    assert run(svc, "nuorille").corrected == {}


def test_zero_results_suggest_removing_one_filter(svc):
    resp = run(svc, "nuorille", filters={"region": ["Uusimaa"], "theme": ["kohti työtä"]})
    assert resp.total == 0
    assert {"facet": "region", "value": "Uusimaa", "total": 1} in resp.relaxations
    assert all(r["total"] > 0 for r in resp.relaxations)


def test_why_this_matched_names_base_forms_and_compound_parts(svc):
    r = run(svc, "valmennus").results[0]
    assert r.slug == "nuorten-uravalmennus"
    match = next(m for m in r.matched if m.term == "valmennus")
    assert match.kind == "compound" and "uravalmennusta" in match.forms
    r = run(svc, "nuori").results
    forms = {f for res in r for m in res.matched if m.term == "nuori" for f in m.forms}
    assert "nuorille" in forms


def test_synonyms_from_the_vocabulary_are_applied(svc):
    # The text says "Maahanmuuttajille"; the query's base form is only a synonym of it (and an alias
    # of the target group maahanmuuttajat, which romanien-osallisuus is tagged with).
    assert ids(run(svc, "maahanmuuttajataustaisille"))[0] == "kielikoulutus"
    assert set(ids(run(svc, "maahanmuuttajataustaisille"))) == {"kielikoulutus", "romanien-osallisuus"}


def test_did_you_mean_offers_a_better_spelled_query(tmp_path):
    from app.indexing import build
    from conftest import make_content
    practices = {(f"v{i}", "fi"): ({"title": f"Käytäntö {i}", "project": "P", "regions": ["Kainuu"],
                                    "themes": ["osallisuus"], "priority": "TL 5 et 10.1"},
                                   "Ryhmävalmennus ja valmennusta nuorille.") for i in range(4)}
    practices[("kirjoitusvirhe", "fi")] = ({"title": "Virhe", "project": "P", "regions": ["Kainuu"],
                                            "themes": ["osallisuus"], "priority": "TL 5 et 10.1"},
                                           "Tekstissä lukee valmenus väärin.")
    content = make_content(tmp_path / "content", practices)
    build(content, tmp_path / "index")
    resp = SearchService(tmp_path / "index", content / "vocabularies").search(SearchRequest(q="valmenus"))
    assert resp.total == 1 and resp.corrected == {}
    assert resp.suggestion == {"q": "valmennus", "total": 4}


# --- title order: natural and Finnish (issue 12) ---------------------------------------------

def test_title_key_orders_numbers_by_value_and_the_finnish_alphabet():
    from app.names import title_key
    titles = ["Öljy", "Käytäntö 1000", "Åland", "käytäntö 10", "Zeta", "Käytäntö 0", "Äiti", "Käytäntö 2",
              "Käytäntö 1001", "apu", "2 askelta", "Käytäntö 02b", "Käytäntö " + "9" * 5000]
    assert sorted(titles, key=title_key) == [
        "2 askelta", "apu", "Käytäntö 0", "Käytäntö 2", "Käytäntö 02b", "käytäntö 10", "Käytäntö 1000",
        "Käytäntö 1001", "Käytäntö " + "9" * 5000, "Zeta", "Åland", "Äiti", "Öljy"]


def test_title_sort_is_natural_in_the_built_index(tmp_path):
    from app.indexing import build
    from conftest import make_content
    numbers = [0, 1000, 1001, 2, 10, 100]
    practices = {(f"k{n}", "fi"): ({"title": f"Käytäntö {n}", "project": "P", "regions": ["Kainuu"],
                                    "themes": ["osallisuus"], "priority": "TL 5 et 10.1"}, "Kuvaus.")
                 for n in numbers}
    practices[("a", "fi")] = ({"title": "Ääni", "project": "P", "regions": ["Kainuu"], "themes": ["osallisuus"],
                               "priority": "TL 5 et 10.1"}, "Kuvaus.")
    content = make_content(tmp_path / "content", practices)
    assert build(content, tmp_path / "index").ok
    resp = SearchService(tmp_path / "index", content / "vocabularies").search(SearchRequest(sort="title"))
    assert [r.title for r in resp.results] == [f"Käytäntö {n}" for n in sorted(numbers)] + ["Ääni"]
