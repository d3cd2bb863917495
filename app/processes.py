"""Worker processes of the build (validation, word analysis, index writing): how many, and how started.

Workers are forked, so they inherit what the parent loaded (vocabularies, practices, the lemma cache)
without pickling it, and they are asked to die with the parent: a killed build leaves no worker
behind that would hold the build lock it inherited.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
from collections.abc import Callable, Iterable

PARALLEL_FROM = 400  # items; below this, starting worker processes costs more than it saves
Progress = Callable[..., Iterable]  # progress(items, total=..., desc=...) -> items, e.g. tqdm


def worker_count(procs: int | None = None) -> int:
    """Worker processes to use: ``procs`` if given, else one per available core."""
    if procs:
        return max(1, procs)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def pool(procs: int) -> multiprocessing.pool.Pool:
    """A pool of ``procs`` forked workers that die with this process."""
    return multiprocessing.get_context("fork").Pool(procs, initializer=die_with_parent, initargs=(os.getpid(),))


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when ``parent`` dies (prctl PR_SET_PDEATHSIG); elsewhere a no-op."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
