"""A day of mixed failures on one deployment, for ``gwlint diagnose`` to tell apart.

nginx -> gunicorn 27 (sync worker, ``timeout = 2``, four workers) behind ``proxy_read_timeout
10s``, serving an app of its own: ``/`` answers at once, ``/slow`` after 4 s, ``/boom`` raises.
The traffic: 200 good requests in parallel with a few slow ones (gunicorn kills each worker after
2 s and, since 22.0, answers its own 500: nginx's error log says nothing) and a few that raise
(500, a traceback in gunicorn's log); then gunicorn stopped (SIGTERM) for 3 s and started again
while a client keeps asking (nginx answers 502: ``connect() failed (111: Connection refused)``);
then good requests again. Its real logs and configs are kept as fixtures/diagnose/mixed/ (see
scenario.py ``keep``), where tests/test_diagnose_lab.py expects three causes: GW101, GW901 and
GW902. Note gunicorn's "Worker (pid:N) was sent SIGKILL! Perhaps out of memory?" after a worker
timeout: the arbiter's SIGKILL of a worker slow to die after its SIGABRT (gunicorn/arbiter.py
murder_workers), not the kernel's OOM killer.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.evidence import Evidence
from tests.e2e.harness import Lab, Reply, log_line
from tests.e2e.scenario import keep, one, site

pytestmark = pytest.mark.e2e

GOOD, SLOW, BOOM = 200, 3, 3  # requests of each kind in the first wave
AFTER = 100  # good requests after the restart
DOWN = 3.0  # seconds gunicorn is stopped
APP_SLEEP = 4  # seconds /slow takes: above gunicorn's timeout (2), below proxy_read_timeout (10)

MIXED_APP = f'''\
"""The mixed scenario's app: / answers at once, /slow after {APP_SLEEP} s, /boom raises."""

import time


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/slow":
        time.sleep({APP_SLEEP})
    if path == "/boom":
        raise RuntimeError("mixed-app: the payment service said no")
    body = b"ok\\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
'''

GUNICORN_CONF = "bind = '127.0.0.1:{app}'\nworkers = 4\ntimeout = 2\n"
CLIENTS = 24  # requests in flight at once: nginx's 128 worker_connections hold 2 per request


def at_once(calls: list[Callable[[], Reply]]) -> list[Reply]:
    """The calls, CLIENTS at a time; the replies in order."""
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        return list(pool.map(lambda call: call(), calls))


LOCATION = "location / {{\n    proxy_read_timeout 10s;\n    proxy_pass http://127.0.0.1:{app};\n}}"


def test_mixed_worker_timeout_exception_and_restart(lab: Lab, evidence: Evidence) -> None:
    s = site(lab, "mixed", LOCATION, {"gunicorn.conf.py": GUNICORN_CONF})
    (s.folder / "app.py").write_text(MIXED_APP)
    diagnostic = one(s.lint("GW101", "nginx.conf", "gunicorn.conf.py"), "GW101")
    assert "answered 500" in diagnostic["message"]
    assert s.lint("GW401", "nginx.conf", "gunicorn.conf.py") == []  # the address is right
    gunicorn = lab.gunicorn(s.folder, "-c", "gunicorn.conf.py", "app:app")
    s.start_nginx()

    # 1. the slow and the failing requests among many good ones, all at once
    calls = [lambda: s.get("/slow", timeout=20)] * SLOW + [lambda: s.get("/boom")] * BOOM
    calls += [lambda: s.get("/")] * GOOD
    first = at_once(calls)
    slow, boom, good = first[:SLOW], first[SLOW : SLOW + BOOM], first[SLOW + BOOM :]
    assert [r.status for r in slow] == [500] * SLOW, slow  # gunicorn's own 500
    assert [r.status for r in boom] == [500] * BOOM, boom
    assert Counter(r.status for r in good) == {200: GOOD}
    log_line(gunicorn, "[CRITICAL] WORKER TIMEOUT")
    log_line(gunicorn, "Error handling request GET /slow")
    log_line(gunicorn, "RuntimeError: mixed-app: the payment service said no")

    time.sleep(1.5)  # a quiet moment between the causes, as in a real day (seconds apart)

    # 2. gunicorn stopped for DOWN seconds and started again, a client asking all along
    window: list[Reply] = []
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            window.append(s.get("/"))
            time.sleep(0.05)

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    time.sleep(0.3)
    # a graceful stop, as a deploy does (SIGTERM: each worker finishes the request it is
    # serving; SIGINT would end it with a 500 of gunicorn's own)
    os.killpg(gunicorn.popen.pid, signal.SIGTERM)
    gunicorn.popen.wait(timeout=10)
    lab.stop(gunicorn)
    time.sleep(DOWN)
    gunicorn = lab.gunicorn(s.folder, "-c", "gunicorn.conf.py", "app:app")
    restarted = len(window)
    deadline = time.monotonic() + 10
    while sum(r.status == 200 for r in window[restarted:]) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=10)
    statuses = Counter(r.status for r in window)
    assert set(statuses) == {200, 502}, statuses
    assert window[-1].status == 200, statuses  # answered again
    refused = s.nginx_log("connect() failed (111: Connection refused)")

    time.sleep(1.0)

    # 3. good requests again
    after = at_once([lambda: s.get("/")] * AFTER)
    assert Counter(r.status for r in after) == {200: AFTER}

    # nginx saw the worker timeouts as plain 500s: nothing in its error log
    error_log = (s.folder / "logs" / "nginx-error.log").read_text()
    assert "upstream timed out" not in error_log
    assert "/slow" not in error_log
    assert "/boom" not in error_log
    lab.close()
    keep(
        evidence,
        lab,
        id="mixed",
        code="GW101",
        observed=f"500 for {SLOW} slow requests (gunicorn's worker timeout) and {BOOM} that "
        f"raised; 502 for {statuses[502]} requests while gunicorn was stopped; 200 for the rest",
        app="gunicorn (sync worker)",
        nginx=s.nginx,
        folder=s.folder,
        logs=[("nginx error.log", refused)],
        about={
            "scenario": __doc__.split("\n\n")[1].replace("\n", " ") if __doc__ else "",
            "expected": {
                "GW101": {"status": 500, "count": SLOW, "requests": "GET /slow"},
                "GW901": {"status": 500, "count": BOOM, "requests": "GET /boom"},
                "GW902": {"status": 502, "count": statuses[502], "requests": "GET /"},
            },
            "fix": diagnostic["fix"],
        },
    )
