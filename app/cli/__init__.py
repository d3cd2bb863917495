"""The command line, ``kaytantopankki`` (installed with the package; click, as Flask's own CLI):

- ``kaytantopankki check [FILE...]`` — validate the content (or report only the given files)
- ``kaytantopankki build`` — validate and build the search index (``python build.py`` runs this too)
- ``kaytantopankki serve [--watch]`` — build, then serve with gunicorn; keep serving the last good
  index when the content has problems; ``--watch`` rebuilds on every saved change (:mod:`.serve`)
- ``kaytantopankki preview FILE`` — one practice's page as the site will show it (:mod:`.preview`)

Messages are in Finnish, Swedish or English (``--lang``, else the locale, else Finnish); ``check``
and ``build`` also write JSON (``--format json``). Exit codes: 0 ok, 1 problems in the content,
2 the index could not be written or another build holds it.
"""
from __future__ import annotations

import atexit
import gc
import sys
from collections.abc import Iterable
from pathlib import Path

import click
from tqdm import tqdm

from ..content.messages import E_
from ..indexing import BuildLocked, BuildResult, build
from ..text import VoikkoMissing
from .report import Reporter, format_option, lang_option

PROGRESS_FROM = 200  # files; below this a bar is only noise

content_option = click.option("--content", "content_dir", default="content", show_default=True,
                              type=click.Path(file_okay=False), help="Content directory (practices/ and vocabularies/).")
index_option = click.option("--index", "index_dir", default="index", show_default=True,
                            type=click.Path(file_okay=False),
                            help="Index root; the served version is switched atomically.")


def _progress(items: Iterable, total: int | None = None, desc: str = "indexing") -> Iterable:
    """A progress bar on stderr for a long build step (``total`` spares consuming a lazy iterable)."""
    if total is None:
        items = list(items)
        total = len(items)
    if total < PROGRESS_FROM:
        return items
    return tqdm(items, total=total, desc=desc, file=sys.stderr, mininterval=0.5)


def _one_shot() -> None:
    """In a process that builds once and ends: keep Python's cyclic garbage collector paused to the end
    and exempt what is left from the full collection Python makes at exit. A build pauses the
    collector (app/memory.py); running it again afterwards, and at exit, would visit every object the
    build left (its practices, its word analyses) to free nothing of use to a process that is ending."""
    gc.disable()
    atexit.register(gc.freeze)  # atexit runs before the interpreter's last collection


