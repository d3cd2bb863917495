"""Judged relevance of our search beside a plain Whoosh StemmingAnalyzer baseline, in one run.

Usage: python bench/bench_relevance.py [--repeat R] [--detail]

Both engines index tests/relevance/corpus and answer tests/relevance/queries.yaml. The baseline
has the same fields (title/project/summary/body per language, same boosts), each analysed with
Whoosh's StemmingAnalyzer using that language's Snowball stemmer and stop list, and is queried
with Whoosh's MultifieldParser (AND grouping) over all of them; filters and the collapse to one
result per practice are the same for both. Prints recall@10 and MRR per query kind with the
ratio ours/baseline, and the median time per query over R timed passes after a warm-up pass.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from whoosh import fields, index, sorting  # noqa: E402
from whoosh import query as wq  # noqa: E402
from whoosh.analysis import StemmingAnalyzer  # noqa: E402
from whoosh.lang import stemmer_for_language, stopwords_for_language  # noqa: E402
from whoosh.qparser import MultifieldParser  # noqa: E402

from app.names import LANGUAGES  # noqa: E402
from app.content import Practice, load_content  # noqa: E402
from app.indexing import build  # noqa: E402
from app.indexing.schema import TEXT_BOOSTS  # noqa: E402
from app.search import SearchRequest, SearchService  # noqa: E402
from tests.relevance import judged  # noqa: E402

SNOWBALL = {"fi": "finnish", "sv": "swedish", "en": "english"}
TEXT_FIELDS = [f"{kind}_{lang}" for lang in LANGUAGES for kind in TEXT_BOOSTS]


# --- the baseline ---------------------------------------------------------------------------

def baseline_schema() -> fields.Schema:
    """Our text fields and boosts, each with a plain Snowball StemmingAnalyzer for its language."""
    spec: dict[str, fields.FieldType] = {"slug": fields.ID(stored=True, sortable=True)}
    for lang in LANGUAGES:
        analyzer = StemmingAnalyzer(stemfn=stemmer_for_language(SNOWBALL[lang]),
                                    stoplist=stopwords_for_language(SNOWBALL[lang]))
        for kind, boost in TEXT_BOOSTS.items():
            spec[f"{kind}_{lang}"] = fields.TEXT(analyzer=analyzer, phrase=True, field_boost=boost)
    return fields.Schema(**spec)


def build_baseline(practices: Sequence[Practice], target: Path) -> index.Index:
    ix = index.create_in(str(target), baseline_schema())
    with ix.writer() as writer:
        for p in practices:
            writer.add_document(**{"slug": p.slug, f"title_{p.lang}": p.title, f"project_{p.lang}": p.project,
                                   f"summary_{p.lang}": p.summary, f"body_{p.lang}": p.body_text})
    return ix


def facet_values(p: Practice, large_area_of: dict[str, str], langs: list[str]) -> dict[str, set[str]]:
    """A practice's facet values as the site filters on them (translations share the Finnish ones)."""
    return {"region": set(p.regions), "large_area": {large_area_of[r] for r in p.regions if r in large_area_of},
            "theme": set(p.themes), "axis": {p.axis}, "objective": {p.objective},
            "target_group": set(p.target_groups), "period": {p.period}, "lang": set(langs)}


class Corpus:
    """The loaded relevance corpus: which practices pass a set of filters."""

    def __init__(self, content: Path):
        loaded = load_content(content)
        assert not loaded.problems, [str(p) for p in loaded.problems]
        assert loaded.vocab is not None
        self.practices = loaded.practices
        large_area_of = {name: t.parent for name, t in loaded.vocab.regions.items() if t.parent}
        langs: dict[str, list[str]] = {}
        primary: dict[str, Practice] = {}
        for p in self.practices:
            langs.setdefault(p.slug, []).append(p.lang)
            if p.lang == "fi" or p.slug not in primary:
                primary[p.slug] = p
        self.values = {slug: facet_values(p, large_area_of, langs[slug]) for slug, p in primary.items()}

    def allowed(self, filters: dict[str, tuple[str, ...]]) -> wq.Query | None:
        """A query admitting the practices that have one of the chosen values of every facet."""
        if not filters:
            return None
        slugs = [s for s, v in self.values.items() if all(v[f] & set(chosen) for f, chosen in filters.items())]
        return wq.Or([wq.Term("slug", s) for s in slugs]) if slugs else wq.NullQuery


def top_slugs(searcher, q: wq.Query, allowed: wq.Query | None) -> list[str]:  # noqa: ANN001
    hits = searcher.search(q, limit=judged.K, filter=allowed, collapse=sorting.FieldFacet("slug"),
                           collapse_limit=1)
    return [hit["slug"] for hit in hits]


