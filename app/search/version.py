"""The index version a process serves: opened once, switched when ``CURRENT`` names another.

A process keeps one open searcher and what every request needs of the version (the browse arrays
and facet bitsets the build stored); records are fetched from the catalogue when shown. A new
version is opened as a new directory, never by refreshing the old searcher (that would serve stale
documents after a rebuild).
"""
from __future__ import annotations

import json
import logging
import os
import threading
from array import array
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from whoosh import index

from ..indexing.browse import Browse
from ..indexing.catalog import PrimaryRecord, open_catalog
from ..indexing.layout import BROWSE, CURRENT, DATA_FORMAT, META, current_version
from ..indexing.spelling import SpellingDictionary
from ..memory import gc_paused
from ..names import primary_language, shown_language
from .facets import FacetIndex
from .ranking import Ranker

log = logging.getLogger("app.search")  # which index version each worker serves


class NoIndex(RuntimeError):
    """There is no index version to serve (none built yet, or one written by another build format)."""


class IndexVersion:
    """One opened index version: searcher, practice catalogue, browse arrays and facet bitsets."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        self.meta = json.loads((path / META).read_text(encoding="utf-8"))
        if self.meta.get("data_format") != DATA_FORMAT:
            raise NoIndex(f"index version {self.name} was written by another version of the build "
                          f"(data format {self.meta.get('data_format')!r}, this one reads {DATA_FORMAT!r}): "
                          "run 'python build.py' to rebuild it")
        self.catalog = open_catalog(path)
        self.searcher = index.open_dir(str(path)).searcher()
        self.browse = Browse.load(path / BROWSE)
        self.slugs = self.browse.slugs
        with gc_paused():
            self.ordinal = {s: i for i, s in enumerate(self.slugs)}
        self.facets = FacetIndex.from_bits(len(self.slugs), self.browse.facet_bits)
        self.title_order = self.browse.title_order
        self.newest_order = self.browse.newest_order
        self.doc_ordinal = self.browse.doc_ordinal
        self._live_mask: np.ndarray | None = None
        self._doc_ordinals: np.ndarray | None = None
        self._title_rank: array | None = None
        self.frequencies: dict[tuple[str, bytes], int] = {}  # (field, term) → collection frequency, as asked
        self.spelling = SpellingDictionary.open(path)  # read at the first spelling lookup, not here
        self.ranker = Ranker(self.searcher)

    def title_rank(self) -> array:
        """Position of every ordinal in the title order."""
        if self._title_rank is None:
            ranks = array("I", bytes(4 * len(self.slugs)))
            for rank, i in enumerate(self.title_order):
                ranks[i] = rank
            self._title_rank = ranks
        return self._title_rank

    def live_mask(self) -> np.ndarray:
        """Which document numbers are not deleted (an updated version keeps deleted ones in old segments)."""
        if self._live_mask is None:
            reader = self.searcher.reader()
            mask = np.ones(reader.doc_count_all(), dtype=bool)
            # Segment by segment: most have no deletions, the others name their few deleted documents
            # (asking every document number took 0.39 s at the first query at 100k practices).
            for sub, offset in reader.leaf_readers():
                if sub.has_deletions():  # a SegmentReader (an empty one has none): a cached property its postings use too
                    mask[offset + np.fromiter(sub.deleted_docs_set, dtype=np.int64)] = False
            self._live_mask = mask
        return self._live_mask

    def doc_ordinals(self) -> np.ndarray:
        """The practice ordinal of every document number, as an array."""
        if self._doc_ordinals is None:
            self._doc_ordinals = np.asarray(self.doc_ordinal, dtype=np.int64)
        return self._doc_ordinals

    def languages(self, slug: str) -> tuple[str, ...]:
        return self.browse.languages[self.ordinal[slug]]

    def shown(self, slug: str, ui_lang: str) -> Mapping:
        """The record (without the body) of the version to show in ``ui_lang``: that language's, else the
        primary one, whose title is in memory (lists of thousands of practices read only titles)."""
        languages = self.languages(slug)
        lang = shown_language(languages, ui_lang)
        if lang == primary_language(languages):
            return PrimaryRecord(self.catalog, slug, self.browse.titles[self.ordinal[slug]])
        return self.catalog[slug][lang]

    def facet_values(self, slug: str) -> dict[str, tuple[str, ...]]:
        return self.browse.facet_values(self.ordinal[slug])


class VersionHolder:
    """The version named by ``<index_root>/CURRENT``, reopened when the name changes (thread-safe)."""

    def __init__(self, root: Path):
        self.root = root
        self._lock = threading.Lock()
        self._current: IndexVersion | None = None
        self._stamp: tuple[int, int] | None = None

    def get(self) -> IndexVersion:
        """The open index version, switching to a newer one if ``CURRENT`` changed; NoIndex when there is none."""
        try:
            st = os.stat(self.root / CURRENT)
            stamp = (st.st_ino, st.st_mtime_ns)
        except FileNotFoundError:
            stamp = None
        if stamp is not None and stamp == self._stamp and self._current is not None:
            return self._current
        with self._lock:
            if stamp is not None and stamp == self._stamp and self._current is not None:
                return self._current
            name = current_version(self.root)
            if name is None:
                raise NoIndex(f"no index in {self.root}: run 'python build.py' first")
            if self._current is None or self._current.name != name:
                self._current = IndexVersion(self.root / name)
                log.info("process %d now serves index version %s (%d documents)", os.getpid(), name,
                         self._current.meta.get("documents", 0))
            self._stamp = stamp
            return self._current
