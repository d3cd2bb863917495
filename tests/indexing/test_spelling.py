"""The spelling dictionary: tokenising like the old Whoosh field, counts, prefix lookups, updates."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh.analysis import LowercaseFilter, RegexTokenizer

from app.content import load_content
from app.indexing import build
from app.search import SearchRequest, SearchService
from app.indexing.layout import SPELLING
from app.indexing.spelling import SpellingDictionary, count_words, document_text, words_of
from conftest import make_content, write_practice

FI = {"regions": ["Kainuu"], "themes": ["osallisuus"], "priority": "TL 5 et 10.1"}
TRICKY = ("Työpajoissa EU-hanke 55-vuotiaille työ_paja ÄÖ Straße x--y a-b-c- İstanbul ÉCOLE naïve "
          "3D-tulostus l'école \u00a0ſ ﬁnanssi TYÖ työ")


def test_words_are_tokenised_as_the_whoosh_field_did():
    old_field = RegexTokenizer(r"[^\W\d_]+(?:-[^\W\d_]+)*") | LowercaseFilter()
    assert words_of(TRICKY) == {t.text for t in old_field(TRICKY)}
    assert {"työpajoissa", "eu-hanke", "vuotiaille", "työ", "paja", "a-b-c", "straße"} <= words_of(TRICKY)


def test_counts_are_documents_not_occurrences():
    counts = count_words(["työ työ työtä", "Työ ja työpaja", "valmennus"])
    assert counts == {"työ": 2, "työtä": 1, "ja": 1, "työpaja": 1, "valmennus": 1}


def test_prefix_lookup_is_sorted_and_handles_non_ascii():
    d = SpellingDictionary.from_counts({"työ": 3, "työpaja": 2, "työtä": 1, "työ-elämä": 1, "tyyni": 4,
                                        "tyop": 9, "ö": 1, "äiti": 2, "zz": 0})
    assert list(d.with_prefix("työ")) == [("työ", 3), ("työ-elämä", 1), ("työpaja", 2), ("työtä", 1)]
    assert list(d.with_prefix("ty")) == [("tyop", 9), ("tyyni", 4), ("työ", 3), ("työ-elämä", 1),
                                         ("työpaja", 2), ("työtä", 1)]
    assert list(d.with_prefix("äi")) == [("äiti", 2)] and list(d.with_prefix("öö")) == []
    assert list(d.with_prefix("zz")) == []  # a count of 0 is no word
    assert d.doc_frequency("työpaja") == 2 and d.doc_frequency("työp") == 0 and d.doc_frequency("öö") == 0


def test_save_and_load_round_trip(tmp_path):
    counts = count_words([TRICKY, "työ ja työpaja", ""])
    SpellingDictionary.from_counts(counts).save(tmp_path / SPELLING)
    loaded = SpellingDictionary.load(tmp_path / SPELLING)
    assert loaded is not None and loaded.counts() == counts and len(loaded) == len(counts)
    assert list(loaded.with_prefix("työ")) == sorted((w, n) for w, n in counts.items() if w.startswith("työ"))
    SpellingDictionary.from_counts({}).save(tmp_path / "empty")
    assert len(SpellingDictionary.load(tmp_path / "empty")) == 0
    assert SpellingDictionary.load(tmp_path / "missing") is None


def test_open_reads_the_file_at_the_first_lookup(tmp_path):
    lazy = SpellingDictionary.open(tmp_path)  # nothing there yet: opening must not read
    SpellingDictionary.from_counts({"työ": 2}).save(tmp_path / SPELLING)
    assert lazy.doc_frequency("työ") == 2
    # A version built before the file existed gets no corrections instead of failing.
    assert list(SpellingDictionary.open(tmp_path / "old").with_prefix("ty")) == []


_WORDS = st.sampled_from(["työ", "työpaja", "työtä", "tyyni", "äiti", "ö", "a", "aa", "ab", "zz", "eu-hanke"])


@pytest.mark.parametrize("in_place_up_to", [2_000, 0])  # words inserted and deleted one by one; the list made anew
@given(counts=st.dictionaries(_WORDS, st.integers(0, 4)), delta=st.dictionaries(_WORDS, st.integers(-4, 4)))
def test_an_updated_dictionary_is_the_one_made_from_the_updated_counts(counts, delta, in_place_up_to):
    delta = {w: max(d, -counts.get(w, 0)) for w, d in delta.items()}  # no word is in fewer than 0 documents
    expected = Counter(counts)
    expected.update(delta)
    got = SpellingDictionary.from_counts(counts).updated(delta, in_place_up_to=in_place_up_to)
    assert list(got.with_prefix("")) == list(SpellingDictionary.from_counts(expected).with_prefix(""))


def _spelling(root: Path, version: str) -> dict[str, int]:
    loaded = SpellingDictionary.load(root / version / SPELLING)
    assert loaded is not None
    return dict(loaded.counts())


def test_a_build_counts_the_words_of_every_language_version(content_dir, tmp_path):
    result = build(content_dir, tmp_path / "index")
    practices = load_content(content_dir).practices
    expected = count_words(document_text(p.title, p.project, p.summary, p.body_text) for p in practices)
    assert _spelling(tmp_path / "index", result.version) == expected
    assert expected["ohjaamo"] == 3 and expected["ohjaamossa"] == 1  # project of three versions; one body


def test_incremental_counts_equal_a_full_build(tmp_path):
    content = make_content(tmp_path / "content")
    for i in range(30):  # enough practices that a few changes stay an incremental update
        write_practice(content, f"lisa-{i}", "fi", {"title": f"Lisäkäytäntö {i}", "project": "Hanke", **FI},
                       f"Työpajoissa ohjausta {'nuorille' if i % 2 else 'aikuisille'} ja kokous {i}.")
    updated = tmp_path / "updated"
    build(content, updated)
    # Round 1: a word leaves one text and appears in another, a practice goes, one comes, a translation comes.
    path = content / "practices" / "lisa-3.fi.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Työpajoissa", "Ksylofonikorjaamossa"),
                    encoding="utf-8")
    (content / "practices" / "lisa-4.fi.md").unlink()
    write_practice(content, "uusi", "fi", {"title": "Uusi työ", "project": "Uusi", **FI}, "Työtä työpajoissa.")
    write_practice(content, "lisa-5", "sv", {"title": "Verkstäder", "project": "Hanke"}, "Arbete i verkstäder.")
    # Round 2: the new practice changes again and a translation is removed.
    rounds = [lambda: None,
              lambda: (write_practice(content, "uusi", "fi", {"title": "Uudempi", "project": "Uusi", **FI},
                                      "Vain uusia sanoja: ksylofoni."),
                       (content / "practices" / "lisa-5.sv.md").unlink())]
    for n, change in enumerate(rounds):
        change()
        step = build(content, updated)
        assert step.mode == "incremental", n
        full = build(content, tmp_path / f"full-{n}", incremental=False)
        assert _spelling(updated, step.version) == _spelling(tmp_path / f"full-{n}", full.version), n
    final = _spelling(updated, step.version)
    assert "uusia" in final and "työtä" not in final and "verkstäder" not in final


def test_did_you_mean_reads_the_spelling_dictionary(built_index, tiny_content):
    svc = SearchService(built_index, tiny_content / "vocabularies")
    resp = svc.search(SearchRequest(q="uravalmenus"))
    assert resp.total > 0 and resp.corrected == {"uravalmenus": "uravalmennus"}


def test_a_full_builds_counts_made_by_its_index_workers_are_those_of_the_texts(tmp_path):
    """The index workers count each document's words as they index it (two processes here): the
    dictionary holds what counting the practices' texts one after the other gives."""
    from app.indexing import writer
    from app.indexing.documents import DocumentMaker
    from conftest import BUNDLED_CONTENT

    result = build(BUNDLED_CONTENT, tmp_path / "index", procs=2)
    assert result.ok and result.mode == "full"
    written = SpellingDictionary.load(tmp_path / "index" / result.version / SPELLING).counts()
    loaded = load_content(BUNDLED_CONTENT, None, procs=1)
    expected = writer.spelling_counts(loaded.practices, DocumentMaker(loaded.vocab))
    assert written == expected
    assert written["nuorten"] > 1
