"""The block-at-a-time ranker gives Whoosh's own BM25F scores, with and without deleted documents."""
import shutil

import pytest
from whoosh import index

from whoosh import query as wq

from app.search.ranking import Ranker
from app.search import SearchRequest, SearchService
from conftest import BUNDLED_CONTENT

QUERIES = ["nuoret", "nuorten ohjaus", "kotoutuminen OR maahanmuuttajat", "työ -nuoret", '"kohti työtä"',
           "palvelu", "unga", "young people", "koulutus työllisyys yritys", "-nuoret"]


def engine_query(service, text):
    """The query's clauses as one Whoosh query: every required clause, no excluded one."""
    meant = service.interpreter.interpret(service.version(), text, correct=False)
    required = [c.query for c in meant.required] or [wq.Every()]
    node = wq.And(required) if len(required) > 1 else required[0]
    return wq.AndNot(node, wq.Or([c.query for c in meant.excluded])) if meant.excluded else node


def whoosh_scores(searcher, wquery):
    return {hit.docnum: hit.score for hit in searcher.search(wquery, limit=None)}


def matching(scores, searcher):
    """The documents a dense score array says match (score above zero), deleted ones left out."""
    alive = set(searcher.reader().all_doc_ids())
    return {d: float(s) for d, s in enumerate(scores) if s > 0 and d in alive}


@pytest.fixture(scope="module")
def bundled_service(bundled_index):
    return SearchService(bundled_index, BUNDLED_CONTENT / "vocabularies")


@pytest.mark.parametrize("text", QUERIES)
def test_scores_equal_whoosh_scores(bundled_service, text):
    v = bundled_service.version()
    wquery = engine_query(bundled_service, text)
    expected = whoosh_scores(v.searcher, wquery)
    got = matching(Ranker(v.searcher).scores(wquery), v.searcher)
    assert expected, text  # each query finds something, so the comparison means something
    assert got.keys() == expected.keys()
    assert all(got[d] == pytest.approx(expected[d], rel=1e-9) for d in expected)


def test_scores_equal_whoosh_scores_with_deleted_documents(bundled_service, tmp_path):
    copy = tmp_path / "version"
    shutil.copytree(bundled_service.version().path, copy)
    ix = index.open_dir(str(copy))
    writer = ix.writer()
    v = bundled_service.version()
    first = v.searcher.search(engine_query(bundled_service, "nuoret"), limit=1)[0]["slug"]
    writer.delete_by_term("slug", first)
    writer.commit(merge=False)  # an incremental build leaves deleted documents like this until a merge
    with index.open_dir(str(copy)).searcher() as searcher:
        assert searcher.reader().has_deletions()
        for text in QUERIES:
            wquery = engine_query(bundled_service, text)
            expected = whoosh_scores(searcher, wquery)
            got = matching(Ranker(searcher).scores(wquery), searcher)
            assert got.keys() == expected.keys(), text
            assert all(got[d] == pytest.approx(expected[d], rel=1e-9) for d in expected), text


def test_remembered_terms_give_the_same_scores_and_the_same_page(bundled_service):
    v = bundled_service.version()
    wquery = engine_query(bundled_service, "nuorten ohjaus")
    ranker = Ranker(v.searcher)
    first = ranker.scores(wquery)
    misses = ranker.cache_misses
    again = ranker.scores(wquery)
    assert ranker.cache_misses == misses and ranker.cache_hits >= misses  # nothing decoded the second time
    assert (first == again).all()
    # Shown hits read positions from the postings when the ranking kept no blocks: same snippets.
    req = SearchRequest(q="nuorten ohjaus")
    cold = SearchService(bundled_service.root, BUNDLED_CONTENT / "vocabularies").search(req)
    warm = bundled_service.search(req)
    warm = bundled_service.search(req)
    assert [(r.slug, r.snippet, r.matched) for r in warm.results] == [(r.slug, r.snippet, r.matched) for r in cold.results]
    assert warm.results and any("<mark>" in r.snippet for r in warm.results)


def test_the_cache_stays_within_its_budget(bundled_service):
    v = bundled_service.version()
    ranker = Ranker(v.searcher, cache_bytes=4096)
    for word in ("nuoret", "työ", "koulutus", "palvelu", "maahanmuuttaja", "ohjaus", "yritys"):
        ranker.scores(engine_query(bundled_service, word))
        assert ranker._cache_bytes <= 4096
