"""BM25F scores of every document matching a query, computed a posting block at a time.

Whoosh's matchers walk the documents one by one through a tree of Python objects; a query over
four fields in three languages is an AND of ORs of a dozen terms each, and walking it took about
200 ms at 10,000 practices. Here each term's posting list is read block by block, scored with
Whoosh's own BM25F formula and statistics by numpy, and the tree is combined as dense score
arrays: the same scores (tested against Whoosh's) at a fraction of the cost. Queries other than
terms, OR, AND and AND NOT (phrases) are scored by their Whoosh matcher.
"""
from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from ..engine import bm25f_parameters, field_lengths, posting_blocks

Blocks = dict[tuple[str, str], list[tuple[int, Sequence[int], Sequence[bytes]]]]  # term → (offset, ids, values)

_TINY = float(np.nextafter(0, 1))


class Ranker:
    """Scores queries over one opened searcher (one per index version; field lengths are cached).

    Scores are dense arrays over document numbers (0.0 where a document does not match: BM25F's
    idf is always above zero here, so every match scores above zero).
    """

    def __init__(self, searcher, cache_bytes: int = 64 << 20) -> None:  # noqa: ANN001
        self.B, self.K1 = bm25f_parameters(searcher.weighting)
        self.searcher = searcher
        self.size = searcher.doc_count_all()
        self._lengths: dict[str, np.ndarray] = {}
        # Scores of recently used terms (documents and scores, 12 bytes a posting), least recently used
        # dropped first: the words people search for repeat, and decoding their postings is the cost.
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cache_bytes, self._cache_budget = 0, cache_bytes
        self._cache_lock = threading.Lock()
        self.cache_hits = self.cache_misses = 0

    def scores(self, node: wq.Query, blocks: Blocks | None = None) -> np.ndarray:
        """The score of every document for ``node`` (deleted ones too: the caller masks them).

        With ``blocks``, the decoded posting blocks of every term scored are kept there, so that
        the values of the documents then shown (where the term occurs) need no second decoding.
        """
        kind = type(node)  # exact types: subclasses such as Ordered mean more than their parent
        if kind is wq.Term:
            out = self._term(node.fieldname, node.text, blocks)
        elif kind is wq.Or:
            out = np.zeros(self.size)
            for sub in node.subqueries:
                out += self.scores(sub, blocks)
        elif kind is wq.And:
            parts = [self.scores(sub, blocks) for sub in node.subqueries]
            everywhere = np.logical_and.reduce([p > 0 for p in parts])
            out = np.where(everywhere, np.sum(parts, axis=0), 0.0)
        elif kind is wq.AndNot:
            out = self.scores(node.a, blocks)
            out[self.scores(node.b) > 0] = 0.0
        else:
            return self._matcher_scores(node)  # the matcher applied the boost
        if node.boost != 1.0:
            out *= node.boost
        return out

    def _term(self, fieldname: str, text: str, blocks: Blocks | None = None) -> np.ndarray:
        """BM25F of one term in every document (as Whoosh's BM25FScorer computes it)."""
        out = np.zeros(self.size)
        key = (fieldname, text)
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                self.cache_hits += 1
            else:
                self.cache_misses += 1
        if cached is None:
            cached = self._term_postings(fieldname, text, blocks)
            self._remember(key, cached)
        docs, scores = cached
        out[docs] = scores
        return out

    def _remember(self, key: tuple[str, str], entry: tuple[np.ndarray, np.ndarray]) -> None:
        size = entry[0].nbytes + entry[1].nbytes + 200
        if size > self._cache_budget // 4:
            return  # one huge list would push out everything else
        with self._cache_lock:
            if key in self._cache:
                return
            self._cache[key] = entry
            self._cache_bytes += size
            while self._cache_bytes > self._cache_budget:
                _, (docs, scores) = self._cache.popitem(last=False)
                self._cache_bytes -= docs.nbytes + scores.nbytes + 200

    def _term_postings(self, fieldname: str, text: str, blocks: Blocks | None) -> tuple[np.ndarray, np.ndarray]:
        """The documents containing a term and its BM25F score in each, from the postings."""
        searcher = self.searcher
        none = (np.zeros(0, dtype=np.int64), np.zeros(0))
        if (fieldname, text) not in searcher.reader():
            if blocks is not None:
                blocks[(fieldname, text)] = []
            return none
        kept: list | None = [] if blocks is not None else None
        ids: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for block in posting_blocks(searcher.reader(), fieldname, text):
            ids.append(np.asarray(block.ids, dtype=np.int64) + block.offset)
            weights.append(np.asarray(block.weights, dtype=np.float64))
            if kept is not None and block.values is None:
                kept = None  # values not kept as they are: shown hits read them from the postings
            elif kept is not None:
                kept.append((block.offset, block.ids, block.values))
        if blocks is not None and kept is not None:
            blocks[(fieldname, text)] = kept
        if not ids:
            return none
        docs, tf = np.concatenate(ids), np.concatenate(weights)
        idf = searcher.idf(fieldname, text)
        avgfl = searcher.avg_field_length(fieldname) or 1
        B, K1 = self.B, self.K1
        # bm25() of whoosh.scoring, term by term in the same order (so the same floating-point result)
        return docs, idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * self.lengths(fieldname)[docs] / avgfl)))

    def lengths(self, fieldname: str) -> np.ndarray:
        """Length of ``fieldname`` in every document."""
        if fieldname not in self._lengths:
            self._lengths[fieldname] = field_lengths(self.searcher.reader(), fieldname)
        return self._lengths[fieldname]

    def _matcher_scores(self, node: wq.Query) -> np.ndarray:
        """Scores of a query this module does not compose (a phrase) from its Whoosh matcher."""
        out = np.zeros(self.size)
        for sub, offset in self.searcher.leaf_searchers():
            m = node.matcher(sub)
            while m.is_active():
                out[m.id() + offset] = max(m.score(), _TINY)  # a match never scores zero here
                m.next()
        return out


