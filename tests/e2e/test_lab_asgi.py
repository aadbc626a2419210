"""daphne and granian behind nginx, on real servers (issue 16): the keep-alive race (GW201), the
wrong address (GW401) and the wrong protocol (GW402), with the fix that makes each pass.

As in tests/e2e/test_lab_fronts.py, each test writes its scenario's deployments (the mismatch and
the fixes side by side), starts them (the app server as its launcher says: a Procfile's ``web:``
line or a shell script's ``exec`` line, tests/e2e/fronts.py ``start_asgi``), sends each the same
requests, checks what the client got and what the servers logged, then runs gwlint on each
deployment's files as a user would (``gwlint check nginx.conf start.sh``): the rule's code on the
mismatch, nothing on the fixes. What it saw goes to docs/evidence.json under the scenario's id,
which the rule's claims name (``observed("gw201-granian", ...)``).

What the servers do, read in their source (the lab runs daphne 4.2.3 on Twisted 26.10.0 and
granian 2.8.9 from PyPI; the lines are those of the installed releases):

- granian (2.8.9): ``--http1-header-read-timeout`` (milliseconds, 30000 by default:
  ``granian/http.py:6``, ``granian/cli.py:181-186``) is hyper's header read timeout, which since
  hyper 1.4 also runs while a kept-alive connection waits for its next request (hyper v1.11.0
  ``src/proto/h1/conn.rs:211-235``; granian pins hyper =1.11, ``Cargo.toml:42`` of v2.8.1): it is
  granian's idle limit (gwlint/model/asgi_options.py). Observed here: with 1000, an idle
  connection is closed (a FIN, no 408) 1.0 s after its response. The option only takes 1 to
  60000 (``click.IntRange(1, 60_000)``, ``granian/cli.py:183``): granian cannot keep an idle
  connection longer than 60 s, nginx's default ``keepalive_timeout``, so the fix is on nginx's
  side (``keepalive_timeout`` below granian's limit).
- daphne (4.2.3): its ``HTTPFactory`` calls ``http.HTTPFactory.__init__(self)`` with no timeout
  (``daphne/http_protocol.py:386``), so Twisted's ``_REQUEST_TIMEOUT = 1 * 60``
  (``twisted/web/http.py:210``; the factory's ``timeOut``, 3348 and 3382, copied to each
  channel, 3443) closes a connection idle for 60 s: the timer is set when the connection is
  made (2350), reset by every byte received (2357), paused while a request is handled (2534-2535)
  and set again when its response is done (2686); ``timeoutConnection`` then closes the
  connection (2695-2702). Observed here: a FIN 60.0 s after the response. No daphne option
  changes it.
- daphne behind ``uwsgi_pass``: Twisted reads a request line up to a newline (``HTTPChannel``
  is a ``LineReceiver``, ``twisted/web/http.py:2212``); nginx's uwsgi packet has none, so daphne
  waits without answering, and nginx answers **504** when ``uwsgi_read_timeout`` (60 s by
  default) expires, unless Twisted's 60 s idle timer (reset by the packet's arrival) closes the
  connection first: then **502**, ``upstream prematurely closed connection while reading
  response header from upstream`` (seen once by hand with ``uwsgi_read_timeout 75s``: 502 after
  60.0 s). With both at 60 s the outcome is a race; the scenario sets ``uwsgi_read_timeout 3s``
  so that nginx's timer decides, in 3 s.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from gwlint.rules.base import PREMATURELY
from tests.e2e.evidence import Evidence
from tests.e2e.fronts import (
    Deployment,
    Racer,
    deployment,
    need_daphne,
    need_granian,
    race,
    start_asgi,
)
from tests.e2e.harness import Lab, Reply, free_port, lint, log_line, request
from tests.e2e.race import DURATION, FIN_DELAY, GAPS
from tests.e2e.scenario import IN, UWSGI_PASS, claimed, fix_of, one, record, site

pytestmark = pytest.mark.e2e

REFUSED = "connect() failed (111: Connection refused) while connecting to upstream"
TIMED_OUT = "upstream timed out (110: "
RESET = "recv() failed (104: Connection reset by peer)"
GRANIAN_MAX_IDLE_MS = 60_000  # the largest --http1-header-read-timeout granian takes

GRANIAN_SCRIPT = (
    "#!/bin/sh\n"
    "exec granian --interface asgi --host 127.0.0.1 --port {app} "
    "--http1-header-read-timeout %d asgi_app:app\n"
)
GRANIAN_PROCFILE = "web: granian --interface asgi --host 127.0.0.1 --port {app} asgi_app:app\n"
DAPHNE_PROCFILE = "web: daphne -b 127.0.0.1 -p {app} asgi_app:app\n"

# daphne's race: idle gaps of 60 s cannot be drawn at random in a test of 90 s, so each client
# sends one batch, waits DAPHNE_GAP after its answers and sends another; the shim delays
# daphne's FIN by DAPHNE_FIN_DELAY, and the second batch lands in the middle of that window
DAPHNE_IDLE = 60.0  # Twisted's _REQUEST_TIMEOUT
DAPHNE_FIN_DELAY = 1.0
DAPHNE_GAP = DAPHNE_IDLE + DAPHNE_FIN_DELAY / 2
DAPHNE_BATCH = 3  # concurrent POSTs: nginx opens (and then keeps) one connection for each


def linted(lab: Lab, dep: Deployment, code: str, *files: str) -> list[dict[str, Any]]:
    """``gwlint check --select CODE`` on the deployment's files (tests/e2e/harness.py ``lint``)."""
    tools = lab.tools
    return lint(dep.folder, code, *files, nginx=tools.nginx, tools=tools)


