"""The README's commands work as written (CI runs `make test`; this runs the others)."""
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_readme_gives_the_two_commands():
    assert re.search(r"^\s+make run\b", README, re.M) and re.search(r"^\s+make test\b", README, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.skipif(not (ROOT / ".venv" / ".installed").exists(), reason="needs the virtualenv that `make test` creates")
def test_make_run_builds_and_serves_the_bundled_content():
    port = free_port()
    proc = subprocess.Popen(["make", "run", f"PORT={port}"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        body = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/?q=nuorille", timeout=5) as resp:
                    body = resp.read().decode("utf-8")
                    break
            except OSError:
                time.sleep(0.5)
        assert body is not None, proc.stdout.read().decode() if proc.poll() is not None else "server did not answer"
        assert "Uravalmennus Ohjaamossa" in body or "uravalmennus-ohjaamossa" in body
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.mark.skipif(not (ROOT / ".venv" / ".installed").exists(), reason="needs the virtualenv that `make test` creates")
def test_make_check_validates_the_bundled_content():
    proc = subprocess.run(["make", "check"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"ok: \d+ practices in \d+ files are valid", proc.stdout)
