"""GW4xx: addresses and protocols between nginx and the app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from gwlint.model.diagnostics import Finding, Location, Related, Severity
from gwlint.rules.base import ex, rule

if TYPE_CHECKING:
    from gwlint.model.appserver import AppServer, Listener
    from gwlint.model.deployment import Deployment, Link
    from gwlint.model.nginx import Route, UpstreamServer

MAX_LISTED = 4


def _listener_text(app: AppServer, listener: Listener) -> str:
    if listener.source.is_default:
        where = f"default of {listener.source.default_of}"
    else:
        where = listener.source.label()
    return f"{listener.option} {listener.address} ({where})"


def _listener_related(app: AppServer, listener: Listener) -> Related:
    location = Location.of(listener.source, app.path)
    assert location is not None
    what = f"{app.kind} listens on {listener.address} ({listener.protocol})"
    if listener.source.is_default:
        what += f": bind is not set, the {listener.source.default_of} default applies"
    return Related(location=location, message=what)


def _refused_log(server: UpstreamServer) -> str:
    if server.address.kind == "unix":
        return "'connect() to unix:... failed (2: No such file or directory)'"
    return "'connect() failed (111: Connection refused) while connecting to upstream'"


@rule(
    code="GW401",
    name="target-not-bound-by-app",
    title="nginx sends requests to an address no app server listens on",
    severity=Severity.ERROR,
    why="""
The address in `proxy_pass`, `uwsgi_pass` or an `upstream {}` `server` is not one the given app
servers listen on: a different port, a different unix socket path, or an app that listens only on
loopback (`127.0.0.1`, gunicorn's default bind) while nginx connects to it by a host or container
name. Every request fails: nginx logs `connect() failed (111: Connection refused) while connecting
to upstream` (a unix socket: `connect() to unix:/run/app.sock failed (2: No such file or
directory)`) and answers **502**.

Pairing follows the sockets: unix paths must be equal; TCP ports equal, and the hosts equal, both
loopback (`localhost` = `127.0.0.1` = `::1`), or the app bound to all interfaces (`0.0.0.0`, `::`,
`:8000`); an upstream `server` without a port means port 80. A host name against a specific
address is left to DNS and not reported. gwlint only reports this when at least one app server
config was given; a route meant for another service will show up here too, so check the address.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_pass http://127.0.0.1:8001;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 75\n"),
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
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass",
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server",
        "https://docs.gunicorn.org/en/stable/settings.html#bind",
        "https://github.com/benoitc/gunicorn/issues/1452",
    ),
)
def gw401(dep: Deployment) -> Iterator[Finding]:
    from gwlint.model.address import Match, match

    if not dep.apps or any(app.listeners_unknown for app in dep.apps):
        return
    listeners = [(app, listener) for app in dep.apps for listener in app.listeners]
    ports = {listener.address.port for _, listener in listeners}
    reported: set[tuple[str, int, str]] = set()
    for route in dep.routes:
        if route.protocol not in ("http", "uwsgi"):
            continue  # fastcgi, scgi, grpc: other services, never a gunicorn or uWSGI socket
        for server in route.target.servers:
            if "down" in server.params or _elsewhere(server, ports):
                continue
            results = [match(server.address, listener.address) for _, listener in listeners]
            if any(result is not Match.NO for result in results):
                continue
            key = (server.source.path or "", server.source.line or 0, str(server.address))
            if key in reported:
                continue
            reported.add(key)
            yield _not_bound(route, server, listeners)


def _elsewhere(server: UpstreamServer, ports: set[int | None]) -> bool:
    """A fully qualified host name on a port no app uses: another service, not a typo."""
    from gwlint.model.address import is_ip

    address = server.address
    host = address.host or ""
    return address.kind == "tcp" and "." in host and not is_ip(host) and address.port not in ports


def _not_bound(
    route: Route, server: UpstreamServer, listeners: list[tuple[AppServer, Listener]]
) -> Finding:
    target = server.address
    location = Location.of(server.source)
    assert location is not None
    via = (
        f"upstream {route.target.upstream} server"
        if route.target.upstream
        else route.pass_directive.name
    )
    same_port_loopback = [
        (app, listener)
        for app, listener in listeners
        if target.kind == "tcp"
        and listener.address.port == target.port
        and listener.address.is_loopback
    ]
    if same_port_loopback:
        app, listener = same_port_loopback[0]
        message = (
            f"{via} {target} reaches {app.kind} ({app.path}) only if nginx runs on the same host: "
            f"it listens only on loopback {listener.address}; from another host or container "
            f"nginx logs {_refused_log(server)} and answers 502"
        )
        bind = "bind" if app.kind == "gunicorn" else listener.option
        fix = (
            f"set {bind} = '0.0.0.0:{listener.address.port}' in {app.path} so other hosts can "
            f"connect, or proxy to 127.0.0.1:{listener.address.port} if nginx runs beside it"
        )
    else:
        bound = ", ".join(_listener_text(app, listener) for app, listener in listeners[:MAX_LISTED])
        message = (
            f"{via} {target}: no given app server listens there (they listen on {bound}); nginx "
            f"logs {_refused_log(server)} and answers 502"
        )
        if listeners:
            app, listener = listeners[0]
            fix = f"point {via} at {listener.address}, or make {app.path} listen on {target}"
        else:
            fix = f"make an app server listen on {target}"
    return Finding(
        location=location,
        message=message,
        related=tuple(_listener_related(app, listener) for app, listener in listeners[:MAX_LISTED]),
        fix=fix,
    )