def start(lab: Lab, dep: Deployment, launcher: str, fin_delay: float = FIN_DELAY) -> Deployment:
    """The deployment's app server as ``launcher`` starts it (behind the FIN-delay shim when
    raced), then its nginx."""
    raced = dep.raced
    dep.procs["app"] = start_asgi(lab, dep.folder, launcher, port=dep.backend if raced else 0)
    if raced:
        dep.procs["shim"] = lab.shim(dep.folder, dep.app, dep.backend, fin_delay)
    dep.procs["proxy"] = lab.nginx(dep.folder)
    return dep


def failed_post(dep: Deployment) -> str:
    """The first line of the deployment's nginx error.log for a POST that lost its upstream
    connection (nginx words it two ways, depending on timing), waiting a little."""
    error_log = dep.log("nginx-error.log")
    deadline = time.monotonic() + 5
    while True:
        text = error_log.read_text()
        line = next(
            (ln for ln in text.splitlines() if PREMATURELY in ln or RESET in ln),
            None,
        )
        if line is not None:
            return line
        assert time.monotonic() < deadline, text[-2000:]
        time.sleep(0.05)


def _race_text(racer: Racer) -> str:
    failed = racer.total - racer.counts[200]
    return f"{failed} of {racer.total} {racer.method}s failed ({100 * racer.share(502):.0f} % 502)"


def _counts(racer: Racer) -> str:
    return f"{racer.counts[200]} of {racer.total} 200"


# ---------------------------------------------------------------------------------------------
# GW201: the keep-alive race


