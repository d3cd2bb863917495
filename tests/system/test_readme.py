"""The README's commands work exactly as written, in a temporary copy of the repository.

Every command of the README (its command blocks, and commands quoted in its text) is run here,
except `make test`, which CI runs (.ci/run, in a clean clone, from a fresh virtualenv). The copy
never touches the working index/, content/ or .venv: it gets its own content and index, and its
`.venv` is a link to the virtualenv that `make test` made (creating one per run would take
minutes); its pyproject.toml is dated before that virtualenv, so `make install` finds it installed,
as it would in a repository that was set up once.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
VENV = ROOT / ".venv"
NEEDS_VENV = pytest.mark.skipif(not (VENV / ".installed").exists() or not (VENV / "bin" / "kaytantopankki").exists(),
                                reason="needs the virtualenv that `make test` creates")
NEW = "content/practices/uusi-kaytanto.fi.md"
BROKEN = """---
title: Uusi käytäntö
project: Testihanke
regions: [Pohjois Karjala]
themes: [kohti työtä]
priority: TL 3 et 9.1
---
Käytännön vaiheet:
- alkuhaastattelu
- ryhmävalmennus
"""
FIXED = BROKEN.replace("Pohjois Karjala", "Pohjois-Karjala").replace("TL 3 et 9.1", "TL 4 et 9.1")

# What the tests below run, exactly as the README writes it.
RUN_HERE = {"make run", "make install", ". .venv/bin/activate", "kaytantopankki check", f"kaytantopankki check {NEW}",
            f"kaytantopankki preview {NEW}", "make watch", "kaytantopankki build", "make build", "kaytantopankki --help",
            "python build.py", "python build.py --check", "python -m app.content.schema_export"}
RUN_BY_CI = {"make test"}
# Not passed on to the commands: they run as in a new terminal, with no locale (so in Finnish).
IGNORED = {"VIRTUAL_ENV", "LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "VENV", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}


# The Deployment section's commands set up a Debian server as root (a system user, /etc, systemd,
# the system nginx): this sandbox has no systemd and no server of its own to change. What they
# install is exercised instead: tests/system/test_deployment.py renders the same templates with
# deploy/render.py and the same values file, runs nginx and the gunicorn instances as the unit's
# ExecStart does, checks the unit with systemd-analyze where available, and runs deploy/push-index.
DEPLOYMENT_SECTION = "## Deployment"


def _sections() -> tuple[str, str]:
    before, _, after = README.partition(DEPLOYMENT_SECTION)
    rest = re.split(r"^## ", after, maxsplit=1, flags=re.M)
    return before + ("## " + rest[1] if len(rest) > 1 else ""), rest[0]


def readme_commands(text: str | None = None) -> set[str]:
    """The README's commands outside the Deployment section (or of ``text``): lines of its indented
    command blocks, and quoted commands in its text (those with a placeholder such as FILE or […]
    describe a syntax and are left out)."""
    text = re.sub(r"```.*?```", "", _sections()[0] if text is None else text, flags=re.S)
    found = {line.split("#")[0].strip() for line in text.splitlines() if re.match(r" {4}\S", line)}
    found |= {span for span in re.findall(r"`([^`]+)`", text) if re.match(r"(make|kaytantopankki|python|\.) ", span)}
    return {c for c in found if c and not re.search(r"\[|…|FILE|\|", c)}


def test_readme_gives_the_two_commands_and_every_command_is_run():
    assert re.search(r"^\s+make run\b", README, re.M) and re.search(r"^\s+make test\b", README, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert readme_commands() - RUN_BY_CI == RUN_HERE


def test_the_deployment_sections_templates_are_the_ones_the_deployment_test_runs():
    deployment = _sections()[1]
    assert deployment.strip(), "the README has a Deployment section"
    import test_deployment

    rendered = set(re.findall(r"deploy/render\.py (deploy/\S+)", deployment))
    assert rendered == {str(t.relative_to(ROOT)) for t in test_deployment.TEMPLATES}
    assert "deploy/push-index" in deployment and test_deployment.test_push_index_copies_a_new_index_to_servers_which_switch_at_their_next_request


def test_make_run_installs_only_what_serving_needs(tmp_path):
    fresh = {**{k: v for k, v in os.environ.items() if not k.startswith("MAKE")}, "VENV": str(tmp_path / "venv")}
    plan = ["make", "--dry-run", "--always-make"]  # every step, as on a fresh clone
    run = subprocess.run([*plan, "run"], cwd=ROOT, capture_output=True, text=True, env=fresh, check=True).stdout
    test = subprocess.run([*plan, "test"], cwd=ROOT, capture_output=True, text=True, env=fresh, check=True).stdout
    assert "pip install --quiet -e ." in run and "--group test" not in run and "npm" not in run
    assert "--group test" in test and "npm ci" in test


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The repository's files (tracked, and new ones not ignored) in a temporary folder, `.venv` linked."""
    target = tmp_path_factory.mktemp("readme") / "kaytantopankki"
    names = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, names):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(VENV)
    installed = (VENV / ".installed").stat().st_mtime
    os.utime(target / "pyproject.toml", (installed - 60, installed - 60))
    return target


