"""The claims of the keep-alive and worker rules (GW204, GW302, GW304, GW305, GW308) on real
servers: gwlint reports the configuration, the servers do what the rule's claims state, and
gwlint's own fix makes gwlint quiet and the failure go away. What is observed is collected for
docs/evidence.json (see conftest.py)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.e2e.evidence import Evidence
from tests.e2e.harness import Lab, Proc, Reply, in_parallel, log_line
from tests.e2e.scenario import IN, Site, claimed, fix_of, one, record, site

pytestmark = pytest.mark.e2e

UWSGI_LOCATION = "location / {{\n    include uwsgi_params;\n    uwsgi_pass {target};\n}}"
PROXY_LOCATION = "location / {{\n    proxy_pass http://127.0.0.1:{app};\n}}"


def _burst(s: Site, n: int, seconds: float) -> list[Reply]:
    """``n`` GETs at once through nginx, each answered after ``seconds`` by the app."""
    return in_parallel(*(lambda i=i: s.get(f"/b{i}/sleep?s={seconds}") for i in range(n)))


class _Watch:
    """The times (monotonic) at which lines with ``text`` appear in a server's log."""

    def __init__(self, proc: Proc, text: str, offset: int = 0) -> None:
        self.proc, self.text, self.offset = proc, text, offset
        self.seen: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for line in self.proc.text()[self.offset :].splitlines():
                if self.text in line and line not in self.seen:
                    self.seen[line] = time.monotonic()
            time.sleep(0.005)

    def stop(self) -> dict[str, float]:
        time.sleep(0.2)  # the last lines
        self._stop.set()
        self._thread.join()
        return self.seen


# ---------------------------------------------------------------------------------------------
# GW304: listen queues


