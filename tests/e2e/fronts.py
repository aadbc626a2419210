"""The lab's other servers: Apache httpd and Caddy in front of the app, hypercorn behind nginx.

Each runs as the lab runs nginx (tests/e2e/harness.py ``Lab.start``: a bounded lifetime, a
process group of its own, stopped at the end of the test), in the foreground, on 127.0.0.1 only,
with every file it writes inside the scenario's folder:

- Apache httpd: ``apache2 -DFOREGROUND -f httpd.conf``, a whole config of its own (``apache_conf``:
  the modules it needs, its pid file, runtime folder and logs in the folder, one child process
  with threads, as nginx runs one worker); Debian's service and its /etc/apache2 are never used;
- Caddy: ``caddy run --config Caddyfile --adapter caddyfile`` with its admin endpoint off,
  automatic HTTPS off and its home, data and config folders inside the folder (``caddyfile``);
- hypercorn: the ``web:`` command of the folder's Procfile (``hypercorn -c hypercorn.toml ...``),
  serving tests/e2e/asgi_app.py.
- daphne and granian: the ``web:`` command of the folder's Procfile or the ``exec`` line of its
  shell script (``start_asgi``), serving tests/e2e/asgi_app.py.

``deployment`` writes a scenario's deployment (proxy config, app config) and ``start`` runs it;
``race`` counts GW201's keep-alive race for any of them, as tests/e2e/race.py does for nginx: one
client per deployment, POSTs (or GETs) with idle gaps straddling the app's keep-alive, through the
FIN-delay shim (tests/e2e/fin_delay_shim.py) that stands in for the latency between a proxy and
its app.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import textwrap
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from tests.e2e.harness import (
    E2E,
    MORE_SERVERS,
    SCRIPTS,
    Lab,
    Proc,
    Reply,
    Server,
    free_port,
    log_line,
    missing,
    nginx_conf,
    request,
    write,
)
from tests.e2e.race import FIN_DELAY, GAPS

ASGI_APP = E2E / "asgi_app.py"

# where Debian, Fedora/RHEL and the httpd image keep Apache's loadable modules
APACHE_MODULE_DIRS = (
    "/usr/lib/apache2/modules",
    "/usr/lib64/httpd/modules",
    "/usr/lib/httpd/modules",
    "/usr/local/apache2/modules",
)
# what the lab's httpd.conf loads: the event MPM, access control (``Require``, which mod_proxy's
# <Proxy> sections use), the proxy and its HTTP module, and the access log and the switch to an
# unprivileged user where they are modules (Debian builds them in: no .so, no LoadModule)
APACHE_MODULES = (
    ("mpm_event_module", "mod_mpm_event.so"),
    ("authz_core_module", "mod_authz_core.so"),
    ("proxy_module", "mod_proxy.so"),
    ("proxy_http_module", "mod_proxy_http.so"),
    ("log_config_module", "mod_log_config.so"),
    ("unixd_module", "mod_unixd.so"),
)


def _output(argv: list[str]) -> str:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return ""
    return (result.stdout + result.stderr).strip()


def _which(name: str, *more: str) -> str | None:
    for candidate in (shutil.which(name, path=str(SCRIPTS)), shutil.which(name), *more):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _debian(path: str, package: str) -> str:
    """Where a binary comes from: Debian's package, or the system's (another distribution)."""
    if path.startswith("/usr/") and os.path.exists("/etc/debian_version"):
        return f"Debian package {package}"
    return "system"


def _register(server: Server) -> Server:
    MORE_SERVERS.setdefault(server.key, server)
    return server


def need_apache() -> tuple[Server, Path]:
    """Apache httpd (``apache2`` or ``httpd``) and the folder of its modules, or skip (fail
    under CI)."""
    path = _which("apache2", "/usr/sbin/apache2") or _which("httpd", "/usr/sbin/httpd")
    banner = (_output([path, "-v"]).splitlines() or [""])[0] if path else ""
    found = re.search(r"Apache/(\d+\.\d+\.\d+)", banner)
    modules = next(
        (Path(d) for d in APACHE_MODULE_DIRS if (Path(d) / "mod_proxy_http.so").is_file()), None
    )
    if path is None or found is None or modules is None:
        missing("Apache httpd with mod_proxy_http (Debian: apt-get install -y apache2)")
    assert path is not None
    assert found is not None
    assert modules is not None
    apache = Server(
        "apache", "Apache httpd", path, found.group(1), banner, _debian(path, "apache2")
    )
    return _register(apache), modules


def need_caddy() -> Server:
    path = _which("caddy")
    banner = _output([path, "version"]) if path else ""
    found = re.search(r"v?(\d+\.\d+\.\d+)", banner)
    if path is None or found is None:
        missing("Caddy (Debian: apt-get install -y caddy)")
    assert path is not None
    assert found is not None
    origin = _debian(path, "caddy")
    return _register(Server("caddy", "Caddy", path, found.group(1), f"caddy {banner}", origin))


def need_hypercorn() -> Server:
    path = _which("hypercorn")
    try:
        version = metadata.version("hypercorn")
    except metadata.PackageNotFoundError:
        version = ""
    if path is None or not version:
        missing("hypercorn (pip install -e '.[test]')")
    assert path is not None
    banner = f"hypercorn {version}"
    return _register(Server("hypercorn", "hypercorn", path, version, banner, "PyPI hypercorn"))


def _need_pypi(name: str) -> Server:
    """An app server of the virtualenv from PyPI (daphne, granian), or skip (fail under CI)."""
    path = _which(name)
    try:
        version = metadata.version(name)
    except metadata.PackageNotFoundError:
        version = ""
    if path is None or not version:
        missing(f"{name} (pip install -e '.[test]')")
    assert path is not None
    return _register(Server(name, name, path, version, f"{name} {version}", f"PyPI {name}"))


def need_daphne() -> Server:
    return _need_pypi("daphne")


def need_granian() -> Server:
    return _need_pypi("granian")


# ---------------------------------------------------------------------------------------------
# config files


def apache_conf(folder: Path, port: int, modules: Path, site: str) -> str:
    """A whole httpd.conf around a scenario's lines (``site``, inside ``<VirtualHost>``).

    The lines around them only keep httpd inside ``folder`` (pid file, runtime files, logs) and
    on 127.0.0.1:port, in one child process with 16 threads (mod_proxy pools backend connections
    per child process: one child reuses them as one nginx worker does). Started as root, the
    child runs as the unprivileged uid/gid 65534 (httpd refuses to serve as root); it needs no
    file of the folder (the parent opens the logs)."""
    loads = [
        f"LoadModule {name} {modules}/{file}"
        for name, file in APACHE_MODULES
        if (modules / file).is_file()
    ]
    user = (
        ["User #65534", "Group #65534"]
        if os.geteuid() == 0
        else ["# User, Group: httpd runs unprivileged here", "#"]
    )
    access = '"%h %l %u %t \\"%r\\" %>s %b %D"'
    lines = [
        "# gwlint end-to-end lab: loopback only, every file inside this folder",
        f'ServerRoot "{folder}"',
        f'DefaultRuntimeDir "{folder}/tmp/run"',
        f'PidFile "{folder}/tmp/run/httpd.pid"',
        *loads,
        *user,
        "ServerName 127.0.0.1",
        f"Listen 127.0.0.1:{port}",
        f'ErrorLog "{folder}/logs/apache-error.log"',
        "LogLevel warn",
        f'CustomLog "{folder}/logs/apache-access.log" {access}',
        "StartServers 1",
        "ServerLimit 1",
        "ThreadsPerChild 16",
        "MaxRequestWorkers 16",
        "MinSpareThreads 1",
        "MaxSpareThreads 16",
        f"<VirtualHost 127.0.0.1:{port}>",
        textwrap.indent(textwrap.dedent(site).strip("\n"), "    "),
        "</VirtualHost>",
    ]
    return "\n".join(lines) + "\n"


def caddyfile(port: int, site: str) -> str:
    """A whole Caddyfile around a scenario's lines (``site``, inside the site block of
    ``http://127.0.0.1:port``): the admin endpoint and automatic HTTPS off, the server bound to
    127.0.0.1 only (``bind``: the site address alone would listen on every interface, TCP and
    HTTP/3's UDP), its access log on. Caddy logs to its standard output (the folder's
    logs/caddy.log)."""
    body = textwrap.indent(textwrap.dedent(site).strip("\n"), "\t")
    return (
        "# gwlint end-to-end lab: loopback only, every file inside this folder\n"
        "{\n\tadmin off\n\tauto_https off\n}\n\n"
        f"http://127.0.0.1:{port} {{\n"
        "\tbind 127.0.0.1\n"
        "\tlog\n"
        f"{body}\n"
        "}\n"
    )


# ---------------------------------------------------------------------------------------------
# starting them


def start_apache(lab: Lab, folder: Path, *, name: str = "apache") -> Proc:
    """httpd in the foreground on ``folder/httpd.conf`` (see ``apache_conf``)."""
    apache, _ = need_apache()
    (folder / "tmp" / "run").mkdir(parents=True, exist_ok=True)
    conf = (folder / "httpd.conf").read_text()
    port = int(re.search(r"^Listen 127\.0\.0\.1:(\d+)$", conf, re.M).group(1))  # type: ignore[union-attr]
    argv = [apache.path, "-DFOREGROUND", "-f", str(folder / "httpd.conf")]
    return lab.start(name, argv, cwd=folder, port=port)


def start_caddy(lab: Lab, folder: Path, *, name: str = "caddy") -> Proc:
    """``caddy run`` on ``folder/Caddyfile`` (see ``caddyfile``); Caddy's home, data and config
    folders (its autosave.json) are in the folder's tmp/, which holds no config of the
    scenario."""
    caddy = need_caddy()
    home = folder / "tmp" / "caddy"
    for sub in ("data", "config"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    text = (folder / "Caddyfile").read_text()
    port = int(re.search(r"^http://127\.0\.0\.1:(\d+) \{$", text, re.M).group(1))  # type: ignore[union-attr]
    argv = [
        "env",
        f"HOME={home}",
        f"XDG_DATA_HOME={home}/data",
        f"XDG_CONFIG_HOME={home}/config",
        caddy.path,
        "run",
        "--config",
        str(folder / "Caddyfile"),
        "--adapter",
        "caddyfile",
    ]
    return lab.start(name, argv, cwd=folder, port=port)


def start_hypercorn(lab: Lab, folder: Path, *, name: str = "hypercorn", bind: str = "") -> Proc:
    """The ``web:`` command of ``folder/Procfile`` as written (the virtualenv's hypercorn), in
    ``folder`` (which holds asgi_app.py); ``bind`` adds ``--bind`` (the race puts hypercorn
    behind the shim, on another port than the configs name)."""
    hypercorn = need_hypercorn()
    line = next(
        line.partition(":")[2].strip()
        for line in (folder / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    argv = line.split()
    assert argv[0] == "hypercorn", line
    argv = [hypercorn.path, *argv[1:]]
    if bind:
        argv[1:1] = ["--bind", bind]
    shutil.copyfile(ASGI_APP, folder / "asgi_app.py")
    return lab.start(name, argv, cwd=folder, ready=r"Running on http://")


# what daphne and granian log once they listen (daphne/server.py ``listen_success``; granian's
# worker, after the main process bound the socket), and the option that sets the port (the last
# one given wins: argparse, click)
_ASGI_READY = {"daphne": r"Listening on TCP address ", "granian": r"Started worker-1\b"}
_ASGI_PORT = {"daphne": "-p", "granian": "--port"}


def launcher_command(folder: Path, launcher: str) -> list[str]:
    """The command a launcher of ``folder`` runs: the ``web:`` line of a Procfile, or the
    ``exec`` line of a shell script, split on blanks (the lab's commands quote nothing)."""
    text = (folder / launcher).read_text()
    if launcher == "Procfile":
        line = next(ln.partition(":")[2] for ln in text.splitlines() if ln.startswith("web:"))
    else:
        line = next(ln.removeprefix("exec ") for ln in text.splitlines() if ln.startswith("exec "))
    return line.split()


def start_asgi(
    lab: Lab, folder: Path, launcher: str = "Procfile", *, port: int = 0, name: str = ""
) -> Proc:
    """daphne or granian as ``folder/launcher`` starts it (``launcher_command``), with the
    virtualenv's binary, in ``folder`` (which gets asgi_app.py); ``port`` adds the option that
    makes it listen there instead (the race puts it behind the shim, on another port than the
    configs name)."""
    argv = launcher_command(folder, launcher)
    program = argv[0]
    assert program in _ASGI_READY, argv
    server = need_daphne() if program == "daphne" else need_granian()
    argv = [server.path, *argv[1:]]
    if port:
        argv[-1:-1] = [_ASGI_PORT[program], str(port)]  # before the app, the last argument
    shutil.copyfile(ASGI_APP, folder / "asgi_app.py")
    return lab.start(name or program, argv, cwd=folder, ready=_ASGI_READY[program])


# ---------------------------------------------------------------------------------------------
# a scenario's deployments


@dataclass
class Deployment:
    """One deployment of a scenario: its folder, the proxy's port, the app's address as the
    configs name it (``app``) and where the app really listens (``backend``: the same port, or
    another one behind the FIN-delay shim in a race)."""

    name: str
    folder: Path
    port: int
    app: int
    backend: int
    procs: dict[str, Proc] = field(default_factory=dict)  # "app", "proxy" (and "shim")

    @property
    def raced(self) -> bool:
        return self.backend != self.app

    def log(self, name: str) -> Path:
        return self.folder / "logs" / name

    def get(self, path: str) -> Reply:
        return request(self.port, "GET", path)


def deployment(lab: Lab, name: str, files: dict[str, str], *, raced: bool = False) -> Deployment:
    """Write a deployment's files, where ``{app}`` (the app's port in the configs), ``{port}``
    (the proxy's) and ``{folder}`` are filled in. ``httpd.conf``, ``Caddyfile`` and
    ``nginx.conf`` hold the scenario's lines only, which ``apache_conf``, ``caddyfile`` and the
    lab's ``nginx_conf`` wrap (``upstreams``: nginx's http-level blocks). ``raced``: the app
    listens behind the FIN-delay shim (see ``start``)."""
    folder = lab.folder(name)
    port, app = free_port(), free_port()
    dep = Deployment(name, folder, port, app, free_port() if raced else app)

    def filled(text: str) -> str:
        for key, value in (("{app}", app), ("{port}", port), ("{folder}", folder)):
            text = text.replace(key, str(value))
        return text

    given = {file: filled(content) for file, content in files.items()}
    upstreams = given.pop("upstreams", "")
    text: dict[str, str] = {}
    for file, content in given.items():
        if file == "httpd.conf":
            _, modules = need_apache()
            content = apache_conf(folder, port, modules, content)
        elif file == "Caddyfile":
            content = caddyfile(port, content)
        elif file == "nginx.conf":
            content = nginx_conf(folder, port, content, upstreams)
        text[file] = content
    write(folder, text)
    return dep


def start(lab: Lab, dep: Deployment) -> Deployment:
    """Start the deployment: its app server (gunicorn on gunicorn.conf.py, or the Procfile's
    hypercorn), the FIN-delay shim in front of it when raced, then its proxy."""
    folder = dep.folder
    bind = f"127.0.0.1:{dep.backend}"
    if (folder / "gunicorn.conf.py").is_file():
        args = ["-c", "gunicorn.conf.py", *(["--bind", bind] if dep.raced else []), "app:app"]
        dep.procs["app"] = lab.gunicorn(folder, *args)
    else:
        dep.procs["app"] = start_hypercorn(lab, folder, bind=bind if dep.raced else "")
    if dep.raced:
        dep.procs["shim"] = lab.shim(folder, dep.app, dep.backend, FIN_DELAY)
    if (folder / "httpd.conf").is_file():
        dep.procs["proxy"] = start_apache(lab, folder)
    elif (folder / "Caddyfile").is_file():
        dep.procs["proxy"] = start_caddy(lab, folder)
    else:
        dep.procs["proxy"] = lab.nginx(folder)
    return dep


# ---------------------------------------------------------------------------------------------
# their logs

_APACHE_TIME = re.compile(r"^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d [\d:.]+ \d{4}\] ")
_APACHE_PID = re.compile(r"\[pid \d+(?::tid \d+)?\] ")
# what changes from run to run in Caddy's JSON log entries
_CADDY_VOLATILE = frozenset({"ts", "err_id", "duration", "remote_port", "size", "user_id"})


def apache_entry(line: str) -> str:
    """An error_log line without its time and process ids (normalise() drops the ports):
    ``[proxy_http:error] (70007)The timeout specified has expired: [client ...] AH01102: ...``."""
    return _APACHE_PID.sub("", _APACHE_TIME.sub("", line.strip()))


def apache_log(dep: Deployment, text: str) -> str:
    """The first line of the deployment's Apache error_log with ``text``, waiting a little."""
    return apache_entry(log_line(dep.log("apache-error.log"), text))


def caddy_entry(line: str) -> str:
    """A Caddy JSON log entry without its time, ids, durations and the client's port, keys in
    Caddy's order: ``{"level":"error","logger":"http.log.error","msg":"EOF",...}``."""

    def clean(value: object) -> object:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in _CADDY_VOLATILE}
        return value

    return json.dumps(clean(json.loads(line)), separators=(",", ":"), ensure_ascii=False)


def caddy_log(dep: Deployment, *texts: str) -> str:
    """The first entry of Caddy's log (its standard output) with all of ``texts``."""
    path = dep.log("caddy.log")
    deadline = time.monotonic() + 5
    while True:
        text = path.read_text(errors="replace") if path.exists() else ""
        for line in text.splitlines():
            if line.startswith("{") and all(t in line for t in texts):
                return caddy_entry(line)
        if time.monotonic() > deadline:
            raise AssertionError(f"{path}: no entry with {texts}; its end:\n{text[-2000:]}")
        time.sleep(0.05)


# ---------------------------------------------------------------------------------------------
# the keep-alive race, counted


@dataclass
class Racer:
    """One deployment of a race: one client sends ``method`` requests to ``port``; the status
    of each reply is counted, and the time each 200 took is kept."""

    name: str
    port: int
    method: str = "POST"
    counts: Counter[int | str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, status: int) -> float:
        return self.counts[status] / self.total if self.total else 0.0


def race(racers: list[Racer], duration: float, gaps: tuple[float, float] = GAPS) -> None:
    """All ``racers`` at once for ``duration`` seconds: each client sends a request (a 100-byte
    POST, or a GET), waits an idle gap drawn in ``gaps`` (the same seed for all), and again."""
    end = time.monotonic() + duration

    def client(racer: Racer) -> None:
        rnd = random.Random(0)
        while time.monotonic() < end:
            body = b"x" * 100 if racer.method == "POST" else None
            reply = request(racer.port, racer.method, "/race", body=body, timeout=10)
            racer.counts[reply.status] += 1  # one thread per racer
            if reply.status == 200:
                racer.seconds.append(reply.seconds)
            time.sleep(rnd.uniform(*gaps))

    threads = [threading.Thread(target=client, args=(r,), daemon=True) for r in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 30)
