"""Tests for app.text: Voikko-based Finnish analysis and Snowball sv/en."""
from __future__ import annotations

import pickle
import subprocess
import sqlite3
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import highlight
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import AndGroup, QueryParser

from app import text as analysis
from app.text import words
from app.names import LANGUAGES
from app.text import analyzer_for, cache_clear, cache_info, explain_terms, lemmas

REPO = Path(__file__).resolve().parents[2]


def index_terms(word: str, lang: str = "fi") -> list[str]:
    """Terms the analyser emits for ``word`` at index time."""
    return [term for term, _kind in explain_terms(word, lang)]


def stacks(text: str, lang: str = "fi", mode: str = "index") -> list[tuple[int, int, int, str]]:
    """(pos, startchar, endchar, term) for every token the analyser emits."""
    tokens = analyzer_for(lang)(text, positions=True, chars=True, mode=mode)
    return [(t.pos, t.startchar, t.endchar, t.text) for t in tokens]


# --------------------------------------------------------------------------
# Setup: lazy loading and the fast backend
# --------------------------------------------------------------------------


def test_import_does_not_load_dictionary() -> None:
    code = (
        "import sys, app.text as a, app.text.finnish as f; "
        "assert 'pyvoikko' not in sys.modules and f._VOIKKO is None; "
        "a.analyzer_for('fi'); assert 'pyvoikko' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_finnish_is_analysed_by_libvoikko_without_pyvoikkos_transducer() -> None:
    """libvoikko analyses, pyvoikko's parser reads the analyses, and pyvoikko's own transducer
    (0.8 s and 270 MB a process) is never loaded."""
    code = (
        "import sys, app.text.voikko as v; from app.text import words; "
        "assert words.word_terms('palvelukodissa', 'fi').parts == ('palvelu', 'koti'); "
        "assert 'libvoikko' in sys.modules and 'pyvoikko' not in sys.modules; "
        "assert not [m for m in sys.modules if m.startswith('kfst')]; "
        "assert 'SM-Version' in v.dictionary_version()"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def _bundled_finnish_forms() -> list[str]:
    """Every Finnish word form of the bundled practices, sorted."""
    texts = []
    for path in sorted((REPO / "content" / "practices").glob("*.fi.md")):
        texts.append(path.read_text(encoding="utf-8"))
    return sorted(analysis.token_set(texts))


def _reading_fields(reading) -> tuple:  # noqa: ANN001
    parts = reading.COMPOUND_PARTS
    return (reading.FORM, reading.BASEFORM, reading.CLASS, None if parts is None else tuple(map(_reading_fields, parts)))


def test_readings_are_parsed_as_pyvoikkos_parser_reads_them() -> None:
    """parse_reading gives every field the analysis reads as pyvoikko's parser does, for each reading
    Voikko gives of the bundled content's Finnish word forms, of each form with the probe head the
    analysis of compound modifiers appends, and of words with the parser's rarer tags (adjective
    modifiers, lexicalised compounds, "-is" modifiers, proper names, hyphens)."""
    import libvoikko

    from app.text import voikko

    raw = voikko._raw_analyses(libvoikko.Voikko("fi"))
    reference = voikko._fst_output_parser()
    forms = _bundled_finnish_forms()
    assert len(forms) > 3000
    special = ["pitkäaikaistyöttömien", "maahanmuuttajille", "toimenpide", "sosiaali-", "pohjoiskarjalainen",
               "etelä-pohjanmaan", "helsingissä", "suomalais-ruotsalainen", "vertaismentoroinnin", "uusiokäyttö",
               "lean-menetelmä", "nuorisotakuu", "isoisä", "kansainvälis", "yhteiskunnallis-", "ja", "eikä"]
    readings = [r for word in [*forms, *(f + "hanke" for f in forms if f.isalpha()), *special] for r in raw(word)]
    assert len(readings) > len(forms)
    different = [r for r in readings if _reading_fields(voikko.parse_reading(r)) != _reading_fields(reference(r))]
    assert different == []


@pytest.mark.parametrize("word", ["palvelukodissa", "työllistymisen", "helsinki", "xqzt", "", "ab\0c",
                                  "maahanmuuttajille", "espoossa", "a" * 80])
def test_raw_analyses_are_the_bindings_fstoutput(word: str) -> None:
    """The analyser reads libvoikko's FSTOUTPUT directly: the same raw analyses, in the same order, as
    the binding's ``analyze`` (readings without FSTOUTPUT left out), after the handle's owner is gone."""
    import gc

    import libvoikko

    from app.text import voikko

    expected = [r["FSTOUTPUT"] for r in libvoikko.Voikko("fi").analyze(word) if "FSTOUTPUT" in r]
    raw = voikko._raw_analyses(libvoikko.Voikko("fi"))
    gc.collect()  # the handle's deletion would free what raw reads, had raw not kept it
    assert raw(word) == expected


def test_a_missing_libvoikko_is_named_with_how_to_install_it() -> None:
    code = (
        "import sys; sys.modules['libvoikko'] = None; import app.text as a\n"
        "try:\n    a.load_dictionary()\nexcept a.VoikkoMissing as exc:\n    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, capture_output=True, text=True).stdout
    assert "apt-get install libvoikko1 voikko-fi" in out


# --------------------------------------------------------------------------
# Finnish base forms and compounds
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("nuorille", {"nuori", "nuora"}),  # ambiguous: every base form
        ("maahanmuuttajille", {"maahanmuuttaja"}),
        ("kotiäideille", {"kotiäiti"}),
        ("asukastuvassa", {"asukastupa"}),
        ("palkkatuella", {"palkkatuki"}),
        ("työllisyyshankkeiden", {"työllisyyshanke"}),
        ("uravalmennuksessa", {"uravalmennus"}),
        ("Kainuun", {"kainuu"}),  # proper noun: lowercased first and after
        ("NUORET", {"nuori"}),
        ("tuli", {"tuli", "tulla"}),
        ("säätiö", {"säätiö"}),
        ("vaa\u2019an", {"vaaka"}),  # apostrophe inside a word, typographic quote folded
    ],
)
def test_query_lemmas_are_whole_word_base_forms(word: str, expected: set[str]) -> None:
    assert set(lemmas(word, "fi")) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("asukastuvassa", {"asukastupa", "asukas", "tupa"}),
        ("palkkatuella", {"palkkatuki", "palkka", "tuki"}),
        ("työllisyyshankkeiden", {"työllisyyshanke", "työllisyys", "hanke"}),
        ("uravalmennuksessa", {"uravalmennus", "ura", "valmennus"}),
        ("kotiäideille", {"kotiäiti", "koti", "äiti"}),
        ("maahanmuuttajille", {"maahanmuuttaja", "muuttaja"}),
        ("maahanmuuttajataustaisille", {"maahanmuuttajataustainen", "maahanmuuttaja", "taustainen"}),
        ("työvoimapalvelut", {"työvoimapalvelu", "työvoima", "palvelu"}),  # runs of parts
        ("yhteistyökumppaneiden", {"yhteistyökumppani", "yhteistyö", "kumppani"}),
        ("uusiokäytössä", {"uusiokäyttö", "käyttö"}),  # lexicalised, parts kept
    ],
)
def test_index_terms_include_compound_parts(word: str, expected: set[str]) -> None:
    assert expected <= set(index_terms(word))


