"""Whether to update the served version or write a new one from scratch, and what changed.

Updating is cheaper while few practices changed: the previous version's segments are linked and only
the changed practices re-indexed. Beyond ``INCREMENTAL_UP_TO`` of the practices changed (or already
deleted in the segments), or under another schema, analyser or data format, a full build is made.
"""
from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path

from .. import text
from ..fingerprints import code_fingerprint
from .layout import DATA_FORMAT, DOC_HASHES, META, SPELLING, current_version
from .schema import make_schema

INCREMENTAL_UP_TO = 0.2  # share of practices changed (or already deleted) beyond which a full build is cheaper


def index_fingerprint() -> str:
    """The schema (fields and analysers), Whoosh's release and the analyser's code: a version is only
    updated under the same. A change in how practices become documents changes their hashes instead."""
    schema = hashlib.sha256(pickle.dumps(make_schema(), protocol=4)).hexdigest()[:8]
    return schema + code_fingerprint((), ("whoosh-reloaded",))[:8] + text.cache_fingerprint()


def stored_hashes(version: Path | None) -> dict:
    """The practice hashes stored with a version: ``{"fingerprint", "hashes": {slug: hash}, "keys": {slug: files' key}}``
    (empty when there are none)."""
    try:
        data = json.loads((version / DOC_HASHES).read_text(encoding="utf-8")) if version else {}
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("hashes"), dict) else {}


def updatable(root: Path) -> Path | None:
    """The served version of ``root`` when this code can update it (same index fingerprint and data
    format, its practice hashes and spelling counts present), else None: a full build, which needs
    no practice hashed before it starts."""
    name = current_version(root)
    if name is None:
        return None
    previous = root / name
    try:
        meta = json.loads((previous / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    # (The hashes file is only looked for: at 100k parsing it takes a fifth of a second, done once, by the caller.)
    if not (previous / DOC_HASHES).is_file() or meta.get("index_fingerprint") != index_fingerprint() \
            or meta.get("data_format") != DATA_FORMAT \
            or not (previous / SPELLING).is_file():  # an update starts from the previous spelling counts
        return None
    return previous


def plan(previous: Path, hashes: dict[str, str], old: dict[str, str]) -> tuple[Path, set[str], set[str]] | None:
    """(``previous``, changed slugs, removed slugs) when updating the :func:`updatable` version
    ``previous``, whose practices had the hashes ``old`` (:func:`stored_hashes`), to ``hashes`` is
    worth it, else None (as when ``old`` is empty: a version without readable hashes)."""
    try:
        meta = json.loads((previous / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not old:
        return None
    changed = {slug for slug, h in hashes.items() if old.get(slug) != h}
    removed = set(old) - set(hashes)
    stale = meta.get("deleted_documents", 0) + sum(1 for s in changed | removed if s in old)
    if len(changed | removed) > INCREMENTAL_UP_TO * max(len(old), 1) or \
            stale > INCREMENTAL_UP_TO * max(meta.get("documents", 0), 1):
        return None
    return previous, changed, removed
