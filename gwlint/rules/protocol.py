"""GW4xx: addresses and protocols between nginx and the app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple

from gwlint.model.asgi_options import DAPHNE_IDLE_SECONDS
from gwlint.model.diagnostics import Finding, Location, Related, Severity
from gwlint.rules.base import rule
from gwlint.rules.text import app_location, combined, remove_from, set_in, shown, value_text
from gwlint.rules.text import app_related as text_related

if TYPE_CHECKING:
    from gwlint.model.address import Address
    from gwlint.model.appserver import (
        AppServer,
        GunicornServer,
        Listener,
        UvicornServer,
        UwsgiServer,
    )
    from gwlint.model.deployment import Deployment, Link
    from gwlint.model.nginx import Route, UpstreamServer
    from gwlint.model.source import Sourced

MAX_LISTED = 4


def _listener_text(app: AppServer, listener: Listener) -> str:
    if listener.source.is_default:
        where = f"{listener.source.default_of} default"
    else:
        where = listener.source.label()
    if app.kind == "uvicorn":
        return f"{listener.address} ({where})"
    return f"{listener.option} {listener.address} ({where})"


def _app_listener(app: AppServer, listener: Listener) -> str:
    """``gunicorn's bind 127.0.0.1:8000 (gunicorn.conf.py:1)``, ``uvicorn on 127.0.0.1:8000
    (Procfile:1)``: the app's socket and where it is set, for a message."""
    if app.kind == "uvicorn":
        return f"uvicorn on {_listener_text(app, listener)}"
    return f"{app.kind}'s {_listener_text(app, listener)}"


def _app_kind(app: AppServer) -> str:
    return "uWSGI" if app.kind == "uwsgi" else app.kind


def _listener_related(app: AppServer, listener: Listener, *, assumed: bool = False) -> Related:
    """Where the app listens; ``assumed``: say that a default address is an assumption."""
    location = Location.of(listener.source, app.path)
    assert location is not None
    what = f"{app.kind} listens on {listener.address} ({listener.protocol})"
    if listener.source.is_default:
        if app.kind == "uvicorn":
            what += (
                f": the command ({app.launcher}) gives no --host, --port or --uds, the "
                f"{listener.source.default_of} default applies"
            )
        elif app.launcher is not None:
            what += (
                f": the command ({app.launcher}) sets no bind, the {listener.source.default_of} "
                "default applies"
            )
        else:
            what += f": bind is not set, the {listener.source.default_of} default applies"
        if assumed and app.launcher is None:
            what += " (unless the command line sets it: --bind, GUNICORN_CMD_ARGS)"
        elif assumed:
            what += (
                " (unless the environment where it runs sets it: $PORT for gunicorn, "
                "$UVICORN_HOST/$UVICORN_PORT for uvicorn)"
            )
    return Related(location=location, message=what)


def _refused(server: UpstreamServer) -> str:
    """What connect() says, short: the log line itself is on the rule's page."""
    if server.address.kind == "unix":
        return "no such socket file"
    return "connection refused"


