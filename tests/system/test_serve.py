"""``kaytantopankki serve``: real gunicorn processes, what the editor is told, and what happens when it cannot serve."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request

from conftest import CLI, ROOT, write_practice


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_invalid_content_and_no_index_is_said_and_nothing_is_served(content_dir, tmp_path):
    write_practice(content_dir, "x", "fi", {"title": "X", "project": "P"}, "Body.")
    proc = subprocess.run([*CLI, "serve", "--lang", "en", "--content", str(content_dir), "--index",
                           str(tmp_path / "index"), "--port", str(free_port())], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "x.fi.md:1: regions: missing" in proc.stderr
    assert "There is no index to serve yet: fix the problems above" in proc.stderr


def test_a_port_in_use_is_a_clear_error(content_dir, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run([*CLI, "serve", "--lang", "en", "--content", str(content_dir), "--index",
                               str(tmp_path / "index"), "--port", str(port)], cwd=ROOT, capture_output=True,
                              text=True, timeout=180)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"error: the server could not start on 127.0.0.1:{port} (is the port in use?" in proc.stderr


def test_serve_in_swedish_keeps_the_last_good_index_and_stops_on_ctrl_c_or_sigterm(content_dir, tmp_path):
    index = tmp_path / "index"
    port = free_port()
    command = [*CLI, "serve", "--content", str(content_dir), "--index", str(index), "--port", str(port)]
    env = {**{k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")},
           "LANG": "sv_FI.UTF-8"}
    # Started as a shell starts a background job (SIGINT ignored), stopped by Ctrl+C's SIGINT to it alone.
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        _answer(port)
    finally:
        first.send_signal(signal.SIGINT)
        out = first.communicate(timeout=60)[0]
    assert first.returncode == 0 and "Webbplatsen finns på http://127.0.0.1:" in out
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))  # gunicorn is gone too: nothing listens there
    write_practice(content_dir, "x", "fi", {"title": "X", "project": "P", "regions": ["Kainuu"],
                                           "themes": ["osallisuus"], "priority": "TL 5 et 9.1"}, "Body.")
    second = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert "Uravalmennus nuorille" in _answer(port)
    finally:
        second.send_signal(signal.SIGTERM)
        out = second.communicate(timeout=60)[0]
    assert "x.fi.md:8: priority: specifikt mål 9.1 hör inte till TL 5 under 2014–2020: 9.1 hör till TL 4" in out
    assert "Indexet byggdes INTE om" in out and "Webbplatsen visar fortfarande det senaste felfria indexet" in out


def _answer(port: int, path: str = "/?q=nuorille") -> str:
    deadline = time.monotonic() + 60
    url = f"http://127.0.0.1:{port}" + urllib.parse.quote(path, safe="/?=&")
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return resp.read().decode("utf-8")
        except OSError:
            assert time.monotonic() < deadline, "the server did not answer"
            time.sleep(0.3)


def test_watch_serves_each_good_build_and_new_vocabulary_labels(content_dir, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    log = tmp_path / "watch.log"
    proc = subprocess.Popen([*CLI, "serve", "--watch", "--lang", "en", "--content", str(content_dir), "--index",
                             str(tmp_path / "index"), "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        _wait(log, "Watching")
        assert "North Karelia" in _answer(port, "/?ui=en")
        write_practice(content_dir, "uusi", "fi", {"title": "Kierrätyskeskuksen polku", "project": "P",
                                                   "regions": ["Kainuu"], "themes": ["osallisuus"],
                                                   "priority": "TL 5 et 10.1"}, "Kierrätyskeskus.")
        _wait(log, "ok: 8 practices (10 language versions) built")
        assert "Kierrätyskeskuksen polku" in _answer(port, "/?q=kierrätyskeskus")
        regions = content_dir / "vocabularies" / "regions.yaml"
        regions.write_text(regions.read_text(encoding="utf-8").replace("en: North Karelia", "en: North Carelia"),
                           encoding="utf-8")
        _wait(log, "The vocabularies changed: the server's workers restart to read them.")
        deadline = time.monotonic() + 60
        while "North Carelia" not in _answer(port, "/?ui=en"):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode == 0 and "Traceback" not in log.read_text()


def _wait(log, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
