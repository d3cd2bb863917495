"""The build never harms the served index: failed, killed and concurrent builds."""
import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.indexing import BuildLocked, build, current_version
from app.indexing.lock import BuildLock
from app.search import SearchRequest, SearchService
from conftest import ROOT, make_content, write_practice

BIG = 2500


def search_total(index_root: Path, content: Path, q: str = "") -> int:
    return SearchService(index_root, content / "vocabularies").search(SearchRequest(q=q)).total


def test_build_writes_a_version_and_switches(content_dir, tmp_path):
    root = tmp_path / "index"
    result = build(content_dir, root)
    assert result.ok and result.practices == 7 and result.documents == 9
    assert current_version(root) == result.version
    assert (root / result.version / "meta.json").exists()
    assert not list(root.glob(".tmp-*"))


def test_failed_build_keeps_the_old_index(content_dir, tmp_path):
    root = tmp_path / "index"
    first = build(content_dir, root)
    write_practice(content_dir, "broken", "fi", {"title": "x", "project": "y", "regions": ["Nowhere"],
                                                  "themes": ["osallisuus"], "priority": "TL 3 et 6.1"}, "body")
    second = build(content_dir, root)
    assert not second.ok and any("Nowhere" in str(p) for p in second.problems)
    assert current_version(root) == first.version
    assert search_total(root, content_dir) == 7


def test_a_build_gives_back_the_garbage_collector_it_paused(content_dir, tmp_path):
    """A build pauses Python's cyclic collector (app/memory.py); a process that builds in-process
    (the preview server, a test run) has it running again afterwards, after a failed build too."""
    root = tmp_path / "index"
    assert gc.isenabled()
    assert build(content_dir, root).ok and gc.isenabled()
    write_practice(content_dir, "broken", "fi", {"title": "x", "project": "y", "regions": ["Nowhere"],
                                                  "themes": ["osallisuus"], "priority": "TL 3 et 6.1"}, "body")
    assert not build(content_dir, root).ok and gc.isenabled()


def test_check_only_does_not_build(content_dir, tmp_path):
    result = build(content_dir, tmp_path / "index", check_only=True)
    assert result.ok and not (tmp_path / "index").exists()


def test_service_notices_a_new_version_without_restart(content_dir, tmp_path):
    root = tmp_path / "index"
    build(content_dir, root)
    svc = SearchService(root, content_dir / "vocabularies")
    assert svc.search(SearchRequest(q="vastasyntynyt")).total == 0
    write_practice(content_dir, "uusi", "fi", {"title": "Vastasyntynyt käytäntö", "project": "Uusi",
                                              "regions": ["Kainuu"], "themes": ["osallisuus"],
                                              "priority": "TL 5 et 10.1"}, "Uusi kuvaus.")
    build(content_dir, root)
    resp = svc.search(SearchRequest(q="vastasyntynyt"))
    assert resp.total == 1 and resp.version == current_version(root)
    assert svc.search(SearchRequest()).total == 8  # no stale or duplicate documents


def test_old_versions_are_pruned(content_dir, tmp_path):
    root = tmp_path / "index"
    for _ in range(5):
        build(content_dir, root)
    assert len(list(root.glob("v-*"))) == 3


def test_second_build_refuses_clearly_when_asked_not_to_wait(content_dir, tmp_path):
    root = tmp_path / "index"
    root.mkdir()
    with BuildLock(root, wait=False, on_wait=None):
        with pytest.raises(BuildLocked, match="another build"):
            build(content_dir, root, wait=False)


@pytest.mark.parametrize("lang, said", [("en", "error: another build (pid {pid}) is running on {root}"),
                                        ("fi", "virhe: hakemiston toinen rakentaminen (pid {pid}) on käynnissä "
                                               "hakemistossa {root}"),
                                        ("sv", "fel: ett annat bygge av indexet (pid {pid}) pågår i {root}")])
