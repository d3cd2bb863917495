"""Indexing: validated practices → an index version (Whoosh segments + data files), switched atomically.

- :mod:`.layout` — the names of an index root's files (shared with the servers that read them)
- :mod:`.schema` — the Whoosh schema: what search and highlighting read
- :mod:`.documents` — practices → Whoosh documents, and the hashes that tell what changed
- :mod:`.catalog`, :mod:`.browse`, :mod:`.spelling` — the data files of a version (written here, read by search)
- :mod:`.lemmas` — word forms analysed once, in parallel, kept in the lemma store
- :mod:`.writer` — a full write or an update of a version
- :mod:`.plan` — update the served version, or build from scratch?
- :mod:`.lock`, :mod:`.versions` — one build at a time; the atomic switch; cleaning up
- :mod:`.builder` — the build as a whole (``python build.py`` runs it)
"""
from __future__ import annotations

from typing import Any

# Lazy: a server imports the data-file modules (layout, catalog, browse, spelling), and with them
# this package, but none of the build's code.
_EXPORTS = {"build": ".builder", "BuildResult": ".builder", "BuildLocked": ".lock", "current_version": ".layout"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
