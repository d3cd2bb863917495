"""Tests for app.text.tokens: the tokeniser's pattern is the readable one, only faster."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from app.text.tokens import _TOKEN_RE, token_texts

# The pattern as first written: a word is a letter followed by letters, digits, combining marks and
# soft hyphens, one character at a time. The tokeniser writes the same language with possessive runs.
_ALNUM = r"(?:[^\W_]|[\u0300-\u036f\u00ad])"
_PIECE = rf"(?:\d+(?:[.,]\d+)+|[^\W_]{_ALNUM}*(?:'{_ALNUM}+)*)"
READABLE = re.compile(rf"{_PIECE}(?:-{_PIECE})*(?::[^\W\d_]{{1,6}}(?![^\W_]))?")

_ALPHABET = "aäöåkstAÄÖÅ0123456789 -\u2013:.,'_\u00ad\u0301\u0308\u200b!"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=60) | st.text(max_size=40))
def test_the_tokeniser_matches_what_the_readable_pattern_matches(text: str) -> None:
    assert [m.span() for m in _TOKEN_RE.finditer(text)] == [m.span() for m in READABLE.finditer(text)]


def test_marks_soft_hyphens_and_apostrophes_stay_inside_words() -> None:
    text = "Vaa'an se\u0301ura, koulu\u00adtus ja ESR:n 6.1-hanke_x o'"
    assert list(token_texts(text)) == ["vaa'an", "séura", "koulutus", "ja", "esr", "6.1-hanke", "x", "o"]
