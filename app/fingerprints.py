"""Fingerprints of code and data: a stored cache or index version is reused only under the same.

Each cache names the source files and package versions that decide its contents; a change in any
of them (a new analyser rule, another Voikko release) makes the stored data stale, not wrong.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

APP = Path(__file__).resolve().parent


def code_fingerprint(modules: Sequence[str], packages: Sequence[str] = ()) -> str:
    """16 hex digits of the source files ``modules`` (paths relative to ``app/``, e.g.
    ``"content/validation.py"``; a folder means every ``.py`` file in it) and the installed versions
    of ``packages`` (distribution names; a missing one counts as ``?``)."""
    h = hashlib.sha256()
    for name in modules:
        path = APP / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            h.update(str(file.relative_to(APP)).encode() + b"\0" + file.read_bytes())
    for dist in packages:
        try:
            h.update(f"{dist}={metadata.version(dist)};".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=?;".encode())
    return h.hexdigest()[:16]


def directory_fingerprint(directory: Path) -> str:
    """16 hex digits of every file below ``directory`` (relative names and bytes)."""
    h = hashlib.sha256()
    directory = Path(directory)
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(directory)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]
