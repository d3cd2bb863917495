"""Voikko, the Finnish analyser: libvoikko (the Voikko project's C++ library) with its Finnish
dictionary voikko-fi, its raw analyses read by pyvoikko's parser.

Why libvoikko: on the 10k benchmark corpus's word forms it analyses 3.3× faster than pyvoikko's own
transducer on kfst-rs (40 000 forms: 4.9 s against 16.1 s, the whole analysis of :mod:`.finnish`
included), and it drops implausible compound readings ("vako+oja" for "vakooja", "peru+ukki" for
"peruukki") and orders the rest as its speller does ("palvelu+koti", not "palvelu+kota", for
"palvelukodissa"). Its raw analyses (FSTOUTPUT) are parsed by :func:`parse_reading` into the fields
pyvoikko's parser gives them and the analysis reads (FORM, BASEFORM, CLASS, COMPOUND_PARTS), by the
same rules: twice as fast (205,000 readings of the 10k benchmark corpus's forms: 3.0 s against 6.2;
parsing was a third of the analysis of a word), and tests hold it equal to pyvoikko's parser
(:func:`_fst_output_parser`, whose package's ``__init__``, loading a transducer of its own, never runs).
"""
from __future__ import annotations

import functools
import importlib
import importlib.util
import re
import sys
import threading
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

# Where libvoikko looks for dictionaries when no path is given (libvoikko's own order, Linux).
_DICTIONARY_DIRS = ("~/.voikko", "/etc/voikko", "/usr/local/lib/voikko", "/usr/lib/voikko")
MISSING_VOIKKO = ("Voikko's Finnish analyser is missing: install libvoikko and its Finnish dictionary "
                  "(on Debian and Ubuntu: apt-get install libvoikko1 voikko-fi)")


class VoikkoMissing(RuntimeError):
    """libvoikko or its Finnish dictionary is not installed (the message says how to install them)."""


class Reading(NamedTuple):
    """One reading of a word, with the fields of pyvoikko's ``VoikkoAnalysis`` that the analysis reads."""

    FORM: str  # the surface form ("palvelu", "kodissa" for the parts of "palvelukodissa")
    BASEFORM: str  # "palvelukoti"; a lexicalised compound keeps Voikko's "=" ("maahan=muuttaja")
    CLASS: str | None  # the word class, in Finnish as pyvoikko names it ("nimisana", "laatusana", …)
    COMPOUND_PARTS: tuple[Reading, ...] | None = None  # a compound's parts, each a Reading; None for one part


# Word classes as pyvoikko names them (pyvoikko 0.6, constants.MAPS["L"]); an unknown code is kept as it is.
_CLASSES = {"n": "nimisana", "l": "laatusana", "nl": "nimisana_laatusana", "h": "huudahdussana", "ee": "etunimi",
            "es": "sukunimi", "ep": "paikannimi", "em": "nimi", "t": "teonsana", "a": "lyhenne", "s": "seikkasana",
            "u": "lukusana", "ur": "lukusana", "r": "asemosana", "c": "sidesana", "d": "suhdesana", "k": "kieltosana",
            "p": "etuliite"}
_ADJECTIVES = frozenset(("laatusana", "nimisana_laatusana"))  # a compound's adjective modifier is written as its base form
_PIECE = re.compile(r"\[([^\]]+)\]|([^\[]+)")  # a tag "[Ln]" (its name) or text between tags


def _parse_part(group: str) -> Reading:
    """One compound part's reading (pyvoikko's ``_from_unitary_voikko_analysis``): text after [Xp]/[Xj]
    is the base form, text between [Xr]/[Xs] and [X] is skipped, other text is the surface form;
    [Dg] lowers the base form, [De] capitalises it; the last [L…] tag is the class."""
    in_base = in_skipped = False
    base = surface = base_text = text_run = ""
    word_class = None
    lower = capital = False
    for tag, text in _PIECE.findall(group):
        if text:
            if in_skipped:
                pass
            elif in_base:
                base_text += text
            else:
                text_run += text
        elif tag in ("Xp", "Xj"):
            in_base = True
            base += text_run
            surface += text_run
            text_run = base_text = ""
        elif tag in ("Xr", "Xs"):
            in_skipped = True
        elif tag == "X":
            in_base = in_skipped = False
        elif tag[0] == "L":
            word_class = _CLASSES.get(tag[1:], tag[1:])
        elif tag == "Dg":
            lower = True
        elif tag == "De":
            capital = True
    base += base_text
    surface += text_run
    if not base:
        base = surface[:-1] if surface.endswith("-") else surface
    if capital and surface.endswith("is-"):
        base = surface[:-1]
    return Reading(surface, base.lower() if lower else base.capitalize() if capital else base, word_class)


