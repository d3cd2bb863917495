"""Every use of Whoosh's private internals, in one place, checked against the pinned Whoosh release.

The build and the search read and write Whoosh through its public API except where that costs too
much; those places are here, so that a Whoosh upgrade has one module to re-check:

- posting lists read a block at a time (document numbers, weights and raw values of W3 postings)
  instead of one posting at a time through a matcher (``posting_blocks``, ``posting_values``);
- the one-byte field lengths of every document read as one column (``field_lengths``);
- BM25F's per-field B parameters (``bm25f_parameters``);
- the file names of an index's segments and table of contents (``link_index``);
- a segment written from documents inverted in memory, a term's postings a block at a time,
  instead of through Whoosh's posting pool (``SegmentBuilder``, ``write_toc``); a term's few
  postings kept in its row of the term table (``_inlined_info``, ``_TermTable``), which Whoosh reads as a
  ListMatcher and ``posting_blocks``/``posting_values`` read directly;
- the W3 codec's pickles of posting blocks, block headers and inlined term rows made with pickle
  protocol 5 instead of Whoosh's 2 (``_dumps``, put in the codec module's place on import), and its
  posting blocks and its stored fields compressed with Zstandard instead of zlib (``_BlockCompression``, in
  place of its ``zlib``; ``_StoredFieldsColumn``, in place of its ``STORED_COLUMN``).

Importing this module checks the installed Whoosh release; a different one raises ImportError
saying what to do (the project pins ``whoosh-reloaded==2.7.5``). It is longer than the project's
other modules (about 500 lines) for that reason: every private internal in one file.
"""
from __future__ import annotations

import os
import pickle
import shutil
import threading
import zlib
from bisect import bisect_left
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

import numpy as np
import zstandard

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

import whoosh.codec.whoosh3 as _w3  # noqa: E402
import whoosh.columns as _columns  # noqa: E402
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, W3TermInfo, _lenfield  # noqa: E402
from whoosh.filedb.filetables import _lengths as _ROW_LENGTHS  # noqa: E402
from whoosh.matching import ListMatcher, WrappingMatcher  # noqa: E402
from whoosh.reading import TermNotFound  # noqa: E402
from whoosh.scoring import BM25F  # noqa: E402
from whoosh.system import pack_ushort  # noqa: E402
from whoosh.util.numeric import byte_to_length, length_to_byte  # noqa: E402

# Protocol 2 has no opcode for bytes: each posting's value (its encoded positions and characters) is
# pickled as a latin-1 string and a call of ``_codecs.encode``, which a reader makes again per posting.
# With protocol 5, at 100k practices a block of about 80 postings loads in 20 µs instead of 65 and is
# written 3.5 times as fast with half the bytes (zlib included; bench/RESULTS.md, "Issue 14, round
# six", has the measurement). Readers call ``pickle.loads``, which reads either protocol, so versions
# written before stay readable. Protocol 5 is Python 3.8's: every supported Python reads it.
PICKLE_PROTOCOL = 5


def _dumps(obj: object, protocol: int | None = None) -> bytes:
    """``pickle.dumps`` with :data:`PICKLE_PROTOCOL`, whatever protocol the codec asks for."""
    return pickle.dumps(obj, PICKLE_PROTOCOL)


_w3.dumps = _dumps  # the W3 codec's writers call its module's ``dumps(data, 2)``

# Posting blocks are compressed with Zstandard at level 1 instead of zlib at level 3: at 2,400 documents'
# blocks (15,086 of them, median 756 bytes) zlib took 0.64 s and zstd 0.14 s, for 4 % fewer bytes, and
# reading them back took 0.07 s instead of 0.11 (bench/RESULTS.md, "Issue 14, round nine"); zlib was a
# tenth of a build's index workers. One compressor and one decompressor per thread: making them per
# block doubled the time. A zlib stream is still read, so a segment written before opens when read
# directly; servers refuse such versions by their data format (app/indexing/layout.py) all the same.
BLOCK_ZSTD_LEVEL = 1
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"  # every Zstandard frame's first bytes; a zlib stream cannot start so
_ZSTD = threading.local()


