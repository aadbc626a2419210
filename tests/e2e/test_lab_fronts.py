"""Apache httpd and Caddy in front of gunicorn, nginx in front of hypercorn, on real servers (issue
16): the timeout order (GW101) and the keep-alive race (GW201) for each pair, with the fix that
makes each pass.

Each test writes its scenario's deployments side by side (the mismatch, the fixes, a control),
starts them all (tests/e2e/fronts.py), sends each the same requests and checks what the client got
and what the servers logged. Then it runs gwlint on each deployment's files as a user would
(``gwlint check httpd.conf gunicorn.conf.py``): the rule's code on the mismatch, nothing on the
fixes. What it saw goes to docs/evidence.json under the scenario's id, which the rule's claims
name (``observed("gw101-apache", ...)``).

What the servers do, read in their source (the lab runs Debian's Apache httpd 2.4.71 and Caddy
2.6.2, and hypercorn 0.18.0 from PyPI):

- Apache httpd (2.4.62): the backend socket's timeout is ``ProxyPass ... timeout=``, else
  ``ProxyTimeout``, else the server's ``Timeout`` (``modules/proxy/proxy_util.c:3965-3974``), 60 s
  by default (``include/httpd.h:161``). When it expires before the status line, or the
  connection ends there, mod_proxy_http logs ``AH01102: error reading status line from remote
  server`` (with the errno: ``(70007)The timeout specified has expired`` for the timeout) and
  answers **502** "Error reading from remote server" (``AH00898``), timeout or not
  (``modules/proxy/mod_proxy_http.c:1111-1121, 1193-1194``; ``proxy_util.c:415-416``). Only a
  client on a kept-alive connection whose backend connection broke (not timed out) gets no
  answer: Apache closes the client's connection so that it retries (``mod_proxy_http.c:
  1133-1185``); the lab's client opens a connection per request. Idle backend connections are
  pooled per child process with ``ttl=`` as their only idle limit (``proxy_util.c:2350-2353``;
  ``ttl=`` takes whole seconds, at least 1: ``mod_proxy.c:127-135``); a pooled connection is
  checked before reuse (``proxy_util.c:3676-3722``), which catches a close that has already
  arrived: the FIN-delay shim stands in for the latency that hides it.
- Caddy (v2.6.2): ``reverse_proxy`` keeps idle upstream connections 2 minutes by default
  (``modules/caddyhttp/reverseproxy/httptransport.go:137-142``; ``transport http { keepalive D }``
  sets that, ``caddyfile.go:1040-1056``); it has no response timeout unless
  ``response_header_timeout`` or ``read_timeout`` is set (``httptransport.go:193-208``). A timeout
  is **504**, any other upstream error **502** (``reverseproxy.go:1250-1257``). Go's transport
  (Caddy 2.6.2 is built with Go 1.19) resends a request that failed on a reused connection before
  any response byte when the request is replayable (GET, HEAD, OPTIONS, TRACE without a body):
  ``(*persistConn).shouldRetryRequest`` in Go 1.19's ``src/net/http/transport.go`` and
  ``(*Request).isReplayable`` in ``request.go``; a POST is not resent.
- hypercorn (0.18.0): ``keep_alive_timeout`` 5 s by default (``src/hypercorn/config.py:88``)
  closes an idle connection (``asyncio/tcp_server.py:136-139``); it has no per-request timeout:
  ``read_timeout`` (None by default, ``config.py:79``) bounds each read of the socket
  (``tcp_server.py:98``), not the app.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from gwlint.rules.base import PREMATURELY
from tests.e2e.evidence import Evidence
from tests.e2e.fronts import (
    Deployment,
    Racer,
    apache_log,
    caddy_log,
    deployment,
    need_apache,
    need_caddy,
    need_hypercorn,
    race,
    start,
)
from tests.e2e.harness import Lab, Reply, in_parallel, lint, log_line
from tests.e2e.race import DURATION, FIN_DELAY, GAPS
from tests.e2e.scenario import claimed, one, record

pytestmark = pytest.mark.e2e

SLOW = "/report/sleep?s=4"  # a request the app answers after 4 s
WORKER_TIMEOUT = "[CRITICAL] WORKER TIMEOUT"
AH01102 = "AH01102: error reading status line from remote server"
AH00898 = "AH00898: Error reading from remote server returned by"
APR_TIMEUP = "(70007)The timeout specified has expired"
CADDY_HEADER_TIMEOUT = '"msg":"net/http: timeout awaiting response headers"'
CADDY_EOF = '"logger":"http.log.error","msg":"EOF"'
TIMED_OUT = "upstream timed out (110: "

GUNICORN_SYNC = "bind = '127.0.0.1:{app}'\ntimeout = %d\n"
GUNICORN_GTHREAD = (
    "bind = '127.0.0.1:{app}'\nworker_class = 'gthread'\nthreads = 2\nkeepalive = %d\n"
)


def slow_requests(lab: Lab, deps: dict[str, Deployment]) -> dict[str, Reply]:
    """Start every deployment, then GET ``SLOW`` from all of them at once."""
    for dep in deps.values():
        start(lab, dep)
    replies = in_parallel(*(lambda d=d: d.get(SLOW) for d in deps.values()))
    return dict(zip(deps, replies, strict=True))


def linted(lab: Lab, dep: Deployment, code: str, *files: str) -> list[dict[str, Any]]:
    """``gwlint check --select CODE`` on the deployment's files (tests/e2e/harness.py ``lint``)."""
    tools = lab.tools
    return lint(dep.folder, code, *files, nginx=tools.nginx, tools=tools)


