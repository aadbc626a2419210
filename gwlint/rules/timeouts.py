"""GW1xx: request timeouts on the two sides of the proxy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gwlint.fixes.plan import Plan, SetApp, SetNginx
from gwlint.model.diagnostics import Finding, Location, Related, Severity
from gwlint.model.units import format_ms
from gwlint.rules.base import PREMATURELY, Claim, ex, from_source, observed, rule
from gwlint.rules.text import (
    above,
    app_location,
    app_related,
    combined,
    ms,
    remove_from,
    remove_plan,
    secs,
    set_in,
    set_plan,
    shown,
)

if TYPE_CHECKING:
    from gwlint.model.appserver import AppServer, UvicornServer, UwsgiServer
    from gwlint.model.deployment import Deployment, Link
    from gwlint.model.facts import Front
    from gwlint.model.nginx import Directive, Route
    from gwlint.model.source import Source, Sourced

MAX_ALSO = 5
MAX_CONNECT_MS = 75_000  # "cannot usually exceed 75 seconds" (proxy module docs)
LOW_SOCKET_TIMEOUT = 10  # s: a pause this short is ordinary on a mobile or congested network
DEFAULT_BODY_LIMIT = 1024 * 1024  # client_max_body_size 1m
UPLOAD_HINTS = re.compile(r"upload|export|import|report|download", re.IGNORECASE)
ROUTER_OPTIONS = frozenset({"http", "https"})  # uWSGI's HTTP router, not a worker socket
# hook-master-start actions that remap SIGTERM (15) on the uWSGI master
SIGTERM_GRACEFUL = re.compile(r"unix_signal:\s*15\s+gracefully_kill_them_all\b")
SIGTERM_REMAPPED = re.compile(r"unix_signal:\s*15\s+\w*kill_them_all\b")
UWSGI_SIGTERM_EXITS: tuple[int, int, int] = (2, 1, 0)  # "fixed in uWSGI 2.1" (ThingsToKnow)

# where the rule pages' claims are read (claims=): the servers' sources at a release
NGINX_UPSTREAM = "https://github.com/nginx/nginx/blob/release-1.31.4/src/http/ngx_http_upstream.c"
GUNICORN_SRC = "https://github.com/benoitc/gunicorn/blob/26.1.0/gunicorn"
UWSGI_SRC = "https://github.com/unbit/uwsgi/blob/2.0.30"
TIMED_OUT = "upstream timed out (110: Connection timed out)"
READING = "while reading response header from upstream"
TIMED_OUT_SHORT = "upstream timed out (110: "  # as the lab's claims check it


def _nginx_timeout_claims() -> tuple[Claim, ...]:
    """nginx's own 504 when its read timeout ends (``ngx_http_upstream_next``, FT_TIMEOUT)."""
    return (
        from_source(f"{NGINX_UPSTREAM}#L4645", status=504),
        from_source(
            f"{NGINX_UPSTREAM}#L4631-L4633", where="nginx error.log", log=f"{TIMED_OUT} {READING}"
        ),
    )


def _nginx_closed_claims() -> tuple[Claim, ...]:
    """nginx's 502 when the upstream closes before its response header (FT_ERROR)."""
    return (
        from_source(f"{NGINX_UPSTREAM}#L4674", status=502),
        from_source(f"{NGINX_UPSTREAM}#L2549", where="nginx error.log", log=PREMATURELY),
    )


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
    return _at(links[0].route.read_timeout, [link.route for link in links])


