"""Finnish word analysis with Voikko (:mod:`.voikko`).

Every base form of an ambiguous word, the base forms of compound parts and longer runs of parts,
the head of a lexicalised compound, and for unknown words a Snowball stem (made insensitive to
consonant gradation) plus the known leading word split off it. The dictionary is opened at the
first lookup (about 15 ms), not at import.
"""
from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from . import voikko, words

_VOIKKO: Callable[[str], list[Any]] | None = None
_VOIKKO_LOCK = threading.Lock()
_MAX_VOIKKO_LEN = 60  # longer "words" are URLs/garbage: stem them instead
_MIN_PREFIX, _MIN_REST, _MAX_SPLITS = 3, 4, 16
_PROBE_HEAD = "hanke"  # a neutral head noun used to test compound modifiers


def _voikko() -> Callable[[str], list[Any]]:
    """Return the analysing function, opening the dictionary on first use."""
    global _VOIKKO
    if _VOIKKO is None:
        with _VOIKKO_LOCK:
            if _VOIKKO is None:
                _VOIKKO = voikko.open_analyser()
    return _VOIKKO


def is_word(word: str) -> bool:
    """Whether Voikko reads ``word`` as a Finnish word form (a lowercased token text)."""
    return 0 < len(word) <= _MAX_VOIKKO_LEN and bool(_voikko()(word))


def load_dictionary() -> float:
    """Open the Voikko dictionary now (e.g. before forking workers); return seconds taken.
    Raises VoikkoMissing when libvoikko or its Finnish dictionary is not installed."""
    start = time.perf_counter()
    _voikko()
    return time.perf_counter() - start


def _clean_base(baseform: str) -> str:
    """Lowercase a Voikko base form and drop its morpheme markers.

    Voikko marks lexicalised compounds with "=" ("maahan=muuttaja") and
    the parser (:func:`.voikko.parse_reading`, as pyvoikko's) doubles hyphens ("lean--menetelmä").
    """
    base = baseform.replace("=", "")
    if "--" in base:  # rare: testing for it first spares most base forms the regular expression
        base = _HYPHENS.sub("-", base)
    return base.strip("-").lower()


_HYPHENS = re.compile("-{2,}")


def _lexical_head(baseform: str) -> str:
    """Head of a lexicalised compound ("maahan=muuttaja" -> "muuttaja"), else "".

    Only the head is emitted: it is a base form that standalone queries
    produce, while "maahan" is an inflected form (illative of "maa") and
    indexing it would only make "maa" queries noisier.  Heads that are no
    word of their own ("pide" in "toimen=pide") are dropped.
    """
    if "=" not in baseform:
        return ""
    head = baseform.rsplit("=", 1)[1].lower()
    return head if len(head) >= 3 and _is_lexeme(head) else ""


@functools.lru_cache(maxsize=4096)
def _is_lexeme(word: str) -> bool:
    """True if Voikko reads ``word`` as the base form of a word of its own."""
    return any(_clean_base(r.BASEFORM) == word for r in _voikko()(word))


def _part_count(reading: Any) -> int:
    """Number of compound parts in a Voikko reading (1 for simple words)."""
    return len(reading.COMPOUND_PARTS) if reading.COMPOUND_PARTS else 1


def _run_base(parts: Sequence[Any]) -> str:
    """Base form of consecutive compound parts: modifiers as written, head as base.

    Mirrors how pyvoikko builds the whole word's base form (adjective modifiers
    use their base form).
    """
    modifiers = "".join(
        p.BASEFORM if p.CLASS in ("laatusana", "nimisana_laatusana") else p.FORM
        for p in parts[:-1]
    )
    return _clean_base(modifiers + parts[-1].BASEFORM)


def _compound_terms(parts: Sequence[Any]) -> list[str]:
    """Terms for a compound's parts: each part, lexical heads, and longer runs.

    Runs from either end ("työllisyyspalvelu", "palveluhanke") let a query for a
    sub-compound ("yhteistyö", "väkivalta") find the longer word.
    """
    out = []
    for part in parts:
        out.append(_clean_base(part.BASEFORM))
        out.append(_lexical_head(part.BASEFORM))
    for cut in range(2, len(parts)):
        out.append(_run_base(parts[:cut]))
        out.append(_run_base(parts[-cut:]))
    return out


def add_finnish(terms: words.TermList, word: str) -> None:
    """Add the terms of one Finnish word (no hyphens, no digits)."""
    readings = _voikko()(word) if len(word) <= _MAX_VOIKKO_LEN else []
    if readings:
        _add_known(terms, readings)
    else:
        _add_unknown(terms, word)