@pytest.mark.parametrize(
    ("word", "absent"),
    [
        ("maahanmuuttajille", {"maahan", "maa"}),  # "maahan" is an inflected form, not a part
        ("nuorisotakuu", {"sota", "kuu", "nuori"}),  # fewest parts: nuoriso+takuu only
        ("toimenpiteitä", {"pide", "toimen"}),  # "toimen=pide": the head is no word
    ],
)
def test_index_terms_exclude_noise(word: str, absent: set[str]) -> None:
    assert not absent & set(index_terms(word))


def test_fewest_parts_reading_is_preferred() -> None:
    assert {"nuorisotakuu", "nuoriso", "takuu"} <= set(index_terms("nuorisotakuu"))


def test_query_terms_leave_out_compound_parts() -> None:
    assert lemmas("palkkatuella", "fi") == ["palkkatuki"]
    assert [t for *_, t in stacks("palkkatuella", mode="query")] == ["palkkatuki"]


def test_explain_terms_kinds() -> None:
    assert explain_terms("palkkatuella", "fi") == [
        ("palkkatuki", "base"),
        ("palkka", "compound"),
        ("tuki", "compound"),
    ]
    assert dict(explain_terms("mentoroinnin", "fi")) == {"mentoroi": "stem"}
    assert {kind for _t, kind in explain_terms("Ohjaamo 2.0 TE-palvelut", "fi")} == {"base", "compound"}


