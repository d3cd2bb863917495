"""What an index root holds, shared by the build that writes it and the servers that read it.

Kept apart from ``indexing`` so that a server process imports none of the build's code (content
parsing, Markdown, worker pools): it starts faster.
"""
from __future__ import annotations

from pathlib import Path

CURRENT = "CURRENT"  # names the version directory being served
META = "meta.json"  # per version: when built, how many documents, the schema fingerprint
CONTENT_CACHE = ".content-cache"  # validated practices by content hash (the build's)
LEMMA_CACHE = ".lemma-cache"  # word analyses (the build writes, servers read)
# One text field per kind and language, with its BM25F weight.
TEXT_BOOSTS = {"title": 4.0, "project": 3.0, "summary": 2.0, "body": 1.0}


def current_version(root: str | Path) -> str | None:
    """Name of the version directory being served, or None when there is none yet."""
    try:
        name = (Path(root) / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return name or None