def kept_value(blocks: Blocks, term: tuple[str, str], docnum: int) -> bytes | None:
    """The raw posting value of ``term`` in ``docnum`` from blocks kept by :meth:`Ranker.scores`
    (None when the term was not kept or does not occur there)."""
    for offset, ids, values in blocks.get(term, ()):
        local = docnum - offset
        if ids and ids[0] <= local <= ids[-1]:
            i = bisect_left(ids, local)
            if ids[i] == local:
                return values[i]
    return None


# --- the best document of every matching practice ---------------------------------------------

def as_bytes(bits: int, size: int) -> bytes:
    """A bitset as little-endian bytes (bit ``i`` is ``b[i >> 3] >> (i & 7) & 1``)."""
    return bits.to_bytes((size + 8) // 8, "little")


def as_mask(bits: int, size: int) -> np.ndarray:
    """A bitset as a boolean array of ``size``."""
    return np.unpackbits(np.frombuffer(as_bytes(bits, size), dtype=np.uint8), bitorder="little")[:size].astype(bool)


@dataclass(frozen=True)
class Best:
    """Practices matching a query (ordinals, ascending) with the score and number of their best document."""

    ordinals: np.ndarray
    scores: np.ndarray
    docs: np.ndarray

    def bits(self, size: int) -> int:
        """The practices as a bitset."""
        mask = np.zeros(size, dtype=bool)
        mask[self.ordinals] = True
        return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")

    def doc_of(self, ordinal: int) -> int:
        return int(self.docs[np.searchsorted(self.ordinals, ordinal)])

    def ranked(self, allowed: np.ndarray, count: int | None = None) -> list[tuple[int, int]]:
        """(ordinal, document) of the best ``count`` allowed practices, best first (ties: lower document)."""
        keep = allowed[self.ordinals]
        ordinals, scores, docs = self.ordinals[keep], self.scores[keep], self.docs[keep]
        if count is not None and count < len(scores):
            threshold = np.partition(scores, len(scores) - count)[len(scores) - count]
            near = scores >= threshold  # the best ``count`` and whatever ties with the last of them
            ordinals, scores, docs = ordinals[near], scores[near], docs[near]
        order = np.lexsort((docs, -scores))[:count]
        return [(int(o), int(d)) for o, d in zip(ordinals[order], docs[order])]


def best_of(v, scores: np.ndarray, candidates: np.ndarray) -> Best:  # noqa: ANN001
    """The best-scoring document of every practice of index version ``v`` among the ``candidates``
    (a boolean array over document numbers), with ``scores``; ties go to the lower document number,
    as in Whoosh's collapsed results."""
    docs = np.flatnonzero(candidates)
    ordinals, docs_scores = v.doc_ordinals()[docs], scores[docs]
    order = np.lexsort((docs, -docs_scores, ordinals))  # by practice, best first
    ordinals, docs, docs_scores = ordinals[order], docs[order], docs_scores[order]
    first = np.ones(len(ordinals), dtype=bool)
    first[1:] = ordinals[1:] != ordinals[:-1]
    return Best(ordinals[first], docs_scores[first], docs[first])


def best_documents(v, wquery: wq.Query, blocks: Blocks | None = None) -> Best:  # noqa: ANN001
    """The best-scoring live document of every practice of index version ``v`` matching ``wquery``.

    ``blocks`` keeps the decoded postings for the snippets of the documents shown.
    """
    scores = v.ranker.scores(wquery, blocks)
    return best_of(v, scores, (scores > 0) & v.live_mask())