def _at(value: Sourced[Any], routes: list[Route]) -> tuple[Location, tuple[Related, ...]]:
    """The directive that sets ``value`` when it is written, else the first route's pass
    directive; the other routes it applies to as related locations."""
    first = routes[0]
    timeout = value
    also = [
        Related(
            location=Location.of(route.pass_directive.source) or Location(path="?", line=1),
            message=f"also applies to {route.describe()}",
        )
        for route in routes[1:]
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


def _consequence(app_seconds: int, killed: str, status: str, equal: bool) -> str:
    """What the app's kill (its log line ``killed``) does to a request nginx still waits for."""
    if equal:
        return f"at {app_seconds} s the kill ({killed}, {status}) races nginx's 504"
    return f"a request running {app_seconds} s is killed ({killed}) and {status}, not 504"


def _lower_to(directive: str, read: Sourced[int], seconds: int) -> str:
    """``proxy_read_timeout 25s at nginx.conf:9``: a read timeout below the app's ``seconds``,
    where the current one is written (in ``http {}`` when it is nginx's default)."""
    where = f"at {read.source.label()}" if read.source.in_file else "in http {}"
    return f"set {directive} {_below(seconds)}s {where}"


def _status_after_kill(version: tuple[int, int, int]) -> str:
    if version >= (22, 0, 0):
        return "answered 500"  # gunicorn >= 22 answers the killed request itself
    return "answered 502 by nginx"  # gunicorn <= 21 closes the connection without an answer


@rule(
    code="GW101",
    name="gunicorn-timeout-below-proxy-read-timeout",
    title="gunicorn worker timeout is not longer than the proxy's read timeout",
    severity=Severity.WARNING,
    why="""
With the default **sync** worker, gunicorn's `timeout` kills a worker whose request runs longer
(master: `[CRITICAL] WORKER TIMEOUT (pid:1234)`, worker: `[ERROR] Error handling request GET
/report` and `SystemExit: 1`). If that happens while nginx is still willing to wait
(`proxy_read_timeout`, 60 s by default), the client gets **500** from gunicorn >= 22 instead of
nginx's 504, and every request that worker was serving dies with it. gunicorn <= 21 answers
nothing (the worker's `SystemExit` escapes the handler that writes the 500), and a worker stuck in
C code, which outlives the first signal (SIGABRT), gets SIGKILL at the master's next check: in
both cases nginx logs `upstream prematurely closed connection while reading response header from
upstream` and answers **502**. **The defaults alone trip it**: gunicorn 30 s < nginx 60 s. Equal
values are a race and count too. It is a warning when `proxy_read_timeout` is set: nginx was told
to wait longer than the app lets a request run; with nginx's default it is info, an ordering to
keep rather than a setting someone chose against the other (and an env file the repository does
not hold may set gunicorn's `timeout`: info too).

gwlint recommends the order *app deadlines < `proxy_read_timeout` < gunicorn `timeout`*: nginx
answers a clean **504** (`upstream timed out (110: Connection timed out) while reading response
header from upstream`; `Operation timed out`, musl's words for the same error, from an nginx built
with musl, as in Alpine images) and gunicorn's timeout stays a watchdog for hung workers. Lowering
`proxy_read_timeout` below gunicorn's `timeout` fixes the order too, when requests must not run
that long.

For `gthread`, `gevent`, `tornado`, `asgi` and uvicorn workers, `timeout` is only a heartbeat: a
long request is not killed unless it blocks the worker's loop, so the finding is info. uvicorn run
on its own (`uvicorn app:app`) has no request timeout at all: nothing to compare, the rule is
quiet for it, as for hypercorn, daphne and granian.

**Apache httpd** in front: its wait is the `timeout=` of the `ProxyPass`/`BalancerMember`, else
the `ProxyTimeout` in force where the worker is defined, else `Timeout` (60 s by default;
`modules/proxy/proxy_util.c:3965-3974`, `include/httpd.h:161` of httpd 2.4.62). When it ends,
httpd does not answer 504: it logs `(70007)The timeout specified has expired: AH01102: error
reading status line from remote server` and `AH00898: Error reading from remote server` and
answers **502** (`mod_proxy_http.c:1111-1121, 1193-1194`), but the worker lives on; a 500 from
gunicorn >= 22 passes through. **Caddy** in front: `response_header_timeout` or `read_timeout` of
`transport http` (**504** when it ends: `net/http: timeout awaiting response headers`). Caddy sets
neither by default and waits without a limit: gunicorn's timeout is then the only deadline, and
with the sync worker a slow request is always killed and answered 500; that is an info, with the
Caddy setting that gives a clean 504 as the fix.
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
    claims=(
        observed("gw101-sync-timeout", status=500),
        observed("gw101-sync-timeout", where="gunicorn", log="[CRITICAL] WORKER TIMEOUT"),
        observed("gw101-sync-timeout", where="gunicorn", log="Error handling request GET"),
        from_source(f"{GUNICORN_SRC}/workers/base.py#L198", where="gunicorn", log="SystemExit: 1"),
        from_source(
            "https://github.com/benoitc/gunicorn/blob/21.2.0/gunicorn/workers/sync.py#L157",
            outcome="gunicorn <= 21 writes no answer for a killed request: its handler catches "
            "Exception, which SystemExit is not",
        ),
        from_source(
            f"{GUNICORN_SRC}/arbiter.py#L618-L623",
            outcome="a worker still there after SIGABRT (stuck in C code) gets SIGKILL at the "
            "master's next check",
        ),
        *_nginx_closed_claims(),
        observed("gw101-inverse", status=504),
        observed("gw101-inverse", where="nginx error.log", log="upstream timed out (110: "),
        observed("gw101-apache", status=500),
        observed("gw101-apache", where="gunicorn", log="[CRITICAL] WORKER TIMEOUT"),
        observed("gw101-apache-inverse", status=502),
        observed(
            "gw101-apache-inverse",
            where="Apache error_log",
            log="(70007)The timeout specified has expired",
        ),
        observed(
            "gw101-apache-inverse",
            where="Apache error_log",
            log="AH01102: error reading status line from remote server",
        ),
        observed(
            "gw101-apache-inverse",
            where="Apache error_log",
            log="AH00898: Error reading from remote server returned by",
        ),
        observed("gw101-caddy", status=500),
        observed("gw101-caddy", where="gunicorn", log="[CRITICAL] WORKER TIMEOUT"),
        observed("gw101-caddy-inverse", status=504),
        observed(
            "gw101-caddy-inverse",
            where="Caddy log",
            log='"msg":"net/http: timeout awaiting response headers"',
        ),
        observed("gw101-caddy-inverse", where="Caddy log", log="i/o timeout"),
        observed("gw101-hypercorn-none", status=504),
        observed("gw101-hypercorn-none", where="nginx error.log", log="upstream timed out (110: "),
        from_source(
            "https://github.com/bminor/musl/blob/v1.2.5/src/errno/__strerror.h#L33",
            where="nginx error.log",
            log="Operation timed out",
        ),
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
            consequence = _consequence(timeout.value, "WORKER TIMEOUT", status, sign == "=")
            fix = (
                f"{set_in(app, 'timeout', suggested, timeout)} (more than {directive} "
                f"{read.raw or read_s}), so nginx answers 504 first and gunicorn's timeout stays "
                f"a watchdog; or lower {directive} below {timeout.value}s "
                f"({_lower_to(directive, read, timeout.value)}) if requests must not run that long"
            )
        else:
            severity = Severity.INFO
            consequence = (
                f"just a heartbeat for the {kind} worker: one blocked {timeout.value} s is killed"
            )
            fix = (
                "nothing is needed for long requests; to keep the usual order, "
                f"{set_in(app, 'timeout', suggested, timeout)} (more than {directive} "
                f"{read.raw or read_s})"
            )
        message = f"gunicorn timeout {secs(timeout)} {sign} {directive} {ms(read)}: {consequence}"
        if read.is_default:
            severity = Severity.INFO  # nobody told nginx to wait longer: an ordering to keep
        location, extra = _primary(links)
        yield Finding(
            location=location,
            message=message,
            related=(
                *app_related(app, timeout, "timeout"),
                *extra,
            ),
            fix=fix,
            severity=severity,
            plan=set_plan(app, "timeout", suggested, timeout),
        )
    from gwlint.rules.fronts import front_gw101

    yield from front_gw101(dep, _status_after_kill(dep.facts.gunicorn_version))


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
upstream` and the client gets **502** instead of nginx's own **504**. Equal values are a race and
count.

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
    claims=(
        observed("gw102-harakiri", status=502),
        observed("gw102-harakiri", where="uWSGI", log="HARAKIRI ON WORKER"),
        observed(
            "gw102-harakiri",
            where="nginx error.log",
            log=PREMATURELY,
        ),
        from_source(
            f"{UWSGI_SRC}/core/master_utils.c#L1927", where="uWSGI", log="HARAKIRI [core 0]"
        ),
        from_source(f"{NGINX_UPSTREAM}#L4645", status=504),
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
        consequence = _consequence(harakiri.value, "HARAKIRI", "nginx answers 502", sign == "=")
        message = f"uWSGI harakiri {secs(harakiri)} {sign} {directive} {ms(read)}: {consequence}"
        fix = (
            f"{set_in(app, 'harakiri', suggested, harakiri)} (more than {directive} {read.raw}), "
            f"so nginx answers 504 first; or lower {directive} below {harakiri.value}s "
            f"({_lower_to(directive, read, harakiri.value)})"
        )
        location, extra = _primary(links)
        yield Finding(
            location=location,
            message=message,
            related=(*app_related(app, harakiri, "harakiri"), *extra),
            fix=fix,
            plan=set_plan(app, "harakiri", suggested, harakiri),
        )


# --- shared by GW103-GW111 ---------------------------------------------------------------------


def _below(seconds: int) -> int:
    """A value comfortably below ``seconds``: 5 s less (60 -> 55), 1 s less up to 10 s."""
    return seconds - 5 if seconds > 10 else max(1, seconds - 1)


def _request_limit(app: AppServer) -> tuple[Sourced[int], str] | None:
    """The app-side setting that kills a request running too long (seconds) and its name: the
    sync worker's ``timeout`` or uWSGI's ``harakiri``. None when nothing does, or when gwlint
    cannot tell (then ``_limit_unknown`` is true)."""
    if app.kind == "gunicorn":
        timeout = app.timeout
        if app.worker_kind != "sync" or timeout.value is None or timeout.value <= 0:
            return None
        return timeout, "timeout"
    if app.kind == "uvicorn" or app.kind == "daphne" or app.kind == "granian":
        # uvicorn and granian have no per-request timeout; daphne's --http-timeout (off by
        # default) is not judged yet
        return None
    if app.kind == "hypercorn":
        # none either: its read_timeout bounds reads from the client, not the app
        # (gwlint/model/asgi_options.py)
        return None
    harakiri = app.harakiri
    if harakiri.value is None or harakiri.value <= 0:
        return None
    return harakiri, "harakiri"


def _limit_unknown(app: AppServer) -> bool:
    """Could the app kill long requests without gwlint knowing when?"""
    if app.kind == "gunicorn":
        timeout = app.timeout
        if timeout.value is None:
            return True
        return timeout.value > 0 and app.worker_kind in (None, "custom")
    if app.kind == "uvicorn" or app.kind == "daphne" or app.kind == "granian":
        return False
    if app.kind == "hypercorn":
        return False
    return app.harakiri.value is None


def _limit_label(app: AppServer, setting: str) -> tuple[str, tuple[Related, ...]]:
    """``uWSGI harakiri`` or ``gunicorn timeout``, and for gunicorn a related line that says the
    sync worker (the one whose timeout kills a long request) is in use, or assumed."""
    if app.kind != "gunicorn":
        return f"uWSGI {setting}", ()
    worker = app.worker_class
    if worker.is_default and app.launcher is None:
        note = "worker_class is not set in this file: the sync worker is assumed, whose timeout "
    else:
        note = "the sync worker, whose timeout "
    related = Related(
        location=_app_location(worker, app), message=f"{note}kills a request running longer"
    )
    return "gunicorn timeout", (related,)


def _read_directive(route: Route) -> str:
    return f"{route.module}_read_timeout"


def _local(route: Route, name: str, value: Sourced[Any]) -> Directive | None:
    """The directive ``name`` written in the route's own block that gives ``value``, if any."""
    source = value.source
    for directive in reversed(route.local):
        if directive.name == name:
            here = directive.source
            if (here.path, here.line, here.column) == (source.path, source.line, source.column):
                return directive
            return None
    return None


def _upgrades(route: Route) -> bool:
    """A WebSocket location: an upgraded connection is not a request waiting for a response."""
    if "upgrade" in route.headers:
        return True
    connection = route.connection_header
    return connection is not None and "upgrade" in (connection.value or "").lower()


def _used_by(routes: list[Route], what: str = "used by") -> tuple[Related, ...]:
    listed: list[Related] = []
    for route in routes[:MAX_ALSO]:
        location = Location.of(route.pass_directive.source)
        assert location is not None
        listed.append(Related(location=location, message=f"{what} {route.describe()}"))
    if len(routes) > MAX_ALSO:
        last = listed[-1]
        more = len(routes) - MAX_ALSO
        listed[-1] = Related(location=last.location, message=f"{last.message} (and {more} more)")
    return tuple(listed)


def _app_location(value: Sourced[Any], app: AppServer) -> Location:
    return app_location(app, value)


@dataclass(frozen=True)
class _FrontText:
    who: str  # the front, short: "the ALB"
    timeout: str  # what the front's timeout is called
    answer: str  # what the client gets when it gives up (the rule pages' claims)
    raise_it: str  # how to raise it; "" when it cannot be raised
    otherwise: str = ""  # another way out for requests that need longer


FRONT_TEXT: dict[str, _FrontText] = {
    "alb": _FrontText(
        "the ALB",
        "idle timeout",
        "the ALB's 504",
        "the ALB idle timeout (attribute idle_timeout.timeout_seconds)",
    ),
    "elb": _FrontText(
        "the Classic ELB",
        "idle timeout",
        "the load balancer's 504",
        "the load balancer's idle timeout (ConnectionSettings IdleTimeout)",
    ),
    "gcp": _FrontText(
        "the Google Cloud LB",
        "backend service timeout",
        "the load balancer's error",  # Google documents no status for it (GW103's page)
        "the backend service timeout (timeoutSec)",
    ),
    "heroku": _FrontText("the Heroku router", "request timeout", "the router's 503 (H12)", ""),
    "cloudflare": _FrontText(
        "Cloudflare",
        "Proxy Read Timeout",
        "Cloudflare's 524",
        "Cloudflare's Proxy Read Timeout (Enterprise plans, up to 6000 s)",
        "serve those requests from a hostname Cloudflare does not proxy",
    ),
}
CUSTOM_FRONT = _FrontText(
    "the load balancer", "response timeout", "the load balancer's error", "its response timeout"
)


def _front_flag(front: Front, seconds: int | None = None) -> str:
    """``--front alb``, ``--front alb:150``, ``--front idle=75,read=45``: as the user gives it."""
    from gwlint.model.facts import FRONTS  # the model is loaded by now; rules import it lazily

    value = front.read if seconds is None else seconds
    if front.kind == "custom":
        idle = f"idle={front.idle}," if front.idle is not None else ""
        return f"--front {idle}read={value}"
    if front.kind in FRONTS and value == FRONTS[front.kind][2]:
        return f"--front {front.kind}"
    return f"--front {front.kind}:{value}"


def _front_fix(front: Front, text: _FrontText, needed: int) -> str:
    if not text.raise_it:
        return (
            f"if they do need {needed} s, move the work to a background job: {front.name}'s "
            f"{front.read} s {text.timeout} cannot be raised"
        )
    flag = _front_flag(front, above(needed))
    otherwise = f", or {text.otherwise}" if text.otherwise else ""
    return (
        f"if they do need {needed} s, raise {text.raise_it} to {above(needed)} s and run "
        f"gwlint with {flag}{otherwise}"
    )


def _app_ends_first(links: list[Link], seconds: int) -> bool:
    """Does every app this route reaches kill a long request by ``seconds`` anyway (or might it,
    gwlint cannot tell)? Then the front never waits that long."""
    if not links:
        return False
    for link in links:
        if _limit_unknown(link.app):
            return True
        limit = _request_limit(link.app)
        if limit is None or (limit[0].value or 0) > seconds:
            return False
    return True


def _front_findings(dep: Deployment, cloudflare: bool) -> Iterator[Finding]:
    """GW103 (any front but Cloudflare) and GW111 (Cloudflare): a timeout that outlasts the
    front's, so the front answers first."""
    front = dep.facts.front
    if front is None or front.read is None or (front.kind == "cloudflare") != cloudflare:
        return
    if dep.front is not None:
        return  # Apache httpd or Caddy between the load balancer and the app: not judged yet
    text = FRONT_TEXT.get(front.kind, CUSTOM_FRONT)
    seconds = front.read
    theirs = f"{text.who}'s {seconds} s timeout ({_front_flag(front)})"
    if dep.nginx is not None:
        by_route: dict[int, list[Link]] = {}
        for link in dep.route_app_links():
            if link.same_protocol:
                by_route.setdefault(id(link.route), []).append(link)
        groups: dict[tuple[str, int, str], list[Route]] = {}
        for route in dep.routes:
            read = route.read_timeout
            if read.value is None or read.value <= seconds * 1000:
                continue
            if route.protocol == "grpc" or _upgrades(route):
                continue  # streams and WebSockets: no response being waited for
            if _app_ends_first(by_route.get(id(route), []), seconds):
                continue  # the app's own limit ends the request before the front gives up
            groups.setdefault(_source_key(read.source), []).append(route)
        for routes in groups.values():
            yield _front_route_finding(front, text, theirs, routes)
        return
    for app in dep.apps:
        limit = _request_limit(app)
        if limit is None:
            continue
        value, setting = limit
        assert value.value is not None
        if value.value <= above(seconds):
            continue  # a watchdog a little above the front's timeout: the recommended order
        label, worker = _limit_label(app, setting)
        yield Finding(
            location=_app_location(value, app),
            message=(
                f"{label} {secs(value)} > {theirs}, no nginx in between: after {seconds} s the "
                f"client gets {text.answer}, the worker runs to {value.value} s"
            ),
            related=worker,
            fix=(
                f"{set_in(app, setting, above(seconds), value)} (recommended unless requests "
                f"need more than {seconds} s: a little more than {front.name}'s {seconds} s, so "
                f"it answers first and {setting} stays a watchdog that frees the worker soon "
                f"after); {_front_fix(front, text, value.value)}"
            ),
        )


def _front_route_finding(
    front: Front, text: _FrontText, theirs: str, routes: list[Route]
) -> Finding:
    route = routes[0]
    read = route.read_timeout
    assert read.value is not None
    seconds = front.read
    assert seconds is not None
    directive = _read_directive(route)
    location, extra = _at(read, routes)
    if read.source.in_file:
        lower = f"lower {directive} to {_below(seconds)}s ({read.source.label()})"
    else:
        lower = f"set {directive} {_below(seconds)}s (in http {{}} to cover every location)"
    needed = -(-read.value // 1000)
    return Finding(
        location=location,
        message=(
            f"{directive} {ms(read)} > {theirs}: a response slower than {seconds} s gets "
            f"{text.answer}, not nginx's 504"
        ),
        related=extra,
        fix=(
            f"{lower}, below the {seconds} s of {front.name} (recommended unless requests need "
            f"more than {seconds} s: nginx then answers the 504 itself and logs which upstream "
            f"timed out); {_front_fix(front, text, needed)}"
        ),
    )


@rule(
    code="GW103",
    name="timeout-longer-than-load-balancer",
    title="a request timeout longer than the load balancer's in front",
    severity=Severity.WARNING,
    why="""
A load balancer in front of nginx gives up on a response after its own timeout: the AWS ALB after
its **idle timeout** (60 s by default, no byte in either direction), a Google Cloud load balancer
after the backend service **timeout** (30 s by default), the Heroku router after 30 s. When nginx's
`proxy_read_timeout` (or `uwsgi_read_timeout`, 60 s by default) is longer, the load balancer
answers first: the client gets **504** from the ALB (counted in CloudWatch as
`HTTPCode_ELB_504_Count`) or a Classic Load Balancer, **503** from Heroku (its router logs
`code=H12 desc="Request timeout"`), the load balancer's own error from Google Cloud. nginx logs
**499** (the client closed the connection) and the app keeps working on a request no one waits
for. The longer timeout in nginx never takes effect, and whoever raised it for slow requests
believes they are allowed.

gwlint recommends the order *app deadlines < `proxy_read_timeout` < the load balancer's timeout*,
with the app's watchdog (gunicorn `timeout`, uWSGI `harakiri`) just above nginx's
(GW101/GW102): nginx then answers a clean **504** that its error log explains (`upstream timed
out (110: Connection timed out) while reading response header from upstream`). When requests
really need longer, raise the load balancer's timeout too (and tell gwlint: `--front alb:300`).

A location whose app kills long requests sooner anyway (a sync worker's `timeout`, `harakiri`)
is left alone, and so are WebSocket and gRPC locations. Without nginx (no nginx config given), the
app talks to the load balancer itself: gwlint then flags a `timeout`/`harakiri` far above the load
balancer's (a watchdog a little above it is the recommended order); uvicorn on its own has no
request timeout, so there is nothing to compare. Needs `--front` (alb, elb, gcp,
heroku, or `idle=...,read=...`); Cloudflare is GW111.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /reports/ {
                        proxy_read_timeout 120s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 150\n"),
        args=("--front", "alb"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /reports/ {
                        proxy_read_timeout 55s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 75\n"),
        args=("--front", "alb"),
    ),
    references=(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout",
        "https://cloud.google.com/load-balancing/docs/https#timeouts_and_retries",
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout",
        "https://repost.aws/knowledge-center/504-error-alb",
    ),
    claims=(
        from_source(
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#http-504-issues",
            status=504,
            outcome="the ALB answers 504 itself when the target does not answer within its idle "
            "timeout",
        ),
        from_source(
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html",
            outcome="CloudWatch counts the ALB's own 504s in HTTPCode_ELB_504_Count",
        ),
        from_source(
            "https://repost.aws/knowledge-center/504-error-classic",
            status=504,
            outcome="a Classic Load Balancer answers 504 when the instance does not answer "
            "within its idle timeout",
        ),
        from_source(
            "https://devcenter.heroku.com/articles/error-codes#h12-request-timeout",
            status=503,
            where="Heroku router",
            log='code=H12 desc="Request timeout"',
        ),
        from_source(
            f"{NGINX_UPSTREAM}#L1553-L1556",
            outcome="nginx ends the request with 499 when its client (the load balancer) closes "
            "the connection first",
        ),
        *_nginx_timeout_claims(),
    ),
)
def gw103(dep: Deployment) -> Iterator[Finding]:
    yield from _front_findings(dep, cloudflare=False)


@rule(
    code="GW104",
    name="short-read-timeout-on-upload-location",
    title="a location for uploads or exports waits less than the app allows",
    severity=Severity.INFO,
    why="""
A location that looks like it serves uploads, imports or exports (it raises
`client_max_body_size`, or its path says `upload`, `export`, `import`, `report` or `download`) and
sets its own `proxy_read_timeout`/`uwsgi_read_timeout` **shorter** than the app's request limit
(gunicorn `timeout` with the sync worker, uWSGI `harakiri`): the slow requests that location
exists for are cut by nginx first. The client gets **504** (`upstream timed out (110: Connection
timed out) while reading response header from upstream`) while the app finishes the work anyway:
an import that the client retries after the 504 runs twice.

This is a heuristic (info): the shorter timeout may be deliberate. gwlint suggests a read timeout
just below the app's limit (so nginx still answers first, GW101), or an app-side deadline that
matches nginx's. Locations that only inherit their timeout, and apps without a request limit, are
left alone.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /import/ {
                        client_max_body_size 100m;
                        proxy_read_timeout 30s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 120\n"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /import/ {
                        client_max_body_size 100m;
                        proxy_read_timeout 115s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 120\n"),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout",
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#client_max_body_size",
        "https://github.com/netbox-community/netbox-chart/issues/23",
    ),
    claims=(*_nginx_timeout_claims(),),
)
def gw104(dep: Deployment) -> Iterator[Finding]:
    for link in dep.route_app_links():
        route, app = link.route, link.app
        if not link.same_protocol:
            continue
        limit = _request_limit(app)
        read = route.read_timeout
        if limit is None or read.value is None:
            continue
        value, setting = limit
        assert value.value is not None
        directive = _read_directive(route)
        written = _local(route, directive, read)
        if written is None or read.value >= _below(value.value) * 1000:
            continue  # inherited, or close enough to the app's limit
        hints: list[str] = []
        related_places: list[Related] = []
        body = route.client_max_body_size
        body_at = _local(route, "client_max_body_size", body)
        raised = body.value is not None and (body.value == 0 or body.value > DEFAULT_BODY_LIMIT)
        if body_at is not None and raised:
            hints.append(f"client_max_body_size {body.raw} {body.where()}")
            body_location = Location.of(body.source)
            assert body_location is not None
            related_places.append(
                Related(location=body_location, message=f"client_max_body_size {body.raw}")
            )
        found = UPLOAD_HINTS.search(route.location)
        if found:
            hints.append(f"its path mentions {found.group(0).lower()!r}")
        if not hints:
            continue
        location = Location.of(read.source)
        assert location is not None
        label, worker = _limit_label(app, setting)
        waits = format_ms(read.value)
        pass_location = Location.of(route.pass_directive.source)
        assert pass_location is not None
        looks = Related(
            location=pass_location,
            message=f"{route.describe()} looks like an upload or export endpoint: "
            + " and ".join(hints),
        )
        yield Finding(
            location=location,
            message=(
                f"{directive} {ms(read)} < {label} {secs(value)} in an upload or export "
                f"location: a request over {waits} gets nginx's 504 while the app runs on (a "
                "retry runs twice)"
            ),
            related=(looks, *app_related(app, value, setting), *worker, *related_places),
            fix=(
                f"raise {directive} in this location to {_below(value.value)}s (just below "
                f"{setting} {value.value}s, so the app gets its full time and nginx still answers "
                f"first); or, if {waits} is the limit you want, give the app the same "
                "deadline so it stops working when nginx gives up"
            ),
        )


@rule(
    code="GW105",
    name="connect-timeout-above-75s",
    title="a connect timeout above 75 s",
    severity=Severity.INFO,
    why="""
`proxy_connect_timeout` (and `uwsgi_connect_timeout`) bounds the TCP handshake with the app, not
the request. nginx's docs warn that it "cannot usually exceed 75 seconds": the operating system
gives up on unanswered SYNs on its own. An app on the same host or network accepts a connection in
milliseconds (a closed port is refused at once: `connect() failed (111: Connection refused)`,
**502**); a handshake that takes seconds means the app's host is down or its listen queue is full.
A long connect timeout only makes every request to that app wait that long before nginx tries the
next server or answers **504** (`upstream timed out (110: Connection timed out) while connecting
to upstream`), and hides the outage behind slow responses.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_connect_timeout 300s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_connect_timeout 10s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_connect_timeout",
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_connect_timeout",
        "https://github.com/rockstor/rockstor-core/issues/70",
    ),
    claims=(
        from_source(
            f"{NGINX_UPSTREAM}#L3065-L3066",
            where="nginx error.log",
            log="connect() failed (111: Connection refused) while connecting to upstream",
        ),
        from_source(f"{NGINX_UPSTREAM}#L4674", status=502),
        from_source(f"{NGINX_UPSTREAM}#L4645", status=504),
        from_source(
            f"{NGINX_UPSTREAM}#L4631-L4633",
            where="nginx error.log",
            log=f"{TIMED_OUT} while connecting to upstream",
        ),
    ),
)
def gw105(dep: Deployment) -> Iterator[Finding]:
    groups: dict[tuple[str, int, str], list[Route]] = {}
    for route in dep.routes:
        connect = route.connect_timeout
        if connect.value is None or not connect.source.in_file:
            continue
        if connect.value > MAX_CONNECT_MS:
            groups.setdefault(_source_key(connect.source), []).append(route)
    nginx = dep.nginx
    for routes in groups.values():
        assert nginx is not None  # routes are nginx's
        connect = routes[0].connect_timeout
        directive = f"{routes[0].module}_connect_timeout"
        assert connect.value is not None
        waits = format_ms(connect.value)
        location, extra = _at(connect, routes)
        yield Finding(
            location=location,
            message=(
                f"{directive} {ms(connect)} is above the 75 s nginx's docs say it 'cannot usually "
                f"exceed': with the app's host down, each request waits up to {waits}, then 504"
            ),
            related=extra,
            fix=(
                f"set {directive} 10s ({connect.source.label()}): plenty for an app on the same "
                "host or network, and a down app fails fast"
            ),
            # one value among several, and every route that inherits it changes
            plan=Plan(
                changes=(SetNginx(nginx, None, directive, ("10s",), connect.source),),
                safe=False,
                description=f"set {directive} 10s ({connect.source.label()})",
            ),
        )


@rule(
    code="GW106",
    name="watchdog-disabled-with-zero",
    title="a request watchdog turned off with 0",
    severity=Severity.INFO,
    why="""
`timeout = 0` in gunicorn.conf.py turns off gunicorn's worker timeout, and `harakiri = 0` in a
uWSGI ini states that no request is ever killed. A request that hangs (a database lock, an external
call without a timeout, a deadlock) then holds its worker, or with gunicorn's threaded and async
workers a blocked event loop holds the whole worker, **forever**: nginx answers **504** after its
read timeout (`upstream timed out (110: Connection timed out) while reading response header from
upstream`) but nothing frees the worker; with one worker, or once every worker is stuck, every
request queues and ends in 504. The app's log shows nothing, since no `WORKER TIMEOUT` or
`HARAKIRI ON WORKER` ever fires. gwlint's end-to-end test observes it with one sync worker: the
hung request and every request after it get 504, while the same deployment with a `timeout`
logs `WORKER TIMEOUT`, starts a new worker and answers the next request.

This is info: some platforms recommend `timeout = 0` with the gthread worker (where `timeout` is
only a heartbeat) and leave hung workers to the platform. gwlint suggests a watchdog a little
longer than nginx's read timeout (GW101, GW102). Only a 0 written in the file is reported; uWSGI
without any `harakiri` in front of nginx is GW110.
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
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 0\n"),
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
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#harakiri",
        "https://github.com/benoitc/gunicorn/issues/2695",
    ),
    claims=(
        observed("gw106-timeout-zero", status=504),
        observed("gw106-timeout-zero", where="nginx error.log", log=TIMED_OUT_SHORT),
        observed(
            "gw106-timeout-zero",
            outcome="the next requests get 504 too, for good, and gunicorn logs nothing",
        ),
        observed("gw106-timeout-zero", where="gunicorn", log="WORKER TIMEOUT"),
        from_source(
            f"{UWSGI_SRC}/core/master_utils.c#L1564", where="uWSGI", log="HARAKIRI ON WORKER"
        ),
    ),
)
def gw106(dep: Deployment) -> Iterator[Finding]:
    links = [link for link in dep.route_app_links() if link.same_protocol]
    for app in dep.apps:
        if app.kind == "uvicorn" or app.kind == "daphne" or app.kind == "granian":
            continue  # no request watchdog to turn off (daphne's --http-timeout: not yet)
        if app.kind == "hypercorn":
            continue  # none either
        value = app.timeout if app.kind == "gunicorn" else app.harakiri
        setting = "timeout" if app.kind == "gunicorn" else "harakiri"
        if value.value != 0 or value.is_default or not value.source.in_file:
            continue
        if app.kind == "gunicorn" and app.values.get("reload") and app.values["reload"].value:
            continue  # reload = True: a development setup, where 0 lets a debugger pause
        mine = [
            link for link in links if link.app is app and link.route.read_timeout.value is not None
        ]
        if mine:
            longest = max(mine, key=lambda link: link.route.read_timeout.value or 0)
            read, directive = longest.route.read_timeout, _read_directive(longest.route)
            assert read.value is not None
            nginx = f"nginx answers 504 after {directive} {ms(read)}"
            suggested = above(read.value / 1000)
            than = f"more than {directive} {read.raw}"
        else:
            nginx = "a proxy in front, if any, answers 504"
            suggested = 75
            than = "more than nginx's default proxy_read_timeout 60s"
        location = _app_location(value, app)
        written = f"{shown(app, value, setting)} ({value.source.label()})"
        if app.kind == "gunicorn" and app.worker_kind != "sync":
            kind = app.worker_kind or "unknown"
            message = (
                f"{written} turns off the {kind} worker's heartbeat: a worker whose event loop "
                f"blocks is never restarted, its requests hang; {nginx}"
            )
            remove = (
                f"remove timeout = {value.raw} from {app.path}"
                if app.launcher is None
                else remove_from(app, setting, value)
            )
            fix = (
                f"{remove} (the default 30 s heartbeat does not limit long requests with this "
                "worker, it only restarts a blocked one)"
            )
            wanted = remove_plan(app, setting, value)
        else:
            what = "gunicorn's worker timeout" if app.kind == "gunicorn" else "uWSGI's harakiri"
            message = (
                f"{written} turns off {what}: a hung request holds its worker for good; {nginx}"
            )
            fix = (
                f"{set_in(app, setting, suggested, value)} ({than}, so nginx answers 504 first "
                f"and {setting} frees the worker soon after)"
            )
            # a limit where there was none: a request that ran on now ends (unsafe)
            wanted = set_plan(app, setting, suggested, value, safe=False)
        yield Finding(location=location, message=message, fix=fix, plan=wanted)


@rule(
    code="GW107",
    name="unbuffered-body-with-short-uwsgi-socket-timeout",
    title="unbuffered request bodies to uWSGI with a short socket-timeout",
    severity=Severity.INFO,
    why="""
With `uwsgi_request_buffering off` (or `proxy_request_buffering off` in front of an
`http-socket`), nginx passes the request body to uWSGI as the client sends it, instead of
collecting it first. uWSGI reads it with its `socket-timeout` (**4 s** by default) per read, while
nginx itself tolerates a client that pauses for `client_body_timeout` (60 s by default). An upload
from a slow or mobile client that stalls for a few seconds is then cut by uWSGI: it logs
`[uwsgi-body-read] Timeout reading 100000 bytes. Content-Length: 200000 consumed: 100000 left:
100000`, and the app gets an `OSError` reading `wsgi.input` (`timeout during read(200000) on
wsgi.input`). Unless the app answers anyway, uWSGI closes the connection without a response (its
request log still says `(HTTP/1.1 500) 0 headers`): nginx logs `upstream prematurely closed
connection while reading response header from upstream` and the client gets **502**. gwlint's
end-to-end test observes it with `socket-timeout = 1` and a 2.5 s pause in the middle of a
200,000-byte POST; with request buffering on again, the same upload gets 200.

gwlint recommends turning request buffering back on unless the app must stream uploads: nginx
then absorbs slow clients and uWSGI reads the body at local speed. Otherwise raise `socket-timeout`
above nginx's `client_body_timeout`. Reported when `socket-timeout` is 10 s or less; uWSGI's HTTP
router (`http =`) is left alone.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /upload/ {
                        uwsgi_request_buffering off;
                        include uwsgi_params;
                        uwsgi_pass 127.0.0.1:3031;
                    }
                }
            }
            """,
        ),
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\n"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /upload/ {
                        uwsgi_request_buffering off;
                        include uwsgi_params;
                        uwsgi_pass 127.0.0.1:3031;
                    }
                }
            }
            """,
        ),
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nsocket-timeout = 75\n"),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_request_buffering",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#socket-timeout",
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#client_body_timeout",
        "https://github.com/dperson/moinmoin/issues/9",
    ),
    claims=(
        observed("gw107-pause", status=502),
        observed("gw107-pause", where="uWSGI", log="[uwsgi-body-read] Timeout reading "),
        observed("gw107-pause", where="uWSGI", log="timeout during read(200000) on wsgi.input"),
        observed("gw107-pause", where="uWSGI", log="(HTTP/1.1 500) 0 headers"),
        observed("gw107-pause", where="nginx error.log", log=PREMATURELY),
    ),
)
def gw107(dep: Deployment) -> Iterator[Finding]:
    groups: dict[tuple[int, tuple[str, int, str]], list[Link]] = {}
    for link in dep.route_app_links():
        app = link.app
        if app.kind != "uwsgi" or not link.same_protocol:
            continue
        if link.listener.option in ROUTER_OPTIONS:
            continue
        buffering = link.route.request_buffering
        socket_timeout = app.socket_timeout
        if (buffering.value or "").lower() != "off" or socket_timeout.value is None:
            continue
        if 0 < socket_timeout.value <= LOW_SOCKET_TIMEOUT:
            key = (id(app), _source_key(buffering.source))
            groups.setdefault(key, []).append(link)
    for links in groups.values():
        link = links[0]
        app = link.app
        assert app.kind == "uwsgi"
        buffering = link.route.request_buffering
        socket_timeout = app.socket_timeout
        directive = f"{link.route.module}_request_buffering"
        location, extra = _at(buffering, [item.route for item in links])
        yield Finding(
            location=location,
            message=(
                f"{directive} off {buffering.where()} streams bodies to uWSGI: its "
                f"socket-timeout {secs(socket_timeout)} fails an upload pausing "
                f"{socket_timeout.value} s ('[uwsgi-body-read] Timeout'), nginx would wait"
            ),
            related=(*app_related(app, socket_timeout, "socket-timeout"), *extra),
            fix=(
                f"remove {directive} off (recommended unless the app must stream uploads: nginx "
                "then buffers slow clients and uWSGI reads the body at local speed); or "
                f"{set_in(app, 'socket-timeout', 75, socket_timeout)} (longer than nginx's "
                "client_body_timeout, 60s by default)"
            ),
        )


@rule(
    code="GW108",
    name="graceful-timeout-not-below-stop-timeout",
    title="the app's graceful shutdown outlasts the orchestrator's stop timeout",
    severity=Severity.WARNING,
    why="""
