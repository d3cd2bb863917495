"""Bad content never lands: broken, odd or hostile files get a clear message (or are handled) and
never crash the build, neither through ``build()`` nor through the command line."""
from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from app.indexing import build, current_version
from app.search import SearchRequest, SearchService
from conftest import CLI, GOOD_PRACTICE, ROOT, make_content

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
# "Billion laughs": nine levels of aliases, a value that would print as ~400 MB.
LAUGHS = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))

Setup = Callable[[Path], None]


def put(name: str, data: bytes | str) -> Setup:
    def setup(practices: Path) -> None:
        path = practices / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return setup


def link(name: str, target: Callable[[Path], Path | str]) -> Setup:
    def setup(practices: Path) -> None:
        (practices / name).symlink_to(target(practices))
    return setup


# (id, how to make the file, expected message or None when the file is handled and the build succeeds)
BAD = [
    ("latin-1", put("x.fi.md", GOOD_PRACTICE.replace("Kuvaus", "Kuvaus ä").encode("latin-1")),
     "x.fi.md:2: not UTF-8 text (byte 14); save the file as UTF-8"),
    ("utf-16", put("x.fi.md", GOOD_PRACTICE.encode("utf-16")), "x.fi.md:1: not UTF-8 text (byte 0)"),
    ("png-bytes", put("x.fi.md", PNG), "x.fi.md:1: not UTF-8 text (byte 0); save the file as UTF-8"),
    ("huge", put("x.fi.md", GOOD_PRACTICE + "sana " * 220_000), "x.fi.md:1: file is larger than 1000 kB"),
    ("front-matter-list", put("x.fi.md", "---\n- title\n- project\n---\nKuvaus.\n"),
     "x.fi.md:2: the front matter must be 'field: value' lines, but it is a list"),
    ("front-matter-text", put("x.fi.md", "---\njust some words\n---\nKuvaus.\n"),
     "x.fi.md:2: the front matter must be 'field: value' lines, but it is the single value 'just some words'"),
    ("empty", put("x.fi.md", b""), "x.fi.md:1: the file is empty"),
    ("only-dashes", put("x.fi.md", "---"), "x.fi.md:1: the front matter is not closed"),
    ("only-dashes-newline", put("x.fi.md", "---\n"), "x.fi.md:1: the front matter is not closed"),
    ("empty-front-matter", put("x.fi.md", "---\n---\n"), "x.fi.md:1: title: missing"),
    ("bom-unclosed", put("x.fi.md", "\ufeff---\ntitle: x\n"), "the front matter is not closed"),
    ("nul-in-yaml", put("x.fi.md", GOOD_PRACTICE.replace("Hanke", "Han\x00ke")),
     "x.fi.md:1: YAML syntax error: unacceptable character #x0000"),
    ("python-tag", put("x.fi.md", GOOD_PRACTICE.replace("Hanke", "!!python/object/apply:os.system ['touch /tmp/pwned']")),
     "x.fi.md:3: YAML syntax error: could not determine a constructor"),
    ("lone-surrogate-escape", put("x.fi.md", GOOD_PRACTICE.replace("Hyvä käytäntö", '"Hyvä \\ud800 käytäntö"')),
     "x.fi.md:2: the front matter contains an escape of half a character"),
    ("surrogate-in-list", put("x.fi.md", GOOD_PRACTICE.replace("Etelä-Savo]", 'Etelä-Savo]\norganisations: ["\\udfff"]')),
     "the front matter contains an escape of half a character"),
    ("nested-10000", put("x.fi.md", "---\ntitle: " + "[" * 10_000 + "]" * 10_000 + "\n---\nKuvaus.\n"),
     "the front matter is nested too deeply"),
    ("billion-laughs", put("x.fi.md", GOOD_PRACTICE.replace("regions: [Etelä-Savo]", LAUGHS + "regions: *a8")),
     "regions: '[[[...], [...], [...], [...], ...], [[...], [...], [...], [...], ...], [[...], [...], [...], [...], ...], "
     "[[...], [...], [...], [...], ...], ...]' is not text"),
    ("symlink-out", link("x.fi.md", lambda p: ROOT / "README.md"),
     "x.fi.md:1: symbolic link to a file outside the content directory"),
    ("symlink-to-dev-zero", link("x.fi.md", lambda p: "/dev/zero"), "symbolic link to a file outside"),
    ("symlink-broken", link("x.fi.md", lambda p: p / "missing.fi.md"),
     "x.fi.md:1: cannot read the file (a symbolic link to"),
    ("symlink-loop", link("x.fi.md", lambda p: p / "x.fi.md"),
     "x.fi.md:1: cannot read the file (too many levels of symbolic links)"),
    # handled: the build succeeds and the practice is there
    ("bom", put("x.fi.md", "\ufeff" + GOOD_PRACTICE), None),
    ("crlf", put("x.fi.md", GOOD_PRACTICE.replace("\n", "\r\n")), None),
    ("cr-only", put("x.fi.md", GOOD_PRACTICE.replace("\n", "\r")), None),
    ("bom-crlf", put("x.fi.md", ("\ufeff" + GOOD_PRACTICE).replace("\n", "\r\n")), None),
    ("nul-in-body", put("x.fi.md", GOOD_PRACTICE.replace("Kuvaus", "Kuv\x00aus")), None),
    ("rtl-marks", put("x.fi.md", GOOD_PRACTICE.replace("Hanke", "Hanke \u202e\u200f")), None),
    ("directory-named-like-a-file", lambda p: (p / "y.fi.md").mkdir(), None),
    ("symlink-to-a-directory", lambda p: ((p / "sub").mkdir(), (p / "z.fi.md").symlink_to(p / "sub")), None),
]


