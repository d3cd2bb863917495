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

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching import WrappingMatcher
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

Blocks = dict[tuple[str, str], list[tuple[int, Sequence[int], Sequence[bytes]]]]  # term → (offset, ids, values)

_LENGTH_OF_BYTE = np.array([float(byte_to_length(b) or 1) for b in range(256)])
_TINY = float(np.nextafter(0, 1))


class Ranker:
    """Scores queries over one opened searcher (one per index version; field lengths are cached).

    Scores are dense arrays over document numbers (0.0 where a document does not match: BM25F's
    idf is always above zero here, so every match scores above zero).
    """

    def __init__(self, searcher, cache_bytes: int = 64 << 20) -> None:  # noqa: ANN001
        weighting = searcher.weighting
        if not isinstance(weighting, BM25F) or weighting._field_B:
            raise ValueError("the ranker reproduces Whoosh's default BM25F only")
        self.searcher = searcher
        self.size = searcher.doc_count_all()
        self.B, self.K1 = weighting.B, weighting.K1
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
        for sub, offset in searcher.reader().leaf_readers():
            try:
                m = sub.postings(fieldname, text)
            except TermNotFound:
                continue
            while isinstance(m, WrappingMatcher):  # a deletion filter: deleted documents are masked later
                m = m.child
            if isinstance(m, W3LeafMatcher):
                while m.is_active():
                    if m._ids is None:
                        m._read_ids()
                    if m._weights is None:
                        m._read_weights()
                    ids.append(np.asarray(m._ids, dtype=np.int64) + offset)
                    weights.append(np.asarray(m._weights, dtype=np.float64))
                    if kept is not None:
                        if m._fixedsize is None or m._fixedsize < 0:  # variable-size values are stored as is
                            kept.append((offset, m._ids, m._data[2]))
                        else:
                            kept = None
                    m._next_block()
            else:  # another codec: the generic matcher interface
                kept = None
                found = []
                while m.is_active():
                    found.append((m.id() + offset, m.weight()))
                    m.next()
                ids.append(np.array([d for d, _ in found], dtype=np.int64))
                weights.append(np.array([w for _, w in found], dtype=np.float64))
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
        """Length of ``fieldname`` in every document (Whoosh stores it as one byte per document)."""
        if fieldname not in self._lengths:
            parts = []
            for sub, _ in self.searcher.reader().leaf_readers():
                n = sub.doc_count_all()
                try:
                    column = sub._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
                    raw = column._dbfile.get(column._basepos, column._count) if column is not None else b""
                    values = _LENGTH_OF_BYTE[np.frombuffer(raw, dtype=np.uint8)]
                except AttributeError:  # another codec: one document at a time
                    values = np.array([sub.doc_field_length(d, fieldname, 1) or 1 for d in range(n)], dtype=np.float64)
                parts.append(np.concatenate([values, np.ones(n - len(values))]))
            self._lengths[fieldname] = np.concatenate(parts) if parts else np.ones(0)
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


def posting_values(searcher, fieldname: str, text: str, docnums: Sequence[int]) -> dict[int, bytes] | None:  # noqa: ANN001
    """The raw posting values of a term in the given documents where it occurs, decoding only the
    blocks that hold them (Whoosh's ``skip_to`` steps through a block one posting at a time).
    None when a segment is not in Whoosh's W3 format (the caller walks a matcher instead)."""
    out: dict[int, bytes] = {}
    wanted = sorted(docnums)
    for sub, offset in searcher.reader().leaf_readers():
        local = [d - offset for d in wanted if offset <= d < offset + sub.doc_count_all()]
        if not local:
            continue
        try:
            m = sub.postings(fieldname, text)
        except TermNotFound:
            continue
        while isinstance(m, WrappingMatcher):
            m = m.child
        if not isinstance(m, W3LeafMatcher) or not (m._fixedsize is None or m._fixedsize < 0):
            return None
        for target in local:
            while m.is_active() and m.block_max_id() < target:
                m._next_block()
            if not m.is_active():
                break
            if m._ids is None:
                m._read_ids()
            i = bisect_left(m._ids, target)
            if i < len(m._ids) and m._ids[i] == target:
                out[target + offset] = m._data[2][i]
    return out
