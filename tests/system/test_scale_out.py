"""Scale-out: several stateless app servers on one index root all switch to a new build by themselves."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.indexing import current_version
from conftest import ROOT, write_practice

GUNICORN = Path(sys.executable).with_name("gunicorn")
NEW_WORD = "skaalautuvuuskoe"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as resp:
        return json.loads(resp.read())


def _until(check, timeout: float = 30.0):  # noqa: ANN001, ANN202
    """Poll ``check`` until it returns a true value, at most ``timeout`` seconds; return the last value."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except (OSError, urllib.error.URLError, ValueError):
            value = None
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


@contextmanager
def _server(index: Path, content: Path):
    port = _free_port()
    env = {**os.environ, "FLASK_INDEX_DIR": str(index), "FLASK_CONTENT_DIR": str(content),
           "FLASK_SECRET_KEY": "test"}
    proc = subprocess.Popen([str(GUNICORN), "--workers", "1", "--bind", f"127.0.0.1:{port}", "app:create_app()"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _until(lambda: _get(port, "/healthz")["status"] == "ok", 60), "server did not start"
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed next to this Python")
def test_two_servers_switch_to_a_new_build(content_dir, tmp_path):
    index = tmp_path / "index"
    first = subprocess.run([sys.executable, "build.py", "--content", str(content_dir), "--index", str(index)],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    old = current_version(index)
    with _server(index, content_dir) as a, _server(index, content_dir) as b:
        for port in (a, b):
            assert _get(port, "/healthz")["version"] == old
            assert _get(port, f"/api/search?q={NEW_WORD}")["total"] == 0
        write_practice(content_dir, "skaalautuva", "fi",
                       {"title": "Skaalautuva käytäntö", "project": "Skaala", "regions": ["Kainuu"],
                        "themes": ["osallisuus"], "priority": "TL 5 et 10.1"},
                       f"Käytäntö, jonka {NEW_WORD} löytyy vasta uudesta indeksistä.")
        second = subprocess.run([sys.executable, "build.py", "--content", str(content_dir), "--index", str(index)],
                                cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert second.returncode == 0, second.stderr
        new = current_version(index)
        assert new != old
        for port in (a, b):
            assert _until(lambda: _get(port, "/healthz")["version"] == new), f"server on {port} kept {old}"
            found = _get(port, f"/api/search?q={NEW_WORD}")
            assert found["total"] == 1 and found["results"][0]["id"] == "skaalautuva"
            assert found["index_version"] == new
            assert _get(port, "/healthz")["practices"] == 8
