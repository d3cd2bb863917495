"""Which practices a query finds, and how well: every word, some of the words, or none.

When some practices hold every required clause of the query, they are the results ("all"). When
none does, the results are the practices holding some of them ("partial"), ranked by their score
times the square of the share of clauses they match: a soft boost for matching more (and rarer)
words, not a hard minimum. Optional clauses (fillers) add to the score at ``OPTIONAL_WEIGHT``
and never decide a match. Excluded items remove every practice any of whose versions they match.

The kind is decided on the practices the filters allow, so a filter never turns a partial match
into a dead end; when even the partial matches are filtered away, the kind is "none" and the set
is the partial one (the page then offers filters to drop, with their counts).
Source of the approach: issue 11's reference measurements (ranked OR with a soft boost beat a hard
minimum-should-match on a small corpus).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .interpret import Interpretation
from .ranking import Best, Blocks, as_mask, best_of

OPTIONAL_WEIGHT = 0.5
PART_SHARE = 0.5  # a compound word whose parts are found apart counts this much of a word, times the share found
KINDS = ("every", "all", "partial", "none")  # no query; every word; some words; nothing


@dataclass
class Matched:
    """The practices a query matches: which kind of set, the set (a bitset of ordinals, before the
    facet filters), their best documents, and the required clauses no practice matched."""

    kind: str
    bits: int
    best: Best | None
    missing: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return self.kind in ("every", "all")


def _excluded(v, meant: Interpretation, live: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """A boolean array over ordinals: practices any version of which an excluded item matches."""
    out = np.zeros(v.facets.size, dtype=bool)
    for clause in meant.excluded:
        scores = v.ranker.scores(clause.query)
        out[v.doc_ordinals()[np.flatnonzero((scores > 0) & live)]] = True
    return out


def match(v, meant: Interpretation, filters: int, blocks: Blocks | None = None) -> Matched:  # noqa: ANN001
    """The practices of index version ``v`` that ``meant`` matches, deciding the kind on those the
    ``filters`` bitset allows."""
    size = v.facets.size
    live = v.live_mask()
    excluded = _excluded(v, meant, live) if meant.excluded else np.zeros(size, dtype=bool)
    required, optional = meant.required, meant.optional
    if not required:
        keep = ~excluded
        return Matched("every", _bits(keep), None)
    doc_ordinals = v.doc_ordinals()
    allowed_docs = live & ~excluded[doc_ordinals]
    filtered_docs = as_mask(filters, size)[doc_ordinals]
    count = np.zeros(len(live), dtype=np.int32)
    coverage = np.zeros(len(live))
    score = np.zeros(len(live))
    hits = []
    for clause in required:
        s = v.ranker.scores(clause.query, blocks)
        hit = s > 0
        hits.append(hit)
        count += hit
        score += s
        coverage += hit
        if clause.parts:  # a compound not found whole: its parts found apart count for something
            found_parts = np.zeros(len(live))
            for part in clause.parts:
                p = v.ranker.scores(part, blocks)
                found_parts += p > 0
                score += np.where(hit, 0.0, PART_SHARE * p)
            coverage += np.where(hit, 0.0, PART_SHARE * found_parts / len(clause.parts))
    for clause in optional:
        score += OPTIONAL_WEIGHT * v.ranker.scores(clause.query, blocks)
    n = len(required)
    missing = [c.text for c, hit in zip(required, hits) if not (hit & allowed_docs).any()]
    every = (count == n) & allowed_docs
    some = (coverage > 0) & allowed_docs
    if (every & filtered_docs).any():
        return Matched("all", _bits_of_docs(v, every), best_of(v, score, every), missing)
    partial_score = score * (coverage / n) ** 2
    kind = "partial" if (some & filtered_docs).any() else "none"
    return Matched(kind, _bits_of_docs(v, some), best_of(v, partial_score, some), missing)


def _bits(mask: np.ndarray) -> int:
    return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")


def _bits_of_docs(v, docs: np.ndarray) -> int:  # noqa: ANN001
    mask = np.zeros(v.facets.size, dtype=bool)
    mask[v.doc_ordinals()[np.flatnonzero(docs)]] = True
    return _bits(mask)