On a deploy, the orchestrator sends SIGTERM and, after its grace period (Kubernetes
`terminationGracePeriodSeconds` 30 s, counted from the start of any `preStop` hook; `docker stop`
10 s; ECS `stopTimeout` 30 s; supervisord `stopwaitsecs` 10 s), SIGKILL. gunicorn's master
(`Handling signal: term`) lets workers finish their requests for up to `graceful_timeout` (30 s by
default), then kills them itself and exits (`Shutting down: Master`). When `graceful_timeout` is
not shorter than the grace period, the orchestrator's SIGKILL comes first: requests still running
are cut (nginx: `upstream prematurely closed connection while reading response header from
upstream`, **502**, on every deploy that catches a slow request), and gunicorn's shutdown never
finishes (no `Shutting down: Master`; `worker_exit`/`on_exit` hooks do not run, connections are
not closed; under supervisord without `killasgroup` the workers are orphaned). The defaults trip
it: gunicorn 30 s = Kubernetes 30 s. gwlint's end-to-end test observes it on a Deployment with
`terminationGracePeriodSeconds: 2` and `--graceful-timeout=6`; with gwlint's fix gunicorn exits by
itself before the SIGKILL, and with a grace period longer than `graceful_timeout` the running
request finishes.

uWSGI behaves the same when SIGTERM triggers its graceful shutdown (`hook-master-start =
unix_signal:15 gracefully_kill_them_all`): it waits `worker-reload-mercy` (60 s by default) for the
workers, then logs `worker 1 (pid: 1234) is taking too much time to die...NO MERCY !!!`.

