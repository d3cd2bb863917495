"""Index building: validated practices → a new Whoosh index version, switched in atomically.

Layout of an index root::

    index/CURRENT            name of the version being served (replaced atomically)
    index/v-<stamp>/         one complete index: Whoosh files + meta.json + practices.sqlite (records)
                             + browse.pickle (precomputed facet arrays) + documents.json (hash per slug)
                             + spelling.pickle (words and their document counts, for spelling correction)
    index/.tmp-<stamp>/      a build in progress (removed by the next build if the builder died)
    index/.build.lock        held while a build runs
    index/.content-cache     validated practices by content hash; index/.lemma-cache  word analyses

A build reuses the served version when little changed: it links its immutable segment files into
the new version, deletes the changed practices' documents and adds their new ones (incremental).
"""
from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import pickle
import secrets
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from dataclasses import fields as fields_of
from pathlib import Path

from whoosh import fields, index

from . import analysis
from .analysis import LANGUAGES, analyzer_for
from .buildcache import (CONTENT_CACHE, LEMMA_CACHE, PARALLEL_FROM, Progress, cancel_writer, code_fingerprint,
                         load_content_cached, parallel_writer, prewarm_lemmas, worker_count)
from .catalog import (BROWSE, CATALOG_DB, DATA_FORMAT, HEAVY_FIELDS, Browse, open_catalog, update_catalog,
                      write_catalog)
from .content import Practice, Problem
from .layout import CURRENT, META, TEXT_BOOSTS, current_version  # noqa: F401 (current_version: for callers)
from .spelling import SPELLING, SpellingDictionary, count_words, document_text, words_of

CATALOG = CATALOG_DB
DOC_HASHES = "documents.json"
WHOOSH_INDEX = "MAIN"  # Whoosh's index name: its files are MAIN_<segment>.* and _MAIN_<n>.toc
# Segments stay separate files: opening a compound file makes every process copy it into memory.
INCREMENTAL_UP_TO = 0.2  # share of practices changed (or already deleted) beyond which a full build is cheaper
KEEP_VERSIONS = 3
FACET_FIELDS = ("region", "large_area", "theme", "axis", "objective", "target_group", "period", "langs")


class BuildLocked(RuntimeError):
    """Another build holds the lock of this index root."""


@dataclass
class BuildResult:
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    version: str = ""
    practices: int = 0
    documents: int = 0
    seconds: float = 0.0
    mode: str = ""  # "full" or "incremental"
    changed: int = 0  # practices (re)indexed
    reused: int = 0  # practices whose validated files came from the cache
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step


def make_schema() -> fields.Schema:
    """One text field per kind and language (each with its language's analyser) plus facet keywords."""
    spec: dict[str, fields.FieldType] = {
        "doc_id": fields.ID(stored=True, unique=True),
        "slug": fields.ID(stored=True, sortable=True),
        "lang": fields.ID(stored=True),
    }
    for name in FACET_FIELDS:
        spec[name] = fields.KEYWORD(commas=True, lowercase=False, scorable=False)
    # Spelling correction's word forms are not a field: the build writes them to spelling.pickle.
    for lang in LANGUAGES:
        for kind, boost in TEXT_BOOSTS.items():
            spec[f"{kind}_{lang}"] = fields.TEXT(
                analyzer=analyzer_for(lang), stored=True, chars=True, phrase=True,
                field_boost=boost, multitoken_query="or",
            )
    return fields.Schema(**spec)


def practice_to_document(p: Practice, langs: Iterable[str], large_areas: Iterable[str]) -> dict:
    """The Whoosh document of one language version."""
    doc = {
        "doc_id": f"{p.slug}:{p.lang}", "slug": p.slug, "lang": p.lang,
        "region": ",".join(p.regions), "large_area": ",".join(large_areas), "theme": ",".join(p.themes),
        "axis": p.axis, "objective": p.objective, "target_group": ",".join(p.target_groups),
        "period": p.period, "langs": ",".join(langs),
        f"title_{p.lang}": p.title, f"project_{p.lang}": p.project,
        f"summary_{p.lang}": p.summary, f"body_{p.lang}": p.body_text,
    }
    return {k: v for k, v in doc.items() if v}


def _light_record(p: Practice, large_areas: list[str]) -> dict:
    """``practice_record`` without the body fields, in the same key order (cheaper than asdict)."""
    record = {f.name: getattr(p, f.name) for f in fields_of(Practice) if f.name not in HEAVY_FIELDS}
    for key, value in record.items():
        if isinstance(value, tuple):
            record[key] = list(value)
    record["large_areas"] = large_areas
    return record