@rule(
    code="GW401",
    name="target-not-bound-by-app",
    title="the proxy sends requests to an address no app server listens on",
    severity=Severity.ERROR,
)
def gw401(dep: Deployment) -> Iterator[Finding]:
    from gwlint.model.address import Match, is_ip
    from gwlint.model.deployment import reach
    from gwlint.rules.fronts import front_gw401

    yield from front_gw401(dep)

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
            if any(
                reach(server.address, app, lst, dep.foreign_hosts) is not Match.NO
                for app, lst in listeners
            )
        ]
        for server in live:
            if server in bound or dep.elsewhere(server.address):
                continue  # reached, or another container's: a frontend, a cache
            address = server.address
            host = address.host or ""
            named = address.kind == "tcp" and not is_ip(host) and host != "localhost"
            implicit_port = ":" not in address.raw.replace("::", "")
            ours = any(name == host for app, _ in listeners for name, _p, _t in app.hosts)
            if named and address.port not in ports and not implicit_port and not ours:
                continue  # a host name on a port no app uses: another service, not a typo
            key = (server.source.path or "", server.source.line or 0, str(address))
            if key in reported:
                continue
            reported.add(key)
            finding = _not_bound(route, server, listeners, others_bound=bool(bound))
            if named and address.port not in ports and implicit_port:
                # "server app;" means port 80: a classic slip, unless a port mapping (a
                # Kubernetes Service, a load balancer) sits between nginx and the app
                finding = replace(
                    finding,
                    message=f"{finding.message}; no port: {address.port}, unless a Service maps it",
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
        outcome = f"{_refused(server)}; nginx tries {upstream}'s other servers (502 if all fail)"
    else:
        outcome = f"nginx answers 502 ({_refused(server)})"
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
            f"loopback address (a separate socket): {outcome}"
        )
        fix = f"point {via} at {listener.address.for_nginx()}"
    elif loopback:
        app, listener = loopback[0]
        message = (
            f"{via} {target}: {app.kind} ({app.path}) listens only on loopback "
            f"{listener.address}, out of reach unless {target.host} resolves to loopback: "
            f"{outcome}"
        )
        fix = (
            f"bind the app to all interfaces ({_bind_all(app, listener)}) so nginx can "
            f"connect, or proxy to {listener.address.for_nginx()} if nginx runs beside it"
        )
    else:
        app, listener = candidates[0]
        more = len(listeners) - 1
        listed = _listener_text(app, listener) + (f" and {more} more" if more else "")
        message = f"{via} {target}: no app server listens there ({listed}): {outcome}"
        fix = (
            f"point {via} at {_target_for(target, listener)}, or make {_app_name(app)} listen "
            f"on {_bind_at(app, listener, target)}"
        )
        mapped = [
            (name, port, to_port)
            for name, port, to_port in app.hosts
            if name == target.host and port is not None and port == target.port
        ]
        if mapped:  # a Kubernetes Service sends the port nginx uses to another container port
            name, port, to_port = mapped[0]
            message += f"; Service {name} maps port {port} to {to_port}"
            fix = (
                f"set the targetPort of Service {name}'s port {port} to "
                f"{listener.address.port}, or make {_app_name(app)} listen on "
                f"{_bind_at(app, listener, target._replace(port=to_port))}"
            )
    assumed = all(listener.source.is_default for _, listener in listeners)
    if assumed:
        severity = Severity.WARNING
        message += (
            "; default bind assumed"
            if all(app.launcher is None for app, _ in listeners)
            else "; default address assumed"
        )
    return Finding(
        location=location,
        message=message,
        related=tuple(
            _listener_related(app, listener, assumed=assumed)
            for app, listener in listeners[:MAX_LISTED]
        ),
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


def _app_name(app: AppServer) -> str:
    """``gunicorn.conf.py``, or ``the command in Procfile (Procfile web)`` for a launcher."""
    if app.launcher is None:
        return app.path
    return f"the command in {app.path} ({app.launcher})"


def _bind_all(app: AppServer, listener: Listener) -> str:
    port = listener.address.port
    if app.kind == "uvicorn":
        host = app.values.get("host")
        return set_in(app, "host", "0.0.0.0", host)
    if app.kind == "gunicorn":
        if app.launcher is not None:
            return set_in(app, "bind", f"'0.0.0.0:{port}'", _bind_value(app, listener))
        return f"bind = '0.0.0.0:{port}' in {app.path}"
    if app.kind == "daphne" or app.kind == "granian":
        option = "-b 0.0.0.0" if app.kind == "daphne" else "--host 0.0.0.0"
        return f"add {option} to the {app.kind} command ({app.launcher}, {app.path})"
    if app.kind == "hypercorn":
        from gwlint.rules.hypercorn_text import hypercorn_change

        bind = f"0.0.0.0:{port}"
        return hypercorn_change(app, listener.option, bind, repr(bind))
    if app.launcher is not None:
        return set_in(app, listener.option, f":{port}", _uwsgi_option(app, listener))
    return f"{listener.option} = :{port} in {app.path}"


def _bind_value(app: GunicornServer, listener: Listener) -> Sourced[object] | None:
    value: Sourced[object] | None = app.values.get("bind")
    return value


def _uwsgi_option(app: UwsgiServer, listener: Listener) -> Sourced[str] | None:
    for occurrence in app.options.get(listener.option, ()):
        if occurrence.source == listener.source:
            return occurrence
    return None


def _bind_at(app: AppServer, listener: Listener, target: Address) -> str:
    """The app-side setting that makes it listen where nginx connects."""
    from gwlint.model.address import is_ip

    named = target.kind == "tcp" and not is_ip(target.host or "") and target.host != "localhost"
    if app.kind == "uvicorn":
        if target.kind == "unix":
            return f"{target} (--uds {target.path})"
        host = "0.0.0.0" if named else (target.host or "127.0.0.1")
        host = host.strip("[]")
        words = f"--host {host} --port {target.port}"
        return f"port {target.port} ({words})" if named else f"{target} ({words})"
    if app.kind == "daphne" or app.kind == "granian":
        if target.kind == "unix":
            option = "-u" if app.kind == "daphne" else "--uds"
            return f"{target} ({option} {target.path})"
        host = ("0.0.0.0" if named else (target.host or "127.0.0.1")).strip("[]")
        words = (
            f"-b {host} -p {target.port}"
            if app.kind == "daphne"
            else f"--host {host} --port {target.port}"
        )
        return f"port {target.port} ({words})" if named else f"{target} ({words})"
    if app.kind == "hypercorn":
        from gwlint.rules.hypercorn_text import hypercorn_change

        if target.kind == "unix":
            bind = f"unix:{target.path}"
        else:
            host = ("0.0.0.0" if named else (target.host or "127.0.0.1")).strip("[]")
            bind = f"[{host}]:{target.port}" if ":" in host else f"{host}:{target.port}"
        words = hypercorn_change(app, listener.option, bind, repr(bind))
        return f"port {target.port} ({words})" if named else f"{target} ({words})"
    if named:
        # a host name is where nginx finds the app, not an address the app can bind
        if app.kind == "gunicorn":
            return f"port {target.port} ({_spelled(app, 'bind', f'0.0.0.0:{target.port}')})"
        return f"port {target.port} ({_spelled(app, listener.option, f':{target.port}')})"
    if app.kind == "gunicorn":
        return f"{target} ({_spelled(app, 'bind', target.for_gunicorn())})"
    return f"{target} ({_spelled(app, listener.option, target.for_uwsgi())})"


def _spelled(app: GunicornServer | UwsgiServer, setting: str, value: str) -> str:
    """``bind = '0.0.0.0:8000'`` in a config file, ``--bind 0.0.0.0:8000`` on a command line."""
    if app.launcher is None:
        return f"{setting} = '{value}'" if app.kind == "gunicorn" else f"{setting} = {value}"
    return f"--{setting} {value}"


def _remove_uwsgi(app: UwsgiServer, option: str) -> str:
    occurrence = app.last(option)
    if occurrence is None:
        return f"remove {option} from {app.config_file or app.path}"
    return remove_from(app, option, occurrence)


def _where_set(app: AppServer, listener: Listener) -> str:
    """``Procfile:1`` or ``app.ini``: where the listener is written."""
    source = listener.source
    if source.path is None:
        return app.config_file or app.path
    return f"{source.path}:{source.line}" if source.line else source.path


def _swap_socket(app: UwsgiServer, listener: Listener, option: str) -> str:
    """``http-socket = :3031 instead of socket in uwsgi.ini``, or ``--http-socket :3031 instead
    of --socket in Procfile:1``: the same address in another uWSGI socket option, where the
    listener is written (an ini file, or a launcher's command line)."""
    address = listener.address.for_uwsgi()
    source = listener.source
    if app.launcher is not None and source.path in (None, app.path):
        return f"--{option} {address} instead of --{listener.option} in {_where_set(app, listener)}"
    where = source.path or app.config_file or app.path
    return f"{option} = {address} instead of {listener.option} in {where}"


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
    title="uwsgi_pass (or Apache's uwsgi://) to an app that speaks HTTP",
    severity=Severity.ERROR,
)
def gw402(dep: Deployment) -> Iterator[Finding]:
    from gwlint.rules.fronts import front_mismatch

    yield from front_mismatch(dep, "uwsgi")
    for link in _mismatch_links(dep, "uwsgi", "http"):
        app, route, listener = link.app, link.route, link.listener
        location = Location.of(route.pass_directive.source)
        assert location is not None
        read_timeout = route.read_timeout
        nginx_wait = f"uwsgi_read_timeout ({read_timeout.raw or '?'})"
        waited: tuple[Related, ...] = ()  # where the app's wait is set
        if app.kind == "gunicorn":
            timeout = app.timeout.value
            if app.worker_kind == "sync" and timeout:
                consequence = _first_timeout(
                    read_timeout,
                    timeout,
                    f"timeout ({timeout}s) kills the worker waiting for HTTP: the client gets 500",
                )
                waited = text_related(app, app.timeout, "timeout")
            else:
                consequence = f"gunicorn waits for a request line: 504 after {nginx_wait}"
            protocol_setting = app.settings.get("protocol")
            if protocol_setting is not None and protocol_setting.value == "uwsgi":
                fix = (
                    f"{app.version_label} ignores protocol = 'uwsgi' (it needs gunicorn >= 24): "
                    f"upgrade gunicorn, or use proxy_pass http://{listener.address.for_nginx()}"
                )
            else:
                fix = (
                    f"use proxy_pass http://{listener.address.for_nginx()} here, or "
                    f"{set_in(app, 'protocol', repr('uwsgi'), app.values.get('protocol'))} "
                    "(gunicorn >= 24)"
                )
        elif app.kind == "uvicorn":
            consequence = "uvicorn answers 400 ('Invalid HTTP request received.')"
            fix = (
                f"use proxy_pass http://{listener.address.for_nginx()} here (uvicorn speaks only "
                "HTTP), with proxy_set_header Host $host and the X-Forwarded-* headers the app "
                "needs"
            )
        elif app.kind == "daphne" or app.kind == "granian" or app.kind == "hypercorn":
            consequence = (
                f"{app.kind} speaks only HTTP and cannot read nginx's uwsgi packets: the "
                "request fails"
            )
            if app.kind == "daphne":
                # Twisted's HTTPChannel is a LineReceiver (twisted/web/http.py:2212 of 26.10):
                # a uwsgi packet has no line end, so nothing answers; its idle timer (60 s)
                # closes the connection (observed: gw402-daphne)
                consequence = _first_timeout(
                    read_timeout,
                    DAPHNE_IDLE_SECONDS,
                    f"daphne waits for a line end, then Twisted closes it ({DAPHNE_IDLE_SECONDS}s)"
                    ": 502",
                )
            if app.kind == "hypercorn":
                # the packet's first byte (modifier1, 0) is no request line for h11 (h11 0.16
                # _readers.py:75-80), and hypercorn answers its error hint, 400, with
                # Connection: close (protocol/h11.py:164-168 of 0.18.0); nginx relays it
                consequence = (
                    "hypercorn answers 400 with an empty body (h11: 'illegal request line') and "
                    "closes the connection"
                )
            fix = (
                f"use proxy_pass http://{listener.address.for_nginx()} here ({app.kind} speaks "
                "only HTTP), with proxy_set_header Host $host and the X-Forwarded-* headers the "
                "app needs"
            )
        else:
            if listener.option in ("http", "https"):
                waits, wait = "uWSGI's http router waits http-timeout", app.http_timeout
            else:
                waits, wait = "uWSGI waits socket-timeout", app.socket_timeout
            consequence = _first_timeout(
                read_timeout, wait.value, f"{waits} ({wait.value}s) for HTTP, then closes: 502"
            )
            name = "http-timeout" if listener.option in ("http", "https") else "socket-timeout"
            if wait.source.in_file:
                waited = text_related(app, wait, name)
            if listener.option == "socket":
                remove = (
                    f"remove protocol = http from {app.path}"
                    if app.launcher is None
                    else _remove_uwsgi(app, "protocol")
                )
                fix = (
                    f"{remove} (socket then speaks uwsgi), or "
                    f"use proxy_pass http://{listener.address.for_nginx()}"
                )
            else:
                instead = _swap_socket(app, listener, "socket")
                fix = (
                    f"serve the uwsgi protocol there ({instead}), or use proxy_pass "
                    f"http://{listener.address.for_nginx()}"
                )
        yield Finding(
            location=location,
            message=(
                f"uwsgi_pass {route.target.raw} speaks uwsgi, but {_app_listener(app, listener)} "
                f"speaks HTTP: {consequence}"
            ),
            related=(_listener_related(app, listener), *waited),
            fix=fix,
        )


