"""The GW1xx rules (timeouts) on real servers, beyond GW101/GW102 (test_scenarios.py): a stop
that outlasts the orchestrator's grace period (GW108), uWSGI 2.0's reload on SIGTERM (GW109), a
worker nothing frees (GW110, GW106) and an unbuffered upload that pauses (GW107). Each scenario
lints its deployment, triggers the failure, applies gwlint's own fix and checks the failure is
gone; what it saw goes to docs/evidence.json.

The orchestrator is played by the test, as Kubernetes plays it: SIGTERM to the app server's
master (the process the manifest's ``command`` starts), then SIGKILL to every process of the
container when ``terminationGracePeriodSeconds`` (which gwlint reads from the manifest) is over.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sysconfig
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from gwlint.rules.base import PREMATURELY
from tests.e2e.evidence import Evidence
from tests.e2e.harness import Lab, Proc, Reply, log_line
from tests.e2e.scenario import Site, claimed, fix_of, one, record, site

pytestmark = pytest.mark.e2e

TIMED_OUT = "upstream timed out (110: "
READING = "while reading response header from upstream"

# ---------------------------------------------------------------------------------------------
# the orchestrator


def manifest(grace: int, command: list[str]) -> str:
    """A Kubernetes Deployment whose one container runs ``command``, stopped with SIGTERM and,
    ``grace`` seconds later, SIGKILL."""
    words = ", ".join(command)
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n"
        "  selector:\n    matchLabels:\n      app: app\n  template:\n    metadata:\n"
        "      labels:\n        app: app\n    spec:\n"
        f"      terminationGracePeriodSeconds: {grace}\n"
        "      containers:\n        - name: app\n          image: app:1\n"
        f"          command: [{words}]\n"
    )


def master_pid(proc: Proc) -> int:
    """The server's master: the one child of the ``timeout`` the lab runs it under."""
    pid = proc.popen.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    assert len(children) == 1, (proc.name, children)
    return int(children[0])


def stop(proc: Proc, grace: float) -> tuple[str, float]:
    """What an orchestrator does: SIGTERM to the master, SIGKILL to the whole container (the
    process group) once ``grace`` seconds are over. Returns how it ended ("exited by itself" or
    "SIGKILL") and when, counted from the SIGTERM."""
    os.kill(master_pid(proc), signal.SIGTERM)
    start = time.monotonic()
    try:
        proc.popen.wait(timeout=grace)
        return "exited by itself", time.monotonic() - start
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.popen.pid, signal.SIGKILL)
        proc.popen.wait(timeout=5)
        return "SIGKILL", time.monotonic() - start


def sleep_request(pool: ThreadPoolExecutor, s: Site, path: str, server: Proc) -> Future[Reply]:
    """GET ``path`` (the app's /sleep) in the background; returns once the app has it."""
    future = pool.submit(s.get, path)
    log_line(server, "GET /report/sleep ")
    return future


def lint_fires(s: Site, code: str, *files: str) -> dict[str, object]:
    return one(s.lint(code, *files), code)


# ---------------------------------------------------------------------------------------------
# GW108: the app's graceful shutdown outlasts the orchestrator's stop timeout

GW108_LOCATION = "location / {{\n    proxy_pass http://127.0.0.1:{app};\n}}"
GW108_COMMAND = ["gunicorn", "app:app", "--bind=127.0.0.1:{app}", "--graceful-timeout=6"]


def _gw108_site(lab: Lab, name: str, grace: int) -> Site:
    return site(lab, name, GW108_LOCATION, {"deploy.yaml": manifest(grace, GW108_COMMAND)})


def _gunicorn_of(lab: Lab, s: Site) -> Proc:
    """gunicorn as the manifest's command runs it (the virtualenv's gunicorn)."""
    spec = yaml.safe_load((s.folder / "deploy.yaml").read_text())["spec"]["template"]["spec"]
    command = [str(word) for word in spec["containers"][0]["command"]]
    assert command[0] == "gunicorn", command
    return lab.gunicorn(s.folder, *command[1:])