def test_cli_reports_lock_in_the_editors_language(content_dir, tmp_path, lang, said):
    root = tmp_path / "index"
    root.mkdir()
    with BuildLock(root, wait=False, on_wait=None):
        proc = subprocess.run([sys.executable, "build.py", "--content", str(content_dir), "--index", str(root),
                               "--no-wait", "--lang", lang], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and said.format(pid=os.getpid(), root=root) in proc.stderr, proc.stderr


@pytest.fixture(scope="module")
def big_content(tmp_path_factory):
    root = make_content(tmp_path_factory.mktemp("big") / "content", practices={})
    words = "nuoret työllisyys ohjaus valmennus maahanmuuttajat verkosto osallisuus koulutus".split()
    for i in range(BIG):
        body = " ".join(words[(i + k) % len(words)] for k in range(60))
        write_practice(root, f"p{i}", "fi", {"title": f"Käytäntö {i}", "project": f"Hanke {i % 40}",
                                            "regions": ["Kainuu"], "themes": ["osallisuus"],
                                            "priority": "TL 5 et 10.1"}, body)
    return root


@pytest.mark.parametrize("kill_after", [0.0, 0.3, 1.0, 2.0])
def test_killed_build_leaves_the_old_index_serving(big_content, content_dir, tmp_path, kill_after):
    root = tmp_path / "index"
    old = build(content_dir, root)
    proc = subprocess.Popen([sys.executable, "build.py", "--content", str(big_content), "--index", str(root)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(root.glob(".tmp-*")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(kill_after)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    if proc.returncode == -signal.SIGKILL:
        # Killed before it switched, the build left the old version serving; killed after (while it
        # cleaned up or exited: it may be done within the second), its new version, complete.
        served = current_version(root)
        assert search_total(root, content_dir) == (7 if served == old.version else BIG)
    # Whatever point it died at, the next build cleans up and succeeds.
    new = build(content_dir, root)
    assert new.ok and current_version(root) == new.version
    assert not list(root.glob(".tmp-*"))
    assert search_total(root, content_dir) == 7


# --- two builds at once (a build is frozen with SIGSTOP while it holds the lock, so they surely meet) ---

def _start_build(content: Path, root: Path, err: Path, *extra: str) -> subprocess.Popen:
    with open(err, "w") as fh:
        return subprocess.Popen([sys.executable, "build.py", "--content", str(content), "--index", str(root), *extra],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=fh, text=True)


def _lock_is_held(root: Path) -> bool:
    import fcntl
    with open(root / ".build.lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False


def _frozen_inside_the_lock(content: Path, root: Path, err: Path) -> subprocess.Popen:
    """A build process stopped (SIGSTOP) while it holds the build lock."""
    for _ in range(5):
        proc = _start_build(content, root, err)
        deadline = time.monotonic() + 120
        while not list(root.glob(".tmp-*")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGSTOP)
            if _lock_is_held(root):
                return proc
            os.kill(proc.pid, signal.SIGCONT)
        proc.communicate(timeout=120)
    pytest.fail("could not catch a build while it held the lock")


def _wait_for_text(path: Path, text: str, proc: subprocess.Popen, seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    while text not in path.read_text() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return path.read_text()


def _assert_complete_and_searchable(root: Path, content: Path, expected: int) -> None:
    served = current_version(root)
    assert served and (root / served / "meta.json").is_file()
    assert not list(root.glob(".tmp-*"))
    assert search_total(root, content) == expected
    assert search_total(root, content, "nuoret") >= 1


@pytest.fixture()
def crowded_content(content_dir) -> Path:
    """The tiny content and 300 more practices, so that a build holds the lock for a moment."""
    for i in range(300):
        write_practice(content_dir, f"lisa-{i}", "fi", {"title": f"Lisäkäytäntö {i}", "project": "Lisä",
                                                      "regions": ["Kainuu"], "themes": ["osallisuus"],
                                                      "priority": "TL 5 et 10.1"}, f"Kuvaus numero {i} ohjauksesta.")
    return content_dir


@pytest.mark.parametrize("no_wait", [False, True], ids=["second-waits", "second-refuses"])
def test_two_builds_at_once_never_corrupt_the_index(crowded_content, tiny_content, tmp_path, no_wait):
    root = tmp_path / "index"
    old = build(tiny_content, root)
    first = _frozen_inside_the_lock(crowded_content, root, tmp_path / "first.err")
    second = None
    try:
        second = _start_build(crowded_content, root, tmp_path / "second.err", "--lang", "en",
                              *(["--no-wait"] if no_wait else []))
        if no_wait:
            second.wait(timeout=120)
            message = (tmp_path / "second.err").read_text()
            assert second.returncode == 2
            assert f"error: another build (pid {first.pid}) is running on {root}; try again when it has finished" \
                in message
        else:
            message = _wait_for_text(tmp_path / "second.err", "waiting for another build", second)
            assert second.poll() is None and f"waiting for another build (pid {first.pid}) to finish" in message
        # While the first build is frozen in the middle of writing, the old index is served.
        assert current_version(root) == old.version and search_total(root, tiny_content) == 7
    finally:
        os.kill(first.pid, signal.SIGCONT)
    first_out, _ = first.communicate(timeout=180)
    assert first.returncode == 0, (tmp_path / "first.err").read_text()
    if not no_wait:
        second_out, _ = second.communicate(timeout=180)
        assert second.returncode == 0, (tmp_path / "second.err").read_text()
        # The one that waited built after the first, so its version is the one served.
        assert current_version(root) in second_out and current_version(root) not in first_out
    else:
        assert current_version(root) in first_out
    _assert_complete_and_searchable(root, crowded_content, 307)
