"""The rule for Swedish and English files (app/content/resolve.py): inherit what they leave out, agree on what
they give, and stand alone only with regions, themes and priority of their own."""
from __future__ import annotations

from app.content import load_content
from conftest import write_practice

FI = {"title": "Uravalmennus", "project": "Ohjaamo", "regions": ["Pohjois-Karjala"], "themes": ["kohti työtä"],
      "priority": "TL 3 et 6.1", "target_groups": ["nuoret"]}
SV = {"title": "Karriärcoachning", "project": "Ohjaamo"}


def load(content_dir, files):
    for (slug, lang), meta in files.items():
        write_practice(content_dir, slug, lang, meta, "Kuvaus. Beskrivning.")
    result = load_content(content_dir)
    mine = [p for p in result.problems if "/t." in p.path]
    return result, mine


def practice(result, lang):
    return next(p for p in result.practices if p.slug == "t" and p.lang == lang)


def test_a_swedish_file_giving_only_regions_inherits_the_rest(content_dir):
    result, problems = load(content_dir, {("t", "fi"): FI, ("t", "sv"): {**SV, "regions": ["Pohjois-Karjala"]}})
    assert problems == []
    sv = practice(result, "sv")
    assert sv.regions == ("Pohjois-Karjala",) and sv.themes == ("kohti työtä",)
    assert (sv.axis, sv.objective, sv.period, sv.target_groups) == ("TL 3", "6.1", "2014–2020", ("nuoret",))


def test_regions_may_be_written_by_their_swedish_names(content_dir):
    result, problems = load(content_dir, {("t", "fi"): FI, ("t", "sv"): {**SV, "regions": ["Norra Karelen"]}})
    assert problems == [] and practice(result, "sv").regions == ("Pohjois-Karjala",)


def test_a_given_facet_that_disagrees_is_the_only_problem(content_dir):
    _, problems = load(content_dir, {("t", "fi"): FI, ("t", "sv"): {**SV, "regions": ["Kainuu"]}})
    assert [(p.code, p.field, p.line) for p in problems] == [("KP402", "regions", 4)]
    assert problems[0].message.startswith("disagrees with content/practices/t.fi.md (Kainuu here, Pohjois-Karjala")


def test_an_empty_list_inherits(content_dir):
    result, problems = load(content_dir, {("t", "fi"): FI, ("t", "sv"): {**SV, "regions": [], "themes": []}})
    assert problems == [] and practice(result, "sv").regions == ("Pohjois-Karjala",)


def test_a_priority_is_checked_against_the_period_the_translation_inherits(content_dir):
    fi = {**FI, "priority": "TL 4 et 4.1", "period": "2021–2027"}
    result, problems = load(content_dir, {("t", "fi"): fi, ("t", "sv"): {**SV, "priority": "TL 4 et 4.1"}})
    assert problems == [] and practice(result, "sv").period == "2021–2027"


def test_a_translation_of_an_invalid_original_is_not_called_an_orphan(content_dir):
    _, problems = load(content_dir, {("t", "fi"): {**FI, "regions": ["Pohjois Karjala"]}, ("t", "en"): SV,
                                     ("t", "sv"): {**SV, "themes": ["kohti työtä"]}})
    assert [(p.path, p.code) for p in problems] == [("content/practices/t.fi.md", "KP208")]


def test_a_translation_without_an_original_must_give_what_it_cannot_inherit(content_dir):
    _, problems = load(content_dir, {("t", "sv"): {**SV, "regions": ["Kainuu"]}})
    assert [(p.code, p.field) for p in problems] == [("KP202", "themes"), ("KP202", "priority")]
    assert "add 't.fi.md'" not in problems[0].message and "add t.fi.md, from which it would be inherited" in \
        problems[0].message


def test_a_translation_without_an_original_and_without_facets_is_told_once(content_dir):
    _, problems = load(content_dir, {("t", "sv"): SV})
    assert [(p.code, p.message) for p in problems] == [
        ("KP401", "translation without a Finnish original: add t.fi.md, or give regions, themes and priority here")]


def test_a_translation_standing_alone_with_its_facets_is_a_practice(content_dir):
    result, problems = load(content_dir, {("t", "sv"): {**SV, "regions": ["Kainuu"], "themes": ["osallisuus"],
                                                         "priority": "TL 5 et 10.1"}})
    assert problems == [] and practice(result, "sv").period == "2014–2020"