class _BlockCompression:
    """What the W3 codec's module calls ``zlib``: ``compress`` makes a Zstandard frame (level
    :data:`BLOCK_ZSTD_LEVEL`, whatever level the codec asks for: the level only tells readers that the
    block is compressed), ``decompress`` reads a Zstandard frame or a zlib stream."""

    @staticmethod
    def compress(data: bytes, level: int = -1) -> bytes:
        """``data`` as one Zstandard frame (with its size, which ``decompress`` needs)."""
        compressor = getattr(_ZSTD, "compressor", None)
        if compressor is None:
            compressor = _ZSTD.compressor = zstandard.ZstdCompressor(level=BLOCK_ZSTD_LEVEL)
        return compressor.compress(data)

    @staticmethod
    def decompress(data: bytes) -> bytes:
        """The bytes of a block ``compress`` made, or of a zlib stream; raises ``zstandard.ZstdError``
        or ``zlib.error`` for anything else."""
        if data[:4] != _ZSTD_MAGIC:
            return zlib.decompress(data)
        decompressor = getattr(_ZSTD, "decompressor", None)
        if decompressor is None:
            decompressor = _ZSTD.decompressor = zstandard.ZstdDecompressor()
        return decompressor.decompress(data)


_w3.zlib = _BlockCompression


class _StoredFieldsColumn(_columns.CompressedBytesColumn):
    """The column of a segment's stored fields (a pickle of each document's), compressed with
    Zstandard like the posting blocks instead of zlib: 2,400 documents' in 0.03 s instead of 0.11, the
    same size, and a search reads them for every snippet. zlib's values are still read (as the blocks')."""

    def writer(self, dbfile):  # noqa: ANN001, ANN201
        writer = super().writer(dbfile)
        writer._compress = _BlockCompression.compress
        return writer

    def reader(self, dbfile, basepos, length, doccount):  # noqa: ANN001, ANN201
        reader = super().reader(dbfile, basepos, length, doccount)
        reader._decompress = _BlockCompression.decompress
        return reader


_w3.STORED_COLUMN = _columns.PickleColumn(_StoredFieldsColumn())  # the W3 codec's writers and readers look it up at each use

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
        elif isinstance(m, ListMatcher):  # a term's few postings kept in its term table row (_inlined_info)
            yield PostingBlock(offset, m._ids, m._weights, m._values or None)
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
        if isinstance(m, ListMatcher) and m._values:  # inlined postings (_inlined_info)
            for target in local:
                i = bisect_left(m._ids, target)
                if i < len(m._ids) and m._ids[i] == target:
                    out[target + offset] = m._values[i]
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


# --- a segment written without Whoosh's posting pool -------------------------------------------

COMPRESSION = 3  # the level the codec is given: a block's header then says it is compressed (_BlockCompression)
SMALL_BLOCK = 48  # bytes of values: a block of a few postings this small is stored as it is (compressing only adds to it)
# Postings a term has at most for them to be kept in its row of the term table, without a block in
# the postings file (most terms occur in a document or two; their blocks were half of writing). Not
# more: a reader unpickles a kept term's postings whenever it reads the term's statistics. With 32
# a build wrote 1,000 practices' segment with 2 % fewer instructions, but at 100k practices queries with
# words never searched before took 406 ms p95 at 4 clients instead of 313, natural questions 578
# instead of 448, while the other scenarios kept their times (bench/RESULTS.md, "Issue 14, round eight").
INLINE_POSTINGS = 8