uvicorn run on its own waits up to `--timeout-graceful-shutdown` for running requests, streaming
responses and background tasks, then cancels them (`Cancel 1 running task(s), timeout graceful
shutdown exceeded`) and runs the app's lifespan shutdown. **It has no limit by default**, so a
slow request or a long stream always outlasts the grace period: SIGKILL cuts it (502) and the
lifespan shutdown (closing database pools, flushing queues) never runs.

gwlint recommends a graceful timeout about 5 s shorter than the grace period, so the app ends
what is left itself and exits cleanly; raise the grace period instead when requests need the
time. Needs the stop timeout: `--stop-timeout`, or a Kubernetes manifest's
`terminationGracePeriodSeconds`.
""",
    example=ex(
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\n"),
        args=("--stop-timeout", "30"),
    ),
    fix=ex(
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ngraceful_timeout = 25\n"),
        args=("--stop-timeout", "30"),
    ),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#graceful-timeout",
        "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#worker-reload-mercy",
        "https://www.uvicorn.org/settings/#timeouts",
        "https://github.com/cds-snc/notification-api/pull/1237",
        "https://github.com/benoitc/gunicorn/pull/1106",
    ),
    claims=(
        observed("gw108-sigkill", status=502),
        observed("gw108-sigkill", where="nginx error.log", log=PREMATURELY),
        observed("gw108-sigkill", where="gunicorn", log="Handling signal: term"),
        observed("gw108-sigkill", where="gunicorn", log="Shutting down: Master"),
        observed(
            "gw108-sigkill",
            outcome="the SIGKILL comes before gunicorn's own shutdown: no 'Shutting down: "
            "Master' (logged when graceful_timeout is shorter)",
        ),
        from_source(
            f"{UWSGI_SRC}/core/master.c#L142",
            where="uWSGI",
            log="is taking too much time to die...NO MERCY !!!",
        ),
        from_source(
            "https://github.com/encode/uvicorn/blob/0.35.0/uvicorn/server.py#L285",
            where="uvicorn",
            log="running task(s), timeout graceful shutdown exceeded",
        ),
    ),
)
def gw108(dep: Deployment) -> Iterator[Finding]:
    stop = dep.facts.stop_timeout
    if stop is None:
        return
    for app in dep.apps:
        if app.kind == "uvicorn":
            finding = _uvicorn_shutdown(app, stop, dep.facts.stop_timeout_from)
            if finding is not None:
                yield finding
            continue
        if app.kind == "daphne" or app.kind == "granian" or app.kind == "hypercorn":
            continue  # their shutdown is not judged yet
        if app.kind == "gunicorn":
            value, setting = app.graceful_timeout, "graceful_timeout"
            who = "gunicorn"
            kill = "kills the workers itself"
        else:
            if not _sigterm(app, SIGTERM_GRACEFUL):
                continue  # SIGTERM is a reload or an immediate stop: no graceful wait (GW109)
            value, setting = app.number("worker-reload-mercy"), "worker-reload-mercy"
            who = "uWSGI"
            kill = "kills the workers itself ('NO MERCY')"
        if value.value is None or value.value < stop:
            continue
        suggested = _below(stop)
        # one of two choices (the other is the orchestrator's grace period): unsafe
        wanted = set_plan(app, setting, suggested, value, safe=False) if suggested < stop else None
        if suggested >= stop:
            fix = (
                f"give the orchestrator a grace period of at least {value.value + 5} s "
                f"({setting} {value.value}s + 5 s): {stop} s leaves no time to shut down"
            )
        else:
            fix = (
                f"{set_in(app, setting, suggested, value)} (below the {stop} s stop timeout, "
                f"so {who} ends what is left and exits cleanly before SIGKILL); or, if requests "
                f"need {value.value} s, raise the grace period (terminationGracePeriodSeconds, "
                f"docker stop -t, ECS stopTimeout) to {value.value + 5} s or more"
            )
        sign = "=" if value.value == stop else ">"
        yield Finding(
            location=_app_location(value, app),
            message=(
                f"{who} {setting} {secs(value)} {sign} the stop timeout {stop}s "
                f"({dep.facts.stop_timeout_from}): SIGKILL comes first, cutting running requests "
                "(502) and the clean exit"
            ),
            related=(
                *app_related(app, value, setting),
                Related(
                    location=_app_location(value, app),
                    message=f"on SIGTERM {who} waits up to {value.value} s for running requests, "
                    f"then {kill}",
                ),
            ),
            fix=fix,
            plan=wanted,
        )


def _uvicorn_shutdown(app: UvicornServer, stop: int, given: str) -> Finding | None:
    """uvicorn on SIGTERM waits for running requests and tasks up to
    --timeout-graceful-shutdown, without limit by default (server.py: ``asyncio.wait_for(...,
    timeout=config.timeout_graceful_shutdown)``), then cancels them and runs the app's lifespan
    shutdown."""
    value = app.timeout_graceful_shutdown
    if not value.known or (value.value is not None and value.value < stop):
        return None
    suggested = _below(stop)
    if value.value is None:
        where = (
            f"({value.source.label()}: no limit)"
            if value.is_default
            else f"{value.where()}: no limit"
        )
        message = (
            f"uvicorn --timeout-graceful-shutdown is not set {where}: on SIGTERM it waits for "
            f"all requests and tasks until SIGKILL at the stop timeout {stop}s ({given}) cuts "
            "them (502)"
        )
        otherwise = (
            "if requests need longer, raise the grace period (terminationGracePeriodSeconds, "
            "docker stop -t, ECS stopTimeout) and give --timeout-graceful-shutdown 5 s less"
        )
        grace = f"more than {stop} s"
    else:
        sign = "=" if value.value == stop else ">"
        message = (
            f"uvicorn --timeout-graceful-shutdown {secs(value)} {sign} the stop timeout {stop}s "
            f"({given}): SIGKILL comes first, cutting running requests (502) and the lifespan "
            "shutdown"
        )
        grace = f"{value.value + 5} s or more"
        otherwise = (
            f"if requests need {value.value} s, raise the grace period "
            f"(terminationGracePeriodSeconds, docker stop -t, ECS stopTimeout) to {grace}"
        )
    if suggested >= stop:
        fix = (
            f"give the orchestrator a grace period of {grace}: {stop} s leaves no time to shut down"
        )
    else:
        fix = (
            f"{set_in(app, 'timeout_graceful_shutdown', suggested, value)} (below the {stop} s "
            "stop timeout, so uvicorn cancels what is left and runs the lifespan shutdown before "
            f"SIGKILL); or, {otherwise}"
        )
    return Finding(
        location=app_location(app, value),
        message=message,
        related=app_related(app, value, "timeout_graceful_shutdown", written_only=True),
        fix=fix,
    )


def _sigterm(app: AppServer, action: re.Pattern[str]) -> bool | None:
    """Does a hook-master-start remap SIGTERM to ``action``? None when a hook is not known."""
    assert app.kind == "uwsgi"
    for hook in app.options.get("hook-master-start", ()):
        if hook.value is None:
            return None
        if action.search(hook.value):
            return True
    return False


@rule(
    code="GW109",
    name="uwsgi-sigterm-reloads",
    title="uWSGI 2.0 reloads on SIGTERM instead of stopping (no die-on-term)",
    severity=Severity.WARNING,
    why="""