def test_gw304_listen_queue_unix_and_tcp(lab: Lab, evidence: Evidence) -> None:
    """uWSGI with `listen = 2` and one worker busy 0.5 s per request; 6 requests at once through
    nginx. Unix socket: the connects beyond the queue fail at once (502) and uWSGI says nothing;
    TCP: they wait and are all answered, and uWSGI's master logs that its queue is full."""
    n, seconds = 6, 0.5
    unix = site(
        lab,
        "gw304-unix",
        UWSGI_LOCATION.replace("{target}", "unix:{folder}/app.sock"),
        {"uwsgi.ini": "socket = {folder}/app.sock\nlisten = 2"},
    )
    tcp = site(
        lab,
        "gw304-tcp",
        UWSGI_LOCATION.replace("{target}", "127.0.0.1:{app}"),
        {"uwsgi.ini": "socket = 127.0.0.1:{app}\nlisten = 2"},
    )
    diagnostic = one(unix.lint("GW304", "nginx.conf", "uwsgi.ini"), "GW304")
    assert "fail at once (11: Resource temporarily unavailable)" in diagnostic["message"]
    assert tcp.lint("GW304", "nginx.conf", "uwsgi.ini") == []  # on TCP a full queue only waits
    refused = "failed (11: Resource temporarily unavailable) while connecting to upstream"
    expect_unix = claimed("GW304", "gw304-unix", 502, "connect() to unix:", refused)
    queue_full, full = "*** uWSGI listen queue of socket", "full !!!"
    expect_tcp = claimed("GW304", "gw304-tcp", None, queue_full, full)
    unix_uwsgi = lab.uwsgi(unix.folder)
    tcp_uwsgi = lab.uwsgi(tcp.folder)
    unix.start_nginx()
    tcp.start_nginx()

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:  # both bursts at once
        unix_burst = pool.submit(_burst, unix, n, seconds)
        tcp_burst = pool.submit(_burst, tcp, n, seconds)
        unix_replies, tcp_replies = unix_burst.result(), tcp_burst.result()
    statuses = Counter(r.status for r in unix_replies)
    assert set(statuses) == {200, 502}, unix_replies
    assert statuses[502] >= 1, unix_replies
    broken = next(r for r in unix_replies if r.status == 502)
    assert str(broken.status) == expect_unix.split(";")[0]
    assert broken.seconds < seconds, broken  # at once, not after a wait
    unix_line = unix.nginx_log(refused)
    assert "connect() to unix:" in unix_line
    assert queue_full not in unix_uwsgi.text()  # uWSGI reads no unix socket's queue
    assert all(r.status == 200 for r in tcp_replies), tcp_replies
    slowest = max(r.seconds for r in tcp_replies)
    assert slowest >= (n - 1) * seconds, tcp_replies  # one after the other, none failed
    tcp_line = log_line(tcp_uwsgi, queue_full)
    assert full in tcp_line
    tcp_log = (tcp.folder / "logs" / "nginx-error.log").read_text()
    assert "[error]" not in tcp_log, tcp_log[-2000:]
    took = time.monotonic() - start

    # gwlint's fix on the unix socket: a longer listen queue; the same burst all gets 200
    longer = fix_of(diagnostic, r"^set listen = (\d+) in uwsgi\.ini")
    unix.edit("uwsgi.ini", "listen = 2\n", f"listen = {longer.group(1)}\n")
    assert unix.lint("GW304", "nginx.conf", "uwsgi.ini") == []
    lab.stop(unix_uwsgi)
    lab.uwsgi(unix.folder)
    fixed = _burst(unix, n, seconds)
    assert all(r.status == 200 for r in fixed), fixed

    burst = f"{n} GETs at once, each answered by the app after {seconds} s"
    record(
        evidence,
        lab,
        id="gw304-unix",
        code="GW304",
        variant="unix socket, listen = 2",
        scenario="`uwsgi_pass unix:$LAB/gw304-unix/app.sock` to uWSGI `socket = .../app.sock`, "
        "`listen = 2`, one process (one request at a time).",
        app="uWSGI",
        nginx=unix.nginx,
        diagnostic=diagnostic,
        request_=burst,
        predicted_=expect_unix,
        reply=broken,
        logs=[("nginx error.log", unix_line)],
        fix=f"`{longer.group(0)}` (gwlint's fix)",
        fixed=f"gwlint quiet; {n} of {n} 200",
        measured=f"{statuses[200]} of {n} 200, {statuses[502]} 502 after "
        f"{broken.seconds:.2f} s; uWSGI logged nothing about its queue",
    )
    record(
        evidence,
        lab,
        id="gw304-tcp",
        code="GW304",
        variant="TCP socket, listen = 2",
        scenario="`uwsgi_pass 127.0.0.1:PORT` to uWSGI `socket = 127.0.0.1:PORT`, `listen = 2`, "
        "one process (one request at a time); gwlint is quiet on TCP sockets by design.",
        app="uWSGI",
        nginx=tcp.nginx,
        diagnostic=None,
        request_=burst,
        predicted_=expect_tcp,
        reply=f"{n} of {n} 200, the last after {slowest:.1f} s; no error in nginx's log",
        logs=[("uWSGI", tcp_line)],
        fix="none needed: the connects beyond the queue waited, none failed",
        fixed="(nothing to fix)",
        measured=f"slowest {slowest:.1f} s; both bursts {took:.1f} s",
    )


