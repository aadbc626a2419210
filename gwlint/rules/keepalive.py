"""GW2xx: persistent connections between nginx and the app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from gwlint.model.defaults import NGINX_KEEPALIVE_BY_DEFAULT
from gwlint.model.diagnostics import Finding, Location, Related, Severity
from gwlint.model.versions import format_version
from gwlint.rules.base import ex, rule
from gwlint.rules.text import above, ms, related

if TYPE_CHECKING:
    from gwlint.model.deployment import Deployment, Link
    from gwlint.model.nginx import Route, Upstream
    from gwlint.model.source import Sourced

PERSISTENT_VERSIONS = frozenset({"1.1", "2"})


def sends_keepalive(route: Route) -> bool | None:
    """Does nginx speak HTTP/1.1 without ``Connection: close`` on this route? None = depends."""
    if route.http_version is None or route.connection_header is None:
        return False
    if route.http_version.value not in PERSISTENT_VERSIONS:
        return False
    connection = (route.connection_header.value or "").strip().lower()
    if connection.startswith("$"):
        return None  # e.g. $connection_upgrade: depends on the request
    return connection in ("", "keep-alive")


def app_idle_timeout(link: Link) -> tuple[Sourced[int], str] | None:
    """How long the app keeps an idle connection open (seconds), and what it is called there."""
    app = link.app
    if app.kind == "gunicorn":
        if not app.keeps_connections or app.keepalive.value is None or app.keepalive.value <= 0:
            return None
        return app.keepalive, f"gunicorn keepalive ({app.worker_kind} worker)"
    if app.kind == "uwsgi" and link.listener.keepalive:
        if app.socket_timeout.value is None or app.socket_timeout.value <= 0:
            return None
        return app.socket_timeout, "uWSGI socket-timeout (idle limit of http11-socket)"
    return None


def _upstream_location(upstream: Upstream) -> Location:
    timeout = upstream.keepalive_timeout
    location = Location.of(timeout.source) or Location.of(upstream.source)
    assert location is not None
    return location


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
        idle = app_idle_timeout(link)
        limit = upstream.keepalive_timeout.value
        if idle is None or idle[0].value is None or limit is None:
            continue
        if idle[0].value * 1000 <= limit:
            groups.setdefault((upstream.name, id(link.app)), []).append(link)
    for (name, _), links in groups.items():
        upstream = nginx.upstreams[name]
        link = links[0]
        idle_value, idle_name = app_idle_timeout(link) or (None, "")
        assert idle_value is not None
        assert idle_value.value is not None
        timeout = upstream.keepalive_timeout
        assert timeout.value is not None
        keepalive = upstream.keepalive
        message = (
            f"{idle_name} {idle_value.value}s {idle_value.where()} <= keepalive_timeout "
            f"{ms(timeout)} of upstream {name}, which keeps idle connections (keepalive "
            f"{keepalive.raw or keepalive.value}, {keepalive.source.label()}): nginx reuses "
            "connections the app has already closed, and requests fail intermittently with 502 "
            "'upstream prematurely closed connection' (POST and PATCH are not retried)"
        )
        suggested = above(timeout.value / 1000)
        setting = "keepalive" if link.app.kind == "gunicorn" else "socket-timeout"
        fix = (
            f"set {setting} = {suggested} in {link.app.path} (more than keepalive_timeout "
            f"{timeout.raw} of upstream {name}); or set keepalive_timeout below "
            f"{idle_value.value}s in upstream {name}"
        )
        routes = [
            Related(
                location=Location.of(item.route.pass_directive.source)
                or _upstream_location(upstream),
                message=f"used by {item.route.describe()}",
            )
            for item in links[:3]
        ]
        yield Finding(
            location=_upstream_location(upstream),
            message=message,
            related=(
                *related(idle_value, setting, link.app.path),
                *routes,
            ),
            fix=fix,
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
- an upstream `keepalive N` used by `uwsgi_pass`: the uwsgi protocol has no persistent connections.
- an upstream `keepalive N` used by a location that speaks HTTP/1.0 or sends `Connection: close` to
  the upstream, the defaults before nginx 1.29.7. Both `proxy_http_version 1.1;` and
  `proxy_set_header Connection "";` are needed there; a location that sets any other
  `proxy_set_header` loses an inherited `Connection ""`.
- an upstream `keepalive N` in front of gunicorn's sync worker, which closes every connection.

Nothing fails, but every request pays a new TCP (and, behind TLS, handshake) connection.
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
                yield Finding(
                    location=location,
                    message=(
                        f"keepalive = {keepalive.raw} does nothing: the sync worker closes every "
                        "connection after one response (Connection: close)"
                    ),
                    fix=(
                        "remove keepalive, or use a worker that keeps connections (threads > 1 "
                        "or worker_class = 'gthread')"
                    ),
                )
    nginx = dep.nginx
    if nginx is None:
        return
    version = format_version(NGINX_KEEPALIVE_BY_DEFAULT)
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
        if route.protocol != "http":
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
            continue
        if sends_keepalive(route) is False:
            assert route.http_version is not None
            assert route.connection_header is not None
            missing = []
            if route.http_version.value not in PERSISTENT_VERSIONS:
                missing.append(
                    f"speaks HTTP/{route.http_version.value} {route.http_version.where()}"
                )
            if route.connection_header.value not in ("", "keep-alive"):
                missing.append(
                    f"sends Connection: {route.connection_header.value} "
                    f"{route.connection_header.where()}"
                )
            location = Location.of(route.pass_directive.source)
            assert location is not None
            yield Finding(
                location=location,
                message=(
                    f"upstream {name} has keepalive {keepalive.raw} {keepalive.where()}, but "
                    f"{route.describe()} {' and '.join(missing)}: no connection is ever reused"
                ),
                related=(Related(location=keepalive_at, message=f"keepalive {keepalive.raw}"),),
                fix=(
                    'add proxy_http_version 1.1; and proxy_set_header Connection ""; to this '
                    f"location (both are the default from nginx {version} on)"
                ),
            )
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


def _used_by(route: Route) -> Related:
    location = Location.of(route.pass_directive.source)
    assert location is not None
    return Related(location=location, message=f"used by {route.describe()}")


RULES = (gw201, gw203)