# --------------------------------------------------------------------------
# Unknown words
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "forms",
    [
        ("mentorointi", "mentoroinnin", "mentorointia", "mentoroinnissa"),
        ("Väljvouhka", "Väljvouhkan", "väljvouhkassa"),
        ("KoordiPok", "KoordiPokin", "koordipokissa"),
    ],
)
def test_unknown_words_share_a_stem_across_inflections(forms: tuple[str, ...]) -> None:
    stems = {tuple(lemmas(form, "fi")) for form in forms}
    assert len(stems) == 1 and all(stems.pop())


def test_unknown_compound_matches_its_parts() -> None:
    terms = set(index_terms("vertaismentoroinnin"))
    assert set(lemmas("mentorointi", "fi")) <= terms
    assert "vertainen" in terms
    assert set(lemmas("nuorisotyö", "fi")) <= set(index_terms("nuorisotyömentoroinnissa"))


def test_elliptic_modifier_matches_the_part_inside_compounds() -> None:
    # "sosiaali-" is a bound modifier Voikko knows only inside compounds.
    assert lemmas("sosiaali- ja terveyspalvelut", "fi") == ["sosiaali", "ja", "terveyspalvelu"]
    assert "sosiaali" in index_terms("sosiaalipalveluissa")
    assert {"pohjois-karjala", "karjala", "pohjoinen"} <= set(index_terms("Pohjois-Karjalassa"))


def test_unknown_word_without_known_prefix_is_only_stemmed() -> None:
    assert explain_terms("väljvouhkassa", "fi") == [("väljvou", "stem")]


# --------------------------------------------------------------------------
# Tokenisation: letters, hyphens, numbers, codes, folding
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LEAN-menetelmällä", {"lean-menetelmä", "lean", "menetelmä"}),
        ("TE-palvelut", {"te-palvelu", "te", "palvelu"}),
        ("TE\u2011palveluiden", {"te-palvelu", "te", "palvelu"}),  # non-breaking hyphen
        ("2000-luvulla", {"2000-luku", "2000", "luku"}),
        ("2014\u20132020", {"2014-2020", "2014", "2020"}),  # en dash folded
    ],
)
def test_hyphenated_words_index_parts_and_joined_form(text: str, expected: set[str]) -> None:
    assert expected <= set(index_terms(text))


@pytest.mark.parametrize(
    ("query", "text"),
    [("LEAN", "LEAN-menetelmällä"), ("menetelmä", "LEAN-menetelmällä"),
     ("LEAN-menetelmä", "LEAN-menetelmällä"), ("te-palvelut", "TE-palveluiden")],
)
def test_hyphenated_word_is_found_by_parts_and_whole(query: str, text: str) -> None:
    assert set(lemmas(query, "fi")) <= set(index_terms(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TL 3", ["tl", "3"]),
        ("6.1", ["6.1"]),
        ("vuonna 2017.", ["vuosi", "2017"]),
        ("Ohjaamo 2.0", ["ohjaamo", "2.0"]),
        ("ESR:n rahoittama", ["esr", "rahoittama"]),  # ":n" is a case ending
        ("EU:ssa", ["eu"]),
    ],
)
def test_numbers_and_codes(text: str, expected: list[str]) -> None:
    assert lemmas(text, "fi") == expected


