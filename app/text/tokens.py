"""The tokeniser shared by every language: words, hyphenated words, numbers and codes with their offsets.

Characters are folded one to one (typographic dashes and quotes to ASCII) so that match offsets
stay valid for highlighting; letters are never folded (ä, ö and å are letters of their own in
Finnish and Swedish). Text is NFC-normalised per token.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis import Token, Tokenizer

# One-to-one character folds, so match offsets stay valid for highlighting.
# Typographic dashes become "-" (so "TE‑palvelut" and "2014–2020" tokenise
# like their ASCII spelling); typographic quotes become ASCII quotes (so
# "vaa’an" keeps its apostrophe inside the word).
# Letters are never folded: ä, ö and å are distinct letters in fi and sv.
_FOLD = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033", '"'),
    }
)

# A word is letters/digits; combining marks and soft hyphens may sit inside
# it (they are removed from the token text, not from the offsets).  An
# apostrophe between letters belongs to the word: Finnish writes it at a
# syllable boundary ("vaa'an" = vaaka) and English has "people's".
# Written as a run of letters with runs of marks inside it, each run possessive: the plain
# alternation "(?:[^\W_]|[marks])*" tries two branches per character and made tokenising half
# as fast (the same matches: tests/text/test_tokens.py compares them).
_MARK = r"[\u0300-\u036f\u00ad]"
_ALNUM_RUN = rf"[^\W_]*+(?:{_MARK}++[^\W_]*+)*+"  # letters, digits and marks, possibly none
_WORD = rf"[^\W_]{_ALNUM_RUN}(?:'(?:[^\W_]|{_MARK}){_ALNUM_RUN})*"
# Decimal numbers, versions and dates stay one token: "6.1", "2.0", "1,5".
_NUMBER = r"\d+(?:[.,]\d+)+"
_PIECE = rf"(?:{_NUMBER}|{_WORD})"
# Hyphenated words are one token; a trailing ":n"/":ssa" is the Finnish
# case ending of an abbreviation or numeral ("ESR:n", "2017:ssä").
_TOKEN_RE = re.compile(rf"{_PIECE}(?:-{_PIECE})*(?::[^\W\d_]{{1,6}}(?![^\W_]))?")


_FOLD_RE = re.compile("[" + "".join(map(chr, _FOLD)) + "]")


def _fold(text: str) -> str:
    """Apply the one-to-one typographic folds (str.translate is slow, so only when needed)."""
    return text.translate(_FOLD) if _FOLD_RE.search(text) else text


def token_text(surface: str) -> str:
    """Normalised, lowercased text of a matched token, without a case suffix."""
    if ":" in surface:  # only the case suffix can contain a colon
        surface = surface[: surface.index(":")]
    if not surface.isascii():
        surface = unicodedata.normalize("NFC", surface.replace("\u00ad", ""))
    return surface.lower()


class WordTokenizer(Tokenizer):
    """Yields lowercased words, hyphenated words and numbers with their offsets."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        """Tokenise ``value`` the way Whoosh's RegexTokenizer does."""
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = value
            t.text = token_text(_fold(value))
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        for pos, match in enumerate(_TOKEN_RE.finditer(_fold(value))):
            t.text = token_text(match.group())
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[match.start() : match.end()]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t



def surface_groups(text: str) -> dict[str, list[tuple[int, int, int]]]:
    """Every token of ``text`` grouped by its surface string as matched (after the one-to-one
    folds): surface → [(position, start character, end character), …] in text order. A surface's
    :func:`token_text` is the token's text as :class:`WordTokenizer` yields it.

    One loop without a generator between it and the grouping: the build calls this for every field
    of every document (3.7 million tokens at 10k practices)."""
    groups: dict[str, list[tuple[int, int, int]]] = {}
    get = groups.get
    for pos, match in enumerate(_TOKEN_RE.finditer(_fold(text))):
        surface = match.group()
        found = get(surface)
        if found is None:
            groups[surface] = [(pos, *match.span())]
        else:
            found.append((pos, *match.span()))
    return groups


def token_texts(text: str) -> Iterator[str]:
    """Token texts of ``text`` as the analysers see them (as :class:`WordTokenizer` yields them,
    without Token objects: the build lists the word forms of every text this way)."""
    for match in _TOKEN_RE.finditer(_fold(text)):
        yield token_text(match.group())


def token_set(texts: Iterable[str]) -> set[str]:
    """The distinct token texts of ``texts`` (the set of their :func:`token_texts`). The distinct
    surface strings of all of them are collected first and each is normalised once: at 10k practices
    that halved the build's listing of word forms, and collecting a practice's texts, or a worker's
    share of them, together instead of one at a time took a third off again (6,000 practices'
    texts: 3.7 → 2.5 CPU s)."""
    surfaces: set[str] = set()
    for text in texts:
        surfaces.update(_TOKEN_RE.findall(_fold(text)))
    return {token_text(surface) for surface in surfaces}
