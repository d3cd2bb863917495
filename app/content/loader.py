"""The content loader: every practice file of a content directory → validated practices and problems.

Validating a practice depends only on its own files (the Finnish original and its translations
share a slug), the vocabularies and the code. So the result for one slug's files is cached under
the hash of exactly those inputs (``cache_path``, the build keeps it in ``index/.content-cache``):
unchanged slugs skip YAML, validation and Markdown, and the cross-file rules still run for every
changed slug. Misses are computed in worker processes when there are many.

A file is read and hashed only when its size, modification time, change time or inode differ from
those stored with its hash (at 100 000 practices, reading and hashing every file took 40 s of a
one-file rebuild). The change time catches a rewrite that kept the modification time (``touch -d``,
``cp -p``); a file modified within ``_RACY_NS`` of being looked at is hashed again next time, since
a second write in the same clock tick would leave every time unchanged.

Problems come sorted by file and line (a file's own problems and those across its slug's files
together).
"""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

from ..fingerprints import code_fingerprint, directory_fingerprint
from ..processes import PARALLEL_FROM, Progress, pool, worker_count
from ..names import PRIMARY_LANGUAGE
from .cache import ContentCache, FileStat, GroupResult, read_cache
from .fact_fields import alias_problems
from .messages import E_, t
from .model import LoadResult, Problem
from .resolve import resolve
from .validation import FILE_NAME, MAX_FILE_BYTES, read_practice
from .vocabularies import DEFAULT_PERIOD, Vocabularies, load_vocabularies

# What decides a slug's validation besides its files and the vocabularies.
_CODE = ("names.py", "content")
_PACKAGES = ("markdown-it-py", "mdit-py-plugins", "nh3", "PyYAML", "python-frontmatter")
_RACY_NS = 2_000_000_000  # a file modified this recently (ns) is not trusted by its times next time

def load_group(files: Sequence[tuple[str, str]], vocab: Vocabularies) -> GroupResult:
    """Read, validate and resolve the files ((path, display name) pairs) of one slug.

    The Finnish original is read first: a translation's priority is checked against the period it
    inherits."""
    records: dict[tuple[str, str], dict] = {}
    present: set[tuple[str, str]] = set()
    for path, _ in files:
        m = FILE_NAME.match(Path(path).name)
        if m:
            present.add((m.group("slug"), m.group("lang")))
    order = sorted(range(len(files)), key=lambda i: not Path(files[i][0]).name.endswith(f".{PRIMARY_LANGUAGE}.md"))
    file_problems: list[list[Problem]] = [[] for _ in files]
    inherited: str | None = DEFAULT_PERIOD  # a translation without an original: the default period
    for i in order:
        path, display = files[i]
        record, problems = read_practice(Path(path), vocab, display, inherited)
        problems = list(problems)
        if record is not None:
            key = (record["slug"], record["lang"])
            if key in records:
                problems.append(Problem(display, 1, "", "KP113", t(E_(
                    "duplicate: %(other)s already has slug '%(slug)s' in language '%(lang)s'"),
                    other=records[key]["path"], slug=key[0], lang=key[1])))
            else:
                records[key] = record
                if key[1] == PRIMARY_LANGUAGE:
                    inherited = record["facets"].get("period")
        elif Path(path).name.endswith(f".{PRIMARY_LANGUAGE}.md"):
            inherited = None  # the original has problems: its period is not known
        file_problems[i] = problems
    resolve_problems: list[Problem] = []
    warnings: list[Problem] = []
    practices = resolve(records, vocab, resolve_problems, present, warnings)
    return GroupResult(practices, file_problems, resolve_problems, warnings)


_VOCAB: Vocabularies | None = None  # set in the parent before forking workers


def _load_group_worker(files: Sequence[tuple[str, str]]) -> GroupResult:
    assert _VOCAB is not None
    return load_group(files, _VOCAB)


def _file_digest(path: str, st: os.stat_result, known: dict[str, tuple[FileStat, bytes]],
                 now_ns: int) -> tuple[bytes, tuple[FileStat, bytes] | None]:
    """(SHA-256 digest of the file at ``path``, what to store for it: None when it changed too recently
    to be trusted by its times). The stored digest is used while the stat agrees; OSError when unreadable."""
    stat = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    entry = known.get(path)
    if entry is not None and entry[0] == stat:
        return entry[1], entry
    with open(path, "rb") as fh:
        digest = hashlib.sha256(fh.read()).digest()
    racy = now_ns - max(st.st_mtime_ns, st.st_ctime_ns) < _RACY_NS
    return digest, None if racy else (stat, digest)


def _is(test: Callable[[], bool]) -> bool:
    """A DirEntry test that says False where Path's would (a symbolic link loop raises otherwise)."""
    try:
        return test()
    except OSError:
        return False