# --- measuring ------------------------------------------------------------------------------

def timed(rankers: dict[str, Callable[[judged.Judged], Sequence[str]]], queries: list[judged.Judged],
          repeat: int) -> dict[str, list[float]]:
    """Seconds per query of each ranker over ``repeat`` passes, the rankers interleaved per query."""
    samples: dict[str, list[float]] = {name: [] for name in rankers}
    for _ in range(repeat):
        for query in queries:
            for name, rank in rankers.items():
                start = time.perf_counter()
                rank(query)
                samples[name].append(time.perf_counter() - start)
    return samples


def ratio(ours: float, base: float) -> str:
    if base == 0:
        return "   inf" if ours else "     -"
    return f"{ours / base:6.2f}"


def comparison(ours: dict[str, judged.Figures], base: dict[str, judged.Figures]) -> str:
    lines = [f"{'kind':<11} {'n':>3} | {'recall@10':>9} {'baseline':>8} {'ratio':>6} | "
             f"{'MRR':>6} {'baseline':>8} {'ratio':>6}"]
    for kind, f in ours.items():
        b = base[kind]
        lines.append(f"{kind:<11} {f.queries:>3} | {f.recall:>9.3f} {b.recall:>8.3f} {ratio(f.recall, b.recall)} | "
                     f"{f.mrr:>6.3f} {b.mrr:>8.3f} {ratio(f.mrr, b.mrr)}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over all queries")
    parser.add_argument("--detail", action="store_true", help="list every query either engine gets wrong")
    args = parser.parse_args()

    queries = judged.load_queries()
    with tempfile.TemporaryDirectory(prefix="bench-relevance-") as tmp:
        tmp_path = Path(tmp)
        content = judged.make_corpus_content(tmp_path / "content")
        corpus = Corpus(content)

        start = time.perf_counter()
        result = build(content, tmp_path / "ours")
        ours_build = time.perf_counter() - start
        assert result.ok, [str(p) for p in result.problems]
        service = SearchService(tmp_path / "ours", content / "vocabularies")

        (tmp_path / "baseline").mkdir()
        start = time.perf_counter()
        base_ix = build_baseline(corpus.practices, tmp_path / "baseline")
        base_build = time.perf_counter() - start
        base_parser = MultifieldParser(TEXT_FIELDS, base_ix.schema)

        with base_ix.searcher() as base_searcher:
            def ours(query: judged.Judged) -> list[str]:
                response = service.search(SearchRequest(q=query.q, filters=dict(query.filters), per_page=judged.K))
                return [r.slug for r in response.results]

            def ours_ranking(query: judged.Judged) -> list[str]:
                wquery = service.interpreter.interpret(service.version(), query.q).query
                searcher = service.version().searcher
                return top_slugs(searcher, wquery, corpus.allowed(query.filters)) if wquery is not None else []

            def baseline(query: judged.Judged) -> list[str]:
                return top_slugs(base_searcher, base_parser.parse(query.q), corpus.allowed(query.filters))

            ours_out = judged.run(queries, ours)  # also the warm-up pass
            base_out = judged.run(queries, baseline)
            judged.run(queries, ours_ranking)
            samples = timed({"ours": ours, "ours_ranking": ours_ranking, "baseline": baseline}, queries, args.repeat)

    ours_fig, base_fig = judged.by_kind(ours_out), judged.by_kind(base_out)
    docs = len(corpus.practices)
    print(f"corpus: {docs} documents of {len(corpus.values)} practices; {len(queries)} judged queries")
    print(f"index build: ours {ours_build:.2f} s, baseline {base_build:.2f} s (ours includes validation)\n")
    print(comparison(ours_fig, base_fig))
    med = {name: statistics.median(s) * 1000 for name, s in samples.items()}
    print(f"\ntime per query, median of {len(queries)} queries x {args.repeat} passes:")
    print(f"  ours, SearchService.search (ranking + corrections + facet counts + snippets): "
          f"{med['ours']:7.2f} ms  ratio {med['ours'] / med['baseline']:.2f}")
    print(f"  ours, ranking only (build_query + search, same filter/collapse as baseline): "
          f"{med['ours_ranking']:7.2f} ms  ratio {med['ours_ranking'] / med['baseline']:.2f}")
    print(f"  baseline (MultifieldParser + search):                                          "
          f"{med['baseline']:7.2f} ms")
    if args.detail:
        for name, outcomes in (("ours", ours_out), ("baseline", base_out)):
            weak = [judged.describe(o) for o in outcomes if o.recall < 1 or o.reciprocal_rank < 1]
            print(f"\n{name}: {len(weak)} queries below 1.0")
            for line in weak:
                print("  " + line)


if __name__ == "__main__":
    main()
