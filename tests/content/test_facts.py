"""The optional facts (EURA code, duration, funding), dates and old slugs of a practice: each rule has a
failing example with its code, field and line; translations inherit the project's facts and must agree."""
from __future__ import annotations

import json

import pytest

from app.content import load_content
from app.content.facts import EURA2014_PROJECT, eura_url, section_key
from conftest import make_content, write_practice

GOOD = {"title": "T", "project": "P", "regions": ["Kainuu"], "themes": ["osallisuus"], "priority": "TL 3 et 6.1"}
FUNDING = {"total": 2499130, "esf": 1093749.5, "source": "https://kohesio.eu/en/projects/Q3757245"}


@pytest.fixture()
def root(tmp_path):
    return make_content(tmp_path / "content", practices={})


def _load(root, **files):
    """Write ``slug_lang=(extra front matter)`` files and load the directory."""
    for name, extra in files.items():
        slug, lang = name.rsplit("_", 1)
        meta = {**GOOD, **extra} if lang == "fi" else {"title": "T", "project": "P", **extra}
        write_practice(root, slug.replace("_", "-"), lang, meta, "Kuvaus.")
    return load_content(root)


def _problems(loaded) -> list[tuple[str, str, str]]:
    return [(p.field, p.code, p.message) for p in loaded.problems]


def test_valid_facts_reach_the_record(root):
    loaded = _load(root, x_fi={"eura_code": "s 21468", "started": "2015-01-01", "ended": "2018-07-31",
                               "funding": FUNDING, "published": "2019-05-01", "updated": "2026-11-29",
                               "aliases": ["vanha-x"]})
    assert loaded.problems == []
    record = loaded.practices[0].record()
    assert record["eura_code"] == "S21468"
    assert record["eura_url"] == "https://www.eura2014.fi/rrtiepa/projekti.php?projektikoodi=S21468"
    assert (record["started"], record["ended"]) == ("2015-01-01", "2018-07-31")
    assert record["funding"] == FUNDING
    assert (record["published"], record["updated"], record["aliases"]) == ("2019-05-01", "2026-11-29", ["vanha-x"])
    json.dumps(record)  # the catalogue stores it as JSON


def test_absent_facts_are_none_and_free_text_stays_valid(root):
    loaded = _load(root, x_fi={})
    assert loaded.problems == []
    record = loaded.practices[0].record()
    assert [record[k] for k in ("eura_code", "eura_url", "started", "ended", "funding")] == [None] * 5
    assert record["aliases"] == [] and record["sections"] == []


@pytest.mark.parametrize("extra, expected", [
    ({"eura_code": "21468"}, ("eura_code", "KP601", "'21468' is not a EURA project code: write S (an ESF project) "
                                                    "or A (an ERDF project) and the digits of its record, e.g. S21468")),
    ({"eura_code": 21468}, ("eura_code", "KP601", "must be a EURA project code such as S21468 in quotes, but YAML "
                                                  "read this as the number 21468")),
    ({"started": "1.1.2015"}, ("started", "KP602", "'1.1.2015' is not written year-month-day: write started: 2015-01-01")),
    ({"ended": "2015-02-30"}, ("ended", "KP602", "'2015-02-30' is not a real date (there is no such day); check the "
                                                 "day and the month")),
    ({"published": "eilen"}, ("published", "KP602", "'eilen' is not a date written year-month-day, such as 2015-01-31")),
    ({"updated": 2020}, ("updated", "KP602", "must be a date written year-month-day, such as 2015-01-31, but YAML read "
                                             "this as the number 2020")),
    ({"started": "2018-01-01", "ended": "2017-12-31"},
     ("ended", "KP603", "the project ended (2017-12-31) before it started (2018-01-01); check the two dates")),
    ({"published": "2021-01-01", "updated": "2020-01-01"},
     ("updated", "KP604", "updated (2020-01-01) is before published (2021-01-01): a practice changes after it is "
                          "first published; check the two dates")),
    ({"funding": 2499130}, ("funding", "KP605", "must be lines under it: total (the total budget in euros), esf (the "
                                                "ESF share in euros) and source, but YAML read this as the number 2499130")),
    ({"funding": {"total": 5, "eu": 1, "source": "s"}},
     ("funding", "KP605", "unknown field 'eu' under funding (known: total, esf, source)")),
    ({"funding": {"source": "s"}}, ("funding", "KP605", "give the total budget (total), the ESF share (esf) or both, "
                                                        "in euros")),
    ({"funding": {"total": "2 499 130 €", "source": "s"}},
     ("funding", "KP606", "'2 499 130 €' is not a number of euros as YAML reads one: write the digits only, with a "
                          "point before the cents: 2499130")),
    ({"funding": {"esf": "1093749,50", "source": "s"}},
     ("funding", "KP606", "'1093749,50' is not a number of euros as YAML reads one: write the digits only, with a "
                          "point before the cents: 1093749.50")),
    ({"funding": {"total": -1, "source": "s"}}, ("funding", "KP606", "-1 is not a sum of euros: it must be zero or more")),
    ({"funding": {"total": True, "source": "s"}},
     ("funding", "KP606", "a sum must be a number of euros such as 2499130, but YAML read this as the yes/no value True")),
    ({"funding": {"total": 5, "esf": 6, "source": "s"}},
     ("funding", "KP607", "the ESF share (6 €) is larger than the total (5 €); check the two numbers")),
    ({"funding": {"total": 5}}, ("funding", "KP608", "the numbers need their source: add 'source: …' under funding "
                                                     "(the page or report they come from)")),
    ({"aliases": ["Vanha Nimi"]}, ("aliases", "KP609", "'Vanha Nimi' is not a slug: an old address is lower-case a-z, "
                                                       "0-9 and hyphens, as in aliases: [vanha-nimi]")),
    ({"aliases": ["x"]}, ("aliases", "KP609", "'x' is this practice's own slug; list only its old slugs")),
])
def test_each_rule_says_what_to_write(root, extra, expected):
    assert _problems(_load(root, x_fi=extra)) == [expected]