def test_nordic_letters_are_kept() -> None:
    assert lemmas("säätiöissä", "fi") == ["säätiö"]
    assert "kotiäiti" in lemmas("kotiäideille", "fi")
    assert all("å" in t for t in lemmas("åtgärder", "sv"))


def test_decomposed_letters_are_normalised() -> None:
    decomposed = "sa\u0308a\u0308tio\u0308"  # "säätiö" with combining diaereses
    assert stacks(decomposed) == [(0, 0, len(decomposed), "säätiö")]


def test_no_finnish_stopwords() -> None:
    # Phrase queries need every word; BM25 gives common words little weight.
    assert [t for *_, t in stacks("nuoret ja aikuiset", mode="query")] == ["nuori", "ja", "aikuinen"]


# --------------------------------------------------------------------------
# Positions and character offsets
# --------------------------------------------------------------------------


def test_terms_of_one_word_share_its_position_and_offsets() -> None:
    text = "Tuemme nuorille uravalmennuksessa."
    tokens = stacks(text)
    spans = {pos: {(start, end) for p, start, end, _t in tokens if p == pos} for pos, *_ in tokens}
    assert sorted(spans) == [0, 1, 2]  # one position per surface word
    assert all(len(chars) == 1 for chars in spans.values())  # stacked terms share offsets
    assert [text[s:e] for pos in sorted(spans) for s, e in spans[pos]] == [
        "Tuemme", "nuorille", "uravalmennuksessa"
    ]
    assert {t for p, *_, t in tokens if p == 1} == {"nuori", "nuora"}
    assert {"uravalmennus", "ura", "valmennus"} <= {t for p, *_, t in tokens if p == 2}


def test_offsets_cover_hyphenated_and_suffixed_words() -> None:
    text = "LEAN\u2013menetelmä ja ESR:n tuki"
    spans = {text[s:e] for _p, s, e, _t in stacks(text)}
    assert spans == {"LEAN\u2013menetelmä", "ja", "ESR:n", "tuki"}


def test_start_pos_and_start_char_offsets_are_honoured() -> None:
    tokens = list(analyzer_for("fi")("nuorille", positions=True, chars=True, start_pos=5, start_char=10))
    assert {(t.pos, t.startchar, t.endchar) for t in tokens} == {(5, 10, 18)}


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="aäöåbcdekilmnorstuvyAÄÖÅKTS0123456789 -\u2013:.,'\u00ad\u0308", max_size=40))
def test_any_text_gives_sane_tokens(text: str) -> None:
    for lang in LANGUAGES:
        previous = -1
        for pos, start, end, term in stacks(text, lang):
            assert term and 0 <= start < end <= len(text)
            assert pos >= previous
            previous = pos


# --------------------------------------------------------------------------
# Swedish and English
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "forms"),
    [
        ("sv", ("arbetslösa", "arbetslös", "arbetslöshet")),
        ("sv", ("ungdomar", "ungdom")),
        ("sv", ("sysselsättningen", "sysselsättning")),
        ("sv", ("invandrare", "invandrarna")),
        ("en", ("employment", "employed", "employing")),
        ("en", ("immigrants", "immigrant")),
        ("en", ("services", "service")),
        ("en", ("training", "trained")),
    ],
)
def test_swedish_and_english_forms_share_a_query_term(lang: str, forms: tuple[str, ...]) -> None:
    # Every form gives its lemma (simplemma) and its Snowball stem: the forms meet in one of them.
    assert set.intersection(*(set(lemmas(form, lang)) for form in forms))
    assert {kind for form in forms for _t, kind in explain_terms(form, lang)} <= {"stem", "base", "compound"}


@pytest.mark.parametrize("lang, forms", [
    ("sv", ("arbetslivet", "arbetsliv")),  # Snowball leaves the definite form as it is
    ("sv", ("lärlingsutbildningen", "lärlingsutbildning")),
    ("en", ("employers", "employer")),
])
def test_lemmas_conflate_what_snowball_does_not(lang: str, forms: tuple[str, ...]) -> None:
    assert set.intersection(*(set(lemmas(form, lang)) for form in forms))