def test_gw201_granian_keepalive_race(lab: Lab, evidence: Evidence) -> None:
    """nginx's upstream keep-alive (on by default since 1.29.7, ``keepalive_timeout`` 60 s; and
    the explicit ``keepalive`` + ``proxy_http_version 1.1`` + ``Connection ""`` of older
    configs) to granian ``--http1-header-read-timeout 1000`` (an idle limit of 1 s) started by a
    shell script: some POSTs after an idle gap get 502. With nginx's ``keepalive_timeout 500ms``
    (below granian's 1 s), or granian's largest limit (60000) behind ``keepalive_timeout 50s``,
    none does."""
    need_granian()
    nginx = lab.tools.nginx
    assert nginx.keepalive_by_default, nginx.version
    default = "location / {\n    proxy_pass http://app;\n}\n"
    explicit = (
        'location / {\n    proxy_http_version 1.1;\n    proxy_set_header Connection "";\n'
        "    proxy_pass http://app;\n}\n"
    )

    def upstream(extra: str = "") -> str:
        return "upstream app {\n    server 127.0.0.1:{app};\n" + extra + "}\n"

    cases = {
        "mismatch": (default, upstream(), 1000),
        "explicit": (explicit, upstream("    keepalive 16;\n"), 1000),
        "nginx": (default, upstream("    keepalive_timeout 500ms;\n"), 1000),
        "granian": (default, upstream("    keepalive_timeout 50s;\n"), GRANIAN_MAX_IDLE_MS),
    }
    deps = {
        key: deployment(
            lab,
            f"gw201-granian-{key}",
            {"nginx.conf": site_, "upstreams": blocks, "start.sh": GRANIAN_SCRIPT % idle},
            raced=True,
        )
        for key, (site_, blocks, idle) in cases.items()
    }
    for dep in deps.values():
        start(lab, dep, "start.sh")
    racers = {key: Racer(key, dep.port) for key, dep in deps.items()}
    race(list(racers.values()), DURATION)
    for key in ("mismatch", "explicit"):  # >= 10 % 502, nothing else failed
        racer = racers[key]
        assert racer.total >= 10, (key, racer.counts)
        assert set(racer.counts) <= {200, 502}, (key, racer.counts)
        assert racer.share(502) >= 0.10, (key, racer.counts)
    for key in ("nginx", "granian"):
        assert set(racers[key].counts) == {200}, (key, racers[key].counts)
        assert racers[key].total >= 10, (key, racers[key].counts)
    line = failed_post(deps["mismatch"])
    assert "POST /race" in line, line
    explicit_line = failed_post(deps["explicit"])
    for key in ("nginx", "granian"):
        text = deps[key].log("nginx-error.log").read_text()
        assert PREMATURELY not in text, (key, text[-2000:])
        assert RESET not in text, (key, text[-2000:])

    files = ("nginx.conf", "start.sh")
    diagnostic = one(linted(lab, deps["mismatch"], "GW201", *files), "GW201")
    assert "granian" in diagnostic["message"], diagnostic
    one(linted(lab, deps["explicit"], "GW201", *files), "GW201")
    for key in ("nginx", "granian"):
        assert linted(lab, deps[key], "GW201", *files) == [], key

    expect = claimed("GW201", "gw201-granian", 502)
    mismatch = racers["mismatch"]
    record(
        evidence,
        lab,
        id="gw201-granian",
        folder=deps["mismatch"].folder,
        code="GW201",
        variant="nginx upstream keep-alive (default) vs granian --http1-header-read-timeout 1000",
        scenario="`upstream app { server ...; }` with nothing else (nginx >= 1.29.7 keeps idle "
        "connections by default, `keepalive_timeout` 60 s) -> granian `--interface asgi "
        "--http1-header-read-timeout 1000` (an idle limit of 1 s), started by `exec granian "
        "...` in start.sh; a second deployment with `keepalive 16`, `proxy_http_version 1.1` "
        'and `proxy_set_header Connection ""`. One client per deployment sends POST (100 '
        f"bytes) /race with idle gaps of {GAPS[0]}-{GAPS[1]} s for {DURATION:.0f} s, through a "
        f"loopback relay that delays the app's FIN by {FIN_DELAY} s (a stand-in for network "
        "latency), against the mismatches and the fixes side by side.",
        app="granian (--interface asgi)",
        nginx=nginx,
        diagnostic=diagnostic,
        request_="POST /race (100 bytes), repeatedly",
        predicted_=f"{expect}, intermittent",
        reply=f"{expect} for a share of the POSTs (the suite requires >= 10 %)",
        logs=[("nginx error.log", line), ("nginx error.log, explicit keepalive", explicit_line)],
        fix="`keepalive_timeout 500ms` in the upstream block, below granian's 1 s; or granian's "
        f"largest `--http1-header-read-timeout {GRANIAN_MAX_IDLE_MS}` (60 s: the option takes "
        "1 to 60000) behind `keepalive_timeout 50s`",
        fixed=f"gwlint quiet; every POST 200 with either fix ({_counts(racers['nginx'])}; "
        f"{_counts(racers['granian'])})",
        measured=f"mismatch: {_race_text(mismatch)}; explicit keepalive: "
        f"{_race_text(racers['explicit'])}; keepalive_timeout 500ms: "
        f"{_counts(racers['nginx'])}; --http1-header-read-timeout {GRANIAN_MAX_IDLE_MS} behind "
        f"keepalive_timeout 50s: {_counts(racers['granian'])}",
    )


def _idle_posts(port: int) -> tuple[list[Reply], list[Reply]]:
    """``DAPHNE_BATCH`` POSTs at once (the app answers each after 0.5 s, so nginx opens a
    connection for each and keeps them), then ``DAPHNE_GAP`` seconds of idle, then as many
    POSTs at once again."""
    body = b"x" * 100

    def batch(path: str) -> list[Reply]:
        with ThreadPoolExecutor(max_workers=DAPHNE_BATCH) as pool:
            calls = [
                pool.submit(request, port, "POST", path, body=body, timeout=10)
                for _ in range(DAPHNE_BATCH)
            ]
            return [call.result() for call in calls]

    first = batch("/race/sleep?s=0.5")
    time.sleep(DAPHNE_GAP)
    return first, batch("/race")


