"""``kaytantopankki serve [--watch]``: build, then serve the site with gunicorn, on this machine.

When the content has problems the index is not rebuilt, and the site keeps serving the last good
index version: the problems are listed, and a framed notice says that the old version is served.
With ``--watch`` every saved change to the content directory (watchfiles) is validated and, when
valid, built; the running workers notice the new ``index/CURRENT`` at their next request. A
change to the vocabularies also restarts the workers (gunicorn's HUP), as they keep the labels.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import click

from ..content.messages import E_
from ..indexing import BuildResult, current_version
from ..indexing.layout import META
from . import content_option, index_option, main, run_build
from .report import Reporter, lang_option, loud

START_SECONDS = 60  # gunicorn's workers import the app and open the index before answering


@main.command()
@content_option
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="gunicorn worker processes.")
@click.option("--watch", is_flag=True, help="Rebuild on every saved change of the content and serve each good build.")
@lang_option
def serve(content_dir: str, index_dir: str, host: str, port: int, workers: int, watch: bool, lang: str | None) -> None:
    """Build the index from the content, then serve the site on http://HOST:PORT/ until stopped (Ctrl+C).

    When the content has problems, the last good index keeps being served, and the problems are shown.
    """
    report = Reporter.make(lang)
    content, index = Path(content_dir).resolve(), Path(index_dir).resolve()
    result = run_build(report, str(content), str(index))
    if current_version(index) is None:
        report.say(E_("There is no index to serve yet: fix the problems above, then run the command again."),
                   err=True)
        sys.exit(1)
    _announce(report, result, index)
    for stop in (signal.SIGTERM, signal.SIGINT):  # SIGINT too: a shell may start it with SIGINT ignored
        signal.signal(stop, _interrupt)
    server = _start(report, content, index, host, port, workers, access_log=not watch)
    try:
        if watch:
            _watch(report, content, index, server)
        else:
            server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        _stop(server)
    sys.exit(0 if server.returncode in (0, -signal.SIGTERM, -signal.SIGINT) else 2)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _version_line(index: Path) -> dict[str, str]:
    name = current_version(index) or "?"
    try:
        built = json.loads((index / name / META).read_text(encoding="utf-8")).get("built_at", "?")
    except (OSError, ValueError):
        built = "?"
    return {"version": name, "built": built}


def _announce(report: Reporter, result: BuildResult | None, index: Path) -> None:
    """After a build: an ok line, or the framed notice that the last good version is still served."""
    shown = _version_line(index)
    if result is not None and result.ok:
        report.say(E_("ok: %(practices)d practices (%(files)d language versions) built as %(version)s; the site "
                      "serves it"), practices=result.practices, files=result.documents, version=result.version)
        return
    if result is None:
        first = report.text(E_("The index could not be written (see above): nothing was rebuilt."))
    else:
        first = report.text(E_("Problems in the content: %(count)d, listed above. The index was NOT rebuilt."),
                            count=len(result.problems))
    click.echo(loud([first,
                     report.text(E_("The site still serves the last good index: version %(version)s, built "
                                    "%(built)s."), **shown),
                     report.text(E_("Fix the files and save them (make watch), or run the command again."))]),
               err=True)


def _start(report: Reporter, content: Path, index: Path, host: str, port: int, workers: int,
           access_log: bool) -> subprocess.Popen:
    """gunicorn serving ``app:create_app()`` on the index root; returns when it answers (exit 2 if it cannot)."""
    if not _free(host, port):
        report.say(E_("error: the server could not start on %(host)s:%(port)d (is the port in use? choose another "
                      "with --port, or PORT=… for make)"), err=True, host=host, port=port)
        sys.exit(2)
    env = {**os.environ, "FLASK_INDEX_DIR": str(index), "FLASK_CONTENT_DIR": str(content)}
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"{host}:{port}",
               *(["--access-logfile", "-"] if access_log else []), "app:create_app()"]
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with socket.create_connection((host, port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    if server.poll() is not None:
        report.say(E_("error: the server could not start on %(host)s:%(port)d (is the port in use? choose another "
                      "with --port, or PORT=… for make)"), err=True, host=host, port=port)
        sys.exit(2)
    report.say(E_("Serving http://%(host)s:%(port)d/ (index version %(version)s); stop with Ctrl+C."),
               host=host, port=port, version=current_version(index) or "?")
    return server


def _free(host: str, port: int) -> bool:
    """Whether ``host:port`` can be listened on (else a probe would find another server answering there)."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError:
        return False
    return True


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _watch(report: Reporter, content: Path, index: Path, server: subprocess.Popen) -> None:
    """Rebuild after every change below ``content`` until interrupted or the server stops."""
    import watchfiles

    stop = threading.Event()

    def server_exited() -> None:
        server.wait()
        stop.set()

    threading.Thread(target=server_exited, daemon=True).start()
    report.say(E_("Watching %(path)s: every saved change is checked and, when the content is valid, built and "
                  "served."), path=content)
    class ContentFiles(watchfiles.DefaultFilter):
        """Practice files and vocabularies; not the temporary files editors and tools save through."""

        def __call__(self, change: watchfiles.Change, path: str) -> bool:
            return path.endswith((".md", ".yaml", ".yml")) and super().__call__(change, path)

    for changes in watchfiles.watch(content, watch_filter=ContentFiles(), stop_event=stop, debounce=400, step=100):
        paths = sorted({Path(p) for _, p in changes})
        names = ", ".join(str(p.relative_to(content.parent)) if content.parent in p.parents else str(p)
                          for p in paths[:5]) + (" …" if len(paths) > 5 else "")
        report.say(E_("[%(time)s] changed: %(files)s; rebuilding"), time=time.strftime("%H:%M:%S"), files=names)
        result = run_build(report, str(content), str(index))
        _announce(report, result, index)
        if result is not None and result.ok and any((content / "vocabularies") in p.parents for p in paths):
            report.say(E_("The vocabularies changed: the server's workers restart to read them."))
            server.send_signal(signal.SIGHUP)
