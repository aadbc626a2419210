"""GW1xx: request timeouts on the two sides of the proxy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from gwlint.model.diagnostics import Finding, Location, Related, Severity
from gwlint.rules.base import ex, rule
from gwlint.rules.text import above, ms, related, secs

if TYPE_CHECKING:
    from gwlint.model.deployment import Deployment, Link
    from gwlint.model.source import Source

MAX_ALSO = 5


def _source_key(source: Source) -> tuple[str, int, str]:
    return (source.path or "", source.line or 0, source.default_of or "")


def _grouped(links: Iterator[Link]) -> dict[tuple[int, tuple[str, int, str]], list[Link]]:
    """Links by (app, place the route's read timeout comes from): one finding per place to fix."""
    groups: dict[tuple[int, tuple[str, int, str]], list[Link]] = {}
    for link in links:
        key = (id(link.app), _source_key(link.route.read_timeout.source))
        groups.setdefault(key, []).append(link)
    return groups


def _primary(links: list[Link]) -> tuple[Location, tuple[Related, ...]]:
    """The read-timeout directive when it is written, else the first route's pass directive."""
    first = links[0].route
    timeout = first.read_timeout
    also = [
        Related(
            location=Location.of(link.route.pass_directive.source) or Location(path="?", line=1),
            message=f"also applies to {link.route.describe()}",
        )
        for link in links[1:]
    ]
    if len(also) > MAX_ALSO:
        last = also[MAX_ALSO - 1]
        more = len(also) - MAX_ALSO
        also[MAX_ALSO - 1] = Related(
            location=last.location, message=f"{last.message} (and {more} more)"
        )
    if timeout.source.in_file:
        location = Location.of(timeout.source)
        assert location is not None
        uses = Related(
            location=Location.of(first.pass_directive.source) or location,
            message=f"used by {first.describe()}",
        )
        return location, (uses, *also[:MAX_ALSO])
    location = Location.of(first.pass_directive.source)
    assert location is not None
    return location, tuple(also[:MAX_ALSO])


def _consequence(app_seconds: int, nginx_seconds: float, killer: str, status: str) -> str:
    if app_seconds >= nginx_seconds:
        return (
            f"a request reaching {app_seconds} s races a kill by {killer}, then {status}, "
            "against nginx's own timeout (504)"
        )
    return (
        f"a request still running after {app_seconds} s is killed by {killer} and {status}, "
        f"while nginx would have waited up to {nginx_seconds:g} s (then 504)"
    )


def _status_after_kill(version: tuple[int, int, int]) -> str:
    if version >= (22, 0, 0):
        return "answered 500 (gunicorn >= 22; 502 if the worker is stuck in C code)"
    return "answered 502 by nginx ('upstream prematurely closed connection')"


@rule(
    code="GW101",
    name="gunicorn-timeout-below-proxy-read-timeout",
    title="gunicorn worker timeout is not longer than nginx's proxy_read_timeout",
    severity=Severity.WARNING,
    why="""
With the default **sync** worker, gunicorn's `timeout` kills a worker whose request runs longer
(master: `[CRITICAL] WORKER TIMEOUT (pid:1234)`, worker: `[ERROR] Error handling request GET
/report` and `SystemExit: 1`). If that happens while nginx is still willing to wait
(`proxy_read_timeout`, 60 s by default), the client gets **500** from gunicorn >= 22 (gunicorn <=
21, or a worker stuck in C code that gets SIGKILL, gives **502** with nginx logging `upstream
prematurely closed connection while reading response header from upstream`) instead of nginx's
504, and every request that worker was serving dies with it. **The defaults alone trip it**:
gunicorn 30 s < nginx 60 s. Equal values are a race and count too.

gwlint recommends the order *app deadlines < `proxy_read_timeout` < gunicorn `timeout`*: nginx
answers a clean 504 (`upstream timed out (110: Connection timed out) while reading response header
from upstream`) and gunicorn's timeout stays a watchdog for hung workers. Lowering
`proxy_read_timeout` below gunicorn's `timeout` fixes the order too, when requests must not run that
long.

For `gthread`, `gevent`, `tornado`, `asgi` and uvicorn workers, `timeout` is only a heartbeat: a
long request is not killed unless it blocks the worker's loop, so the finding is info.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\n"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 75\n"),
    ),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#timeout",
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout",
        "https://github.com/benoitc/gunicorn/issues/2236",
        "https://github.com/aws/sagemaker-containers/issues/185",
    ),
)
def gw101(dep: Deployment) -> Iterator[Finding]:
    def candidates() -> Iterator[Link]:
        for link in dep.route_app_links():
            app = link.app
            if app.kind != "gunicorn" or not link.same_protocol:
                continue
            timeout, read = app.timeout, link.route.read_timeout
            if app.worker_kind in (None, "custom") or timeout.value is None or read.value is None:
                continue  # an unknown worker class: gwlint does not know what timeout does
            if timeout.value > 0 and timeout.value * 1000 <= read.value:
                yield link

    for links in _grouped(candidates()).values():
        link = links[0]
        app = link.app
        assert app.kind == "gunicorn"
        route = link.route
        timeout, read = app.timeout, route.read_timeout
        assert timeout.value is not None
        assert read.value is not None
        directive = f"{route.module}_read_timeout"
        sign = "=" if timeout.value * 1000 == read.value else "<"
        read_s = read.value / 1000
        suggested = above(read_s)
        kind = app.worker_kind
        status = _status_after_kill(dep.facts.gunicorn_version)
        if kind == "sync":
            severity = None
            consequence = _consequence(timeout.value, read_s, "gunicorn (WORKER TIMEOUT)", status)
            fix = (
                f"set timeout = {suggested} in {app.path} (more than {directive} "
                f"{read.raw or read_s}), so nginx answers 504 first and gunicorn's timeout stays "
                f"a watchdog; or lower {directive} below {timeout.value}s if requests must not "
                "run that long"
            )
        else:
            severity = Severity.INFO
            consequence = (
                f"with the {kind} worker, timeout is only a heartbeat: long requests are not "
                f"killed, but a worker that blocks for {timeout.value} s is, with every request "
                "it holds"
            )
            fix = (
                f"nothing is needed for long requests; to keep the usual order, set timeout = "
                f"{suggested} in {app.path} (more than {directive} {read.raw or read_s})"
            )
        message = f"gunicorn timeout {secs(timeout)} {sign} {directive} {ms(read)}: {consequence}"
        location, extra = _primary(links)
        yield Finding(
            location=location,
            message=message,
            related=(
                *related(timeout, "timeout", app.path),
                *extra,
            ),
            fix=fix,
            severity=severity,
        )


@rule(
    code="GW102",
    name="uwsgi-harakiri-below-read-timeout",
    title="uWSGI harakiri is not longer than nginx's read timeout",
    severity=Severity.WARNING,
    why="""
uWSGI's `harakiri` kills a worker whose request runs longer (`*** HARAKIRI ON WORKER 1 (pid: 1234,
try: 1, graceful: yes) ***`, `HARAKIRI [core 0] 127.0.0.1 - GET /report since ...`). If nginx is
still waiting (`uwsgi_read_timeout`, or `proxy_read_timeout` in front of an `http-socket`, 60 s by
default), nginx logs `upstream prematurely closed connection while reading response header from
upstream` and the client gets **502** instead of a 504. Equal values are a race and count.

gwlint recommends `harakiri` above nginx's read timeout, so nginx answers 504 first and harakiri
stays a watchdog; or lower the read timeout below `harakiri`.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        include uwsgi_params;
                        uwsgi_pass 127.0.0.1:3031;
                    }
                }
            }
            """,
        ),
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nharakiri = 30\n"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        include uwsgi_params;
                        uwsgi_pass 127.0.0.1:3031;
                    }
                }
            }
            """,
        ),
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nharakiri = 75\n"),
    ),
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#harakiri",
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_read_timeout",
        "https://github.com/unbit/uwsgi/issues/1414",
    ),
)
def gw102(dep: Deployment) -> Iterator[Finding]:
    def candidates() -> Iterator[Link]:
        for link in dep.route_app_links():
            app = link.app
            if app.kind != "uwsgi" or not link.same_protocol:
                continue
            harakiri, read = app.harakiri, link.route.read_timeout
            if harakiri.value is None or read.value is None:
                continue
            if harakiri.value > 0 and harakiri.value * 1000 <= read.value:
                yield link

    for links in _grouped(candidates()).values():
        link = links[0]
        app = link.app
        assert app.kind == "uwsgi"
        harakiri, read = app.harakiri, link.route.read_timeout
        assert harakiri.value is not None
        assert read.value is not None
        directive = f"{link.route.module}_read_timeout"
        sign = "=" if harakiri.value * 1000 == read.value else "<"
        suggested = above(read.value / 1000)
        consequence = _consequence(
            harakiri.value,
            read.value / 1000,
            "uWSGI (HARAKIRI ON WORKER)",
            "nginx answers 502 ('upstream prematurely closed connection')",
        )
        message = f"uWSGI harakiri {secs(harakiri)} {sign} {directive} {ms(read)}: {consequence}"
        fix = (
            f"set harakiri = {suggested} in {app.path} (more than {directive} {read.raw}), so "
            f"nginx answers 504 first; or lower {directive} below {harakiri.value}s"
        )
        location, extra = _primary(links)
        yield Finding(
            location=location,
            message=message,
            related=(*related(harakiri, "harakiri", app.path), *extra),
            fix=fix,
        )


RULES = (gw101, gw102)