def test_problems_name_the_line_of_their_field(root):
    loaded = _load(root, x_fi={"eura_code": "X1", "ended": "31.7.2018"})
    lines = (root / "practices" / "x.fi.md").read_text(encoding="utf-8").splitlines()
    for problem in loaded.problems:
        assert lines[problem.line - 1].startswith(problem.field + ":"), problem


def test_messages_are_in_the_editors_language(root):
    loaded = _load(root, x_fi={"funding": {"total": 5, "esf": 6, "source": "s"}})
    from app.content.messages import translator

    (problem,) = loaded.problems
    assert problem.format(translator("fi")).endswith(
        "funding: ESR-rahoituksen osuus (6 €) on suurempi kuin kokonaisbudjetti (5 €); tarkista molemmat luvut [KP607]")
    assert "ESF-andelen (6 €) är större än den totala budgeten (5 €)" in problem.format(translator("sv"))


def test_a_translation_inherits_the_projects_facts_and_keeps_its_own_dates(root):
    loaded = _load(root, x_fi={"eura_code": "S20251", "funding": FUNDING, "published": "2019-05-01"},
                   x_sv={"published": "2020-02-02"}, x_en={"eura_code": "S20251"})
    assert loaded.problems == []
    by_lang = {p.lang: p for p in loaded.practices}
    assert {lang: p.eura_code for lang, p in by_lang.items()} == {"fi": "S20251", "sv": "S20251", "en": "S20251"}
    assert by_lang["sv"].funding == FUNDING
    assert (by_lang["fi"].published, by_lang["sv"].published, by_lang["en"].published) == ("2019-05-01", "2020-02-02", "")


def test_a_translation_that_gives_other_facts_disagrees(root):
    loaded = _load(root, x_fi={"eura_code": "S20251"}, x_en={"eura_code": "S20252", "started": "2015-01-01"})
    assert [(p.path.rsplit("/", 1)[1], p.field, p.code) for p in loaded.problems] == [
        ("x.en.md", "eura_code", "KP402"), ("x.en.md", "started", "KP402")]
    assert "(S20252 here, S20251 there)" in loaded.problems[0].message
    assert "(2015-01-01 here, — there)" in loaded.problems[1].message


def test_old_slugs_of_every_version_lead_to_the_practice(root):
    loaded = _load(root, x_fi={"aliases": ["vanha-x"]}, x_sv={"aliases": ["gammal-x"]})
    assert loaded.problems == []
    assert {p.aliases for p in loaded.practices} == {("vanha-x", "gammal-x")}


def test_an_alias_may_not_be_another_practices_slug_or_anothers_alias(root):
    loaded = _load(root, x_fi={"aliases": ["y", "yhteinen"]}, y_fi={}, z_fi={"aliases": ["yhteinen"]})
    found = sorted((p.path.rsplit("/", 1)[1], p.line, p.code) for p in loaded.problems)
    line = next(i for i, text in enumerate((root / "practices" / "x.fi.md").read_text().splitlines(), 1)
                if text.startswith("aliases:"))
    assert found[0] == ("x.fi.md", line + 1, "KP610")  # YAML's block list: "- y" on the line after "aliases:"
    assert [f[2] for f in found[1:]] == ["KP611", "KP611"] and {f[0] for f in found[1:]} == {"x.fi.md", "z.fi.md"}
    assert "'yhteinen' is also an old address of z" in next(p.message for p in loaded.problems
                                                             if p.path.endswith("x.fi.md") and p.code == "KP611")


def test_eura_links_only_where_the_record_is_known():
    assert eura_url("S21468", "2014–2020") == EURA2014_PROJECT.format(code="S21468")
    assert eura_url("S21468", "2021–2027") is None and eura_url("", "2014–2020") is None


@pytest.mark.parametrize("heading, key", [
    ("Tulokset ja arviointi", "results"), ("Resultat och utvärdering", "results"), ("results and evaluation:", "results"),
    ("Perusajatus", "basic-idea"), ("Grundidé", "basic-idea"), ("Basic idea", "basic-idea"),
    ("Kohderyhmä", "target-group"), ("Målgrupp", "target-group"), ("Target group", "target-group"),
    ("Toteutus", "how-it-was-done"), ("Genomförande", "how-it-was-done"), ("How it was done", "how-it-was-done"),
    ("Resurssit", "resources"), ("Resurser", "resources"), ("Resources", "resources"),
    ("Yhteystaho", "contact"), ("Kontaktorganisation", "contact"), ("Contact organisation", "contact"),
    ("Mitä opimme", None),
])
def test_standard_headings_in_three_languages(heading, key):
    assert section_key(heading) == key