def content_with(tmp_path: Path, setup: Setup) -> Path:
    root = make_content(tmp_path / "content", practices={})
    (root / "practices" / "ok.fi.md").write_text(GOOD_PRACTICE.replace("Hyvä käytäntö", "Toinen käytäntö"), encoding="utf-8")
    setup(root / "practices")
    return root


@pytest.mark.parametrize("setup, expected", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_file_gets_a_clear_message_and_never_lands(tmp_path, setup, expected):
    content = content_with(tmp_path, setup)
    root = tmp_path / "index"
    result = build(content, root)  # must not raise
    problems = [str(p) for p in result.problems]
    if expected is None:
        assert result.ok, problems
        service = SearchService(root, content / "vocabularies")
        titles = {r.title for r in service.search(SearchRequest(per_page=100)).results}
        assert "Toinen käytäntö" in titles
        assert "Hyvä käytäntö" in titles or not list((content / "practices").glob("x.fi.md"))
    else:
        assert not result.ok and current_version(root) is None  # nothing was built
        assert any(expected in p for p in problems), problems
        assert all(len(p) < 500 for p in problems)  # messages stay readable
        assert all(p.startswith("content/practices/") for p in problems), problems


def test_a_failed_build_keeps_the_served_index(tmp_path):
    content = content_with(tmp_path, lambda p: None)
    root = tmp_path / "index"
    good = build(content, root)
    for _id, setup, expected in BAD[:5]:
        setup(content / "practices")
        assert not build(content, root).ok
        assert current_version(root) == good.version


def test_the_command_line_lists_every_bad_file_without_a_traceback(tmp_path):
    content = make_content(tmp_path / "content", practices={})
    practices = content / "practices"
    for name, setup, expected in BAD:
        if expected is None:
            continue
        sub = practices / name  # every case in its own folder, so that they can all be x.fi.md
        sub.mkdir()
        setup(sub)
    proc = subprocess.run([*CLI, "build", "--lang", "en", "--content", str(content), "--index", str(tmp_path / "index")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "the index was not changed" in proc.stderr
    for name, _setup, expected in BAD:
        if expected is not None:
            assert f"content/practices/{name}/x.fi.md" in proc.stderr, name
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_the_command_line_builds_the_handled_files(tmp_path):
    content = make_content(tmp_path / "content", practices={})
    practices = content / "practices"
    for i, (name, setup, expected) in enumerate(BAD):
        if expected is None:
            sub = practices / f"{i:02d}-{name}"
            sub.mkdir()
            setup(sub)
            if (sub / "x.fi.md").exists():
                (sub / "x.fi.md").rename(sub / f"x{i}.fi.md")
    proc = subprocess.run([*CLI, "build", "--lang", "en", "--content", str(content), "--index", str(tmp_path / "index")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ok: indexed 6 practices" in proc.stdout


def test_a_single_enormous_word_does_not_crash_the_build(tmp_path):
    content = make_content(tmp_path / "content", practices={})
    (content / "practices" / "x.fi.md").write_text(GOOD_PRACTICE.replace("Kuvaus", "talo" * 1000 + " kuvaus"), encoding="utf-8")
    proc = subprocess.run([*CLI, "build", "--content", str(content), "--index", str(tmp_path / "index")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), f"killed by signal {-proc.returncode}" if proc.returncode < 0 else proc.stderr
