"""The limits rules (GW502, GW503, GW501/GW507 on uWSGI 2.0, GW508) on real servers: gwlint
reports the mismatch, the triggering request gets the status and the log lines the rule's claims
state, and gwlint's own fix makes gwlint quiet and the request succeed (or fail cleanly, where
that is all the fix promises). What is observed is collected for docs/evidence.json."""

from __future__ import annotations

import re
import select
import socket
import time
from importlib.metadata import version

import pytest

from gwlint.rules.base import PREMATURELY
from tests.e2e.evidence import Evidence
from tests.e2e.harness import Lab, Reply, in_parallel, log_line, request
from tests.e2e.scenario import IN, UWSGI_PASS, claimed, fix_of, one, record, site

pytestmark = pytest.mark.e2e

PROXY_LOCATION = "location / {{\n    proxy_pass http://127.0.0.1:{app};\n}}"
RESET = "recv() failed (104: Connection reset by peer) while reading response header from upstream"


def _raw(port: int, head: bytes, *, piece: int = 0, timeout: float = 5) -> Reply:
    """Send a request head to 127.0.0.1:port, whole or in ``piece``-byte writes, and read the
    status line of the answer."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        step = piece or len(head)
        try:
            for at in range(0, len(head), step):
                conn.sendall(head[at : at + step])
                if piece:
                    time.sleep(0.005)  # one segment per write
        except OSError:
            pass  # the server answered and closed early: read what it said
        return _reply(conn, start)


def _reply(conn: socket.socket, start: float) -> Reply:
    data = b""
    try:
        while chunk := conn.recv(65536):
            data += chunk
    except OSError:
        pass
    line = data.split(b"\r\n", 1)[0].split()
    status: int | str = int(line[1]) if len(line) > 1 and line[1].isdigit() else "no answer"
    return Reply(status, {}, data, time.monotonic() - start)


def _slow_upload(port: int, path: str, size: int, seconds: float, pieces: int = 25) -> Reply:
    """POST ``size`` bytes in ``pieces`` writes over ``seconds`` (a slow client); stops sending
    as soon as an answer arrives."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=seconds + 10) as conn:
        head = f"POST {path} HTTP/1.1\r\nHost: lab\r\nContent-Length: {size}\r\n"
        conn.sendall(f"{head}Connection: close\r\n\r\n".encode())
        sent = 0
        for n in range(pieces):
            answered, _, _ = select.select([conn], [], [], seconds / pieces)
            if answered:
                break
            chunk = size // pieces if n < pieces - 1 else size - sent
            try:
                conn.sendall(b"x" * chunk)
            except OSError:
                break
            sent += chunk
        return _reply(conn, start)


def _short(line: str) -> str:
    """A log line with the long runs of one character a test sends cut short."""
    return re.sub(r"(.)\1{40,}", lambda run: f"{run[1] * 8}...", line)


def _servers(evidence: Evidence, lab: Lab, nginx_version: str) -> None:
    """The last observation ran uvicorn (record() names gunicorn or uWSGI only)."""
    evidence.observations[-1].servers = (
        f"nginx {nginx_version}, uvicorn {lab.tools.uvicorn_version} (--http h11, h11 "
        f"{version('h11')}, --interface wsgi)"
    )


# ---------------------------------------------------------------------------------------------
# GW502: gunicorn's request line limit