def test_gw304_uwsgi_listen_over_somaxconn(lab: Lab, evidence: Evidence) -> None:
    """uWSGI `listen` above net.core.somaxconn: uWSGI exits at start; nginx answers 502."""
    somaxconn = int(Path("/proc/sys/net/core/somaxconn").read_text())
    listen = max(8192, 2 * somaxconn)
    s = site(
        lab,
        "gw304-somaxconn",
        UWSGI_LOCATION.replace("{target}", "127.0.0.1:{app}"),
        {"uwsgi.ini": f"socket = 127.0.0.1:{{app}}\nlisten = {listen}"},
    )
    diagnostic = one(s.lint("GW304", "nginx.conf", "uwsgi.ini"), "GW304")
    assert "uWSGI exits at start on Linux, and nginx answers 502" in diagnostic["message"]
    too_long = "Listen queue size is greater than the system max net.core.somaxconn"
    refused = "connect() failed (111: Connection refused) while connecting to upstream"
    expect = claimed("GW304", "gw304-over-somaxconn", 502, too_long, refused)
    with pytest.raises(RuntimeError, match="exited at start"):
        lab.uwsgi(s.folder)
    uwsgi_line = log_line(s.folder / "logs" / "uwsgi.log", too_long)
    assert f"({somaxconn})" in uwsgi_line
    s.start_nginx()
    broken = s.get("/")
    assert str(broken.status) == expect.split(";")[0], broken
    nginx_line = s.nginx_log(refused)

    shorter = fix_of(diagnostic, r"^set listen = (\d+) in uwsgi\.ini")
    s.edit("uwsgi.ini", f"listen = {listen}\n", f"listen = {shorter.group(1)}\n")
    assert s.lint("GW304", "nginx.conf", "uwsgi.ini") == []
    lab.uwsgi(s.folder)
    fixed = s.get("/")
    assert fixed.status == 200, fixed
    record(
        evidence,
        lab,
        id="gw304-over-somaxconn",
        code="GW304",
        variant=f"listen = {listen} > net.core.somaxconn {somaxconn}",
        scenario=f"uWSGI `socket = 127.0.0.1:PORT`, `listen = {listen}`, on a host whose "
        f"net.core.somaxconn is {somaxconn}, behind `uwsgi_pass`.",
        app="uWSGI",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="start uWSGI; GET /",
        predicted_=expect,
        reply=broken,
        logs=[("uWSGI", uwsgi_line), ("nginx error.log", nginx_line)],
        fix=f"`{shorter.group(0)}` (gwlint's fix)",
        fixed=f"gwlint quiet; uWSGI starts; {fixed.status}",
    )


# ---------------------------------------------------------------------------------------------
# GW305: workers recycled together

GW305_GUNICORN = (
    "bind = '127.0.0.1:{app}'\nworkers = 4\nmax_requests = 40\n"
    "accesslog = '-'\naccess_log_format = 'served-by=%(p)s %(r)s'\n"
)
RESTARTING = "Autorestarting worker after current request."


def _recycle(
    s: Site, proc: Proc, offset: int, workers: int, requests: int
) -> tuple[dict[str, int], float]:
    """4 clients, each sending ``requests`` GETs one after the other (10 ms each), so the
    workers are fed evenly; -> {original worker pid: requests it served}, and the time between
    the first and the last original worker's restart line."""
    deadline = time.monotonic() + 10
    while True:
        booted = re.findall(r"Booting worker with pid: (\d+)", proc.text()[offset:])
        if len(booted) >= workers or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert len(booted) == workers, proc.text()[offset:]
    watch = _Watch(proc, RESTARTING, offset)

    def client(k: int) -> Reply:
        for i in range(requests):
            reply = s.get(f"/c{k}/{i}/sleep?s=0.01")
            assert reply.status == 200, reply
        return reply

    in_parallel(*(lambda k=k: client(k) for k in range(workers)))
    seen = watch.stop()
    text = proc.text()[offset:]
    served = Counter(re.findall(r"served-by=<(\d+)>", text))
    counts = {pid: served[pid] for pid in booted}
    restarts = {
        pid: at
        for line, at in seen.items()
        for pid in booted
        if re.search(rf"\[{pid}\] \[INFO\] {re.escape(RESTARTING)}", line)
    }
    assert set(restarts) == set(booted), (seen, booted)
    return counts, max(restarts.values()) - min(restarts.values())