def _first_timeout(read_timeout: Sourced[int], app_seconds: int | None, app_first: str) -> str:
    """What the client gets when the app waits ``app_seconds`` for a request that never comes:
    ``app_first``, unless nginx's read timeout runs out first (504)."""
    nginx_ms = read_timeout.value
    if nginx_ms is not None and app_seconds and nginx_ms < app_seconds * 1000:
        return (
            f"uwsgi_read_timeout ({read_timeout.raw}) runs out first, before the app's "
            f"{app_seconds}s: 504"
        )
    return app_first


@rule(
    code="GW403",
    name="proxy-pass-to-uwsgi-socket",
    title="proxy_pass, ProxyPass http:// or reverse_proxy (HTTP) to a socket that speaks uwsgi",
    severity=Severity.ERROR,
)
def gw403(dep: Deployment) -> Iterator[Finding]:
    from gwlint.rules.fronts import front_mismatch

    yield from front_mismatch(dep, "http")
    for link in _mismatch_links(dep, "http", "uwsgi"):
        app, route, listener = link.app, link.route, link.listener
        location = Location.of(route.pass_directive.source)
        assert location is not None
        uwsgi_pass = f"uwsgi_pass {listener.address.for_nginx()} (with include uwsgi_params)"
        if app.kind == "gunicorn":
            consequence = "gunicorn answers 500 ('Unsupported uWSGI modifier1: 71')"
            protocol = app.values.get("protocol")
            remove = (
                f"remove protocol = 'uwsgi' from {app.path}"
                if app.launcher is None or protocol is None
                else remove_from(app, "protocol", protocol)
            )
            fix = f"use {uwsgi_pass} here, or {remove}"
        elif app.kind == "uwsgi":
            buffer_size = app.buffer_size.value
            if buffer_size is not None and buffer_size < GET_AS_PACKET_SIZE:
                consequence = (
                    f"uWSGI reads 'GET' as a {GET_AS_PACKET_SIZE}-byte packet (max {buffer_size}), "
                    "skips it and closes: 502"
                )
            else:
                consequence = (
                    f"uWSGI waits for a {GET_AS_PACKET_SIZE}-byte packet until socket-timeout "
                    f"({app.socket_timeout.value}s), then closes: 502"
                )
            http_socket = _swap_socket(app, listener, "http-socket")
            fix = f"use {uwsgi_pass} here, or serve HTTP there ({http_socket})"
        else:
            continue  # uvicorn speaks only HTTP
        yield Finding(
            location=location,
            message=(
                f"{route.pass_directive.name} {route.target.raw} speaks HTTP, but "
                f"{_app_kind(app)} speaks uwsgi there ({listener.source.label()}): {consequence}"
            ),
            related=(_listener_related(app, listener),),
            fix=fix,
        )


GET_AS_PACKET_SIZE = 21573  # "ET" of "GET /" read as the 16-bit uwsgi packet size


# --- GW404-GW410 -------------------------------------------------------------------------------


def _route_related(route: Route, message: str | None = None) -> Related:
    location = Location.of(route.pass_directive.source)
    assert location is not None
    return Related(location=location, message=message or f"used by {route.describe()}")


def _routes_related(routes: list[Route], verb: str = "also") -> list[Related]:
    """``also proxy_pass ...`` for the other routes of a grouped finding, at most MAX_LISTED."""
    listed = [_route_related(route, f"{verb} {route.describe()}") for route in routes[:MAX_LISTED]]
    if len(routes) > MAX_LISTED:
        last = listed[-1]
        listed[-1] = Related(
            location=last.location, message=f"{last.message} (and {len(routes) - MAX_LISTED} more)"
        )
    return listed


def _crosses_hosts(server: UpstreamServer) -> bool:
    """Does nginx reach this server by a host name or a non-loopback address (another host or
    container), rather than on loopback?"""
    address = server.address
    return address.kind == "tcp" and not address.is_loopback


def _split_list(value: object) -> list[str] | None:
    """A gunicorn address list as written: ``"a,b"`` or ``["a", "b"]``; None when not a list."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple) and all(isinstance(part, str) for part in value):
        return [part.strip() for part in value]
    return None


@rule(
    code="GW404",
    name="uwsgi-socket-on-all-interfaces",
    title="a uwsgi-protocol socket listens on every network interface",
    severity=Severity.WARNING,
)
def gw404(dep: Deployment) -> Iterator[Finding]:
    # listeners nginx reaches from another host or container: they must listen beyond loopback
    remote: dict[int, Route] = {}
    local: dict[int, Address] = {}  # the loopback address nginx already uses
    for link in dep.links:
        if link.certain and _crosses_hosts(link.server):
            remote.setdefault(id(link.listener), link.route)
        elif link.certain and link.server.address.is_loopback:
            local.setdefault(id(link.listener), link.server.address)
    for app in dep.apps:
        exposed = [
            listener
            for listener in app.listeners
            if listener.protocol == "uwsgi" and listener.address.is_wildcard
        ]
        if not exposed:
            continue
        allow: Sourced[object] | None = None
        if app.kind == "gunicorn":
            allow = app.values.get("uwsgi_allow_ips")
            entries = _split_list(allow.value) if allow is not None and allow.known else None
            if entries is None or "*" not in entries:
                continue  # gunicorn refuses uwsgi requests from other addresses
        for listener in exposed:
            port = listener.address.port
            route = remote.get(id(listener))
            used = local.get(id(listener))
            if used is not None:
                host = "[::1]" if used.host in ("::1", "ip6-localhost") else "127.0.0.1"
            else:
                host = "[::1]" if listener.address.host == "::" else "127.0.0.1"
            if app.kind == "uwsgi":
                where = Location.of(listener.source, app.path)
                message = (
                    f"{listener.option} = {listener.address.raw} speaks uwsgi on every interface: "
                    f"whoever reaches port {port} can make uWSGI run any code (UWSGI_FILE)"
                )
                loopback = f"{listener.option} = {host}:{port}"
                related: tuple[Related, ...] = ()
            else:
                assert allow is not None
                where = Location.of(allow.source, app.path)
                message = (
                    f"gunicorn's uwsgi bind {listener.address} with uwsgi_allow_ips "
                    f"{value_text(allow)}: whoever reaches port {port} bypasses nginx and sets any "
                    "uwsgi variable"
                )
                loopback = f"bind = '{host}:{port}'"
                related = (_listener_related(app, listener),)
            assert where is not None
            if app.container is not None and route is None:
                # in a container, every interface is how other containers reach it: what counts
                # is whether the port is published on the host's interfaces
                yield _in_container(app, listener, where, message, related)
                continue
            if route is not None:
                message += f"; nginx needs it beyond loopback ({route.target.raw})"
                yield Finding(
                    location=where,
                    message=message,
                    related=(*related, _route_related(route)),
                    fix=_private_port(app, listener),
                    severity=Severity.INFO,
                )
                continue
            if app.launcher is not None:
                setting = "bind" if app.kind == "gunicorn" else listener.option
                current = (
                    app.values.get("bind")
                    if app.kind == "gunicorn"
                    else _uwsgi_option(app, listener)
                    if app.kind == "uwsgi"
                    else None
                )
                value = f"'{host}:{port}'" if app.kind == "gunicorn" else f"{host}:{port}"
                loopback_in = set_in(app, setting, value, current)
            else:
                loopback_in = f"{loopback} in {app.path}"
            if used is not None:
                loopback_in += f" (nginx already connects to {host}:{port})"
            if app.kind == "uwsgi":
                local_fix = f"listen on loopback only: {loopback_in}, or use a unix socket"
            else:
                local_fix = (
                    f"listen on loopback only: {loopback_in}, and drop uwsgi_allow_ips = '*' (the "
                    "default accepts 127.0.0.1 and ::1)"
                )
            if used is not None:
                fix = local_fix
            else:
                # where nginx runs is not known: a container's app must keep listening on
                # every interface, so the advice that works everywhere comes first
                fix = (
                    f"{_private_port(app, listener)}; or, with nginx on the same host, {local_fix}"
                )
            yield Finding(location=where, message=message, related=related, fix=fix)


def _private_port(app: AppServer, listener: Listener) -> str:
    """GW404's fix that keeps an app reachable by nginx from another host or container."""
    port = listener.address.port
    fix = f"keep port {port} on a network shared only with nginx, never published"
    if app.kind == "gunicorn":
        return (
            f"{fix}, or list nginx's exact address in uwsgi_allow_ips instead of '*' (it takes "
            "addresses, not networks)"
        )
    if app.kind == "uwsgi":
        instead = _swap_socket(app, listener, "http-socket")
        fix += (
            f", or serve HTTP there ({instead}) and proxy_pass to it: HTTP carries no uwsgi "
            "variables"
        )
    return fix


