"""GW4xx: addresses and protocols between nginx and the app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from gwlint.model.diagnostics import Finding, Location, Related, Severity
from gwlint.rules.base import ex, rule

if TYPE_CHECKING:
    from gwlint.model.address import Address
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
    from gwlint.model.address import Match, is_ip, match

    if not dep.apps or any(app.listeners_unknown for app in dep.apps):
        return
    listeners = [(app, listener) for app in dep.apps for listener in app.listeners]
    if not listeners:
        return
    ports = {listener.address.port for _, listener in listeners}
    reported: set[tuple[str, int, str]] = set()
    for route in dep.routes:
        if route.protocol not in ("http", "uwsgi"):
            continue  # fastcgi, scgi, grpc: other services, never a gunicorn or uWSGI socket
        live = [s for s in route.target.servers if "down" not in s.params]
        bound = [
            server
            for server in live
            if any(match(server.address, lst.address) is not Match.NO for _, lst in listeners)
        ]
        for server in live:
            if server in bound:
                continue
            address = server.address
            host = address.host or ""
            named = address.kind == "tcp" and not is_ip(host) and host != "localhost"
            implicit_port = ":" not in address.raw.replace("::", "")
            if named and address.port not in ports and not implicit_port:
                continue  # a host name on a port no app uses: another service, not a typo
            key = (server.source.path or "", server.source.line or 0, str(address))
            if key in reported:
                continue
            reported.add(key)
            finding = _not_bound(route, server, listeners, others_bound=bool(bound))
            if named and address.port not in ports:
                # "server app;" means port 80: a classic slip, unless a port mapping (a
                # Kubernetes Service, a load balancer) sits between nginx and the app
                finding = replace(
                    finding,
                    message=f"{finding.message}; no port was written, so nginx uses "
                    f"{address.port} (unless a port mapping such as a Kubernetes Service "
                    "forwards it)",
                    severity=Severity.WARNING,
                )
            yield finding


def _speaking(
    listeners: list[tuple[AppServer, Listener]], protocol: str
) -> list[tuple[AppServer, Listener]]:
    same = [(app, listener) for app, listener in listeners if listener.protocol == protocol]
    return same or listeners


def _not_bound(
    route: Route,
    server: UpstreamServer,
    listeners: list[tuple[AppServer, Listener]],
    *,
    others_bound: bool,
) -> Finding:
    target = server.address
    location = Location.of(server.source)
    assert location is not None
    upstream = route.target.upstream
    via = f"upstream {upstream} server" if upstream else route.pass_directive.name
    if others_bound:
        outcome = (
            f"nginx logs {_refused_log(server)}, tries the next server of upstream {upstream} "
            "and takes this one out for fail_timeout; clients get 502 only when every server "
            "fails"
        )
    else:
        outcome = f"nginx logs {_refused_log(server)} and answers 502"
    severity = Severity.WARNING if others_bound else None
    candidates = _speaking(listeners, route.protocol)
    loopback = [
        (app, listener)
        for app, listener in candidates
        if target.kind == "tcp"
        and listener.address.port == target.port
        and listener.address.is_loopback
    ]
    if loopback and target.is_loopback and target.host != "localhost":
        app, listener = loopback[0]
        message = (
            f"{via} {target}: {app.kind} ({app.path}) listens on {listener.address}, the other "
            f"loopback address: IPv4 and IPv6 loopback are separate sockets; {outcome}"
        )
        fix = f"point {via} at {listener.address.for_nginx()}"
    elif loopback:
        app, listener = loopback[0]
        message = (
            f"{via} {target}: {app.kind} ({app.path}) listens only on loopback "
            f"{listener.address}, which a connection to {target} does not reach unless that "
            f"name resolves to a loopback address (from another container or host it never "
            f"does); {outcome}"
        )
        fix = (
            f"bind the app to all interfaces ({_bind_all(app, listener)}) so nginx can "
            f"connect, or proxy to {listener.address.for_nginx()} if nginx runs beside it"
        )
    else:
        bound = ", ".join(_listener_text(app, listener) for app, listener in listeners[:MAX_LISTED])
        message = (
            f"{via} {target}: no given app server listens there (they listen on {bound}); {outcome}"
        )
        app, listener = candidates[0]
        fix = (
            f"point {via} at {_target_for(target, listener)}, or make {app.path} listen on "
            f"{_bind_at(app, listener, target)}"
        )
    if all(listener.source.is_default for _, listener in listeners):
        severity = Severity.WARNING
        message += (
            "; gunicorn's default bind is assumed, as the config sets none: it may come from "
            "the command line (--bind, GUNICORN_CMD_ARGS)"
        )
    return Finding(
        location=location,
        message=message,
        related=tuple(_listener_related(app, listener) for app, listener in listeners[:MAX_LISTED]),
        fix=fix,
        severity=severity,
    )


def _target_for(target: Address, listener: Listener) -> str:
    """Where nginx should connect instead: the same host name on the app's port, when the app
    listens on every interface; else the app's own address."""
    from gwlint.model.address import is_ip

    host = target.host or ""
    if (
        target.kind == "tcp"
        and listener.address.is_wildcard
        and host
        and not is_ip(host)
        and host != "localhost"
    ):
        return f"{host}:{listener.address.port}"
    return listener.address.for_nginx()


