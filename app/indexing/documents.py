"""Practices → Whoosh documents (one per language version), and the hashes that tell what changed.

Every document carries the practice's metadata as text in each language (``meta_fi``, ``meta_sv``,
``meta_en``): the labels of its regions, large areas, themes and target groups (with the aliases
editors use), the codes of its priority axis and specific objective as people type them ("TL3",
"6.1"), its period and organisations. So "Pohjois-Karjalassa" or "kotoutuminen" finds a practice
tagged so even when its description never says it.

The official names of the priority axes and specific objectives are masked out of the indexed
body and summary (replaced by spaces, so character offsets stay valid; the stored text is the
original): a body that repeats objective 6.1's long name ("Nuorten ja muiden heikossa
työmarkkina-asemassa olevien…") must not match "nuoret" on that alone. A query that names them
is recognised as the facet value instead (:mod:`app.search.understanding`).

An incremental build compares each practice's hash with the one stored beside the served version:
only practices whose records or documents changed are re-indexed.
"""
from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator

from ..content import Practice
from ..content.vocabularies import Vocabularies
from ..fingerprints import code_fingerprint
from ..processes import PARALLEL_FROM, Progress, pool, worker_count
from ..names import FACETS, LANGUAGES
from .schema import META, text_field


def axis_token(code: str) -> str:
    """The indexed form of an axis code: "TL 3" → "TL3" (a query's "TL 3" is read the same way)."""
    return code.replace(" ", "")


class DocumentMaker:
    """Makes the documents of practices under one vocabulary."""

    def __init__(self, vocab: Vocabularies):
        self.vocab = vocab
        # A build masks every summary and body three times (hashes, documents, spelling counts): once
        # is enough. Mostly the text itself comes back, so the memo holds references, not copies.
        self._masked: dict[str, str] = {}

    def mask(self, text: str) -> str:
        """``text`` with the official names of axes and objectives replaced by spaces (same length)."""
        found = self._masked.get(text)
        if found is not None:
            return found
        masked = text
        for m in self.vocab.official_name_matches(text) if text else ():
            masked = masked[:m.start()] + " " * (m.end() - m.start()) + masked[m.end():]
        self._masked[text] = masked
        return masked

    def meta(self, p: Practice, lang: str) -> str:
        """The practice's metadata as text in ``lang``: one line per facet value."""
        lines: list[str] = []
        for f in FACETS:
            if f.name == "lang":
                continue
            for value in p.values(f):
                if f.name == "axis":
                    lines.append(axis_token(value))
                elif f.name in ("objective", "period"):
                    lines.append(value)
                else:
                    lines.append(self.vocab.label(f.name, value, lang))
                    if lang == "fi":
                        lines.extend(a for a, v in self.vocab.aliases(f.name).items() if v == value)
        lines.extend(p.organisations)
        return "\n".join(dict.fromkeys(lines))

    def document(self, p: Practice) -> dict[str, str]:
        """The Whoosh document of one language version (empty fields left out)."""
        body, summary = self.mask(p.body_text), self.mask(p.summary)
        doc = {
            "slug": p.slug, "lang": p.lang,
            text_field("title", p.lang): p.title, text_field("project", p.lang): p.project,
            text_field("summary", p.lang): summary, text_field("body", p.lang): body,
            **{text_field(META, lang): self.meta(p, lang) for lang in LANGUAGES},
        }
        if body != p.body_text:
            doc[f"_stored_{text_field('body', p.lang)}"] = p.body_text
        if summary != p.summary:
            doc[f"_stored_{text_field('summary', p.lang)}"] = p.summary
        return {k: v for k, v in doc.items() if v}

    def by_slug(self, practices: Iterable[Practice]) -> dict[str, list[dict]]:
        """The documents of every practice, by slug."""
        docs: dict[str, list[dict]] = {}
        for p in practices:
            docs.setdefault(p.slug, []).append(self.document(p))
        return docs

    def practice_hash(self, versions: list[Practice]) -> str:
        """20 hex digits identifying a practice's language versions: their records and documents
        (:func:`practice_hash_of` their :meth:`version_digest`, in language order)."""
        return practice_hash_of(self.version_digest(p, self.document(p)) for p in sorted(versions, key=_lang))

    @staticmethod
    def version_digest(p: Practice, document: dict[str, str]) -> str:
        """64 hex digits identifying one language version: its record and its ``document``
        (:meth:`document`, which the build's index workers have at hand when they hash it)."""
        data = [p.record(), document]
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def practice_hash_of(digests: Iterable[str]) -> str:
    """A practice's hash (20 hex digits) from its language versions' :meth:`DocumentMaker.version_digest`
    in language order."""
    return hashlib.sha256("".join(digests).encode()).hexdigest()[:20]


def _lang(p: Practice) -> str:
    return p.lang


def documents_fingerprint() -> str:
    """What turns a practice into documents besides its files (which the files' key covers)."""
    return code_fingerprint(("indexing/documents.py", "indexing/schema.py", "content/model.py"))


def practice_hashes(practices: list[Practice], keys: dict[str, str], stored: dict,
                    maker: DocumentMaker, *, procs: int | None = None, progress: Progress | None = None) -> dict[str, str]:
    """Hash of every slug's versions, reused from ``stored`` (the previous version's
    ``{"fingerprint", "hashes", "keys"}``) where the slug's files did not change (``keys``: the
    content loader's per-slug hash of files, vocabularies and code). The others are hashed in up to
    ``procs`` worker processes (default: one per core) when there are many (4 s at 10k in one),
    under ``progress(items, total=, desc=)`` when given."""
    old_keys = stored.get("keys", {}) if stored.get("fingerprint") == documents_fingerprint() else {}
    old = stored.get("hashes", {})
    hashes = {slug: old[slug] for slug, key in keys.items() if old_keys.get(slug) == key and slug in old}
    fresh: dict[str, list[Practice]] = {}
    for p in practices:
        if p.slug not in hashes:
            fresh.setdefault(p.slug, []).append(p)
    global _FRESH, _MAKER
    groups = list(fresh.values())
    workers = worker_count(procs)
    if workers < 2 or len(groups) < PARALLEL_FROM:
        for versions in progress(groups, total=len(groups), desc=HASHING) if progress else groups:
            hashes[versions[0].slug] = maker.practice_hash(versions)
        return hashes
    _FRESH, _MAKER = groups, maker  # inherited by the forked workers
    try:
        step = min(500, -(-len(groups) // (workers * 4)))  # chunks small enough for a steady progress bar
        with pool(workers) as hashers:
            done = hashers.imap_unordered(_hash_span, [(i, i + step) for i in range(0, len(groups), step)])

            def merged() -> Iterator[None]:  # one item per practice hashed, for a progress bar
                for part in done:
                    hashes.update(part)
                    yield from itertools.repeat(None, len(part))

            for _ in progress(merged(), total=len(groups), desc=HASHING) if progress else merged():
                pass
    finally:
        _FRESH, _MAKER = [], None
    return hashes


HASHING = "hashing practices"  # the progress bar's name (at 100k practices about half a minute)


_FRESH: list[list[Practice]] = []  # the slugs' versions to hash, set before forking
_MAKER: DocumentMaker | None = None


def _hash_span(span: tuple[int, int]) -> dict[str, str]:
    assert _MAKER is not None
    return {versions[0].slug: _MAKER.practice_hash(versions) for versions in _FRESH[span[0]:span[1]]}