class SegmentBuilder:
    """One new Whoosh segment of ``ix``, from documents whose postings the caller has computed.

    Whoosh's writer puts every posting through its pool (a Python tuple each, sorted, spilled to
    run files and merged), then looks up the document's field length per posting and writes a
    posting at a time: four fifths of a build. Here postings are collected per term in arrays and
    written a block at a time through the W3 codec's own writers, so the segment's files are what
    Whoosh would have written (the tests compare them posting by posting).
    """

    def __init__(self, ix) -> None:  # noqa: ANN001
        from whoosh.codec.whoosh3 import W3Codec, W3Segment  # here: a server never writes

        self.schema = ix.schema
        self._storage = ix.storage
        self._codec = W3Codec(compression=COMPRESSION)
        self.segment = W3Segment(self._codec, ix.indexname, segid=_random_segment_id())
        self._perdoc = self._codec.per_document_writer(self._storage, self.segment)
        self._terms: dict[str, dict[str, tuple[array, array, list]]] = {}
        self._lengths: dict[str, array] = {}
        self._encoders = {name: _encoder(field.format) for name, field in self.schema.items() if field.indexed}
        self.docs = 0

    def add(self, document: dict, occurrences: Mapping[str, Mapping[str, Sequence]]) -> int:
        """Add one document: ``document`` as for Whoosh's ``add_document`` (its stored values,
        ``_stored_<field>`` overrides, columns) and the ``occurrences`` of its analysed fields: field →
        term → the term's occurrences, as the field's format encodes them (Characters: (position,
        start character, end character) triples in text order); terms that share one list (a word's
        terms) have it encoded once. An indexed field not in ``occurrences`` is analysed by Whoosh's
        ``field.index``. Returns the number of postings added.

        The postings are appended to the terms' arrays here, without a tuple per posting in between:
        at 10k practices (4.8 million postings) the postings' handling is most of a build's writing."""
        docnum = self.docs
        perdoc, schema = self._perdoc, self.schema
        perdoc.start_doc(docnum)
        added = 0
        for name in sorted(n for n in document if not n.startswith("_") and document[n] is not None):
            field = schema[name]
            length = 0
            if field.indexed:
                terms = self._terms.get(name)
                if terms is None:
                    terms = self._terms[name] = {}
                grouped = occurrences.get(name)
                if grouped is None:  # (slug, lang): Whoosh's (term, frequency, weight, value) per term
                    for tbytes, freq, weight, value in field.index(document[name]):
                        term = tbytes.decode("utf-8")
                        entry = terms.get(term)
                        if entry is None:
                            entry = terms[term] = (array("I"), array("f"), [])
                        entry[0].append(docnum)
                        entry[1].append(weight)
                        if value:  # as W3PostingsWriter.add_posting: a format without values stores none
                            entry[2].append(value)
                        length += freq
                        added += 1
                else:
                    encode, boost = self._encoders[name]
                    encoded_for, encoded = None, b""
                    for term, found in grouped.items():
                        if found is not encoded_for:
                            encoded_for, encoded = found, encode(found)
                        n = len(found)
                        entry = terms.get(term)
                        if entry is None:
                            entry = terms[term] = (array("I"), array("f"), [])
                        entry[0].append(docnum)
                        entry[1].append(n * boost)
                        entry[2].append(encoded)
                        length += n
                    added += len(grouped)
                if not field.scorable:
                    length = 0
                lengths = self._lengths.get(name)
                if lengths is None:
                    lengths = self._lengths[name] = array("I")
                lengths.extend(0 for _ in range(docnum + 1 - len(lengths)))
                lengths[docnum] = length
            stored = document.get(f"_stored_{name}", document[name])
            perdoc.add_field(name, field, stored if field.stored else None, length)
            if field.column_type and stored is not None:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(stored))
        perdoc.finish_doc()
        self.docs += 1
        return added

    def finish(self, progress: Callable[[int], None] | None = None):  # noqa: ANN201
        """Write the postings and close the segment's files; return the segment (for :func:`write_toc`).

        ``progress(n)`` is called as terms are written, with the number of postings written since
        the last call."""
        self._perdoc.close()
        fields = self._codec.field_writer(self._storage, self.segment)
        table = _TermTable(fields._tindex)
        for name in sorted(self._terms):
            terms, lengths = self._terms.pop(name), self._lengths[name]
            field = self.schema[name]
            fields.start_field(name, field)
            prefix, writer = pack_ushort(fields._fieldid), fields._postwriter
            done = 0
            for term in sorted(terms):  # (UTF-8 keeps the order of code points: the table's key order)
                ids, weights, values = terms[term]
                if values and len(ids) <= INLINE_POSTINGS:  # (a ListMatcher without values answers "", not None)
                    info = _inlined_info(ids, weights, values, lengths)
                else:  # as W3FieldWriter.start_term and finish_term, with the row written by the table
                    writer.start_postings(field.format, W3TermInfo())
                    _write_postings(writer, ids, weights, values, lengths)
                    info = writer.finish_postings().to_bytes()
                table.add(prefix + term.encode("utf-8"), info)
                done += len(ids)
                if progress is not None and done >= 20_000:
                    progress(done)
                    done = 0
            fields.finish_field()
            if progress is not None and done:
                progress(done)
        table.flush()
        fields.close()
        self.segment.set_doc_count(self.docs)
        return self.segment


def _encoder(fmt) -> tuple[Callable[[Sequence], bytes], float]:  # noqa: ANN001
    """(occurrences → the posting's value, weight of one occurrence) of a field's format, as its
    ``word_values`` makes them from (position, start, end) triples."""
    if fmt.supports("characters"):
        return fmt.encode, fmt.field_boost
    if fmt.supports("positions"):
        return (lambda found: fmt.encode([x[0] for x in found])), fmt.field_boost
    return (lambda found: fmt.encode(len(found))), fmt.field_boost


