"""Index versions on disk: a new version directory, the atomic switch of ``CURRENT``, cleaning up.

A version is written into ``.tmp-<stamp>``, synced, renamed to ``v-<stamp>`` and only then named in
``CURRENT`` (replaced atomically), so a reader sees the old version or the new one, never a part.
Old versions stay for a while (``KEEP_VERSIONS``): other processes may still be reading them.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from pathlib import Path

from .layout import CURRENT, current_version

KEEP_VERSIONS = 3


def new_stamp() -> str:
    """A name for a new version: UTC time to the microsecond and a random suffix (sorts by time)."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f") + "-" + secrets.token_hex(3)


def switch(root: Path, version: str) -> None:
    """Name ``version`` in ``root/CURRENT`` atomically (readers see the old or the new name)."""
    tmp = root / f".{CURRENT}.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(version + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / CURRENT)
    fsync_dir(root)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    """Sync every file of a directory and the directory itself."""
    for child in path.iterdir():
        if child.is_file():
            with open(child, "rb") as fh:
                os.fsync(fh.fileno())
    fsync_dir(path)


def clean(root: Path) -> None:
    """Remove leftovers of killed builds and versions older than the last few (under the build lock)."""
    for tmp in root.glob(".tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)
    for stray in root.glob(f".{CURRENT}.*"):
        stray.unlink(missing_ok=True)
    served = current_version(root)
    versions = sorted(p for p in root.glob("v-*") if p.is_dir())
    for old in versions[:-KEEP_VERSIONS]:
        if old.name != served:
            shutil.rmtree(old, ignore_errors=True)