def no_kill(dep: Deployment) -> None:
    """The app server's worker was not killed: no WORKER TIMEOUT in gunicorn's log."""
    assert WORKER_TIMEOUT not in dep.procs["app"].text(), dep.procs["app"].text()[-2000:]


# ---------------------------------------------------------------------------------------------
# GW101: the timeout order


def test_gw101_apache_timeout_order(lab: Lab, evidence: Evidence) -> None:
    """gunicorn (sync) ``timeout = 2`` behind Apache's default wait (``Timeout`` 60 s): a 4 s
    request is killed by gunicorn, 500. With ``ProxyTimeout 2`` (or ``timeout=2`` on the
    ProxyPass) in front of ``timeout = 6``, Apache gives up first: its own 502 (AH01102, the
    timeout's errno), and gunicorn's worker lives on; with gunicorn's ``timeout = 75``, above
    Apache's 60 s, the request gets 200."""
    apache, _ = need_apache()
    proxy = "ProxyPass / http://127.0.0.1:{app}/"
    cases = {
        "broken": (proxy, 2),
        "proxytimeout": (f"ProxyTimeout 2\n{proxy}", 6),
        "param": (f"{proxy} timeout=2", 6),
        "longer": (proxy, 75),
    }
    deps = {
        key: deployment(
            lab,
            f"gw101-apache-{key}",
            {"httpd.conf": site, "gunicorn.conf.py": GUNICORN_SYNC % timeout},
        )
        for key, (site, timeout) in cases.items()
    }
    got = slow_requests(lab, deps)

    broken = got["broken"]
    assert broken.status == 500, broken
    assert 1.5 < broken.seconds < 3.5, broken  # gunicorn's 2 s, not the app's 4 s
    killed = log_line(deps["broken"].procs["app"], WORKER_TIMEOUT)
    for key in ("proxytimeout", "param"):
        assert got[key].status == 502, (key, got[key])
        assert 1.5 < got[key].seconds < 3.5, (key, got[key])  # Apache's 2 s
        assert b"Error reading from remote server" in got[key].body, got[key]
        no_kill(deps[key])
    timed_out = apache_log(deps["proxytimeout"], AH01102)
    assert APR_TIMEUP in timed_out, timed_out
    returned = apache_log(deps["proxytimeout"], AH00898)
    assert APR_TIMEUP in apache_log(deps["param"], AH01102)
    assert got["longer"].status == 200, got["longer"]
    no_kill(deps["longer"])

    # gwlint on the same files
    files = ("httpd.conf", "gunicorn.conf.py")
    diagnostic = one(linted(lab, deps["broken"], "GW101", *files), "GW101")
    assert "Apache httpd" in diagnostic["message"], diagnostic
    # what Apache answers on its own timeout, as seen above: not 504
    assert "504" not in diagnostic["message"] + diagnostic["fix"], diagnostic
    for key in ("proxytimeout", "param", "longer"):
        assert linted(lab, deps[key], "GW101", *files) == [], key

    expect = claimed("GW101", "gw101-apache", 500, WORKER_TIMEOUT)
    record(
        evidence,
        lab,
        id="gw101-apache",
        code="GW101",
        app="gunicorn (sync worker)",
        nginx=lab.tools.nginx,
        front=apache,
        variant="Apache httpd: Timeout 60 (default) > gunicorn timeout 2",
        scenario="`ProxyPass / http://127.0.0.1:PORT/` with no timeout set (Apache waits its "
        "`Timeout`, 60 s by default) in front of gunicorn `timeout = 2` (sync worker); the app "
        "answers after 4 s. The fixes run side by side.",
        diagnostic=diagnostic,
        request_=f"GET {SLOW}",
        predicted_=expect,
        reply=broken,
        logs=[("gunicorn", killed)],
        fix="gunicorn `timeout = 75`, above Apache's 60 s; or `ProxyTimeout 2` (or `timeout=2` "
        "on the ProxyPass) in front of gunicorn `timeout = 6`",
        fixed=f"gwlint quiet; with timeout = 75, {got['longer'].status} after the app's 4 s; "
        f"with ProxyTimeout 2 or timeout=2, Apache's own {got['proxytimeout'].status} at 2 s "
        "(gw101-apache-inverse) and no WORKER TIMEOUT",
        measured=f"{broken.status} after {broken.seconds:.1f} s; {got['longer'].status} after "
        f"{got['longer'].seconds:.1f} s with the fix",
    )
    inverse = claimed("GW101", "gw101-apache-inverse", 502, APR_TIMEUP, AH01102, AH00898)
    record(
        evidence,
        lab,
        id="gw101-apache-inverse",
        code="GW101",
        app="gunicorn (sync worker)",
        nginx=lab.tools.nginx,
        front=apache,
        variant="Apache httpd: ProxyTimeout 2 < gunicorn timeout 6",
        scenario="the same with `ProxyTimeout 2` in front of gunicorn `timeout = 6` (the order "
        "gwlint recommends); `ProxyPass ... timeout=2` gives the same.",
        diagnostic=None,
        request_=f"GET {SLOW}",
        predicted_=inverse,
        reply=got["proxytimeout"],
        logs=[("Apache error_log", timed_out), ("Apache error_log", returned)],
        fix="`ProxyTimeout 2` (or `timeout=2` on the ProxyPass), below gunicorn's `timeout = 6`",
        fixed="gwlint quiet; Apache answers 502 itself (Proxy Error, 'Error reading from remote "
        "server'), not 504, and gunicorn's worker is not killed",
        measured=f"{got['proxytimeout'].status} after {got['proxytimeout'].seconds:.1f} s "
        f"(ProxyTimeout), {got['param'].status} after {got['param'].seconds:.1f} s (timeout=)",
    )


