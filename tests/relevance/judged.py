"""The judged relevance set: corpus, queries and the recall@10 / MRR arithmetic.

Shared by tests/search/test_relevance.py and bench/bench_relevance.py so both score the same way.
"""
from __future__ import annotations

import re
import shutil
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CORPUS = HERE / "corpus"
QUERIES = HERE / "queries.yaml"
VOCABULARIES = ROOT / "content" / "vocabularies"
K = 10
KINDS = ("inflection", "compound", "phrase", "filtered", "swedish", "english", "typo", "synonym", "multiword",
         "question", "metadata", "municipality", "colon", "precision")
# A word as a reader sees it: letters/digits, a hyphenated word counting as one ("lean-menetelmällä").
_WORD = re.compile(r"\w+(?:-\w+)*")
_FILE = re.compile(r"^(?P<slug>[a-z0-9-]+)\.(?P<lang>[a-z]{2})\.md$")


@dataclass(frozen=True)
class Judged:
    """One judged query: what the visitor types, filters, and every relevant practice."""

    kind: str
    q: str
    relevant: frozenset[str]
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    note: str = ""

    @property
    def label(self) -> str:
        where = " ".join(f"{k}={'|'.join(v)}" for k, v in self.filters.items())
        return f"{self.kind}: {self.q}" + (f" [{where}]" if where else "")


@dataclass(frozen=True)
class Outcome:
    """One query's ranking (slugs, best first) scored against its judgments."""

    query: Judged
    ranking: tuple[str, ...]
    seconds: float = 0.0

    @property
    def recall(self) -> float:
        return len(self.query.relevant & set(self.ranking[:K])) / len(self.query.relevant)

    @property
    def reciprocal_rank(self) -> float:
        rank = self.first_relevant_rank
        return 1.0 / rank if rank else 0.0

    @property
    def first_relevant_rank(self) -> int | None:
        return next((i for i, slug in enumerate(self.ranking[:K], 1) if slug in self.query.relevant), None)

    @property
    def missing(self) -> list[str]:
        return sorted(self.query.relevant - set(self.ranking[:K]))


@dataclass(frozen=True)
class Figures:
    """Mean recall@10 and MRR of a group of outcomes."""

    queries: int
    recall: float
    mrr: float


@dataclass(frozen=True)
class JudgedSet:
    """A corpus written for judging relevance and the queries judged over it."""

    name: str
    corpus: Path
    queries: Path

    def load_queries(self) -> list[Judged]:
        return load_queries(self.queries)

    def make_corpus_content(self, root: Path) -> Path:
        return make_corpus_content(root, self.corpus)

    def texts_by_slug(self) -> dict[str, str]:
        return texts_by_slug(self.corpus)


ORIGINAL = JudgedSet("original", CORPUS, QUERIES)  # issue 3's set: tuned against, kept as a regression check
PLANNER = JudgedSet("planner", HERE / "planner" / "corpus", HERE / "planner" / "queries.yaml")  # issue 11's, unseen
SETS = {s.name: s for s in (ORIGINAL, PLANNER)}


def load_queries(path: Path = QUERIES) -> list[Judged]:
    """The judged queries of ``queries.yaml``."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Judged(kind=r["kind"], q=r["q"], relevant=frozenset(r["relevant"]),
               filters={k: tuple(v) for k, v in (r.get("filters") or {}).items()}, note=r.get("note", ""))
        for r in rows
    ]


def corpus_files(corpus: Path = CORPUS) -> list[Path]:
    return sorted(corpus.glob("*.md"))


def make_corpus_content(root: Path, corpus: Path = CORPUS) -> Path:
    """A content directory at ``root`` with the real vocabularies and a relevance corpus."""
    shutil.copytree(VOCABULARIES, root / "vocabularies")
    practices = root / "practices"
    practices.mkdir(parents=True)
    for path in corpus_files(corpus):
        shutil.copy2(path, practices / path.name)
    return root


def texts_by_slug(corpus: Path = CORPUS) -> dict[str, str]:
    """Title, project and body of every language version of each practice, lowercased."""
    out: dict[str, list[str]] = {}
    for path in corpus_files(corpus):
        m = _FILE.match(path.name)
        assert m, path.name
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        out.setdefault(m["slug"], []).extend([meta["title"], meta["project"], meta.get("summary", ""), body])
    return {slug: "\n".join(parts).lower() for slug, parts in out.items()}


def query_words(q: str) -> list[str]:
    """The words a visitor typed, lowercased, without quotes."""
    return [w.lower() for w in q.replace('"', " ").split()]


def verbatim_hits(query: Judged, texts: dict[str, str]) -> list[tuple[str, str]]:
    """(slug, word) pairs where a query word occurs as a whole word in a relevant text."""
    hits = []
    for slug in sorted(query.relevant):
        words = set(_WORD.findall(texts[slug]))
        hits.extend((slug, w) for w in query_words(query.q) if w in words)
    return hits


def figures(outcomes: Iterable[Outcome]) -> Figures:
    outcomes = list(outcomes)
    return Figures(len(outcomes), statistics.fmean(o.recall for o in outcomes),
                   statistics.fmean(o.reciprocal_rank for o in outcomes))


def by_kind(outcomes: Sequence[Outcome]) -> dict[str, Figures]:
    """Figures per query kind (in the order of KINDS) and for all queries ("all")."""
    out = {kind: figures(o for o in outcomes if o.query.kind == kind)
           for kind in KINDS if any(o.query.kind == kind for o in outcomes)}
    out["all"] = figures(outcomes)
    return out


def run(queries: Sequence[Judged], rank: Callable[[Judged], Sequence[str]],
        clock: Callable[[], float] | None = None) -> list[Outcome]:
    """Rank every query with ``rank`` (a function returning slugs, best first) and score it."""
    outcomes = []
    for query in queries:
        start = clock() if clock else 0.0
        ranking = tuple(rank(query))
        outcomes.append(Outcome(query, ranking, (clock() - start) if clock else 0.0))
    return outcomes


def describe(outcome: Outcome) -> str:
    """One line per query for reports: rank of the first relevant result and what is missing."""
    rank = outcome.first_relevant_rank
    first = f"first relevant at {rank}" if rank else "no relevant result in the top 10"
    top = ", ".join(outcome.ranking[:3]) or "(no results)"
    missing = f"; missing {', '.join(outcome.missing)}" if outcome.missing else ""
    return f"{outcome.query.label!r}: recall {outcome.recall:.2f}, {first}{missing}; top: {top}"


def table(rows: dict[str, Figures]) -> str:
    """A plain-text table of figures per kind."""
    lines = [f"{'kind':<11} {'n':>3} {'recall@10':>10} {'MRR':>6}"]
    lines += [f"{kind:<11} {f.queries:>3} {f.recall:>10.3f} {f.mrr:>6.3f}" for kind, f in rows.items()]
    return "\n".join(lines)