def shell(copy: Path, *commands: str, timeout: float = 300, path: str | None = None) -> subprocess.CompletedProcess:
    """The commands, as typed in one terminal in the copy (LANG unset: the messages are Finnish)."""
    env = {k: v for k, v in os.environ.items() if k not in IGNORED}
    if path:
        env["PATH"] = path
    return subprocess.run(["bash", "-c", "set -e\n" + "\n".join(commands)], cwd=copy, capture_output=True, text=True,
                          timeout=timeout, env=env)


class Server:
    """A long-running command of the README (make run, make watch) in its own process group."""

    def __init__(self, copy: Path, command: str, port: int, path: str | None = None):
        env = {k: v for k, v in os.environ.items() if k not in IGNORED}
        env.update(PORT=str(port), **({"PATH": path} if path else {}))
        self.port = port
        self.log = copy / f"{command.replace(' ', '-')}-{port}.log"
        self.proc = subprocess.Popen(["bash", "-c", command], cwd=copy, env=env, stdout=self.log.open("w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def get(self, query: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/?{urllib.parse.urlencode({'q': query})}"
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as resp:
                    return resp.read().decode("utf-8")
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"no answer from {url}:\n{self.output()}")

    def wait_for(self, text: str, since: int = 0, timeout: float = 60) -> None:
        """Wait until ``text`` is printed (after the first ``since`` characters of the output)."""
        deadline = time.monotonic() + timeout
        while text not in self.output()[since:]:
            assert time.monotonic() < deadline and self.proc.poll() is None, f"no {text!r} in:\n{self.output()}"
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=60)


@pytest.fixture()
def server() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for s in started:
        s.stop()


@NEEDS_VENV
def test_make_run_serves_without_node_and_keeps_the_last_good_index(copy, server, tmp_path):
    tools = tmp_path / "bin"  # make and Python only: no npm, no node
    tools.mkdir()
    for tool in ("make", "python3", "bash", "env"):
        (tools / tool).symlink_to(shutil.which(tool))
    first = Server(copy, "make run", free_port(), path=str(tools))
    server.append(first)
    assert "Uravalmennus Ohjaamossa" in first.get("nuorille")
    first.stop()
    (copy / NEW).write_text(BROKEN, encoding="utf-8")  # a broken file: the site serves the last good index
    again = Server(copy, "make run", free_port(), path=str(tools))
    server.append(again)
    assert "Uravalmennus Ohjaamossa" in again.get("nuorille")
    out = again.output()
    assert f"{NEW}:4: regions: 'Pohjois Karjala' ei ole tunnettu maakunta" in out
    assert "Hakemistoa EI rakennettu uudelleen" in out and "Sivusto näyttää yhä viimeisintä ehjää hakemistoa" in out
    (copy / NEW).unlink()


