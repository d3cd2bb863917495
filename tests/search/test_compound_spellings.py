"""Closed, hyphenated and spaced spellings of a compound find the same practices, also when the last
part is ambiguous ("paikkojen": paikko or paikka) or the first part is a bound modifier ("asuin")."""
from __future__ import annotations

import pytest

from app.indexing import build
from app.search import SearchRequest, SearchService
from app.text import compound_parts
from conftest import TINY, VOCABULARIES, make_content

GOOD = TINY[("kielikoulutus", "fi")][0]
PRACTICES = {
    ("paikat", "fi"): (GOOD, "Hanke lisäsi koulutuspaikkojen määrää maakunnassa."),
    ("tyopaikat", "fi"): (GOOD, "Työpaikoilla järjestettiin koulutus uusille työntekijöille."),
    ("asuinpaikka", "fi"): (GOOD, "Nuoret osallistuvat asuinpaikasta riippumatta."),
    ("muu", "fi"): (GOOD, "Kuvaus, jossa ei ole kumpaakaan sanaa."),
}


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("compounds")
    content = make_content(tmp / "content", PRACTICES)
    assert build(content, tmp / "index").ok
    return SearchService(tmp / "index", VOCABULARIES)


def _slugs(svc, q: str) -> set[str]:
    return {r.slug for r in svc.search(SearchRequest(q=q, per_page=100)).results}


def test_a_hyphenated_compound_has_the_parts_of_the_closed_one():
    assert compound_parts("koulutus-paikkojen", "fi") == compound_parts("koulutuspaikkojen", "fi") == (
        "koulutus", "paikka")
    assert compound_parts("ohjaamo-toiminta", "fi") == ("ohjaamo", "toiminta")


@pytest.mark.parametrize("modifier, head", [("koulutus", "paikkojen"), ("asuin", "paikasta")])
def test_closed_hyphenated_and_spaced_find_the_same(svc, modifier, head):
    closed = _slugs(svc, modifier + head)
    assert closed and "muu" not in closed
    assert closed <= _slugs(svc, f"{modifier}-{head}")
    assert closed <= _slugs(svc, f"{modifier} {head}")
