"""The content cache trusts a file's stat (size, times, inode) and reads only files whose stat changed."""
from __future__ import annotations

import builtins
import os

import pytest

from app.content import load_content
from app.content import loader
from conftest import make_content


@pytest.fixture
def opened(monkeypatch):
    """The practice files the loader opens to hash them (its own ``open``, not the validators')."""
    seen: list[str] = []

    def spy(path, *args, **kwargs):  # noqa: ANN001, ANN202
        if str(path).endswith(".md"):
            seen.append(os.path.basename(path))
        return builtins.open(path, *args, **kwargs)

    monkeypatch.setattr(loader, "open", spy, raising=False)
    return seen


def _load_twice(content, cache, opened):
    first = load_content(content, cache, procs=1)
    first.cache.save(cache)
    opened.clear()
    return first, load_content(content, cache, procs=1)


def test_unchanged_files_are_not_read_again(tmp_path, monkeypatch, opened):
    monkeypatch.setattr(loader, "_RACY_NS", 0)  # the files were written just now
    content = make_content(tmp_path / "content")
    first, second = _load_twice(content, tmp_path / "cache", opened)
    assert opened == []
    assert second.practices == first.practices and second.cache.keys == first.cache.keys
    assert second.cache.computed == 0


def test_a_rewrite_that_keeps_size_and_modification_time_is_seen(tmp_path, monkeypatch, opened):
    monkeypatch.setattr(loader, "_RACY_NS", 0)
    content = make_content(tmp_path / "content")
    first, _ = _load_twice(content, tmp_path / "cache", opened)
    path = content / "practices" / "nuorten-uravalmennus.fi.md"
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "nuorille" in text
    path.write_text(text.replace("nuorille", "NUORILLE"), encoding="utf-8")  # same length
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # as `touch -d` or `cp -p` would leave it
    again = load_content(content, tmp_path / "cache", procs=1)
    assert opened == [path.name]
    assert again.cache.computed == 1
    assert again.cache.keys["nuorten-uravalmennus"] != first.cache.keys["nuorten-uravalmennus"]


def test_a_file_changed_just_now_is_hashed_again_next_time(tmp_path, opened):
    # Written within the same clock tick as the load, a second write could leave every time as it was.
    content = make_content(tmp_path / "content")
    first, second = _load_twice(content, tmp_path / "cache", opened)
    assert first.cache.files == {}
    assert sorted(opened) == sorted(p.name for p in (content / "practices").glob("*.md"))
    assert second.cache.computed == 0  # the validated practices still come from the cache
