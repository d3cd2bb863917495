"""Build caches: validated practices by content hash, the persistent lemma cache, parallel workers.

Validating a practice depends only on its own files (the Finnish original and its translations share
a slug), the vocabularies and the code. So the result for one slug's files is cached under the hash
of exactly those inputs: every file is still read and hashed on every build, and the cross-file rules
(translation agreement, duplicates) still run for every changed slug, but unchanged slugs skip YAML,
validation and Markdown. Misses are computed in worker processes.
"""
from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import yaml

from . import analysis, content
from .content import FILE_NAME, MAX_FILE_BYTES, LoadResult, Practice, Problem
from .layout import CONTENT_CACHE, LEMMA_CACHE  # noqa: F401 (indexing imports them from here)
from .vocabularies import Vocabularies, load_vocabularies

PARALLEL_FROM = 400  # items; below this, starting worker processes costs more than it saves
_CODE = ("content.py", "vocabularies.py", "buildcache.py")
_PACKAGES = ("Markdown", "nh3", "PyYAML", "python-frontmatter")

Progress = Callable[..., Iterable]  # progress(items, total=..., desc=...) -> items, e.g. tqdm


def worker_count(procs: int | None = None) -> int:
    """Worker processes to use: ``procs`` if given, else one per available core."""
    if procs:
        return max(1, procs)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _pool(procs: int) -> multiprocessing.pool.Pool:
    # fork: workers inherit the vocabularies, the practices and the lemma cache without pickling them.
    return multiprocessing.get_context("fork").Pool(procs, initializer=_die_with_parent, initargs=(os.getpid(),))


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when the build process dies: a killed build leaves no workers
    behind (they would hold the build lock, which they inherited)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def code_fingerprint(names: Sequence[str] = _CODE, packages: Sequence[str] = _PACKAGES) -> str:
    """Hash of the source files and package versions that decide a build's output."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in names:
        h.update(name.encode() + b"\0" + (here / name).read_bytes())
    for dist in packages:
        try:
            h.update(f"{dist}={metadata.version(dist)};".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=?;".encode())
    return h.hexdigest()[:16]


def vocabulary_fingerprint(vocab_dir: Path) -> str:
    """Hash of every vocabulary file (names and bytes)."""
    h = hashlib.sha256()
    for path in sorted(p for p in Path(vocab_dir).rglob("*") if p.is_file()):
        h.update(str(path.relative_to(vocab_dir)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


# --- validated practices, cached per slug ---------------------------------------------------

@dataclass
class GroupResult:
    """What validating the files of one slug produced (same rules as ``content.load_content``)."""

    practices: list[Practice]
    file_problems: list[list[Problem]]  # one list per file of the group, in file order
    resolve_problems: list[Problem] = field(default_factory=list)


@dataclass
class ContentCache:
    """The validated groups of one load, to be stored for the next build (``save``), and hit counts."""

    fingerprint: str = ""
    entries: dict[str, GroupResult] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # slug → hash of its files, vocabularies and code
    dirty: bool = False
    groups: int = 0
    cached: int = 0
    computed: int = 0

    def save(self, path: Path) -> None:
        """Store the entries at ``path`` (atomically) if anything changed since they were read."""
        if not self.dirty or not self.fingerprint:
            return
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump({"fingerprint": self.fingerprint, "groups": self.entries}, fh,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        self.dirty = False


_VOCAB: Vocabularies | None = None  # set in the parent before forking workers


def load_group(files: Sequence[tuple[str, str]], vocab: Vocabularies) -> GroupResult:
    """Read, validate and resolve the files of one slug, exactly as ``content.load_content`` does."""
    records: dict[tuple[str, str], dict] = {}
    file_problems: list[list[Problem]] = []
    for path, display in files:
        record, problems = content.read_practice(Path(path), vocab, display)
        problems = list(problems)
        if record is not None:
            key = (record["slug"], record["lang"])
            if key in records:
                problems.append(Problem(display, 1, "", f"duplicate: {records[key]['path']} already has slug "
                                                        f"'{key[0]}' in language '{key[1]}'"))
            else:
                records[key] = record
        file_problems.append(problems)
    resolve_problems: list[Problem] = []
    practices = content._resolve(records, resolve_problems)  # the cross-file rules, on this slug only
    return GroupResult(practices, file_problems, resolve_problems)


def _load_group_worker(files: Sequence[tuple[str, str]]) -> GroupResult:
    assert _VOCAB is not None
    return load_group(files, _VOCAB)


def _read_cache(path: Path | None, fingerprint: str) -> dict[str, GroupResult]:
    if path is None:
        return {}
    try:
        with open(path, "rb") as fh:
            data = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
        return {}
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint:
        return {}
    return data.get("groups") or {}


def _is(test: Callable[[], bool]) -> bool:
    """A DirEntry test that says False where Path's would (a symbolic link loop raises otherwise)."""
    try:
        return test()
    except OSError:
        return False