def test_gw108_sigkill_before_graceful_timeout(lab: Lab, evidence: Evidence) -> None:
    """gunicorn --graceful-timeout=6 in a Deployment with terminationGracePeriodSeconds: 2; a 4 s
    request is running when the pod is stopped: the SIGKILL at 2 s cuts it (nginx 502) and
    gunicorn never finishes its shutdown. gwlint's fix (graceful_timeout below 2 s): gunicorn
    ends the request itself and exits before the SIGKILL; gwlint's other fix (a grace period of
    11 s): the request finishes (200) and gunicorn exits."""
    bad = _gw108_site(lab, "gw108", grace=2)
    diagnostic = lint_fires(bad, "GW108", "nginx.conf", "deploy.yaml")
    expect = claimed(
        "GW108", "gw108-sigkill", 502, PREMATURELY, "Handling signal: term", "Shutting down: Master"
    )
    shorter = fix_of(
        diagnostic,
        r"^change --graceful-timeout=6 to --graceful-timeout (\d+) in deploy\.yaml:\d+ ",
    )
    longer = fix_of(
        diagnostic, r"raise the grace period \(terminationGracePeriodSeconds, [^)]*\) to (\d+) s "
    )
    fix_a = _gw108_site(lab, "gw108-graceful", grace=2)
    fix_a.edit("deploy.yaml", "--graceful-timeout=6]", f"--graceful-timeout, '{shorter.group(1)}']")
    fix_b = _gw108_site(lab, "gw108-grace", grace=2)
    fix_b.edit(
        "deploy.yaml",
        "terminationGracePeriodSeconds: 2\n",
        f"terminationGracePeriodSeconds: {longer.group(1)}\n",
    )
    for fixed_site in (fix_a, fix_b):
        assert fixed_site.lint("GW108", "nginx.conf", "deploy.yaml") == []
    sites = {"bad": (bad, 2), "a": (fix_a, 2), "b": (fix_b, int(longer.group(1)))}
    servers = {key: _gunicorn_of(lab, s) for key, (s, _) in sites.items()}
    for s, _ in sites.values():
        s.start_nginx()

    path = "/report/sleep?s=4"
    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = {key: sleep_request(pool, s, path, servers[key]) for key, (s, _) in sites.items()}
        stops = {key: pool.submit(stop, servers[key], grace) for key, (_, grace) in sites.items()}
        ends = {key: future.result() for key, future in stops.items()}
        got = {key: future.result(timeout=10) for key, future in replies.items()}

    # the mismatch: the orchestrator's SIGKILL comes first
    broken = got["bad"]
    assert ends["bad"][0] == "SIGKILL", ends
    assert str(broken.status) == expect.split(";")[0], broken
    assert 1.5 < broken.seconds < 3.5, broken  # the 2 s grace period, not the app's 4 s
    closed = bad.nginx_log(PREMATURELY)
    term = log_line(servers["bad"], "Handling signal: term")
    assert "Shutting down: Master" not in servers["bad"].text()
    # gwlint's fix: gunicorn ends the request itself and exits before the SIGKILL
    assert ends["a"][0] == "exited by itself", ends
    assert ends["a"][1] < 2, ends
    assert got["a"].status == 502, got["a"]
    assert got["a"].seconds < 2, got["a"]  # cut at 1 s, by gunicorn
    clean = log_line(servers["a"], "Shutting down: Master")
    # gwlint's other fix: a grace period longer than graceful_timeout: the request finishes
    assert ends["b"][0] == "exited by itself", ends
    assert got["b"].status == 200, got["b"]
    log_line(servers["b"], "Shutting down: Master")

    record(
        evidence,
        lab,
        id="gw108-sigkill",
        code="GW108",
        variant="graceful_timeout 6 > terminationGracePeriodSeconds 2",
        scenario="A Kubernetes Deployment (`terminationGracePeriodSeconds: 2`) whose container "
        "runs `gunicorn app:app --graceful-timeout=6`, behind nginx; a 4 s request is running "
        "when the test, playing the orchestrator, sends SIGTERM to gunicorn's master and SIGKILL "
        "to every process 2 s later. The two fixes run side by side.",
        app="gunicorn (sync worker)",
        nginx=bad.nginx,
        diagnostic=diagnostic,
        request_=f"GET {path}, then SIGTERM (SIGKILL 2 s later)",
        predicted_=expect,
        reply=broken,
        logs=[
            ("nginx error.log", closed),
            ("gunicorn", term),
            ("gunicorn, with gwlint's fix", clean),
        ],
        fix=f"`{shorter.group(0).strip()}` (gwlint's fix); or `terminationGracePeriodSeconds: "
        f"{longer.group(1)}` (gwlint's other fix)",
        fixed=f"gwlint quiet; with graceful_timeout {shorter.group(1)}, gunicorn cuts the request "
        f"itself ({got['a'].status}) and exits before the SIGKILL ('Shutting down: Master'); with "
        f"a grace period of {longer.group(1)} s, the request finishes ({got['b'].status}) and "
        "gunicorn exits by itself",
        measured=f"{broken.status} after {broken.seconds:.1f} s (SIGKILL at {ends['bad'][1]:.1f} "
        f"s); fix: gunicorn exited {ends['a'][1]:.1f} s after SIGTERM; other fix: "
        f"{got['b'].status} after {got['b'].seconds:.1f} s, exit {ends['b'][1]:.1f} s after "
        "SIGTERM",
    )


