"""Per-version data beside the Whoosh files: practice records in SQLite and precomputed browse arrays.

Both are written once by the build and only read afterwards. A process opening a version reads the
small browse file (slugs, facet values, title order, document → practice map) and fetches a
practice's records only when it is shown, so opening a version stays fast at 100 000 practices.
"""
from __future__ import annotations

import json
import os
import pickle
import shutil
import sqlite3
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CATALOG_DB = "practices.sqlite"
BROWSE = "browse.pickle"
LEGACY_CATALOG = "practices.json"  # versions built before the SQLite catalogue
BROWSE_FORMAT = 2
_SCHEMA = "CREATE TABLE practice (slug TEXT PRIMARY KEY, versions TEXT NOT NULL) WITHOUT ROWID"


HEAVY_FIELDS = ("body_html", "body_text")  # only the practice page needs these: never kept in memory


def primary_version(versions: Mapping[str, dict]) -> dict:
    """The version a practice is listed by: its Finnish original, else its first version."""
    return versions.get("fi") or next(iter(versions.values()))


def facet_values(primary: Mapping, langs: Sequence[str]) -> dict[str, list[str]]:
    """Facet values of one practice from its primary version's record and its languages."""
    return {
        "region": list(primary["regions"]), "large_area": list(primary["large_areas"]),
        "theme": list(primary["themes"]), "axis": [primary["axis"]], "objective": [primary["objective"]],
        "target_group": list(primary["target_groups"]), "period": [primary["period"]], "lang": list(langs),
    }


# --- writing ---------------------------------------------------------------------------------

def write_catalog(path: Path, rows: Iterable[tuple[str, Mapping[str, dict]]]) -> None:
    """Create the catalogue at ``path`` with one row per practice: slug → {lang: record}."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")  # the build fsyncs the finished version directory itself
        db.execute(_SCHEMA)
        db.executemany("INSERT INTO practice VALUES (?, ?)",
                       ((slug, json.dumps(versions, ensure_ascii=False)) for slug, versions in rows))
        db.commit()
    finally:
        db.close()


def update_catalog(source: Path, target: Path, changed: Mapping[str, Mapping[str, dict]],
                   removed: Iterable[str]) -> None:
    """Copy the catalogue ``source`` to ``target`` with some practices replaced, added or removed."""
    shutil.copyfile(source, target)
    db = sqlite3.connect(target)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.executemany("DELETE FROM practice WHERE slug = ?", ((s,) for s in removed))
        db.executemany("INSERT OR REPLACE INTO practice VALUES (?, ?)",
                       ((s, json.dumps(v, ensure_ascii=False)) for s, v in changed.items()))
        db.commit()
    finally:
        db.close()


@dataclass
class Browse:
    """What a process keeps of every practice: its primary record without the body, and orders.

    Records are tuples in the order of ``fields`` (smaller and faster to load than dicts).
    """

    slugs: list[str]  # sorted; a practice's ordinal is its position here
    fields: tuple[str, ...]  # names of the record fields kept
    primaries: list[tuple]  # primary version's record (no body) per ordinal
    langs: list[tuple[str, ...]]  # languages per ordinal, in catalogue order
    title_order: array  # ordinals sorted by title
    doc_ordinal: array  # Whoosh document number → ordinal

    @classmethod
    def from_records(cls, records: Mapping[str, Mapping[str, dict]], title_key: Callable[[str], str],
                     doc_slugs: Iterable[str]) -> "Browse":
        """Build from slug → {lang: record} and the slug of every Whoosh document in number order."""
        slugs = sorted(records)
        first = primary_version(records[slugs[0]]) if slugs else {}
        fields = tuple(k for k in first if k not in HEAVY_FIELDS)
        # Lists, not tuples: the same values as records read back from the catalogue's JSON.
        primaries = [tuple(list(v) if isinstance(v, tuple) else v for v in (primary_version(records[s])[k] for k in fields))
                     for s in slugs]
        ordinal = {s: i for i, s in enumerate(slugs)}
        titles = [p[fields.index("title")] for p in primaries] if slugs else []
        return cls(slugs=slugs, fields=fields, primaries=primaries, langs=[tuple(records[s]) for s in slugs],
                   title_order=array("I", sorted(range(len(slugs)), key=lambda i: title_key(titles[i]))),
                   # Deleted documents keep their numbers; no search returns them, so any ordinal will do.
                   doc_ordinal=array("I", (ordinal.get(s, 0) for s in doc_slugs)))

    def primary(self, i: int) -> dict:
        return dict(zip(self.fields, self.primaries[i]))

    def facet_values(self, i: int) -> dict[str, list[str]]:
        return facet_values(self.primary(i), self.langs[i])

    def save(self, path: Path) -> None:
        with open(path, "wb") as fh:
            pickle.dump({"format": BROWSE_FORMAT, **self.__dict__}, fh, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: Path) -> "Browse | None":
        """The stored arrays, or None when the version has none (built by an older build)."""
        try:
            with open(path, "rb") as fh:
                data = pickle.load(fh)
        except FileNotFoundError:
            return None
        if data.pop("format", None) != BROWSE_FORMAT:
            return None
        return cls(**data)


# --- reading ---------------------------------------------------------------------------------

class Catalog(Mapping[str, dict[str, dict]]):
    """Read-only mapping slug → {lang: record}, fetched from SQLite on demand and kept in an LRU."""

    def __init__(self, path: Path, cache_size: int = 4096):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._len: int | None = None
        self._get = lru_cache(maxsize=cache_size)(self._fetch)

    def _conn(self) -> sqlite3.Connection:
        # One connection per process (a forked worker must not share its parent's).
        if self._db is None or self._pid != os.getpid():
            uri = self.path.resolve().as_uri() + "?mode=ro&immutable=1"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._pid = os.getpid()
        return self._db

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._conn().execute(sql, args).fetchall()

    def _fetch(self, slug: str) -> dict[str, dict] | None:
        rows = self._query("SELECT versions FROM practice WHERE slug = ?", (slug,))
        return json.loads(rows[0][0]) if rows else None

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
        return iter([r[0] for r in self._query("SELECT slug FROM practice ORDER BY slug")])

    def __len__(self) -> int:
        if self._len is None:
            self._len = self._query("SELECT count(*) FROM practice")[0][0]
        return self._len

    def close(self) -> None:
        with self._lock:
            if self._db is not None and self._pid == os.getpid():
                self._db.close()
            self._db = None


def open_catalog(version_dir: Path) -> Mapping[str, dict[str, dict]]:
    """The catalogue of a version: SQLite, or the whole JSON file of versions built before it existed."""
    if (version_dir / CATALOG_DB).exists():
        return Catalog(version_dir / CATALOG_DB)
    with open(version_dir / LEGACY_CATALOG, encoding="utf-8") as fh:
        return json.load(fh)
