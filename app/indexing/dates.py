"""Each practice version's first-published and last-changed dates, so that the site can show them, sort
by them and put them in its feed.

Per field, the first source that has one:

1. the front matter's ``published`` / ``updated`` (validated ISO dates);
2. the git history of the version's file, when the content directory is in a git work tree: the
   date of the first commit that added the file (following renames) and of the last one that
   changed it — read with one ``git log`` over ``practices/`` for all files, plus one ``git status``
   (a file changed since its last commit, or not committed yet, takes its ``updated`` from 3.);
3. the build's own record, kept in the index root beside the content cache
   (:data:`~.layout.PRACTICE_DATES`): the first build that saw a version records its date, and a
   build that sees its file changed records a new ``updated``. A renamed practice (``aliases``)
   keeps the ``published`` recorded under its old slug.

A version is never updated before it was published. A version's dates are part of its record, so a
build that changes one file's dates re-indexes that practice only.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import subprocess
from pathlib import Path

from ..content import Practice
from .layout import PRACTICE_DATES

log = logging.getLogger(__name__)
GIT_TIMEOUT = 120  # seconds for one git command; a history too long for that is read as no history
RECORD_FORMAT = 1


def _git(cwd: Path, *args: str) -> str | None:
    """The output of a git command, or None when git is missing or says no (not a work tree, …)."""
    try:
        run = subprocess.run(["git", "-C", str(cwd), "-c", "core.quotePath=false", *args], capture_output=True,
                             timeout=GIT_TIMEOUT, check=False, env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.SubprocessError):
        return None
    return run.stdout.decode("utf-8", "replace") if run.returncode == 0 else None


def git_dates(content_dir: Path) -> tuple[dict[str, tuple[str, str]], set[str]] | None:
    """``({"practices/<file>": (first commit date, last commit date)}, {files changed since their last
    commit or never committed})`` for the practice files of ``content_dir``, paths relative to it;
    None when the directory is not in a git work tree (or git is missing)."""
    top = _git(content_dir, "rev-parse", "--show-toplevel")
    if top is None or not top.strip():
        return None
    top_dir = Path(top.strip())
    try:
        prefix = Path(os.path.relpath((content_dir / "practices").resolve(), top_dir.resolve())).as_posix()
    except ValueError:  # another drive
        return None
    history = _git(top_dir, "log", "--format=%x00%cI", "--name-status", "-M", "--", prefix)
    status = _git(top_dir, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", prefix)
    if history is None or status is None:
        return None
    inside = prefix.rstrip("/") + "/"

    def relative(path: str) -> str | None:
        return "practices/" + path[len(inside):] if path.startswith(inside) else None

    dates = _first_and_last(history)
    changed = set()
    entries = status.split("\0")
    for entry in entries:
        if len(entry) > 3 and entry[2] == " ":
            name = relative(entry[3:])
            if name:
                changed.add(name)
    return {name: d for path, d in dates.items() if (name := relative(path))}, changed


def _first_and_last(history: str) -> dict[str, tuple[str, str]]:
    """Path → (first, last) date from ``git log --name-status -M`` (newest commit first): a file's
    older names count as the file, and a file's history starts where it was last added."""
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    now_named: dict[str, str] = {}  # a path in an older commit → the file's name today
    born: set[str] = set()
    date = ""
    for line in history.splitlines():
        if line.startswith("\0"):
            date = line[1:11]
            continue
        parts = line.split("\t")
        if len(parts) < 2 or not date:
            continue
        status = parts[0][:1]
        if status in ("R", "C") and len(parts) == 3:
            current = now_named.get(parts[2], parts[2])
            if status == "R":
                now_named[parts[1]] = current
        else:
            current = now_named.get(parts[1], parts[1])
        if current in born or status == "D":
            continue
        last.setdefault(current, date)
        first[current] = date
        if status in ("A", "C"):
            born.add(current)
    return {path: (first[path], last[path]) for path in first}


class DateRecord:
    """The dates the builds recorded: ``"<slug> <lang>"`` → [published, updated, SHA-256 of the file]."""

    def __init__(self, path: Path):
        self.path = path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            self.dates: dict[str, list[str]] = data["dates"] if data.get("format") == RECORD_FORMAT else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.dates = {}
        self.dirty = False

    def dates_of(self, p: Practice, digest: str, today: str) -> tuple[str, str]:
        """The recorded (published, updated) of a version, recording it now if it is new or changed."""
        key = f"{p.slug} {p.lang}"
        entry = self.dates.get(key)
        if entry is None:
            moved = next((self.dates[f"{old} {p.lang}"] for old in p.aliases if f"{old} {p.lang}" in self.dates), None)
            entry = [moved[0] if moved else today, today, digest]
        elif entry[2] != digest:
            entry = [entry[0], max(today, entry[0]), digest]
        else:
            return entry[0], entry[1]
        self.dates[key] = entry
        self.dirty = True
        return entry[0], entry[1]

    def save(self) -> None:
        """Store the record (atomically) if anything was recorded."""
        if not self.dirty:
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"format": RECORD_FORMAT, "dates": self.dates}, sort_keys=True),
                       encoding="utf-8")
        os.replace(tmp, self.path)
        self.dirty = False


def date_practices(practices: list[Practice], content_dir: Path, root: Path, digests: dict[str, str],
                   today: dt.date) -> tuple[list[Practice], DateRecord]:
    """The practices with their ``published`` and ``updated`` filled in, and the build's record of
    dates (to save once the build is done). ``digests``: each file's SHA-256 by its display path."""
    record = DateRecord(root / PRACTICE_DATES)
    git = git_dates(content_dir)
    history, changed = git if git is not None else ({}, set())
    base = Path(content_dir.name)
    prefix = f"{base.as_posix()}/"
    day = today.isoformat()
    out = []
    for p in practices:
        if p.path.startswith(prefix) and "/." not in p.path and "//" not in p.path:
            name = p.path[len(prefix):]  # what relative_to gives for a plain path, without a Path per file
        else:
            try:
                name = Path(p.path).relative_to(base).as_posix()
            except ValueError:
                name = p.path
        recorded = record.dates_of(p, digests.get(p.path, ""), day)
        committed = history.get(name)
        published = p.published or (committed[0] if committed else recorded[0])
        updated = p.updated or (committed[1] if committed and name not in changed else recorded[1])
        out.append(p.dated(published, max(updated, published)))
    return out, record


def dated_keys(keys: dict[str, str], practices: list[Practice]) -> dict[str, str]:
    """The content loader's per-slug keys with the versions' dates in them: a practice whose dates
    changed (a commit, a recorded change) is re-indexed even when its files' bytes did not change."""
    dates: dict[str, list[str]] = {}
    for p in practices:
        dates.setdefault(p.slug, []).append(f"{p.lang}:{p.published}:{p.updated}")
    return {slug: hashlib.sha256((key + "|" + ",".join(sorted(dates.get(slug, [])))).encode()).hexdigest()
            for slug, key in keys.items()}
