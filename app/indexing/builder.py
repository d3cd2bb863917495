"""The build: content directory → validated practices → a new index version, switched in atomically.

On any validation problem nothing is written and the served version keeps serving. Otherwise, under
the build lock: the practices' hashes decide between updating the served version and a full
build (:mod:`.plan`); word forms are analysed once, in parallel (:mod:`.lemmas`); the version is
written into a temporary directory (:mod:`.writer`), checked, synced, renamed and named in
``CURRENT`` (:mod:`.versions`).
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import text as analysis
from ..content import Practice, Problem, load_content
from ..content.vocabularies import Vocabularies
from ..memory import gc_paused
from ..names import FACETS, LANGUAGES
from ..processes import Progress
from .dates import date_practices, dated_keys
from .documents import DocumentMaker, practice_hashes
from .layout import CONTENT_CACHE, DATA_FORMAT, LEMMA_CACHE, META
from .lemmas import prewarm_lemmas
from .lock import BuildLock
from .plan import index_fingerprint, plan, stored_hashes, updatable
from .versions import clean, fsync_dir, fsync_tree, new_stamp, switch
from .writer import check_documents, update_index, write_index


@dataclass
class BuildResult:
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # said, but no obstacle to the build
    version: str = ""
    practices: int = 0
    documents: int = 0
    seconds: float = 0.0
    mode: str = ""  # "full" or "incremental"
    changed: int = 0  # practices (re)indexed
    reused: int = 0  # practices whose validated files came from the cache
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step


def _extra_texts(vocab: Vocabularies, practices: list[Practice]) -> list[tuple[str, str]]:
    """(lang, text) beyond the practices' own fields that the build or a query analyses in every
    language: the vocabulary's labels and aliases (the documents' metadata, recognising facet values
    in queries), the synonym groups (every query's expansion), the organisations (metadata) and the
    municipalities (recognised in queries: a server then finds their analyses in the lemma store)."""
    words: list[str] = [term for group in vocab.synonyms for term in group]
    for f in FACETS:
        for term in vocab.terms(f.name).values():
            words.extend(term.labels.values())
        words.extend(vocab.aliases(f.name))
    words.extend(sorted({org for p in practices for org in p.organisations}))
    # Municipality names: a server recognises them in queries in every language (app/search/understanding.py).
    words.extend(sorted({name for names in vocab.municipalities.values() for name in names}))
    text = "\n".join(words)
    return [(lang, text) for lang in LANGUAGES] if text else []


class _Laps:
    """Seconds per build step."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def __call__(self, step: str) -> None:
        now = time.perf_counter()
        self.timings[step] = self.timings.get(step, 0.0) + now - self._last
        self._last = now


def build(content_dir: str | Path, index_root: str | Path, *, check_only: bool = False, wait: bool = True,
          on_wait: Callable[[str], None] | None = None, progress: Progress | None = None,
          procs: int | None = None, incremental: bool = True, today: dt.date | None = None) -> BuildResult:
    """Validate the content and, if every file is valid, build and switch to a new index version.

    On any problem the served index is left untouched. ``progress(items, total=, desc=)`` wraps long
    steps; ``procs`` caps the worker processes (default: one per core); ``incremental=False`` forces
    a build from scratch (the caches of validated files and word analyses are still used); ``today``
    is the date a new or changed practice is recorded with when neither its front matter nor git
    dates it (:mod:`.dates`; default: the machine's date); ``on_wait(holder)`` is told who holds the
    build lock ("pid 1234") when this build waits for it.
    Raises :class:`.lock.BuildLocked` when ``wait`` is False and another build runs, OSError when the
    index root cannot be written, :class:`app.text.VoikkoMissing` when the Finnish analyser is not installed.
    """
    # The collector paused for the whole build, its workers included (app/memory.py: at 100,000 practices
    # a one-file rebuild spent 6–8 s of 17–19 s in full collections that freed nothing).
    with gc_paused():
        return _build(Path(content_dir), Path(index_root), check_only=check_only, wait=wait, on_wait=on_wait,
                      progress=progress, procs=procs, incremental=incremental, today=today)


def _build(content_dir: Path, root: Path, *, check_only: bool, wait: bool, on_wait: Callable[[str], None] | None,
           progress: Progress | None, procs: int | None, incremental: bool, today: dt.date | None) -> BuildResult:
    started = time.perf_counter()
    lap = _Laps()  # before loading: "validate" is the loading and validating of the files
    loaded = load_content(content_dir, root / CONTENT_CACHE if root.is_dir() else None, procs=procs,
                          progress=progress)
    cache = loaded.cache
    lap("validate")
    if loaded.problems or check_only:
        if root.is_dir() and cache is not None:
            cache.save(root / CONTENT_CACHE)
        return BuildResult(ok=not loaded.problems, problems=loaded.problems, warnings=loaded.warnings,
                           practices=len({p.slug for p in loaded.practices}), documents=len(loaded.practices),
                           seconds=time.perf_counter() - started)
    assert loaded.vocab is not None and cache is not None
    analysis.load_dictionary()  # VoikkoMissing before anything is written; forked workers inherit it
    root.mkdir(parents=True, exist_ok=True)
    with BuildLock(root, wait, on_wait):
        clean(root)
        stamp = new_stamp()
        tmp = root / f".tmp-{stamp}"
        tmp.mkdir()
        maker = DocumentMaker(loaded.vocab)
        loaded.practices, dates = date_practices(loaded.practices, content_dir, root, loaded.digests,
                                                 today or dt.date.today())
        keys = dated_keys(cache.keys, loaded.practices)
        # The hashes decide between an update and a full build; with no version this code can update
        # (or no update wanted) the index workers make them from the documents they index.
        previous = updatable(root) if incremental else None
        stored = stored_hashes(previous)
        hashes = practice_hashes(loaded.practices, keys, stored, maker, procs=procs,
                                 progress=progress) if previous else None
        update = plan(previous, hashes, stored.get("hashes", {})) if previous and hashes is not None else None
        lap("plan")
        save_content_cache = functools.partial(cache.save, root / CONTENT_CACHE)
        if update is None:
            save_lemmas = prewarm_lemmas(loaded.practices, root / LEMMA_CACHE, procs=procs, progress=progress,
                                         extra=_extra_texts(loaded.vocab, loaded.practices))
            lap("analyse")
            # The caches are saved while the segments are written (at 100k: seconds each, with a core idle).
            hashes = write_index(loaded.practices, maker, tmp, hashes, keys, progress, procs=procs,
                                 alongside=(save_content_cache, save_lemmas))
            count = len(loaded.practices)
        else:
            save_content_cache()
            previous, changed, removed = update
            changed_practices = [p for p in loaded.practices if p.slug in changed]
            save_lemmas = prewarm_lemmas(changed_practices, root / LEMMA_CACHE, procs=procs,
                                         extra=_extra_texts(loaded.vocab, changed_practices))
            save_lemmas()  # an update's few new analyses: stored at once
            lap("analyse")
            count = update_index(loaded.practices, maker, previous, tmp, changed, removed, hashes, keys, progress)
        lap("index")
        meta = {
            "version": f"v-{stamp}",
            "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "documents": count,
            "practices": len(hashes),
            "content_hash": hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()[:16],
            "index_fingerprint": index_fingerprint(),
            "data_format": DATA_FORMAT,
            "mode": "full" if update is None else "incremental",
            "changed_practices": len(hashes) if update is None else len(update[1] | update[2]),
            "deleted_documents": check_documents(tmp, count),
            "timings": {k: round(v, 3) for k, v in lap.timings.items()},
        }
        (tmp / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        fsync_tree(tmp)
        final = root / meta["version"]
        os.rename(tmp, final)
        fsync_dir(root)
        switch(root, final.name)
        dates.save()
        clean(root)
    lap("switch")
    return BuildResult(ok=True, warnings=loaded.warnings, version=final.name, practices=meta["practices"],
                       documents=count, seconds=time.perf_counter() - started, mode=meta["mode"],
                       changed=meta["changed_practices"], reused=cache.cached, timings=lap.timings)