def test_gw201_daphne_idle_timeout(lab: Lab, evidence: Evidence) -> None:
    """nginx ``keepalive_timeout 75s`` in front of daphne, which closes a connection idle for
    60 s (Twisted's fixed timeout): POSTs sent 60.5 s after the last answers get 502. With
    ``keepalive_timeout 50s``, nginx drops its idle connections first and the same POSTs get
    200. (About 65 s: the gap is daphne's 60 s.)"""
    need_daphne()
    cases = {"mismatch": "75s", "fixed": "50s"}
    deps = {
        key: deployment(
            lab,
            f"gw201-daphne-{key}",
            {
                "nginx.conf": "location / {\n    proxy_pass http://app;\n}\n",
                "upstreams": "upstream app {\n    server 127.0.0.1:{app};\n"
                f"    keepalive_timeout {idle};\n}}\n",
                "Procfile": DAPHNE_PROCFILE,
            },
            raced=True,
        )
        for key, idle in cases.items()
    }
    files = ("nginx.conf", "Procfile")
    diagnostic = one(linted(lab, deps["mismatch"], "GW201", *files), "GW201")
    assert "daphne" in diagnostic["message"], diagnostic
    assert linted(lab, deps["fixed"], "GW201", *files) == []
    for dep in deps.values():
        start(lab, dep, "Procfile", DAPHNE_FIN_DELAY)
    with ThreadPoolExecutor(max_workers=len(deps)) as pool:
        runs = dict(zip(deps, pool.map(_idle_posts, [d.port for d in deps.values()]), strict=True))

    racers = {key: Racer(key, deps[key].port) for key in deps}
    for key, (first, then) in runs.items():
        assert [r.status for r in first] == [200] * DAPHNE_BATCH, (key, first)
        racers[key].counts.update(r.status for r in then)
    mismatch, fixed = racers["mismatch"], racers["fixed"]
    assert set(mismatch.counts) <= {200, 502}, mismatch.counts
    assert mismatch.counts[502] >= 1, mismatch.counts
    assert set(fixed.counts) == {200}, fixed.counts
    line = failed_post(deps["mismatch"])
    assert "POST /race" in line, line
    fixed_log = deps["fixed"].log("nginx-error.log").read_text()
    assert PREMATURELY not in fixed_log, fixed_log[-2000:]
    assert RESET not in fixed_log, fixed_log[-2000:]

    expect = claimed("GW201", "gw201-daphne", 502)
    record(
        evidence,
        lab,
        id="gw201-daphne",
        folder=deps["mismatch"].folder,
        code="GW201",
        variant="nginx keepalive_timeout 75s vs daphne's 60 s (Twisted's)",
        scenario="`upstream app { server ...; keepalive_timeout 75s; }` (nginx >= 1.29.7 keeps "
        "idle connections by default) -> daphne (`daphne -b 127.0.0.1 -p PORT`, started by a "
        "Procfile), which closes a connection idle for 60 s. One client per deployment sends "
        f"{DAPHNE_BATCH} POSTs at once (nginx opens a connection for each), waits "
        f"{DAPHNE_GAP:g} s after their answers and sends {DAPHNE_BATCH} POSTs (100 bytes) at "
        f"once again, through a loopback relay that delays the app's FIN by {DAPHNE_FIN_DELAY:g}"
        " s (a stand-in for network latency); the mismatch and the fix side by side.",
        app="daphne",
        nginx=lab.tools.nginx,
        diagnostic=diagnostic,
        request_=f"POST /race (100 bytes), {DAPHNE_GAP:g} s after the connections' last answer",
        predicted_=expect,
        reply=expect,
        logs=[("nginx error.log", line)],
        fix="`keepalive_timeout 50s` in the upstream block, below daphne's 60 s (no daphne "
        "option sets it)",
        fixed="gwlint quiet; every POST 200",
        measured=f"mismatch: {_race_text(mismatch)} after {DAPHNE_GAP:g} s idle; "
        f"keepalive_timeout 50s: {_counts(fixed)}",
    )


# ---------------------------------------------------------------------------------------------
# GW401: nothing listens where nginx connects