def test_a_swedish_compound_is_indexed_with_its_parts() -> None:
    terms = dict(explain_terms("lärlingsutbildningsavtalet", "sv"))
    assert terms.get("lärlingsutbildning") == "compound" and terms.get("avtal") == "compound"


def test_snowball_languages_handle_hyphens_and_numbers() -> None:
    assert {"e-learn", "learn", "e"} <= set(index_terms("e-learning", "en"))
    assert lemmas("Ohjaamo 2.0", "sv") == ["ohjaamo", "2.0"]


def test_unknown_language_is_rejected() -> None:
    with pytest.raises(ValueError):
        analyzer_for("de")
    with pytest.raises(ValueError):
        lemmas("talo", "de")


# --------------------------------------------------------------------------
# Pickling and caching
# --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_analyser_pickles(lang: str) -> None:
    analyzer = analyzer_for(lang)
    analyzer("talo")  # used analysers must pickle too
    clone = pickle.loads(pickle.dumps(analyzer))
    assert clone == analyzer
    assert [t.text for t in clone("Nuorille")] == [t.text for t in analyzer("Nuorille")]


def test_concurrent_analysis_agrees() -> None:
    from concurrent.futures import ThreadPoolExecutor

    words = ["nuorille", "palkkatuella", "vertaismentoroinnin", "TE-palvelut", "Kainuun"] * 20
    cache_clear()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda w: explain_terms(w, "fi"), words))
    assert results == [explain_terms(w, "fi") for w in words]


def test_cache_counts_hits_on_second_call() -> None:
    cache_clear()
    lemmas("työllisyyshankkeiden", "fi")
    first = cache_info()
    lemmas("työllisyyshankkeiden", "fi")
    second = cache_info()
    assert first["misses"] >= 1 and first["size"] >= 1
    assert second["hits"] == first["hits"] + 1
    assert second["misses"] == first["misses"]


def test_analyse_forms_returns_exactly_the_entries_it_added() -> None:
    """A build's analysis worker sends back what analyse_forms returns: every new analysis (a
    compound's parts too, which the index writers look up), none it had before."""
    cache_clear()
    analysis.analyse_forms([("fi", "nuorille"), ("sv", "arbetslivet")])
    before = dict(words._CACHE)
    added = analysis.analyse_forms([("fi", "vertaismentoroinnin"), ("fi", "nuorille"), ("en", "workers")])
    assert set(added) == set(words._CACHE) - set(before)
    assert {("fi", "vertaismentoroinnin"), ("en", "workers")} <= set(added)
    assert ("fi", "nuorille") not in added
    assert all(added[key] == words._CACHE[key] for key in added)


# --------------------------------------------------------------------------
# Whoosh round trip
# --------------------------------------------------------------------------

DOCS = {
    "a": "Tarjoamme ohjausta nuorille maahanmuuttajille Kainuun alueella.",
    "b": "Uravalmennuksessa korostuu työllisyyshankkeiden yhteistyö. LEAN-menetelmällä kehitetään TE-palveluita.",
    "c": "Nuorisotakuu ja palkkatuella työllistäminen, Ohjaamo 2.0 ja TL 3. Vertaismentoroinnin malli.",
}


@pytest.fixture(scope="module")
def index():
    schema = Schema(
        id=ID(stored=True),
        body=TEXT(analyzer=analyzer_for("fi"), stored=True, chars=True, phrase=True, multitoken_query="or"),
    )
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for key, text in DOCS.items():
            writer.add_document(id=key, body=text)
    return ix


