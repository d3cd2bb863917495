"""The lemma store: word analyses kept in SQLite between builds and read by servers.

The build writes every word form it analysed (``save_cache``) and reads them back before the next
build (``load_cache``); a server process looks up words it has not seen in the store
(``use_store`` + ``lookup``), so it answers queries made of the corpus's words without loading the
Voikko dictionary. A store written by other analyser code or dictionaries is ignored (and emptied
by the next build): its fingerprint names them.
"""
from __future__ import annotations

import functools
import hashlib
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..fingerprints import code_fingerprint
from . import voikko, words


@functools.lru_cache(maxsize=1)
def cache_fingerprint() -> str:
    """Identifies the analyser's code and dictionaries: a stored analysis is only valid under it.

    Computed once a process (reading the code and the packages' metadata took 6.5 ms, and a server
    whose store was stale asked for it at every word it looked up: 18 s for a first query at 100k)."""
    code = code_fingerprint(("text",), ("pyvoikko", "libvoikko", "whoosh-reloaded", "simplemma"))
    return hashlib.sha256(f"{code};{voikko.dictionary_version()}".encode()).hexdigest()[:16]


_FIELD_SEP, _TERM_SEP = "\x1e", "\x1f"  # never inside a token text


def _encode(entry: words.WordTerms) -> str:
    return _FIELD_SEP.join(_TERM_SEP.join(part) for part in entry)


def _decode(text: str) -> words.WordTerms:
    return words.WordTerms(*(tuple(part.split(_TERM_SEP)) if part else () for part in text.split(_FIELD_SEP)))


def use_store(path: Any) -> None:
    """Look words missing from the memory cache up in the SQLite store at ``path`` (the build's lemma
    cache) before analysing them: a new server process then answers queries made of the corpus's
    words without loading the Voikko dictionary (about 1 s)."""
    _STORE["path"] = path
    _STORE_LOCAL.__dict__.clear()


_STORE: dict[str, Any] = {"path": None}
_RETRY_SECONDS = 5.0  # a missing or stale store is looked at again after this long, not at every word
_STORE_LOCAL = threading.local()  # one read-only connection per thread (sqlite3 connections stay in theirs)


def _reader() -> Any:
    """This thread's read-only connection to the store in use, or None (no store, a stale one, or
    one found missing a moment ago)."""
    path = _STORE["path"]
    if path is None:
        return None
    if getattr(_STORE_LOCAL, "path", None) != path:
        missing = getattr(_STORE_LOCAL, "missing", None)
        if missing is not None and missing[0] == str(path) and missing[1] > time.monotonic():
            return None  # found missing or stale a moment ago
        db = _open_store(path, write=False, timeout=0.05)
        if db is None:  # missing or stale: perhaps the first build has not finished yet, so ask again soon
            _STORE_LOCAL.missing = (str(path), time.monotonic() + _RETRY_SECONDS)
            return None
        _STORE_LOCAL.path, _STORE_LOCAL.db = path, db
    return _STORE_LOCAL.db


def lookup(key: tuple[str, str]) -> words.WordTerms | None:
    """The stored analysis of ``key`` (lang, word), or None (no store, a stale one, or a busy one)."""
    db = _reader()
    if db is None:
        return None
    try:
        row = db.execute("SELECT terms FROM form WHERE lang = ? AND word = ?", key).fetchone()
    except sqlite3.Error:  # a build is writing it: analyse instead of waiting
        return None
    return _decode(row[0]) if row else None


_PREFETCH_CHUNK = 500  # words per query (SQLite allows 32,766 parameters; a few hundred keep each query short)


def prefetch(keys: Iterable[tuple[str, str]]) -> int:
    """Put the stored analyses of ``keys`` ((lang, word) pairs) that the memory cache lacks into it,
    a query per 500 words instead of one per word: a server's first text query looks up about 2,500
    words of the vocabularies' labels (0.12 s one at a time at 10k practices). Returns how many were
    added; none without a store (the words are then analysed when asked for, as before)."""
    wanted = {key for key in keys if key not in words._CACHE}
    db = _reader() if wanted else None
    if db is None:
        return 0
    by_lang: dict[str, list[str]] = {}
    for lang, word in sorted(wanted):
        by_lang.setdefault(lang, []).append(word)
    found: dict[tuple[str, str], words.WordTerms] = {}
    try:
        for lang, words_of_lang in by_lang.items():
            for start in range(0, len(words_of_lang), _PREFETCH_CHUNK):
                chunk = words_of_lang[start:start + _PREFETCH_CHUNK]
                # lang = ? AND word IN (…): the primary key's order, so each word is one probe of its index
                rows = db.execute("SELECT word, terms FROM form WHERE lang = ? AND word IN "
                                  f"({','.join('?' * len(chunk))})", [lang, *chunk])
                found.update(((lang, word), _decode(terms)) for word, terms in rows)
    except sqlite3.Error:  # a build is writing it: each word is looked up when asked for
        return 0
    return words.cache_update(found)


def _open_store(path: Any, write: bool, timeout: float = 60) -> Any:
    """The SQLite store at ``path`` if it holds this analyser's analyses (emptied for writing if not), else None."""
    if not write and not Path(path).exists():
        return None
    try:
        db = sqlite3.connect(str(path) if write else Path(path).resolve().as_uri() + "?mode=ro", uri=not write,
                             timeout=timeout)
        if write:
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS form (lang TEXT, word TEXT, terms TEXT, "
                       "PRIMARY KEY (lang, word)) WITHOUT ROWID")
        row = db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
    except sqlite3.DatabaseError:  # not a database, or not ours
        if not write:
            return None
        Path(path).unlink(missing_ok=True)
        return _open_store(path, write)
    if row is None or row[0] != cache_fingerprint():
        if not write:
            db.close()
            return None
        db.execute("DELETE FROM form")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (cache_fingerprint(),))
    return db


def store_is_current(path: Any) -> bool:
    """Whether the SQLite store at ``path`` exists and holds this analyser's analyses (a build that
    finds none will analyse most of its word forms)."""
    db = _open_store(path, write=False)
    if db is None:
        return False
    db.close()
    return True


def save_cache(path: Any, forms: Any = None) -> int:
    """Store the cached analyses of ``forms`` (default: all) in the SQLite file ``path``; return how many."""
    keys = words._CACHE.keys() if forms is None else [f for f in forms if f in words._CACHE]
    db = _open_store(path, write=True)
    try:
        with db:
            db.executemany("INSERT OR REPLACE INTO form VALUES (?, ?, ?)",
                           ((lang, word, _encode(words._CACHE[(lang, word)])) for lang, word in keys))
        return len(keys)
    finally:
        db.close()


def load_cache(path: Any, forms: Any = None) -> int:
    """Add the stored analyses of ``forms`` (default: all); a missing, unreadable or stale file adds nothing.

    Returns how many were added. Asking for a few forms reads only those rows.
    """
    db = _open_store(path, write=False)
    if db is None:
        return 0
    try:
        if forms is None or len(forms) > 20_000:
            rows = db.execute("SELECT lang, word, terms FROM form")
            wanted = None if forms is None else set(forms)
        else:
            lookup = "SELECT lang, word, terms FROM form WHERE lang = ? AND word = ?"
            rows = (row for form in forms for row in db.execute(lookup, form))
            wanted = None
        entries = {(lang, word): _decode(terms) for lang, word, terms in rows
                   if wanted is None or (lang, word) in wanted}
    finally:
        db.close()
    return words.cache_update(entries)

