"""The production deployment of deploy/, run for real: Debian's nginx in front of two gunicorn instances.

The templates are rendered with deploy/render.py and the values of deploy/values.example (only the
machine-specific ones replaced), exactly as the README's "Deployment" section tells an operator.
nginx (/usr/sbin/nginx, its own prefix and main config in a tmp dir that includes the rendered site
like Debian's nginx.conf does) serves TLS on loopback with a self-signed certificate made here by
openssl; the two gunicorn instances run the systemd unit's ExecStart with its EnvironmentFile, on one
index root built from the tests' tiny content. Clients use several loopback source addresses
(127.0.0.x), so that nginx sees several clients.

deploy/push-index (rsync) copies a rebuilt index to "servers" (local folders), one of them served by
the unit's gunicorn.

Skipped, with the reason said, where nginx, openssl or rsync is missing and CI is not set (as the
browser tests are without Chromium); in CI a missing one fails them. The file checks (templates,
unit, logrotate) run everywhere.
"""
from __future__ import annotations

import gzip
import importlib.util
import math
import os
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from app.indexing import build, current_version
from app.web.errors import SECURITY_HEADERS
from conftest import ROOT, make_content, write_practice

DEPLOY = ROOT / "deploy"
NGINX = Path("/usr/sbin/nginx")
OPENSSL = shutil.which("openssl")
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
SITE_TEMPLATE = DEPLOY / "nginx" / "kaytantopankki.conf"
UNIT_TEMPLATE = DEPLOY / "systemd" / "kaytantopankki@.service"
ENV_TEMPLATE = DEPLOY / "systemd" / "kaytantopankki.env"
LOGROTATE_TEMPLATE = DEPLOY / "logrotate" / "kaytantopankki"
VALUES = DEPLOY / "values.example"
TEMPLATES = [SITE_TEMPLATE, UNIT_TEMPLATE, ENV_TEMPLATE, LOGROTATE_TEMPLATE]
HSTS = "max-age=63072000"
YEAR = 365 * 24 * 3600
NEW_SLUG, NEW_WORD = "uusi-kayttoonotto", "tuotantokelpoisuus"

RSYNC = shutil.which("rsync")
_missing = [str(p) for p, ok in ((NGINX, NGINX.exists()), ("openssl", OPENSSL)) if not ok]
needs_nginx = pytest.mark.skipif(
    bool(_missing) and not os.environ.get("CI"),
    reason=f"{' and '.join(_missing)} missing (apt-get install nginx openssl); CI installs them and runs these")
needs_rsync = pytest.mark.skipif(
    not RSYNC and not os.environ.get("CI"),
    reason="rsync is missing (apt-get install rsync), which deploy/push-index uses; CI installs it and runs this")