def run_build(report: Reporter, content_dir: str, index_dir: str, check_only: bool = False, wait: bool = True,
              full: bool = False, procs: int | None = None) -> BuildResult | None:
    """Build (or check) and report the problems; None when the index could not be written (reported)."""
    def waiting(holder: str) -> None:  # on standard error whatever the output format: a person waits
        click.echo(report.text(E_("waiting for another build (%(holder)s) to finish…"), holder=holder), err=True)

    try:
        result = build(content_dir, index_dir, check_only=check_only, wait=wait, on_wait=waiting,
                       progress=_progress, procs=procs, incremental=not full)
    except BuildLocked as exc:
        click.echo(report.text(E_("error: another build (%(holder)s) is running on %(root)s; try again when it "
                                  "has finished"), holder=exc.holder, root=exc.root), err=True)
        return None
    except VoikkoMissing as exc:  # its own message, in English: how to install a system package (app/text/voikko.py)
        click.echo(f"error: {exc}", err=True)
        return None
    except OSError as exc:  # the index root cannot be created or written (a file in its path, no space, …)
        report.say(E_("error: the index could not be written%(where)s: %(reason)s; the served index was not "
                      "changed"), err=True, where=f" ({exc.filename})" if exc.filename else "",
                   reason=exc.strerror or str(exc))
        return None
    report.problems([*result.problems, *result.warnings])
    return result


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Käytäntöpankki: validate practice files, build the search index, serve the site.

    Messages are in Finnish, Swedish or English: --lang, else the locale (LANG), else Finnish.
    """


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@content_option
@index_option
@lang_option
@format_option
def check(files: tuple[str, ...], content_dir: str, index_dir: str, lang: str | None, output_format: str) -> None:
    """Validate every practice file (nothing is built); with FILEs, report only their problems.

    Every problem is one line 'file:line: field: message [code]'; the exit code is 1 when there is one.
    """
    report = Reporter.make(lang, output_format)
    practices = (Path(content_dir) / "practices").resolve()
    wrong = False
    for name in files:
        if not Path(name).is_file():
            report.say(E_("error: no such file: %(path)s"), err=True, path=name)
            wrong = True
        elif practices not in Path(name).resolve().parents:
            report.say(E_("error: %(path)s is not in %(folder)s; check a draft kept elsewhere with "
                          "'kaytantopankki preview %(path)s'"), err=True, path=name, folder=practices)
            wrong = True
    if wrong:
        sys.exit(2)
    _one_shot()
    result = build(content_dir, index_dir, check_only=True, progress=_progress)  # the index root keeps a cache
    problems, warnings = result.problems, result.warnings
    if files:  # a problem's path is relative to the content directory's parent
        wanted = {Path(f).resolve() for f in files}
        problems = [p for p in problems if (Path(content_dir).parent / p.path).resolve() in wanted]
        warnings = [p for p in warnings if (Path(content_dir).parent / p.path).resolve() in wanted]
    report.problems(sorted([*problems, *warnings], key=lambda p: p.sort_key()))
    if problems:
        summary = report.text(E_("problems found: %(count)d; fix them and run the check again."), count=len(problems))
    elif files:
        summary = report.text(E_("ok: no problems in %(files)s"), files=", ".join(files))
    else:
        summary = report.text(E_("ok: %(practices)d practices in %(files)d files are valid"),
                              practices=result.practices, files=result.documents)
    if output_format == "text":
        click.echo(summary, err=bool(problems))
    report.emit_json(not problems, [*problems, *warnings], summary, practices=result.practices,
                     files=result.documents)
    sys.exit(1 if problems else 0)


@main.command("build")
@content_option
@index_option
@click.option("--check", "check_only", is_flag=True, hidden=True, help="Validate only (as 'check').")
@click.option("--no-wait", is_flag=True, help="Refuse instead of waiting when another build is running.")
@click.option("--full", is_flag=True, help="Rebuild every document instead of updating the served version.")
@click.option("--procs", type=click.IntRange(1, 64), default=None, help="Worker processes (default: one per core).")
@lang_option
@format_option
def build_command(content_dir: str, index_dir: str, check_only: bool, no_wait: bool, full: bool,
                  procs: int | None, lang: str | None, output_format: str) -> None:
    """Validate every practice file and, when all are valid, build the search index.

    A build with any problem changes nothing: the served index stays as it was.
    """
    report = Reporter.make(lang, output_format)
    _one_shot()
    result = run_build(report, content_dir, index_dir, check_only=check_only, wait=not no_wait, full=full,
                       procs=procs)
    if result is None:
        sys.exit(2)
    if not result.ok:
        summary = report.text(E_("problems found: %(count)d; the index was not changed."), count=len(result.problems))
    elif check_only:
        summary = report.text(E_("ok: %(practices)d practices in %(files)d files are valid"),
                              practices=result.practices, files=result.documents)
    else:
        summary = report.text(E_("ok: indexed %(practices)d practices (%(files)d language versions) as %(version)s "
                                 "in %(seconds).2f s (%(changed)d practices indexed, %(reused)d taken from the "
                                 "validation cache)"),
                              practices=result.practices, files=result.documents, version=result.version,
                              seconds=result.seconds, changed=result.changed, reused=result.reused)
    if output_format == "text":
        click.echo(summary, err=not result.ok)
    report.emit_json(result.ok, [*result.problems, *result.warnings], summary, practices=result.practices,
                     files=result.documents,
                     version=result.version or None)
    sys.exit(0 if result.ok else 1)


def build_script() -> None:
    """``python build.py [OPTIONS]``: ``kaytantopankki build`` under its old name (``--check`` validates only)."""
    main(["build", *sys.argv[1:]], prog_name="build.py")


from . import preview, serve  # noqa: E402,F401  (they add their commands to main)
