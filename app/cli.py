"""Command line of the build: ``python build.py [--content DIR] [--index DIR] [--check]``."""
from __future__ import annotations

import sys
from collections.abc import Iterable

import click
from tqdm import tqdm

from .indexing import BuildLocked, build

PROGRESS_FROM = 200  # files; below this a bar is only noise


def _progress(label: str):
    def wrap(items: Iterable) -> Iterable:
        items = list(items)
        if len(items) < PROGRESS_FROM:
            return items
        return tqdm(items, desc=label, unit="file", file=sys.stderr, mininterval=0.5)
    return wrap


@click.command()
@click.option("--content", "content_dir", default="content", show_default=True,
              type=click.Path(file_okay=False), help="Content directory (practices/ and vocabularies/).")
@click.option("--index", "index_dir", default="index", show_default=True,
              type=click.Path(file_okay=False), help="Index root; the served version is switched atomically.")
@click.option("--check", is_flag=True, help="Validate only; do not build.")
@click.option("--no-wait", is_flag=True, help="Refuse instead of waiting when another build is running.")
def main(content_dir: str, index_dir: str, check: bool, no_wait: bool) -> None:
    """Validate every practice file and build the search index."""
    try:
        result = build(content_dir, index_dir, check_only=check, wait=not no_wait,
                       on_wait=lambda msg: click.echo(msg, err=True), progress=_progress("indexing"))
    except BuildLocked as exc:
        click.echo(f"error: {exc}", err=True)
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
                   f"as {result.version} in {result.seconds:.2f} s")