Until uWSGI 2.1 (2.0.x is the released line), SIGTERM to the uWSGI master means "brutally reload
the stack", not "stop" (ThingsToKnow). Docker, Kubernetes, ECS and systemd stop a service with
SIGTERM: the master logs `...brutally killing workers...` and `binary reloading uWSGI...`, the
requests in flight are cut (nginx: **502** `upstream prematurely closed connection while reading
response header from upstream`), the reloaded stack takes new requests, and when the grace period
ends the orchestrator SIGKILLs it and cuts those too. Every deploy waits the full stop timeout.
gwlint's end-to-end test observes it on a Deployment with `terminationGracePeriodSeconds: 3`: the
running request gets 502, the reloaded uWSGI answers the next one, and it is still running when
the SIGKILL comes.

`die-on-term = true` makes SIGTERM stop uWSGI, at once (workers get SIGINT, their requests are
cut). For a graceful stop, where running requests finish, add `hook-master-start =
unix_signal:15 gracefully_kill_them_all` (with `master`); that hook alone also stops the reload.
With both (gwlint's fix), the test's running request finishes and uWSGI exits (`graceful shutdown
triggered...`, then `goodbye to uWSGI.`) before the SIGKILL. Reported only with a stop timeout
(`--stop-timeout`, or a Kubernetes manifest's `terminationGracePeriodSeconds`: an orchestrator
that sends SIGTERM) and a uWSGI master (`master = true`): without a master, uWSGI exits on
SIGTERM.
""",
    example=ex(
        ("uwsgi.ini", "[uwsgi]\nmaster = true\nsocket = 127.0.0.1:3031\nprocesses = 4\n"),
        args=("--stop-timeout", "30"),
    ),
    fix=ex(
        (
            "uwsgi.ini",
            "[uwsgi]\nmaster = true\nsocket = 127.0.0.1:3031\nprocesses = 4\ndie-on-term = true\n"
            "hook-master-start = unix_signal:15 gracefully_kill_them_all\n",
        ),
        args=("--stop-timeout", "30"),
    ),
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#die-on-term",
        "https://uwsgi-docs.readthedocs.io/en/latest/Management.html#signals-for-controlling-uwsgi",
        "https://github.com/unbit/uwsgi/issues/849",
        "https://github.com/tiangolo/uwsgi-nginx-docker/pull/30",
    ),
    claims=(
        observed("gw109-reload", status=502),
        observed("gw109-reload", where="uWSGI", log="...brutally killing workers..."),
        observed("gw109-reload", where="uWSGI", log="binary reloading uWSGI..."),
        observed("gw109-reload", where="nginx error.log", log=PREMATURELY),
        observed(
            "gw109-reload",
            outcome="after SIGTERM the reloaded uWSGI answers the next request and is still "
            "running at the stop timeout",
        ),
        observed("gw109-reload", where="uWSGI", log="graceful shutdown triggered..."),
        observed("gw109-reload", where="uWSGI", log="goodbye to uWSGI."),
        from_source(
            f"{UWSGI_SRC}/core/master.c#L346-L352",
            outcome="SIGTERM runs kill_them_all with die-on-term (workers get SIGINT), "
            "reap_them_all (the brutal reload) without",
        ),
    ),
)
def gw109(dep: Deployment) -> Iterator[Finding]:
    stop = dep.facts.stop_timeout
    if stop is None or dep.facts.uwsgi_version >= UWSGI_SIGTERM_EXITS:
        return
    for app in dep.apps:
        if app.kind != "uwsgi":
            continue
        master = app.flag("master")
        die = app.flag("die-on-term")
        if master.value is not True or die.value is not False:
            continue  # no master (SIGTERM ends the process), or not known
        if _sigterm(app, SIGTERM_REMAPPED) is not False:
            continue  # a hook already remaps SIGTERM, or a hook is not known
        location = _app_location(die, app)
        where = (
            f"die-on-term = {die.raw} ({die.source.label()})"
            if not die.is_default
            else "die-on-term is not set"
        )
        yield Finding(
            location=location,
            message=(
                f"{where}: {dep.facts.uwsgi_label}'s master reloads on SIGTERM, cutting requests "
                f"in flight (502), and runs on until SIGKILL at the stop timeout {stop}s "
                f"({dep.facts.stop_timeout_from})"
            ),
            related=(
                *app_related(app, master, "master"),
                Related(
                    location=location,
                    message="on SIGTERM the master logs '...brutally killing workers...' and "
                    "'binary reloading uWSGI...'",
                ),
            ),
            fix=_die_on_term_fix(app, die),
            plan=_die_on_term_plan(app, die),
        )


def _die_on_term_plan(app: UwsgiServer, die: Sourced[bool]) -> Plan:
    """die-on-term, and the hook that makes SIGTERM a graceful stop: both, or neither."""
    hook = f"unix_signal:15 {GRACEFUL_STOP}"
    return Plan(
        changes=(
            SetApp(app, "die-on-term", "true", die),
            SetApp(app, "hook-master-start", hook, None),
        ),
        safe=True,
        description=_die_on_term_fix(app, die).partition(" so that ")[0],
    )


GRACEFUL_STOP = "gracefully_kill_them_all"


def _die_on_term_fix(app: UwsgiServer, die: Sourced[bool]) -> str:
    graceful = "gracefully_kill_them_all"
    if app.launcher is None:
        return (
            f"set die-on-term = true in {app.path}, and hook-master-start = unix_signal:15 "
            f"{graceful} so that running requests finish (die-on-term alone stops at once and "
            "cuts them)"
        )
    hook = set_in(app, "hook-master-start", f"unix_signal:15 {graceful}", None)
    both = combined([set_in(app, "die-on-term", "true", die), hook])
    return f"{both} so that running requests finish (die-on-term alone stops at once and cuts them)"


@rule(
    code="GW110",
    name="uwsgi-without-harakiri",
    title="uWSGI behind nginx has no harakiri: nothing frees a stuck worker",
    severity=Severity.INFO,
    why="""
uWSGI kills no request unless `harakiri` is set (it is off by default). Behind nginx, a request
that hangs (a database lock, an external call without a timeout) gets **504** from nginx after
`uwsgi_read_timeout` (60 s by default: `upstream timed out (110: Connection timed out) while
reading response header from upstream`), but its worker stays busy for good; with a few stuck
workers the rest of the traffic queues, and once all are stuck every request ends in 504. uWSGI
logs nothing about it. gwlint's end-to-end test observes it with one process: the hung request
and every request after it get 504.

gwlint recommends `harakiri` a little longer than nginx's read timeout: nginx answers 504 first
and harakiri frees the worker soon after (`*** HARAKIRI ON WORKER 1 (pid: 1234, try: 1, graceful:
yes) ***`), and the next request is answered. Reported only for a uWSGI that an nginx location
reaches; a `harakiri = 0` written in the file is GW106.

gwlint does not report gunicorn's non-sync workers (nor uvicorn, which has no request timeout at
all) here, although their `timeout` is only a heartbeat: no setting bounds a request with those
servers (the bound belongs in the app: database statement timeouts, client timeouts), so the
finding would have no configuration fix.
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
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\n"),
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
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_read_timeout",
    ),
    claims=(
        observed("gw110-stuck", status=504),
        observed("gw110-stuck", where="nginx error.log", log=TIMED_OUT_SHORT),
        observed(
            "gw110-stuck",
            outcome="the next requests get 504 too, for good, and uWSGI logs nothing",
        ),
        observed("gw110-stuck", where="uWSGI", log="HARAKIRI ON WORKER"),
    ),
)
def gw110(dep: Deployment) -> Iterator[Finding]:
    links = [link for link in dep.route_app_links() if link.same_protocol]
    for app in dep.apps:
        harakiri = app.harakiri if app.kind == "uwsgi" else None
        if harakiri is None or not harakiri.is_default or harakiri.value != 0:
            continue
        mine = [link for link in links if link.app is app]
        reads = [link for link in mine if link.route.read_timeout.value is not None]
        if not mine:
            continue
        if reads:
            longest = max(reads, key=lambda link: link.route.read_timeout.value or 0)
            read = longest.route.read_timeout
            assert read.value is not None
            directive = _read_directive(longest.route)
            nginx = f"nginx answers 504 after {directive} {ms(read)}"
            wanted = set_plan(app, "harakiri", above(read.value / 1000), harakiri)
            fix = (
                f"{set_in(app, 'harakiri', above(read.value / 1000), harakiri)} (more than "
                f"{directive} {read.raw}, so nginx answers 504 first and harakiri frees the worker "
                "soon after)"
            )
        else:
            nginx = "nginx answers 504 after its read timeout"
            wanted = set_plan(app, "harakiri", 75, harakiri)
            fix = (
                f"{set_in(app, 'harakiri', 75, harakiri)} or another value a little longer than "
                "nginx's read timeout"
                if app.launcher is not None
                else f"set harakiri = 75 in {app.path} (a little longer than nginx's read timeout, "
                "60s by default)"
            )
        unless = ", unless the command line sets it" if app.launcher is None else ""
        location = _app_location(harakiri, app)
        yield Finding(
            location=location,
            message=(
                f"uWSGI ({app.path}) has no harakiri: a hung request holds its worker for good; "
                f"{nginx}, but the worker stays taken"
            ),
            related=(
                Related(
                    location=location,
                    message=f"harakiri is not set: off by default in "
                    f"{harakiri.source.default_of}{unless}",
                ),
                *_used_by([link.route for link in mine], "reached from"),
            ),
            fix=fix,
            plan=wanted,
        )