def test_gw502_request_line_longer_than_gunicorn_takes(lab: Lab, evidence: Evidence) -> None:
    """limit_request_line = 2048 behind nginx's 8 KiB line: a 5000-byte URI passes nginx and gets
    gunicorn's 414; with gwlint's fix (8190, nginx's own limit) 200, and nginx answers 414 itself
    for a longer line."""
    s = site(
        lab,
        "gw502",
        PROXY_LOCATION,
        {"gunicorn.conf.py": "bind = '127.0.0.1:{app}'\nlimit_request_line = 2048\n"},
    )
    diagnostic = one(s.lint("GW502", "nginx.conf", "gunicorn.conf.py"), "GW502")
    assert "get 414 from gunicorn" in diagnostic["message"]
    invalid, too_large = "Invalid request from ip=", "Request Line is too large ("
    expect = claimed("GW502", "gw502-long-uri", 414, invalid, too_large)
    gunicorn = lab.gunicorn(s.folder, "app:app")
    s.start_nginx()
    path = "/search?q=" + "a" * 5000
    broken = s.get(path)
    assert str(broken.status) == expect, broken
    assert b"Request Line is too large" in broken.body  # gunicorn's page, passed on by nginx
    line = log_line(gunicorn, too_large)
    assert invalid in line

    limit = fix_of(diagnostic, r"^set limit_request_line = (\d+) in gunicorn\.conf\.py")
    s.edit("gunicorn.conf.py", "limit_request_line = 2048\n", f"limit_request_line = {limit[1]}\n")
    assert s.lint("GW502", "nginx.conf", "gunicorn.conf.py") == []
    lab.stop(gunicorn)
    lab.gunicorn(s.folder, "app:app")
    fixed = s.get(path)
    assert fixed.status == 200, fixed
    longest = s.get("/search?q=" + "a" * (8100 - len("GET /search?q= HTTP/1.1")))
    assert longest.status == 200, longest  # a line just under nginx's 8190
    too_long = s.get("/search?q=" + "a" * 9000)
    assert too_long.status == 414, too_long
    nginx_414 = _short(s.nginx_log("client sent too long URI"))
    record(
        evidence,
        lab,
        id="gw502-long-uri",
        code="GW502",
        variant="limit_request_line 2048 < nginx's 8k line",
        scenario="gunicorn `limit_request_line = 2048` behind nginx's default "
        "`large_client_header_buffers 4 8k`; a GET with a 5000-byte query string.",
        app="gunicorn (sync worker)",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_=f"GET /search?q=... ({len(path)}-byte URI)",
        predicted_=expect,
        reply=broken,
        logs=[("gunicorn", line), ("nginx error.log, after the fix, a 9000-byte URI", nginx_414)],
        fix=f"`{limit.group(0)}` (gwlint's fix)",
        fixed=f"gwlint quiet; {fixed.status}; a request line of 8100 bytes {longest.status}; "
        f"a 9000-byte URI gets nginx's own {too_long.status}",
    )


# ---------------------------------------------------------------------------------------------
# GW503: gunicorn's header limits; uvicorn's h11 limit, which nginx does not reach on one host