def test_gw101_caddy_timeout_order(lab: Lab, evidence: Evidence) -> None:
    """gunicorn (sync) ``timeout = 2`` behind ``reverse_proxy`` with ``response_header_timeout
    10s``, and behind Caddy's default (no timeout at all): a 4 s request is killed by gunicorn,
    500, either way. With ``response_header_timeout 2s`` (or ``read_timeout 2s``) in front of
    ``timeout = 6``, Caddy gives up first: its own 504, and gunicorn's worker lives on."""
    caddy = need_caddy()

    def proxy(transport: str) -> str:
        if not transport:
            return "reverse_proxy 127.0.0.1:{app}\n"
        return (
            f"reverse_proxy 127.0.0.1:{{app}} {{\n\ttransport http {{\n\t\t{transport}\n\t}}\n}}\n"
        )

    cases = {
        "broken": (proxy("response_header_timeout 10s"), 2),
        "default": (proxy(""), 2),
        "header": (proxy("response_header_timeout 2s"), 6),
        "read": (proxy("read_timeout 2s"), 6),
    }
    deps = {
        key: deployment(
            lab, f"gw101-caddy-{key}", {"Caddyfile": site, "gunicorn.conf.py": GUNICORN_SYNC % t}
        )
        for key, (site, t) in cases.items()
    }
    got = slow_requests(lab, deps)

    for key in ("broken", "default"):
        assert got[key].status == 500, (key, got[key])
        assert 1.5 < got[key].seconds < 3.5, (key, got[key])  # gunicorn's 2 s
    killed = log_line(deps["broken"].procs["app"], WORKER_TIMEOUT)
    log_line(deps["default"].procs["app"], WORKER_TIMEOUT)
    for key in ("header", "read"):
        assert got[key].status == 504, (key, got[key])
        assert 1.5 < got[key].seconds < 3.5, (key, got[key])  # Caddy's 2 s
        no_kill(deps[key])
    header = caddy_log(deps["header"], CADDY_HEADER_TIMEOUT, '"status":504')
    read = caddy_log(deps["read"], "i/o timeout", '"status":504')

    files = ("Caddyfile", "gunicorn.conf.py")
    diagnostic = one(linted(lab, deps["broken"], "GW101", *files), "GW101")
    assert "Caddy" in diagnostic["message"], diagnostic
    for key in ("header", "read"):
        assert linted(lab, deps[key], "GW101", *files) == [], key

    expect = claimed("GW101", "gw101-caddy", 500, WORKER_TIMEOUT)
    record(
        evidence,
        lab,
        id="gw101-caddy",
        code="GW101",
        app="gunicorn (sync worker)",
        nginx=lab.tools.nginx,
        front=caddy,
        variant="Caddy: response_header_timeout 10s > gunicorn timeout 2",
        scenario="`reverse_proxy` with `transport http { response_header_timeout 10s }` in front "
        "of gunicorn `timeout = 2` (sync worker), and the same with Caddy's default (no "
        "timeout); the app answers after 4 s. The fixes run side by side.",
        diagnostic=diagnostic,
        request_=f"GET {SLOW}",
        predicted_=expect,
        reply=got["broken"],
        logs=[("gunicorn", killed)],
        fix="`response_header_timeout 2s` (or `read_timeout 2s`) in front of gunicorn "
        "`timeout = 6`",
        fixed=f"gwlint quiet; Caddy answers {got['header'].status} itself at 2 s "
        "(gw101-caddy-inverse) and gunicorn's worker is not killed. With Caddy's default (no "
        f"timeout), the same request got {got['default'].status} from gunicorn's kill",
        measured=f"{got['broken'].status} after {got['broken'].seconds:.1f} s; "
        f"{got['default'].status} after {got['default'].seconds:.1f} s with Caddy's default",
    )
    inverse = claimed("GW101", "gw101-caddy-inverse", 504, CADDY_HEADER_TIMEOUT, "i/o timeout")
    record(
        evidence,
        lab,
        id="gw101-caddy-inverse",
        code="GW101",
        app="gunicorn (sync worker)",
        nginx=lab.tools.nginx,
        front=caddy,
        variant="Caddy: response_header_timeout 2s < gunicorn timeout 6",
        scenario="the same with `response_header_timeout 2s` (and, side by side, `read_timeout "
        "2s`) in front of gunicorn `timeout = 6` (the order gwlint recommends).",
        diagnostic=None,
        request_=f"GET {SLOW}",
        predicted_=inverse,
        reply=got["header"],
        logs=[("Caddy log", header), ("Caddy log, read_timeout 2s", read)],
        fix="`response_header_timeout 2s` (or `read_timeout 2s`), below gunicorn's `timeout = 6`",
        fixed="gwlint quiet; Caddy answers 504 itself and gunicorn's worker is not killed",
        measured=f"{got['header'].status} after {got['header'].seconds:.1f} s "
        f"(response_header_timeout), {got['read'].status} after {got['read'].seconds:.1f} s "
        "(read_timeout)",
    )