@rule(
    code="GW111",
    name="read-timeout-longer-than-cloudflare",
    title="a read timeout longer than Cloudflare's Proxy Read Timeout",
    severity=Severity.WARNING,
    why="""
Cloudflare waits a fixed time for the origin's response, its **Proxy Read Timeout**: 100 s for
years, 120 s from October 2025, 125 s in Cloudflare's connection-limits page since July 2026;
Enterprise plans can raise it up to 6000 s. A location whose `proxy_read_timeout` (or
`uwsgi_read_timeout`) is longer never gets to use it behind Cloudflare: when the time is up the
visitor gets Cloudflare's **524** ("A timeout occurred"), nginx logs **499** (the client closed
the connection), and the app keeps working on a request no one waits for.

gwlint recommends a read timeout below Cloudflare's, so nginx answers and logs the timeout itself,
and moving work that takes longer to a background job, to a hostname Cloudflare does not proxy, or
raising the Proxy Read Timeout on an Enterprise plan. `--front cloudflare` assumes 125 s, the
default Cloudflare documents today (cloudflare-docs pull request 32243, July 2026: "aligns the
documented default Proxy Read Timeout with the current Pingora behavior"); give the one your zone
has with `--front cloudflare:SECONDS`.
A location whose app kills long requests sooner anyway (a sync worker's `timeout`, `harakiri`)
is left alone, and so are WebSocket and gRPC locations. Without nginx, the app's own
`timeout`/`harakiri` far above Cloudflare's timeout is reported.
Needs `--front cloudflare`; other load balancers are GW103.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /exports/ {
                        proxy_read_timeout 300s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 360\n"),
        args=("--front", "cloudflare"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /exports/ {
                        proxy_read_timeout 115s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 145\n"),
        args=("--front", "cloudflare"),
    ),
    references=(
        "https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-5xx-errors/error-524/",
        "https://developers.cloudflare.com/fundamentals/reference/connection-limits/",
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout",
        "https://github.com/cloudflare/cloudflare-docs/pull/32243",
    ),
    claims=(
        from_source(
            "https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-5xx-errors/error-524/",
            status=524,
            outcome='Cloudflare answers 524 ("A timeout occurred") when the origin does not '
            "answer within the Proxy Read Timeout",
        ),
        from_source(
            f"{NGINX_UPSTREAM}#L1553-L1556",
            outcome="nginx ends the request with 499 when its client (Cloudflare) closes the "
            "connection first",
        ),
    ),
)
def gw111(dep: Deployment) -> Iterator[Finding]:
    yield from _front_findings(dep, cloudflare=True)


RULES = (gw101, gw102, gw103, gw104, gw105, gw106, gw107, gw108, gw109, gw110, gw111)
