"""Per-version data beside the Whoosh files: practice records in SQLite and precomputed browse arrays.

Both are written once by the build and only read afterwards. A process opening a version reads only
the small browse file (slugs, titles, languages, facet values, title order, document → practice map)
and fetches records when it shows them, so opening a version stays fast at 100 000 practices.
"""
from __future__ import annotations

import gc
import json
import os
import pickle
import shutil
import sqlite3
import sys
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .facets import FacetIndex

CATALOG_DB = "practices.sqlite"
BROWSE = "browse.pickle"
LEGACY_CATALOG = "practices.json"  # versions built before the SQLite catalogue
BROWSE_FORMAT = 4  # 4: the facet bitsets are stored too
DATA_FORMAT = f"catalog-2/browse-{BROWSE_FORMAT}"  # an update copies the previous version's data: same format only
HEAVY_FIELDS = ("body_html", "body_text")  # only the practice page needs these
FACET_NAMES = ("region", "large_area", "theme", "axis", "objective", "target_group", "period", "lang")
_SCHEMA = ("CREATE TABLE practice (slug TEXT PRIMARY KEY, versions TEXT NOT NULL, primary_light TEXT NOT NULL) "
           "WITHOUT ROWID")


def primary_version(versions: Mapping[str, Mapping]) -> Mapping:
    """The version a practice is listed by: its Finnish original, else its first version."""
    return versions.get("fi") or next(iter(versions.values()))


def light(record: Mapping) -> dict:
    """A record without the body fields."""
    return {k: v for k, v in record.items() if k not in HEAVY_FIELDS}


def facet_row(primary: Mapping, langs: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Facet values of one practice in ``FACET_NAMES`` order (strings interned: they repeat)."""
    values = (primary["regions"], primary["large_areas"], primary["themes"], [primary["axis"]],
              [primary["objective"]], primary["target_groups"], [primary["period"]], langs)
    return tuple(tuple(sys.intern(v) for v in vs) for vs in values)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Loading many small objects triggers full garbage collections that find nothing: pause them."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# --- writing ---------------------------------------------------------------------------------

def _row(slug: str, versions: Mapping[str, dict]) -> tuple[str, str, str]:
    return (slug, json.dumps(versions, ensure_ascii=False),
            json.dumps(light(primary_version(versions)), ensure_ascii=False))


def write_catalog(path: Path, rows: Iterable[tuple[str, Mapping[str, dict]]]) -> None:
    """Create the catalogue at ``path`` with one row per practice: slug → {lang: record}."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")  # the build fsyncs the finished version directory itself
        db.execute(_SCHEMA)
        db.executemany("INSERT INTO practice VALUES (?, ?, ?)", (_row(slug, v) for slug, v in rows))
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
        db.executemany("INSERT OR REPLACE INTO practice VALUES (?, ?, ?)", (_row(s, v) for s, v in changed.items()))
        db.commit()
    finally:
        db.close()


@dataclass
class Browse:
    """What a process keeps of every practice (by ordinal: its position in ``slugs``) and the orders."""

    slugs: list[str]  # sorted
    titles: list[str]  # title of the primary version
    langs: list[tuple[str, ...]]  # languages, in catalogue order
    facets: list[tuple[tuple[str, ...], ...]]  # facet values in FACET_NAMES order
    title_order: array  # ordinals sorted by title
    doc_ordinal: array  # Whoosh document number → ordinal
    # facet → value → bitset of ordinals (FacetIndex.bits): built here, a server would spend seconds at 100k
    facet_bits: dict[str, dict[str, int]] | None = None

    @classmethod
    def from_records(cls, records: Mapping[str, Mapping[str, Mapping]], title_key: Callable[[str], str],
                     doc_slugs: Iterable[str]) -> "Browse":
        """Build from slug → {lang: record} (bodies not needed) and every Whoosh document's slug in number order."""
        slugs = sorted(records)
        primaries = [primary_version(records[s]) for s in slugs]
        langs = [tuple(sys.intern(lang) for lang in records[s]) for s in slugs]
        titles = [p["title"] for p in primaries]
        ordinal = {s: i for i, s in enumerate(slugs)}
        facets = [facet_row(p, ls) for p, ls in zip(primaries, langs)]
        return cls(slugs=slugs, titles=titles, langs=langs, facets=facets,
                   title_order=array("I", sorted(range(len(slugs)), key=lambda i: title_key(titles[i]))),
                   # Deleted documents keep their numbers; no search returns them, so any ordinal will do.
                   doc_ordinal=array("I", (ordinal.get(s, 0) for s in doc_slugs)),
                   facet_bits=FacetIndex([dict(zip(FACET_NAMES, row)) for row in facets]).bits)

    def facet_values(self, i: int) -> dict[str, tuple[str, ...]]:
        return dict(zip(FACET_NAMES, self.facets[i]))

    def save(self, path: Path) -> None:
        with open(path, "wb") as fh:
            pickle.dump({"format": BROWSE_FORMAT, **self.__dict__}, fh, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path: Path) -> "Browse | None":
        """The stored arrays, or None when the version has none (built by an older build)."""
        try:
            with open(path, "rb") as fh, gc_paused():
                data = pickle.load(fh)
        except FileNotFoundError:
            return None
        if data.pop("format", None) != BROWSE_FORMAT:
            return None
        return cls(**data)


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
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._pid = os.getpid()
        return self._db

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._conn().execute(sql, args).fetchall()

    def _fetch(self, slug: str) -> dict[str, dict] | None:
        rows = self._query("SELECT versions FROM practice WHERE slug = ?", (slug,))
        return json.loads(rows[0][0]) if rows else None

    def _fetch_light(self, slug: str) -> dict:
        """The primary version's record without the body (KeyError for an unknown slug)."""
        try:
            rows = self._query("SELECT primary_light FROM practice WHERE slug = ?", (slug,))
        except sqlite3.OperationalError:  # a catalogue written before the column existed
            return light(primary_version(self[slug]))
        if not rows:
            raise KeyError(slug)
        return json.loads(rows[0][0])

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


class LegacyCatalog(dict):
    """The whole JSON catalogue of a version built before the SQLite one, in memory."""

    def light(self, slug: str) -> dict:
        return light(primary_version(self[slug]))


class PrimaryRecord(Mapping[str, object]):
    """A practice's primary record without the body: the title from memory, the rest read when first used.

    Lists of thousands of practices (related practices, title order) read only titles.
    """

    __slots__ = ("_catalog", "_slug", "_title", "_data")

    def __init__(self, catalog: Catalog | LegacyCatalog, slug: str, title: str):
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


def open_catalog(version_dir: Path) -> Catalog | LegacyCatalog:
    """The catalogue of a version: SQLite, or the whole JSON file of versions built before it existed."""
    if (version_dir / CATALOG_DB).exists():
        return Catalog(version_dir / CATALOG_DB)
    with open(version_dir / LEGACY_CATALOG, encoding="utf-8") as fh, gc_paused():
        return LegacyCatalog(json.load(fh))