def test_gw305_max_requests_without_jitter(lab: Lab, evidence: Evidence) -> None:
    """4 sync workers, max_requests = 40, fed evenly: all four restart after exactly 40
    requests, at once (within 0.5 s); with gwlint's fix (jitter) each has its own count."""
    s = site(lab, "gw305", PROXY_LOCATION, {"gunicorn.conf.py": GW305_GUNICORN})
    diagnostic = one(s.lint("GW305", "nginx.conf", "gunicorn.conf.py"), "GW305")
    assert "all 4 workers restart together after exactly 40 requests" in diagnostic["message"]
    expect = claimed("GW305", "gw305-lockstep", None, RESTARTING)
    claimed("GW305", "gw305-jitter")
    gunicorn = lab.gunicorn(s.folder, "app:app")
    s.start_nginx()
    counts, span = _recycle(s, gunicorn, 0, 4, 45)
    assert sorted(counts.values()) == [40] * 4, counts
    assert span < 0.5, span
    line = log_line(gunicorn, RESTARTING)

    jitter = fix_of(diagnostic, r"^add max_requests_jitter = (\d+) in gunicorn\.conf\.py")
    spread = int(jitter.group(1))
    s.edit(
        "gunicorn.conf.py",
        "max_requests = 40\n",
        f"max_requests = 40\nmax_requests_jitter = {spread}\n",
    )
    assert s.lint("GW305", "nginx.conf", "gunicorn.conf.py") == []
    lab.stop(gunicorn)
    offset = len(gunicorn.text())
    gunicorn = lab.gunicorn(s.folder, "app:app")
    fixed_counts, fixed_span = _recycle(s, gunicorn, offset, 4, 40 + spread + 5)
    assert all(40 <= c <= 40 + spread for c in fixed_counts.values()), fixed_counts
    assert len(set(fixed_counts.values())) > 1, fixed_counts  # all equal: 1 run in 1331
    record(
        evidence,
        lab,
        id="gw305-lockstep",
        code="GW305",
        variant="max_requests = 40, no jitter",
        scenario="gunicorn, 4 sync workers, `max_requests = 40`, behind nginx; 4 clients each "
        "send 45 GETs one after the other (the app answers in 10 ms), so the workers are fed "
        "evenly.",
        app="gunicorn (sync worker)",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="4 x 45 GETs, 4 at a time",
        predicted_=expect,
        reply=f"each of the 4 workers restarted after exactly 40 requests, within "
        f"{1000 * span:.0f} ms of each other",
        logs=[("gunicorn", line)],
        fix=f"`{jitter.group(0).split(' (')[0]}` (gwlint's fix)",
        fixed="gwlint quiet; see gw305-jitter",
        measured=f"requests per worker before its restart: {sorted(counts.values())}; "
        f"restarts within {1000 * span:.0f} ms",
    )
    record(
        evidence,
        lab,
        id="gw305-jitter",
        code="GW305",
        variant=f"max_requests = 40, max_requests_jitter = {spread} (gwlint's fix)",
        scenario="the same, with gwlint's fix applied.",
        app="gunicorn (sync worker)",
        nginx=s.nginx,
        diagnostic=None,
        request_=f"4 x {45 + spread} GETs, 4 at a time",
        predicted_=f"each worker restarts after 40 to {40 + spread} requests",
        reply=f"the workers restarted after {sorted(fixed_counts.values())} requests",
        logs=[],
        fix="(this is the fix)",
        fixed=f"restarts spread over {1000 * fixed_span:.0f} ms",
        measured=f"requests per worker before its restart: {sorted(fixed_counts.values())}; "
        f"restarts within {1000 * fixed_span:.0f} ms",
    )


# ---------------------------------------------------------------------------------------------
# GW302: threads with the sync worker class run gthread