def search_ids(ix, text: str, **parser_kwargs) -> list[str]:
    parser = QueryParser("body", ix.schema, group=AndGroup, **parser_kwargs)
    with ix.searcher() as searcher:
        return sorted(hit["id"] for hit in searcher.search(parser.parse(text)))


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("nuori maahanmuuttaja", ["a"]),
        ("nuorille maahanmuuttajille", ["a"]),
        ("kainuu", ["a"]),
        ("valmennus", ["b"]),
        ("hanke", ["b"]),
        ("LEAN", ["b"]),
        ("LEAN-menetelmä", ["b"]),
        ("menetelmä", ["b"]),
        ("te-palvelut", ["b"]),
        ("tuki", ["c"]),
        ("palkkatuki", ["c"]),
        ("sota", []),  # nuorisotakuu is not nuori+sota+kuu
        ("mentorointi", ["c"]),
        ("2.0", ["c"]),
        ('"ohjaamo 2.0"', ["c"]),
        ('"nuori maahanmuuttaja"', ["a"]),
    ],
)
def test_round_trip_search(index, text: str, ids: list[str]) -> None:
    assert search_ids(index, text) == ids


@pytest.mark.parametrize("fragmenter", [highlight.ContextFragmenter(), highlight.PinpointFragmenter()])
@pytest.mark.parametrize("terms", [False, True])
def test_highlights_mark_the_surface_form(index, fragmenter, terms: bool) -> None:
    """hit.highlights re-analyses stored text in index mode, or with terms=True and
    a PinpointFragmenter reads the stored char offsets; both mark the surface word."""
    parser = QueryParser("body", index.schema, group=AndGroup)
    with index.searcher() as searcher:
        results = searcher.search(parser.parse("nuori"), terms=terms)
        results.fragmenter = fragmenter
        results.formatter = highlight.UppercaseFormatter()
        assert "NUORILLE maahanmuuttajille" in results[0].highlights("body")


def test_highlights_mark_compound_for_part_query(index) -> None:
    parser = QueryParser("body", index.schema, group=AndGroup)
    with index.searcher() as searcher:
        results = searcher.search(parser.parse("tuki"))
        results.formatter = highlight.UppercaseFormatter()
        assert "PALKKATUELLA" in results[0].highlights("body")


def test_a_search_process_reads_analyses_from_the_builds_store(tmp_path, monkeypatch) -> None:
    # A stored analysis is used instead of analysing the word again (and loading Voikko for it).
    store = tmp_path / "lemma-cache"
    analysis.cache_update({("fi", "kokeilusana"): analysis.WordTerms(("tallennettu",), ("base",), ("tallennettu",))})
    analysis.save_cache(store, [("fi", "kokeilusana")])
    analysis.cache_clear()
    monkeypatch.setattr(words, "_compute_terms", lambda word, lang: pytest.fail(f"analysed {word!r}"))
    analysis.use_store(store)
    try:
        assert analysis.lemmas("kokeilusana", "fi") == ["tallennettu"]
    finally:
        analysis.use_store(None)
        analysis.cache_clear()


def test_prefetched_analyses_are_the_stored_ones_read_in_a_few_queries(tmp_path, monkeypatch) -> None:
    # A server's first query reads the vocabularies' words at once instead of one query per word.
    from app.text import lemma_store

    store = tmp_path / "lemma-cache"
    stored = {(lang, f"sana{i}"): analysis.WordTerms((f"{lang}{i}",), ("base",), (f"{lang}{i}",))
              for i in range(1200) for lang in ("fi", "sv")}
    analysis.cache_update(stored)
    analysis.save_cache(store, list(stored))
    analysis.cache_clear()
    monkeypatch.setattr(words, "_compute_terms", lambda word, lang: pytest.fail(f"analysed {word!r}"))
    analysis.use_store(store)
    try:
        queries = []
        db = lemma_store._reader()
        db.set_trace_callback(queries.append)
        asked = [*stored, ("en", "sana1"), ("fi", "puuttuva")]  # two words the store does not hold
        assert analysis.prefetch(asked) == len(stored)
        assert {key: words._CACHE[key] for key in stored} == stored and ("en", "sana1") not in words._CACHE
        assert len(queries) == 1 + 3 + 3  # 1 English, 1,201 Finnish and 1,200 Swedish words: 500 a query
        assert analysis.prefetch(stored) == 0 and len(queries) == 7  # what memory holds is not read again
        assert analysis.lemmas("sana7", "sv") == ["sv7"]
    finally:
        analysis.use_store(None)
        analysis.cache_clear()
    assert analysis.prefetch(stored) == 0  # no store: nothing read, each word analysed when asked for


