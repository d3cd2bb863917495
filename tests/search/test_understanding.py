"""Search that answers the way planners ask (issue 11): every input the issue quotes, with its right answer.

The corpus (tests/search/planner_corpus.py) does not repeat metadata in its descriptions.
"""
from __future__ import annotations

import unicodedata

import pytest

from app.indexing import build
from app.search import SearchRequest, SearchService
import planner_corpus as corpus


@pytest.fixture(scope="module")
def svc(tmp_path_factory) -> SearchService:
    root = tmp_path_factory.mktemp("planner")
    content = corpus.make(root / "content")
    result = build(content, root / "index")
    assert result.ok, [str(p) for p in result.problems]
    return SearchService(root / "index", content / "vocabularies")


def found(svc: SearchService, q: str, **filters) -> set[str]:
    return {r.slug for r in svc.search(SearchRequest(q=q, filters=filters, per_page=100)).results}


def response(svc: SearchService, q: str, **filters):  # noqa: ANN201
    return svc.search(SearchRequest(q=q, filters=filters, per_page=100))


# --- 1. the whole practice is searchable --------------------------------------------------------

@pytest.mark.parametrize("q, expected", [
    ("Pohjois-Karjalassa", {"kotoutumisen-koulutus"}),
    ("Pohjois-Karjalan", {"kotoutumisen-koulutus"}),
    ("kotoutuminen", {"kotoutumisen-koulutus", "tyopaikat"}),
    ("TL 5", {"kotoutumisen-koulutus", "romanien-ohjaus", "mentorit", "samarbete", "tyopaikat"}),
    ("TL5", {"kotoutumisen-koulutus", "romanien-ohjaus", "mentorit", "samarbete", "tyopaikat"}),
    ("et 10.1", {"kotoutumisen-koulutus", "romanien-ohjaus", "mentorit", "samarbete", "tyopaikat"}),
    ("10.1", {"kotoutumisen-koulutus", "romanien-ohjaus", "mentorit", "samarbete", "tyopaikat"}),
    ("TL 4 et 9.1", {"larlingar", "kesto"}),
    ("Itä-Suomessa", {"kotoutumisen-koulutus", "yli-55", "duuniin"}),  # Etelä-Savo, Pohjois-Savo, Pohjois-Karjala
    ("romanit", {"romanien-ohjaus"}),
    ("Kotopolku", {"kotoutumisen-koulutus"}),
])
def test_metadata_typed_as_text_finds_the_practices_tagged_with_it(svc, q, expected):
    assert found(svc, q) == expected


def test_a_long_official_name_in_a_body_does_not_make_a_match(svc):
    # yli-55 repeats objective 6.1's name ("Nuorten ja muiden …") but is about people over 55.
    assert "yli-55" not in found(svc, "nuoret")
    assert "yli-55" in found(svc, "sparraus")
    assert "yli-55" in found(svc, corpus.OBJECTIVE_61), "the name itself is recognised as the objective"


def test_the_stored_text_keeps_the_official_name(svc):
    record = svc.practice("yli-55")["fi"]
    assert corpus.OBJECTIVE_61 in record["body_text"]


# --- 2. the query is understood, and the page says how -------------------------------------------

def test_facet_values_named_in_the_query_are_offered_not_applied(svc):
    resp = response(svc, "nuoret Itä-Suomessa")
    offered = {(o.facet, o.value): o.count for o in resp.recognised}
    assert offered[("large_area", "Itä-Suomi")] == resp.total
    assert ("target_group", "nuoret") in offered
    assert resp.request.filters == {}, "nothing applied silently"


def test_a_municipality_leads_to_its_region_per_period(svc):
    resp = response(svc, "nuoret Kajaanissa")
    region = next(o for o in resp.recognised if o.facet == "region")
    assert (region.value, region.via) == ("Kainuu", "Kajaani")
    assert "nuorison-tyot" in {r.slug for r in resp.results}, "the region's practices are found"
    # Heinävesi moved from Etelä-Savo to Pohjois-Karjala in 2021 (Statistics Finland's key).
    moved = {(o.value, o.periods) for o in response(svc, "Heinävedellä").recognised}
    assert moved <= {("Etelä-Savo", ("2014–2020",)), ("Pohjois-Karjala", ("2021–2027",))}


def test_a_municipality_that_is_also_a_common_word_needs_a_capital(svc):
    assert not [o for o in response(svc, "nuoret lahdessa").recognised if o.facet == "region"]


# --- 3. no dead ends ------------------------------------------------------------------------------

@pytest.mark.parametrize("q", [
    "nuoret maahanmuuttajat Itä-Suomessa", "nuorten maahanmuuttajien ohjaus", "suomen kielen opetus työpaikalla",
    "opiskelijoiden yhteistyö yritysten kanssa Joensuussa", "unga invandrare",
])
def test_natural_questions_never_dead_end(svc, q):
    resp = response(svc, q)
    assert resp.total > 0 and resp.match in ("all", "partial")
    assert {w for text in resp.missing for w in text.split()} <= set(q.split()), "the words no practice holds"