def test_gw401_granian_not_listening(lab: Lab, evidence: Evidence) -> None:
    """``proxy_pass`` to a port granian does not listen on: 502, connection refused. gwlint's
    fix (point proxy_pass at granian's port) gets 200."""
    need_granian()
    wrong = free_port()  # nothing listens there
    s = site(
        lab,
        "gw401-granian",
        f"location / {{{{\n    proxy_pass http://127.0.0.1:{wrong};\n}}}}",
        {"Procfile": GRANIAN_PROCFILE},
    )
    files = ("nginx.conf", "Procfile")
    diagnostic = one(s.lint("GW401", *files), "GW401")
    related = [note["message"] for note in diagnostic["related"]]
    assert f"granian listens on 127.0.0.1:{s.app} (http)" in related, diagnostic
    expect = claimed("GW401", "gw401-granian", 502, REFUSED)
    granian = start_asgi(lab, s.folder, "Procfile")
    nginx = s.start_nginx()
    broken = s.get("/")
    assert str(broken.status) == expect, broken
    line = s.nginx_log(REFUSED)

    point = fix_of(diagnostic, r"^point proxy_pass at (\S+), or ")
    good = point.group(1)
    assert good == f"127.0.0.1:{s.app}", diagnostic["fix"]
    s.edit("nginx.conf", f"proxy_pass http://127.0.0.1:{wrong};", f"proxy_pass http://{good};")
    assert s.lint("GW401", *files) == []
    lab.stop(nginx)
    s.start_nginx()
    fixed = s.get("/")
    assert fixed.status == 200, fixed
    assert fixed.body == b"ok /\n", fixed  # the lab's ASGI app, served by granian
    log_line(granian, "e2e-asgi-app: GET / ")
    record(
        evidence,
        lab,
        id="gw401-granian",
        code="GW401",
        variant="granian (tcp)",
        scenario="`proxy_pass` to a port nothing listens on; granian (`granian --interface asgi "
        "--host 127.0.0.1 --port PORT`, started by a Procfile) listens on another.",
        app="granian (--interface asgi)",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="GET /",
        predicted_=expect,
        reply=broken,
        logs=[("nginx error.log", line)],
        fix=f"`{point.group(0).removesuffix(', or ')}` (gwlint's fix)",
        fixed=f"gwlint quiet; {fixed.status}",
    )


# ---------------------------------------------------------------------------------------------
# GW402: uwsgi_pass to an HTTP server


def test_gw402_uwsgi_pass_to_daphne(lab: Lab, evidence: Evidence) -> None:
    """``uwsgi_pass`` to daphne's HTTP port: daphne never answers the uwsgi packet (no newline
    for Twisted's request line), nginx gives up after ``uwsgi_read_timeout`` (3 s here): 504.
    gwlint's fix (proxy_pass http://) gets 200."""
    need_daphne()
    read_timeout = "uwsgi_read_timeout 3s;"
    location = (
        "location / {{\n    "
        + f"{read_timeout}\n    "
        + UWSGI_PASS.replace("\n", "\n    ")
        + "\n}}"
    )
    s = site(lab, "gw402-daphne", location, {"Procfile": DAPHNE_PROCFILE})
    files = ("nginx.conf", "Procfile")
    diagnostic = one(s.lint("GW402", *files), "GW402")
    assert "daphne" in diagnostic["message"], diagnostic
    expect = claimed("GW402", "gw402-daphne", 504, TIMED_OUT)
    daphne = start_asgi(lab, s.folder, "Procfile")
    nginx = s.start_nginx()
    broken = s.get("/")
    assert str(broken.status) == expect, broken
    assert broken.seconds > 2.5, broken  # nginx's uwsgi_read_timeout, not an answer of daphne
    line = s.nginx_log(TIMED_OUT)
    assert "while reading response header from upstream" in line, line
    assert 'upstream: "uwsgi://127.0.0.1:' in line, line
    assert "e2e-asgi-app:" not in daphne.text(), daphne.text()  # the app never saw a request

    use = fix_of(diagnostic, r"^use proxy_pass http://(127\.0\.0\.1:\d+) here")
    s.edit(
        "nginx.conf",
        UWSGI_PASS.format(app=s.app).replace("\n", IN),
        f"proxy_pass http://{use.group(1)};",
    )
    assert s.lint("GW402", *files) == []
    lab.stop(nginx)
    s.start_nginx()
    fixed = s.get("/")
    assert fixed.status == 200, fixed
    assert fixed.body == b"ok /\n", fixed  # the lab's ASGI app, served by daphne
    log_line(daphne, "e2e-asgi-app: GET / ")
    record(
        evidence,
        lab,
        id="gw402-daphne",
        code="GW402",
        variant="daphne (HTTP)",
        scenario="`uwsgi_pass` (with `uwsgi_read_timeout 3s`) to daphne (`daphne -b 127.0.0.1 "
        "-p PORT`, started by a Procfile), which speaks HTTP only and waits for a request line "
        "the uwsgi packet never ends.",
        app="daphne",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="GET /",
        predicted_=expect,
        reply=broken,
        logs=[("nginx error.log", line)],
        fix=f"`{use.group(0)}` (gwlint's fix)",
        fixed=f"gwlint quiet; {fixed.status}",
        measured=f"{broken.status} after {broken.seconds:.1f} s (uwsgi_read_timeout 3s)",
    )
