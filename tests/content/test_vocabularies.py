import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.content.vocabularies import Priority, canonical, load_vocabularies, normalise_period, parse_priority, suggest
from conftest import VOCABULARIES


@pytest.fixture(scope="module")
def vocab():
    return load_vocabularies(VOCABULARIES)


@pytest.mark.parametrize("text, expected", [
    ("TL 3 et 6.1", Priority("TL 3", "6.1")),
    ("TL 4 et. 9.1", Priority("TL 4", "9.1")),
    ("TL3 et 6.1", Priority("TL 3", "6.1")),
    ("TL 3, et 6.1", Priority("TL 3", "6.1")),
    ("tl 5 ET 10.1", Priority("TL 5", "10.1")),
    ("TL 3 et 6. 1", Priority("TL 3", "6.1")),
    ("TL 3 6.1", None),
    ("6.1", None),
    ("TL x et 6.1", None),
    ("", None),
])
def test_parse_priority_accepts_real_spellings(text, expected):
    assert parse_priority(text) == expected


@pytest.mark.parametrize("text", ["2014-2020", "2014 – 2020", "2014—2020", "2014–2020"])
def test_period_spellings_normalise(text):
    assert normalise_period(text) == "2014–2020"


def test_required_vocabulary_entries_exist(vocab):
    for value in ("nuoret", "maahanmuuttajat", "pitkäaikaistyöttömät", "ikääntyneet", "korkeakoulutetut",
                  "osatyökykyiset", "yritykset"):
        assert value in vocab.target_groups
    assert len(vocab.themes) == 7
    assert vocab.regions["Etelä-Savo"].parent == "Itä-Suomi"
    assert "6.1" in vocab.periods["2014–2020"].axes["TL 3"].objectives
    assert "9.1" in vocab.periods["2014–2020"].axes["TL 4"].objectives
    assert "4.1" in vocab.periods["2021–2027"].axes["TL 4"].objectives
    assert all(set(t.labels) == {"fi", "sv", "en"} for t in vocab.regions.values())


def test_unofficial_translations_are_marked(vocab):
    # The sources found no Swedish names for the publication's themes: all are our own.
    assert all("sv" in t.unofficial for t in vocab.themes.values())


@pytest.mark.parametrize("value, expected", [
    ("Pohjois-Karjala", "Pohjois-Karjala"),
    ("pohjois-karjala", "Pohjois-Karjala"),
    ("Pohjois Karjala", None),
])
def test_canonical_region(vocab, value, expected):
    assert canonical(value, vocab.regions) == expected


def test_aliases_canonicalise(vocab):
    assert canonical("maahanmuuttajataustaiset", vocab.target_groups, vocab.target_group_aliases) == "maahanmuuttajat"


@pytest.mark.parametrize("value, expected", [
    ("Pohjois Karjala", "Pohjois-Karjala"),
    ("Etela-Savo", "Etelä-Savo"),
    ("Kainu", "Kainuu"),
])
def test_suggestions_for_misspellings(vocab, value, expected):
    assert suggest(value, list(vocab.regions)) == expected


def test_labels_per_language(vocab):
    assert vocab.label("region", "Pohjois-Karjala", "sv") == "Norra Karelen"
    assert vocab.label("theme", "kohti työtä", "en") == "Towards employment"
    assert vocab.label("region", "Atlantis", "fi") == "Atlantis"


def _official_words(vocab) -> list[str]:  # noqa: ANN001
    return sorted({w for name in vocab.official_names() for w in name.split()})


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_official_names_are_found_as_the_pattern_alone_finds_them(vocab, data):
    """official_name_matches skips the pattern's search when the text lacks a name's inner word; what
    it finds is still exactly what the case-insensitive pattern finds: names whole, split by other
    whitespace, in other case, glued to the words around them, or cut short."""
    names = vocab.official_names()
    piece = st.one_of(st.sampled_from(names), st.sampled_from(_official_words(vocab)),
                      st.sampled_from(names).map(lambda n: n.upper().replace(" ", "\n ")),
                      st.sampled_from(names).map(lambda n: n[: len(n) // 2]), st.text("abcäöå -\n", max_size=8))
    separator = data.draw(st.sampled_from([" ", "", "x", "\t"]))
    text = separator.join(data.draw(st.lists(piece, max_size=6)))
    expected = [m.span() for m in vocab.official_name_pattern().finditer(text)]
    assert [m.span() for m in vocab.official_name_matches(text)] == expected
