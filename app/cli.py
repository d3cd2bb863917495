"""Command line of the build: ``python build.py [--content DIR] [--index DIR] [--check]``."""
from __future__ import annotations

import sys
from collections.abc import Iterable

import click
from tqdm import tqdm

from .indexing import BuildLocked, build

PROGRESS_FROM = 200  # files; below this a bar is only noise


def _progress(items: Iterable, total: int | None = None, desc: str = "indexing") -> Iterable:
    """A progress bar on stderr for a long build step (``total`` spares consuming a lazy iterable)."""
    if total is None:
        items = list(items)
        total = len(items)
    if total < PROGRESS_FROM:
        return items
    return tqdm(items, total=total, desc=desc, file=sys.stderr, mininterval=0.5)


@click.command()
@click.option("--content", "content_dir", default="content", show_default=True,
              type=click.Path(file_okay=False), help="Content directory (practices/ and vocabularies/).")
@click.option("--index", "index_dir", default="index", show_default=True,
              type=click.Path(file_okay=False), help="Index root; the served version is switched atomically.")
@click.option("--check", is_flag=True, help="Validate only; do not build.")
@click.option("--no-wait", is_flag=True, help="Refuse instead of waiting when another build is running.")
@click.option("--full", is_flag=True, help="Rebuild every document instead of updating the served version.")
@click.option("--procs", type=click.IntRange(1, 64), default=None, help="Worker processes (default: one per core).")
def main(content_dir: str, index_dir: str, check: bool, no_wait: bool, full: bool, procs: int | None) -> None:
    """Validate every practice file and build the search index."""
    try:
        result = build(content_dir, index_dir, check_only=check, wait=not no_wait,
                       on_wait=lambda msg: click.echo(msg, err=True), progress=_progress,
                       procs=procs, incremental=not full)
    except BuildLocked as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:  # the index root cannot be created or written (a file in its path, no space, …)
        where = f" ({exc.filename})" if exc.filename else ""
        click.echo(f"error: the index could not be written{where}: {exc.strerror or exc}; "
                   "the served index was not changed", err=True)
        sys.exit(2)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if not result.ok:
        click.echo(f"{len(result.problems)} problem(s) found; the index was not changed.", err=True)
        sys.exit(1)
    if check:
        click.echo(f"ok: {result.practices} practices in {result.documents} files are valid")
    else:
        click.echo(f"ok: indexed {result.practices} practices ({result.documents} language versions) "
                   f"as {result.version} in {result.seconds:.2f} s ({result.mode} build: {result.changed} practices "
                   f"indexed, {result.reused} taken from the validation cache)")
