"""GW2xx: persistent connections between nginx and the app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal, NamedTuple

from gwlint.fixes.plan import Plan, SetNginx, plan
from gwlint.model.asgi_options import GRANIAN_MAX_HEADER_READ_MS
from gwlint.model.defaults import NGINX_KEEPALIVE_BY_DEFAULT
from gwlint.model.diagnostics import Finding, Location, Related, Severity
from gwlint.model.units import UNLIMITED_MS, format_ms
from gwlint.model.versions import format_version
from gwlint.rules.base import rule
from gwlint.rules.text import (
    above,
    app_location,
    app_related,
    ms,
    remove_from,
    remove_plan,
    set_in,
    set_plan,
    shown,
)

if TYPE_CHECKING:
    from gwlint.model.appserver import AppServer, GunicornServer, Listener, UvicornServer
    from gwlint.model.deployment import Deployment, Link
    from gwlint.model.facts import Front
    from gwlint.model.nginx import NginxConfig, Route, Upstream
    from gwlint.model.source import Source, Sourced


PERSISTENT_VERSIONS = frozenset({"1.1", "2"})
NO_KEEPALIVE_PROTOCOLS = frozenset({"uwsgi", "scgi"})  # upstream docs: no notion of keepalive
MAX_ROUTES_LISTED = 3


def sends_keepalive(route: Route) -> bool | None:
    """Does nginx speak HTTP/1.1 without ``Connection: close`` on this route? None = depends.

    A variable (``$connection_upgrade``) or ``upgrade`` (a WebSocket location) depends on the
    request, and an upgraded connection is never reused anyway.
    """
    version, connection = route.http_version, route.connection_header
    if version is None or connection is None:
        return False
    if version.value is None or connection.value is None:
        return None  # hidden by an include that could not be read
    if version.value not in PERSISTENT_VERSIONS:
        return False
    value = connection.value.strip().lower()
    if value in ("", "keep-alive"):
        return True
    if value == "close":
        return False
    return None


def keepalive_from_version_default(route: Route, upstream: Upstream) -> bool:
    """True when reuse happens only because of the nginx >= 1.29.7 defaults."""
    values = (upstream.keepalive, route.http_version, route.connection_header)
    return any(value is not None and value.is_default for value in values)


class IdleLimit(NamedTuple):
    value: Sourced[int]  # seconds
    what: str  # "gunicorn keepalive"
    setting: str | None  # the setting that changes it, None when it is not configurable
    worker: str = ""  # "gthread worker": which worker keeps connections for that long
    named: str = ""  # how the related line names a limit no setting changes, or one in ms

    def related(self, app: AppServer) -> tuple[Related, ...]:
        """Where the app's value is (or would be) set, naming the worker that applies it."""
        places = app_related(app, self.value, self.named or self.setting or "idle limit")
        if not self.worker or not places:
            return places
        first = places[0]
        return (Related(first.location, f"{first.message} ({self.worker})"), *places[1:])


def app_idle_limit(link: Link) -> IdleLimit | None:
    """How long the app keeps an idle connection open; None when it never closes one first or
    gwlint cannot tell (an unknown worker class)."""
    return idle_limit_of(link.app, link.listener)


def gthread_keeps_nothing(app: GunicornServer) -> bool:
    """gthread with ``worker_connections - threads <= 0``: every response says Connection:
    close (``len(self._keep) >= self.max_keepalived`` in gthread.py), nothing is kept idle."""
    if app.worker_kind != "gthread":
        return False
    connections, threads = app.values.get("worker_connections"), app.threads
    if connections is None or connections.value is None or threads.value is None:
        return False
    return bool(connections.value - threads.value <= 0)


def idle_limit_of(app: AppServer, listener: Listener) -> IdleLimit | None:
    """The idle limit of ``app`` on one of its listeners (see ``app_idle_limit``)."""
    if app.kind == "gunicorn":
        if app.idle_limit is None or gthread_keeps_nothing(app):
            return None
        if app.worker_kind == "tornado":
            return IdleLimit(app.idle_limit, "tornado's idle_connection_timeout", None)
        return IdleLimit(
            app.idle_limit, "gunicorn keepalive", "keepalive", f"{app.worker_kind} worker"
        )
    if app.kind == "uwsgi" and listener.keepalive:
        if app.socket_timeout.value is None or app.socket_timeout.value <= 0:
            return None
        return IdleLimit(
            app.socket_timeout,
            "uWSGI socket-timeout",
            "socket-timeout",
            "the idle limit of an http11-socket",
        )
    if app.kind == "uvicorn":
        # h11_impl / httptools_impl: after each response, call_later(timeout_keep_alive, close)
        return IdleLimit(
            app.timeout_keep_alive, "uvicorn --timeout-keep-alive", "timeout_keep_alive"
        )
    if app.kind == "daphne" or app.kind == "granian":
        # daphne: Twisted's 60 s, which no daphne option changes; granian: hyper's header
        # read timeout, in milliseconds (the fix then names the flag in the nginx-side text)
        if app.idle_limit is None:
            return None
        named = (
            "--http1-header-read-timeout (in ms)"
            if app.kind == "granian"
            else "its idle timeout (Twisted's; no daphne option sets it)"
        )
        return IdleLimit(app.idle_limit, app.idle_what, None, named=named)
    if app.kind == "hypercorn":
        # its idle task closes a connection keep_alive_timeout seconds after its last response
        # (asyncio/tcp_server.py:136-141 of 0.18.0); a shorter read_timeout stops reading it
        # sooner (gwlint/model/asgi_options.py)
        if app.idle_limit is None:
            return None
        setting = "read_timeout" if app.idle_what.endswith("read_timeout") else "keep_alive_timeout"
        return IdleLimit(app.idle_limit, app.idle_what, setting)
    return None


