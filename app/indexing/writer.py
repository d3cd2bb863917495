"""Writing an index version: the Whoosh segments and the data files beside them.

A full write indexes every practice (with several workers each analysing and writing its own
segment; the segments are not merged, a search reads them all). An update links the previous
version's immutable segment files into the new directory, deletes the changed practices'
documents and adds their new ones. Either way the version gets its catalogue, browse arrays,
spelling dictionary and practice hashes: a full write makes them while its workers write the
segments (:func:`.segments.write_segments`), an update from the previous version's.
"""
from __future__ import annotations

import json
import pickle
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh import index

from ..content import Practice
from ..engine import link_index
from ..processes import PARALLEL_FROM, Progress, worker_count
from .browse import Browse
from .catalog import light, open_catalog, update_catalog, write_catalog
from .documents import DocumentMaker, documents_fingerprint, practice_hash_of
from .layout import BROWSE, CATALOG_DB, DOC_HASHES, SPELLING
from .schema import make_schema, text_field
from .segments import write_segments
from .spelling import SpellingDictionary, count_words, document_text, words_of


def _add_documents(writer, maker: DocumentMaker, practices: Iterable[Practice], count: int,  # noqa: ANN001
                   progress: Progress | None) -> None:
    docs = (doc for docs in maker.by_slug(practices).values() for doc in docs)
    if progress:
        docs = progress(docs, total=count, desc="indexing")
    for doc in docs:
        writer.add_document(**doc)


def check_documents(target: Path, expected: int) -> int:
    """The number of deleted documents kept in ``target``'s segments; RuntimeError when the number of
    searchable ones is not ``expected`` (a lost worker segment must fail the build, not shrink the index)."""
    with index.open_dir(str(target)).searcher() as s:
        found, total = s.doc_count(), s.doc_count_all()
    if found != expected:
        raise RuntimeError(f"the new index has {found} documents instead of {expected}; nothing was switched")
    return total - found


def write_index(practices: list[Practice], maker: DocumentMaker, target: Path, hashes: dict[str, str] | None,
                keys: dict[str, str], progress: Progress | None = None, *, procs: int | None = None,
                alongside: Iterable[Callable[[], object]] = ()) -> dict[str, str]:
    """Write a complete index version of ``practices`` into the empty directory ``target``; return
    the practices' hashes (slug → :meth:`DocumentMaker.practice_hash`): ``hashes``, or when it is
    None those the workers make from the documents they index. They and ``keys`` (per slug) are
    stored for the next build.

    The catalogue and the browse arrays are written, and the ``alongside`` tasks run (the builder's
    saving of its caches), in a thread while the workers write the segments; the workers count the
    spelling dictionary's words as they index each document."""
    ix = index.create_in(str(target), make_schema())
    workers = worker_count(procs) if procs or len(practices) >= PARALLEL_FROM else 1
    # Documents numbered by slug, a slug's language versions together (as maker.by_slug orders them).
    ordered = sorted(practices, key=lambda p: (p.slug, p.lang))

    def beside_the_segments() -> None:
        for task in alongside:
            task()
        records = _records(practices)
        write_catalog(target / CATALOG_DB, sorted(records.items()))
        # Document numbers follow ``ordered``, one per version: the index need not be read for them.
        Browse.from_records(records, [p.slug for p in ordered]).save(target / BROWSE)

    written = write_segments(ix, ordered, workers, progress, make=maker.document, words=document_words,
                             digest=maker.version_digest if hashes is None else None, alongside=beside_the_segments)
    check_documents(target, len(practices))
    SpellingDictionary.from_counts(written.words).save(target / SPELLING)
    if hashes is None:  # ``ordered`` holds a slug's versions together, in language order
        by_slug: dict[str, list[str]] = {}
        for p, digest in zip(ordered, written.digests, strict=True):
            by_slug.setdefault(p.slug, []).append(digest)
        hashes = {slug: practice_hash_of(digests) for slug, digests in by_slug.items()}
    _write_hashes(target, hashes, keys)
    return hashes


def update_index(practices: list[Practice], maker: DocumentMaker, previous: Path, target: Path, changed: set[str],
                 removed: set[str], hashes: dict[str, str], keys: dict[str, str],
                 progress: Progress | None = None) -> int:
    """Write into ``target`` the version ``previous`` with the documents of the ``changed`` and
    ``removed`` slugs replaced; return the number of documents."""
    link_index(previous, target)
    writer = index.open_dir(str(target)).writer(limitmb=64, compound=False)
    try:
        for slug in sorted(changed | removed):
            writer.delete_by_term("slug", slug)
        new = [p for p in practices if p.slug in changed]
        _add_documents(writer, maker, new, len(new), progress)
        writer.commit()  # the default policy merges the small segments of earlier updates
    except BaseException:
        writer.cancel()
        raise
    check_documents(target, len(practices))
    update_version_data(practices, maker, previous, target, changed, removed, hashes, keys)
    return len(practices)


