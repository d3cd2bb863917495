"""Settings a deployment relies on: the secret key is never one from the source, and stays the same."""
from __future__ import annotations

import pytest

from app import create_app


def _app(built_index, tiny_content, **config):
    return create_app({"INDEX_DIR": str(built_index), "CONTENT_DIR": str(tiny_content), **config})


def test_a_random_key_is_created_once_and_kept(built_index, tiny_content, tmp_path):
    first = _app(built_index, tiny_content, INSTANCE_DIR=tmp_path)
    again = _app(built_index, tiny_content, INSTANCE_DIR=tmp_path)
    key = (tmp_path / "secret_key").read_text().strip()
    assert len(key) == 64 and first.secret_key == again.secret_key == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0, "readable by its owner only"
    other = _app(built_index, tiny_content, INSTANCE_DIR=tmp_path / "elsewhere")
    assert other.secret_key != key


def test_a_session_signed_by_one_worker_is_read_by_another(built_index, tiny_content, tmp_path):
    one = _app(built_index, tiny_content, INSTANCE_DIR=tmp_path).test_client()
    two = _app(built_index, tiny_content, INSTANCE_DIR=tmp_path).test_client()
    one.get("/?ui=sv")
    cookie = one.get_cookie("session")
    two.set_cookie("session", cookie.value)
    assert 'lang="sv"' in two.get("/").get_data(as_text=True)


def test_the_key_from_the_environment_is_used(built_index, tiny_content, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", "k" * 40)
    assert _app(built_index, tiny_content, INSTANCE_DIR=tmp_path).secret_key == "k" * 40
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("key", ["dev-only-change-me", "change-me"])
def test_a_key_known_from_the_source_is_refused_outside_debug_and_testing(built_index, tiny_content, tmp_path, key):
    with pytest.raises(RuntimeError, match="known from the source"):
        _app(built_index, tiny_content, INSTANCE_DIR=tmp_path, SECRET_KEY=key)
    assert _app(built_index, tiny_content, INSTANCE_DIR=tmp_path, SECRET_KEY=key, TESTING=True).secret_key == key


def test_tests_write_no_key(built_index, tiny_content, tmp_path):
    app = _app(built_index, tiny_content, INSTANCE_DIR=tmp_path, TESTING=True)
    assert app.secret_key and not (tmp_path / "secret_key").exists()