def test_gw101_hypercorn_has_no_request_timeout(lab: Lab, evidence: Evidence) -> None:
    """hypercorn has no per-request timeout, so there is no order to keep: behind nginx's
    ``proxy_read_timeout 2s`` a 4 s request gets nginx's 504 and the app runs to its end; with
    hypercorn's ``read_timeout = 1`` (a bound on each socket read) behind ``proxy_read_timeout
    10s``, the same request gets 200. gwlint is quiet on both."""
    need_hypercorn()
    upstreams = "upstream app {\n    server 127.0.0.1:{app};\n}\n"
    cases = {"none": ("2s", ""), "read": ("10s", "read_timeout = 1\n")}
    deps = {
        key: deployment(
            lab,
            f"gw101-hypercorn-{key}",
            {
                "nginx.conf": "location / {\n"
                f"    proxy_read_timeout {read};\n"
                "    proxy_pass http://app;\n}\n",
                "upstreams": upstreams,
                "hypercorn.toml": 'bind = "127.0.0.1:{app}"\n' + toml,
                "Procfile": "web: hypercorn -c hypercorn.toml asgi_app:app\n",
            },
        )
        for key, (read, toml) in cases.items()
    }
    got = slow_requests(lab, deps)

    timed = got["none"]
    assert timed.status == 504, timed
    assert 1.5 < timed.seconds < 3.5, timed  # nginx's 2 s
    timed_out = log_line(deps["none"].log("nginx-error.log"), TIMED_OUT)
    ran = log_line(deps["none"].procs["app"], "e2e-asgi-app: slept 4 s for /report/sleep")
    assert got["read"].status == 200, got["read"]
    log_line(deps["read"].procs["app"], "e2e-asgi-app: slept 4 s for /report/sleep")

    files = ("nginx.conf", "Procfile", "hypercorn.toml")
    for dep in deps.values():
        assert linted(lab, dep, "GW101", *files) == [], dep.name

    expect = claimed("GW101", "gw101-hypercorn-none", 504, TIMED_OUT)
    record(
        evidence,
        lab,
        id="gw101-hypercorn-none",
        code="GW101",
        variant="hypercorn: no request timeout",
        scenario="nginx `proxy_read_timeout 2s` in front of hypercorn (`hypercorn -c "
        "hypercorn.toml`, defaults); the app answers after 4 s. Side by side: hypercorn "
        "`read_timeout = 1` behind `proxy_read_timeout 10s`.",
        app="hypercorn",
        nginx=lab.tools.nginx,
        diagnostic=None,
        request_=f"GET {SLOW}",
        predicted_=expect,
        reply=timed,
        logs=[("nginx error.log", timed_out), ("hypercorn", ran)],
        fix="none needed: hypercorn never ends a request itself, nginx's read timeout is the only "
        "one",
        fixed=f"gwlint quiet; the app ran to its end after nginx's 504; with read_timeout = 1 "
        f"behind proxy_read_timeout 10s, {got['read'].status} after {got['read'].seconds:.1f} s",
        measured=f"{timed.status} after {timed.seconds:.1f} s",
    )


