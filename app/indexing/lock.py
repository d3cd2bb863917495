"""The build lock of an index root: one build at a time writes versions and switches ``CURRENT``.

An exclusive ``flock`` on ``index/.build.lock``; a second build waits (or, with ``wait=False``,
refuses with :class:`BuildLocked`). Forked workers point their inherited lock descriptor at
/dev/null, so a worker outliving a killed build no longer holds the lock.
"""
from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Callable
from pathlib import Path

from .layout import LOCK


class BuildLocked(RuntimeError):
    """Another build holds the lock of index root ``root``: ``holder`` is what it wrote in the lock
    file ("pid 1234"; "?" when nothing). The command line says so in the editor's language."""

    def __init__(self, holder: str, root: Path) -> None:
        super().__init__(f"another build ({holder}) is running on {root}; try again when it has finished")
        self.holder, self.root = holder, root


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


class BuildLock:
    """``with BuildLock(root, wait, on_wait):`` holds the build lock of ``root``; ``on_wait(holder)`` is
    told who holds it ("pid 1234") when this build has to wait."""

    def __init__(self, root: Path, wait: bool, on_wait: Callable[[str], None] | None):
        self.path = root / LOCK
        self.wait = wait
        self.on_wait = on_wait
        self.fh = None

    def __enter__(self) -> "BuildLock":
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            self.fh.seek(0)
            holder = self.fh.read().strip() or "?"
            if not self.wait:
                self.fh.close()
                raise BuildLocked(holder, self.path.parent) from None
            if self.on_wait:
                self.on_wait(holder)
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