def test_every_word_matching_beats_some_words_matching(svc):
    resp = response(svc, "harjoittelivat kieltä")
    assert resp.match == "all" and {r.slug for r in resp.results} == {"kotoutumisen-koulutus"}
    partial = response(svc, "harjoittelivat kieltä zzqxw")
    assert partial.match == "partial" and partial.missing == ["zzqxw"]
    assert partial.results[0].slug == "kotoutumisen-koulutus"


@pytest.mark.parametrize("filler", ["miten", "hyvä käytäntö", "keinoja", "kokemuksia", "hanke"])
def test_filler_words_never_block_a_query(svc, filler):
    resp = response(svc, f"{filler} vertaismentorointi")
    assert resp.match == "all" and {r.slug for r in resp.results} == {"mentorit"}


def test_nothing_at_all_is_zero_with_next_steps(svc):
    resp = response(svc, "zzqxw")
    assert resp.total == 0 and resp.match == "none"
    with_filter = response(svc, "vertaismentorointi", region=("Lappi",))
    assert with_filter.total == 0
    assert with_filter.relaxations == [{"facet": "region", "value": "Lappi", "total": 1}]


# --- 4. compounds both ways ---------------------------------------------------------------------------

@pytest.mark.parametrize("q, slug", [
    ("kotoutumiskoulutus", "kotoutumisen-koulutus"),
    ("nuorisotyöttömyys", "nuorison-tyot"),
    ("romaniohjaus", "romanien-ohjaus"),
])
def test_a_compound_finds_its_parts_written_apart(svc, q, slug):
    assert slug in found(svc, q)


def test_closed_hyphenated_and_spaced_spellings_find_the_same(svc):
    expected = {"ohjaamo-yhdysmerkilla", "ohjaamo-yhteen", "ohjaamo-erikseen"}
    assert found(svc, "ohjaamotoiminta") == found(svc, "Ohjaamo-toiminta") == found(svc, "ohjaamo toiminta") \
        == expected


def test_swedish_forms_and_compounds(svc):
    assert "larlingar" in found(svc, "arbetsliv")
    assert "larlingar" in found(svc, "lärlingsutbildning")
    assert "larlingar" in found(svc, "lärlingsutbildningsavtal")


# --- 5. query tokens equal index tokens ----------------------------------------------------------------

@pytest.mark.parametrize("with_ending, plain", [("EU:n", "EU"), ("ESR:n", "ESR"), ("EU:ssa", "EU")])
def test_a_case_ending_after_a_colon_is_part_of_the_word(svc, with_ending, plain):
    assert found(svc, with_ending) == found(svc, plain)


def test_a_space_hyphen_word_after_a_name_is_a_word(svc):
    resp = response(svc, "Nuoret Duuniin 2017 -hankkeen")
    assert {r.slug for r in resp.results} == {"duuniin"} and resp.excluded == []


def test_an_exclusion_is_said_and_works_per_practice(svc):
    resp = response(svc, "-vertaismentorointi")
    assert resp.excluded == ["vertaismentorointi"]
    assert "mentorit" not in {r.slug for r in resp.results}, "its Swedish version does not say the word"
    assert resp.total + len(found(svc, "vertaismentorointi")) == len(corpus.slugs())


# --- 6. corrections you can trust ---------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["kesätyö", "nuoriso", "työllistäminen"])
def test_a_real_word_is_never_replaced(svc, q):
    resp = response(svc, q)
    assert resp.corrected == {}
    if resp.suggestion:
        assert resp.suggestion["q"] not in ("kesto", "nuora", "työllistyä")


@pytest.mark.parametrize("typed, meant, slug", [
    ("employmnt", "employment", "employment"),
    ("tyopaikkoihin", "työpaikkoihin", "tyopaikat"),
    ("tyollisyys", "työllisyys", "tyopaikat"),
    ("tyoton", "työtön", "tyopaikat"),
    ("rmaninaisille", "romaninaisille", "romanien-ohjaus"),
])
def test_a_slip_anywhere_is_corrected_to_a_real_word(svc, typed, meant, slug):
    resp = response(svc, typed)
    assert resp.corrected == {typed: meant}
    assert slug in {r.slug for r in resp.results}


def test_a_known_word_is_not_corrected_into_a_stem(svc):
    resp = response(svc, "arbetsliv")
    assert resp.corrected == {} and "larlingar" in {r.slug for r in resp.results}


# --- 7. synonyms --------------------------------------------------------------------------------------

def test_a_synonym_never_expands_into_a_stop_word(svc):
    # [invandrare, person med invandrarbakgrund]: "med" alone must not match.
    assert "samarbete" not in found(svc, "invandrare")
    assert "larlingar" in found(svc, "invandrare")


# --- 8. Unicode ----------------------------------------------------------------------------------------

def test_decomposed_unicode_is_the_same_text(svc):
    nfd = unicodedata.normalize("NFD", "Pohjois-Karjalassa työpaikalla")
    assert nfd != unicodedata.normalize("NFC", nfd)
    assert found(svc, nfd) == found(svc, unicodedata.normalize("NFC", nfd)) != set()
