"""The content loader's cache: every slug's validated files by the hash of their bytes, and every
file's stat and SHA-256 digest, kept between builds in the index root (``.content-cache``).

A build that changes a few files writes only what changed since the full file was written, beside
it (``.content-cache.delta``): at 100,000 practices the full file is 647 MB and rewriting it took
4.7 s of a one-file rebuild.
"""
from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .model import Practice, Problem

FileStat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


@dataclass
class GroupResult:
    """What validating the files of one slug produced."""

    practices: list[Practice]
    file_problems: list[list[Problem]]  # one list per file of the group, in file order
    resolve_problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class ContentCache:
    """The validated groups of one load, to be stored for the next (``save``), and hit counts."""

    fingerprint: str = ""
    entries: dict[str, GroupResult] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # slug → hash of its files, vocabularies and code
    files: dict[str, tuple[FileStat, bytes]] = field(default_factory=dict)  # path → its stat and SHA-256 digest
    dirty: bool = False
    groups: int = 0
    cached: int = 0
    computed: int = 0
    base: CacheBase | None = None  # the full file these entries were read from (a delta is written against it)

    def save(self, path: Path) -> None:
        """Store the entries at ``path`` (atomically) if anything changed since they were read.

        While the changes since the full file was written are at most ``DELTA_SHARE`` of its entries,
        only they are written, to ``path`` + ``.delta`` (at 100,000 practices rewriting the whole
        file took 4.7 s of a one-file rebuild); beyond that the whole file is rewritten and the delta
        removed. A delta names the full file it belongs to: with another one it is ignored."""
        if not self.dirty or not self.fingerprint:
            return
        delta_path = path.with_name(path.name + DELTA_SUFFIX)
        delta = self.base.delta(self.entries, self.files) if self.base is not None else None
        if delta is not None and delta.size() <= DELTA_SHARE * max(len(self.entries) + len(self.files), 1):
            _write_pickle(delta_path, {"fingerprint": self.fingerprint, "base": self.base.id, **delta._asdict()})
        else:
            base = CacheBase(os.urandom(8).hex(), frozenset(self.entries), dict(self.files))
            _write_pickle(path, {"fingerprint": self.fingerprint, "id": base.id, "groups": self.entries,
                                 "files": self.files})
            delta_path.unlink(missing_ok=True)
            self.base = base
        self.dirty = False


DELTA_SUFFIX = ".delta"
DELTA_SHARE = 0.05  # changed entries (groups and files) since the full file, beyond which it is rewritten


class CacheDelta(NamedTuple):
    """What changed since a full cache file: groups added and removed (by key), files changed and gone (by path)."""

    groups: dict[str, GroupResult]
    removed: list[str]
    files: dict[str, tuple[FileStat, bytes]]
    gone: list[str]

    def size(self) -> int:
        return len(self.groups) + len(self.removed) + len(self.files) + len(self.gone)


class CacheBase(NamedTuple):
    """A full cache file as written: its id, its groups' keys and its files."""

    id: str
    keys: frozenset[str]
    files: dict[str, tuple[FileStat, bytes]]

    def delta(self, entries: dict[str, GroupResult], files: dict[str, tuple[FileStat, bytes]]) -> CacheDelta:
        """What ``entries`` and ``files`` hold beyond this file (a group's key is the hash of its files)."""
        return CacheDelta({k: v for k, v in entries.items() if k not in self.keys},
                          [k for k in self.keys if k not in entries],
                          {p: e for p, e in files.items() if self.files.get(p) != e},
                          [p for p in self.files if p not in files])


def _write_pickle(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def read_cache(path: Path | None, fingerprint: str) -> tuple[dict[str, GroupResult], dict[str, tuple[FileStat, bytes]], CacheBase | None]:
    """(validated groups by key, files' stats and digests by path, the full file they came from)
    stored at ``path`` and its delta (:meth:`ContentCache.save`); empty when none."""
    data = _read_pickle(path) if path is not None else None
    if data is None or data.get("fingerprint") != fingerprint:
        return {}, {}, None
    groups, files = data.get("groups") or {}, data.get("files") or {}
    if not data.get("id"):  # written before deltas: rewritten whole at the next save
        return groups, files, None
    base = CacheBase(data["id"], frozenset(groups), dict(files))
    delta = _read_pickle(path.with_name(path.name + DELTA_SUFFIX))
    if delta is not None and delta.get("fingerprint") == fingerprint and delta.get("base") == base.id:
        for key in delta.get("removed", ()):
            groups.pop(key, None)
        groups.update(delta.get("groups") or {})
        for name in delta.get("gone", ()):
            files.pop(name, None)
        files.update(delta.get("files") or {})
    return groups, files, base


def _read_pickle(path: Path) -> dict | None:
    try:
        with open(path, "rb") as fh:
            data = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
        return None
    return data if isinstance(data, dict) else None
