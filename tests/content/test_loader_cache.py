"""The content cache trusts a file's stat (size, times, inode) and reads only files whose stat changed;
a few changes are saved beside the full file (app/content/cache.py)."""
from __future__ import annotations

import builtins
import os

import pytest

from app.content import load_content
from app.content import cache as content_cache
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


def _edit(path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\nLisäys, joka muuttaa tiedoston.\n", encoding="utf-8")


def _delta_of(cache):
    return cache.with_name(cache.name + content_cache.DELTA_SUFFIX)


@pytest.fixture
def saved(tmp_path, monkeypatch):
    """A content directory and its cache saved whole, every change counting as few (a tiny corpus)."""
    monkeypatch.setattr(loader, "_RACY_NS", 0)
    monkeypatch.setattr(content_cache, "DELTA_SHARE", 1.0)
    content, cache = make_content(tmp_path / "content"), tmp_path / "cache"
    load_content(content, cache, procs=1).cache.save(cache)
    return content, cache


def _change_and_save(content, cache, change="edit"):
    path = content / "practices" / "nuorten-uravalmennus.fi.md"
    _edit(path) if change == "edit" else path.unlink()
    loaded = load_content(content, cache, procs=1)
    loaded.cache.save(cache)
    return loaded


@pytest.mark.parametrize("change", ["edit", "remove"])
def test_a_few_changes_are_saved_as_a_delta_and_the_full_file_is_left_as_it_is(saved, change):
    content, cache = saved
    full = cache.stat()
    second = _change_and_save(content, cache, change)
    assert _delta_of(cache).exists()
    assert (cache.stat().st_ino, cache.stat().st_mtime_ns) == (full.st_ino, full.st_mtime_ns)
    third = load_content(content, cache, procs=1)
    assert third.cache.computed == 0 and third.practices == second.practices
    assert (("nuorten-uravalmennus", "fi") in {(p.slug, p.lang) for p in third.practices}) == (change == "edit")


def test_many_changes_rewrite_the_full_file_and_remove_the_delta(saved, monkeypatch):
    content, cache = saved
    _change_and_save(content, cache)
    assert _delta_of(cache).exists()
    monkeypatch.setattr(content_cache, "DELTA_SHARE", 0.0)  # now every change is too many
    second = _change_and_save(content, cache)
    assert second.cache.computed == 1
    assert not _delta_of(cache).exists()
    third = load_content(content, cache, procs=1)
    assert third.cache.computed == 0 and third.practices == second.practices


def test_a_delta_written_against_another_full_file_is_ignored(saved):
    import pickle

    content, cache = saved
    second = _change_and_save(content, cache)
    data = pickle.loads(_delta_of(cache).read_bytes())
    _delta_of(cache).write_bytes(pickle.dumps({**data, "base": "another"}))  # as if the full file had been rewritten since
    third = load_content(content, cache, procs=1)
    assert third.cache.computed == 1  # the changed practice validated again, nothing wrong read
    assert third.practices == second.practices
