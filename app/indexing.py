"""Index building: validated practices → a new Whoosh index version, switched in atomically.

Layout of an index root::

    index/CURRENT            name of the version being served (replaced atomically)
    index/v-<stamp>/         one complete index: Whoosh files + practices.json + meta.json
    index/.tmp-<stamp>/      a build in progress (removed by the next build if the builder died)
    index/.build.lock        held while a build runs
"""
from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from whoosh import fields, index
from whoosh.analysis import LowercaseFilter, RegexTokenizer

from .analysis import LANGUAGES, analyzer_for
from .content import LoadResult, Practice, Problem, load_content

CURRENT = "CURRENT"
CATALOG = "practices.json"
META = "meta.json"
KEEP_VERSIONS = 3
FACET_FIELDS = ("region", "large_area", "theme", "axis", "objective", "target_group", "period", "langs")
SPELL_FIELD = "spell"
TEXT_BOOSTS = {"title": 4.0, "project": 3.0, "summary": 2.0, "body": 1.0}


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


def make_schema() -> fields.Schema:
    """One text field per kind and language (each with its language's analyser) plus facet keywords."""
    spec: dict[str, fields.FieldType] = {
        "doc_id": fields.ID(stored=True, unique=True),
        "slug": fields.ID(stored=True, sortable=True),
        "lang": fields.ID(stored=True),
    }
    for name in FACET_FIELDS:
        spec[name] = fields.KEYWORD(commas=True, lowercase=False, scorable=False)
    # Surface word forms of every language, for spelling correction ("did you mean").
    spec[SPELL_FIELD] = fields.TEXT(analyzer=RegexTokenizer(r"[^\W\d_]+(?:-[^\W\d_]+)*") | LowercaseFilter(),
                                    phrase=False, stored=False)
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
        SPELL_FIELD: f"{p.title}\n{p.project}\n{p.summary}\n{p.body_text}",
    }
    return {k: v for k, v in doc.items() if v}


def practice_record(p: Practice, large_areas: list[str]) -> dict:
    """The JSON-serialisable record of one language version (the practice page reads it)."""
    record = asdict(p)
    record["large_areas"] = large_areas
    return record


# --- locking and directories ----------------------------------------------------------------

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
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.fh is not None
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def current_version(root: str | Path) -> str | None:
    """Name of the version directory being served, or None when there is none yet."""
    try:
        name = (Path(root) / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return name or None


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

def _content_hash(practices: list[Practice]) -> str:
    h = hashlib.sha256()
    for p in practices:
        h.update(json.dumps(asdict(p), sort_keys=True, ensure_ascii=False).encode())
    return h.hexdigest()[:16]


def write_index(practices: list[Practice], target: Path, large_area_of: dict[str, str],
                progress: Callable[[Iterable], Iterable] | None = None) -> int:
    """Write a complete index version for ``practices`` into the empty directory ``target``."""
    langs_of: dict[str, list[str]] = {}
    for p in practices:
        langs_of.setdefault(p.slug, []).append(p.lang)
    ix = index.create_in(str(target), make_schema())
    writer = ix.writer(limitmb=256)
    catalog: dict[str, dict[str, dict]] = {}
    try:
        for p in (progress(practices) if progress else practices):
            areas = sorted({large_area_of[r] for r in p.regions if large_area_of.get(r)})
            writer.add_document(**practice_to_document(p, sorted(langs_of[p.slug]), areas))
            catalog.setdefault(p.slug, {})[p.lang] = practice_record(p, areas)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    with open(target / CATALOG, "w", encoding="utf-8") as fh:
        json.dump(catalog, fh, ensure_ascii=False)
    return len(practices)


def build(content_dir: str | Path, index_root: str | Path, *, check_only: bool = False, wait: bool = True,
          on_wait: Callable[[str], None] | None = None,
          progress: Callable[[Iterable], Iterable] | None = None) -> BuildResult:
    """Validate the content and, if every file is valid, build and switch to a new index version.

    On any problem the served index is left untouched.
    """
    started = time.perf_counter()
    content_dir, root = Path(content_dir), Path(index_root)
    loaded: LoadResult = load_content(content_dir)
    if loaded.problems or check_only:
        return BuildResult(ok=not loaded.problems, problems=loaded.problems,
                           practices=len({p.slug for p in loaded.practices}), documents=len(loaded.practices),
                           seconds=time.perf_counter() - started)
    root.mkdir(parents=True, exist_ok=True)
    with _Lock(root, wait, on_wait):
        _clean(root)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f") + "-" + secrets.token_hex(3)
        tmp = root / f".tmp-{stamp}"
        tmp.mkdir()
        assert loaded.vocab is not None
        large_area_of = {name: t.parent for name, t in loaded.vocab.regions.items() if t.parent}
        count = write_index(loaded.practices, tmp, large_area_of, progress)
        meta = {
            "version": f"v-{stamp}",
            "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "documents": count,
            "practices": len({p.slug for p in loaded.practices}),
            "content_hash": _content_hash(loaded.practices),
        }
        (tmp / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        _fsync_tree(tmp)
        final = root / meta["version"]
        os.rename(tmp, final)
        _fsync_dir(root)
        _switch(root, final.name)
        _clean(root)
    return BuildResult(ok=True, version=final.name, practices=meta["practices"], documents=count,
                       seconds=time.perf_counter() - started)