# ---------------------------------------------------------------------------------------------
# GW109: uWSGI 2.0 reloads on SIGTERM


def _app_ini(folder: Path, app: int) -> str:
    """The lab's uWSGI ini without die-on-term (``uwsgi_ini`` adds it)."""
    return (
        "[uwsgi]\n"
        f"socket = 127.0.0.1:{app}\n"
        "master = true\n"
        "processes = 1\n"
        f"wsgi-file = {folder}/app.py\n"
        "callable = app\n"
    )


def _uwsgi(lab: Lab, s: Site, name: str = "uwsgi") -> Proc:
    argv = [lab.tools.uwsgi, "--ini", str(s.folder / "app.ini")]
    return lab.start(name, argv, cwd=s.folder, ready=r"spawned uWSGI worker 1 ")


def test_gw109_uwsgi_reloads_on_sigterm(
    lab: Lab, evidence: Evidence, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uWSGI 2.0 with a master and no die-on-term, in a Deployment with
    terminationGracePeriodSeconds: 3: SIGTERM cuts the running request (502) and reloads the
    stack, which serves again until the SIGKILL. With gwlint's fix (die-on-term and the graceful
    hook), the running request finishes and uWSGI exits."""
    # pyuwsgi re-executes the interpreter itself (not the virtualenv's): tell it where uWSGI is,
    # so that the reload works as with a uwsgi binary
    monkeypatch.setenv("PYTHONPATH", sysconfig.get_paths()["purelib"])
    location = "location / {{\n    include uwsgi_params;\n    uwsgi_pass 127.0.0.1:{app};\n}}"
    s = site(
        lab,
        "gw109",
        location,
        {"deploy.yaml": manifest(3, ["uwsgi", "--ini", "app.ini"])},
    )
    (s.folder / "app.ini").write_text(_app_ini(s.folder, s.app))
    diagnostic = lint_fires(s, "GW109", "nginx.conf", "deploy.yaml", "app.ini")
    brutally, binary = "...brutally killing workers...", "binary reloading uWSGI..."
    gracefully, goodbye = "graceful shutdown triggered...", "goodbye to uWSGI."
    expect = claimed(
        "GW109", "gw109-reload", 502, brutally, binary, PREMATURELY, gracefully, goodbye
    )
    uwsgi = _uwsgi(lab, s)
    s.start_nginx()
    path = "/report/sleep?s=2"
    with ThreadPoolExecutor(max_workers=1) as pool:
        reply = sleep_request(pool, s, path, uwsgi)
        os.kill(master_pid(uwsgi), signal.SIGTERM)
        start = time.monotonic()
        broken = reply.result(timeout=10)
    assert str(broken.status) == expect.split(";")[0], broken
    assert broken.seconds < 1.5, broken  # cut at the SIGTERM, not after the app's 2 s
    logs = [
        ("uWSGI", log_line(uwsgi, brutally)),
        ("uWSGI", log_line(uwsgi, binary)),
        ("nginx error.log", s.nginx_log(PREMATURELY)),
    ]
    respawned = log_line(uwsgi, "gracefully (RE)spawned uWSGI master process")
    meanwhile = s.get("/after-sigterm")  # the reloaded stack serves: it did not stop
    assert meanwhile.status == 200, meanwhile
    time.sleep(max(0.0, 3 - (time.monotonic() - start)))
    assert uwsgi.popen.poll() is None, "uWSGI stopped on SIGTERM"  # still there at 3 s
    os.killpg(uwsgi.popen.pid, signal.SIGKILL)  # the orchestrator's SIGKILL
    uwsgi.popen.wait(timeout=5)
    lab.stop(uwsgi)

    fix = fix_of(
        diagnostic,
        r"^set die-on-term = true in app\.ini; set hook-master-start = unix_signal:15 "
        r"gracefully_kill_them_all in app\.ini",
    )
    s.edit(
        "app.ini",
        "master = true\n",
        "master = true\ndie-on-term = true\n"
        "hook-master-start = unix_signal:15 gracefully_kill_them_all\n",
    )
    assert s.lint("GW109", "nginx.conf", "deploy.yaml", "app.ini") == []
    uwsgi = _uwsgi(lab, s, name="uwsgi-fixed")
    path = "/report/sleep?s=1"  # well within the 3 s: uWSGI exits a second after it ends
    with ThreadPoolExecutor(max_workers=1) as pool:
        reply = sleep_request(pool, s, path, uwsgi)
        how, when = stop(uwsgi, 3)
        fixed = reply.result(timeout=10)
    assert how == "exited by itself", (how, when, uwsgi.text()[-2000:])
    assert fixed.status == 200, fixed
    logs += [
        ("uWSGI, with gwlint's fix", log_line(uwsgi, gracefully)),
        ("uWSGI, with gwlint's fix", log_line(uwsgi, goodbye)),
    ]
    assert binary not in uwsgi.text()
    record(
        evidence,
        lab,
        id="gw109-reload",
        code="GW109",
        variant="uWSGI 2.0, master, no die-on-term",
        scenario="A Kubernetes Deployment (`terminationGracePeriodSeconds: 3`) whose container "
        "runs `uwsgi --ini app.ini` (`master = true`, one process, no `die-on-term`) behind "
        "`uwsgi_pass`; a 2 s request is running when the test, playing the orchestrator, sends "
        "SIGTERM to the master. (pyuwsgi re-executes the base interpreter on a reload: "
        "PYTHONPATH names the virtualenv's site-packages, as a uwsgi binary needs nothing.)",
        app="uWSGI",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="GET /report/sleep?s=2, then SIGTERM",
        predicted_=expect,
        reply=broken,
        logs=logs,
        fix=f"`{fix.group(0)}` (gwlint's fix)",
        fixed=f"gwlint quiet; a running request (GET {path}) finishes ({fixed.status}) and uWSGI "
        f"exits {when:.1f} s after SIGTERM, before the SIGKILL",
        measured=f"{broken.status} after {broken.seconds:.1f} s; after the SIGTERM the master "
        f"logged '{respawned.split(' (pid')[0].split(' - ')[-1]}' and answered "
        f"{meanwhile.status} until the SIGKILL at 3 s",
    )


# ---------------------------------------------------------------------------------------------
# GW110 and GW106: nothing frees a stuck worker


@dataclass
class Stuck:
    """One deployment whose single worker a request hangs, and the same one with gwlint's fix."""

    broken: Site
    fixed: Site
    server: Proc
    fixed_server: Proc
    freed: str  # the fixed server's log line when its watchdog frees the worker
    wait: int  # seconds the watchdog takes, at most


