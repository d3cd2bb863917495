"""Pausing Python's cyclic garbage collector where it costs much and finds nothing.

Python runs a full collection each time the number of long-lived objects has grown by a quarter, and
a full collection visits every object. A process that loads many small objects (a build's 120,000
validated practices and their word analyses; a server's arrays of an index version) pays for
collections that free nothing: they hold no reference cycles worth collecting. Measured at 100,000
practices: a one-file rebuild took 17.1 and 19.5 s with the collector running, 10.9 and 11.1 s
without it (bench/RESULTS.md, "Issue 14, round five"). Objects are still freed by reference counting
while the collector is paused; only reference cycles wait until it runs again.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (processes forked in it inherit the
    pause); it runs again afterwards if it ran before."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