@NEEDS_VENV
def test_an_editors_first_commands(copy):
    setup = ("make install", ". .venv/bin/activate")
    proc = shell(copy, *setup, "kaytantopankki --help", "kaytantopankki check")
    assert proc.returncode == 0, proc.stderr
    # make install compiled the app's bytecode (a server that may not write it would compile at each start):
    # the schema exporter is only ever run as a script, which Python itself compiles without writing
    assert list((copy / "app" / "content" / "__pycache__").glob("schema_export.*.pyc"))
    assert "Commands:" in proc.stdout and re.search(r"ok: \d+ käytäntöä \d+ tiedostossa on kunnossa", proc.stdout)
    assert "messages translated" not in proc.stdout + proc.stderr and "Warning" not in proc.stderr

    (copy / NEW).write_text(BROKEN, encoding="utf-8")
    proc = shell(copy, *setup, "kaytantopankki check")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        f"{NEW}:4: regions: 'Pohjois Karjala' ei ole tunnettu maakunta (tarkoititko 'Pohjois-Karjala'?) [KP208]",
        f"{NEW}:6: priority: erityistavoite 9.1 ei kuulu toimintalinjaan TL 3 kaudella 2014–2020: 9.1 kuuluu "
        "toimintalinjaan TL 4, joten kirjoita 'priority: TL 4 et 9.1' [KP305]",
        "ongelmia: 2; korjaa ne ja tarkista uudelleen."]
    assert shell(copy, *setup, f"kaytantopankki check {NEW}").returncode == 1

    (copy / NEW).write_text(FIXED, encoding="utf-8")
    proc = shell(copy, *setup, f"kaytantopankki check {NEW}", "kaytantopankki check")
    assert proc.returncode == 0, proc.stderr
    assert f"ok: ei ongelmia: {NEW}" in proc.stdout

    proc = shell(copy, *setup, f"kaytantopankki preview {NEW}")
    assert proc.returncode == 0, proc.stderr
    page = Path(re.search(r"tiedostoon (\S+);", proc.stdout).group(1)).read_text(encoding="utf-8")
    assert "<h1>Uusi käytäntö</h1>" in page and "<li>alkuhaastattelu</li>" in page and "<style>" in page

    proc = shell(copy, *setup, "kaytantopankki build", "make build", "python build.py --check", "python build.py",
                 "python -m app.content.schema_export")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("indeksoitu versioksi") == 3 and (copy / "index" / "CURRENT").exists()
    assert not (ROOT / NEW).exists()


@NEEDS_VENV
def test_make_watch_serves_each_good_build_and_says_when_it_does_not(copy, server):
    (copy / NEW).unlink(missing_ok=True)
    watch = Server(copy, "make watch", free_port())
    server.append(watch)
    watch.wait_for("Seurataan hakemistoa")
    assert "Uusi käytäntö" not in watch.get("alkuhaastattelu")
    mark = len(watch.output())
    (copy / NEW).write_text(FIXED, encoding="utf-8")
    watch.wait_for("rakennettu versioksi", since=mark)
    assert "Uusi käytäntö" in watch.get("alkuhaastattelu")
    mark = len(watch.output())
    (copy / NEW).write_text(BROKEN.replace("Uusi käytäntö", "Rikottu käytäntö"), encoding="utf-8")
    watch.wait_for("Hakemistoa EI rakennettu uudelleen", since=mark)
    assert f"{NEW}:6: priority: erityistavoite 9.1 ei kuulu toimintalinjaan TL 3" in watch.output()
    assert "Uusi käytäntö" in watch.get("alkuhaastattelu")  # the last good build is still served
    (copy / NEW).unlink()