def practice_record(p: Practice, large_areas: list[str]) -> dict:
    """The JSON-serialisable record of one language version (the practice page reads it)."""
    record = asdict(p)
    record["large_areas"] = large_areas
    return record


# --- locking and directories ----------------------------------------------------------------

_HELD_LOCKS: set[int] = set()  # file descriptors of build locks this process holds


def _drop_locks_in_child() -> None:
    """In a forked worker, point the inherited lock descriptors at /dev/null.

    flock() locks live as long as any descriptor of the open file does; a worker that outlived a
    killed build would otherwise keep the next build waiting. (Closing them instead would let the
    worker's file object close a reused descriptor number later.)
    """
    if not _HELD_LOCKS:
        return
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        for fd in _HELD_LOCKS:
            os.dup2(null, fd)
    finally:
        os.close(null)
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_drop_locks_in_child)


class _Lock:
    def __init__(self, root: Path, wait: bool, on_wait: Callable[[str], None] | None):
        self.path = root / ".build.lock"
        self.wait = wait
        self.on_wait = on_wait
        self.fh = None

    def __enter__(self) -> "_Lock":
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            self.fh.seek(0)
            holder = self.fh.read().strip() or "another process"
            if not self.wait:
                self.fh.close()
                raise BuildLocked(f"another build ({holder}) is running on {self.path.parent}; "
                                  "try again when it has finished") from None
            if self.on_wait:
                self.on_wait(f"waiting for another build ({holder}) to finish…")
            fcntl.flock(self.fh, fcntl.LOCK_EX)
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(f"pid {os.getpid()}")
        self.fh.flush()
        _HELD_LOCKS.add(self.fh.fileno())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.fh is not None
        _HELD_LOCKS.discard(self.fh.fileno())
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def _switch(root: Path, version: str) -> None:
    tmp = root / f".{CURRENT}.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(version + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / CURRENT)  # atomic on POSIX: readers see the old or the new name
    _fsync_dir(root)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    for child in path.iterdir():
        if child.is_file():
            with open(child, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(path)


def _clean(root: Path) -> None:
    """Remove leftovers of killed builds and versions older than the last few (under the lock)."""
    for tmp in root.glob(".tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)
    for stray in root.glob(f".{CURRENT}.*"):
        stray.unlink(missing_ok=True)
    served = current_version(root)
    versions = sorted(p for p in root.glob("v-*") if p.is_dir())
    # Old versions stay for a while: other processes may still be reading them.
    for old in versions[:-KEEP_VERSIONS]:
        if old.name != served:
            shutil.rmtree(old, ignore_errors=True)


# --- building --------------------------------------------------------------------------------

def index_fingerprint() -> str:
    """The schema (fields and analysers) and the analyser's code: a version is only updated under the same.

    A change in how practices become documents needs no entry here: it changes the documents' hashes.
    """
    schema = hashlib.sha256(pickle.dumps(make_schema(), protocol=4)).hexdigest()[:8]
    return schema + code_fingerprint((), ("whoosh-reloaded",))[:8] + analysis.cache_fingerprint()


def _areas(p: Practice, large_area_of: dict[str, str]) -> list[str]:
    return sorted({large_area_of[r] for r in p.regions if large_area_of.get(r)})


def documents_by_slug(practices: list[Practice], large_area_of: dict[str, str]) -> dict[str, list[dict]]:
    """The Whoosh documents of every practice, by slug (a practice's documents depend on its siblings)."""
    langs_of: dict[str, list[str]] = {}
    for p in practices:
        langs_of.setdefault(p.slug, []).append(p.lang)
    docs: dict[str, list[dict]] = {}
    for p in practices:
        docs.setdefault(p.slug, []).append(practice_to_document(p, sorted(langs_of[p.slug]), _areas(p, large_area_of)))
    return docs


def _doc_hash(docs: list[dict]) -> str:
    return hashlib.sha256(json.dumps(docs, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]


def _add_documents(writer, docs: dict[str, list[dict]], slugs: Iterable[str],  # noqa: ANN001
                   progress: Progress | None) -> None:
    slugs = list(slugs)
    items: Iterable[dict] = (d for s in slugs for d in docs[s])
    if progress:
        items = progress(items, total=sum(len(docs[s]) for s in slugs), desc="indexing")
    for doc in items:
        writer.add_document(**doc)


def _after(step: Callable[[], object], count: int) -> Iterable[None]:
    """Run ``step``, then yield ``count`` times (a progress bar that waits at 0 and then completes)."""
    step()
    yield from (None for _ in range(count))


def _check_documents(target: Path, expected: int) -> int:
    """Count the searchable documents: a lost worker segment must fail the build, not shrink the index."""
    with index.open_dir(str(target)).searcher() as s:
        found, total = s.doc_count(), s.doc_count_all()
    if found != expected:
        raise RuntimeError(f"the new index has {found} documents instead of {expected}; nothing was switched")
    return total - found


def write_index(practices: list[Practice], target: Path, large_area_of: dict[str, str],
                progress: Progress | None = None, *, procs: int | None = None,
                docs: dict[str, list[dict]] | None = None, hashes: dict[str, str] | None = None,
                keys: dict[str, str] | None = None) -> int:
    """Write a complete index version for ``practices`` into the empty directory ``target``.

    With several workers (by default one per core for large builds) each worker analyses and writes
    its own segment; the segments are not merged (a search reads them all).
    """
    docs = docs if docs is not None else documents_by_slug(practices, large_area_of)
    ix = index.create_in(str(target), make_schema())
    workers = worker_count(procs) if procs or len(practices) >= PARALLEL_FROM else 1
    writer = parallel_writer(ix, workers, len(practices)) if workers > 1 else ix.writer(limitmb=256, compound=False)
    try:
        _add_documents(writer, docs, sorted(docs), progress)
        if progress:  # the workers sort and write their segments now: often as long as the adding took
            for _ in progress(_after(writer.commit, len(practices)), total=len(practices), desc="writing segments"):
                pass
        else:
            writer.commit()
    except BaseException:
        cancel_writer(writer)
        raise
    _check_documents(target, len(practices))
    write_version_data(practices, target, large_area_of, docs, hashes=hashes, keys=keys)
    return len(practices)


def _link_segments(previous: Path, target: Path) -> None:
    """Make ``target`` a copy of the Whoosh index in ``previous``: segment files are never rewritten, so link them."""
    for f in previous.iterdir():
        if f.suffix == ".toc":  # the table of contents is rewritten: copy it
            shutil.copy2(f, target / f.name)
        elif f.name.startswith(f"{WHOOSH_INDEX}_") and f.name != f"{WHOOSH_INDEX}_WRITELOCK":
            try:
                os.link(f, target / f.name)
            except OSError:
                shutil.copy2(f, target / f.name)


def update_index(practices: list[Practice], previous: Path, target: Path, large_area_of: dict[str, str],
                 changed: set[str], removed: set[str], progress: Progress | None = None,
                 docs: dict[str, list[dict]] | None = None, hashes: dict[str, str] | None = None,
                 keys: dict[str, str] | None = None) -> int:
    """Write into ``target`` the version ``previous`` with the documents of ``changed`` and ``removed`` slugs replaced."""
    docs = docs if docs is not None else documents_by_slug(practices, large_area_of)
    _link_segments(previous, target)
    writer = index.open_dir(str(target)).writer(limitmb=64, compound=False)
    try:
        for slug in sorted(changed | removed):
            writer.delete_by_term("slug", slug)
        _add_documents(writer, docs, sorted(changed), progress)
        writer.commit()  # the default policy merges the small segments of earlier updates
    except BaseException:
        writer.cancel()
        raise
    _check_documents(target, len(practices))
    write_version_data(practices, target, large_area_of, docs, previous=previous, changed=changed, removed=removed,
                       hashes=hashes, keys=keys)
    return len(practices)


def write_version_data(practices: list[Practice], target: Path, large_area_of: dict[str, str],
                       docs: dict[str, list[dict]], *, previous: Path | None = None,
                       changed: set[str] = frozenset(), removed: set[str] = frozenset(),
                       hashes: dict[str, str] | None = None, keys: dict[str, str] | None = None) -> None:
    """Write the practice catalogue, the browse arrays, the spelling dictionary and the per-slug document
    hashes of a version."""
    from .search import title_key  # here: search imports this module

    records: dict[str, dict[str, dict]] = {}
    for p in practices:
        if previous is None or p.slug in changed:
            records.setdefault(p.slug, {})[p.lang] = practice_record(p, _areas(p, large_area_of))
        else:  # unchanged: its catalogue row is copied; the browse arrays need no body
            records.setdefault(p.slug, {})[p.lang] = _light_record(p, _areas(p, large_area_of))
    if previous is None:
        write_catalog(target / CATALOG_DB, sorted(records.items()))
    else:
        update_catalog(previous / CATALOG_DB, target / CATALOG_DB, {s: records[s] for s in changed if s in records},
                       removed)
    with index.open_dir(str(target)).reader() as reader:
        browse = Browse.from_records(records, title_key, reader.column_reader("slug"))
    browse.save(target / BROWSE)
    SpellingDictionary.from_counts(spelling_counts(practices, previous, changed, removed)).save(target / SPELLING)
    hashes = hashes if hashes is not None else {slug: _doc_hash(d) for slug, d in docs.items()}
    (target / DOC_HASHES).write_text(json.dumps({"fingerprint": documents_fingerprint(), "hashes": hashes,
                                                 "keys": keys or {}}, sort_keys=True), encoding="utf-8")


def spelling_counts(practices: list[Practice], previous: Path | None = None,
                    changed: set[str] = frozenset(), removed: set[str] = frozenset()) -> Counter[str]:
    """Document count of every word of ``practices``; from ``previous``'s counts when updating that version.

    An update re-tokenises only the changed practices: it subtracts the words of their old documents
    (whose texts the previous catalogue keeps) and adds those of the new ones.
    """
    old = SpellingDictionary.load(previous / SPELLING) if previous is not None else None
    if old is None:  # a full build (or a previous version without the file): count everything
        return count_words(document_text(p.title, p.project, p.summary, p.body_text) for p in practices)
    counts = old.counts()
    catalog = open_catalog(previous)
    try:
        for slug in changed | removed:
            for record in (catalog.get(slug) or {}).values():
                counts.subtract(words_of(document_text(record["title"], record["project"], record["summary"],
                                                       record["body_text"])))
    finally:
        if hasattr(catalog, "close"):
            catalog.close()
    counts.update(count_words(document_text(p.title, p.project, p.summary, p.body_text)
                              for p in practices if p.slug in changed))
    return +counts  # without the words no document has any more


def _stored_hashes(version: Path | None) -> dict:
    """The document hashes stored with a version: {"hashes": {slug: hash}, "keys": {slug: files' key}, ...}."""
    try:
        data = json.loads((version / DOC_HASHES).read_text(encoding="utf-8")) if version else {}
    except (OSError, ValueError):
        return {}
    if isinstance(data, dict) and "hashes" not in data and all(isinstance(v, str) for v in data.values()):
        return {"hashes": data}  # written before the files' keys were kept
    return data if isinstance(data, dict) and isinstance(data.get("hashes"), dict) else {}


def documents_fingerprint() -> str:
    """What turns a practice into documents besides its files (which the files' key covers)."""
    return code_fingerprint(("indexing.py",), ())


def document_hashes(practices: list[Practice], large_area_of: dict[str, str], keys: dict[str, str],
                    stored: dict) -> tuple[dict[str, str], dict[str, list[dict]]]:
    """Hash of every slug's documents, reused from ``stored`` where the slug's files did not change;
    and the documents it had to make for that (by slug)."""
    old_keys = stored.get("keys", {}) if stored.get("fingerprint") == documents_fingerprint() else {}
    old = stored.get("hashes", {})
    hashes = {slug: old[slug] for slug, key in keys.items() if old_keys.get(slug) == key and slug in old}
    fresh = documents_by_slug([p for p in practices if p.slug not in hashes], large_area_of)
    hashes.update((slug, _doc_hash(d)) for slug, d in fresh.items())
    return hashes, fresh


def _plan(root: Path, hashes: dict[str, str]) -> tuple[Path, set[str], set[str]] | None:
    """(previous version, changed slugs, removed slugs) when updating the served version is worth it."""
    name = current_version(root)
    if name is None:
        return None
    previous = root / name
    try:
        meta = json.loads((previous / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    old = _stored_hashes(previous).get("hashes")
    if old is None or meta.get("index_fingerprint") != index_fingerprint() or meta.get("data_format") != DATA_FORMAT \
            or not (previous / SPELLING).is_file():  # an update starts from the previous spelling counts
        return None
    changed = {slug for slug, h in hashes.items() if old.get(slug) != h}
    removed = set(old) - set(hashes)
    stale = meta.get("deleted_documents", 0) + sum(1 for s in changed | removed if s in old)
    if len(changed | removed) > INCREMENTAL_UP_TO * max(len(old), 1) or \
            stale > INCREMENTAL_UP_TO * max(meta.get("documents", 0), 1):
        return None
    return previous, changed, removed


def _synonym_texts(vocab) -> list[tuple[str, str]]:  # noqa: ANN001
    """The synonym groups' words in every language: every query's expansion analyses them."""
    words = " ".join(term for group in vocab.synonyms for term in group)
    return [(lang, words) for lang in LANGUAGES] if words else []


def build(content_dir: str | Path, index_root: str | Path, *, check_only: bool = False, wait: bool = True,
          on_wait: Callable[[str], None] | None = None, progress: Progress | None = None,
          procs: int | None = None, incremental: bool = True) -> BuildResult:
    """Validate the content and, if every file is valid, build and switch to a new index version.

    On any problem the served index is left untouched. ``progress(items, total=, desc=)`` wraps long
    steps; ``procs`` caps the worker processes (default: one per core); ``incremental=False`` forces
    a build from scratch (the caches of validated files and word analyses are still used).
    """
    started = time.perf_counter()
    content_dir, root = Path(content_dir), Path(index_root)
    loaded, cached = load_content_cached(content_dir, root / CONTENT_CACHE if root.is_dir() else None,
                                         procs=procs, progress=progress)
    timings: dict[str, float] = {}
    last = [started]

    def lap(step: str) -> None:
        now = time.perf_counter()
        timings[step] = timings.get(step, 0.0) + now - last[0]
        last[0] = now

    lap("validate")
    if loaded.problems or check_only:
        if root.is_dir():
            cached.save(root / CONTENT_CACHE)
        return BuildResult(ok=not loaded.problems, problems=loaded.problems,
                           practices=len({p.slug for p in loaded.practices}), documents=len(loaded.practices),
                           seconds=time.perf_counter() - started)
    root.mkdir(parents=True, exist_ok=True)
    with _Lock(root, wait, on_wait):
        _clean(root)
        cached.save(root / CONTENT_CACHE)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f") + "-" + secrets.token_hex(3)
        tmp = root / f".tmp-{stamp}"
        tmp.mkdir()
        assert loaded.vocab is not None
        large_area_of = {name: t.parent for name, t in loaded.vocab.regions.items() if t.parent}
        served = current_version(root)
        hashes, docs = document_hashes(loaded.practices, large_area_of, cached.keys,
                                       _stored_hashes(root / served if served else None))
        plan = _plan(root, hashes) if incremental else None
        lap("plan")
        if plan is None:
            if len(docs) < len(hashes):
                docs = documents_by_slug(loaded.practices, large_area_of)
            prewarm_lemmas(loaded.practices, root / LEMMA_CACHE, procs=procs, progress=progress,
                           extra=_synonym_texts(loaded.vocab))
            lap("analyse")
            count = write_index(loaded.practices, tmp, large_area_of, progress, procs=procs, docs=docs,
                                hashes=hashes, keys=cached.keys)
        else:
            previous, changed, removed = plan
            prewarm_lemmas([p for p in loaded.practices if p.slug in changed], root / LEMMA_CACHE, procs=procs,
                           extra=_synonym_texts(loaded.vocab))
            lap("analyse")
            count = update_index(loaded.practices, previous, tmp, large_area_of, changed, removed, progress, docs,
                                 hashes=hashes, keys=cached.keys)
        lap("index")
        deleted = _check_documents(tmp, count)
        meta = {
            "version": f"v-{stamp}",
            "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "documents": count,
            "practices": len(hashes),
            "content_hash": hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()[:16],
            "index_fingerprint": index_fingerprint(),
            "data_format": DATA_FORMAT,
            "mode": "full" if plan is None else "incremental",
            "changed_practices": len(docs) if plan is None else len(plan[1] | plan[2]),
            "deleted_documents": deleted,
            "timings": {k: round(v, 3) for k, v in timings.items()},
        }
        (tmp / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        _fsync_tree(tmp)
        final = root / meta["version"]
        os.rename(tmp, final)
        _fsync_dir(root)
        _switch(root, final.name)
        _clean(root)
    lap("switch")
    seconds = time.perf_counter() - started
    return BuildResult(ok=True, version=final.name, practices=meta["practices"], documents=count,
                       seconds=seconds, mode=meta["mode"], changed=meta["changed_practices"], reused=cached.cached,
                       timings=timings)