# ---------------------------------------------------------------------------------------------
# GW201: the keep-alive race


def _race_text(racer: Racer) -> str:
    failed = racer.total - racer.counts[200]
    return f"{failed} of {racer.total} {racer.method}s failed ({100 * racer.share(502):.0f} % 502)"


def _assert_raced(mismatch: Racer, *clean: Racer) -> None:
    """>= 10 % of the mismatch's POSTs got 502 (and nothing else failed); every request of the
    others got 200."""
    assert mismatch.total >= 10, mismatch.counts
    assert set(mismatch.counts) <= {200, 502}, mismatch.counts
    assert mismatch.share(502) >= 0.10, mismatch.counts
    for racer in clean:
        assert set(racer.counts) == {200}, (racer.name, racer.counts)
        assert racer.total >= 10, (racer.name, racer.counts)


RACE_SCENARIO = (
    "One client per deployment sends {method} /race with idle gaps of {gaps[0]}-{gaps[1]} s for "
    "{duration:.0f} s, through a loopback relay that delays the app's FIN by {delay} s (a "
    "stand-in for network latency), against the mismatch and the fixes side by side."
)


def _scenario(text: str, method: str = "POST (100 bytes)") -> str:
    return f"{text} " + RACE_SCENARIO.format(
        method=method, gaps=GAPS, duration=DURATION, delay=FIN_DELAY
    )