def _load_render():
    spec = importlib.util.spec_from_file_location("deploy_render", DEPLOY / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render = _load_render()


def render_cli(template: Path, *args: str) -> str:
    """The documented substitution: ``python3 deploy/render.py TEMPLATE VALUES... NAME=VALUE...``."""
    proc = subprocess.run([sys.executable, str(DEPLOY / "render.py"), str(template), *args],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def unit_settings(text: str) -> dict[str, list[str]]:
    """``Section.Key`` → its values, in order (systemd allows a key more than once)."""
    out: dict[str, list[str]] = {}
    section = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, _, value = line.partition("=")
        out.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return out


def exec_start(unit_text: str, instance: str) -> list[str]:
    """The unit's ExecStart as an argument list for ``kaytantopankki@<instance>``."""
    (line,) = unit_settings(unit_text)["Service.ExecStart"]
    line = line.lstrip("-@:+!")
    assert "%" not in line.replace("%i", ""), f"unexpected specifier in {line!r}"
    return shlex.split(line.replace("%i", instance))


def environment_file(text: str) -> dict[str, str]:
    env = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


DIRECT = requests.Session()  # straight to a gunicorn instance, never through a proxy of the environment
DIRECT.trust_env = False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the files, checked everywhere -------------------------------------------------------------

def example_values(**override: str) -> dict[str, str]:
    values = render.read_values(VALUES.read_text(encoding="utf-8").splitlines(), str(VALUES))
    return {**values, "SECRET_KEY": "0" * 64, **override}


def test_the_example_values_fill_every_template_and_a_missing_value_is_refused(tmp_path):
    values = example_values()
    for template in TEMPLATES:
        assert not render.PLACEHOLDER.search(render.render(template.read_text(encoding="utf-8"), values)), template
    proc = subprocess.run([sys.executable, str(DEPLOY / "render.py"), str(SITE_TEMPLATE), "SERVER_NAME=x"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "@APP_ROOT@" in proc.stderr and "@UPSTREAMS@" in proc.stderr
    # A values file and arguments, later ones winning: the README's command line.
    values_file = tmp_path / "values"
    values_file.write_text(VALUES.read_text(encoding="utf-8"))
    text = render_cli(ENV_TEMPLATE, str(values_file), "SECRET_KEY=abc", "STATE_DIR=/srv/state")
    assert environment_file(text)["FLASK_SECRET_KEY"] == "abc"
    assert environment_file(text)["FLASK_INDEX_DIR"] == "/srv/state/index"


def _security_header_values(site_text: str) -> dict[str, str]:
    """Header → the value nginx adds where the app set none (add_header NAME $var + the map of $var)."""
    out = {}
    for name, var in re.findall(r"^\s*add_header\s+(\S+)\s+\$(\w+)\s+always;", site_text, re.M):
        block = re.search(r"map \S+ \$" + var + r" \{(.*?)\}", site_text, re.S)
        if block:
            empty = re.search(r'^\s*""\s+"([^"]*)";', block.group(1), re.M)
            if empty:
                out[name] = empty.group(1)
    return out


def test_nginx_adds_the_same_security_headers_as_the_app():
    text = SITE_TEMPLATE.read_text(encoding="utf-8")
    assert _security_header_values(text) == SECURITY_HEADERS
    assert "errors.py" in text and "MUST be kept equal" in text
    assert f'add_header Strict-Transport-Security "{HSTS}" always;' in text


def test_the_systemd_unit_runs_gunicorn_hardened(tmp_path):
    unit = unit_settings(render.render(UNIT_TEMPLATE.read_text(encoding="utf-8"), example_values()))
    env = environment_file(render.render(ENV_TEMPLATE.read_text(encoding="utf-8"), example_values()))
    argv = exec_start(render.render(UNIT_TEMPLATE.read_text(encoding="utf-8"), example_values()), "8001")
    assert argv == ["/srv/kaytantopankki/.venv/bin/gunicorn", "--config", "/srv/kaytantopankki/deploy/gunicorn.conf.py",
                    "--bind", "127.0.0.1:8001", "app:create_app()"]
    assert unit["Service.WorkingDirectory"] == ["/srv/kaytantopankki"]
    assert unit["Service.EnvironmentFile"] == ["/etc/kaytantopankki/env"]
    assert {"FLASK_INDEX_DIR", "FLASK_SECRET_KEY", "FLASK_INSTANCE_DIR"} <= set(env)
    assert unit["Service.ReadWritePaths"] == [env["FLASK_INSTANCE_DIR"]]
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes", "ProtectHome": "yes",
                       "PrivateDevices": "yes", "CapabilityBoundingSet": "", "Type": "notify"}.items():
        assert unit[f"Service.{key}"] == [value], key
    # Every instance's port appears in the example's upstreams.
    assert "127.0.0.1:8001" in example_values()["UPSTREAMS"] and "127.0.0.1:8002" in example_values()["UPSTREAMS"]


def test_systemd_analyze_verifies_the_unit(tmp_path):
    if not SYSTEMD_ANALYZE:
        pytest.skip("systemd-analyze is missing (Debian package systemd): the unit was only parsed")
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    if not gunicorn.exists():
        pytest.skip(f"{gunicorn} is missing ('make install' creates it): verify checks that ExecStart's program exists")
    (tmp_path / UNIT_TEMPLATE.name).write_text(
        render.render(UNIT_TEMPLATE.read_text(encoding="utf-8"), example_values(APP_ROOT=str(ROOT))))
    proc = subprocess.run([SYSTEMD_ANALYZE, "verify", "--man=no", str(tmp_path / "kaytantopankki@8001.service")],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    ours = [line for line in (proc.stdout + proc.stderr).splitlines() if "kaytantopankki" in line]
    assert proc.returncode == 0 and not ours, proc.stdout + proc.stderr


def push_index(src: Path, *destinations: Path) -> str:
    proc = subprocess.run([str(DEPLOY / "push-index"), str(src), *map(str, destinations)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@needs_rsync
def test_push_index_copies_a_new_index_to_servers_which_switch_at_their_next_request(tmp_path):
    """The README's rollout: build once, deploy/push-index to each server's index root (version
    first, CURRENT last); a running server (the unit's gunicorn) switches without a restart."""
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    if not gunicorn.exists():
        pytest.skip(f"{gunicorn} is missing ('make install' creates it): the unit's ExecStart runs it")
    content = make_content(tmp_path / "content")
    src = tmp_path / "build" / "index"
    first = build(content, src)
    assert first.ok
    servers = [tmp_path / name / "index" for name in ("web1", "web2")]
    for root in servers:
        root.mkdir(parents=True)
    out = push_index(src, *servers)
    assert out.splitlines() == [f"{root}: {first.version}" for root in servers]
    for root in servers:
        assert (root / "CURRENT").read_text().strip() == first.version
        assert sorted(p.name for p in (root / first.version).iterdir()) == sorted(p.name for p in (src / first.version).iterdir())
        assert (root / ".lemma-cache").exists()
        assert not (root / ".content-cache").exists() and not (root / ".build.lock").exists()  # the build's own

    values = example_values(APP_ROOT=str(ROOT), STATE_DIR=str(tmp_path / "web1"))
    unit = render.render(UNIT_TEMPLATE.read_text(encoding="utf-8"), values)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "GUNICORN_", "WEB_CONCURRENCY"))}
    env.update(environment_file(render.render(ENV_TEMPLATE.read_text(encoding="utf-8"), values)))
    assert env["FLASK_INDEX_DIR"] == str(servers[0])
    port = free_port()
    (working_dir,) = unit_settings(unit)["Service.WorkingDirectory"]
    server = Instance(exec_start(unit, str(port)), working_dir, env, tmp_path / "gunicorn.log", port)
    server.start()
    try:
        base = f"http://127.0.0.1:{port}"
        assert DIRECT.get(base + "/healthz", timeout=30).json()["version"] == first.version
        assert DIRECT.get(f"{base}/api/search?q={NEW_WORD}", timeout=30).json()["total"] == 0
        write_practice(content, NEW_SLUG, "fi", {
            "title": "Tuotantoon vietävä käytäntö", "project": "Käyttöönotto", "regions": ["Kainuu"],
            "themes": ["osallisuus"], "priority": "TL 5 et 10.1"}, f"Käytäntö, jonka {NEW_WORD} löytyy uudesta indeksistä.")
        second = build(content, src)
        assert second.ok and second.version != first.version
        push_index(src, *servers)
        # Every answer from now on (both workers, no restart) comes from the new version.
        for _ in range(6):
            found = DIRECT.get(f"{base}/api/search?q={NEW_WORD}", timeout=30).json()
            assert found["total"] == 1 and found["index_version"] == second.version
        assert server.proc.poll() is None
        # The files the update shares with the version before it (hard links) are linked on the servers, not sent again.
        shared = [f.name for f in (src / second.version).iterdir()
                  if (src / first.version / f.name).exists() and os.path.samefile(f, src / first.version / f.name)]
        assert shared
        for root in servers:  # the old version is kept beside the new one
            assert (root / "CURRENT").read_text().strip() == second.version
            assert (root / first.version).is_dir() and (root / second.version).is_dir()
            assert all(os.path.samefile(root / first.version / name, root / second.version / name) for name in shared)
    finally:
        server.stop()
    bad = subprocess.run([str(DEPLOY / "push-index"), str(tmp_path / "nothing"), str(servers[0])],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2 and "CURRENT names no version" in bad.stderr
    assert (servers[0] / "CURRENT").read_text().strip() == second.version


def test_logs_are_kept_14_days_as_the_readme_says():
    text = LOGROTATE_TEMPLATE.read_text(encoding="utf-8")
    assert re.search(r"^\s*rotate 14$", text, re.M) and re.search(r"^\s*maxage 14$", text, re.M)
    assert "@LOG_DIR@/*.log" in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "14 days" in readme[readme.index("## Deployment"):]


# --- the running deployment --------------------------------------------------------------------

class SourceAdapter(HTTPAdapter):
    """Connections from a chosen loopback address: each one is a client of its own to nginx."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__(pool_maxsize=10)

    def init_poolmanager(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        kwargs["source_address"] = (self.source, 0)
        return super().init_poolmanager(*args, **kwargs)


@dataclass
class Instance:
    argv: list[str]
    cwd: str
    env: dict[str, str]
    log: Path
    port: int
    proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "a") as fh:
            self.proc = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdout=fh, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                if DIRECT.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn on {self.port} did not start:\n" + self.log.read_text()[-3000:])

    def stop(self) -> None:
        """SIGTERM, as systemd stops the unit: gunicorn finishes the requests in progress."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class Site:
    base: str
    http_base: str
    https_port: int
    cert: Path
    logs: Path
    content: Path
    index: Path
    instances: list[Instance]
    nginx: subprocess.Popen
    first_version: str
    sessions: dict[str, requests.Session] = field(default_factory=dict)

    def client(self, source: str = "127.0.0.1") -> requests.Session:
        if source not in self.sessions:
            s = requests.Session()
            s.trust_env = False  # no proxy, and this certificate rather than REQUESTS_CA_BUNDLE
            s.verify = str(self.cert)
            s.mount("https://", SourceAdapter(source))
            s.mount("http://", SourceAdapter(source))
            self.sessions[source] = s
        return self.sessions[source]

    def get(self, path: str, source: str = "127.0.0.1", **kw) -> requests.Response:  # noqa: ANN003
        return self.client(source).get(self.base + path, timeout=15, **kw)

    def tls_socket(self, source: str) -> ssl.SSLSocket:
        ctx = ssl.create_default_context(cafile=str(self.cert))
        raw = socket.create_connection(("127.0.0.1", self.https_port), timeout=10, source_address=(source, 0))
        return ctx.wrap_socket(raw, server_hostname="localhost")


NGINX_MAIN = """\
# The test's stand-in for Debian's /etc/nginx/nginx.conf: its http settings, then the site included.
{user}
worker_processes 2;
error_log {dir}/logs/nginx.log warn;
events {{
    worker_connections 768;
}}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log {dir}/logs/default-access.log;
    gzip on;
    client_body_temp_path {dir}/temp/body;
    proxy_temp_path {dir}/temp/proxy;
    fastcgi_temp_path {dir}/temp/fastcgi;
    uwsgi_temp_path {dir}/temp/uwsgi;
    scgi_temp_path {dir}/temp/scgi;
    include {dir}/sites-enabled/kaytantopankki;
}}
"""


def _nginx_args(d: Path) -> list[str]:
    return [str(NGINX), "-p", str(d), "-c", str(d / "nginx.conf"), "-e", str(d / "logs" / "nginx.log"),
            "-g", f"daemon off; pid {d / 'nginx.pid'};"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if _missing:
        pytest.fail(f"{' and '.join(_missing)} missing, and CI is set: .ci/run installs nginx and openssl")
    if not (ROOT / ".venv" / "bin" / "gunicorn").exists():
        pytest.skip("needs the virtualenv that 'make install' creates: the unit's ExecStart runs .venv/bin/gunicorn")
    d = tmp_path_factory.mktemp("deployment")
    for sub in ("logs", "temp", "sites-enabled", "tls", "state/instance"):
        (d / sub).mkdir(parents=True)
    content = make_content(d / "content")
    first = build(content, d / "state" / "index")
    assert first.ok, [str(p) for p in first.problems]

    cert, key = d / "tls" / "cert.pem", d / "tls" / "key.pem"
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)

    http_port, https_port, ports = free_port(), free_port(), [free_port(), free_port()]
    values = d / "values"
    # The example values with the machine's own replaced, as an operator would edit them.
    values.write_text(VALUES.read_text(encoding="utf-8") + "\n".join([
        "SERVER_NAME=localhost", f"APP_ROOT={ROOT}", f"STATE_DIR={d / 'state'}", f"LOG_DIR={d / 'logs'}",
        "UPSTREAMS=" + " ".join(f"server 127.0.0.1:{p} max_fails=0;" for p in ports),
        f"CERT={cert}", f"KEY={key}", f"HTTP_LISTEN=127.0.0.1:{http_port}", f"HTTPS_LISTEN=127.0.0.1:{https_port}"]) + "\n")
    (d / "sites-enabled" / "kaytantopankki").write_text(render_cli(SITE_TEMPLATE, str(values)))
    unit = render_cli(UNIT_TEMPLATE, str(values))
    env_file = environment_file(render_cli(ENV_TEMPLATE, str(values), f"SECRET_KEY={secrets.token_hex(32)}"))
    (working_dir,) = unit_settings(unit)["Service.WorkingDirectory"]

    # The environment systemd would give: the EnvironmentFile, no FLASK_* of the test runner's own.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "GUNICORN_", "WEB_CONCURRENCY"))}
    env.update(env_file)
    instances = [Instance(exec_start(unit, str(p)), working_dir, env, d / "logs" / f"gunicorn-{p}.log", p) for p in ports]
    user = "user root;" if os.geteuid() == 0 else ""  # Debian's says www-data; this test's nginx runs as its runner
    (d / "nginx.conf").write_text(NGINX_MAIN.format(dir=d, user=user))
    nginx = None
    try:
        for inst in instances:
            inst.start()
        check = subprocess.run([*_nginx_args(d), "-t"], capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr
        nginx = subprocess.Popen(_nginx_args(d), stdout=subprocess.DEVNULL, stderr=open(d / "logs" / "nginx.out", "w"))
        s = Site(f"https://localhost:{https_port}", f"http://localhost:{http_port}", https_port, cert, d / "logs",
                 content, d / "state" / "index", instances, nginx, first.version)
        deadline = time.monotonic() + 30
        while True:
            assert nginx.poll() is None, (d / "logs" / "nginx.out").read_text()
            try:
                if s.get("/healthz").status_code == 200:
                    break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
            assert time.monotonic() < deadline, "the site behind nginx did not answer /healthz with 200 in 30 s"
            time.sleep(0.1)
        yield s
    finally:
        if nginx and nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)  # graceful, as 'systemctl stop nginx'
            try:
                nginx.wait(timeout=15)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait()
        for inst in instances:
            inst.stop()


@needs_nginx
def test_plain_http_redirects_to_https(site):
    resp = site.client().get(site.http_base + "/?q=nuoret&region=Kainuu", allow_redirects=False, timeout=15)
    assert resp.status_code == 301
    assert resp.headers["Location"] == "https://localhost/?q=nuoret&region=Kainuu"
    assert "Strict-Transport-Security" not in resp.headers  # browsers take HSTS only over HTTPS


def _static_links(html: str) -> list[str]:
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert links and all(re.search(r"\?v=[0-9a-f]{12}$", link) for link in links), links
    return links


@needs_nginx
def test_security_headers_are_intact_on_pages_json_static_files_and_nginx_errors(site):
    page = site.get("/?q=nuoret")
    responses = {
        "HTML page": page,
        "JSON": site.get("/api/search?q=nuoret"),
        "app 404": site.get("/practice/ei-ole"),
        **{f"static {link}": site.get(link) for link in _static_links(page.text)},
        "static 404": site.get("/static/ei-ole.css"),
        "nginx 413": site.client().post(site.base + "/shortlist/add", data=b"x" * 100_000, timeout=15),
    }
    for what, resp in responses.items():
        for name, value in SECURITY_HEADERS.items():
            # requests joins a header sent twice with ", ": a duplicate would not compare equal.
            assert resp.headers.get(name) == value, (what, resp.status_code, name, resp.headers.get(name))
        assert resp.headers.get("Strict-Transport-Security") == HSTS, what
        assert resp.headers.get("Server") == "nginx", what  # no version
    assert responses["HTML page"].status_code == responses["JSON"].status_code == 200
    assert responses["app 404"].status_code == responses["static 404"].status_code == 404
    assert responses["nginx 413"].status_code == 413


@needs_nginx
def test_static_files_come_from_nginx_cached_for_a_year_and_pages_are_not(site):
    page = site.get("/")
    for link in _static_links(page.text):
        resp = site.get(link)
        assert resp.status_code == 200
        assert resp.content == (ROOT / "app" / "web" / link.split("?")[0].lstrip("/")).read_bytes()
        assert resp.headers["Cache-Control"] == f"max-age={YEAR}" and "Expires" in resp.headers
        assert "Set-Cookie" not in resp.headers  # not the app's answer
    assert "max-age" not in page.headers.get("Cache-Control", "")


@needs_nginx
def test_links_and_the_session_cookie_are_for_https(site):
    """gunicorn trusts nginx's X-Forwarded-Proto: absolute links say https; the cookie is Secure."""
    data = site.get("/api/search?q=nuoret").json()
    assert data["results"] and all(r["url"].startswith("https://localhost/practice/") for r in data["results"])
    feed = site.get("/feed.atom?q=nuoret")
    assert feed.status_code == 200 and "https://localhost/practice/" in feed.text and "http://localhost" not in feed.text
    resp = site.get("/?ui=sv", source="127.0.0.3")
    cookie = resp.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@needs_nginx
def test_word_forms_the_index_never_saw_are_analysed_by_every_worker(site):
    """gunicorn loads the Voikko dictionary before forking its workers (deploy/gunicorn.conf.py):
    the forked workers analyse new inflected forms with it (8 requests reach all four workers)."""
    for word, lemma in [("uravalmennuksessa", "uravalmennus"), ("maahanmuuttajillemme", "maahanmuuttaja")] * 4:
        data = site.get(f"/api/search?q={word}", source="127.0.0.5").json()
        assert data["total"] >= 1, word
        assert lemma in [m["term"] for m in data["results"][0]["matched"]], (word, data["results"][0]["matched"])


GZIPPED = {"/?q=nuoret": "text/html", "/api/search?q=nuoret": "application/json", "/export.csv": "text/csv",
           "/feed.atom": "application/atom+xml"}


@needs_nginx
def test_responses_are_gzipped_when_asked(site):
    page = site.get("/")
    paths = {**GZIPPED, **{link: ("text/css" if ".css" in link else "javascript") for link in _static_links(page.text)}}
    for path, kind in paths.items():
        zipped = site.get(path, headers={"Accept-Encoding": "gzip"}, stream=True)
        raw = zipped.raw.read(decode_content=False)
        plain = site.get(path, headers={"Accept-Encoding": "identity"})
        assert zipped.status_code == plain.status_code == 200, path
        assert kind in zipped.headers["Content-Type"], (path, zipped.headers["Content-Type"])
        assert zipped.headers.get("Content-Encoding") == "gzip", path
        assert "Accept-Encoding" in zipped.headers.get("Vary", ""), path
        assert "Content-Encoding" not in plain.headers, path
        assert len(raw) < len(plain.content), (path, len(raw), len(plain.content))
        unzipped = gzip.decompress(raw)
        if path.startswith("/static/"):
            assert unzipped == plain.content
        else:  # pages carry a per-session token; the rest must match
            assert len(unzipped) > 0.9 * len(plain.content)


@needs_nginx
def test_oversized_requests_and_paths_out_of_the_static_folder_are_refused(site):
    assert site.client().post(site.base + "/shortlist/add", data=b"x" * 100_000, timeout=15).status_code == 413
    assert site.get("/", headers={"X-Padding": "a" * 9000}).status_code == 400
    assert site.get("/", headers={"Cookie": "a=" + "b" * 20_000}).status_code == 400
    secret = (ROOT / "pyproject.toml").read_bytes()[:200]
    for path in ["/static/../pyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml", "/static/..%2f..%2fpyproject.toml",
                 "/static/..%2f..%2f..%2fpyproject.toml", "/static//etc/passwd", "/static/site.css%00.js",
                 "/static../pyproject.toml", "/static/", "/index/CURRENT"]:
        resp = site.get(path)
        assert resp.status_code in (400, 403, 404), (path, resp.status_code)
        assert secret not in resp.content and b"root:x:0:0" not in resp.content, path


@needs_nginx
def test_a_full_shortlist_passes_through_nginx_both_ways(site):
    """The largest session cookie the app makes (50 long slugs) fits nginx's header buffers: as the
    app's Set-Cookie on the way out and as the browser's Cookie on the way in."""
    source = "127.0.0.4"
    page = site.get("/?q=nuoret", source=source)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    rnd = random.Random(4)  # slugs of 60 characters that do not compress (the cookie is zlib-compressed)
    slugs = ["-".join("".join(rnd.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=14)) for _ in range(4))
             for _ in range(50)]
    saved = site.client(source).post(site.base + "/shortlist/save", data={"csrf": token, "ids": ",".join(slugs)},
                                     headers={"Accept": "application/json"}, timeout=15)
    assert saved.status_code == 200 and saved.json()["count"] == 50, saved.text[:300]
    cookie = site.client(source).cookies.get("session")
    assert cookie and len(cookie) > 2500, len(cookie or "")  # about 3 kB
    listed = site.get("/shortlist", source=source)
    assert listed.status_code == 200
    assert site.get("/api/search?q=nuoret", source=source).status_code == 200


@needs_nginx
def test_the_api_rate_limit_answers_429_while_pages_are_not_limited(site):
    """10 requests/s per client with bursts of 20 on /api/; the same client's page views pass.
    Eight requests at a time, so that the rate is exceeded however fast the machine answers."""
    source = "127.0.0.20"

    def fetch_all(paths: list[str]) -> tuple[list[requests.Response], float]:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda p: site.get(p, source=source), paths))
        return answers, time.monotonic() - started

    answers, elapsed = fetch_all(["/api/search?q=nuoret"] * 100)
    codes = Counter(r.status_code for r in answers)
    assert set(codes) == {200, 429}, codes
    # 1 + the burst of 20 at once, then 10 a second.
    assert 21 <= codes[200] <= 21 + 10 * elapsed + 1, (codes, elapsed)
    refused = next(r for r in answers if r.status_code == 429)
    assert refused.json() == {"error": 429, "message": "too many requests"}
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    # The same client at the same pace on pages: never refused.
    pages, page_seconds = fetch_all(["/?q=nuoret", "/practice/kielikoulutus", "/", "/?theme=osallisuus"] * 25)
    assert Counter(r.status_code for r in pages) == {200: 100}
    # Another client is not affected by the first one's limit.
    assert site.get("/api/search?q=nuoret", source="127.0.0.21").status_code == 200
    print(f"\nrate limit: 100 API requests in {elapsed:.2f} s: {codes[200]} answered, {codes[429]} refused (429); "
          f"100 pages in {page_seconds:.2f} s: all answered")


@needs_nginx
def test_normal_requests_are_answered_while_slow_connections_are_held_open(site):
    """40 slowloris connections: 20 send their headers a byte at a time, 10 a form body a byte at a
    time, 10 say nothing. Visitors meanwhile are answered at once; nginx cuts the slow headers and
    the silent ones after its 10 s client_header_timeout; no slow request ever reaches gunicorn."""
    header = b"GET /?q=nuoret HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow\r\n" + b"X-Slow: " + b"s" * 200
    body_head = (b"POST /shortlist/add HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                 b"Content-Length: 4000\r\n\r\n")
    before = [_timed(site, "/?q=nuoret", "127.0.0.31")[1] for _ in range(10)]
    slow: list[dict] = []
    for i in range(40):
        kind = "header" if i < 20 else "body" if i < 30 else "silent"
        sock = site.tls_socket("127.0.0.30")
        if kind == "body":
            sock.sendall(body_head)
        sock.setblocking(False)
        slow.append({"kind": kind, "sock": sock, "sent": 0, "opened": time.monotonic(), "closed": None})
    stop = threading.Event()

    def trickle() -> None:
        while not stop.is_set():
            for c in slow:
                if c["closed"] is not None:
                    continue
                try:
                    data = c["sock"].recv(4096)
                    if data == b"" or data.startswith(b"HTTP/1.1 408"):
                        c["closed"] = time.monotonic() - c["opened"]
                        continue
                except (ssl.SSLWantReadError, BlockingIOError):
                    pass
                except OSError:
                    c["closed"] = time.monotonic() - c["opened"]
                    continue
                try:
                    if c["kind"] == "header" and c["sent"] < len(header):
                        c["sent"] += c["sock"].send(header[c["sent"]:c["sent"] + 1])
                    elif c["kind"] == "body":
                        c["sent"] += c["sock"].send(b"a")
                except (ssl.SSLWantWriteError, BlockingIOError):
                    pass
                except OSError:
                    c["closed"] = time.monotonic() - c["opened"]
            stop.wait(0.5)

    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    during: list[float] = []
    failures: list[str] = []
    paths = ["/?q=nuoret", "/api/search?q=uravalmennus", "/practice/nuorten-uravalmennus", "/healthz", "/?theme=kotoutuminen"]
    try:
        deadline = time.monotonic() + 12.5
        i = 0
        while time.monotonic() < deadline:
            path = paths[i % len(paths)]
            status, seconds = _timed(site, path, f"127.0.0.{32 + i % 2}")
            i += 1
            during.append(seconds)
            if status != 200:
                failures.append(f"{status} {path}")
            time.sleep(0.05)
        cut = {kind: sorted(c["closed"] for c in slow if c["kind"] == kind and c["closed"] is not None)
               for kind in ("header", "silent", "body")}
    finally:
        stop.set()
        trickler.join(timeout=5)
        for c in slow:
            c["sock"].close()
    assert failures == []
    p95 = _p95(during)
    assert max(during) < 2.0 and p95 < 0.5, (max(during), p95)
    # nginx cut every unfinished header after about 10 s; the slow bodies it simply keeps reading.
    assert len(cut["header"]) == 20 and len(cut["silent"]) == 10, cut
    assert all(9 <= t <= 12.5 for t in cut["header"] + cut["silent"]), cut
    assert cut["body"] == [], cut
    print(f"\nslow connections: 40 held; {len(during)} normal requests meanwhile, 0 failed, median "
          f"{statistics.median(during) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {max(during) * 1000:.0f} ms "
          f"(before: median {statistics.median(before) * 1000:.0f} ms); unfinished headers cut after "
          f"{min(cut['header']):.1f}–{max(cut['header']):.1f} s")


def _timed(site: Site, path: str, source: str) -> tuple[int, float]:
    started = time.monotonic()
    try:
        status = site.get(path, source=source).status_code
    except requests.RequestException as exc:
        status = type(exc).__name__
    return status, time.monotonic() - started


def _p95(seconds: list[float]) -> float:
    """The 95th percentile, nearest rank (a time that was measured)."""
    ordered = sorted(seconds)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _latency_by_phase(timeline: list[tuple[float, float, str]], phases: list[tuple[str, float]]) -> str:
    """One line per phase: how many requests started in it, their median, p95 and slowest time."""
    lines = []
    for i, (name, start) in enumerate(phases):
        end = phases[i + 1][1] if i + 1 < len(phases) else float("inf")
        seconds = sorted(sec for t, sec, _ in timeline if start <= t < end)
        if len(seconds) >= 2:
            lines.append(f"  {name:10} {len(seconds):4} requests: median {statistics.median(seconds) * 1000:5.0f} ms, "
                         f"p95 {_p95(seconds) * 1000:5.0f} ms, max {seconds[-1] * 1000:5.0f} ms")
    return "\n".join(lines)


class Load:
    """Visitors on several addresses, each at most 4 requests a second, until stopped; every
    failure is kept, and the index version of each API answer in the order each visitor saw them."""

    PATHS = ["/?q=nuoret", "/?q=uravalmennus&region=Pohjois-Karjala", "/?theme=kotoutuminen", "/",
             "/practice/nuorten-uravalmennus?lang=fi", "/practice/kielikoulutus", "/api/search?q=nuoret",
             "/api/search?q=%22suomen+kielen%22", "/api/practice/nuorten-uravalmennus?lang=sv", "/healthz",
             f"/api/search?q={NEW_WORD}", "/export.csv?q=nuoret", "/feed.atom"]

    LIMIT = 240  # seconds a visitor keeps going at most (a loaded machine makes the restarts slow)

    def __init__(self, site: Site, static: list[str], threads: int = 6) -> None:
        self.site, self.paths = site, self.PATHS + static
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.ok = 0
        self.failures: list[str] = []
        self.seconds: list[float] = []
        self.timeline: list[tuple[float, float, str]] = []  # (start, seconds, path)
        self.versions: dict[int, list[str]] = {i: [] for i in range(threads)}
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]
        self.started = time.monotonic()
        for t in self.threads:
            t.start()

    def _run(self, n: int) -> None:
        rnd = random.Random(n)
        source = f"127.0.0.{11 + n}"
        started = time.monotonic()
        while not self.stop.is_set() and time.monotonic() - started < self.LIMIT:
            path = rnd.choice(self.paths)
            t0 = time.monotonic()
            try:
                resp = self.site.get(path, source=source)
                problem = None if resp.status_code == 200 else f"{resp.status_code} {path}: {resp.text[:200]}"
                if problem is None and (path.startswith("/api/") or path == "/healthz"):
                    data = resp.json()
                    version = data.get("index_version") or data.get("version")
                    if version:
                        self.versions[n].append(version)
                elif problem is None and not path.startswith("/static/") and not path.startswith("/export"):
                    if "Käytäntöpankki" not in resp.text and "<feed" not in resp.text:
                        problem = f"unexpected answer to {path}: {resp.text[:200]}"
            except (requests.RequestException, ValueError) as exc:
                problem = f"{type(exc).__name__} {path}: {exc}"
            seconds = time.monotonic() - t0
            with self.lock:
                self.seconds.append(seconds)
                self.timeline.append((t0, seconds, path))
                if problem:
                    self.failures.append(problem)
                else:
                    self.ok += 1
            self.stop.wait(max(0.0, 0.25 - seconds))

    def count(self) -> int:
        with self.lock:
            return self.ok + len(self.failures)

    def wait_for(self, total: int) -> None:
        """Until ``total`` requests were answered; AssertionError when the visitors stopped before."""
        while self.count() < total:
            assert any(t.is_alive() for t in self.threads), f"the visitors stopped after {self.count()} requests"
            time.sleep(0.05)

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)


