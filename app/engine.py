"""Every use of Whoosh's private internals, in one place, checked against the pinned Whoosh release.

The build and the search read and write Whoosh through its public API except where that costs too
much; those places are here, so that a Whoosh upgrade has one module to re-check:

- posting lists read a block at a time (document numbers, weights and raw values of W3 postings)
  instead of one posting at a time through a matcher (``posting_blocks``, ``posting_values``);
- the one-byte field lengths of every document read as one column (``field_lengths``);
- BM25F's per-field B parameters (``bm25f_parameters``);
- the multiprocessing writer's worker start, so that workers die with the build (``parallel_writer``);
- the file names of an index's segments and table of contents (``link_index``).

Importing this module checks the installed Whoosh release; a different one raises ImportError
saying what to do (the project pins ``whoosh-reloaded==2.7.5``).
"""
from __future__ import annotations

import os
import shutil
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

import numpy as np

WHOOSH_RELEASE = "2.7.5"  # the release whose internals this module reads (pyproject.toml pins it)


def _check_release() -> None:
    try:
        found = metadata.version("whoosh-reloaded")
    except metadata.PackageNotFoundError:
        found = None
    if found != WHOOSH_RELEASE:
        raise ImportError(
            f"app.engine reads private internals of whoosh-reloaded {WHOOSH_RELEASE}, but "
            f"{found or 'no whoosh-reloaded'} is installed: install the pinned release "
            f"(pip install 'whoosh-reloaded=={WHOOSH_RELEASE}') or re-check app/engine.py against the new one "
            "and its tests (tests/test_engine.py) before changing the pin")


_check_release()

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield  # noqa: E402
from whoosh.matching import WrappingMatcher  # noqa: E402
from whoosh.reading import TermNotFound  # noqa: E402
from whoosh.scoring import BM25F  # noqa: E402
from whoosh.util.numeric import byte_to_length  # noqa: E402

INDEX_NAME = "MAIN"  # Whoosh's index name: segment files MAIN_<segment>.*, tables of contents _MAIN_<n>.toc
_LENGTH_OF_BYTE = np.array([float(byte_to_length(b) or 1) for b in range(256)])


class PostingBlock(NamedTuple):
    """One block of a term's postings in one segment: document numbers are ``offset + ids[i]``.

    ``values`` holds the raw posting values (positions and characters, decoded by the field's
    format), or None when this block's values are not kept as they are.
    """

    offset: int
    ids: Sequence[int]
    weights: Sequence[float]
    values: Sequence[bytes] | None


def _leaf(matcher):  # noqa: ANN001, ANN202
    while isinstance(matcher, WrappingMatcher):  # a deletion filter: deleted documents are masked later
        matcher = matcher.child
    return matcher


def _keeps_values(m: W3LeafMatcher) -> bool:
    return m._fixedsize is None or m._fixedsize < 0  # variable-size values are stored as they are


def posting_blocks(reader, fieldname: str, text: str) -> Iterator[PostingBlock]:  # noqa: ANN001
    """Every posting of ``(fieldname, text)`` in every segment of ``reader``, a block at a time."""
    for sub, offset in reader.leaf_readers():
        try:
            m = _leaf(sub.postings(fieldname, text))
        except TermNotFound:
            continue
        if isinstance(m, W3LeafMatcher):
            keep = _keeps_values(m)
            while m.is_active():
                if m._ids is None:
                    m._read_ids()
                if m._weights is None:
                    m._read_weights()
                yield PostingBlock(offset, m._ids, m._weights, m._data[2] if keep else None)
                m._next_block()
        else:  # another codec: the generic matcher interface, as one block
            ids, weights = [], []
            while m.is_active():
                ids.append(m.id())
                weights.append(m.weight())
                m.next()
            yield PostingBlock(offset, ids, weights, None)