def _set_block(writer, ids: array, weights: array, values: list, lengths: array) -> None:  # noqa: ANN001
    """Put one block of postings into the postings writer, as its ``add_posting`` would have."""
    present = [n for d in ids if (n := lengths[d])]
    writer._ids = ids
    writer._weights = weights
    writer._values = values
    writer._minlength = min(present) if present else None
    writer._maxlength = max(present, default=0)
    writer._maxweight = max(0, max(weights))


def _write_postings(writer, ids: array, weights: array, values: list, lengths: array) -> None:  # noqa: ANN001
    """One term's postings, a block at a time, as W3PostingsWriter.add_posting would have collected
    them (the last block is written by ``finish_term``)."""
    limit = writer._blocklimit
    for start in range(0, len(ids), limit):
        if start:
            writer._write_block()
        _set_block(writer, ids[start:start + limit], weights[start:start + limit],
                   values[start:start + limit] if values else [], lengths)
        # Most terms occur in a document or two: their block is a few bytes, which compressing makes longer.
        writer._compression = 0 if len(writer._ids) < 4 and sum(map(len, writer._values)) < SMALL_BLOCK else COMPRESSION


_INLINED_INFO = W3TermInfo._struct  # a term's statistics: flags, weight, documents, lengths, max weight, first and last ids


def _inlined_info(ids: array, weights: array, values: list, lengths: array) -> bytes:
    """The term table's row of a term whose few postings it keeps instead of a block of the postings
    file: ``W3TermInfo.to_bytes()`` after ``add_block`` and ``set_inlined`` (as W3PostingsWriter.finish_postings
    does below its ``inlinelimit``, whose own call names a method W3TermInfo lacks in
    whoosh-reloaded 2.7.5, so Whoosh never inlines). A reader gets a ListMatcher over them."""
    present = [n for d in ids if (n := lengths[d])]
    stats = _INLINED_INFO.pack(True, sum(weights), len(ids), length_to_byte(min(present)) if present else 0,
                               length_to_byte(max(present, default=0)), max(0, max(weights)), ids[0], ids[-1])
    return stats + pickle.dumps((tuple(ids), tuple(weights), tuple(values)), PICKLE_PROTOCOL)


class _TermTable:
    """Rows added to a segment's term table (Whoosh's OrderedHashWriter) in key order, written in
    large pieces: its ``add`` asks the file for its position and writes three times per term (a
    segment of 6,000 documents has about a quarter of a million terms). With the inlined rows made
    by :func:`_inlined_info`, writing a 1,000-document segment's postings took 3.7 s instead of 5.6
    under cProfile."""

    _PIECE = 1 << 20  # bytes held before they are written

    def __init__(self, tindex) -> None:  # noqa: ANN001
        self._tindex = tindex
        self._position = tindex.dbfile.tell()
        self._parts: list[bytes] = []
        self._held = 0

    def add(self, key: bytes, value: bytes) -> None:
        """As ``OrderedHashWriter.add(key, value)`` for a key greater than every key added before."""
        t = self._tindex
        t.index.append(self._position)
        h = t.hashfn(key)
        t.buckets[h & 255].append((h, self._position))
        self._parts += (_ROW_LENGTHS.pack(len(key), len(value)), key, value)
        size = _ROW_LENGTHS.size + len(key) + len(value)
        self._position += size
        self._held += size
        if self._held >= self._PIECE:
            self.flush()

    def flush(self) -> None:
        """Write the rows held (before the writer's ``close``, which writes the hash tables after them)."""
        self._tindex.dbfile.write(b"".join(self._parts))
        self._parts, self._held = [], 0


def _random_segment_id() -> str:
    """A segment id from the operating system's randomness: forked workers share the random
    module's state, and Whoosh's own ids would come out the same in each."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(alphabet[b % len(alphabet)] for b in os.urandom(16))


def write_toc(ix, segments: Sequence) -> None:  # noqa: ANN001
    """Make ``segments`` (in this order: their documents are numbered one after the other) the
    contents of the empty index ``ix``."""
    from whoosh.index import TOC

    TOC(ix.schema, list(segments), ix.latest_generation() + 1).write(ix.storage, ix.indexname)