def practice_files(content_dir: Path) -> list[tuple[str, str]]:
    """(path, display name) of ``content.practice_files(content_dir)``, in its order, without pathlib's cost."""
    root = content_dir / "practices"
    if not root.is_dir():
        return []
    found: list[tuple[str, ...]] = []

    def walk(directory: str, parts: tuple[str, ...]) -> None:
        try:
            entries = list(os.scandir(directory))
        except OSError:
            return
        for entry in entries:
            mine = (*parts, entry.name)
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, mine)
            elif _is(entry.is_file) or (entry.is_symlink() and not _is(entry.is_dir)):  # as content.practice_files
                if not any(part.startswith(".") for part in mine):
                    found.append(mine)

    walk(str(root), ())
    found.sort()  # the order of Paths: part by part
    return [(os.path.join(root, *parts), os.path.join(content_dir.name, "practices", *parts)) for parts in found]


def load_content_cached(content_dir: str | Path, cache_path: Path | None = None, *, procs: int | None = None,
                        progress: Progress | None = None) -> tuple[LoadResult, ContentCache]:
    """``content.load_content`` with a per-slug cache read from ``cache_path`` and worker processes for misses.

    The returned ``ContentCache`` holds this load's groups; ``save`` it where the next build reads it.
    """
    global _VOCAB
    content_dir = Path(content_dir)
    try:
        vocab = load_vocabularies(content_dir / "vocabularies")
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return content.load_content(content_dir), ContentCache()  # it reports the problem in its words
    if not (content_dir / "practices").is_dir():
        return content.load_content(content_dir, vocab), ContentCache()
    fingerprint = code_fingerprint() + vocabulary_fingerprint(content_dir / "vocabularies")
    cache = _read_cache(cache_path, fingerprint)

    # Every file, in the order load_content reads them; files group by the slug in their name.
    per_file: list[tuple[str, int] | list[Problem]] = []  # (group key, index in group) or its own problems
    groups: dict[str, list[tuple[str, str]]] = {}
    digests: dict[str, hashlib._Hash] = {}
    loners: list[tuple[int, tuple[str, str]]] = []
    for path_str, display in practice_files(content_dir):
        path = Path(path_str)
        if os.path.islink(path_str) and content._outside(path, content_dir):
            per_file.append([Problem(display, 1, "", "symbolic link to a file outside the content directory; "
                                                     "copy the file in instead")])
            continue
        m = FILE_NAME.match(path.name)
        try:
            data = path.read_bytes() if m and path.stat().st_size <= MAX_FILE_BYTES else None
        except OSError:  # unreadable: read_practice says why
            data = None
        if data is None:  # bad names, huge or unreadable files: cheap to re-check, not worth caching
            loners.append((len(per_file), (str(path), display)))
            per_file.append([])
            continue
        slug = m.group("slug")
        members = groups.setdefault(slug, [])
        digest = digests.setdefault(slug, hashlib.sha256(fingerprint.encode() + slug.encode()))
        digest.update(display.encode() + b"\0" + hashlib.sha256(data).digest())
        per_file.append((slug, len(members)))
        members.append((str(path), display))
    for index, (path_str, display) in loners:
        per_file[index] = load_group([(path_str, display)], vocab).file_problems[0]

    keys = {slug: digests[slug].hexdigest() for slug in groups}
    results: dict[str, GroupResult] = {}
    missing = []
    for slug in sorted(groups):
        hit = cache.get(keys[slug])
        if hit is not None:
            results[slug] = hit
        else:
            missing.append(slug)
    _VOCAB = vocab
    workers = worker_count(procs)
    jobs = [groups[s] for s in missing]
    if workers > 1 and len(jobs) >= PARALLEL_FROM:
        with _pool(workers) as pool:
            computed = pool.imap(_load_group_worker, jobs, chunksize=32)
            if progress:
                computed = progress(computed, total=len(jobs), desc="validating")
            for slug, result in zip(missing, computed):
                results[slug] = result
    else:
        for slug, files_of in zip(missing, progress(jobs, total=len(jobs), desc="validating") if progress else jobs):
            results[slug] = load_group(files_of, vocab)

    out = LoadResult(vocab=vocab)
    for entry in per_file:
        if isinstance(entry, list):
            out.problems.extend(entry)
        else:
            out.problems.extend(results[entry[0]].file_problems[entry[1]])
    for slug in sorted(results):
        out.practices.extend(results[slug].practices)
        out.problems.extend(results[slug].resolve_problems)
    store = ContentCache(fingerprint, {keys[s]: r for s, r in results.items()}, keys,
                         dirty=bool(missing) or len(cache) != len(results),
                         groups=len(groups), cached=len(groups) - len(missing), computed=len(missing))
    return out, store