def _in_container(
    app: AppServer,
    listener: Listener,
    where: Location,
    message: str,
    related: tuple[Related, ...],
) -> Finding:
    """GW404 for an app in a container: a warning when the port is published on every
    interface of the host, else info (it must listen beyond loopback for other containers)."""
    port = listener.address.port
    public = [
        place for host, published, place in app.published if published == port and host is None
    ]
    private = [place for host, published, place in app.published if published == port and host]
    if public:
        return Finding(
            location=where,
            message=f"{message}; {public[0]} publishes port {port} on every interface of the host",
            related=(*related, _container_related(app, where)),
            fix=f'publish port {port} on 127.0.0.1 only ("127.0.0.1:{port}:{port}"), or not '
            "at all if only nginx, in another container, connects to it",
        )
    published = (
        f"published on the host's loopback only ({private[0]})"
        if private
        else ("published by nothing gwlint read")
    )
    return Finding(
        location=where,
        message=f"{message}; in a container, port {port} is {published}",
        related=(*related, _container_related(app, where)),
        fix=_private_port(app, listener),
        severity=Severity.INFO,
    )


def _container_related(app: AppServer, where: Location) -> Related:
    """The app's container, at the launcher that starts it there (else at the finding)."""
    if app.launcher is not None:
        where = Location(path=app.path, line=app.launcher_line or 1)
    return Related(
        location=where,
        message=f"it runs in a container ({app.container}), where every interface is how other "
        "containers reach it",
    )


# --- GW405 -------------------------------------------------------------------------------------

# users nginx's workers run as when nginx.conf does not say: the compiled-in default of the
# common builds (nginx.org packages, Alpine, RHEL: nginx; source builds: nobody), Debian's
# nginx.conf (www-data), Arch (http)
NGINX_PACKAGE_USERS = frozenset({"nginx", "nobody", "www-data", "http"})
TYPICAL_UMASK = 0o022


class _Socket(NamedTuple):
    """What gwlint knows of a unix socket file the app creates."""

    mode: int
    how: str  # where the mode comes from: "chmod-socket = 660", "umask 022 assumed"
    owner: str | None  # user name or number; None = whoever starts the app
    group: str | None
    by_chown: bool  # uWSGI chown-socket sets the owner
    related: tuple[Related, ...]