def test_gw503_gunicorn_header_limits(lab: Lab, evidence: Evidence) -> None:
    """limit_request_field_size = 4096 (a 6000-byte cookie) and limit_request_fields = 20 (25
    header fields), side by side: 431 from gunicorn; gwlint's fixes: 200."""
    size = site(
        lab,
        "gw503-size",
        PROXY_LOCATION,
        {"gunicorn.conf.py": "bind = '127.0.0.1:{app}'\nlimit_request_field_size = 4096\n"},
    )
    count = site(
        lab,
        "gw503-fields",
        PROXY_LOCATION,
        {"gunicorn.conf.py": "bind = '127.0.0.1:{app}'\nlimit_request_fields = 20\n"},
    )
    size_diag = one(size.lint("GW503", "nginx.conf", "gunicorn.conf.py"), "GW503")
    count_diag = one(count.lint("GW503", "nginx.conf", "gunicorn.conf.py"), "GW503")
    assert "get 431 from gunicorn" in size_diag["message"]
    assert "get 431 from gunicorn" in count_diag["message"]
    invalid = "Invalid request from ip="
    size_log, count_log = "limit request headers fields size", "limit request headers fields"
    size_expect = claimed("GW503", "gw503-field-size", 431, invalid, size_log)
    count_expect = claimed("GW503", "gw503-fields", 431, count_log)
    size_app = lab.gunicorn(size.folder, "app:app", name="gunicorn")
    count_app = lab.gunicorn(count.folder, "app:app", name="gunicorn")
    size.start_nginx()
    count.start_nginx()
    cookie = {"Cookie": "session=" + "a" * 6000}
    fields = {f"X-Field-{n}": str(n) for n in range(25)}
    size_broken, count_broken = size.get("/", headers=cookie), count.get("/", headers=fields)
    assert str(size_broken.status) == size_expect, size_broken
    assert str(count_broken.status) == count_expect, count_broken
    size_line = log_line(size_app, size_log)
    count_line = log_line(count_app, f"{invalid}127.0.0.1: {count_log}")
    assert size_line.endswith(size_log)
    assert invalid in size_line
    assert count_line.endswith(count_log)

    raise_ = fix_of(size_diag, r"^set limit_request_field_size = (\d+) in gunicorn\.conf\.py")
    size.edit(
        "gunicorn.conf.py",
        "limit_request_field_size = 4096\n",
        f"limit_request_field_size = {raise_[1]}\n",
    )
    remove = fix_of(count_diag, r"^remove limit_request_fields from gunicorn\.conf\.py")
    count.edit("gunicorn.conf.py", "limit_request_fields = 20\n", "")
    assert size.lint("GW503", "nginx.conf", "gunicorn.conf.py") == []
    assert count.lint("GW503", "nginx.conf", "gunicorn.conf.py") == []
    lab.stop(size_app, count_app)
    lab.gunicorn(size.folder, "app:app", name="gunicorn")
    lab.gunicorn(count.folder, "app:app", name="gunicorn")
    size_fixed, count_fixed = size.get("/", headers=cookie), count.get("/", headers=fields)
    assert size_fixed.status == 200, size_fixed
    assert count_fixed.status == 200, count_fixed
    record(
        evidence,
        lab,
        id="gw503-field-size",
        code="GW503",
        variant="limit_request_field_size 4096, a 6000-byte cookie",
        scenario="gunicorn `limit_request_field_size = 4096` behind nginx's default "
        "`large_client_header_buffers 4 8k` (header lines up to 8190 bytes).",
        app="gunicorn (sync worker)",
        nginx=size.nginx,
        diagnostic=size_diag,
        request_="GET / with a 6000-byte Cookie header",
        predicted_=size_expect,
        reply=size_broken,
        logs=[("gunicorn", size_line)],
        fix=f"`{raise_[0]}` (gwlint's fix)",
        fixed=f"gwlint quiet; {size_fixed.status}",
    )
    record(
        evidence,
        lab,
        id="gw503-fields",
        code="GW503",
        variant="limit_request_fields 20, 25 header fields",
        scenario="gunicorn `limit_request_fields = 20` behind nginx, which passes any number of "
        "header fields.",
        app="gunicorn (sync worker)",
        nginx=count.nginx,
        diagnostic=count_diag,
        request_="GET / with 25 X-Field-N headers",
        predicted_=count_expect,
        reply=count_broken,
        logs=[("gunicorn", count_line)],
        fix=f"`{remove[0]}` (gwlint's fix)",
        fixed=f"gwlint quiet; {count_fixed.status}",
    )


