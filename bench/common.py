"""Helpers shared by the benchmarks: servers on free ports, measured subprocesses, percentiles, machine."""
from __future__ import annotations

import http.client
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
if not Path(GUNICORN).exists():
    GUNICORN = shutil.which("gunicorn") or "gunicorn"


# --- statistics ----------------------------------------------------------------------------------

def percentile(values: Sequence[float], p: float) -> float:
    """Linear-interpolated percentile (p in 0..100) of ``values``; nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: Sequence[float]) -> dict[str, float]:
    """n, median, p95, mean, min and max of ``values``."""
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "mean": statistics.fmean(values) if values else float("nan"),
            "min": min(values, default=float("nan")), "max": max(values, default=float("nan"))}


def ratio(ours: float, baseline: float) -> str:
    return f"{ours / baseline:.2f}" if baseline and baseline == baseline and ours == ours else "–"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (also readable as plain text)."""
    def cell(v: object) -> str:
        return f"{v:.1f}" if isinstance(v, float) else str(v)
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


# --- machine ---------------------------------------------------------------------------------------

def machine() -> dict[str, str]:
    """What the figures were measured on."""
    model = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    return {"nproc": str(os.cpu_count()), "cpu": model, "ram": ram, "python": platform.python_version(),
            "os": platform.platform(), "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}


# --- measured subprocesses -------------------------------------------------------------------------

def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                todo += [int(c) for c in Path(f"/proc/{p}/task/{task}/children").read_text().split()]
        except OSError:
            pass
    return out


def _pss_kb(pid: int) -> int:
    """Proportional set size: pages shared by forked workers are counted once across the tree."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Measured:
    wall: float
    cpu: float  # user + system seconds of the process and every descendant it waited for
    maxrss_mb: float  # largest single process (wait4's ru_maxrss; keep the measuring process small)
    tree_rss_mb: float  # peak of the sampled PSS sum over the process tree (workers included)
    returncode: int
    stdout: str = ""
    stderr: str = ""


def run_measured(cmd: Sequence[str], *, env: dict | None = None, cwd: Path = ROOT,
                 timeout: float = 3600) -> Measured:
    """Run ``cmd`` and measure wall time, CPU time and peak memory (wait4 rusage + /proc sampling)."""
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=out, stderr=err)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        # Reading smaps_rollup walks a process's page tables: at 2 GB that took half a core at 5 Hz,
        # so the interval grows from 0.2 s to 2 s (the peak of a long build is not missed by that).
        interval = 0.2
        while not done.wait(interval):
            peak[0] = max(peak[0], sum(_pss_kb(p) for p in _tree(proc.pid)))
            interval = min(2.0, interval * 1.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    err.seek(0)
    return Measured(wall=wall, cpu=usage.ru_utime + usage.ru_stime, maxrss_mb=usage.ru_maxrss / 1024,
                    tree_rss_mb=peak[0] / 1024, returncode=proc.returncode,
                    stdout=out.read().decode(errors="replace"), stderr=err.read().decode(errors="replace"))


def dir_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 1e6


# --- servers ---------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    """One GET to 127.0.0.1:port (a new connection: gunicorn's sync workers close each one)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@dataclass
class Server:
    port: int
    proc: subprocess.Popen
    started: float  # perf_counter at spawn
    log: Path
    ready: float = 0.0  # seconds from spawn to the first 200 of the ready path
    extra: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def wait_ok(port: int, path: str, timeout: float, proc: subprocess.Popen | None = None) -> float:
    """Poll ``path`` until it answers 200; return the perf_counter time of that answer."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            status, _ = get(port, path, timeout=5)
            if status == 200:
                return time.perf_counter()
        except OSError:
            pass
        time.sleep(0.01)
    raise TimeoutError(f"{path} on port {port} did not answer 200 within {timeout} s")


@contextmanager
def gunicorn(app: str, *, env: dict[str, str], workers: int = 2, cwd: Path = ROOT, ready_path: str = "/healthz",
             timeout: float = 60, extra_args: Sequence[str] = ()) -> Iterator[Server]:
    """Run ``gunicorn app`` on a free 127.0.0.1 port until the block ends; stop it by its pid."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])
    cmd = [GUNICORN, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "120",
           *extra_args, app]
    with open(log, "wb") as fh:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **env}, stdout=fh, stderr=subprocess.STDOUT)
    server = Server(port, proc, started, log)
    try:
        server.ready = wait_ok(port, ready_path, timeout, proc) - started
        yield server
    except BaseException:
        sys.stderr.write(log.read_text(errors="replace")[-3000:])
        raise
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.unlink(missing_ok=True)


def app_env(index_dir: Path, content_dir: Path) -> dict[str, str]:
    """Environment of our production server for an index and content directory."""
    return {"FLASK_INDEX_DIR": str(index_dir), "FLASK_CONTENT_DIR": str(content_dir),
            "FLASK_SECRET_KEY": "bench", "PYTHONPATH": str(ROOT)}


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
