"""A full index written as Whoosh segments by worker processes, each analysing and writing its own.

Documents are numbered in the order given and cut into contiguous spans, one segment each (as
many spans for each worker, at most ``SEGMENT_DOCS`` documents a span, so that a worker's postings
held in memory stay bounded at 100 000 practices). A worker analyses each document's text fields
with :func:`app.text.index_postings` (the field's analyser, without Token objects) and hands the
occurrences to :class:`app.engine.SegmentBuilder`, which writes the segment a term at a time. The
parent names the segments in the table of contents in span order.

Progress counts ``COLLECT_UNITS + WRITE_UNITS`` units per document: the first when its postings are
collected, the rest spread over the writing of its segment's postings, so that a progress bar's rate
(and its time left) holds through both halves instead of waiting at 0 while segments are written.
The split follows where the time goes: at 10k practices collecting took 31 s of a worker's 44.

More happens while the segments are written, because the documents are at hand then and the parent
process is otherwise idle: each worker counts the words of its documents (the spelling dictionary's
counts: no second pass over every text) and, when asked, makes a digest of each (a build with no
version it can update hashes its practices there instead of making every document twice), and the parent
runs the caller's work that needs no segment (the catalogue, the browse arrays) in a thread, after
the workers are forked.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.pool
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.pool import ThreadPool
from typing import Any, NamedTuple

from whoosh import fields

from .. import text as analysis
from ..engine import SegmentBuilder, write_toc
from ..processes import Progress, pool
from .schema import text_analysis

SEGMENT_DOCS = 25_000  # documents a segment at most: a worker holds a segment's postings in memory
_TICK = 50  # progress units between updates of the shared progress counter
COLLECT_UNITS, WRITE_UNITS = 2, 1  # progress units per document: its postings collected, then written

_ITEMS: list = []  # what the documents are made of (or the documents), set before the workers are forked
_MAKE: Callable[[Any], dict] | None = None  # item → document, in the worker (None: the items are documents)
_WORDS: Callable[[dict], Iterable[str]] | None = None  # document → its distinct words to count (None: no counting)
_DIGEST: Callable[[Any, dict], str] | None = None  # (item, document) → its digest (None: no digests)
_IX = None  # the index they are written into
_DONE = None  # multiprocessing.Value: progress units done by all workers


def document_occurrences(schema: fields.Schema, doc: dict) -> dict[str, dict[str, list[tuple[int, int, int]]]]:
    """The occurrences of every term of every analysed text field of ``doc`` (a document as for
    Whoosh's ``add_document``): field → term → [(position, start, end), …], as
    :func:`app.text.index_postings` groups them (a word's terms share one list). Other indexed
    fields are left to Whoosh's own analysis (:meth:`app.engine.SegmentBuilder.add`)."""
    out = {}
    for name, value in doc.items():
        spec = text_analysis(name)
        if spec is not None and value is not None and schema[name].indexed:
            out[name] = analysis.index_postings(value, *spec)
    return out


class _Ticker:
    """Adds this worker's progress to the shared counter every ``_TICK`` units."""

    def __init__(self) -> None:
        self.pending = 0.0

    def __call__(self, units: float, flush: bool = False) -> None:
        self.pending += units
        if _DONE is not None and (self.pending >= _TICK or flush) and self.pending >= 1:
            whole = int(self.pending)
            with _DONE.get_lock():
                _DONE.value += whole
            self.pending -= whole


class Written(NamedTuple):
    """What :func:`write_segments` returns besides the segments."""

    words: Counter[str]  # how many documents have each word (empty without ``words``)
    digests: list[str]  # each document's digest in document order (empty without ``digest``)


def _write_span(span: tuple[int, int]):  # noqa: ANN202
    """Write the documents of ``_ITEMS[span[0]:span[1]]`` as one segment of ``_IX``; return the
    segment, the count of documents of each of their ``_WORDS`` and their ``_DIGEST`` in order."""
    builder = SegmentBuilder(_IX)
    tick = _Ticker()
    items = _ITEMS[span[0]:span[1]]
    docs = items if _MAKE is None else [_MAKE(item) for item in items]
    postings = 0
    words: Counter[str] = Counter()
    digests: list[str] = []
    schema = builder.schema  # FileIndex.schema reads the table of contents from disk at every use
    for item, doc in zip(items, docs):
        postings += builder.add(doc, document_occurrences(schema, doc))
        if _WORDS is not None:
            words.update(_WORDS(doc))
        if _DIGEST is not None:
            digests.append(_DIGEST(item, doc))
        tick(COLLECT_UNITS)
    share = WRITE_UNITS * len(docs) / max(postings, 1)  # the units of a posting written
    segment = builder.finish(lambda n: tick(n * share))
    tick(0, flush=True)
    return segment, words, digests


def _spans(n: int, workers: int) -> list[tuple[int, int]]:
    """Contiguous spans of ``n`` documents, at most ``SEGMENT_DOCS`` each, as many for each worker: at
    100,000 practices five spans for two workers left the fifth to one worker while the other waited
    (the index step 532 s, bench/RESULTS.md "Issue 14, round seven")."""
    parts = -(-max(workers, -(-n // SEGMENT_DOCS)) // workers) * workers
    bounds = [i * n // parts for i in range(parts + 1)]  # sizes differ by one at most
    return [(start, end) for start, end in zip(bounds, bounds[1:]) if end > start]


def _progress_ticks(result: multiprocessing.pool.AsyncResult, total: int) -> Iterator[None]:
    """One item per progress unit the workers report, until they are done."""
    seen = 0
    while not result.ready():
        result.wait(0.25)
        now = min(_DONE.value, total)
        yield from (None for _ in range(now - seen))
        seen = now
    yield from (None for _ in range(total - seen))


def write_segments(ix, docs: Sequence, workers: int, progress: Progress | None = None,  # noqa: ANN001
                   make: Callable[[Any], dict] | None = None, *, words: Callable[[dict], Iterable[str]] | None = None,
                   digest: Callable[[Any, dict], str] | None = None,
                   alongside: Callable[[], Any] | None = None) -> Written:
    """Write ``docs`` (numbered in this order) into the empty index ``ix`` with ``workers`` processes
    (one: in this process). With ``make``, ``docs`` are what each worker makes its documents of
    (``make(item)`` → a document), so that the parent does not make them all one after the other.

    Returns, with ``words`` (a document → its distinct words), how many documents have each word, and
    with ``digest`` ((item, its document) → a string), each document's digest in order. ``alongside()`` runs in a thread of this process while the workers write; it must
    not start processes (a fork copies no thread), and what it raises is raised here once the
    segments are written. Raises what a worker raised; the index then names no segment."""
    global _ITEMS, _DONE, _IX, _MAKE, _WORDS, _DIGEST
    spans = _spans(len(docs), workers)
    _ITEMS, _IX, _MAKE, _WORDS, _DIGEST = list(docs), ix, make, words, digest
    _DONE = multiprocessing.get_context("fork").Value("q", 0)
    total = (COLLECT_UNITS + WRITE_UNITS) * len(docs)
    try:
        # One worker runs in a thread of this process, so that the progress bar is fed the same way.
        runner = pool(min(workers, len(spans))) if workers > 1 and len(spans) > 1 else ThreadPool(1)
        # The pool's workers are forked when it is made: only then is the thread started.
        with runner, ThreadPoolExecutor(1) as side:
            result = runner.map_async(_write_span, spans)
            beside = side.submit(alongside) if alongside is not None else None
            if progress:
                for _ in progress(_progress_ticks(result, total), total=total, desc="indexing"):
                    pass
            written = result.get()
            if beside is not None:
                beside.result()
    finally:
        _ITEMS, _DONE, _IX, _MAKE, _WORDS, _DIGEST = [], None, None, None, None, None
    write_toc(ix, [segment for segment, _, _ in written])
    counts: Counter[str] = Counter()
    for _, found, _ in written:
        counts.update(found)
    return Written(counts, [d for _, _, digests in written for d in digests])