def _add_known(terms: words.TermList, readings: Sequence[Any]) -> None:
    """Whole-word base forms of the readings with fewest parts, then their parts.

    Fewest parts drops over-segmentations (nuorisotakuu = nuori+sota+kuu).  The
    parts of a chosen base form come from its least-segmented compound reading,
    so lexicalised words keep their parts ("uusiokäyttö" -> "käyttö").
    """
    fewest = min(_part_count(r) for r in readings)
    bases = []
    for reading in readings:
        base = _clean_base(reading.BASEFORM)
        if _part_count(reading) == fewest and base not in bases:
            bases.append(base)
            terms.add(base, "base", query=True)
    for base in bases:
        same = [r for r in readings if _clean_base(r.BASEFORM) == base]
        for reading in same:
            terms.add(_lexical_head(reading.BASEFORM), "compound")
        compounds = [r for r in same if _part_count(r) > 1]
        if compounds:
            least = min(_part_count(r) for r in compounds)
            for reading in compounds:
                if _part_count(reading) == least:
                    terms.set_parts([_clean_base(p.BASEFORM) for p in reading.COMPOUND_PARTS])
                    for term in _compound_terms(reading.COMPOUND_PARTS):
                        terms.add(term, "compound")


def _add_unknown(terms: words.TermList, word: str) -> None:
    """Terms of a word Voikko cannot analyse on its own.

    A bound compound modifier ("sosiaali" from "sosiaali- ja terveyspalvelut",
    "vertais") gets its base forms, so it matches the same part inside
    compounds; anything else gets a Snowball stem plus, where a known leading
    word splits off, that word and the remainder's terms.
    """
    modifier = _modifier_terms(word) if word.isalpha() else None
    if modifier:
        bases, parts = modifier
        for term in bases:
            terms.add(term, "base", query=True)
        for term in parts:
            terms.add(term, "compound")
        return
    terms.add(words.finnish_stem(word), "stem", query=True)
    split, parts = _split_unknown(word)
    for term, kind in split:
        terms.add(term, kind)
    terms.set_parts(parts)


def _split_unknown(word: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Split an unknown compound at the longest known modifier ("vertais|mentoroinnin").

    Trying the longest prefix first keeps the known part as long as possible
    ("nuorisotyö|mentorointi", not "nuori|..."); at most ``_MAX_SPLITS``
    prefixes are tried, each costing one Voikko lookup. Returns the terms and the two parts' base
    forms (empty when no known modifier splits off).
    """
    # Voikko is not asked about thousands of letters (kfst-rs overflowed its stack): such "words" are only stemmed.
    if len(word) < _MIN_PREFIX + _MIN_REST or len(word) > _MAX_VOIKKO_LEN or not word.isalpha():
        return [], []
    last_cut = len(word) - _MIN_REST
    for cut in range(last_cut, max(_MIN_PREFIX, last_cut - _MAX_SPLITS + 1) - 1, -1):
        modifier = _modifier_terms(word[:cut])
        if modifier is None:
            continue
        bases, parts = modifier
        rest = words.word_terms(word[cut:], "fi")
        rest_terms = [
            (term, "stem" if kind == "stem" else "compound")
            for term, kind in zip(rest.terms, rest.kinds)
        ]
        return ([(term, "compound") for term in (*bases, *parts)] + rest_terms,
                [bases[0], rest.query[0] if rest.query else word[cut:]])
    return [], []


def _modifier_terms(prefix: str) -> tuple[list[str], list[str]] | None:
    """(base forms, part terms) of ``prefix`` as a compound modifier, or None if it is none.

    Voikko is asked to analyse ``prefix`` + a neutral head noun: this accepts
    compound-only forms ("vertais-", "sosiaali-", "pohjois-") and rejects
    inflected junk ("verta-"), which a plain lookup of the prefix would not.
    """
    if len(prefix) < _MIN_PREFIX or len(prefix) + len(_PROBE_HEAD) > _MAX_VOIKKO_LEN:
        return None
    readings = [
        r
        for r in _voikko()(prefix + _PROBE_HEAD)
        if r.COMPOUND_PARTS
        and r.COMPOUND_PARTS[-1].FORM == _PROBE_HEAD
        and "".join(p.FORM for p in r.COMPOUND_PARTS[:-1]) == prefix
    ]
    if not readings:
        return None
    fewest = min(_part_count(r) for r in readings)
    bases: list[str] = []
    parts: list[str] = []
    for reading in readings:
        if _part_count(reading) == fewest:
            modifier = reading.COMPOUND_PARTS[:-1]
            bases.append(_run_base(modifier))
            if len(modifier) > 1:
                parts.extend(_compound_terms(modifier))
    return bases, parts

