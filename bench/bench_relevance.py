"""Judged relevance of our search beside two baselines, in one run, on both judged sets.

Usage: python bench/bench_relevance.py [--set original|planner|all] [--before DIR] [--repeat R] [--detail]

Each judged set (tests/relevance: "original", issue 3's set the engine was tuned on, and
"planner", issue 11's set written from its corpus without seeing the engine) is indexed by

- ours: this checkout's build and SearchService (what a visitor's first page of ten shows);
- before (with ``--before DIR``): another checkout's engine (e.g. the commit before a change),
  run in a subprocess on the same corpus and queries;
- baseline: plain Whoosh with the same fields and boosts, each analysed with Whoosh's
  StemmingAnalyzer (that language's Snowball stemmer and stop list), queried with Whoosh's
  MultifieldParser (AND grouping) over all of them; filters and the collapse to one result per
  practice are the same.

Prints recall@10, MRR and the number of queries with no result at all, per query kind, and the
median time per query over R timed passes after a warm-up pass.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
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

from app.names import FACETS, LANGUAGES  # noqa: E402
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


def facet_values(p: Practice) -> dict[str, set[str]]:
    """A practice's facet values as the site filters on them (translations share the Finnish ones)."""
    return {f.name: set(p.values(f)) for f in FACETS}


class Corpus:
    """The loaded relevance corpus: which practices pass a set of filters."""

    def __init__(self, content: Path):
        loaded = load_content(content)
        assert not loaded.problems, [str(p) for p in loaded.problems]
        assert loaded.vocab is not None
        self.practices = loaded.practices
        primary: dict[str, Practice] = {}
        for p in self.practices:
            if p.lang == "fi" or p.slug not in primary:
                primary[p.slug] = p
        self.values = {slug: facet_values(p) for slug, p in primary.items()}

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


# The other checkout's engine, in its own process (its modules would clash with ours in this one).
BEFORE = """
import json, sys
sys.path.insert(0, sys.argv[1])
from app.indexing import build
from app.search import SearchRequest, SearchService
content, index_dir = sys.argv[2], sys.argv[3]
result = build(content, index_dir)
assert result.ok, [str(p) for p in result.problems]
service = SearchService(index_dir, content + "/vocabularies")
out = []
for q in json.loads(sys.stdin.read()):
    response = service.search(SearchRequest(q=q["q"], filters={k: tuple(v) for k, v in q["filters"].items()},
                                            per_page=10))
    out.append([getattr(r, "slug", None) or r.id for r in response.results])
print(json.dumps(out))
"""


def before_rankings(other: Path, content: Path, index_dir: Path, queries: list[judged.Judged]) -> list[list[str]]:
    """The first page of ten of every query, as the engine of checkout ``other`` ranks it."""
    data = json.dumps([{"q": q.q, "filters": {k: list(v) for k, v in q.filters.items()}} for q in queries])
    out = subprocess.run([sys.executable, "-c", BEFORE, str(other), str(content), str(index_dir)], input=data,
                         capture_output=True, text=True, cwd=other)
    if out.returncode:
        raise RuntimeError(f"the engine of {other} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def zero(outcomes: Sequence[judged.Outcome], kind: str) -> int:
    return sum(1 for o in outcomes if not o.ranking and kind in ("all", o.query.kind))


def comparison(runs: dict[str, list[judged.Outcome]]) -> str:
    """recall@10, MRR and zero-result queries per kind, one column group per engine."""
    names = list(runs)
    figures = {name: judged.by_kind(outcomes) for name, outcomes in runs.items()}
    head = f"{'kind':<13} {'n':>3} | " + " | ".join(f"{n + ' R@10':>14} {'MRR':>6} {'zero':>4}" for n in names)
    lines = [head]
    for kind, f in figures[names[0]].items():
        cells = [f"{figures[n][kind].recall:>14.3f} {figures[n][kind].mrr:>6.3f} {zero(runs[n], kind):>4}"
                 for n in names]
        lines.append(f"{kind:<13} {f.queries:>3} | " + " | ".join(cells))
    return "\n".join(lines)


def measure(js: judged.JudgedSet, args: argparse.Namespace) -> None:
    queries = js.load_queries()
    with tempfile.TemporaryDirectory(prefix="bench-relevance-") as tmp:
        tmp_path = Path(tmp)
        content = js.make_corpus_content(tmp_path / "content")
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
        runs: dict[str, list[judged.Outcome]] = {}
        with base_ix.searcher() as base_searcher:
            def ours(query: judged.Judged) -> list[str]:
                response = service.search(SearchRequest(q=query.q, filters=dict(query.filters), per_page=judged.K))
                return [r.slug for r in response.results]

            def baseline(query: judged.Judged) -> list[str]:
                return top_slugs(base_searcher, base_parser.parse(query.q), corpus.allowed(query.filters))

            runs["ours"] = judged.run(queries, ours)  # also the warm-up pass
            if args.before:
                ranked = iter(before_rankings(args.before, content, tmp_path / "before", queries))
                runs["before"] = judged.run(queries, lambda q: next(ranked))
            runs["baseline"] = judged.run(queries, baseline)
            samples = timed({"ours": ours, "baseline": baseline}, queries, args.repeat)
    print(f"## {js.name}: {len(corpus.practices)} documents of {len(corpus.values)} practices; "
          f"{len(queries)} judged queries")
    print(f"index build: ours {ours_build:.2f} s, baseline {base_build:.2f} s (ours includes validation)\n")
    print(comparison(runs))
    med = {name: statistics.median(s) * 1000 for name, s in samples.items()}
    p95 = {name: sorted(s)[int(0.95 * (len(s) - 1))] * 1000 for name, s in samples.items()}
    print(f"\ntime per query over {len(queries)} queries x {args.repeat} passes: ours median {med['ours']:.2f} ms, "
          f"p95 {p95['ours']:.2f} ms (SearchService.search: understanding, corrections, ranking, facet counts, "
          f"snippets); baseline median {med['baseline']:.2f} ms, p95 {p95['baseline']:.2f} ms\n")
    if args.detail:
        for name, outcomes in runs.items():
            weak = [judged.describe(o) for o in outcomes if o.recall < 1 or o.reciprocal_rank < 1]
            print(f"{name}: {len(weak)} queries below 1.0")
            for line in weak:
                print("  " + line)
            print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="all", choices=["all", *judged.SETS])
    parser.add_argument("--before", type=Path, help="another checkout whose engine is measured beside ours")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over all queries")
    parser.add_argument("--detail", action="store_true", help="list every query an engine gets wrong")
    args = parser.parse_args()
    for name, js in judged.SETS.items():
        if args.set in ("all", name):
            measure(js, args)


if __name__ == "__main__":
    main()