def test_gw201_apache_keepalive_race(lab: Lab, evidence: Evidence) -> None:
    """``ProxyPass`` (connections pooled, no ``ttl=``) to gunicorn gthread ``keepalive = 1``:
    some POSTs after an idle gap get 502 (AH01102). With ``ttl=1`` below gunicorn's
    ``keepalive = 2``, and with ``disablereuse=On`` (the control), none does."""
    apache, _ = need_apache()
    proxy = "ProxyPass / http://127.0.0.1:{app}/"
    cases = {
        "mismatch": (proxy, 1),
        "fixed": (f"{proxy} ttl=1", 2),
        "control": (f"{proxy} disablereuse=On", 1),
    }
    deps = {
        key: deployment(
            lab,
            f"gw201-apache-{key}",
            {"httpd.conf": site, "gunicorn.conf.py": GUNICORN_GTHREAD % keepalive},
            raced=True,
        )
        for key, (site, keepalive) in cases.items()
    }
    for dep in deps.values():
        start(lab, dep)
    racers = {key: Racer(key, dep.port) for key, dep in deps.items()}
    race(list(racers.values()), DURATION)
    _assert_raced(racers["mismatch"], racers["fixed"], racers["control"])
    failed = apache_log(deps["mismatch"], AH01102)
    returned = apache_log(deps["mismatch"], AH00898)
    assert "/race" in returned, returned
    for key in ("fixed", "control"):
        assert AH01102 not in deps[key].log("apache-error.log").read_text(), key

    files = ("httpd.conf", "gunicorn.conf.py")
    diagnostic = one(linted(lab, deps["mismatch"], "GW201", *files), "GW201")
    assert "Apache httpd" in diagnostic["message"], diagnostic
    for key in ("fixed", "control"):
        assert linted(lab, deps[key], "GW201", *files) == [], key

    expect = claimed("GW201", "gw201-apache", 502, AH01102, AH00898)
    mismatch, fixed, control = racers["mismatch"], racers["fixed"], racers["control"]
    record(
        evidence,
        lab,
        id="gw201-apache",
        folder=deps["mismatch"].folder,
        code="GW201",
        variant="Apache httpd: pooled connections, no ttl= vs gunicorn keepalive 1",
        scenario=_scenario(
            "`ProxyPass / http://127.0.0.1:PORT/` (mod_proxy pools backend connections, no "
            "idle limit without `ttl=`; one child process) -> gunicorn gthread `keepalive = 1`."
        ),
        app="gunicorn (gthread worker)",
        nginx=lab.tools.nginx,
        front=apache,
        diagnostic=diagnostic,
        request_="POST /race (100 bytes), repeatedly",
        predicted_=f"{expect}, intermittent",
        reply=f"{expect} for a share of the POSTs (the suite requires >= 10 %)",
        logs=[("Apache error_log", failed), ("Apache error_log", returned)],
        fix="`ttl=1` on the ProxyPass, below gunicorn's `keepalive = 2` (ttl= takes whole "
        "seconds, at least 1); or `disablereuse=On` (the control: a connection per request)",
        fixed="gwlint quiet; every POST 200, with the fix and in the control",
        measured=f"mismatch: {_race_text(mismatch)}; fixed: {fixed.counts[200]} of "
        f"{fixed.total} 200; control (disablereuse=On): {control.counts[200]} of "
        f"{control.total} 200",
    )