def test_gw503_uvicorn_h11_head_limit(lab: Lab, evidence: Evidence) -> None:
    """uvicorn --http h11 (16 KiB --h11-max-incomplete-event-size): a 30 KiB head that nginx
    writes at once is accepted, which is why gwlint stays quiet; the same limit refuses a 20 KiB
    head that arrives in 1000-byte pieces."""
    uvicorn = lab.tools.need_uvicorn()
    command = "uvicorn app:app --interface wsgi --http h11 --host 127.0.0.1 --port {app}"
    s = site(lab, "gw503-uvicorn", PROXY_LOCATION, {"Procfile": f"web: {command}\n"})
    assert s.lint("GW503", "nginx.conf", "Procfile") == []
    whole = claimed("GW503", "gw503-uvicorn-whole-head", 200)
    invalid = "Invalid HTTP request received."
    pieces = claimed("GW503", "gw503-uvicorn-in-pieces", 400, invalid)
    argv = [uvicorn, *command.format(app=s.app).split()[1:]]
    app = lab.start("uvicorn", argv, cwd=s.folder, ready=r"Uvicorn running on", port=s.app)
    s.start_nginx()
    big = {f"X-Big-{n}": "v" * 7600 for n in range(4)}  # ~30 KiB, each line within nginx's 8k
    through_nginx = s.get("/", headers=big)
    assert str(through_nginx.status) == whole, through_nginx
    served = log_line(app, '"GET / HTTP/1.1" 200')
    lines = b"".join(f"X-Big-{n}: {'v' * 5000}\r\n".encode() for n in range(4))
    head = b"GET / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n" + lines + b"\r\n"  # ~20 KiB
    in_pieces = _raw(s.app, head, piece=1000)
    assert str(in_pieces.status) == pieces, in_pieces
    refused = log_line(app, invalid)
    at_once = _raw(s.app, head)  # the same head in one write: accepted
    assert at_once.status == 200, at_once
    scenario = (
        "`proxy_pass` to uvicorn (`--interface wsgi --http h11`, the default "
        "`--h11-max-incomplete-event-size` 16 KiB) on 127.0.0.1; gwlint is quiet."
    )
    record(
        evidence,
        lab,
        id="gw503-uvicorn-whole-head",
        code="GW503",
        variant="uvicorn h11, a 30 KiB head through nginx",
        scenario=scenario,
        app="uvicorn",
        nginx=s.nginx,
        diagnostic=None,
        request_="GET / with four 7600-byte headers (~30 KiB), through nginx",
        predicted_=whole,
        reply=through_nginx,
        logs=[("uvicorn", served)],
        fix="none needed (gwlint quiet)",
        fixed="(nothing to fix)",
    )
    _servers(evidence, lab, s.nginx.version)
    record(
        evidence,
        lab,
        id="gw503-uvicorn-in-pieces",
        code="GW503",
        variant="uvicorn h11, a 20 KiB head in 1000-byte pieces, not through nginx",
        scenario=scenario + " The head is sent straight to uvicorn, 1000 bytes per write.",
        app="uvicorn",
        nginx=s.nginx,
        diagnostic=None,
        request_=f"GET / with a {len(head)}-byte head in 1000-byte writes",
        predicted_=pieces,
        reply=in_pieces,
        logs=[("uvicorn", refused)],
        fix="none: nginx writes a head at once, see gw503-uvicorn-whole-head",
        fixed=f"the same head in one write: {at_once.status}",
    )
    _servers(evidence, lab, s.nginx.version)


# ---------------------------------------------------------------------------------------------
# GW507 and GW501: uWSGI 2.0 reads buffer-size = 131072 as 65535