def practice_files(content_dir: Path) -> list[tuple[str, str, bool]]:
    """(path, display name, whether it is a symbolic link) of every candidate practice file below
    ``content/practices``, sorted part by part; hidden files and folders are skipped, a link to a
    directory counts as a directory and a broken link is kept (to be reported). The paths and the
    link test come from the directory entries (``os.scandir``), without a path joined or a file
    looked at again per file (2 s of a one-file rebuild at 100,000 practices)."""
    root = content_dir / "practices"
    if not root.is_dir():
        return []
    found: list[tuple[tuple[str, ...], str, bool]] = []

    def walk(directory: str, parts: tuple[str, ...]) -> None:
        try:
            entries = list(os.scandir(directory))
        except OSError:
            return
        for entry in entries:
            mine = (*parts, entry.name)
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, mine)
            elif _is(entry.is_file) or (entry.is_symlink() and not _is(entry.is_dir)):
                if not any(part.startswith(".") for part in mine):
                    found.append((mine, entry.path, entry.is_symlink()))

    walk(str(root), ())
    found.sort()
    shown = os.path.join(content_dir.name, "practices", "")
    return [(path, shown + "/".join(parts), link) for parts, path, link in found]


def _outside(path: Path, content_dir: Path) -> bool:
    try:
        path.resolve().relative_to(content_dir.resolve())
        return False
    except ValueError:
        return True
    except (RuntimeError, OSError):  # a symbolic link loop: reading the file reports it
        return False


def load_content(content_dir: str | Path, cache_path: Path | None = None, *, procs: int | None = None,
                 progress: Progress | None = None) -> LoadResult:
    """Read, validate and render every practice of ``content_dir``; collect every problem of every file.

    With ``cache_path``, validated slugs are read from (and ``result.cache.save`` writes) that file;
    ``procs`` caps the worker processes (default one per core, used for 400 or more changed slugs).
    """
    global _VOCAB
    content_dir = Path(content_dir)
    result = LoadResult()
    try:
        vocab = load_vocabularies(content_dir / "vocabularies")
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        result.problems.append(Problem(str(content_dir / "vocabularies"), 1, "", "KP901", t(E_(
            "cannot read the vocabularies: %(error)s"), error=str(exc))))
        return result
    if not (content_dir / "practices").is_dir():
        result.problems.append(Problem(str(content_dir / "practices"), 1, "", "KP902", t(E_(
            "no practices directory: put the practice files in %(path)s"), path=str(content_dir / "practices"))))
        return result
    result.vocab = vocab
    fingerprint = code_fingerprint(_CODE, _PACKAGES) + directory_fingerprint(content_dir / "vocabularies")
    cache, known, base = read_cache(cache_path, fingerprint)
    files: dict[str, tuple[FileStat, bytes]] = {}
    now_ns = time.time_ns()

    # Every file in order; files group by the slug in their name.
    per_file: list[tuple[str, int] | list[Problem]] = []  # (slug, index in its group) or the file's own problems
    groups: dict[str, list[tuple[str, str]]] = {}
    digests: dict[str, hashlib._Hash] = {}
    loners: list[tuple[int, tuple[str, str]]] = []
    for path_str, display, link in practice_files(content_dir):
        if link and _outside(Path(path_str), content_dir):
            per_file.append([Problem(display, 1, "", "KP112", t(E_(
                "symbolic link to a file outside the content directory; copy the file in instead")))])
            continue
        m = FILE_NAME.match(os.path.basename(path_str))  # (no Path per file: 2.5 s of 120,000 under cProfile)
        try:
            st = os.stat(path_str) if m else None
            data, entry = _file_digest(path_str, st, known, now_ns) if st and st.st_size <= MAX_FILE_BYTES else (None, None)
        except OSError:  # unreadable: read_practice says why
            data = entry = None
        if entry is not None:
            files[path_str] = entry
        if data is None:  # bad names, huge or unreadable files: cheap to re-check, not worth caching
            loners.append((len(per_file), (path_str, display)))
            per_file.append([])
            continue
        slug = m.group("slug")
        members = groups.setdefault(slug, [])
        digest = digests.setdefault(slug, hashlib.sha256(fingerprint.encode() + slug.encode()))
        result.digests[display] = data.hex()  # the file's SHA-256 (the build's record of practice dates)
        digest.update(display.encode() + b"\0" + data)
        per_file.append((slug, len(members)))
        members.append((path_str, display))
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
    jobs = [groups[s] for s in missing]
    workers = worker_count(procs)
    if workers > 1 and len(jobs) >= PARALLEL_FROM:
        _VOCAB = vocab
        with pool(workers) as workers_pool:
            computed = workers_pool.imap(_load_group_worker, jobs, chunksize=32)
            if progress:
                computed = progress(computed, total=len(jobs), desc="validating")
            # The progress bar's iterable first: zip then exhausts it, and the bar ends at its total.
            for group, slug in zip(computed, missing):
                results[slug] = group
    else:
        for files_of, slug in zip(progress(jobs, total=len(jobs), desc="validating") if progress else jobs, missing):
            results[slug] = load_group(files_of, vocab)

    for entry in per_file:
        result.problems.extend(entry if isinstance(entry, list) else results[entry[0]].file_problems[entry[1]])
    for slug in sorted(results):
        result.practices.extend(results[slug].practices)
        result.problems.extend(results[slug].resolve_problems)
        result.warnings.extend(getattr(results[slug], "warnings", ()))
    result.problems.extend(alias_problems(result.practices, content_dir))
    result.problems.sort(key=Problem.sort_key)
    result.warnings.sort(key=Problem.sort_key)
    result.cache = ContentCache(fingerprint, {keys[s]: r for s, r in results.items()}, keys, files,
                                dirty=bool(missing) or len(cache) != len(results) or files != known,
                                groups=len(groups), cached=len(groups) - len(missing), computed=len(missing),
                                base=base)
    return result