def _bind_all(app: AppServer, listener: Listener) -> str:
    port = listener.address.port
    if app.kind == "gunicorn":
        return f"bind = '0.0.0.0:{port}' in {app.path}"
    return f"{listener.option} = :{port} in {app.path}"


def _bind_at(app: AppServer, listener: Listener, target: Address) -> str:
    """The app-side setting that makes it listen where nginx connects."""
    from gwlint.model.address import is_ip

    if target.kind == "tcp" and not is_ip(target.host or "") and target.host != "localhost":
        # a host name is where nginx finds the app, not an address the app can bind
        if app.kind == "gunicorn":
            return f"port {target.port} (bind = '0.0.0.0:{target.port}')"
        return f"port {target.port} ({listener.option} = :{target.port})"
    if app.kind == "gunicorn":
        return f"{target} (bind = '{target.for_gunicorn()}')"
    return f"{target} ({listener.option} = {target.for_uwsgi()})"


def _mismatch_links(dep: Deployment, nginx_side: str, app_side: str) -> Iterator[Link]:
    """Certain links in the wrong protocol, for routes no listener takes in the right one."""
    for link in dep.route_app_links():
        route = link.route
        if (
            route.protocol == nginx_side
            and link.listener.protocol == app_side
            and not dep.reaches_in_protocol(route)
        ):
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
        nginx_wait = f"uwsgi_read_timeout ({route.read_timeout.raw or '?'})"
        if app.kind == "gunicorn":
            timeout = app.timeout.value
            if app.worker_kind == "sync" and timeout:
                consequence = (
                    f"gunicorn waits for an HTTP request line until its worker timeout "
                    f"({timeout}s) kills the worker: the client gets 500 (or 504 after "
                    f"{nginx_wait} if that is shorter)"
                )
            else:
                consequence = (
                    "gunicorn waits for an HTTP request line that never comes: the client gets "
                    f"504 after {nginx_wait}"
                )
            protocol_setting = app.settings.get("protocol")
            if protocol_setting is not None and protocol_setting.value == "uwsgi":
                fix = (
                    f"{app.version_label} ignores protocol = 'uwsgi' (it needs gunicorn >= 24): "
                    f"upgrade gunicorn, or use proxy_pass http://{listener.address.for_nginx()}"
                )
            else:
                fix = (
                    f"use proxy_pass http://{listener.address.for_nginx()} here, or set "
                    f"protocol = 'uwsgi' in {app.path} (gunicorn >= 24)"
                )
        else:
            assert app.kind == "uwsgi"
            if listener.option in ("http", "https"):
                wait = f"its http router waits http-timeout ({app.http_timeout.value}s)"
            else:
                wait = f"{listener.option} waits socket-timeout ({app.socket_timeout.value}s)"
            consequence = (
                f"{wait} for an HTTP request and closes: nginx logs 'upstream prematurely closed "
                f"connection' and answers 502 (504 if {nginx_wait} runs out first)"
            )
            if listener.option == "socket":
                fix = (
                    f"remove protocol = http from {app.path} (socket then speaks uwsgi), or "
                    f"use proxy_pass http://{listener.address.for_nginx()}"
                )
            else:
                fix = (
                    f"serve the uwsgi protocol there (socket = {listener.address.for_uwsgi()} "
                    f"instead of {listener.option} in {app.path}), or use proxy_pass "
                    f"http://{listener.address.for_nginx()}"
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
        uwsgi_pass = f"uwsgi_pass {listener.address.for_nginx()} (with include uwsgi_params)"
        if app.kind == "gunicorn":
            consequence = "gunicorn answers 500 ('Unsupported uWSGI modifier1: 71')"
            fix = f"use {uwsgi_pass} here, or remove protocol = 'uwsgi' from {app.path}"
        else:
            assert app.kind == "uwsgi"
            buffer_size = app.buffer_size.value
            if buffer_size is not None and buffer_size < GET_AS_PACKET_SIZE:
                consequence = (
                    f"uWSGI reads 'GET ' as a packet size and logs 'invalid request block size: "
                    f"{GET_AS_PACKET_SIZE} (max {buffer_size})...skip', then closes: nginx answers "
                    "502 ('upstream prematurely closed connection')"
                )
            else:
                consequence = (
                    f"uWSGI waits for a uwsgi packet that never completes, closes after "
                    f"socket-timeout ({app.socket_timeout.value}s), and nginx answers 502"
                )
            fix = (
                f"use {uwsgi_pass} here, or serve HTTP there (http-socket = "
                f"{listener.address.for_uwsgi()} in {app.path})"
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


GET_AS_PACKET_SIZE = 21573  # "ET" of "GET /" read as the 16-bit uwsgi packet size


RULES = (gw401, gw402, gw403)