def test_a_missing_or_stale_store_means_analysing(tmp_path) -> None:
    stale = tmp_path / "stale"
    sqlite3.connect(stale).executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
                                         "INSERT INTO meta VALUES ('fingerprint', 'old');"
                                         "CREATE TABLE form (lang TEXT, word TEXT, terms TEXT);"
                                         "INSERT INTO form VALUES ('fi', 'nuorten', 'väärä');")
    for store in (tmp_path / "missing", stale):
        analysis.cache_clear()
        analysis.use_store(store)
        try:
            assert analysis.lemmas("nuorten", "fi") == ["nuori"]
        finally:
            analysis.use_store(None)
    analysis.cache_clear()


def test_a_missing_store_is_looked_at_once_not_at_every_word(tmp_path, monkeypatch) -> None:
    # A server whose store is stale (code deployed before the rebuild) must not re-open it, and
    # recompute the analyser's fingerprint, for every word of every query.
    from app.text import lemma_store

    opened = []
    real = lemma_store._open_store
    monkeypatch.setattr(lemma_store, "_open_store", lambda *a, **k: opened.append(a[0]) or real(*a, **k))
    analysis.cache_clear()
    analysis.use_store(tmp_path / "missing")
    try:
        for word in ("nuorten", "koulutukseen", "hankkeissa", "työllisyyspalvelut"):
            analysis.lemmas(word, "fi")
    finally:
        analysis.use_store(None)
        analysis.cache_clear()
    assert opened == [tmp_path / "missing"]


# --------------------------------------------------------------------------
# index_postings: the build's path is the analyser's, without Token objects
# --------------------------------------------------------------------------

def _grouped(text: str, lang: str, whole_words: bool) -> dict[str, list[tuple[int, int, int]]]:
    out: dict[str, list[tuple[int, int, int]]] = {}
    for t in analyzer_for(lang, whole_words)(text, positions=True, chars=True, mode="index"):
        out.setdefault(t.text, []).append((t.pos, t.startchar, t.endchar))
    return out


INDEX_TEXTS = [
    "Nuorten työllistymistä tuettiin palkkatuella ja TE-palveluiden kanssa; ESR:n rahoitus 2014–2020.",
    "Ohjaamo-toiminta ja vertaismentoroinnin  malli: 6.1, TL3, kotoutumiskoulutus\nuudelleen.",
    "Lärlingsutbildning för unga i Jakobstad – “arbetsplatsen” lär ut.",
    "Apprenticeships for people's first jobs: co-operation with employers, 2.0 version.",
    "",
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("whole_words", [False, True])
@pytest.mark.parametrize("text", INDEX_TEXTS)
def test_index_postings_are_the_analysers_tokens(text, lang, whole_words):
    assert analysis.index_postings(text, lang, whole_words) == _grouped(text, lang, whole_words)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="aäöbcdeiklmnorstuy -–:.,'’0123456789\n", max_size=80))
def test_index_postings_match_the_analyser_on_any_text(text):
    assert analysis.index_postings(text, "fi") == _grouped(text, "fi", False)


@pytest.mark.parametrize("text", INDEX_TEXTS)
def test_token_texts_are_the_tokenisers(text):
    assert list(analysis.token_texts(text)) == [t.text for t in analysis.WordTokenizer()(text)]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aäöAÄÖ bB-–:'’1.,\u00ad\u0301İ\n")), max_size=80))
def test_token_set_is_the_set_of_token_texts(text: str) -> None:
    assert analysis.token_set([text]) == set(analysis.token_texts(text))
    halves = [text[:len(text) // 2], text[len(text) // 2:]]
    assert analysis.token_set(halves) == set(analysis.token_texts(halves[0])) | set(analysis.token_texts(halves[1]))
