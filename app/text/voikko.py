"""Voikko, the Finnish analyser: libvoikko (the Voikko project's C++ library) with its Finnish
dictionary voikko-fi, its raw analyses read by pyvoikko's parser.

Why libvoikko: on the 10k benchmark corpus's word forms it analyses 3.3× faster than pyvoikko's own
transducer on kfst-rs (40 000 forms: 4.9 s against 16.1 s, the whole analysis of :mod:`.finnish`
included), and it drops implausible compound readings ("vako+oja" for "vakooja", "peru+ukki" for
"peruukki") and orders the rest as its speller does ("palvelu+koti", not "palvelu+kota", for
"palvelukodissa"). Its raw analyses (FSTOUTPUT) are what pyvoikko parses, so the readings have the
fields they had. pyvoikko's package is not imported: its ``__init__`` loads a transducer of its own
(0.8 s and 270 MB a process) that nothing here uses; only its parser module is
(:func:`_fst_output_parser`).
"""
from __future__ import annotations

import functools
import importlib
import importlib.util
import sys
import threading
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Where libvoikko looks for dictionaries when no path is given (libvoikko's own order, Linux).
_DICTIONARY_DIRS = ("~/.voikko", "/etc/voikko", "/usr/local/lib/voikko", "/usr/lib/voikko")
MISSING_VOIKKO = ("Voikko's Finnish analyser is missing: install libvoikko and its Finnish dictionary "
                  "(on Debian and Ubuntu: apt-get install libvoikko1 voikko-fi)")


class VoikkoMissing(RuntimeError):
    """libvoikko or its Finnish dictionary is not installed (the message says how to install them)."""


def _fst_output_parser() -> Callable[[str], Any]:
    """pyvoikko's parser of one raw Voikko analysis (``VoikkoAnalysis.from_voikko_analysis``).

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


def open_analyser() -> Callable[[str], list[Any]]:
    """A function from a lowercased word to its readings (pyvoikko's ``VoikkoAnalysis``: BASEFORM,
    CLASS, COMPOUND_PARTS, …), safe to call from several threads. Raises VoikkoMissing when libvoikko
    or its Finnish dictionary is not installed. Opening takes about 15 ms."""
    try:
        import libvoikko
    except ImportError as exc:
        raise VoikkoMissing(f"{MISSING_VOIKKO} ({exc})") from exc
    try:
        handle = libvoikko.Voikko("fi")
    except (OSError, libvoikko.VoikkoException) as exc:  # no shared library; no Finnish dictionary
        raise VoikkoMissing(f"{MISSING_VOIKKO} ({exc})") from exc
    parse = _fst_output_parser()
    raw = _raw_analyses(handle)
    lock = threading.Lock()  # a libvoikko handle serves one call at a time

    def analyse(word: str) -> list[Any]:
        with lock:
            found = raw(word)
        return [parse(r) for r in found]

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