def test_gw302_sync_with_threads_runs_gthread(lab: Lab, evidence: Evidence) -> None:
    s = site(
        lab,
        "gw302",
        PROXY_LOCATION,
        {
            "gunicorn.conf.py": "bind = '127.0.0.1:{app}'\nworker_class = 'sync'\nthreads = 4\n"
            "workers = 1\ntimeout = 1\n"
        },
    )
    diagnostic = one(s.lint("GW302", "nginx.conf", "gunicorn.conf.py"), "GW302")
    assert "gunicorn runs gthread" in diagnostic["message"]
    using = "Using worker: gthread"
    expect = claimed("GW302", "gw302-sync-threads", None, using)
    gunicorn = lab.gunicorn(s.folder, "app:app")
    s.start_nginx()
    line = log_line(gunicorn, "Using worker: ")
    assert using in line, line
    replies = _burst(s, 4, 1.5)
    assert all(r.status == 200 for r in replies), replies
    slowest = max(r.seconds for r in replies)
    assert 1.4 < slowest < 3.0, replies  # together (one at a time would take 6 s), none killed
    assert "WORKER TIMEOUT" not in gunicorn.text()

    say = fix_of(diagnostic, r"^write worker_class = 'gthread' in gunicorn\.conf\.py")
    s.edit("gunicorn.conf.py", "worker_class = 'sync'", "worker_class = 'gthread'")
    assert s.lint("GW302", "nginx.conf", "gunicorn.conf.py") == []
    lab.stop(gunicorn)
    offset = len(gunicorn.text())
    gunicorn = lab.gunicorn(s.folder, "app:app")
    assert using in gunicorn.text()[offset:]
    record(
        evidence,
        lab,
        id="gw302-sync-threads",
        code="GW302",
        variant="worker_class = 'sync', threads = 4",
        scenario="gunicorn `worker_class = 'sync'`, `threads = 4`, `workers = 1`, `timeout = 1`, "
        "behind nginx; 4 GETs at once, each answered by the app after 1.5 s.",
        app="gunicorn",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="4 GETs at once, 1.5 s each",
        predicted_=expect,
        reply=f"4 of 4 200, all within {slowest:.1f} s: served together, none killed by the 1 s "
        "timeout",
        logs=[("gunicorn", line)],
        fix=f"`{say.group(0)}` (gwlint's fix: the config now says what runs)",
        fixed="gwlint quiet; gunicorn logs the same `Using worker: gthread`",
        measured=f"slowest {slowest:.2f} s",
    )


# ---------------------------------------------------------------------------------------------
# GW204: gthread without room for idle connections

GW204_UPSTREAM = "upstream app {{\n    server 127.0.0.1:{app};\n}}"
GW204_GUNICORN = (
    "bind = '127.0.0.1:{app}'\nworker_class = 'gthread'\nthreads = 4\nworker_connections = 4\n"
    "keepalive = 75\n"
)


def _connections(s: Site, n: int) -> int:
    """``n`` GETs one after the other: how many upstream connections carried them."""
    replies = [s.get(f"/ka/{i}") for i in range(n)]
    assert all(r.status == 200 for r in replies), replies
    return len({r.headers["x-conn"] for r in replies})


def test_gw204_gthread_without_room_for_keepalive(lab: Lab, evidence: Evidence) -> None:
    locations = "location / {{\n    proxy_pass http://app;\n}}"
    s = site(
        lab, "gw204", locations, {"upstreams": GW204_UPSTREAM, "gunicorn.conf.py": GW204_GUNICORN}
    )
    assert s.nginx.keepalive_by_default
    diagnostic = one(s.lint("GW204", "nginx.conf", "gunicorn.conf.py"), "GW204")
    warning = (
        "No keepalived connections can be handled. Check the number of worker connections and "
        "threads."
    )
    expect = claimed("GW204", "gw204-no-room", None, warning)
    gunicorn = lab.gunicorn(s.folder, "app:app")
    s.start_nginx()
    line = log_line(gunicorn, warning)
    n = 8
    used = _connections(s, n)
    assert used == n, used  # nothing reused

    room = fix_of(diagnostic, r"^set worker_connections = (\d+) in gunicorn\.conf\.py")
    s.edit(
        "gunicorn.conf.py", "worker_connections = 4\n", f"worker_connections = {room.group(1)}\n"
    )
    assert s.lint("GW204", "nginx.conf", "gunicorn.conf.py") == []
    lab.stop(gunicorn)
    offset = len(gunicorn.text())
    gunicorn = lab.gunicorn(s.folder, "app:app")
    used_fixed = _connections(s, n)
    assert used_fixed == 1, used_fixed
    assert warning not in gunicorn.text()[offset:]
    record(
        evidence,
        lab,
        id="gw204-no-room",
        code="GW204",
        variant="threads = 4, worker_connections = 4",
        scenario="`upstream app { server ...; }` (nginx's default upstream keep-alive) -> "
        f"gunicorn gthread, `threads = 4`, `worker_connections = 4`, `keepalive = 75`; {n} GETs "
        "one after the other, and the app tells which upstream connection carried each.",
        app="gunicorn (gthread worker)",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_=f"GET /ka/0 ... /ka/{n - 1}, one after the other",
        predicted_=expect,
        reply=f"{used} connections for {n} requests",
        logs=[("gunicorn", line)],
        fix=f"`{room.group(0)}` (gwlint's fix)",
        fixed=f"gwlint quiet; no warning; {used_fixed} connection for {n} requests",
    )


