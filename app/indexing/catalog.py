"""The practice catalogue of an index version: every practice's records by slug, in SQLite.

Written once by the build and only read afterwards. A row holds all language versions of a
practice (``slug → {lang: record}``, a record as :meth:`app.content.Practice.record` makes it) and
the primary version without its body, which result lists read. Servers fetch rows when they show
them and keep recent ones in an LRU, so opening a version reads no record. A second table maps each
old slug (a practice's ``aliases``) to the practice's slug, for the redirects from old addresses.

An update does not copy the whole catalogue (a gigabyte at 100,000 practices, 3 s and a gigabyte
written per one-file rebuild): the new version hard-links the previous one's file and writes the
practices changed since it was written whole into a small file beside it (:data:`.layout.CATALOG_CHANGES`:
the changed rows, their old slugs, and the slugs removed), which readers put in front of it. Past
``REWRITE_SHARE`` of the practices the two are merged into a new whole file.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from ..names import primary_version
from .layout import CATALOG_CHANGES, CATALOG_DB

HEAVY_FIELDS = ("body_html", "body_text")  # of a record, only the practice page needs these

_SCHEMA = ("CREATE TABLE practice (slug TEXT PRIMARY KEY, versions TEXT NOT NULL, primary_light TEXT NOT NULL) "
           "WITHOUT ROWID")
_ALIAS_SCHEMA = "CREATE TABLE alias (alias TEXT PRIMARY KEY, slug TEXT NOT NULL) WITHOUT ROWID"
_GONE_SCHEMA = "CREATE TABLE gone (slug TEXT PRIMARY KEY) WITHOUT ROWID"  # (changes file) removed since the whole file
REWRITE_SHARE = 0.05  # practices changed or removed since the whole file, of the version's, beyond which it is rewritten
# What a reader sees when a changes file lies beside the whole one ("changes" attached): its rows in
# front, the whole file's rows of the practices it neither changed nor removed.
_MERGED_VIEWS = (
    "CREATE TEMP VIEW practice_now AS "
    "SELECT slug, versions, primary_light FROM changes.practice UNION ALL "
    "SELECT slug, versions, primary_light FROM main.practice WHERE slug NOT IN (SELECT slug FROM changes.practice) "
    "AND slug NOT IN (SELECT slug FROM changes.gone)",
    "CREATE TEMP VIEW alias_now AS "
    "SELECT alias, slug FROM changes.alias UNION ALL "
    "SELECT alias, slug FROM main.alias WHERE slug NOT IN (SELECT slug FROM changes.practice) "
    "AND slug NOT IN (SELECT slug FROM changes.gone) AND alias NOT IN (SELECT alias FROM changes.alias)",
)
_PLAIN_VIEWS = ("CREATE TEMP VIEW practice_now AS SELECT slug, versions, primary_light FROM main.practice",
                "CREATE TEMP VIEW alias_now AS SELECT alias, slug FROM main.alias")


def light(record: Mapping) -> dict:
    """A record without the body fields."""
    return {k: v for k, v in record.items() if k not in HEAVY_FIELDS}


# --- writing ---------------------------------------------------------------------------------

def _row(slug: str, versions: Mapping[str, dict]) -> tuple[str, str, str]:
    return (slug, json.dumps(versions, ensure_ascii=False),
            json.dumps(light(primary_version(versions)), ensure_ascii=False))


def _aliases(slug: str, versions: Mapping[str, Mapping]) -> list[tuple[str, str]]:
    """(old slug, slug) of every old slug any version of the practice lists."""
    return [(a, slug) for a in dict.fromkeys(a for r in versions.values() for a in r.get("aliases") or ())]


def write_catalog(path: Path, rows: Iterable[tuple[str, Mapping[str, dict]]]) -> None:
    """Create the catalogue at ``path`` with one row per practice: slug → {lang: record}, and its old slugs."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")  # the build fsyncs the finished version directory itself
        db.execute(_SCHEMA)
        db.execute(_ALIAS_SCHEMA)
        aliases: list[tuple[str, str]] = []
        for slug, versions in rows:
            db.execute("INSERT INTO practice VALUES (?, ?, ?)", _row(slug, versions))
            aliases.extend(_aliases(slug, versions))
        db.executemany("INSERT OR REPLACE INTO alias VALUES (?, ?)", aliases)
        db.commit()
    finally:
        db.close()