def update_version_data(practices: list[Practice], maker: DocumentMaker, previous: Path, target: Path,
                        changed: set[str], removed: set[str], hashes: dict[str, str], keys: dict[str, str]) -> None:
    """Write the catalogue, the browse arrays, the spelling dictionary and the practice hashes of
    ``target``: ``previous``'s with the ``changed`` and ``removed`` practices' replaced."""
    records = _records(p for p in practices if p.slug in changed)
    update_catalog(previous, target, records, removed, total=len(hashes))
    with index.open_dir(str(target)).reader() as reader:
        doc_slugs = list(reader.column_reader("slug"))  # deleted documents keep their numbers
    browse = _previous_browse(previous) if not removed else None
    if browse is not None:
        browse = browse.updated(records, doc_slugs)
    if browse is None:  # practices added or removed (new ordinals): from every practice's record
        browse = Browse.from_records(_records(practices, light), doc_slugs)
    browse.save(target / BROWSE)
    spelling_dictionary(practices, maker, previous, changed, removed).save(target / SPELLING)
    _write_hashes(target, hashes, keys)


def _write_hashes(target: Path, hashes: dict[str, str], keys: dict[str, str]) -> None:
    (target / DOC_HASHES).write_text(json.dumps({"fingerprint": documents_fingerprint(), "hashes": hashes,
                                                 "keys": keys}, sort_keys=True), encoding="utf-8")


_SPELLING_FIELDS = ("title", "project", "summary", "body")


def document_words(doc: dict) -> set[str]:
    """The distinct words of a Whoosh document (:meth:`DocumentMaker.document`) as the spelling
    dictionary counts them: those of :func:`.spelling.document_text` of its title, project and
    masked summary and body (a field's words never run into the next one's: the text joins them
    with line breaks)."""
    lang = doc["lang"]
    return words_of(document_text(*(doc.get(text_field(name, lang), "") for name in _SPELLING_FIELDS)))


def _records(practices: Iterable[Practice], shape: Callable[[dict], dict] | None = None) -> dict[str, dict[str, dict]]:
    """slug → lang → the version's record, passed through ``shape`` (:func:`.catalog.light` leaves the bodies out)."""
    records: dict[str, dict[str, dict]] = {}
    for p in practices:
        record = p.record()
        records.setdefault(p.slug, {})[p.lang] = record if shape is None else shape(record)
    return records


def _previous_browse(previous: Path) -> Browse | None:
    """The previous version's browse arrays (to update with the changed records), or None when they
    cannot be read (another format: they are then built from every record)."""
    try:
        return Browse.load(previous / BROWSE)
    except (OSError, ValueError, TypeError, EOFError, pickle.UnpicklingError):
        return None


def spelling_counts(practices: Iterable[Practice], maker: DocumentMaker) -> Counter[str]:
    """Document count of every word of ``practices`` as indexed (official names masked, as the search
    sees them), counted from their texts."""
    return count_words(_spelling_text(maker, p.title, p.project, p.summary, p.body_text) for p in practices)


def spelling_dictionary(practices: list[Practice], maker: DocumentMaker, previous: Path, changed: set[str],
                        removed: set[str]) -> SpellingDictionary:
    """The spelling dictionary of ``practices``: ``previous``'s with the ``changed`` and ``removed``
    practices' words replaced (counted from every practice when ``previous`` has none to update).

    An update re-tokenises only the changed practices: it subtracts the words of their old documents
    (whose texts the previous catalogue keeps) and adds those of the new ones.
    """
    old = SpellingDictionary.load(previous / SPELLING)
    if old is None:
        return SpellingDictionary.from_counts(spelling_counts(practices, maker))
    delta: Counter[str] = Counter()
    catalog = open_catalog(previous)
    try:
        for slug in changed | removed:
            for record in (catalog.get(slug) or {}).values():
                delta.subtract(words_of(_spelling_text(maker, record["title"], record["project"], record["summary"],
                                                       record["body_text"])))
    finally:
        catalog.close()
    delta.update(spelling_counts((p for p in practices if p.slug in changed), maker))
    return old.updated(delta)


def _spelling_text(maker: DocumentMaker, title: str, project: str, summary: str, body: str) -> str:
    return document_text(title, project, maker.mask(summary), maker.mask(body))