def _octal(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text or any(c not in "01234567" for c in text):
        return None
    return int(text, 8)


def _same_account(a: str, b: str) -> bool | None:
    """Are two user (or group) names the same account? None when one is a number and the
    other a name: only the target machine knows."""
    a, b = a.strip(), b.strip()
    if a == b or {a, b} == {"0", "root"}:
        return True
    if a.isdigit() != b.isdigit():
        return None
    return False


def _uwsgi_socket(app: UwsgiServer) -> _Socket | None:
    """Mode and owner of uWSGI's unix sockets. Without chown-socket uWSGI switches to uid/gid
    before it binds (core/uwsgi.c); with it, it binds as root and chowns afterwards."""
    chmod, umask_option = app.last("chmod-socket"), app.last("umask")
    if app.flag("master-as-root").value is not False:
        return None  # sockets are bound as root before the workers drop privileges
    if chmod is not None:
        text = (chmod.value or "").strip().lower()
        if chmod.value is None:
            return None
        if text in ("", "1", "true", "yes", "on"):
            mode, how = 0o666, f"chmod-socket = {chmod.raw} means 666"
        elif len(text) == 3 and (parsed := _octal(text)) is not None:
            mode, how = parsed, f"chmod-socket = {chmod.raw}"
        else:
            return None  # uWSGI refuses to start ("invalid chmod value")
    elif umask_option is not None:
        umask = _octal(umask_option.value)
        if umask is None:
            return None
        mode, how = 0o777 & ~umask, f"umask = {umask_option.raw}"
    else:
        mode, how = 0o777 & ~TYPICAL_UMASK, "umask 022 assumed"
    chown = app.last("chown-socket")
    uid, gid = app.last("uid"), app.last("gid")
    owner = group = None
    by_chown = False
    used: list[Sourced[str]] = [o for o in (chmod, umask_option) if o is not None]
    if chown is not None and chown.value:
        user_part, _, group_part = chown.value.partition(":")
        owner, group, by_chown = user_part.strip() or None, group_part.strip() or None, True
        used.append(chown)
    else:
        if uid is not None and uid.value:
            owner = uid.value.strip()
            used.append(uid)
        if gid is not None and gid.value:
            group = gid.value.strip()
            used.append(gid)
    related = [
        found
        for option in used
        if option.source.in_file and (found := _uwsgi_option_related(option, app)) is not None
    ]
    return _Socket(
        mode=mode,
        how=how,
        owner=owner,
        group=group,
        by_chown=by_chown,
        related=tuple(related),
    )


def _uwsgi_option_related(option: Sourced[str], app: UwsgiServer) -> Related | None:
    for name, occurrences in app.options.items():
        if occurrences and occurrences[-1] is option:
            location = Location.of(option.source, app.path)
            if location is None:
                return None
            return Related(location=location, message=shown(app, option, name))
    return None


def _gunicorn_socket(app: GunicornServer) -> _Socket | None:
    """gunicorn binds with os.umask(umask) (0 by default: mode 0777) and chowns the socket to
    its user/group (sock.py)."""
    umask = app.values.get("umask")
    if umask is None or not isinstance(umask.value, int):
        return None
    user, group = app.settings.get("user"), app.settings.get("group")
    related = [*text_related(app, umask, "umask")]
    owner = None
    if user is not None and user.known and user.value not in (None, ""):
        owner = str(user.value)
        related += text_related(app, user, "user")
    group_name = None
    if group is not None and group.known and group.value not in (None, ""):
        group_name = str(group.value)
        related += text_related(app, group, "group")
    return _Socket(
        mode=0o777 & ~umask.value,
        how=f"umask = {umask.raw}",
        owner=owner,
        group=group_name,
        by_chown=False,
        related=tuple(related),
    )


def _nginx_user(dep: Deployment) -> tuple[str | None, str | None, Sourced[str] | None]:
    """(user, group, where) nginx's workers run as; Nones when nginx.conf does not say (then the
    build's default applies: nginx, nobody, www-data...)."""
    assert dep.nginx is not None
    user = dep.nginx.main.get("user")
    if user is None or not user.known or not user.value:
        return None, None, None
    group = user.value  # "user www-data;": the group of the same name
    for directive in dep.nginx.named(("user",)):
        if directive.context == () and len(directive.args) > 1:
            group = directive.args[1]
    return user.value, group, user


def _denied(sock: _Socket, nginx_user: str | None, nginx_group: str | None) -> bool:
    """True only when nginx's workers certainly may not write to the socket."""
    if sock.mode & 0o002 or sock.owner is None:
        return False
    if nginx_user is None:
        same_owner = None if sock.owner in NGINX_PACKAGE_USERS else False
    else:
        same_owner = _same_account(sock.owner, nginx_user)
    if same_owner is not False and sock.mode & 0o200:
        return False  # nginx may be the owner
    if sock.mode & 0o020:
        if sock.group is None or nginx_group is None:
            return False  # the group may be nginx's
        if _same_account(sock.group, nginx_group) is not False:
            return False
    return True


@rule(
    code="GW405",
    name="unix-socket-not-writable-by-nginx",
    title="nginx's user may not connect to the app's unix socket",
    severity=Severity.WARNING,
)
def gw405(dep: Deployment) -> Iterator[Finding]:
    if dep.nginx is None:
        return
    nginx_user, nginx_group, user_value = _nginx_user(dep)
    if user_value is None:
        nginx_text = "nginx's default user (www-data or nginx)"
    else:
        nginx_text = f"nginx's user {nginx_user} {user_value.where()}"
    seen: set[tuple[str, int, int]] = set()
    for link in dep.route_app_links():
        app, listener, server = link.app, link.listener, link.server
        if listener.address.kind != "unix":
            continue
        key = (server.source.path or "", server.source.line or 0, id(listener))
        if key in seen:
            continue
        seen.add(key)
        if app.kind == "uvicorn":
            continue  # uvicorn --uds chmods its socket to 0666 (server.py): anyone may connect
        if app.kind == "daphne" or app.kind == "granian" or app.kind == "hypercorn":
            continue  # their socket's mode is not read yet
        sock = _uwsgi_socket(app) if app.kind == "uwsgi" else _gunicorn_socket(app)
        if sock is None:
            continue
        name = "uWSGI" if app.kind == "uwsgi" else "gunicorn"
        created = f"{name} makes it {sock.mode:04o} ({sock.how})"
        if not _denied(sock, nginx_user, nginx_group):
            continue  # includes an owner that is not known: whoever starts the app
        assert sock.owner is not None
        owned = f"owned by {sock.owner}" + (f":{sock.group}" if sock.group else "")
        upstream = link.route.target.upstream
        via = f"upstream {upstream} server" if upstream else link.route.pass_directive.name
        location = Location.of(server.source)
        assert location is not None
        related = [_listener_related(app, listener), *sock.related]
        if user_value is not None and (where := Location.of(user_value.source)) is not None:
            related.append(Related(location=where, message=f"user {user_value.raw}"))
        yield Finding(
            location=location,
            message=(
                f"{via} {server.address}: {created}, {owned}; {nginx_text} may not write to it: "
                "502 (13: Permission denied)"
            ),
            related=tuple(related),
            fix=_socket_fix(app, sock, nginx_group),
        )


def _socket_fix(app: GunicornServer | UwsgiServer, sock: _Socket, nginx_group: str | None) -> str:
    group = nginx_group or "www-data"
    group_ok = sock.group is not None and nginx_group is not None and sock.group == nginx_group
    if app.launcher is not None:
        return _launched_socket_fix(app, sock, group, group_ok)
    if app.kind == "gunicorn":
        if group_ok:
            return (
                f"set umask = 0o007 in {app.path} (recommended: group {group} may then connect, "
                "others may not), or remove umask (gunicorn's default 0 gives mode 0777)"
            )
        return (
            f"set group = '{group}' and umask = 0o007 in {app.path} (recommended: only nginx's "
            "group may connect), or remove umask (gunicorn's default 0 gives mode 0777)"
        )
    if group_ok:
        return (
            f"set chmod-socket = 660 in {app.path} (recommended: group {group} may then "
            "connect, others may not), or chmod-socket = 666 (any local user may)"
        )
    if sock.by_chown:
        return (
            f"set chown-socket = {sock.owner}:{group} and chmod-socket = 660 in {app.path} "
            "(recommended: only nginx's group may connect), or chmod-socket = 666 (any local "
            "user may)"
        )
    return (
        f"set gid = {group} and chmod-socket = 660 in {app.path} (recommended: only nginx's "
        "group may connect), or chmod-socket = 666 (any local user may)"
    )


def _launched_socket_fix(
    app: GunicornServer | UwsgiServer, sock: _Socket, group: str, group_ok: bool
) -> str:
    """_socket_fix's advice for an app a launcher starts: each setting where it goes."""
    changes: list[tuple[str, str]]
    if app.kind == "gunicorn":
        changes = [("umask", "0o007")] if group_ok else [("group", repr(group)), ("umask", "0o007")]
        done = combined([set_in(app, name, value, app.values.get(name)) for name, value in changes])
        why = (
            "group {group} may then connect, others may not"
            if group_ok
            else ("only nginx's group may connect")
        )
        return (
            f"{done} (recommended: {why.format(group=group)}), or remove umask "
            "(gunicorn's default 0 gives mode 0777)"
        )
    if group_ok:
        changes = [("chmod-socket", "660")]
    elif sock.by_chown:
        changes = [("chown-socket", f"{sock.owner}:{group}"), ("chmod-socket", "660")]
    else:
        changes = [("gid", group), ("chmod-socket", "660")]
    done = combined([set_in(app, name, value, app.last(name)) for name, value in changes])
    why = (
        f"group {group} may then connect, others may not"
        if group_ok
        else ("only nginx's group may connect")
    )
    return f"{done} (recommended: {why}), or chmod-socket = 666 (any local user may)"


# --- GW406 -------------------------------------------------------------------------------------


def _tls(app: AppServer, listener: Listener) -> bool | None:
    """Does the app speak TLS on this listener? None when that is not known."""
    if app.kind == "gunicorn":
        # gunicorn's is_ssl: certfile or keyfile
        files = [app.values.get("certfile"), app.values.get("keyfile")]
        if any(value is None or not value.known for value in files):
            return None
        return any(bool(value.value) for value in files if value is not None)
    if app.kind == "uvicorn":
        # config.load(): TLS whenever --ssl-certfile is given (a PEM with the key in it needs
        # no --ssl-keyfile; a keyfile alone makes uvicorn stop at start)
        certfile = app.values.get("ssl_certfile")
        if certfile is None or not certfile.known:
            return None
        return bool(certfile.value)
    return listener.tls


@rule(
    code="GW406",
    name="proxy-pass-scheme-mismatch",
    title="proxy_pass https:// to an app without TLS, or http:// to one with TLS",
    severity=Severity.ERROR,
)
def gw406(dep: Deployment) -> Iterator[Finding]:
    for link in dep.route_app_links():
        app, route, listener = link.app, link.route, link.listener
        if route.protocol != "http" or not link.same_protocol:
            continue
        scheme = route.target.scheme or "http"
        tls = _tls(app, listener)
        if tls is None or (scheme == "https") == tls:
            continue
        location = Location.of(route.pass_directive.source)
        assert location is not None
        # the same target with the other scheme
        rest = route.target.raw[len(route.target.scheme) + 3 :] if route.target.scheme else ""
        address = rest or listener.address.for_nginx()
        if scheme == "https":
            message = (
                f"proxy_pass {route.target.raw} opens TLS, but {_app_listener(app, listener)} "
                "speaks plain HTTP: the TLS handshake fails ('wrong version number'): 502 for "
                "every request"
            )
            if app.kind == "gunicorn":
                other = f"give gunicorn certfile and keyfile in {app.path}"
                if app.launcher is not None:
                    other = (
                        f"give gunicorn --certfile and --keyfile (in {_app_name(app)}, or "
                        "certfile and keyfile in its config file)"
                    )
            elif app.kind == "uvicorn":
                other = f"give uvicorn --ssl-certfile and --ssl-keyfile in {_app_name(app)}"
            else:
                other = f"serve TLS there with https-socket in {app.path}"
            fix = (
                f"use proxy_pass http://{address} (recommended: TLS ends at nginx, the hop to "
                f"the app stays on a private network), or {other}"
            )
        else:
            if app.kind == "gunicorn":
                app_log = "gunicorn drops it ('[SSL: HTTP_REQUEST] http request')"
                other = f"remove certfile and keyfile from {app.path}"
                if app.launcher is not None:
                    other = _remove_all(app, ("certfile", "keyfile"))
            elif app.kind == "uvicorn":
                app_log = "uvicorn drops it, logging nothing"
                other = _remove_all(app, ("ssl_certfile", "ssl_keyfile"))
            else:
                app_log = "uWSGI drops it after a failed handshake"
                other = f"serve plain HTTP there with http-socket in {app.path}"
            message = (
                f"proxy_pass {route.target.raw} speaks plain HTTP, but "
                f"{_app_listener(app, listener)} expects TLS: {app_log}: 502 for every request"
            )
            fix = (
                f"use proxy_pass https://{address} (TLS to the app), or {other} (recommended "
                "when nginx and the app share a host or a private network)"
            )
        yield Finding(
            location=location,
            message=message,
            related=(_listener_related(app, listener),),
            fix=fix,
        )


def _remove_all(app: GunicornServer | UvicornServer, names: tuple[str, ...]) -> str:
    """``remove --ssl-certfile a.pem and --ssl-keyfile b.pem from the command in Procfile:1``:
    the settings that are set, in one phrase when they share a command line."""
    found = [
        (name, value)
        for name in names
        if (value := app.values.get(name)) is not None and value.value
    ]
    first = found[0][1] if found else None
    lines = {(value.source.path, value.source.line, value.source.note) for _, value in found}
    if first is not None and len(lines) == 1 and first.source.path == app.path:
        words = " and ".join(shown(app, value, name) for name, value in found)
        return f"remove {words} from the command in {app.path}:{first.source.line}"
    return " and ".join(remove_from(app, name, value) for name, value in found)


# --- GW407 / GW408 -----------------------------------------------------------------------------


def _unread_includes(dep: Deployment) -> bool:
    """An include gwlint could not read may set a resolver anywhere."""
    assert dep.nginx is not None
    return "include" in dep.nginx.positions


def _named_host(route: Route) -> UpstreamServer | None:
    """The one server of a route that names a host (not an upstream group, not an address)."""
    from gwlint.model.address import is_ip

    target = route.target
    if target.dynamic or target.upstream is not None or len(target.servers) != 1:
        return None
    server = target.servers[0]
    address = server.address
    if address.kind != "tcp" or not address.host or is_ip(address.host):
        return None
    return server


def _compose_host(dep: Deployment, host: str) -> bool:
    """Is ``host`` the name of a compose service, which Docker's embedded DNS (127.0.0.11)
    resolves for the other containers of the project?"""
    apps = [app for app in dep.apps if app.container is not None]
    if any(
        (app.container or "").startswith("compose service")
        and any(name == host for name, _port, _to in app.hosts)
        for app in apps
    ):
        return True
    # another container of the deployment (not an app gwlint read): compose when every app in a
    # container is a compose service
    return (
        host in dep.known_hosts
        and bool(apps)
        and all((app.container or "").startswith("compose service") for app in apps)
    )


def _resolver(dep: Deployment, host: str) -> str:
    """The resolver to add, for nginx to look ``host`` up at run time."""
    if _compose_host(dep, host):
        return "resolver 127.0.0.11 valid=10s; (Docker's DNS, for compose services)"
    return "a resolver with your DNS server's address (the nameserver in nginx's /etc/resolv.conf)"


def _upstream_name(dep: Deployment, host: str) -> str:
    """A name for a new ``upstream {}`` standing for ``host``: never the host itself (nginx then
    refuses ``host:port`` elsewhere: 'upstream "web" may not have port 8000'), nor the name of an
    upstream or a host the config already uses."""
    assert dep.nginx is not None
    taken = {name.lower() for name in dep.nginx.upstreams}
    taken |= {
        (server.address.host or "").lower()
        for route in dep.nginx.routes
        for server in route.target.servers
    }
    label = "".join(c if c.isalnum() or c == "_" else "_" for c in host.split(".")[0]) or "app"
    base = label if label.endswith("_app") else f"{label}_app"
    name, number = base, 1
    while name.lower() in taken:
        number += 1
        name = f"{base}{number}"
    return name


@rule(
    code="GW407",
    name="pass-with-variables-without-resolver",
    title="a proxy_pass with variables names a host, and no resolver is set",
    severity=Severity.ERROR,
)
def gw407(dep: Deployment) -> Iterator[Finding]:
    if dep.nginx is None or _unread_includes(dep):
        return
    # hosts of proxy_pass without variables: nginx resolved them at start and finds them at
    # request time among its upstreams (same host, same port)
    resolved = {
        ((server.address.host or "").lower(), server.address.port)
        for route in dep.routes
        if not route.target.variables
        for server in route.target.servers
        if route.target.upstream is None and server.address.kind == "tcp"
    }
    for route in dep.routes:
        server = _named_host(route)
        if server is None or not route.target.variables or route.resolver is not None:
            continue
        address = server.address
        host = address.host or ""
        if (host, address.port) in resolved:
            continue
        location = Location.of(route.pass_directive.source)
        assert location is not None
        directive = route.pass_directive.name
        local = host in ("localhost", "ip6-localhost")
        message = (
            f"{directive} {route.target.raw} has variables, so nginx resolves {host} per request"
            + (" (not from /etc/hosts)" if local else "")
            + f" and no resolver is set here: 502 ('no resolver defined to resolve {host}')"
        )
        if local:
            loopback = "127.0.0.1" if host == "localhost" else "[::1]"
            fix = f"write {loopback} instead of {host} (an address needs no resolver)"
        else:
            name = _upstream_name(dep, host)
            fix = (
                f"add {_resolver(dep, host)} to the server or http block: recommended, it keeps "
                f"the per-request lookup the variables imply; or define upstream {name} "
                f"{{ server {address}; }} and write {name} instead of {address} in {directive} "
                "(resolved once at start)"
            )
        yield Finding(location=location, message=message, fix=fix)


RESOLVE_IN_OSS: tuple[int, int, int] = (1, 27, 3)  # upstream "server ... resolve" in nginx OSS


def _resolve_fix(dep: Deployment, routes: list[Route], host: str, address: str) -> str:
    """GW408's fix: follow the name's changes (an upstream server marked resolve, nginx >=
    1.27.3), or resolve per request, or reload."""
    first = routes[0]
    directive = first.pass_directive.name
    scheme = f"{first.target.scheme}://" if first.target.scheme else ""
    uri = first.target.uri or ""
    every = f"each {directive} naming {address}" if len(routes) > 1 else directive
    resolver = _resolver(dep, host)
    if dep.facts.nginx_version >= RESOLVE_IN_OSS:
        name = _upstream_name(dep, host)
        return (
            f"if the app's address can change: add upstream {name} {{ zone {name} 64k; server "
            f"{address} resolve; }} and {resolver} in http {{}}, and write {name} instead of "
            f"{address} in {every} ({directive} {scheme}{name}{uri};)"
        )
    if len(routes) == 1 and not uri and directive in ("proxy_pass", "uwsgi_pass"):
        variable = "$" + _upstream_name(dep, host).removesuffix("_app") + "_host"
        return (
            f"if the app's address can change: resolve it per request, with {resolver} in "
            f"http {{}} and set {variable} {address}; {directive} {scheme}{variable}; (or "
            "reload nginx when it moves; upstream ... resolve needs nginx >= 1.27.3)"
        )
    return (
        "if the app's address can change: reload nginx when it moves (nginx >= 1.27.3 can "
        "follow it: an upstream server marked resolve)"
    )


@rule(
    code="GW408",
    name="pass-host-resolved-once",
    title="proxy_pass to a host name: nginx resolves it only at start",
    severity=Severity.INFO,
)
def gw408(dep: Deployment) -> Iterator[Finding]:
    if dep.nginx is None:
        return
    groups: dict[tuple[str, int | None], list[Route]] = {}
    for route in dep.routes:
        server = _named_host(route)
        if server is None or route.target.variables or server.address.is_loopback:
            continue
        if dep.nginx.fragment and ":" not in server.address.raw:
            continue  # http://name in a fragment: an upstream of the file that includes it
        key = ((server.address.host or "").lower(), server.address.port)
        groups.setdefault(key, []).append(route)
    for routes in groups.values():
        first = routes[0]
        location = Location.of(first.pass_directive.source)
        assert location is not None
        server = first.target.servers[0]
        host = server.address.host or ""
        address = str(server.address)  # as written in the config
        directive = first.pass_directive.name
        message = (
            f"{directive} {first.target.raw}: nginx resolves {host} only at start: if the app "
            "moves, 502 or 504 until a reload; if the name does not resolve, nginx does not start"
        )
        fix = _resolve_fix(dep, routes, host, address)
        yield Finding(
            location=location,
            message=message,
            related=tuple(_routes_related(routes[1:])),
            fix=fix,
        )


# --- GW409 -------------------------------------------------------------------------------------

# gunicorn's own HTTP parser (forwarded_allow_ips gates secure_scheme_headers); gevent_pywsgi and
# tornado parse requests with their own servers
GUNICORN_PARSER_WORKERS = frozenset({"sync", "gthread", "gevent", "eventlet", "asgi"})
UVICORN_PROXY_HEADERS = ("x-forwarded-proto", "x-forwarded-for")
UVICORN_DEFAULT_TRUSTED = ("127.0.0.1", "::1")  # uvicorn 0.54 config.py, without the variable


def _allow_list(app: GunicornServer) -> tuple[list[str], str, Related] | None:
    """forwarded_allow_ips as it takes effect: entries, how to quote it, where it comes from.
    Its default reads $FORWARDED_ALLOW_IPS where gunicorn runs (given here with --env)."""
    value = app.values.get("forwarded_allow_ips")
    if value is None or not value.known:
        return None
    entries = _split_list(value.value)
    label = f"({value.source.default_of} default)" if value.is_default else value.where()
    text = f"{value_text(value)} {label}"
    where = app_location(app, value)
    if value.is_default and app.launcher is None:
        message = (
            f"forwarded_allow_ips is not set: the {value.source.label()} {value.raw} applies "
            "(unless FORWARDED_ALLOW_IPS or --forwarded-allow-ips sets it where gunicorn runs)"
        )
    elif value.is_default:
        message = (
            f"forwarded_allow_ips is not set by the command ({app.launcher}): the "
            f"{value.source.label()} {value.raw} applies (unless FORWARDED_ALLOW_IPS is set "
            "where gunicorn runs)"
        )
    else:
        message = shown(app, value, "forwarded_allow_ips")
    related = Related(location=where, message=message)
    if entries is None:
        return None
    return entries, text, related


def _uvicorn_allow_list(
    app: UvicornServer, env: dict[str, str]
) -> tuple[list[str], str, Related] | None:
    """uvicorn's --forwarded-allow-ips as it takes effect: not given, it is $FORWARDED_ALLOW_IPS
    or '127.0.0.1,::1' (config.py)."""
    value = app.values.get("forwarded_allow_ips")
    if value is None or not value.known:
        return None
    where = app_location(app, value)
    if value.value is not None:
        entries = _split_list(value.value)
        text = f"{value_text(value)} {value.where()}"
        message = shown(app, value, "forwarded_allow_ips")
    elif "FORWARDED_ALLOW_IPS" in env:
        entries = _split_list(env["FORWARDED_ALLOW_IPS"])
        text = f"{env['FORWARDED_ALLOW_IPS']} (--env FORWARDED_ALLOW_IPS)"
        message = (
            f"--forwarded-allow-ips is not given ({app.launcher}): uvicorn reads "
            f"$FORWARDED_ALLOW_IPS, {env['FORWARDED_ALLOW_IPS']} (--env)"
        )
    else:
        entries = list(UVICORN_DEFAULT_TRUSTED)
        text = f"{','.join(entries)} ({value.source.default_of} default)"
        unless = f"; {value.source.note}" if value.source.note else ""
        message = (
            f"--forwarded-allow-ips is not given ({app.launcher}): uvicorn trusts "
            f"{','.join(entries)} (unless FORWARDED_ALLOW_IPS is set where it runs{unless})"
        )
    if entries is None:
        return None
    return entries, text, Related(location=where, message=message)


def _trusted(peer: str, entries: list[str]) -> bool | None:
    """Is a peer address in the allow list (addresses and networks)? None when an entry is not
    an address (a host name gunicorn would reject anyway)."""
    import ipaddress

    if "*" in entries:
        return True
    address = ipaddress.ip_address(peer)
    for entry in entries:
        try:
            if "/" in entry:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            elif address == ipaddress.ip_address(entry):
                return True
        except ValueError:
            return None
    return False


def _peers(server: UpstreamServer, listener: Listener) -> list[str] | None:
    """The source addresses nginx's connections come from, as the app sees them; None for
    another host's address (not known, never loopback)."""
    target, bound = server.address, listener.address
    if target.host == "localhost":
        v4 = bound.host in ("", "0.0.0.0", "*", "127.0.0.1", "localhost", "::")
        v6 = bound.host in ("::1", "::", "ip6-localhost")
        return [peer for peer, ok in (("127.0.0.1", v4), ("::1", v6)) if ok]
    if target.host == "ip6-localhost":
        return ["::1"]
    if target.is_loopback:
        return [target.host or ""]
    return None


def _scheme_matters(dep: Deployment, header: Sourced[str]) -> bool:
    """Would a trusted X-Forwarded-Proto change anything? Not when it carries $scheme and nginx
    only speaks plain HTTP to its clients: it is always "http" then (a load balancer in front
    that ends TLS needs $http_x_forwarded_proto, which does matter)."""
    value = (header.value or "").strip().lower()
    if value == "http":
        return False
    if value != "$scheme":
        return True
    assert dep.nginx is not None
    return any(
        (directive.name == "listen" and any(arg in ("ssl", "quic") for arg in directive.args))
        or directive.name == "ssl_certificate"
        for directive in dep.nginx.named(("listen", "ssl_certificate"))
    )


@rule(
    code="GW409",
    name="forwarded-headers-not-trusted",
    title="nginx sets X-Forwarded-Proto, but the app server does not trust nginx's address",
    severity=Severity.WARNING,
)
def gw409(dep: Deployment) -> Iterator[Finding]:

    if dep.nginx is None:
        return
    reported: set[tuple[int, str, int, str]] = set()
    for link in dep.route_app_links():
        app, route, listener = link.app, link.route, link.listener
        if app.kind == "uwsgi" or route.protocol != "http" or not link.same_protocol:
            continue
        if app.kind == "daphne" or app.kind == "granian" or app.kind == "hypercorn":
            continue  # their proxy-header handling is not judged yet
        peers: list[str] | None = None
        # uvicorn's ProxyHeadersMiddleware: uvicorn on its own, or gunicorn's UvicornWorker
        kind = "uvicorn" if app.kind == "uvicorn" else app.worker_kind
        if kind == "uvicorn":
            names = list(UVICORN_PROXY_HEADERS)
        elif app.kind == "gunicorn" and kind in GUNICORN_PARSER_WORKERS:
            schemes = app.values.get("secure_scheme_headers")
            if schemes is None or not isinstance(schemes.value, dict):
                continue
            names = [str(name).lower() for name in schemes.value]
        else:
            continue  # tornado, gevent_pywsgi, custom workers: their own header handling
        sent = [
            (name, route.headers[name])
            for name in names
            if name in route.headers
            and route.headers[name].known
            and (name == "x-forwarded-for" or _scheme_matters(dep, route.headers[name]))
        ]
        if not sent:
            continue
        who = "uvicorn" if app.kind == "uvicorn" else "uvicorn's worker"
        allowed = (
            _uvicorn_allow_list(app, dep.facts.env) if app.kind == "uvicorn" else _allow_list(app)
        )
        distrust: str | None = None
        if allowed is not None:
            entries, allow_text, allow_related = allowed
            distrust, peers = _distrust(link, kind == "uvicorn", who, entries, allow_text)
        disabled = _proxy_headers_off(app)
        if disabled is not None:
            allow_related = disabled[1]
            trust = f"uvicorn runs with {disabled[0]}, which ignores them from anyone"
        elif allowed is None or distrust is None:
            continue
        else:
            trust = distrust
        header_name, header = sent[0]
        key = (id(app), header.source.path or "", header.source.line or 0, header_name)
        if key in reported:
            continue
        reported.add(key)
        titles = "/".join(_header_title(name) for name, _ in sent).replace("/X-Forwarded-", "/")
        sent_names = {name for name, _ in sent}
        if sent_names == {"x-forwarded-proto", "x-forwarded-for"}:
            effect = "the app sees http and nginx's address"
        elif sent_names == {"x-forwarded-for"}:
            effect = "the app sees nginx's address"
        else:
            effect = "the app sees http"
        location = Location.of(header.source)
        assert location is not None
        ignores = who if kind == "uvicorn" else "gunicorn"
        message = f"{ignores} ignores {titles} set here: {trust}; {effect}"
        yield Finding(
            location=location,
            message=message,
            related=(allow_related, _route_related(route)),
            fix=_trust_fix(app, listener, peers, disabled is not None, distrust is not None),
        )


def _proxy_headers_off(app: AppServer) -> tuple[str, Related] | None:
    """uvicorn --no-proxy-headers: X-Forwarded-* is never applied. (How it is written, where.)"""
    if app.kind != "uvicorn":
        return None
    value = app.values.get("proxy_headers")
    if value is None or value.value is not False:
        return None
    written = shown(app, value, "proxy_headers")
    return written, Related(location=app_location(app, value), message=written)


def _distrust(
    link: Link, uvicorn: bool, who: str, entries: list[str], allow_text: str
) -> tuple[str | None, list[str] | None]:
    """Why the app does not trust nginx's connections (None: it does, or gwlint cannot tell),
    and the loopback addresses nginx connects from (None: another host's, or a unix socket)."""
    from gwlint.model.address import is_ip

    listener = link.listener
    name = "--forwarded-allow-ips" if who == "uvicorn" else "forwarded_allow_ips"
    if "*" in entries:
        return None, None
    if listener.address.kind == "unix":
        if not uvicorn:
            return None, None  # gunicorn trusts unix sockets unconditionally
        return f"on a unix socket only {name} '*' trusts nginx (here {allow_text})", None
    if listener.address.kind != "tcp":
        return None, None
    peers = _peers(link.server, listener)
    if peers is None:
        if any(not _is_loopback_entry(entry) for entry in entries):
            return None, None  # another address is listed: it may be nginx's
        source = (
            "not loopback" if is_ip(link.server.address.host or "") else "another host or container"
        )
        return f"nginx ({link.server.address}, {source}) is not in {name} {allow_text}", None
    verdicts = [_trusted(peer, entries) for peer in peers]
    if None in verdicts or all(verdicts):
        return None, peers
    untrusted = [peer for peer, ok in zip(peers, verdicts, strict=True) if not ok]
    return (
        f"nginx connects to {link.server.address} from {' and '.join(untrusted)}, not in {name} "
        f"{allow_text}"
    ), peers


def _trust_fix(
    app: AppServer, listener: Listener, peers: list[str] | None, off: bool, untrusted: bool
) -> str:
    current = app.values.get("forwarded_allow_ips") if app.kind != "uwsgi" else None
    if app.kind == "uvicorn" and off:
        drop = remove_from(app, "proxy_headers", app.values["proxy_headers"])
        fix = f"{drop} (uvicorn applies X-Forwarded-* by default)"
        if untrusted:
            fix += f" and {_trust_fix(app, listener, peers, False, True)}"
        return fix
    plain = app.launcher is None
    if listener.address.kind == "unix":
        return (
            f"{set_in(app, 'forwarded_allow_ips', repr('*'), current)} (only local users can "
            "reach a unix socket)"
        )
    if peers is None:
        if plain:
            return (
                f"set forwarded_allow_ips to nginx's address or network in {app.path} (e.g. "
                "'172.16.0.0/12' for Docker's default networks; recommended), or '*' if only "
                "nginx can reach gunicorn's port"
            )
        return (
            f"{set_in(app, 'forwarded_allow_ips', repr('172.16.0.0/12'), current)} (nginx's "
            "address or network, Docker's default networks here; recommended), or '*' if only "
            f"nginx can reach {app.kind}'s port"
        )
    return set_in(app, "forwarded_allow_ips", repr("127.0.0.1,::1"), current)


def _is_loopback_entry(entry: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_network(entry, strict=False).is_loopback
    except ValueError:
        return False


def _header_title(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


# --- GW410 -------------------------------------------------------------------------------------

V4_LOCAL = frozenset({"", "0.0.0.0", "*", "127.0.0.1", "localhost", "::"})
V6_LOCAL = frozenset({"::1", "::", "ip6-localhost"})


@rule(
    code="GW410",
    name="localhost-target-one-loopback",
    title="nginx connects to localhost, the app listens on one loopback address only",
    severity=Severity.INFO,
)
def gw410(dep: Deployment) -> Iterator[Finding]:
    if not dep.apps or any(app.listeners_unknown for app in dep.apps):
        return
    listeners = [(app, listener) for app in dep.apps for listener in app.listeners]
    seen: set[tuple[str, int]] = set()
    for link in dep.links:
        server, route = link.server, link.route
        address = server.address
        if not link.certain or address.kind != "tcp" or address.host != "localhost":
            continue
        key = (server.source.path or "", server.source.line or 0)
        if key in seen:
            continue
        seen.add(key)
        on_port = [
            (app, listener)
            for app, listener in listeners
            if listener.address.kind == "tcp" and listener.address.port == address.port
        ]
        v4 = any(listener.address.host in V4_LOCAL for _, listener in on_port)
        v6 = any(listener.address.host in V6_LOCAL for _, listener in on_port)
        if v4 == v6:
            continue
        app, listener = link.app, link.listener
        refused = f"[::1]:{address.port}" if v4 else f"127.0.0.1:{address.port}"
        working = f"127.0.0.1:{address.port}" if v4 else f"[::1]:{address.port}"
        upstream = route.target.upstream
        via = f"upstream {upstream} server" if upstream else route.pass_directive.name
        tries = route.next_upstream_tries.value
        retries = route.next_upstream.value
        no_retry = (retries is not None and "error" not in retries.split()) or tries == 1
        if no_retry:
            outcome = "no retry here: those get 502"
            severity: Severity | None = Severity.WARNING
        else:
            outcome = "nginx retries the other one"
            severity = None
        location = Location.of(server.source)
        assert location is not None
        yield Finding(
            location=location,
            message=(
                f"{via} {address}: nginx tries every address /etc/hosts gives localhost, but "
                f"{app.kind} listens on {listener.address} only: {refused}, if listed, is "
                f"refused; {outcome}"
            ),
            related=(_listener_related(app, listener),),
            fix=f"point {via} at {working} instead of localhost",
            severity=severity,
        )


_ANY_HOST = frozenset({"", "*", "0.0.0.0", "::"})


def _same_socket(a: Address, b: Address) -> bool:
    """Would binding both fail with 'Address already in use' on one host?"""
    if a.kind == "unix" and b.kind == "unix":
        return bool(a.path) and a.path == b.path
    if a.kind != "tcp" or b.kind != "tcp" or a.port is None or a.port != b.port:
        return False
    hosts = {a.host or "", b.host or ""}
    loopback = {"localhost": "127.0.0.1"}
    if hosts & _ANY_HOST:
        # an IPv4 wildcard and an IPv6 address (or the reverse) may coexist
        other = (hosts - _ANY_HOST) or {""}
        v6 = any(":" in h for h in other) or "::" in hosts
        v4 = any(":" not in h for h in other if h) or hosts & {"", "*", "0.0.0.0"}
        return not (v6 and v4 and "::" not in hosts)
    return len({loopback.get(h, h) for h in hosts}) == 1


@rule(
    code="GW707",
    name="app-binds-nginx-address",
    title="the app binds the address nginx listens on, in the same container or host",
    severity=Severity.ERROR,
)
def gw707(dep: Deployment) -> Iterator[Finding]:
    if dep.nginx is None:
        return
    targets = sorted(
        {
            str(server.address)
            for route in dep.nginx.routes
            for server in route.target.servers
            if server.address.kind in ("tcp", "unix")
        }
    )
    for app in dep.apps:
        if app.beside_nginx is None:
            continue
        for listener in app.listeners:
            clash = next(
                (ln for ln in dep.nginx.listens if _same_socket(ln.address, listener.address)),
                None,
            )
            if clash is None:
                continue
            nginx_side = (
                clash.source.label()
                if not clash.source.is_default
                else f"*:80, a server without listen: {clash.source.label()}"
            )
            named = next((t for t in targets if t != str(listener.address)), None)
            free = named or "127.0.0.1:8000"
            why_there = "the address proxy_pass names" if named else "and point proxy_pass there"
            where = Location.of(listener.source, app.path)
            assert where is not None
            yield Finding(
                location=where,
                message=(
                    f"{app.kind} ({app.launcher or app.path}) binds {listener.address}, where "
                    f"nginx listens too ({nginx_side}), and {app.beside_nginx} starts nginx "
                    "beside it: whichever starts second cannot bind and exits"
                ),
                related=(
                    *(
                        (Related(nginx_at, f"nginx: listen {clash.address}"),)
                        if (nginx_at := Location.of(clash.source)) is not None
                        else ()
                    ),
                    Related(
                        Location(
                            path=app.beside_nginx.rpartition(":")[0],
                            line=int(app.beside_nginx.rpartition(":")[2] or 1),
                        ),
                        "nginx is started here",
                    ),
                ),
                fix=(
                    f"bind {app.kind} to {free} ({why_there}) instead of "
                    f"{listener.address}, in {where.path}:{where.line}"
                ),
            )


RULES = (gw401, gw402, gw403, gw404, gw405, gw406, gw407, gw408, gw409, gw410, gw707)