# ---------------------------------------------------------------------------------------------
# GW308: the sync worker behind a location that does not buffer uploads


def _slow_upload(port: int, length: int = 1000) -> socket.socket:
    """A POST that sends its headers and half its body, then holds the connection."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=5)
    conn.sendall(
        f"POST /upload HTTP/1.1\r\nHost: lab\r\nContent-Length: {length}\r\n\r\n".encode()
        + b"x" * (length // 2)
    )
    return conn


def test_gw308_slow_upload_holds_the_sync_worker(lab: Lab, evidence: Evidence) -> None:
    s = site(
        lab,
        "gw308",
        "location / {{\n    proxy_request_buffering off;\n    proxy_read_timeout 1s;\n"
        "    proxy_pass http://127.0.0.1:{app};\n}}",
        {"gunicorn.conf.py": "bind = '127.0.0.1:{app}'\nworker_class = 'sync'\nworkers = 1\n"},
    )
    diagnostic = one(s.lint("GW308", "nginx.conf", "gunicorn.conf.py"), "GW308")
    assert "other requests get 504" in diagnostic["message"]
    timed_out, reading = "upstream timed out (110: ", "while reading response header from upstream"
    expect = claimed("GW308", "gw308-slow-upload", 504, timed_out, reading)
    gunicorn = lab.gunicorn(s.folder, "app:app")
    nginx = s.start_nginx()
    upload = _slow_upload(s.port)
    try:
        time.sleep(0.5)  # nginx passes the headers and half body on: the worker waits for more
        broken = s.get("/other")
    finally:
        upload.close()
    assert str(broken.status) == expect, broken
    assert 0.9 < broken.seconds < 3, broken  # proxy_read_timeout 1s
    line = s.nginx_log(timed_out)
    assert reading in line
    assert "GET /other" in line

    fix_of(diagnostic, r"^remove proxy_request_buffering off \(nginx then buffers for the worker\)")
    s.edit("nginx.conf", f"proxy_request_buffering off;{IN}", "")
    assert s.lint("GW308", "nginx.conf", "gunicorn.conf.py") == []
    lab.stop(nginx, gunicorn)
    lab.gunicorn(s.folder, "app:app")
    s.start_nginx()
    upload = _slow_upload(s.port)
    try:
        time.sleep(0.3)  # nginx reads the half body itself; the worker is free
        fixed = s.get("/other")
    finally:
        upload.close()
    assert fixed.status == 200, fixed
    assert fixed.seconds < 0.9, fixed
    record(
        evidence,
        lab,
        id="gw308-slow-upload",
        code="GW308",
        variant="proxy_request_buffering off, one sync worker",
        scenario="`proxy_request_buffering off` and `proxy_read_timeout 1s` in front of gunicorn, "
        "one sync worker; a client sends a POST's headers and half its 1000-byte body, then "
        "waits; meanwhile another client sends a GET.",
        app="gunicorn (sync worker)",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="GET /other while the slow POST holds the worker",
        predicted_=expect,
        reply=broken,
        logs=[("nginx error.log", line)],
        fix="`remove proxy_request_buffering off` (gwlint's fix)",
        fixed=f"gwlint quiet; {fixed.status} after {fixed.seconds:.2f} s while the same slow "
        "POST is being buffered by nginx",
        measured=f"{broken.status} after {broken.seconds:.1f} s",
    )