def _mismatch_links(dep: Deployment, nginx_side: str, app_side: str) -> Iterator[Link]:
    for link in dep.route_app_links():
        if link.route.protocol == nginx_side and link.listener.protocol == app_side:
            yield link


@rule(
    code="GW402",
    name="uwsgi-pass-to-http-app",
    title="uwsgi_pass to an app that speaks HTTP",
    severity=Severity.ERROR,
    why="""
`uwsgi_pass` speaks the binary uwsgi protocol; the app's socket speaks HTTP (gunicorn's default
`protocol = "http"`, a uWSGI `http-socket` or `http` router). Neither side understands the other:

- gunicorn waits for a request line that never comes until its worker `timeout`, then `[CRITICAL]
  WORKER TIMEOUT` and `Error handling request (no URI read)`: the client gets **500** after that
  timeout (or **504** if `uwsgi_read_timeout` is shorter).
- a uWSGI `http-socket` waits `socket-timeout` (4 s) and closes: nginx logs `upstream prematurely
  closed connection while reading response header from upstream` and answers **502**.

gunicorn >= 24 speaks uwsgi with `protocol = "uwsgi"`, so that pairing is fine.
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
                        uwsgi_pass 127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 75\n"),
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
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_pass",
        "https://docs.gunicorn.org/en/stable/settings.html#protocol",
        "https://github.com/benoitc/gunicorn/issues/3296",
        "https://github.com/maxking/docker-mailman/issues/64",
    ),
)
def gw402(dep: Deployment) -> Iterator[Finding]:
    for link in _mismatch_links(dep, "uwsgi", "http"):
        app, route, listener = link.app, link.route, link.listener
        location = Location.of(route.pass_directive.source)
        assert location is not None
        if app.kind == "gunicorn":
            timeout = app.timeout.value
            consequence = (
                f"gunicorn waits for an HTTP request line until its worker timeout ({timeout}s), "
                "then kills the worker: the client gets 500 (or 504 if uwsgi_read_timeout is "
                "shorter)"
            )
            fix = (
                f"use proxy_pass http://{listener.address} here, or set protocol = 'uwsgi' in "
                f"{app.path} (gunicorn >= 24)"
            )
        else:
            assert app.kind == "uwsgi"
            consequence = (
                f"uWSGI's {listener.option} waits socket-timeout ({app.socket_timeout.value}s) "
                "and closes: nginx logs 'upstream prematurely closed connection' and answers 502"
            )
            fix = (
                f"use socket = {listener.address.raw or listener.address} (uwsgi protocol) in "
                f"{app.path} instead of {listener.option}, or proxy_pass http://{listener.address}"
            )
        yield Finding(
            location=location,
            message=(
                f"uwsgi_pass {route.target.raw} speaks the uwsgi protocol, but {app.kind} "
                f"({app.path}) speaks HTTP on {_listener_text(app, listener)}: {consequence}"
            ),
            related=(_listener_related(app, listener),),
            fix=fix,
        )


@rule(
    code="GW403",
    name="proxy-pass-to-uwsgi-socket",
    title="proxy_pass (HTTP) to a socket that speaks the uwsgi protocol",
    severity=Severity.ERROR,
    why="""
`proxy_pass` speaks HTTP; the app's socket expects the binary uwsgi protocol (a uWSGI `socket` or
`uwsgi-socket`, or gunicorn with `protocol = "uwsgi"`). uWSGI reads the first bytes of `GET` as a
packet size and logs `invalid request block size: 21573 (max 4096)...skip` (21327 for a POST), then
closes: nginx logs `upstream prematurely closed connection while reading response header from
upstream` and answers **502**. gunicorn with `protocol = "uwsgi"` answers **500**
(`Unsupported uWSGI modifier1: 71`).
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_pass http://127.0.0.1:3031;
                    }
                }
            }
            """,
        ),
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nharakiri = 75\n"),
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
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://uwsgi-docs.readthedocs.io/en/latest/Nginx.html",
        "https://github.com/mapproxy/mapproxy/issues/1353",
    ),
)
def gw403(dep: Deployment) -> Iterator[Finding]:
    for link in _mismatch_links(dep, "http", "uwsgi"):
        app, route, listener = link.app, link.route, link.listener
        location = Location.of(route.pass_directive.source)
        assert location is not None
        if app.kind == "gunicorn":
            consequence = "gunicorn answers 500 ('Unsupported uWSGI modifier1: 71')"
            fix = (
                f"use uwsgi_pass {listener.address} (with include uwsgi_params) here, or remove "
                f"protocol = 'uwsgi' from {app.path}"
            )
        else:
            consequence = (
                "uWSGI logs 'invalid request block size: 21573 (max 4096)...skip' and closes; "
                "nginx answers 502 ('upstream prematurely closed connection')"
            )
            fix = (
                f"use uwsgi_pass {listener.address} (with include uwsgi_params) here, or "
                f"http-socket = {listener.address} in {app.path}"
            )
        yield Finding(
            location=location,
            message=(
                f"{route.pass_directive.name} {route.target.raw} speaks HTTP, but {app.kind} "
                f"({app.path}) speaks the uwsgi protocol on {_listener_text(app, listener)}: "
                f"{consequence}"
            ),
            related=(_listener_related(app, listener),),
            fix=fix,
        )


RULES = (gw401, gw402, gw403)
