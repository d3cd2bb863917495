"""Judged relevance: recall@10 and MRR of the search over a corpus written for it (issue 3).

The corpus (tests/relevance/corpus) and the judged queries (tests/relevance/queries.yaml) are
described in queries.yaml. bench/bench_relevance.py prints the same figures beside a baseline.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from app.content import load_content
from app.indexing import build
from app.search import SearchRequest, SearchService
from tests.relevance import judged

MIN_RECALL = 0.95
MIN_MRR = 0.85
QUERIES = judged.load_queries()


@pytest.fixture(scope="module")
def relevance_content(tmp_path_factory) -> Path:
    return judged.make_corpus_content(tmp_path_factory.mktemp("relevance") / "content")


@pytest.fixture(scope="module")
def relevance_service(relevance_content, tmp_path_factory) -> SearchService:
    root = tmp_path_factory.mktemp("relevance-index")
    result = build(relevance_content, root)
    assert result.ok, [str(p) for p in result.problems]
    return SearchService(root, relevance_content / "vocabularies")


def rank(service: SearchService, query: judged.Judged) -> list[str]:
    """Slugs of the first page of ten results, as a visitor would see them."""
    response = service.search(SearchRequest(q=query.q, filters=dict(query.filters), per_page=judged.K))
    return [r.slug for r in response.results]


def test_corpus_is_valid_content_of_synthetic_fixtures(relevance_content):
    loaded = load_content(relevance_content)
    assert not loaded.problems, [str(p) for p in loaded.problems]
    langs = [p.lang for p in loaded.practices]
    assert 40 <= len(langs) <= 60 and langs.count("sv") >= 8 and langs.count("en") >= 8
    assert {p.source for p in loaded.practices} == {"synthetic relevance fixture"}


def test_judged_queries_are_well_formed(relevance_content):
    slugs = {p.slug for p in load_content(relevance_content).practices}
    assert len(QUERIES) >= 40
    assert {q.kind for q in QUERIES} == set(judged.KINDS)
    for query in QUERIES:
        assert query.relevant <= slugs, (query.label, sorted(query.relevant - slugs))
        # Capped at K so that a perfect engine reaches recall@10 = 1.
        assert 1 <= len(query.relevant) <= judged.K, query.label
        assert bool(query.filters) == (query.kind == "filtered"), query.label


@pytest.mark.parametrize("query", [q for q in QUERIES if q.kind in ("inflection", "compound")],
                         ids=lambda q: q.q)
def test_inflection_and_compound_queries_do_not_occur_verbatim(query):
    hits = judged.verbatim_hits(query, judged.texts_by_slug())
    assert not hits, f"{query.q!r} occurs verbatim in its relevant practices: {hits}"


def test_recall_at_10_and_mrr_reach_the_targets(relevance_service, capsys):
    outcomes = judged.run(QUERIES, lambda q: rank(relevance_service, q))
    figures = judged.by_kind(outcomes)
    report = judged.table(figures)
    weak = [judged.describe(o) for o in outcomes if o.recall < 1 or o.reciprocal_rank < 1]
    with capsys.disabled():
        print(f"\nrelevance over {len(QUERIES)} judged queries\n{report}")
        if weak:
            print("queries below 1.0:\n  " + "\n  ".join(weak))
    total = figures["all"]
    assert total.recall >= MIN_RECALL and total.mrr >= MIN_MRR, (
        f"recall@10 {total.recall:.3f} (need {MIN_RECALL}), MRR {total.mrr:.3f} (need {MIN_MRR})\n"
        f"{report}\n" + "\n".join(weak))