def test_gw507_gw501_uwsgi_2_0_buffer_size_cap(lab: Lab, evidence: Evidence) -> None:
    """buffer-size = 131072 on an http-socket of uWSGI 2.0.30, behind large_client_header_buffers
    2 96k: a 60 kB header passes, a 70 kB one gets 502 (uWSGI read 65535 at most). GW507's fix
    (65535) says what uWSGI does and changes nothing; GW501's (fewer nginx buffers) makes nginx
    refuse the 70 kB header itself, with 400."""
    buffers = "large_client_header_buffers 2 96k;"
    s = site(
        lab,
        "gw507",
        f"{buffers}\n" + PROXY_LOCATION,
        {"uwsgi.ini": "http-socket = 127.0.0.1:{app}\nbuffer-size = 131072"},
    )
    assert lab.tools.uwsgi_version.startswith("2.0."), lab.tools.uwsgi_version
    capped = one(s.lint("GW507", "nginx.conf", "uwsgi.ini"), "GW507")
    below = one(s.lint("GW501", "nginx.conf", "uwsgi.ini"), "GW501")
    assert "is read as 65535 by uWSGI 2.0.30" in capped["message"]
    assert "(uwsgi.ini:3), 65535 in uWSGI 2.0.30, <" in below["message"]
    skip = "invalid HTTP request size (max 65535)...skip"
    expect = claimed("GW507", "gw507-http-socket", 502, skip, RESET)
    expect_501 = claimed("GW501", "gw501-uwsgi-2.0", 502, skip)
    uwsgi = lab.uwsgi(s.folder)
    nginx = s.start_nginx()
    small, large = {"X-Big": "v" * 60_000}, {"X-Big": "v" * 70_000}
    passes = s.get("/", headers=small)
    assert passes.status == 200, passes
    broken = s.get("/", headers=large)
    assert str(broken.status) == expect, broken
    refused = log_line(uwsgi, skip)
    reset = s.nginx_log_any(RESET, "while sending request to upstream")

    # GW507's fix: the value uWSGI 2.0 uses; the same behaviour, said plainly
    exact = fix_of(capped, r"^set buffer-size = 65535 in uwsgi\.ini")
    s.edit("uwsgi.ini", "buffer-size = 131072\n", "buffer-size = 65535\n")
    assert s.lint("GW507", "nginx.conf", "uwsgi.ini") == []
    lab.stop(uwsgi)
    uwsgi = lab.uwsgi(s.folder)
    same_small, same_large = s.get("/", headers=small), s.get("/", headers=large)
    assert (same_small.status, same_large.status) == (200, 502), (same_small, same_large)
    record(
        evidence,
        lab,
        id="gw507-http-socket",
        code="GW507",
        variant="buffer-size 131072 on an http-socket, uWSGI 2.0",
        scenario="uWSGI 2.0 `http-socket` with `buffer-size = 131072`, behind `proxy_pass` and "
        f"`{buffers}`; the same GET with a 60 kB header: 200.",
        app="uWSGI",
        nginx=s.nginx,
        diagnostic=capped,
        request_="GET / with a 70,000-byte X-Big header",
        predicted_=expect,
        reply=broken,
        logs=[("uWSGI", refused), ("nginx error.log", reset)],
        fix=f"`{exact[0]}` (gwlint's fix)",
        fixed=f"gwlint quiet; uWSGI does what it did (it read 65535 already): the 60 kB header "
        f"{same_small.status}, the 70 kB one {same_large.status}",
    )

    # GW501's fix: nginx accepts no more than uWSGI 2.0 can read, and refuses the rest itself
    lower = fix_of(
        below, r"^change large_client_header_buffers 2 96k \(nginx\.conf:\d+\) to (\d+ \d+k) "
    )
    s.edit("nginx.conf", buffers, f"large_client_header_buffers {lower[1]};")
    assert s.lint("GW501", "nginx.conf", "uwsgi.ini") == []
    lab.stop(nginx)
    s.start_nginx()
    clean = s.get("/", headers=large)
    assert clean.status == 400, clean
    too_long = _short(s.nginx_log("client sent too long header line"))
    fits = s.get("/", headers={"X-Big": "v" * 15_000})
    assert fits.status == 200, fits
    record(
        evidence,
        lab,
        id="gw501-uwsgi-2.0",
        code="GW501",
        variant="uWSGI 2.0 reads buffer-size 131072 as 65535 (http-socket)",
        scenario="the same deployment: uWSGI 2.0 `http-socket`, `buffer-size = 131072`, behind "
        f"`{buffers}`, which accepts more than the 65535 bytes uWSGI 2.0 reads.",
        app="uWSGI",
        nginx=s.nginx,
        diagnostic=below,
        request_="GET / with a 70,000-byte X-Big header",
        predicted_=expect_501,
        reply=broken,
        logs=[("uWSGI", refused), ("nginx error.log, after the fix", too_long)],
        fix=f"`{lower[0].strip()}` (gwlint's fix)",
        fixed=f"gwlint quiet; the 70 kB header gets nginx's own {clean.status} (Request Header "
        f"Or Cookie Too Large) instead of 502; a 15 kB header {fits.status}",
    )