@dataclass
class StuckSeen:
    hung: Reply  # the hung request, broken deployment
    fixed_hung: Reply  # the hung request, fixed deployment
    next_: Reply  # the next request while the worker is stuck
    freed: str  # the fixed server's log line
    fixed: Reply  # the next request once the watchdog freed the worker
    still: Reply  # the broken deployment, at the same time


def _stuck(case: Stuck) -> StuckSeen:
    with ThreadPoolExecutor(max_workers=2) as pool:
        hung, fixed_hung = pool.map(
            lambda s: s.get("/report/sleep?s=30"), (case.broken, case.fixed)
        )
    next_ = case.broken.get("/next")
    freed = log_line(case.fixed_server, case.freed, wait=case.wait + 5)
    fixed = _until_200(case.fixed)
    still = case.broken.get("/next")
    return StuckSeen(hung, fixed_hung, next_, freed, fixed, still)


def _until_200(s: Site) -> Reply:
    """The first 200 within 5 s: the server starts a new worker after its watchdog fired."""
    deadline = time.monotonic() + 5
    while True:
        reply = s.get("/next")
        if reply.status == 200 or time.monotonic() > deadline:
            return reply


def test_gw106_gw110_nothing_frees_a_stuck_worker(lab: Lab, evidence: Evidence) -> None:
    """One worker, a read timeout of 1 s, a request that hangs: gunicorn `timeout = 0` (GW106)
    and uWSGI without harakiri (GW110) answer 504 to it and to every request after it, for good.
    With gwlint's fixes, side by side: WORKER TIMEOUT / HARAKIRI frees the worker and the next
    request gets 200. Both rules run at once (each waits for a 5 s watchdog)."""
    read = "    {module}_read_timeout 1s;\n"
    g_location = "location / {{\n" + read.format(module="proxy")
    g_location += "    proxy_pass http://127.0.0.1:{app};\n}}"
    g_files = {"gunicorn.conf.py": "bind = '127.0.0.1:{app}'\ntimeout = 0\n"}
    g = site(lab, "gw106", g_location, g_files)
    g_diagnostic = lint_fires(g, "GW106", "nginx.conf", "gunicorn.conf.py")
    g_expect = claimed("GW106", "gw106-timeout-zero", 504, TIMED_OUT, "WORKER TIMEOUT")
    timeout = fix_of(g_diagnostic, r"^set timeout = (\d+) in gunicorn\.conf\.py")
    g_fixed = site(lab, "gw106-fixed", g_location, g_files)
    g_fixed.edit("gunicorn.conf.py", "timeout = 0\n", f"timeout = {timeout.group(1)}\n")
    assert g_fixed.lint("GW106", "nginx.conf", "gunicorn.conf.py") == []

    u_location = "location / {{\n    include uwsgi_params;\n" + read.format(module="uwsgi")
    u_location += "    uwsgi_pass 127.0.0.1:{app};\n}}"
    u_files = {"uwsgi.ini": "socket = 127.0.0.1:{app}"}
    u = site(lab, "gw110", u_location, u_files)
    u_diagnostic = lint_fires(u, "GW110", "nginx.conf", "uwsgi.ini")
    u_expect = claimed("GW110", "gw110-stuck", 504, TIMED_OUT, "HARAKIRI ON WORKER")
    harakiri = fix_of(u_diagnostic, r"^set harakiri = (\d+) in uwsgi\.ini")
    u_fixed = site(lab, "gw110-fixed", u_location, u_files)
    u_fixed.edit("uwsgi.ini", "\nwsgi-file", f"\nharakiri = {harakiri.group(1)}\nwsgi-file")
    assert u_fixed.lint("GW110", "nginx.conf", "uwsgi.ini") == []

    cases = {
        "GW106": Stuck(
            g,
            g_fixed,
            lab.gunicorn(g.folder, "app:app"),
            lab.gunicorn(g_fixed.folder, "app:app"),
            "WORKER TIMEOUT",
            int(timeout.group(1)),
        ),
        "GW110": Stuck(
            u,
            u_fixed,
            lab.uwsgi(u.folder),
            lab.uwsgi(u_fixed.folder),
            "HARAKIRI ON WORKER",
            int(harakiri.group(1)),
        ),
    }
    for case in cases.values():
        case.broken.start_nginx()
        case.fixed.start_nginx()
    with ThreadPoolExecutor(max_workers=2) as pool:
        seen = dict(zip(cases, pool.map(_stuck, cases.values()), strict=True))

    for code, expect in (("GW106", g_expect), ("GW110", u_expect)):
        case, what = cases[code], seen[code]
        status = expect.split(";")[0]
        assert str(what.hung.status) == status, (code, what.hung)
        assert str(what.fixed_hung.status) == status, (code, what.fixed_hung)
        assert what.next_.status == 504, (code, what.next_)  # the one worker is still stuck
        assert what.fixed.status == 200, (code, what.fixed)
        assert what.still.status == 504, (code, what.still)  # nothing ever frees it
        assert case.freed.split()[0] not in case.server.text(), code
    scenario = (
        "{server} behind `{module}_read_timeout 1s`; the first request hangs (the app sleeps "
        "30 s), then more requests; the same deployment with gwlint's fix runs side by side."
    )
    for code, sid, diagnostic, expect, fix, app, server, module in (
        (
            "GW106",
            "gw106-timeout-zero",
            g_diagnostic,
            g_expect,
            timeout,
            "gunicorn (sync worker)",
            "gunicorn `timeout = 0` (one sync worker)",
            "proxy",
        ),
        (
            "GW110",
            "gw110-stuck",
            u_diagnostic,
            u_expect,
            harakiri,
            "uWSGI",
            "uWSGI with one process and no `harakiri`",
            "uwsgi",
        ),
    ):
        case, what = cases[code], seen[code]
        timed_out = case.broken.nginx_log(TIMED_OUT)
        assert READING in timed_out
        where = "gunicorn" if code == "GW106" else "uWSGI"
        record(
            evidence,
            lab,
            id=sid,
            code=code,
            variant="timeout = 0, sync worker" if code == "GW106" else "no harakiri, one process",
            scenario=scenario.format(server=server, module=module),
            app=app,
            nginx=case.broken.nginx,
            diagnostic=diagnostic,
            request_="GET /report/sleep?s=30, then GET /next",
            predicted_=expect,
            reply=what.hung,
            logs=[("nginx error.log", timed_out), (f"{where}, with gwlint's fix", what.freed)],
            fix=f"`{fix.group(0)}` (gwlint's fix)",
            fixed=f"gwlint quiet; the hung request still gets nginx's {what.fixed_hung.status}, "
            f"then {case.freed.split(' ON ')[0]} frees the worker and the next request gets "
            f"{what.fixed.status}; without the fix, GET /next still gets {what.still.status}",
            measured=f"GET /next: {what.next_.status} after {what.next_.seconds:.1f} s while the "
            "worker is stuck",
        )


