"""Rebuilds under load: the production server keeps answering while build.py switches the index.

gunicorn (2 workers) serves tmp copies of the content and index on loopback; 4 threads send a
bounded stream of API requests while ``build.py`` rebuilds three times, each time adding a practice
with a word found nowhere else. No request may fail, and after each switch both workers serve the
new version (the unique word is found, and each worker logs the version it opened), with no restart.
"""
from __future__ import annotations

import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from app.indexing import build, current_version
from conftest import ROOT, make_content, write_practice

UNIQUE = ["zorblaxia", "quinterbol", "flimbertop"]  # one new word per rebuild
LOAD_SECONDS_CAP = 60
THREADS = 4
QUERIES = ["/api/search?q=nuoret", "/api/search?q=uravalmennus&region=Pohjois-Karjala", "/api/search?theme=kotoutuminen",
           "/api/search?q=%22suomen+kielen%22", "/api/search?sort=title&per_page=3&page=2", "/healthz",
           "/api/practice/nuorten-uravalmennus?lang=sv", "/api/search?q=maahanmuuttajille",
           *(f"/api/search?q={w}" for w in UNIQUE)]
SERVES = re.compile(r"process (\d+) now serves index version (v-\S+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with 2 workers on a free loopback port, its log in a file."""

    def __init__(self, content: Path, index: Path, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {**os.environ, "FLASK_INDEX_DIR": str(index), "FLASK_CONTENT_DIR": str(content)}
        with open(log, "w") as fh:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{self.port}",
                 "--graceful-timeout", "5", "app:create_app()"],
                cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                if requests.get(self.base + "/healthz", timeout=10).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):  # a loaded machine answers slowly at first
                pass
            time.sleep(0.2)
        raise AssertionError("gunicorn did not start:\n" + self.log.read_text()[-3000:])

    def serving(self) -> dict[str, set[int]]:
        """Index version → pids of the worker processes that logged opening it."""
        out: dict[str, set[int]] = {}
        for pid, version in SERVES.findall(self.log.read_text()):
            out.setdefault(version, set()).add(int(pid))
        return out

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Load:
    """Several threads sending API requests until stopped (or the cap); every failure is kept."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.stop = threading.Event()
        self.results: Counter = Counter()
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(THREADS)]
        self.started = time.monotonic()
        for t in self.threads:
            t.start()

    def _run(self, seed: int) -> None:
        rnd = random.Random(seed)
        while not self.stop.is_set() and time.monotonic() - self.started < LOAD_SECONDS_CAP:
            path = rnd.choice(QUERIES)
            try:
                resp = requests.get(self.base + path, timeout=15)
                resp.json()
                ok = resp.status_code == 200
                problem = f"{resp.status_code} {path}: {resp.text[:200]}"
            except (requests.RequestException, ValueError) as exc:
                ok, problem = False, f"{type(exc).__name__} {path}: {exc}"
            with self.lock:
                self.results["ok" if ok else "failed"] += 1
                if not ok:
                    self.failures.append(problem)

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)


def wait_until_served(server: Server, word: str, version: str, seconds: float = 30) -> int:
    """Query ``word`` until 20 consecutive answers find it in ``version`` and both workers logged it."""
    deadline = time.monotonic() + seconds
    streak = tries = 0
    while time.monotonic() < deadline:
        data = requests.get(f"{server.base}/api/search?q={word}", timeout=15).json()
        tries += 1
        found = data["total"] == 1 and data["index_version"] == version and data["results"][0]["id"] == f"uusi-{word}"
        streak = streak + 1 if found else 0
        if streak >= 20 and len(server.serving().get(version, set())) == 2:
            return tries
        time.sleep(0.01)
    raise AssertionError(f"{version} not served by both workers within {seconds} s "
                         f"(streak {streak}, logged by {server.serving().get(version)})")


@pytest.fixture()
def server(tmp_path):
    content = make_content(tmp_path / "content")
    first = build(content, tmp_path / "index")
    assert first.ok
    srv = Server(content, tmp_path / "index", tmp_path / "gunicorn.log")
    srv.content, srv.index, srv.first = content, tmp_path / "index", first.version
    yield srv
    srv.stop()


def test_rebuilds_under_load_lose_no_request_and_serve_the_new_content(server):
    master = server.proc.pid
    load = Load(server.base)
    versions = [server.first]
    try:
        for i, word in enumerate(UNIQUE):
            write_practice(server.content, f"uusi-{word}", "fi", {
                "title": f"Uusi käytäntö {i}", "project": "Kuormitus", "regions": ["Kainuu"],
                "themes": ["osallisuus"], "priority": "TL 5 et 10.1"}, f"Tässä käytännössä on sana {word}.")
            proc = subprocess.run([sys.executable, "build.py", "--content", str(server.content),
                                   "--index", str(server.index)], cwd=ROOT, capture_output=True, text=True, timeout=120)
            assert proc.returncode == 0, proc.stderr
            version = current_version(server.index)
            assert version not in versions
            versions.append(version)
            wait_until_served(server, word, version)
    finally:
        load.finish()
    assert load.failures == [], load.failures[:10]
    assert load.results["ok"] >= 100  # the stream really ran during the rebuilds
    # Every earlier word is still found (nothing lost), the total is right, and nobody restarted.
    data = requests.get(f"{server.base}/api/search?q={' OR '.join(UNIQUE)}&per_page=10", timeout=15).json()
    assert data["total"] == 3
    assert requests.get(server.base + "/healthz", timeout=15).json()["practices"] == 7 + 3
    assert server.proc.poll() is None and server.proc.pid == master
    serving = server.serving()
    workers = set().union(*serving.values())
    assert len(workers) == 2, serving  # the same two workers throughout: no worker was restarted
    assert all(serving.get(v) == workers for v in versions[1:]), serving
    print(f"\n{load.results['ok']} requests during 3 rebuilds, 0 failed; versions {versions}")