def test_gw201_caddy_keepalive_race(lab: Lab, evidence: Evidence) -> None:
    """``reverse_proxy`` (idle upstream connections kept 2 minutes by default) to gunicorn
    gthread ``keepalive = 1``: some POSTs after an idle gap get 502 (EOF), while GETs through
    the same configs all get 200 (Go's transport resends them). With ``transport http {
    keepalive 500ms }``, or gunicorn's ``keepalive = 150`` (above Caddy's 2 minutes), no POST
    fails."""
    caddy = need_caddy()
    default = "reverse_proxy 127.0.0.1:{app}\n"
    shorter = "reverse_proxy 127.0.0.1:{app} {\n\ttransport http {\n\t\tkeepalive 500ms\n\t}\n}\n"
    cases = {
        "mismatch": (default, 1, "POST"),
        "get": (default, 1, "GET"),
        "fixed": (shorter, 1, "POST"),
        "app": (default, 150, "POST"),
    }
    deps = {
        key: deployment(
            lab,
            f"gw201-caddy-{key}",
            {"Caddyfile": site, "gunicorn.conf.py": GUNICORN_GTHREAD % keepalive},
            raced=True,
        )
        for key, (site, keepalive, _) in cases.items()
    }
    for dep in deps.values():
        start(lab, dep)
    racers = {key: Racer(key, deps[key].port, method) for key, (_, _, method) in cases.items()}
    race(list(racers.values()), DURATION)
    _assert_raced(racers["mismatch"], racers["get"], racers["fixed"], racers["app"])
    failed = caddy_log(deps["mismatch"], CADDY_EOF, '"status":502')
    assert '"method":"POST"' in failed, failed
    for key in ("get", "fixed", "app"):
        assert '"status":502' not in deps[key].log("caddy.log").read_text(), key

    files = ("Caddyfile", "gunicorn.conf.py")
    for key in ("mismatch", "get"):  # the same configs
        diagnostic = one(linted(lab, deps[key], "GW201", *files), "GW201")
        assert "Caddy" in diagnostic["message"], diagnostic
    for key in ("fixed", "app"):
        assert linted(lab, deps[key], "GW201", *files) == [], key

    expect = claimed("GW201", "gw201-caddy", 502, CADDY_EOF)
    mismatch, get = racers["mismatch"], racers["get"]
    resent = sum(1 for seconds in get.seconds if seconds > FIN_DELAY / 5)
    record(
        evidence,
        lab,
        id="gw201-caddy",
        folder=deps["mismatch"].folder,
        code="GW201",
        variant="Caddy: keepalive 2m (default) vs gunicorn keepalive 1",
        scenario=_scenario(
            "`reverse_proxy 127.0.0.1:PORT` (idle upstream connections kept 2 minutes by "
            "default) -> gunicorn gthread `keepalive = 1`; a fourth deployment with the same "
            "configs gets GETs instead.",
            "POST (100 bytes), or GET,",
        ),
        app="gunicorn (gthread worker)",
        nginx=lab.tools.nginx,
        front=caddy,
        diagnostic=diagnostic,
        request_="POST /race (100 bytes), repeatedly; GET /race on the same configs",
        predicted_=f"{expect}, intermittent, for POSTs",
        reply=f"{expect} for a share of the POSTs (the suite requires >= 10 %)",
        logs=[("Caddy log", failed)],
        fix="`transport http { keepalive 500ms }` in the reverse_proxy, below gunicorn's 1 s; "
        "or gunicorn `keepalive = 150`, above Caddy's 2 minutes",
        fixed=f"gwlint quiet; every POST 200 with either fix. The GETs through the mismatch: "
        f"{get.counts[200]} of {get.total} 200 (Go's transport resends a GET that failed on a "
        "reused connection)",
        measured=f"mismatch: {_race_text(mismatch)}; GETs: {get.counts[200]} of {get.total} 200, "
        f"{resent} of them after more than {FIN_DELAY / 5:g} s (the stale connection's late "
        f"close, then a new one); keepalive 500ms: {racers['fixed'].counts[200]} of "
        f"{racers['fixed'].total} 200; gunicorn keepalive 150: {racers['app'].counts[200]} of "
        f"{racers['app'].total} 200",
    )


