"""GW2xx: persistent connections between nginx and the app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gwlint.model.defaults import NGINX_KEEPALIVE_BY_DEFAULT
from gwlint.model.diagnostics import Finding, Location, Related, Severity
from gwlint.model.units import UNLIMITED_MS
from gwlint.model.versions import format_version
from gwlint.rules.base import ex, rule
from gwlint.rules.text import above, ms, related

if TYPE_CHECKING:
    from gwlint.model.deployment import Deployment, Link
    from gwlint.model.nginx import Route, Upstream
    from gwlint.model.source import Sourced

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


@dataclass(frozen=True)
class IdleLimit:
    value: Sourced[int]  # seconds
    what: str  # "gunicorn keepalive (gthread worker)"
    setting: str | None  # the setting that changes it, None when it is not configurable


def app_idle_limit(link: Link) -> IdleLimit | None:
    """How long the app keeps an idle connection open; None when it never closes one first or
    gwlint cannot tell (an unknown worker class)."""
    app = link.app
    if app.kind == "gunicorn":
        if app.idle_limit is None:
            return None
        if app.worker_kind == "tornado":
            return IdleLimit(app.idle_limit, "tornado's idle_connection_timeout", None)
        return IdleLimit(
            app.idle_limit, f"gunicorn keepalive ({app.worker_kind} worker)", "keepalive"
        )
    if app.kind == "uwsgi" and link.listener.keepalive:
        if app.socket_timeout.value is None or app.socket_timeout.value <= 0:
            return None
        return IdleLimit(
            app.socket_timeout,
            "uWSGI socket-timeout (idle limit of http11-socket)",
            "socket-timeout",
        )
    return None


def _upstream_location(upstream: Upstream) -> Location:
    timeout = upstream.keepalive_timeout
    location = Location.of(timeout.source) or Location.of(upstream.source)
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
    title="the app closes idle upstream connections before nginx stops reusing them",
    severity=Severity.ERROR,
    why="""
When nginx keeps connections to an `upstream {}` open (`keepalive N`, `proxy_http_version 1.1` and
`proxy_set_header Connection ""`; **all three are the default from nginx 1.29.7 on**), it may reuse
an idle connection for up to the upstream's `keepalive_timeout` (60 s). If the app closes idle
connections sooner (gunicorn `keepalive`, 2 s by default, for every worker but sync; uvicorn under
gunicorn uses the same setting), nginx sometimes sends a request on a connection the app is
closing: `upstream prematurely closed connection while reading response header from upstream` or
`recv() failed (104: Connection reset by peer)`, and the client gets **502**, intermittently and
mostly under real network latency. nginx retries a GET once on a cached connection, but not a POST
or PATCH, so those fail visibly.

Reproduced: 34 of 83 POSTs answered 502 with gunicorn `--keep-alive 1` behind `keepalive_timeout
60s`; none once the app's keep-alive was longer than nginx's.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                upstream app {
                    server 127.0.0.1:8000;
                    keepalive 16;
                }
                server {
                    listen 80;
                    location / {
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_pass http://app;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\nworker_class = 'gthread'\nthreads = 4\n"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                upstream app {
                    server 127.0.0.1:8000;
                    keepalive 16;
                }
                server {
                    listen 80;
                    location / {
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_pass http://app;
                    }
                }
            }
            """,
        ),
        (
            "gunicorn.conf.py",
            "bind = '127.0.0.1:8000'\nworker_class = 'gthread'\nthreads = 4\nkeepalive = 75\n",
        ),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive_timeout",
        "https://docs.gunicorn.org/en/stable/settings.html#keepalive",
        "https://github.com/RedHatProductSecurity/component-registry/issues/593",
        "https://github.com/conbench/conbench/issues/1156",
    ),
)
def gw201(dep: Deployment) -> Iterator[Finding]:
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
            f"{ms(timeout)} of upstream {name}, which keeps idle connections (keepalive "
            f"{keepalive.raw or keepalive.value}, {keepalive.source.label()}): nginx reuses "
            "connections the app has already closed, and requests fail intermittently with 502 "
            "'upstream prematurely closed connection' (POST and PATCH are not retried)"
        )
        severity = None
        if not dep.facts.nginx_version_given and any(
            keepalive_from_version_default(item.route, upstream) for item in links
        ):
            severity = Severity.WARNING
            message += (
                f"; this holds for nginx >= {version}, whose defaults keep upstream connections "
                f"(assumed: {nginx.version_label}; give --nginx-version)"
            )
        app_side = ""
        if idle.setting is not None and timeout.value < UNLIMITED_MS:
            app_side = (
                f"set {idle.setting} = {above(timeout.value / 1000)} in {link.app.path} (more "
                f"than keepalive_timeout {timeout.raw} of upstream {name})"
            )
        nginx_side = f"set keepalive_timeout below {idle.value.value}s in upstream {name}"
        if link.app.kind == "uwsgi" or not app_side:
            # uWSGI's http11-socket holds a worker per idle connection: shorten nginx's side
            fix = nginx_side + (f"; or {app_side}" if app_side else "")
        else:
            fix = f"{app_side}; or {nginx_side}"
        setting = idle.setting or "idle limit"
        yield Finding(
            location=_upstream_location(upstream),
            message=message,
            related=(
                *related(idle.value, setting, link.app.path),
                *_routes_related([item.route for item in links]),
            ),
            fix=fix,
            severity=severity,
        )


@rule(
    code="GW203",
    name="keepalive-setting-does-nothing",
    title="a keep-alive setting that has no effect",
    severity=Severity.INFO,
    why="""