@needs_nginx
def test_a_rebuild_and_a_rolling_restart_under_load_lose_no_request(site):
    """Visitors keep browsing (pages, API, practice pages, exports, static files) while build.py
    switches the index to one with a new practice and then both gunicorn instances are restarted one
    after the other (as `systemctl restart kaytantopankki@8001`, then @8002): 0 failed requests."""
    static = _static_links(site.get("/").text)
    old = current_version(site.index)
    load = Load(site, static)
    timings = {}
    try:
        load.wait_for(60)
        write_practice(site.content, NEW_SLUG, "fi", {
            "title": "Tuotantoon vietävä käytäntö", "project": "Käyttöönotto", "regions": ["Kainuu"],
            "themes": ["osallisuus"], "priority": "TL 5 et 10.1"}, f"Käytäntö, jonka {NEW_WORD} löytyy uudesta indeksistä.")
        t0 = time.monotonic()
        proc = subprocess.run([sys.executable, "build.py", "--content", str(site.content), "--index", str(site.index)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        new = current_version(site.index)
        assert new != old
        t1 = time.monotonic()
        while site.get(f"/api/search?q={NEW_WORD}", source="127.0.0.40").json()["total"] != 1:
            assert time.monotonic() - t1 < 30, "the new practice did not become findable through nginx"
            time.sleep(0.15)  # below the API rate limit
        timings["build"], timings["findable"] = t1 - t0, time.monotonic() - t1
        phases = [("before", load.started), ("rebuild", t0), ("switched", t1)]
        at_switch = load.count()
        for n, inst in enumerate(site.instances, 1):
            pid = inst.proc.pid
            t0 = time.monotonic()
            phases.append((f"restart {n}", t0))
            inst.stop()
            inst.start()
            timings[f"restart {n}"] = time.monotonic() - t0
            assert inst.proc.pid != pid
        phases.append(("after", time.monotonic()))
        after_restarts = load.count()
        load.wait_for(max(300, at_switch + 120, after_restarts + 30))
    finally:
        load.finish()
    total = load.ok + len(load.failures)
    assert load.failures == [], load.failures[:10]
    assert total >= 300
    # The switch happened under load, and no visitor saw the old index again once shown the new one.
    seen = [v for vs in load.versions.values() for v in vs]
    assert old in seen and new in seen, Counter(seen)
    for n, versions in load.versions.items():
        first_new = versions.index(new) if new in versions else len(versions)
        assert old not in versions[first_new:], f"visitor {n} saw {old} after {new}"
    # The new practice through nginx: in the API, on the search page and its own page.
    found = site.get(f"/api/search?q={NEW_WORD}").json()
    assert found["total"] == 1 and found["results"][0]["slug"] == NEW_SLUG and found["index_version"] == new
    assert "Tuotantoon vietävä käytäntö" in site.get(f"/?q={NEW_WORD}").text
    assert site.get(f"/practice/{NEW_SLUG}").status_code == 200
    for inst in site.instances:  # both restarted instances serve the new version
        assert DIRECT.get(f"http://127.0.0.1:{inst.port}/healthz", timeout=10).json()["version"] == new
    print(f"\nload: {total} requests from {len(load.threads)} clients, 0 failed; rebuild {timings['build']:.1f} s, "
          f"the new practice findable {timings['findable']:.2f} s later; instances restarted in "
          f"{timings['restart 1']:.1f} s and {timings['restart 2']:.1f} s; API answers: {Counter(seen)[old]} from the "
          f"old version, {Counter(seen)[new]} from the new")
    print(_latency_by_phase(load.timeline, phases))


@needs_nginx
def test_the_access_log_keeps_no_full_client_address(site):
    for source in ("127.0.0.1", "127.0.0.99"):
        assert site.get("/?q=lokitus", source=source).status_code == 200
        site.client(source).get(site.http_base + "/", allow_redirects=False, timeout=15)
    log = (site.logs / "access.log").read_text(encoding="utf-8")
    lines = log.splitlines()
    assert len(lines) >= 20 and any("/?q=lokitus" in line for line in lines)
    assert all(line.startswith("127.0.0.0 - - [") for line in lines), [x for x in lines if not x.startswith("127.0.0.0 ")][:3]
    assert not re.search(r"127\.0\.0\.(?!0\b)\d+", log), "a full client address in the access log"
    # Debian's own access log (full addresses) got nothing of this site.
    default = site.logs / "default-access.log"
    assert not default.exists() or default.read_text() == ""
