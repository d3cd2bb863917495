"""The pipeline's direction: content → text → indexing → search → web, and nothing back.

Checked twice: statically (every import statement of every module, function-level ones too) and
at run time (what a server process has loaded after answering a search).
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

APP = ROOT / "app"
# Each stage may import the stages before it and the shared modules, never one after it.
ORDER = ["content", "text", "indexing", "search", "web"]
SHARED = {"app.names", "app.fingerprints", "app.processes", "app.engine", "app.memory"}
# The build's code: a server (search, web) imports none of it, only the index version's data files.
BUILD_ONLY = {"app.content.loader", "app.content.validation", "app.content.resolve", "app.content.front_matter",
              "app.content.render", "app.content.schema_export", "app.content.fact_fields", "app.indexing.builder",
              "app.indexing.writer", "app.indexing.dates",
              "app.indexing.lemmas", "app.indexing.plan", "app.indexing.lock", "app.indexing.versions",
              "app.indexing.documents", "app.processes", "app.cli"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every app module ``path`` imports (absolute names; ``from . import x`` gives ``package.x``)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)
    return {m for m in found if m == "app" or m.startswith("app.")}


MODULES = sorted(APP.rglob("*.py"))


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ORDER else None


def _known(module: str) -> bool:
    """Whether ``module`` names a module or package of app (not a name inside one)."""
    path = ROOT / module.replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_flow_one_way(path):
    me = _module_name(path)
    mine = _stage(me)
    for imported in filter(_known, _imports(path)):
        theirs = _stage(imported)
        if mine and theirs:
            assert ORDER.index(theirs) <= ORDER.index(mine), f"{me} ({mine}) imports {imported} ({theirs}), downstream"
        if mine in ("search", "web"):
            assert imported not in BUILD_ONLY, f"{me} imports the build's {imported}"
        if me in SHARED:
            assert theirs is None, f"the shared {me} imports the stage {imported}"


def test_a_server_loads_none_of_the_builds_code(built_index, tiny_content):
    code = (
        "import sys\n"
        "from app import create_app\n"
        f"app = create_app({{'TESTING': True, 'INDEX_DIR': {str(built_index)!r}, 'CONTENT_DIR': {str(tiny_content)!r}}})\n"
        "resp = app.test_client().get('/?q=nuorille')\n"
        "assert resp.status_code == 200, resp.status_code\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('app') or m in ('yaml', 'markdown', 'markdown_it', 'nh3', "
        "'frontmatter', 'multiprocessing.pool'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    loaded = set(out.split())
    assert "app.search.service" in loaded and "app.web.pages" in loaded
    assert not loaded & BUILD_ONLY, f"a server loaded the build's {sorted(loaded & BUILD_ONLY)}"
    assert not loaded & {"markdown", "markdown_it", "nh3", "frontmatter"}, "a server loaded the content stage's libraries"


def test_private_whoosh_internals_are_read_in_one_module():
    """``whoosh`` names starting with an underscore, and the codec/multiprocessing internals, only in app/engine.py."""
    private = ("whoosh.codec", "whoosh.multiproc", "whoosh.matching", "_lenfield", "_perdoc", "_field_B",
               "W3LeafMatcher", "_new_task", "_read_ids", "_next_block")
    for path in MODULES:
        if path == APP / "engine.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not [p for p in private if p in text], f"{path.relative_to(ROOT)} reads Whoosh's internals"