def test_gw201_hypercorn_keepalive_race(lab: Lab, evidence: Evidence) -> None:
    """nginx's upstream keep-alive (on by default since 1.29.7, ``keepalive_timeout`` 60 s) to
    hypercorn ``keep_alive_timeout = 1`` (hypercorn.toml): some POSTs after an idle gap get 502.
    With ``keep_alive_timeout = 75``, above nginx's 60 s, none does."""
    need_hypercorn()
    nginx = lab.tools.nginx
    assert nginx.keepalive_by_default, nginx.version
    cases = {"mismatch": 1, "fixed": 75}
    deps = {
        key: deployment(
            lab,
            f"gw201-hypercorn-{key}",
            {
                "nginx.conf": "location / {\n    proxy_pass http://app;\n}\n",
                "upstreams": "upstream app {\n    server 127.0.0.1:{app};\n}\n",
                "hypercorn.toml": f'bind = "127.0.0.1:{{app}}"\nkeep_alive_timeout = {idle}\n',
                "Procfile": "web: hypercorn -c hypercorn.toml asgi_app:app\n",
            },
            raced=True,
        )
        for key, idle in cases.items()
    }
    for dep in deps.values():
        start(lab, dep)
    racers = {key: Racer(key, dep.port) for key, dep in deps.items()}
    race(list(racers.values()), DURATION)
    _assert_raced(racers["mismatch"], racers["fixed"])
    error_log = deps["mismatch"].log("nginx-error.log")
    reset = "recv() failed (104: Connection reset by peer)"
    deadline = time.monotonic() + 5
    line = None
    while line is None and time.monotonic() < deadline:
        line = next(
            (ln for ln in error_log.read_text().splitlines() if PREMATURELY in ln or reset in ln),
            None,
        )
        time.sleep(0.05)
    assert line is not None, error_log.read_text()[-2000:]
    assert "POST /race" in line, line

    files = ("nginx.conf", "Procfile", "hypercorn.toml")
    diagnostic = one(linted(lab, deps["mismatch"], "GW201", *files), "GW201")
    assert "hypercorn" in diagnostic["message"], diagnostic
    assert linted(lab, deps["fixed"], "GW201", *files) == []

    expect = claimed("GW201", "gw201-hypercorn", 502)
    mismatch, fixed = racers["mismatch"], racers["fixed"]
    record(
        evidence,
        lab,
        id="gw201-hypercorn",
        folder=deps["mismatch"].folder,
        code="GW201",
        variant="nginx upstream keep-alive (default) vs hypercorn keep_alive_timeout 1",
        scenario=_scenario(
            "`upstream app { server ...; }` with nothing else (nginx >= 1.29.7 keeps idle "
            "connections by default, `keepalive_timeout` 60 s) -> hypercorn `hypercorn -c "
            "hypercorn.toml` with `keep_alive_timeout = 1`."
        ),
        app="hypercorn",
        nginx=nginx,
        diagnostic=diagnostic,
        request_="POST /race (100 bytes), repeatedly",
        predicted_=f"{expect}, intermittent",
        reply=f"{expect} for a share of the POSTs (the suite requires >= 10 %)",
        logs=[("nginx error.log", line)],
        fix="`keep_alive_timeout = 75` in hypercorn.toml, above nginx's 60 s",
        fixed="gwlint quiet; every POST 200",
        measured=f"mismatch: {_race_text(mismatch)}; fixed: {fixed.counts[200]} of "
        f"{fixed.total} 200",
    )