def parse_reading(analysis: str) -> Reading:
    """A raw Voikko analysis (FSTOUTPUT) → its :class:`Reading`, as pyvoikko 0.6's
    ``VoikkoAnalysis.from_voikko_analysis`` reads it: the parts between [Bc] tags that have a class;
    a compound's surface form is its parts' joined, its base form the modifiers as written (adjectives
    as their base form) and the last part's base form. Raises IndexError when no part has a class
    (as pyvoikko does; Voikko writes none such)."""
    groups = [group for group in analysis.split("[Bc]") if "[L" in group]
    if len(groups) == 1:
        return _parse_part(groups[0])
    parts = [_parse_part(group) for group in groups]
    base = "".join((part.BASEFORM if group == groups[-1] or part.CLASS in _ADJECTIVES else part.FORM)
                   + ("-" if part.FORM.endswith("-") else "") for part, group in zip(parts, groups))
    return Reading("".join(part.FORM for part in parts), base, parts[-1].CLASS, tuple(parts))


def _fst_output_parser() -> Callable[[str], Any]:
    """pyvoikko's parser of one raw Voikko analysis (``VoikkoAnalysis.from_voikko_analysis``), which
    tests hold :func:`parse_reading` to.

    Its module is loaded under a private package name pointing at pyvoikko's folder, so that the
    package's ``__init__`` (which loads pyvoikko's own transducer) never runs. This reads pyvoikko's
    layout (``analysis.py`` beside ``constants.py``): pyproject.toml pins the version.
    """
    name = "_kaytantopankki_pyvoikko"
    if name not in sys.modules:
        spec = importlib.util.find_spec("pyvoikko")
        if spec is None or not spec.submodule_search_locations:
            raise VoikkoMissing("pyvoikko is not installed (pip install -e .)")
        package = types.ModuleType(name)
        package.__path__ = list(spec.submodule_search_locations)
        sys.modules[name] = package
    return importlib.import_module(f"{name}.analysis").VoikkoAnalysis.from_voikko_analysis


def open_analyser() -> Callable[[str], list[Reading]]:
    """A function from a lowercased word to its readings (:class:`Reading`: BASEFORM, CLASS,
    COMPOUND_PARTS, FORM), safe to call from several threads. Raises VoikkoMissing when libvoikko
    or its Finnish dictionary is not installed. Opening takes about 15 ms."""
    try:
        import libvoikko
    except ImportError as exc:
        raise VoikkoMissing(f"{MISSING_VOIKKO} ({exc})") from exc
    try:
        handle = libvoikko.Voikko("fi")
    except (OSError, libvoikko.VoikkoException) as exc:  # no shared library; no Finnish dictionary
        raise VoikkoMissing(f"{MISSING_VOIKKO} ({exc})") from exc
    raw = _raw_analyses(handle)
    lock = threading.Lock()  # a libvoikko handle serves one call at a time

    def analyse(word: str) -> list[Reading]:
        with lock:
            found = raw(word)
        return [parse_reading(r) for r in found]

    return analyse


def _raw_analyses(handle) -> Callable[[str], list[str]]:  # noqa: ANN001
    """The raw analyses (FSTOUTPUT) of a word, as ``handle.analyze(word)`` has them, without its
    dictionary of every other key of every reading (half of the binding's time a word: 0.76 against
    0.43 s for 15,800 forms). Readings without FSTOUTPUT are libvoikko's guesses at proper names,
    not dictionary readings: left out. Reads the binding's private library and handle (libvoikko
    4.3, pinned in pyproject.toml; another release may raise AttributeError here)."""
    lib, pointer = handle._Voikko__lib, handle._Voikko__handle

    def raw(word: str, _owner=handle) -> list[str]:  # noqa: ANN001 (the handle kept: its deletion frees the pointer)
        if "\0" in word:  # as Voikko.analyze
            return []
        readings = lib.voikkoAnalyzeWordUcs4(pointer, word)
        if not readings:
            return []
        out = []
        try:
            i = 0
            while readings[i]:
                value = lib.voikko_mor_analysis_value_ucs4(readings[i], b"FSTOUTPUT")
                if value is not None:
                    out.append(value)
                i += 1
        finally:
            lib.voikko_free_mor_analysis(readings)
        return out

    return raw


@functools.lru_cache(maxsize=1)
def dictionary_version() -> str:
    """libvoikko's version and the Finnish dictionary's index (its version and build date): a lemma
    store is only valid under the same ones. "?" for what is not installed."""
    try:
        import libvoikko

        library = libvoikko.Voikko.getVersion()
    except (ImportError, OSError):
        library = "?"
    for folder in _DICTIONARY_DIRS:
        index = Path(folder).expanduser() / "5" / "mor-standard" / "index.txt"
        if index.is_file():
            return f"libvoikko {library}; " + index.read_text(encoding="utf-8", errors="replace")
    return f"libvoikko {library}; dictionary ?"