def posting_values(reader, fieldname: str, text: str, docnums: Sequence[int]) -> dict[int, bytes] | None:  # noqa: ANN001
    """The raw posting values of a term in those of ``docnums`` where it occurs, decoding only the
    blocks that hold them (Whoosh's ``skip_to`` steps through a block one posting at a time).

    None when a segment is not in Whoosh's W3 format (the caller walks a matcher instead).
    """
    out: dict[int, bytes] = {}
    wanted = sorted(docnums)
    for sub, offset in reader.leaf_readers():
        local = [d - offset for d in wanted if offset <= d < offset + sub.doc_count_all()]
        if not local:
            continue
        try:
            m = _leaf(sub.postings(fieldname, text))
        except TermNotFound:
            continue
        if not isinstance(m, W3LeafMatcher) or not _keeps_values(m):
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


def field_lengths(reader, fieldname: str) -> np.ndarray:  # noqa: ANN001
    """Length of ``fieldname`` in every document of ``reader`` (at least 1), as Whoosh stores it:
    one byte per document, read as one column instead of one document at a time."""
    parts = []
    for sub, _ in reader.leaf_readers():
        n = sub.doc_count_all()
        try:
            column = sub._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            raw = column._dbfile.get(column._basepos, column._count) if column is not None else b""
            values = _LENGTH_OF_BYTE[np.frombuffer(raw, dtype=np.uint8)]
        except AttributeError:  # another codec: one document at a time
            values = np.array([sub.doc_field_length(d, fieldname, 1) or 1 for d in range(n)], dtype=np.float64)
        parts.append(np.concatenate([values, np.ones(n - len(values))]))
    return np.concatenate(parts) if parts else np.ones(0)


def bm25f_parameters(weighting) -> tuple[float, float]:  # noqa: ANN001
    """(B, K1) of Whoosh's default BM25F; ValueError for another weighting or per-field B values."""
    if not isinstance(weighting, BM25F) or weighting._field_B:
        raise ValueError("the ranker reproduces Whoosh's default BM25F only")
    return weighting.B, weighting.K1


# --- writing ---------------------------------------------------------------------------------

def parallel_writer(ix, procs: int, documents: int):  # noqa: ANN001, ANN201
    """Whoosh's multiprocessing writer: ``procs`` workers, each analysing and writing its own
    segment (not merged), every worker dying with the build process."""
    from whoosh.multiproc import MpWriter, SubWriterTask  # here: a server never writes

    from .processes import die_with_parent

    parent = os.getpid()

    class Task(SubWriterTask):
        def run(self) -> None:
            die_with_parent(parent)
            super().run()

    class Writer(MpWriter):
        def _new_task(self):  # noqa: ANN202
            task = Task(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs,
                        self.multisegment)
            self.tasks.append(task)
            task.start()
            return task

    # Documents go to the workers in batches through a bounded queue; small batches keep both busy.
    batch = max(1, min(64, documents // (procs * 4)))
    return Writer(ix, procs=procs, multisegment=True, batchsize=batch, limitmb=128, compound=False)


def cancel_writer(writer) -> None:  # noqa: ANN001
    """Cancel a writer; a parallel writer's workers are stopped too (they would wait for work forever)."""
    try:
        writer.cancel()
    finally:
        for task in getattr(writer, "tasks", ()):
            if task.is_alive():
                task.terminate()
            task.join(timeout=5)


def link_index(previous: Path, target: Path) -> None:
    """Make ``target`` a copy of the Whoosh index in ``previous``: segment files are never
    rewritten, so they are hard-linked (copied where linking fails); the table of contents is copied."""
    for f in previous.iterdir():
        if f.suffix == ".toc":
            shutil.copy2(f, target / f.name)
        elif f.name.startswith(f"{INDEX_NAME}_") and f.name != f"{INDEX_NAME}_WRITELOCK":
            try:
                os.link(f, target / f.name)
            except OSError:
                shutil.copy2(f, target / f.name)
