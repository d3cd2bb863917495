"""What an index root holds, shared by the build that writes it and the servers that read it::

    index/CURRENT              name of the version being served (replaced atomically)
    index/v-<stamp>/           one complete index version:
        MAIN_*, _MAIN_*.toc      Whoosh segments and table of contents (app/indexing/schema.py)
        meta.json                when built, how many documents and practices, fingerprints, timings
        practices.sqlite         every practice's records by slug, old slugs (app/indexing/catalog.py)
        practices-changes.sqlite those changed since practices.sqlite was written whole (an update's)
        browse.pickle            slugs, titles, facet values and bitsets, orders (app/indexing/browse.py)
        spelling.pickle          word forms and their document counts (app/indexing/spelling.py)
        documents.json           hash of every practice's documents, for the next incremental build
    index/.tmp-<stamp>/        a build in progress (removed by the next build if the builder died)
    index/.build.lock          held while a build runs
    index/.content-cache       validated practices by content hash (the build's)
    index/.content-cache.delta what changed since .content-cache was written whole (app/content/loader.py)
    index/.practice-dates      the dates the builds recorded per practice version (app/indexing/dates.py)
    index/.lemma-cache         word analyses (the build writes, servers read)

Kept free of the build's code so that a server process imports none of it (it starts faster).
"""
from __future__ import annotations

from pathlib import Path

CURRENT = "CURRENT"
META = "meta.json"
CATALOG_DB = "practices.sqlite"
CATALOG_CHANGES = "practices-changes.sqlite"
BROWSE = "browse.pickle"
SPELLING = "spelling.pickle"
DOC_HASHES = "documents.json"
CONTENT_CACHE = ".content-cache"
PRACTICE_DATES = ".practice-dates"
LEMMA_CACHE = ".lemma-cache"
LOCK = ".build.lock"
# Bumped when a version's data files change shape: servers refuse older versions (rebuild them),
# and an incremental build copies the previous version's data only in the same format.
# "postings-zstd": posting blocks compressed with Zstandard (app/engine.py), which a server of an
# earlier build could not read.
DATA_FORMAT = "catalog-5/browse-7/spelling-1/postings-zstd"


def current_version(root: str | Path) -> str | None:
    """Name of the version directory being served, or None when there is none yet."""
    try:
        name = (Path(root) / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return name or None