# ---------------------------------------------------------------------------------------------
# GW107: unbuffered uploads to uWSGI with a short socket-timeout


def slow_upload(port: int, path: str, size: int, pause: float) -> tuple[str, float]:
    """POST ``size`` bytes: half of them, a ``pause`` (a client on a slow network), the rest.
    Returns the status line (or what ended the exchange) and the time it took."""
    start = time.monotonic()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {size}\r\n"
        "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(head + b"x" * (size // 2))
        time.sleep(pause)
        try:
            sock.sendall(b"x" * (size - size // 2))
        except OSError as exc:
            return f"send failed: {type(exc).__name__}", time.monotonic() - start
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except OSError as exc:
            if not data:
                return f"recv failed: {type(exc).__name__}", time.monotonic() - start
    line = data.split(b"\r\n", 1)[0].decode(errors="replace")
    return line or "connection closed, no answer", time.monotonic() - start


def test_gw107_unbuffered_upload_pauses(lab: Lab, evidence: Evidence) -> None:
    """`uwsgi_request_buffering off` in front of uWSGI `socket-timeout = 1`: an upload that pauses
    2 s halfway fails (uWSGI gives up on the body, the app gets an OSError, nginx answers 502);
    with gwlint's fix (nginx buffers the body again) the same upload gets 200."""
    location = (
        "location /upload/ {{\n    uwsgi_request_buffering off;\n    include uwsgi_params;\n"
        "    uwsgi_pass 127.0.0.1:{app};\n}}"
    )
    s = site(lab, "gw107", location, {"uwsgi.ini": "socket = 127.0.0.1:{app}\nsocket-timeout = 1"})
    diagnostic = lint_fires(s, "GW107", "nginx.conf", "uwsgi.ini")
    body_read = "[uwsgi-body-read] Timeout reading "
    oserror = "timeout during read(200000) on wsgi.input"
    uwsgi_500 = "(HTTP/1.1 500) 0 headers"
    expect = claimed("GW107", "gw107-pause", 502, body_read, oserror, uwsgi_500, PREMATURELY)
    uwsgi = lab.uwsgi(s.folder)
    nginx = s.start_nginx()
    size, pause = 200_000, 2.0
    status, seconds = slow_upload(s.port, "/upload/report.csv", size, pause)
    assert status.split(" ")[1:2] == [expect.split(";")[0]], status
    logs = [
        ("uWSGI", log_line(uwsgi, body_read)),
        ("uWSGI", log_line(uwsgi, oserror)),
        ("uWSGI", _request_log(log_line(uwsgi, uwsgi_500))),
        ("nginx error.log", s.nginx_log(PREMATURELY)),
    ]

    remove = fix_of(diagnostic, r"^remove uwsgi_request_buffering off \(recommended")
    s.edit("nginx.conf", "uwsgi_request_buffering off;\n", "")
    assert s.lint("GW107", "nginx.conf", "uwsgi.ini") == []
    lab.stop(nginx)
    s.start_nginx()
    fixed, fixed_seconds = slow_upload(s.port, "/upload/report.csv", size, pause)
    assert fixed.split(" ")[1:2] == ["200"], fixed
    record(
        evidence,
        lab,
        id="gw107-pause",
        code="GW107",
        variant="uwsgi_request_buffering off, socket-timeout 1",
        scenario="`uwsgi_request_buffering off` in front of uWSGI `socket-timeout = 1`; the client "
        f"sends half of a {size}-byte POST, pauses {pause} s (a slow network), then the rest. The "
        "app reads the whole body.",
        app="uWSGI",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_=f"POST /upload/report.csv ({size} bytes, a {pause} s pause halfway)",
        predicted_=expect,
        reply=status.split(" ")[1],
        logs=logs,
        fix=f"`{remove.group(0).removesuffix(' (recommended')}` (gwlint's fix)",
        fixed=f"gwlint quiet; nginx buffers the body and the same upload gets "
        f"{fixed.split(' ')[1]}",
        measured=f"{status} after {seconds:.1f} s; {fixed} after {fixed_seconds:.1f} s with the "
        "fix",
    )


def _request_log(line: str) -> str:
    """uWSGI's request log line from the request on: without its PID, time and duration."""
    return re.sub(r"in \d+ msecs", "in N msecs", line[line.index("POST ") :])
