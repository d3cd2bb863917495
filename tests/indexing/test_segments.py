"""The build's segment writer (app.indexing.segments, app.engine.SegmentBuilder) writes what Whoosh's
own writer writes for the same documents: terms, postings, term statistics, stored fields, lengths."""
from __future__ import annotations

import pytest
from whoosh import index

from app.content import load_content
from app import engine
from app.indexing import segments
from app.indexing.documents import DocumentMaker
from app.indexing.schema import make_schema
from conftest import BUNDLED_CONTENT


@pytest.fixture(scope="module")
def documents():
    loaded = load_content(BUNDLED_CONTENT, None, procs=1)
    maker = DocumentMaker(loaded.vocab)
    return [maker.document(p) for p in sorted(loaded.practices, key=lambda p: (p.slug, p.lang))]


def _whooshs(documents, path):
    path.mkdir()
    ix = index.create_in(str(path), make_schema())
    writer = ix.writer()
    for doc in documents:
        writer.add_document(**doc)
    writer.commit()
    return index.open_dir(str(path)).reader()


def _postings(reader, fieldname, text):
    m, out = reader.postings(fieldname, text), []
    while m.is_active():
        out.append((m.id(), m.weight(), m.value()))
        m.next()
    return out


def _statistics(info):
    return (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight(),
            info.min_id(), info.max_id())


@pytest.mark.parametrize("workers, piece, inline", [(1, None, None), (2, None, None), (1, 64, None), (2, None, 0)])
def test_segments_hold_what_whooshs_writer_writes(documents, tmp_path, monkeypatch, workers, piece, inline):
    monkeypatch.setattr(segments, "SEGMENT_DOCS", 7)  # several segments, in order, even with one worker
    if inline is not None:  # every term's postings in blocks of the postings file, none kept in the term table
        monkeypatch.setattr(engine, "INLINE_POSTINGS", inline)
    if piece:  # the term table's rows written a few at a time, as at 100k practices
        monkeypatch.setattr(engine._TermTable, "_PIECE", piece)
    expected = _whooshs(documents, tmp_path / "whoosh")
    (tmp_path / "ours").mkdir()
    segments.write_segments(index.create_in(str(tmp_path / "ours"), make_schema()), documents, workers)
    got = index.open_dir(str(tmp_path / "ours")).reader()
    assert len(list(got.leaf_readers())) == len(segments._spans(len(documents), workers))
    terms = list(expected.all_terms())
    assert list(got.all_terms()) == terms
    for fieldname, text in terms:
        assert _postings(got, fieldname, text) == _postings(expected, fieldname, text), (fieldname, text)
        assert _statistics(got.term_info(fieldname, text)) == _statistics(expected.term_info(fieldname, text))
    for d in range(expected.doc_count_all()):
        assert got.stored_fields(d) == expected.stored_fields(d)
        for fieldname in expected.schema.scorable_names():
            # None or 0: a segment without the field has no length column (Whoosh answers 0), one with it None
            assert (got.doc_field_length(d, fieldname) or 0) == (expected.doc_field_length(d, fieldname) or 0)
    for fieldname in expected.schema.scorable_names():
        # (not max_field_length: Whoosh raises on a segment none of whose documents has the field,
        # and nothing of ours reads it; the lengths of every document are compared above)
        assert got.field_length(fieldname) == expected.field_length(fieldname)


@pytest.mark.parametrize("n, workers, most", [(119_908, 2, 25_000), (11_992, 2, 25_000), (100, 2, 7), (99, 3, 7),
                                            (5, 2, 7), (1, 2, 7), (0, 2, 7), (50, 1, 7)])
def test_spans_cover_the_documents_in_order_as_many_for_each_worker(monkeypatch, n, workers, most):
    """The documents in order, none twice, at most SEGMENT_DOCS a span, and as many spans for each worker
    (at 100k practices an odd fifth span kept one worker writing alone)."""
    monkeypatch.setattr(segments, "SEGMENT_DOCS", most)
    spans = segments._spans(n, workers)
    assert [d for start, end in spans for d in range(start, end)] == list(range(n))
    assert all(0 < end - start <= most for start, end in spans)
    if n >= workers * 2:
        assert len(spans) % workers == 0
    if n == 119_908:
        assert len(spans) == 6


def test_progress_counts_the_units_of_every_document(documents, tmp_path):
    seen = []

    def progress(items, total, desc):
        seen.append((total, desc))
        return items

    ticks = []
    segments.write_segments(index.create_in(str(tmp_path), make_schema()), documents, 2,
                            lambda items, total, desc: (progress(items, total, desc), (ticks.append(1) or x for x in items))[1])
    units = segments.COLLECT_UNITS + segments.WRITE_UNITS
    assert seen == [(units * len(documents), "indexing")]
    assert len(ticks) == units * len(documents)


def test_rare_terms_are_inlined_and_read_block_by_block_like_the_others(documents, tmp_path, monkeypatch):
    """A term with few postings is kept in the term table (no block in the postings file); the
    ranking's and the snippets' readers (app.engine.posting_blocks, posting_values) read the same
    documents, weights and raw values from it as from a block."""
    from app.engine import posting_blocks, posting_values

    INLINE_POSTINGS = 8  # lower than the build's, so that the bundled content has terms of both kinds
    monkeypatch.setattr(engine, "INLINE_POSTINGS", INLINE_POSTINGS)
    segments.write_segments(index.create_in(str(tmp_path), make_schema()), documents, 1)
    reader = index.open_dir(str(tmp_path)).reader()
    inlined = common = 0
    for fieldname, text in reader.all_terms():
        if not fieldname.startswith("body_"):
            continue
        info = reader.term_info(fieldname, text)
        m = reader.postings(fieldname, text)
        expected = []
        while m.is_active():
            expected.append((m.id(), m.weight(), m.value()))
            m.next()
        blocks = list(posting_blocks(reader, fieldname, text))
        got = [(b.offset + i, w, v) for b in blocks for i, w, v in zip(b.ids, b.weights, b.values)]
        assert got == expected, (fieldname, text)
        docs = [d for d, _, _ in expected]
        assert posting_values(reader, fieldname, text, docs) == {d: v for d, _, v in expected}
        assert info.is_inlined() == (info.doc_frequency() <= INLINE_POSTINGS)  # one segment here
        if info.is_inlined():
            inlined += 1
        else:
            common += 1
    assert inlined > 100 and common > 100