# ---------------------------------------------------------------------------------------------
# GW508: harakiri counts an unbuffered upload


def test_gw508_harakiri_kills_a_slow_upload(lab: Lab, evidence: Evidence) -> None:
    """harakiri = 2 behind uwsgi_request_buffering off: a 5 s upload is killed (502); with
    gwlint's fix (nginx buffers the body first, a second deployment run side by side) the same
    upload gets 200."""
    location = "location /upload/ {{\n    uwsgi_request_buffering off;\n    " + (
        UWSGI_PASS.replace("\n", "\n    ") + "\n}}"
    )
    files = {"uwsgi.ini": "socket = 127.0.0.1:{app}\nharakiri = 2"}
    s = site(lab, "gw508", location, files)
    f = site(lab, "gw508-fixed", location, files)
    diagnostic = one(s.lint("GW508", "nginx.conf", "uwsgi.ini"), "GW508")
    assert "uploads slower than 2 s are killed (502)" in diagnostic["message"]
    harakiri = "HARAKIRI ON WORKER 1 (pid: "
    warning = (
        "you have enabled harakiri without post buffering. Slow upload could be rejected on "
        "post-unbuffered webservers"
    )
    expect = claimed("GW508", "gw508-slow-upload", 502, harakiri, PREMATURELY, warning)
    remove = fix_of(diagnostic, r"^remove uwsgi_request_buffering off")
    f.edit("nginx.conf", f"uwsgi_request_buffering off;{IN}", "")
    assert f.lint("GW508", "nginx.conf", "uwsgi.ini") == []
    uwsgi = lab.uwsgi(s.folder)
    lab.uwsgi(f.folder)
    s.start_nginx()
    f.start_nginx()
    warned = log_line(uwsgi, warning)
    size, seconds = 100_000, 5.0
    broken, fixed = in_parallel(
        lambda: _slow_upload(s.port, "/upload/file", size, seconds),
        lambda: _slow_upload(f.port, "/upload/file", size, seconds),
    )
    assert str(broken.status) == expect, broken
    assert 1.5 < broken.seconds < 4.5, broken  # harakiri (2 s, checked once a second)
    assert fixed.status == 200, fixed
    assert fixed.seconds > seconds - 1, fixed  # the whole upload, then the app
    killed = log_line(uwsgi, harakiri)
    closed = s.nginx_log(PREMATURELY)
    assert request(f.port, "GET", "/upload/").status == 200
    record(
        evidence,
        lab,
        id="gw508-slow-upload",
        code="GW508",
        variant="harakiri 2, uwsgi_request_buffering off, a 5 s upload",
        scenario="uWSGI `harakiri = 2` (no `post-buffering`) behind a location with "
        "`uwsgi_request_buffering off`; the client sends a 100,000-byte body in 25 pieces "
        "over 5 s. The fixed deployment runs side by side.",
        app="uWSGI",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_=f"POST /upload/file, {size} bytes over {seconds:.0f} s",
        predicted_=expect,
        reply=broken,
        logs=[("uWSGI", killed), ("nginx error.log", closed), ("uWSGI, at start", warned)],
        fix=f"`{remove[0]}` (gwlint's fix)",
        fixed=f"gwlint quiet; {fixed.status} once the whole upload arrived",
        measured=f"{broken.status} after {broken.seconds:.1f} s; {fixed.status} after "
        f"{fixed.seconds:.1f} s with the fix",
    )
