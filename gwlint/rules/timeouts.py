"""GW1xx: request timeouts on the two sides of the proxy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from gwlint.fixes.plan import Plan, SetApp, SetNginx
from gwlint.model.diagnostics import Finding, Location, Related, Severity
from gwlint.model.units import format_ms
from gwlint.rules.base import rule
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


class _FrontText(NamedTuple):
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
)
def gw103(dep: Deployment) -> Iterator[Finding]:
    yield from _front_findings(dep, cloudflare=False)


@rule(
    code="GW104",
    name="short-read-timeout-on-upload-location",
    title="a location for uploads or exports waits less than the app allows",
    severity=Severity.INFO,
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
)
def gw111(dep: Deployment) -> Iterator[Finding]:
    yield from _front_findings(dep, cloudflare=True)


RULES = (gw101, gw102, gw103, gw104, gw105, gw106, gw107, gw108, gw109, gw110, gw111)