def update_catalog(previous: Path, target: Path, changed: Mapping[str, Mapping[str, dict]],
                   removed: Iterable[str], total: int) -> None:
    """Write into the version directory ``target`` the catalogue of the version directory ``previous``
    with some practices replaced, added or removed (``total``: the practices of the new version): the
    whole file linked and a changes file beside it, or (past :data:`REWRITE_SHARE` of ``total``
    changed since the whole file was written) a new whole file."""
    removed = list(removed)
    whole = previous / CATALOG_DB
    changes = target / CATALOG_CHANGES
    if (previous / CATALOG_CHANGES).exists():
        shutil.copyfile(previous / CATALOG_CHANGES, changes)
    db = sqlite3.connect(changes)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")  # the build fsyncs the finished version directory itself
        for schema in (_SCHEMA, _ALIAS_SCHEMA, _GONE_SCHEMA):
            db.execute(schema.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"))
        db.executemany("DELETE FROM practice WHERE slug = ?", ((s,) for s in removed))
        db.executemany("INSERT OR IGNORE INTO gone VALUES (?)", ((s,) for s in removed))
        db.executemany("DELETE FROM gone WHERE slug = ?", ((s,) for s in changed))
        db.executemany("DELETE FROM alias WHERE slug = ?", ((s,) for s in [*removed, *changed]))
        db.executemany("INSERT OR REPLACE INTO practice VALUES (?, ?, ?)", (_row(s, v) for s, v in changed.items()))
        db.executemany("INSERT OR REPLACE INTO alias VALUES (?, ?)",
                       [pair for s, v in changed.items() for pair in _aliases(s, v)])
        db.commit()
        count = db.execute("SELECT (SELECT count(*) FROM practice) + (SELECT count(*) FROM gone)").fetchone()[0]
    finally:
        db.close()
    if count <= REWRITE_SHARE * max(total, 1):
        _link(whole, target / CATALOG_DB)
        return
    _merge(whole, changes, target / CATALOG_DB)
    changes.unlink()


def _link(source: Path, target: Path) -> None:
    """``target`` the same file as ``source`` (never written again): a hard link, a copy where linking fails."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _merge(whole: Path, changes: Path, target: Path) -> None:
    """Write at ``target`` the whole catalogue that ``whole`` with ``changes`` in front of it reads as:
    the readers' own views (:data:`_MERGED_VIEWS`) copied into a new file."""
    db = sqlite3.connect(whole.resolve().as_uri() + "?mode=ro", uri=True)  # the previous version's: read only
    try:
        db.execute("ATTACH DATABASE ? AS changes", (changes.resolve().as_uri() + "?mode=ro",))
        db.execute("ATTACH DATABASE ? AS merged", (target.resolve().as_uri() + "?mode=rwc",))
        db.execute("PRAGMA merged.journal_mode=OFF")
        db.execute("PRAGMA merged.synchronous=OFF")
        for schema in (_SCHEMA, _ALIAS_SCHEMA, *_MERGED_VIEWS):
            db.execute(schema.replace("CREATE TABLE ", "CREATE TABLE merged."))
        db.execute("INSERT INTO merged.practice SELECT slug, versions, primary_light FROM practice_now ORDER BY slug")
        db.execute("INSERT INTO merged.alias SELECT alias, slug FROM alias_now")
        db.commit()
    finally:
        db.close()


# --- reading ---------------------------------------------------------------------------------

class Catalog(Mapping[str, dict[str, dict]]):
    """Read-only mapping slug → {lang: record}, fetched from SQLite on demand and kept in an LRU."""

    def __init__(self, path: Path, cache_size: int = 2048):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._len: int | None = None
        self._get = lru_cache(maxsize=cache_size)(self._fetch)
        self.light = lru_cache(maxsize=cache_size * 4)(self._fetch_light)

    def _conn(self) -> sqlite3.Connection:
        # One connection per process (a forked worker must not share its parent's).
        if self._db is None or self._pid != os.getpid():
            uri = self.path.resolve().as_uri() + "?mode=ro&immutable=1"
            db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            changes = self.path.with_name(CATALOG_CHANGES)
            merged = changes.exists()
            if merged:  # the practices changed since the whole file was written, in front of it
                db.execute("ATTACH DATABASE ? AS changes", (changes.resolve().as_uri() + "?mode=ro&immutable=1",))
            for view in _MERGED_VIEWS if merged else _PLAIN_VIEWS:
                db.execute(view)
            self._db, self._pid = db, os.getpid()
        return self._db

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._conn().execute(sql, args).fetchall()

    def _fetch(self, slug: str) -> dict[str, dict] | None:
        rows = self._query("SELECT versions FROM practice_now WHERE slug = ?", (slug,))
        return json.loads(rows[0][0]) if rows else None

    def _fetch_light(self, slug: str) -> dict:
        """The primary version's record without the body (KeyError for an unknown slug)."""
        rows = self._query("SELECT primary_light FROM practice_now WHERE slug = ?", (slug,))
        if not rows:
            raise KeyError(slug)
        return json.loads(rows[0][0])

    def renamed(self, slug: str) -> str | None:
        """The slug of the practice that ``slug`` is an old slug of, or None."""
        rows = self._query("SELECT slug FROM alias_now WHERE alias = ?", (slug,))
        return rows[0][0] if rows else None

    def __getitem__(self, slug: str) -> dict[str, dict]:
        if not isinstance(slug, str):
            raise KeyError(slug)
        versions = self._get(slug)
        if versions is None:
            raise KeyError(slug)
        return versions

    def __contains__(self, slug: object) -> bool:
        return isinstance(slug, str) and self._get(slug) is not None

    def __iter__(self) -> Iterator[str]:
        return iter([r[0] for r in self._query("SELECT slug FROM practice_now ORDER BY slug")])

    def version_values(self, names: Sequence[str]) -> list[tuple]:
        """``(slug, lang, value of each of names…)`` for every language version, read inside SQLite
        (no record is parsed in Python, the LRU is untouched); a missing value is None."""
        extract = ", ".join("json_extract(v.value, ?)" for _ in names)
        return self._query(f"SELECT p.slug, v.key{', ' + extract if names else ''} "
                           "FROM practice_now AS p, json_each(p.versions) AS v", tuple(f'$."{n}"' for n in names))

    def __len__(self) -> int:
        if self._len is None:
            self._len = self._query("SELECT count(*) FROM practice_now")[0][0]
        return self._len

    def close(self) -> None:
        with self._lock:
            if self._db is not None and self._pid == os.getpid():
                self._db.close()
            self._db = None


class PrimaryRecord(Mapping[str, object]):
    """A practice's primary record without the body: the title from memory, the rest read when first used.

    Lists of thousands of practices (related practices, title order) read only titles.
    """

    __slots__ = ("_catalog", "_slug", "_title", "_data")

    def __init__(self, catalog: Catalog, slug: str, title: str):
        self._catalog, self._slug, self._title, self._data = catalog, slug, title, None

    def _record(self) -> dict:
        if self._data is None:
            self._data = self._catalog.light(self._slug)
        return self._data

    def __getitem__(self, key: str) -> object:
        if key == "title":
            return self._title
        return self._record()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._record())

    def __len__(self) -> int:
        return len(self._record())

    def __repr__(self) -> str:
        return f"PrimaryRecord({self._slug!r}, {self._title!r})"


def open_catalog(version_dir: Path) -> Catalog:
    """The catalogue of an index version."""
    return Catalog(version_dir / CATALOG_DB)
