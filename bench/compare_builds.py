#!/usr/bin/env python3
"""Builds of this checkout beside another one, in the same run: ``python bench/compare_builds.py --other DIR``.

For each corpus size, ``--rounds`` times in turn: a build from scratch (empty index root, no
caches) with the other checkout's ``build.py``, then with this one's; then a full rebuild with warm
caches by each. The same generated corpus and the same Python environment serve both, so the
difference is the code. ``DIR`` is a checkout of another commit, e.g. made with
``git worktree add --detach /tmp/before <commit>``. Prints medians and every run.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import corpus  # noqa: E402
from common import PY, ROOT, machine, run_measured, table  # noqa: E402


def _build(code: Path, content: Path, index: Path, *extra: str) -> dict:
    m = run_measured([PY, str(code / "build.py"), "--content", str(content), "--index", str(index), *extra], cwd=code)
    if m.returncode != 0:
        raise RuntimeError(f"build with {code} failed ({m.returncode}):\n{m.stderr[-3000:]}")
    return {"wall": m.wall, "cpu": m.cpu, "maxrss_mb": m.maxrss_mb, "tree_rss_mb": m.tree_rss_mb}


def _commit(code: Path) -> str:
    out = subprocess.run(["git", "-C", str(code), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(code), "status", "--porcelain", "--", "app", "build.py"],
                           capture_output=True, text=True).stdout.strip()
    return (out.stdout.strip() or "?") + (" + uncommitted changes" if dirty else "")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, required=True, help="another checkout (the baseline)")
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kaytantopankki-bench"))
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    codes = {"other": args.other.resolve(), "this": ROOT}
    print(f"machine: {machine()}", file=sys.stderr)
    lines = [f"other: {codes['other']} at {_commit(codes['other'])}; this: {ROOT} at {_commit(ROOT)}", ""]
    for n in (int(s) for s in args.sizes.split(",")):
        content = corpus(args.workdir, n, args.seed)
        runs: dict[tuple[str, str], list[dict]] = {}
        for r in range(args.rounds):
            for name, code in codes.items():
                index = args.workdir / f"compare-{name}-{n}"
                shutil.rmtree(index, ignore_errors=True)
                print(f"[{n}] round {r + 1}: {name} from scratch…", file=sys.stderr, flush=True)
                runs.setdefault((name, "scratch"), []).append(_build(code, content, index))
                print(f"[{n}] round {r + 1}: {name} full, warm caches…", file=sys.stderr, flush=True)
                runs.setdefault((name, "full, warm caches"), []).append(_build(code, content, index, "--full"))
        rows = []
        for (name, kind), found in runs.items():
            walls = [x["wall"] for x in found]
            rows.append([n, name, kind, statistics.median(walls), " ".join(f"{w:.1f}" for w in walls),
                         statistics.median(x["cpu"] for x in found), max(x["maxrss_mb"] for x in found)])
        lines.append(table(["practices", "code", "run", "median wall s", "every wall s", "median CPU s",
                            "max RSS MB"], rows))
        for kind in ("scratch", "full, warm caches"):
            other = statistics.median(x["wall"] for x in runs[("other", kind)])
            this = statistics.median(x["wall"] for x in runs[("this", kind)])
            lines.append(f"{n} {kind}: this/other = {this / other:.2f} (median wall)")
        lines.append("")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
