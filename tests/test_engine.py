"""app/engine.py reads Whoosh's internals: what it reads must equal what Whoosh's public API gives."""
from __future__ import annotations

import zlib
from importlib import metadata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import index

from app import engine


@pytest.fixture(scope="module")
def reader(bundled_index):
    version = bundled_index / (bundled_index / "CURRENT").read_text().strip()
    searcher = index.open_dir(str(version)).searcher()
    yield searcher.reader()
    searcher.close()


def _terms(reader, fieldname: str, n: int = 40) -> list[bytes]:
    return [t for f, t in reader.all_terms() if f == fieldname][:n]


@pytest.mark.parametrize("fieldname", ["body_fi", "title_fi", "body_sv", "summary_en"])
def test_posting_blocks_are_the_matchers_postings(reader, fieldname):
    for text in _terms(reader, fieldname):
        expected = []
        for sub, offset in reader.leaf_readers():
            if (fieldname, text) in sub:
                m = sub.postings(fieldname, text)
                while m.is_active():
                    expected.append((offset + m.id(), m.weight(), m.value()))
                    m.next()
        got = [(b.offset + i, w, v) for b in engine.posting_blocks(reader, fieldname, text)
               for i, w, v in zip(b.ids, b.weights, b.values)]
        assert got == expected


def test_posting_values_of_some_documents(reader):
    for text in _terms(reader, "body_fi", 20):
        docs = [d for b in engine.posting_blocks(reader, "body_fi", text) for d in (b.offset + i for i in b.ids)]
        wanted = docs[::2] + [10_000]  # every other one, and one without the term
        values = engine.posting_values(reader, "body_fi", text, wanted)
        full = {b.offset + i: v for b in engine.posting_blocks(reader, "body_fi", text) for i, v in zip(b.ids, b.values)}
        assert values == {d: full[d] for d in docs[::2]}


@pytest.mark.parametrize("fieldname", ["body_fi", "title_sv", "project_en"])
def test_field_lengths_are_whooshs(reader, fieldname):
    lengths = engine.field_lengths(reader, fieldname)
    assert len(lengths) == reader.doc_count_all()
    for d in range(reader.doc_count_all()):
        assert lengths[d] == (reader.doc_field_length(d, fieldname, 1) or 1)


def test_bm25f_parameters_are_the_defaults(reader, bundled_index):
    from whoosh.scoring import BM25F

    assert engine.bm25f_parameters(BM25F()) == (0.75, 1.2)
    with pytest.raises(ValueError):
        engine.bm25f_parameters(BM25F(body_fi_B=0.5))


def test_another_whoosh_release_is_refused_with_what_to_do(monkeypatch):
    monkeypatch.setattr(metadata, "version", lambda dist: "2.7.6" if dist == "whoosh-reloaded" else "0")
    with pytest.raises(ImportError, match=r"whoosh-reloaded 2\.7\.5.*2\.7\.6 is installed.*pip install"):
        engine._check_release()


def test_whooshs_codec_writes_its_pickles_with_protocol_5(tmp_path):
    """Posting blocks, their headers and inlined rows pickled with protocol 5, by Whoosh's own writer too
    (an update's segments), and read back by Whoosh's readers."""
    import whoosh.codec.whoosh3 as w3
    from whoosh import fields

    assert w3.dumps((b"value",), 2)[:2] == b"\x80\x05"
    ix = index.create_in(str(tmp_path), fields.Schema(body=fields.TEXT(chars=True, phrase=True)))
    with ix.writer() as writer:
        for n in range(300):  # more postings than a block holds
            writer.add_document(body=f"sana numero{n % 3}")
    with ix.searcher() as s:
        assert list(s.reader().postings("body", "sana").all_ids()) == list(range(300))
        assert s.doc_frequency("body", "sana") == 300
        assert s.reader().postings("body", "numero1").value_as("characters") == [(1, 5, 12)]


@given(data=st.binary(max_size=40_000), level=st.integers(1, 9))
def test_posting_blocks_are_compressed_into_zstd_frames_and_zlib_streams_still_read(data, level):
    """A block the codec compresses (whatever level it asks for) is one Zstandard frame that the
    codec's ``decompress`` gives back, as it gives back a zlib stream (a block written before)."""
    import whoosh.codec.whoosh3 as w3
    import zstandard

    compressed = w3.zlib.compress(data, level)
    assert compressed.startswith(b"\x28\xb5\x2f\xfd")
    assert zstandard.ZstdDecompressor().decompress(compressed) == data
    assert w3.zlib.decompress(compressed) == data
    assert w3.zlib.decompress(zlib.compress(data, level)) == data


def test_stored_fields_are_zstd_frames_and_zlib_columns_still_read():
    """The stored fields' column writes Zstandard frames and reads them back, and reads a column
    that Whoosh's own (zlib) writer wrote: a version written before."""
    from whoosh import columns
    from whoosh.filedb.filestore import RamStorage

    storage = RamStorage()
    values = [b"Nuorten ohjaamo " * 40, b"", b"toinen"]
    for writer_column, first_bytes in ((columns.CompressedBytesColumn(), b"\x78"),
                                       (engine._StoredFieldsColumn(), b"\x28\xb5\x2f\xfd")):
        out = storage.create_file("column")
        writer = writer_column.writer(out)
        for docnum, value in enumerate(values):
            writer.add(docnum, value)
        writer.finish(len(values))
        length = out.tell()
        out.close()
        reader = engine._StoredFieldsColumn().reader(storage.open_file("column"), 0, length, len(values))
        assert [reader[d] for d in range(len(values))] == values
        assert columns.VarBytesColumn.Reader.__getitem__(reader, 0).startswith(first_bytes)