# --- lemma cache: analyse each distinct word form once, in parallel, and keep it --------------

_TEXTS: list[tuple[str, list[str]]] = []  # (lang, texts) per practice, set before forking


def _forms_of(span: tuple[int, int]) -> set[tuple[str, str]]:
    tokenize = analysis.WordTokenizer()
    out: set[tuple[str, str]] = set()
    for lang, texts in _TEXTS[span[0]:span[1]]:
        for text in texts:
            out.update((lang, t.text) for t in tokenize(text))
    return out


def _analyse_chunk(forms: list[tuple[str, str]]) -> tuple[int, dict]:
    return len(forms), analysis.analyse_forms(forms)


def _merged(done: Iterable[tuple[int, dict]], added: list) -> Iterator[None]:
    """Merge each worker's analyses into this process's cache; one item per word form, for a progress bar."""
    for count, entries in done:
        analysis.cache_update(entries)
        added += entries
        yield from itertools.repeat(None, count)


def _spans(n: int, parts: int) -> list[tuple[int, int]]:
    step = max(1, -(-n // parts))
    return [(i, min(n, i + step)) for i in range(0, n, step)]


def prewarm_lemmas(practices: Sequence[Practice], cache_path: Path | None, *, procs: int | None = None,
                   progress: Progress | None = None, extra: Sequence[tuple[str, str]] = ()) -> dict[str, int]:
    """Fill the analyser's cache with every word form of ``practices`` and of the ``extra`` (lang, text)
    pairs (stored file first, then workers).

    Index writers forked afterwards find every form cached and never call Voikko; neither does a
    search process for words of the stored file (the synonyms are ``extra`` for that reason).
    """
    global _TEXTS
    _TEXTS = [(p.lang, [p.title, p.project, p.summary, p.body_text]) for p in practices]
    _TEXTS += [(lang, [text]) for lang, text in extra]
    workers = worker_count(procs)
    parallel = workers > 1 and len(_TEXTS) >= PARALLEL_FROM
    if parallel:
        with _pool(workers) as pool:
            forms: set[tuple[str, str]] = set().union(*pool.map(_forms_of, _spans(len(_TEXTS), workers * 4)))
    else:
        forms = _forms_of((0, len(_TEXTS)))
    _TEXTS = []
    analysis.reserve_cache(2 * len(forms) + 100_000)  # the forms, the parts of compounds, and room to spare
    loaded = analysis.load_cache(cache_path, forms) if cache_path is not None else 0
    missing = analysis.uncached_forms(forms)
    missing.sort()  # deterministic chunks
    added: list[tuple[str, str]] = []
    if parallel and len(missing) >= PARALLEL_FROM:
        chunks = [missing[i:i + 500] for i in range(0, len(missing), 500)]
        with _pool(workers) as pool:
            merged = _merged(pool.imap_unordered(_analyse_chunk, chunks), added)
            for _ in (progress(merged, total=len(missing), desc="analysing words") if progress else merged):
                pass
    elif missing:
        added += analysis.analyse_forms(missing)
    if cache_path is not None and (added or loaded < len(forms)):
        analysis.save_cache(cache_path, [*forms, *added])
    return {"forms": len(forms), "loaded": loaded, "analysed": len(missing)}


# --- parallel index writing --------------------------------------------------------------------

def parallel_writer(ix, procs: int, documents: int):  # noqa: ANN001, ANN201
    """Whoosh's multiprocessing writer: ``procs`` workers, each analysing and writing its own segment."""
    from whoosh.multiproc import MpWriter, SubWriterTask

    parent = os.getpid()

    class Task(SubWriterTask):
        def run(self) -> None:
            _die_with_parent(parent)
            super().run()

    class Writer(MpWriter):
        def _new_task(self):  # noqa: ANN202
            task = Task(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs,
                        self.multisegment)
            self.tasks.append(task)
            task.start()
            return task

    # Documents go to the workers in batches through a bounded queue; small batches keep both busy.
    batch = max(1, min(64, documents // (procs * 4)))
    return Writer(ix, procs=procs, multisegment=True, batchsize=batch, limitmb=128, compound=False)


def cancel_writer(writer) -> None:  # noqa: ANN001
    """Cancel a writer; a parallel writer's workers are stopped too (they would wait for work forever)."""
    try:
        writer.cancel()
    finally:
        for task in getattr(writer, "tasks", ()):
            if task.is_alive():
                task.terminate()
            task.join(timeout=5)
