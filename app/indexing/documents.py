"""Practices → Whoosh documents (one per language version), and the hashes that tell what changed.

An incremental build compares each practice's hash with the one stored beside the served version:
only practices whose records (and so documents) changed are re-indexed. The hash covers the whole
record of every version (facet values too, which are not in the Whoosh documents).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from ..content import Practice
from ..fingerprints import code_fingerprint
from .schema import text_field


def document(p: Practice) -> dict[str, str]:
    """The Whoosh document of one language version (empty fields left out)."""
    doc = {
        "slug": p.slug, "lang": p.lang,
        text_field("title", p.lang): p.title, text_field("project", p.lang): p.project,
        text_field("summary", p.lang): p.summary, text_field("body", p.lang): p.body_text,
    }
    return {k: v for k, v in doc.items() if v}


def documents_by_slug(practices: Iterable[Practice]) -> dict[str, list[dict]]:
    """The Whoosh documents of every practice, by slug."""
    docs: dict[str, list[dict]] = {}
    for p in practices:
        docs.setdefault(p.slug, []).append(document(p))
    return docs


def practice_hash(versions: list[Practice]) -> str:
    """20 hex digits identifying a practice's language versions: their records and documents."""
    data = [(p.record(), document(p)) for p in versions]
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]


def documents_fingerprint() -> str:
    """What turns a practice into documents besides its files (which the files' key covers)."""
    return code_fingerprint(("indexing/documents.py", "indexing/schema.py", "content/model.py"))


def practice_hashes(practices: list[Practice], keys: dict[str, str], stored: dict) -> dict[str, str]:
    """Hash of every slug's versions, reused from ``stored`` (the previous version's
    ``{"fingerprint", "hashes", "keys"}``) where the slug's files did not change (``keys``: the
    content loader's per-slug hash of files, vocabularies and code)."""
    old_keys = stored.get("keys", {}) if stored.get("fingerprint") == documents_fingerprint() else {}
    old = stored.get("hashes", {})
    hashes = {slug: old[slug] for slug, key in keys.items() if old_keys.get(slug) == key and slug in old}
    fresh: dict[str, list[Practice]] = {}
    for p in practices:
        if p.slug not in hashes:
            fresh.setdefault(p.slug, []).append(p)
    hashes.update((slug, practice_hash(versions)) for slug, versions in fresh.items())
    return hashes