def _upstream_location(upstream: Upstream) -> Location:
    timeout = upstream.keepalive_timeout
    location = Location.of(timeout.source) or Location.of(upstream.source)
    assert location is not None
    return location


def _keepalive_location(upstream: Upstream) -> Location:
    """Where the upstream's ``keepalive`` is written, else the ``upstream`` block."""
    location = Location.of(upstream.keepalive.source) or Location.of(upstream.source)
    assert location is not None
    return location


def _used_by(route: Route) -> Related:
    location = Location.of(route.pass_directive.source)
    assert location is not None
    return Related(location=location, message=f"used by {route.describe()}")


def _routes_related(routes: list[Route]) -> list[Related]:
    listed = [_used_by(route) for route in routes[:MAX_ROUTES_LISTED]]
    if len(routes) > MAX_ROUTES_LISTED:
        last = listed[-1]
        more = len(routes) - MAX_ROUTES_LISTED
        listed[-1] = Related(location=last.location, message=f"{last.message} (and {more} more)")
    return listed


@rule(
    code="GW201",
    name="app-keepalive-not-longer-than-nginx",
    title="the app closes idle upstream connections before the proxy stops reusing them",
    severity=Severity.ERROR,
)
def gw201(dep: Deployment) -> Iterator[Finding]:
    from gwlint.rules.fronts import front_gw201

    yield from front_gw201(dep)
    nginx = dep.nginx
    if nginx is None:
        return
    groups: dict[tuple[str, int], list[Link]] = {}
    for link in dep.route_app_links():
        route = link.route
        if route.protocol != "http" or not link.same_protocol or route.target.upstream is None:
            continue
        upstream = nginx.upstreams[route.target.upstream]
        if not upstream.keepalive.value or sends_keepalive(route) is not True:
            continue
        idle = app_idle_limit(link)
        limit = upstream.keepalive_timeout.value
        if idle is None or idle.value.value is None or limit is None:
            continue
        if idle.value.value * 1000 <= limit:
            groups.setdefault((upstream.name, id(link.app)), []).append(link)
    version = format_version(NGINX_KEEPALIVE_BY_DEFAULT)
    for (name, _), links in groups.items():
        upstream = nginx.upstreams[name]
        link = links[0]
        idle = app_idle_limit(link)
        assert idle is not None
        assert idle.value.value is not None
        timeout = upstream.keepalive_timeout
        assert timeout.value is not None
        keepalive = upstream.keepalive
        message = (
            f"{idle.what} {idle.value.value}s {idle.value.where()} <= keepalive_timeout "
            f"{ms(timeout)} of upstream {name}: nginx reuses connections the app closed; requests "
            "fail intermittently with 502"
        )
        kept = (
            f"keepalive {keepalive.raw or keepalive.value} ({keepalive.source.label()}): nginx "
            f"keeps idle connections to upstream {name}"
        )
        nginx_side_places = [Related(location=_keepalive_location(upstream), message=kept)]
        severity = None
        if not dep.facts.nginx_version_given and any(
            keepalive_from_version_default(item.route, upstream) for item in links
        ):
            severity = Severity.WARNING
            nginx_side_places.append(
                Related(
                    location=_upstream_location(upstream),
                    message=f"this holds for nginx >= {version}, whose defaults keep upstream "
                    f"connections (assumed: {nginx.version_label}; give --nginx-version)",
                )
            )
        app_side = ""
        if idle.setting is not None and timeout.value < UNLIMITED_MS:
            app_side = (
                f"{set_in(link.app, idle.setting, above(timeout.value / 1000), idle.value)} "
                f"(more than keepalive_timeout {timeout.raw} of upstream {name})"
            )
        nginx_side = f"set keepalive_timeout below {idle.value.value}s in upstream {name}"
        if link.app.kind == "granian":
            # hyper's header read timeout, in milliseconds, is granian's idle limit; granian
            # refuses to start above GRANIAN_MAX_HEADER_READ_MS: past 60 s, only nginx's side
            # can be changed
            wanted = min((timeout.value // 1000 + 15) * 1000, GRANIAN_MAX_HEADER_READ_MS)
            app_side = ""
            if wanted > timeout.value:
                app_side = (
                    f"add --http1-header-read-timeout {wanted} to the granian command "
                    f"({link.app.launcher}, {link.app.path}) (more than keepalive_timeout "
                    f"{timeout.raw} of upstream {name})"
                )
        if link.app.kind == "hypercorn" and idle.setting and timeout.value < UNLIMITED_MS:
            from gwlint.rules.hypercorn_text import hypercorn_idle_fix

            app_side = (
                f"{hypercorn_idle_fix(link.app, idle.setting, timeout.value)} (more than "
                f"keepalive_timeout {timeout.raw} of upstream {name})"
            )
        fix_plan: Plan | None = None
        if link.app.kind == "uwsgi" or not app_side:
            # uWSGI's http11-socket holds a worker per idle connection: shorten nginx's side
            fix = nginx_side + (f"; or {app_side}" if app_side else "")
            below = idle.value.value - 1 if idle.value.value > 1 else 0
            if (
                below > 0
                and upstream.source.path is not None
                and dep.facts.nginx_version >= UPSTREAM_KEEPALIVE_TIMEOUT
            ):
                fix_plan = plan(
                    f"set keepalive_timeout {below}s in upstream {name}",
                    SetNginx(
                        config=nginx,
                        route=None,
                        name="keepalive_timeout",
                        args=(f"{below}s",),
                        current=None if timeout.is_default else timeout.source,
                        block=upstream.source,
                        block_name="upstream",
                    ),
                )
        else:
            fix = f"{app_side}; or {nginx_side}"
            if idle.setting is not None and link.app.kind in ("gunicorn", "uvicorn", "hypercorn"):
                fix_plan = set_plan(link.app, idle.setting, above(timeout.value / 1000), idle.value)
        yield Finding(
            location=_upstream_location(upstream),
            message=message,
            related=(
                *idle.related(link.app),
                *nginx_side_places,
                *_routes_related([item.route for item in links]),
            ),
            fix=fix,
            severity=severity,
            plan=fix_plan,
        )


# keepalive_timeout in an upstream block: nginx 1.15.3 (CHANGES)
UPSTREAM_KEEPALIVE_TIMEOUT = (1, 15, 3)


@rule(
    code="GW203",
    name="keepalive-setting-does-nothing",
    title="a keep-alive setting that has no effect",
    severity=Severity.INFO,
)
def gw203(dep: Deployment) -> Iterator[Finding]:
    for app in dep.apps:
        if app.kind == "gunicorn" and app.worker_kind == "sync":
            keepalive = app.keepalive
            location = Location.of(keepalive.source)
            if location is not None and not keepalive.is_default:
                assumed = (
                    app_related(app, app.worker_class, "worker_class")
                    if app.worker_class.is_default and app.launcher is None
                    else ()
                )
                if app.launcher is None:
                    fix = (
                        "remove keepalive, or use a worker that keeps connections (threads > 1 "
                        "or worker_class = 'gthread')"
                    )
                else:
                    fix = (
                        f"{remove_from(app, 'keepalive', keepalive)}, or use a worker that "
                        "keeps connections "
                        f"({set_in(app, 'worker_class', repr('gthread'), app.worker_class)})"
                    )
                yield Finding(
                    location=location,
                    message=(
                        f"{shown(app, keepalive, 'keepalive')} does nothing: the sync worker "
                        "closes every connection after one response (Connection: close)"
                    ),
                    related=assumed,
                    fix=fix,
                    # a setting that does nothing, taken out; unless the worker class is only
                    # assumed (a command line not given may choose one that reads it)
                    plan=remove_plan(app, "keepalive", keepalive, safe=not assumed),
                )
    nginx = dep.nginx
    if nginx is None:
        return
    reported: set[tuple[str, int]] = set()
    for route in nginx.routes:
        name = route.target.upstream
        if name is None:
            continue
        upstream = nginx.upstreams[name]
        keepalive = upstream.keepalive
        if keepalive.is_default or not keepalive.value:
            continue  # only an explicit keepalive N promises something
        keepalive_at = Location.of(keepalive.source)
        assert keepalive_at is not None
        if route.protocol in NO_KEEPALIVE_PROTOCOLS:
            if (name, 0) not in reported:
                reported.add((name, 0))
                yield Finding(
                    location=keepalive_at,
                    message=(
                        f"keepalive {keepalive.raw} in upstream {name} does nothing for "
                        f"{route.pass_directive.name}: the {route.protocol} protocol has no "
                        "persistent connections"
                    ),
                    related=(_used_by(route),),
                    fix=f"remove keepalive from upstream {name}",
                )
        elif route.protocol == "http" and sends_keepalive(route) is False:
            finding = _no_reuse(route, name, keepalive.raw, keepalive_at)
            if finding is not None:
                yield finding
    for link in dep.route_app_links():
        app = link.app
        name = link.route.target.upstream
        if name is None or app.kind != "gunicorn" or app.worker_kind != "sync":
            continue
        upstream = nginx.upstreams[name]
        keepalive = upstream.keepalive
        if keepalive.is_default or not keepalive.value or (name, id(app)) in reported:
            continue
        if link.route.protocol != "http" or sends_keepalive(link.route) is not True:
            continue
        reported.add((name, id(app)))
        keepalive_at = Location.of(keepalive.source)
        assert keepalive_at is not None
        yield Finding(
            location=keepalive_at,
            message=(
                f"keepalive {keepalive.raw} in upstream {name} does nothing: gunicorn "
                f"({app.path}) runs the sync worker, which closes every connection after one "
                "response"
            ),
            related=app_related(app, app.worker_class, "worker_class"),
            fix=(
                f"remove keepalive from upstream {name}, or run gunicorn with a worker that "
                "keeps connections (gthread) and a keepalive longer than nginx's "
                "keepalive_timeout"
            ),
        )


def _no_reuse(
    route: Route, upstream: str, keepalive: str, keepalive_at: Location
) -> Finding | None:
    """An explicit upstream keepalive that a location's HTTP/1.0 or Connection: close defeats."""
    version, connection = route.http_version, route.connection_header
    assert version is not None
    assert connection is not None
    problems: list[str] = []
    fixes: list[str] = []
    related_places = [Related(location=keepalive_at, message=f"keepalive {keepalive}")]
    if version.value not in PERSISTENT_VERSIONS:
        problems.append(f"speaks HTTP/{version.value} {version.where()}")
        if version.is_default:
            fixes.append("add proxy_http_version 1.1;")
        else:
            fixes.append(
                f"change proxy_http_version {version.raw} ({version.source.label()}) to 1.1"
            )
    if (connection.value or "").strip().lower() == "close":
        if connection.is_default and route.connection_dropped is not None:
            pass  # a dropped Connection "": GW604 reports the proxy_set_header that drops it
        elif connection.is_default:
            problems.append(f"sends Connection: close {connection.where()}")
            fixes.append('add proxy_set_header Connection "";')
        else:
            problems.append(f"sends Connection: {connection.value} {connection.where()}")
            fixes.append(
                f'change it to proxy_set_header Connection "" ({connection.source.label()})'
            )
    if not problems:
        return None
    location = Location.of(route.pass_directive.source)
    assert location is not None
    default_version = format_version(NGINX_KEEPALIVE_BY_DEFAULT)
    return Finding(
        location=location,
        message=(
            f"upstream {upstream} has keepalive {keepalive}, but {route.describe()} "
            f"{' and '.join(problems)}: no connection is ever reused"
        ),
        related=tuple(related_places),
        fix=(
            f"{' and '.join(fixes)} in this location (or once, in its server or http block); "
            f"from nginx {default_version} on, HTTP/1.1 without Connection: close is the default"
        ),
    )


# --- GW202: the load balancer in front ------------------------------------------------------

# what the client gets when the front reuses a connection its backend has just closed (each
# one is a claim of GW202, with the load balancer's documentation)
FRONT_STATUS: dict[str, str] = {
    "alb": "502",
    "elb": "504",
    "gcp": "502 or 503",
    "heroku": "503 (H13, H18)",
    "oci": "502",
}
FIXED_IDLE_FRONTS = frozenset({"gcp", "heroku"})  # their backend keep-alive cannot be changed


def front_failure(front: Front) -> str:
    """``now and then answers 502``; for a load balancer gwlint does not know, what most do."""
    status = FRONT_STATUS.get(front.kind)
    if status is None:
        return "now and then fails a request (502 on most load balancers)"
    return f"now and then answers {status}"


def front_name(front: Front) -> str:
    return front.name if front.name.startswith("the ") else f"the {front.name}"


def front_label(front: Front) -> str:
    """``the Google Cloud LB's 600s idle timeout (--front gcp)``."""
    flag = f"--front idle={front.idle}" if front.kind == "custom" else f"--front {front.kind}"
    return f"{front_short(front)}'s {front.idle}s idle timeout ({flag})"


def front_short(front: Front) -> str:
    """``the ALB``, ``the Google Cloud LB``, ``the Heroku router``, ``the load balancer``."""
    short = {"alb": "the ALB", "elb": "the Classic ELB", "gcp": "the Google Cloud LB"}
    if front.kind == "custom":
        return "the load balancer"
    return short.get(front.kind, front_name(front))


def longer_than_front(idle: int) -> int:
    """A backend idle limit safely above the front's: 60 -> 75, 600 -> 620 (GCP's advice)."""
    return min(above(idle), idle + 20)


def main_config_given(nginx: NginxConfig) -> bool:
    """Is the main nginx.conf (with its ``http`` or ``events`` block) among the files read?"""
    return any(not d.context for d in nginx.named(("http", "events")))


def _source_key(source: Source) -> tuple[str, int, str]:
    return (source.path or "", source.line or 0, source.default_of or "")


def _front_fix(front: Front, backend: str) -> str:
    if front.kind in FIXED_IDLE_FRONTS:
        return f"; {front_name(front)}'s {front.idle}s cannot be changed"
    return f"; or lower the load balancer's idle timeout below {backend}"


@rule(
    code="GW202",
    name="keepalive-not-longer-than-load-balancer",
    title="nginx or the app closes idle connections before the load balancer in front does",
    severity=Severity.ERROR,
)
def gw202(dep: Deployment) -> Iterator[Finding]:
    front = dep.facts.front
    if front is None or front.idle is None:
        return
    if dep.nginx is not None:
        yield from _nginx_before_front(dep.nginx, front)
        return
    if dep.front is not None:
        return  # Apache httpd or Caddy between the load balancer and the app: not judged yet
    for app in dep.apps:
        finding = _app_before_front(app, front)
        if finding is not None:
            yield finding


def _nginx_before_front(nginx: NginxConfig, front: Front) -> Iterator[Finding]:
    assert front.idle is not None
    groups: dict[tuple[str, int, str], list[Route]] = {}
    for route in nginx.routes:
        timeout = route.keepalive_timeout
        # 0 turns keep-alive off: nginx answers with Connection: close, nothing is reused
        if timeout.value is None or timeout.value == 0 or timeout.value > front.idle * 1000:
            continue
        groups.setdefault(_source_key(timeout.source), []).append(route)
    main_given = main_config_given(nginx)
    failure = front_failure(front)
    suggested = longer_than_front(front.idle)
    for routes in groups.values():
        timeout = routes[0].keepalive_timeout
        assert timeout.value is not None
        severity = None
        message = (
            f"nginx keepalive_timeout {ms(timeout)} <= {front_label(front)}: it reuses "
            f"connections nginx closed and {failure}"
        )
        related_places = [
            Related(location=item.location, message=item.message.replace("used by", "applies to"))
            for item in _routes_related(routes)
        ]
        if timeout.source.in_file:
            location = Location.of(timeout.source)
            assert location is not None
            change = (
                f"change keepalive_timeout {timeout.raw} ({timeout.source.label()}) to {suggested}s"
            )
        else:
            http = next((d for d in nginx.named(("http",)) if not d.context), None)
            location = Location.of(http.source) if http is not None else None
            if location is None:
                location = Location.of(routes[0].pass_directive.source)
                assert location is not None
            change = f"add keepalive_timeout {suggested}s; to the http block of nginx.conf"
            if not main_given:
                severity = Severity.WARNING
                related_places.append(
                    Related(
                        location=location,
                        message="keepalive_timeout is nginx's default here: the main "
                        "nginx.conf, which was not given, may set another value",
                    )
                )
        yield Finding(
            location=location,
            message=message,
            related=tuple(related_places),
            fix=(
                f"{change} (more than the load balancer's {front.idle}s, as "
                f"load balancers' docs recommend){_front_fix(front, format_ms(timeout.value))}"
            ),
            severity=severity,
        )


def _reachable(app: AppServer, listener: Listener) -> bool:
    """Could a load balancer connect to this listener? A written loopback or unix socket says
    something else sits in between; a default bind is usually replaced on the command line
    (unless gwlint read that command line: a launcher)."""
    if listener.protocol != "http" or listener.address.kind == "unix":
        return False
    if listener.source.is_default and app.launcher is None:
        return True
    return not listener.address.is_loopback


def _app_before_front(app: AppServer, front: Front) -> Finding | None:
    """The app is the first hop (no nginx config): its idle limit against the front's."""
    assert front.idle is not None
    for listener in app.listeners:
        if not _reachable(app, listener):
            continue
        idle = idle_limit_of(app, listener)
        if idle is None or idle.value.value is None or idle.value.value > front.idle:
            continue
        suggested = longer_than_front(front.idle)
        message = (
            f"{idle.what} {idle.value.value}s {idle.value.where()} <= {front_label(front)}: "
            f"it reuses connections the app closed and {front_failure(front)}"
        )
        backend = f"{idle.value.value}s"
        if idle.setting is None:
            fix = f"lower the load balancer's idle timeout below {backend}"
        else:
            fix = (
                f"{set_in(app, idle.setting, suggested, idle.value)} (more than the load "
                f"balancer's {front.idle}s, as load balancers' docs recommend)"
                f"{_front_fix(front, backend)}"
            )
            if app.kind == "uwsgi":
                fix += (
                    "; an http11-socket holds a core per idle connection, so with few processes "
                    "an nginx in front (http-socket behind it) is the better fix"
                )
        places: list[Related] = list(idle.related(app))
        bound = Location.of(listener.source)
        if bound is not None:
            if app.launcher is None:
                connects = f"{listener.option} = {listener.address.raw or listener.address}"
            else:
                connects = f"{listener.address} ({app.launcher})"
            places.append(
                Related(
                    location=bound,
                    message=f"the load balancer connects to {connects} directly (no nginx "
                    "config given)",
                )
            )
        location = app_location(app, idle.value)
        wanted = (
            set_plan(app, idle.setting, suggested, idle.value)
            if idle.setting is not None and app.kind in ("gunicorn", "uvicorn", "uwsgi")
            else None
        )
        return Finding(
            location=location, message=message, related=tuple(places), fix=fix, plan=wanted
        )
    return None


# --- GW204: gthread without room for idle connections -----------------------------------------


@rule(
    code="GW204",
    name="gthread-no-room-for-keepalive",
    title="gthread's worker_connections leave no room for idle keep-alive connections",
    severity=Severity.INFO,
)
def gw204(dep: Deployment) -> Iterator[Finding]:
    for app in dep.apps:
        if app.kind != "gunicorn" or not gthread_keeps_nothing(app):
            continue
        keepalive, threads = app.keepalive, app.threads
        connections: Sourced[int] = app.values["worker_connections"]
        if not keepalive.value:
            continue  # keepalive 0 asks for no idle connections, and gunicorn does not warn
        assert connections.value is not None
        assert threads.value is not None
        spare = connections.value - threads.value
        place = threads if connections.is_default else connections
        location = app_location(app, place)
        message = (
            f"worker_connections {connections.value} {connections.where()} - threads "
            f"{threads.value} {threads.where()} = {spare}: gthread closes every connection after "
            f"its response, so keepalive {keepalive.value}s {keepalive.where()} does "
            "nothing"
        )
        suggested = max(1000, 2 * threads.value)
        other = threads if place is connections else connections
        name = "threads" if other is threads else "worker_connections"
        places = app_related(app, other, name, written_only=True)
        if connections.value < threads.value and places:
            starved = (
                f"a worker accepts at most {connections.value} connections at once, so only "
                f"{connections.value} of its {threads.value} threads ever work"
            )
            places = (Related(places[0].location, f"{places[0].message}: {starved}"),)
        yield Finding(
            location=location,
            message=message,
            related=places,
            fix=(
                f"{set_in(app, 'worker_connections', suggested, connections)} (threads plus "
                "room for idle keep-alive connections)"
            ),
        )


# --- GW205: UvicornWorker's keep-alive is gunicorn's ------------------------------------------

UVICORN_WORKER_CLASSES = frozenset(
    {
        "uvicorn.workers.UvicornWorker",
        "uvicorn.workers.UvicornH11Worker",
        "uvicorn_worker.UvicornWorker",
        "uvicorn_worker.UvicornH11Worker",
    }
)
# uvicorn's own names for its keep-alive; in gunicorn.conf.py they are just unused variables
UVICORN_KEEPALIVE_NAMES = ("timeout_keep_alive", "timeout_keepalive")


class Reuser(NamedTuple):
    """Who reuses an app's idle connections, for how long, and what failing looks like."""

    who: str  # "nginx's upstream api", "the ALB (--front alb)"
    seconds: int
    status: str  # "502", "503 (H13, H18)", "502 on most load balancers"
    places: tuple[Related, ...] = ()


def _reuser(dep: Deployment, app: GunicornServer) -> Reuser | None:
    """An nginx upstream that keeps the app's idle connections, or the load balancer in front
    when no nginx config is given."""
    nginx = dep.nginx
    if nginx is None:
        front = dep.facts.front
        if front is None or front.idle is None or dep.front is not None:
            return None  # (Apache httpd or Caddy in between: not judged yet)
        status = FRONT_STATUS.get(front.kind, "502 on most load balancers")
        return Reuser(f"{front_short(front)} (--front {front.kind})", front.idle, status)
    for link in dep.route_app_links():
        route = link.route
        if link.app is not app or route.protocol != "http" or not link.same_protocol:
            continue
        name = route.target.upstream
        if name is None or sends_keepalive(route) is not True:
            continue
        upstream = nginx.upstreams[name]
        timeout = upstream.keepalive_timeout
        if upstream.keepalive.value and timeout.value is not None:
            seconds = min(timeout.value // 1000, 10**6)
            kept = Related(
                location=_keepalive_location(upstream),
                message=f"upstream {name} keeps idle connections for keepalive_timeout "
                f"{ms(timeout)}",
            )
            return Reuser(f"nginx's upstream {name}", seconds, "502", (kept,))
    return None


@rule(
    code="GW205",
    name="uvicorn-worker-keepalive-is-gunicorns",
    title="UvicornWorker takes its keep-alive from gunicorn's keepalive, not uvicorn's",
    severity=Severity.WARNING,
)
def gw205(dep: Deployment) -> Iterator[Finding]:
    for app in dep.apps:
        if app.kind != "gunicorn" or app.worker_kind != "uvicorn":
            continue
        worker = app.worker_class.value
        if worker not in UVICORN_WORKER_CLASSES:
            continue  # a subclass may pass its own timeout_keep_alive in CONFIG_KWARGS
        keepalive = app.keepalive
        for name in UVICORN_KEEPALIVE_NAMES:
            setting = app.settings.get(name)
            if setting is None:
                continue
            location = app_location(app, setting)
            if keepalive.is_default:
                wanted = setting.value if isinstance(setting.value, int) else None
                where = setting.source.path or app.path
                yield Finding(
                    location=location,
                    message=(
                        f"{name} = {setting.raw} is uvicorn's name, which gunicorn ignores: "
                        f"{worker} takes gunicorn's keepalive, {keepalive.value}s "
                        f"{keepalive.where()}, so idle connections close after "
                        f"{keepalive.value} s"
                    ),
                    related=app_related(app, keepalive, "keepalive"),
                    fix=(
                        f"set keepalive = {wanted} in {where} (the name gunicorn reads) and remove "
                        f"{name}"
                        if wanted is not None
                        else f"rename {name} to keepalive in {where}"
                    ),
                )
            else:
                yield Finding(
                    location=location,
                    message=(
                        f"{name} = {setting.raw} does nothing: gunicorn ignores it, and "
                        f"{worker} uses {shown(app, keepalive, 'keepalive')} "
                        f"({keepalive.source.label()})"
                    ),
                    related=app_related(app, keepalive, "keepalive", written_only=True),
                    fix=f"remove {name}; keepalive is the setting {worker} reads",
                    severity=Severity.INFO,
                )
        if keepalive.value == 0 and not keepalive.is_default:
            reuser = _reuser(dep, app)
            if reuser is None:
                continue
            yield Finding(
                location=app_location(app, keepalive),
                message=(
                    f"{shown(app, keepalive, 'keepalive')} does not turn keep-alive off for "
                    f"{worker}: uvicorn closes idle connections at once, unannounced, and "
                    f"{reuser.who} reuses them: {reuser.status} now and then"
                ),
                related=reuser.places,
                fix=(
                    f"{set_in(app, 'keepalive', above(reuser.seconds), keepalive)} (more than "
                    f"the {reuser.seconds}s the other side keeps idle connections)"
                ),
                plan=set_plan(app, "keepalive", above(reuser.seconds), keepalive),
            )


# --- GW206: nginx's connection cache against the backend's concurrency ------------------------


def nginx_workers(dep: Deployment) -> tuple[int, str, Sourced[str] | None] | None:
    """nginx's worker processes: (count, how it was found, the directive); None when unknown."""
    nginx = dep.nginx
    if nginx is None:
        return None
    written = nginx.main.get("worker_processes")
    if written is None:
        if main_config_given(nginx):
            return 1, f"worker_processes not set: the {nginx.version_label} default 1", None
        return None  # only fragments: the main nginx.conf decides
    if written.value is None:
        return None
    text = written.value.strip().lower()
    if text == "auto":
        cpus = dep.facts.cpus
        if cpus is None:
            return None
        text = f"worker_processes auto: {cpus} worker processes ({dep.facts.cpus_from} {cpus})"
        return cpus, text, written
    if text.isascii() and text.isdigit() and 0 < len(text.lstrip("0")) <= 18:  # not ², 10**5000
        return int(text), f"worker_processes {text}", written
    return None


class Capacity(NamedTuple):
    requests: int  # served at once: gthread threads, uWSGI cores, uvicorn connections
    app: str  # "gunicorn (gunicorn.conf.py: gthread, workers 9 x threads 4)"
    places: tuple[Related, ...]
    # uwsgi: an http11-socket core waits on each idle connection; uvicorn: its
    # --limit-concurrency counts idle connections; gthread: the surplus only stays open
    kind: Literal["uwsgi", "gthread", "uvicorn"]
    hold: str = ""  # how long it waits: "4s (default of uWSGI 2.0.30)"
    server: UvicornServer | None = None  # uvicorn: the app whose limit can be raised


def _capacity(link: Link) -> Capacity | None:
    app = link.app
    if app.kind == "gunicorn":
        workers, threads = app.workers, app.threads
        if app.worker_kind != "gthread" or workers.value is None or threads.value is None:
            return None  # async workers hold idle connections for free; sync keeps none
        if workers.is_default:
            return None  # the command line or $WEB_CONCURRENCY usually sets it
        label = f"gunicorn ({app.path}: gthread, workers {workers.value} x threads {threads.value})"
        places = (*app_related(app, workers, "workers"), *app_related(app, threads, "threads"))
        return Capacity(workers.value * threads.value, label, places, kind="gthread")
    if app.kind == "uvicorn":
        return _uvicorn_capacity(app)
    if app.kind == "daphne" or app.kind == "granian" or app.kind == "hypercorn":
        return None  # async servers: an idle connection holds no worker
    if not link.listener.keepalive:
        return None
    processes, threads = app.processes, app.threads
    cores = app.async_cores.value if app.async_cores is not None else 0
    if processes.value is None or threads.value is None or cores is None:
        return None
    per_process = max(threads.value, cores, 1)
    each = f"{cores} async cores" if cores > threads.value else f"threads {threads.value}"
    label = f"uWSGI ({app.path}: {app.processes_option} {processes.value} x {each})"
    places = (
        *app_related(app, processes, app.processes_option),
        *app_related(app, threads, "threads", written_only=True),
        *app_related(app, app.socket_timeout, "socket-timeout", written_only=True),
    )
    hold = f"socket-timeout ({app.socket_timeout.value}s, {app.socket_timeout.source.label()})"
    return Capacity(processes.value * per_process, label, places, kind="uwsgi", hold=hold)


def _uvicorn_capacity(app: UvicornServer) -> Capacity | None:
    """uvicorn with --limit-concurrency: each process answers 503 to a request that arrives
    while it holds that many connections, idle keep-alive ones included (h11_impl /
    httptools_impl: ``len(self.connections) >= self.limit_concurrency``)."""
    limit, workers = app.values.get("limit_concurrency"), app.workers
    if limit is None or not isinstance(limit.value, int) or limit.value <= 0:
        return None  # no limit (the default): idle connections cost an async server nothing
    if workers.value is None or workers.value < 1:
        return None
    reload = app.values.get("reload")
    if reload is not None and reload.value is True:
        return None  # --reload runs one process whatever --workers says
    each = f"--limit-concurrency {limit.value} x workers {workers.value}"
    if workers.is_default:
        each += " (the default, unless $WEB_CONCURRENCY is set where it runs)"
    label = f"uvicorn ({app.path}: {each})"
    places = (*app_related(app, limit, "limit_concurrency"), *app_related(app, workers, "workers"))
    return Capacity(limit.value * workers.value, label, places, kind="uvicorn", server=app)


def _processes(count: int) -> str:
    return f"{count} nginx worker process" + ("" if count == 1 else "es")


def _set_keepalive(upstream: Upstream, value: int) -> str:
    keepalive = upstream.keepalive
    if keepalive.source.in_file:
        return f"change keepalive {keepalive.raw} ({keepalive.source.label()}) to {value}"
    return f"add keepalive {value}; to upstream {upstream.name}"


@rule(
    code="GW206",
    name="upstream-keepalive-cache-over-backend-capacity",
    title="nginx's upstream connection cache is larger than what the backend serves at once",
    severity=Severity.INFO,
)
def gw206(dep: Deployment) -> Iterator[Finding]:
    nginx = dep.nginx
    found = nginx_workers(dep)
    if nginx is None or found is None:
        return
    workers, workers_text, workers_directive = found
    links = [link for link in dep.links if link.certain and link.same_protocol]
    for name, upstream in nginx.upstreams.items():
        keepalive = upstream.keepalive
        if not keepalive.value or upstream.unknown:
            continue
        routes = [
            route
            for route in nginx.routes
            if route.target.upstream == name
            and route.protocol == "http"
            and sends_keepalive(route) is True
        ]
        if not routes:
            continue
        capacities: dict[int, Capacity] = {}
        complete = True
        for server in upstream.servers:
            if server.param("down") is not None or server.param("backup") is not None:
                continue
            served = [link for link in links if link.route is routes[0] and link.server == server]
            capacity = _capacity(served[0]) if len(served) == 1 else None
            if capacity is None:
                complete = False
                break
            capacities[id(served[0].app)] = capacity
        if not complete or not capacities:
            continue
        kinds = {capacity.kind for capacity in capacities.values()}
        if len(kinds) != 1:
            continue
        kind = kinds.pop()
        if kind == "gthread" and keepalive.is_default:
            continue  # nginx's own default cache in front of gthread: nothing to decide
        total = sum(capacity.requests for capacity in capacities.values())
        cache = keepalive.value * workers
        if cache < total or (kind == "gthread" and cache == total):
            continue
        first = next(iter(capacities.values()))
        backend = {"uwsgi": "uWSGI", "uvicorn": "uvicorn", "gthread": "gunicorn"}[kind]
        if len(capacities) > 1:
            backend = f"the {len(capacities)} app servers behind it"
        default = " (default)" if workers_directive is None else ""
        nginx_workers_text = f"{workers} nginx worker" + ("" if workers == 1 else "s")
        message = (
            f"upstream {name}: keepalive {keepalive.raw or keepalive.value} "
            f"({keepalive.source.label()}) x {nginx_workers_text}{default} = {cache} cached "
            "connections "
        )
        if kind == "uwsgi":
            message += (
                f">= {backend}'s {total} cores: idle http11-socket connections can hold every "
                "core while requests queue"
            )
            lower = (total - 1) // workers
            fix = (
                f"{_set_keepalive(upstream, lower)} (fewer cached connections than the {total} "
                "cores)"
                if lower >= 1
                else f"give uWSGI more than {cache} cores (processes x threads)"
            )
        elif kind == "uvicorn":
            message += (
                f">= {backend}'s limit of {total} connections, idle ones included: then "
                "requests get 503 at any load"
            )
            lower = (total - 1) // workers
            fix = (
                f"{_set_keepalive(upstream, lower)} (recommended: fewer cached connections than "
                f"the {total} uvicorn holds, and --limit-concurrency keeps protecting the app)"
                if lower >= 1
                else f"lower the upstream keepalive of {name} below uvicorn's {total}"
            )
            uvicorn = first.server
            if len(capacities) == 1 and uvicorn is not None:
                limit = uvicorn.values["limit_concurrency"]
                per_process = above(cache / max(1, uvicorn.workers.value or 1))
                fix += (
                    f"; or {set_in(uvicorn, 'limit_concurrency', per_process, limit)} (more "
                    "than the connections nginx may keep, per uvicorn process)"
                )
        else:
            message += (
                f"> the {total} requests {backend} serves at once: the surplus idles in gunicorn "
                "until its keepalive expires"
            )
            per_worker = total // workers
            fix = (
                f"{_set_keepalive(upstream, per_worker)} (workers x threads {total} / "
                f"{_processes(workers)})"
                if per_worker >= 1
                else f"give gunicorn at least {cache} threads in all (workers x threads)"
            )
        places: list[Related] = []
        if workers_directive is not None:
            at = Location.of(workers_directive.source)
            if at is not None:
                places.append(Related(location=at, message=workers_text))
        for capacity in capacities.values():
            if capacity.places:
                held = f": an idle connection holds a core until {capacity.hold}"
                summary = capacity.app + (held if capacity.hold else "")
                places.append(Related(capacity.places[0].location, summary))
            places.extend(capacity.places)
        yield Finding(
            location=Location.of(keepalive.source) or _upstream_location(upstream),
            message=message,
            related=tuple(places),
            fix=fix,
        )


RULES = (gw201, gw202, gw203, gw204, gw205, gw206)