Keep-alive settings that silently do nothing, so the connection reuse they promise never happens:

- gunicorn `keepalive` with the **sync** worker: it closes every connection after one response
  (`Connection: close`); the setting is ignored.
- an upstream `keepalive N` used by `uwsgi_pass` or `scgi_pass`: those protocols have no
  persistent connections (nginx's upstream docs).
- an upstream `keepalive N` used by a location that speaks HTTP/1.0 or sends `Connection: close` to
  the upstream, the defaults before nginx 1.29.7. Both `proxy_http_version 1.1;` and
  `proxy_set_header Connection "";` are needed there; a location that sets any other
  `proxy_set_header` (an `include proxy_params;` counts) loses an inherited `Connection ""`.
- an upstream `keepalive N` in front of gunicorn's sync worker, which closes every connection.

Nothing fails, but every request pays a new TCP (and, behind TLS, handshake) connection. A
WebSocket location (`Connection "upgrade"` or `$connection_upgrade`) is left alone: an upgraded
connection is never reused, by design.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                upstream app {
                    server 127.0.0.1:8000;
                    keepalive 16;
                }
                server {
                    listen 80;
                    location / {
                        proxy_pass http://app;
                    }
                }
            }
            """,
        ),
        (
            "gunicorn.conf.py",
            "bind = '127.0.0.1:8000'\nworker_class = 'gthread'\nthreads = 4\nkeepalive = 75\n",
        ),
        args=("--nginx-version", "1.24.0"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                upstream app {
                    server 127.0.0.1:8000;
                    keepalive 16;
                }
                server {
                    listen 80;
                    location / {
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_pass http://app;
                    }
                }
            }
            """,
        ),
        (
            "gunicorn.conf.py",
            "bind = '127.0.0.1:8000'\nworker_class = 'gthread'\nthreads = 4\nkeepalive = 75\n",
        ),
        args=("--nginx-version", "1.24.0"),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive",
        "https://docs.gunicorn.org/en/stable/settings.html#keepalive",
        "https://docs.gunicorn.org/en/stable/faq.html",
    ),
)
def gw203(dep: Deployment) -> Iterator[Finding]:
    for app in dep.apps:
        if app.kind == "gunicorn" and app.worker_kind == "sync":
            keepalive = app.keepalive
            location = Location.of(keepalive.source)
            if location is not None and not keepalive.is_default:
                unless = (
                    "; worker_class is not set in this file, so sync is assumed unless the "
                    "command line gives -k"
                    if app.worker_class.is_default
                    else ""
                )
                yield Finding(
                    location=location,
                    message=(
                        f"keepalive = {keepalive.raw} does nothing: the sync worker closes every "
                        f"connection after one response (Connection: close){unless}"
                    ),
                    fix=(
                        "remove keepalive, or use a worker that keeps connections (threads > 1 "
                        "or worker_class = 'gthread')"
                    ),
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
            yield _no_reuse(route, name, keepalive.raw, keepalive_at)
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
            related=related(app.worker_class, "worker_class", app.path),
            fix=(
                f"remove keepalive from upstream {name}, or run gunicorn with a worker that "
                "keeps connections (gthread) and a keepalive longer than nginx's "
                "keepalive_timeout"
            ),
        )


def _no_reuse(route: Route, upstream: str, keepalive: str, keepalive_at: Location) -> Finding:
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
            dropped, own = route.connection_dropped
            problems.append(
                f"sends Connection: close, because its own proxy_set_header directives "
                f'({own.label()}) replace the inherited ones, including Connection "" '
                f"({dropped.label()})"
            )
            fixes.append('repeat proxy_set_header Connection ""; next to them')
        elif connection.is_default:
            problems.append(f"sends Connection: close {connection.where()}")
            fixes.append('add proxy_set_header Connection "";')
        else:
            problems.append(f"sends Connection: {connection.value} {connection.where()}")
            fixes.append(
                f'change it to proxy_set_header Connection "" ({connection.source.label()})'
            )
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


RULES = (gw201, gw203)
