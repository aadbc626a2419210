"""The cross-file rules for Apache httpd and Caddy in front of the app (``model.front``).

The rules keep their codes whatever the proxy: GW101 is the timeout order, GW201 the keep-alive
race, GW401 the wrong address, GW402 the protocol mismatch. Each rule's check calls the function
of this module that reads Apache's or Caddy's routes, so one code covers every pair; a pair for
which a rule has no meaning (Caddy waits for the response without a limit by default: no timeout
order to keep) stays quiet.

What each proxy does, from its source, is in ``OUTCOMES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from gwlint.model.diagnostics import Finding, Location, Related, Severity
from gwlint.model.units import UNLIMITED_MS, format_ms
from gwlint.rules.text import above, app_related, set_in, set_plan

if TYPE_CHECKING:
    from gwlint.model.appserver import AppServer, GunicornServer, Listener
    from gwlint.model.deployment import Deployment, FrontLink
    from gwlint.model.front import FrontRoute, FrontSetting
    from gwlint.model.source import Sourced


class Outcomes(NamedTuple):
    """What the proxy answers, and logs, when the app fails in each way."""

    refused: str  # no app listens at the address
    timeout: int  # the status of the proxy's own answer when its wait for the response ends


OUTCOMES: dict[str, Outcomes] = {
    # httpd 2.4.62 modules/proxy/mod_proxy_http.c: a backend it cannot connect to is AH01114 and
    # 503 (2051-2058; proxy_util.c:3923 logs AH00957 first); a response header that does not come
    # in time is AH01102 with (70007) and 502 "Error reading from remote server" (1110-1121,
    # 1193-1194; observed in the lab, gw101-apache-inverse); a connection closed before the
    # status line is AH01102 and 502, or, on a client connection that already served requests,
    # a close without an answer (1122-1175: "to trigger a retry by the client")
    "apache": Outcomes(
        refused="Apache httpd answers 503 (AH01114: failed to make connection to backend)",
        timeout=502,
    ),
    # Caddy: an upstream it cannot dial, or a connection that breaks (EOF), is 502; a timeout
    # 504 (reverseproxy.go statusError; observed in the lab, gw101-caddy-inverse, gw201-caddy)
    "caddy": Outcomes(
        refused="Caddy answers 502 (dial tcp ...: connect: connection refused)", timeout=504
    ),
}


def _at(setting: FrontSetting | None, route: FrontRoute) -> Location:
    """Where the setting is written, else the route's directive."""
    if setting is not None:
        location = Location.of(setting.value.source)
        if location is not None:
            return location
    location = Location.of(route.source)
    assert location is not None
    return location


def _used_by(route: FrontRoute) -> Related:
    location = Location.of(route.source)
    assert location is not None
    return Related(location=location, message=f"used by {route.describe()}")


def _value(setting: FrontSetting) -> str:
    """``ProxyTimeout 60s (Apache httpd 2.4 default)``."""
    value = setting.value
    assert value.value is not None
    shown = format_ms(value.value)
    return f"{setting.name} {shown} {value.where()}"


def _grouped(links: Iterator[FrontLink]) -> list[list[FrontLink]]:
    """One finding per (app, proxy directive): a site with several routes to one app through
    one ProxyPass line is one place to fix."""
    groups: dict[tuple[int, str, int], list[FrontLink]] = {}
    for link in links:
        source = link.route.source
        groups.setdefault((id(link.app), source.path or "", source.line or 0), []).append(link)
    return list(groups.values())


# --- GW101: the app's request timeout against the proxy's wait ---------------------------------


def front_gw101(dep: Deployment, status_after_kill: str) -> Iterator[Finding]:
    """gunicorn's worker timeout is not longer than Apache's ``timeout=``/``ProxyTimeout``/
    ``Timeout`` or Caddy's ``response_header_timeout``/``read_timeout``. Caddy without either
    waits without a limit: with the sync worker, gunicorn's timeout is then the only deadline
    (an info, the fix being Caddy's setting)."""

    def candidates() -> Iterator[FrontLink]:
        for link in dep.front_app_links():
            app, read = link.app, link.route.read_timeout
            if app.kind != "gunicorn" or not link.same_protocol:
                continue
            timeout = app.timeout
            if app.worker_kind in (None, "custom") or timeout.value is None:
                continue
            if timeout.value <= 0:
                continue
            if read is None:
                if link.route.kind == "caddy" and app.worker_kind == "sync":
                    yield link  # no limit on Caddy's side: gunicorn's kill is the only one
                continue
            if read.value.value is None or read.value.value >= UNLIMITED_MS:
                continue  # a wait beyond any the proxy has (a huge timeout=): nothing to order
            if timeout.value * 1000 <= read.value.value:
                yield link

    for links in _grouped(candidates()):
        link = links[0]
        app, route = link.app, link.route
        assert app.kind == "gunicorn"
        read = route.read_timeout
        if read is None:
            yield _caddy_without_limit(app, links, status_after_kill)
            continue
        assert read.value.value is not None
        timeout = app.timeout
        assert timeout.value is not None
        proxy = route.server_label
        own = OUTCOMES[route.kind].timeout  # the proxy's own answer when it gives up
        sign = "=" if timeout.value * 1000 == read.value.value else "<"
        read_s = read.value.value / 1000
        suggested = above(read_s)
        if app.worker_kind == "sync":
            severity = None
            if sign == "=":
                consequence = (
                    f"at {timeout.value} s the kill (WORKER TIMEOUT, {status_after_kill}) races "
                    f"{proxy}'s own timeout ({own})"
                )
            else:
                consequence = (
                    f"a request running {timeout.value} s is killed (WORKER TIMEOUT) and "
                    f"{status_after_kill}, not {proxy}'s own {own}"
                )
            lower = max(1, timeout.value - 5) if timeout.value > 5 else max(1, timeout.value - 1)
            fix = (
                f"{set_in(app, 'timeout', suggested, timeout)} (more than {read.name} "
                f"{format_ms(read.value.value)}), so {proxy} gives up first ({own}) and the "
                f"worker lives on, gunicorn's timeout a watchdog; or {_lower(route, read, lower)} "
                "if requests must not run that long"
            )
        else:
            severity = Severity.INFO
            consequence = (
                f"just a heartbeat for the {app.worker_kind} worker: one blocked "
                f"{timeout.value} s is killed"
            )
            fix = (
                "nothing is needed for long requests; to keep the usual order, "
                f"{set_in(app, 'timeout', suggested, timeout)} (more than {read.name} "
                f"{format_ms(read.value.value)})"
            )
        if read.value.is_default:
            severity = Severity.INFO  # nobody told the proxy to wait longer
        message = (
            f"gunicorn timeout {timeout.value}s {timeout.where()} {sign} {proxy}'s "
            f"{_value(read)}: {consequence}"
        )
        yield Finding(
            location=_at(read, route),
            message=message,
            related=(
                *app_related(app, timeout, "timeout"),
                *([_used_by(route)] if read.value.source.in_file else []),
                *(_used_by(item.route) for item in links[1:4]),
            ),
            fix=fix,
            severity=severity,
            plan=set_plan(app, "timeout", suggested, timeout),
        )


def _caddy_without_limit(
    app: GunicornServer, links: list[FrontLink], status_after_kill: str
) -> Finding:
    """Caddy waits for the response without a limit (its default): gunicorn's sync timeout is
    the only deadline, so every slow request is killed and answered by gunicorn."""
    route = links[0].route
    timeout = app.timeout
    assert timeout.value is not None
    below = max(1, timeout.value - 5) if timeout.value > 5 else max(1, timeout.value - 1)
    return Finding(
        location=_at(None, route),
        message=(
            f"Caddy waits for the app without a limit (no response_header_timeout): gunicorn "
            f"timeout {timeout.value}s {timeout.where()} is the only deadline; a slow request is "
            f"killed (WORKER TIMEOUT) and {status_after_kill}"
        ),
        related=(
            *app_related(app, timeout, "timeout"),
            *(_used_by(item.route) for item in links[1:4]),
        ),
        fix=(
            f"set response_header_timeout {below}s in reverse_proxy's transport http {{}} at "
            f"{route.source.label()} (below gunicorn's timeout), so Caddy answers 504 and the "
            "worker lives on"
        ),
        severity=Severity.INFO,
    )


def _lower(route: FrontRoute, read: FrontSetting, seconds: int) -> str:
    """How to make the proxy wait ``seconds`` (below the app's timeout)."""
    if route.kind == "apache":
        if read.name.startswith("timeout="):
            return f"set timeout={seconds} on {route.directive} at {read.value.source.label()}"
        where = (
            f"at {read.value.source.label()}"
            if read.value.source.in_file
            else f"in {route.site or 'the server config'}"
        )
        return f"set ProxyTimeout {seconds} {where}"
    where = f"at {read.value.source.label()}" if read.value.source.in_file else ""
    return f"set {read.name} {seconds}s in reverse_proxy's transport http {{}} {where}".rstrip()


# --- GW201: the keep-alive race ------------------------------------------------------------------


def front_gw201(dep: Deployment) -> Iterator[Finding]:
    """The proxy reuses an idle connection to the app for longer than the app keeps it open."""
    from gwlint.rules.keepalive import idle_limit_of

    def candidates() -> Iterator[FrontLink]:
        for link in dep.front_app_links():
            route = link.route
            if route.protocol != "http" or not link.same_protocol or not route.reuse.value:
                continue
            if route.raw.lower().startswith(("ws://", "wss://")):
                continue  # WebSocket tunnels: an upgraded connection is never reused
            idle = idle_limit_of(link.app, link.listener)
            proxy_idle = route.idle_timeout
            if idle is None or idle.value.value is None or proxy_idle is None:
                continue
            if proxy_idle.value.value is None:
                continue
            if idle.value.value * 1000 <= proxy_idle.value.value:
                yield link

    for links in _grouped(candidates()):
        link = links[0]
        app, route = link.app, link.route
        idle = idle_limit_of(app, link.listener)
        assert idle is not None
        assert idle.value.value is not None
        proxy_idle = route.idle_timeout
        assert proxy_idle is not None
        assert proxy_idle.value.value is not None
        proxy = route.server_label
        limit = proxy_idle.value.value
        # a ttl= written where it does nothing (mpm_prefork keeps no connection pool)
        ineffective = limit >= UNLIMITED_MS and proxy_idle.value.source.in_file
        if ineffective:
            kept = (
                f"no limit: {proxy_idle.name.split('=')[0]}={proxy_idle.value.raw} does nothing"
                + (
                    " under mpm_prefork"
                    if "prefork" in (proxy_idle.value.source.note or "")
                    else ""
                )
            )
        elif limit >= UNLIMITED_MS:
            kept = f"no limit: {route.directive} without ttl="
        else:
            kept = _value(proxy_idle)
        message = (
            f"{idle.what} {idle.value.value}s {idle.value.where()} <= {proxy}'s reuse of idle "
            f"connections ({kept}): requests sent as the app closes one fail with 502"
        )
        fix = _keepalive_fix(route, app, idle.setting, idle.value.value, limit, idle.value)
        if ineffective:
            fix = (
                f"add disablereuse=On to {route.directive} {route.raw} at "
                f"{route.source.label()} (a new connection per request), or run the event or "
                "worker MPM, whose connection pool applies ttl="
            )
        related = [*idle.related(app)]
        if proxy_idle.value.source.in_file:
            related.append(_used_by(route))
        related.extend(_used_by(item.route) for item in links[1:4])
        yield Finding(
            location=_at(proxy_idle, route),
            message=message,
            related=tuple(related),
            fix=fix,
        )


def _keepalive_fix(
    route: FrontRoute,
    app: AppServer,
    setting: str | None,
    app_idle: int,
    proxy_limit: int,
    current: Sourced[Any],
) -> str:
    where = route.source.label()
    if route.kind == "apache":
        if app_idle >= 2:
            return (
                f"add ttl={app_idle - 1} to {route.directive} {route.raw} at {where} (below the "
                f"app's {app_idle} s, so Apache httpd stops reusing a connection before the app "
                "closes it); or disablereuse=On (a new connection per request)"
            )
        if setting is None:
            return (
                f"add disablereuse=On to {route.directive} {route.raw} at {where} (the app "
                f"closes idle connections after {app_idle} s)"
            )
        return (
            f"{set_in(app, setting, 5, current)} and add ttl=2 to {route.directive} "
            f"{route.raw} at {where}; or disablereuse=On (a new connection per request)"
        )
    below = max(app_idle * 1000 // 2, 500)
    proxy_side = (
        f"set keepalive {format_ms(below)} in reverse_proxy's transport http {{}} at {where} "
        f"(below the app's {app_idle} s)"
    )
    if setting is None or proxy_limit >= UNLIMITED_MS:
        return proxy_side
    app_side = (
        f"{set_in(app, setting, above(proxy_limit / 1000), current)} (more than Caddy's "
        f"keepalive {format_ms(proxy_limit)})"
    )
    return f"{app_side}; or {proxy_side}"


# --- GW401: no app at the address ----------------------------------------------------------------


def front_gw401(dep: Deployment) -> Iterator[Finding]:
    """A route of Apache httpd or Caddy to an address none of the deployment's apps listens on."""
    from gwlint.model.address import Match, is_ip
    from gwlint.model.deployment import reach
    from gwlint.rules.protocol import _app_name, _bind_at, _listener_related, _listener_text

    front = dep.front
    if front is None or not dep.apps or any(app.listeners_unknown for app in dep.apps):
        return
    listeners = [(app, listener) for app in dep.apps for listener in app.listeners]
    if not listeners:
        return
    ports = {listener.address.port for _, listener in listeners}
    reported: set[tuple[str, int, str]] = set()
    for route in front.routes:
        if route.protocol not in ("http", "uwsgi") or route.unknown is not None:
            continue
        bound = [
            server
            for server in route.servers
            if any(
                reach(server.address, app, lst, dep.foreign_hosts) is not Match.NO
                for app, lst in listeners
            )
        ]
        for server in route.servers:
            if server in bound or dep.elsewhere(server.address):
                continue
            address = server.address
            host = address.host or ""
            named = address.kind == "tcp" and not is_ip(host) and host != "localhost"
            ours = any(name == host for app, _ in listeners for name, _p, _t in app.hosts)
            if named and address.port not in ports and not ours:
                continue  # a host name on a port no app uses: another service, not a typo
            key = (server.source.path or "", server.source.line or 0, str(address))
            if key in reported:
                continue
            reported.add(key)
            same = [(a, lst) for a, lst in listeners if lst.protocol == route.protocol]
            app, listener = (same or listeners)[0]
            outcome = OUTCOMES[route.kind].refused
            if route.kind == "caddy" and address.kind == "unix":
                outcome = "Caddy answers 502 (dial unix: no such file or directory)"
            others = bool(bound)
            more = len(listeners) - 1
            listed = _listener_text(app, listener) + (f" and {more} more" if more else "")
            if others:
                outcome = f"that member fails ({outcome}); the others take its requests"
            fix = (
                f"point {route.directive} at {_front_target(route, listener)}, or "
                f"make {_app_name(app)} listen on {_bind_at(app, listener, address)}"
            )
            shown = route.raw if str(address) in route.raw else f"{route.raw} ({address})"
            if address.kind == "unix":
                shown = route.raw
            message = (
                f"{route.directive} {shown}: no app server listens there ({listed}): {outcome}"
            )
            if address.kind == "tcp" and address.port == 0:
                # uwsgi:// has no default port where httpd connects (proxy_util.c:3238-3240)
                message = (
                    f"{route.directive} {route.raw} has no port: httpd connects to port 0, where "
                    f"no app listens ({listed}): {outcome}"
                )
                fix = f"write the app's port: {_front_target(route, listener)}"
            location = Location.of(server.source)
            assert location is not None
            yield Finding(
                location=location,
                message=message,
                related=(_listener_related(app, listener),),
                fix=fix,
                severity=Severity.WARNING if others else None,
            )


def _app_label(app: AppServer) -> str:
    return "uWSGI" if app.kind == "uwsgi" else app.kind


def _front_target(route: FrontRoute, listener: Listener) -> str:
    """The app's address as the proxy writes a target."""
    address = listener.address
    if route.kind == "apache":
        scheme = "uwsgi" if route.protocol == "uwsgi" else "http"
        if address.kind == "unix":
            return f"unix:{address.path}|{scheme}://localhost/"
        return f"{scheme}://{address.for_nginx()}/"
    if address.kind == "unix":
        return f"unix/{address.path}"
    return address.for_nginx()


# --- GW402 and GW403: the protocol the proxy speaks is not the app's -----------------------------


def front_mismatch(dep: Deployment, spoken: str) -> Iterator[Finding]:
    """``spoken`` "uwsgi" (GW402): Apache's uwsgi:// to an HTTP listener; "http" (GW403): http://
    (Apache, Caddy) to a uWSGI socket."""
    from gwlint.rules.protocol import _listener_related

    seen: set[tuple[str, int, int]] = set()
    for link in dep.front_links:
        if not link.certain or link.same_protocol:
            continue
        route, app, listener = link.route, link.app, link.listener
        if route.protocol != spoken or listener.protocol not in ("http", "uwsgi"):
            continue
        if any(
            other.route is route and other.app is app and other.same_protocol
            for other in dep.front_links
        ):
            continue  # the app also listens in the route's protocol on that address
        key = (route.source.path or "", route.source.line or 0, id(app))
        if key in seen:
            continue
        seen.add(key)
        proxy = route.server_label
        if route.protocol == "uwsgi":
            speaks, hears = "uwsgi", "HTTP"
            result = f"the app rejects the binary packet (400) or closes: {proxy} answers 502"
            scheme_fix = f"use http:// in {route.directive} (the app speaks HTTP there)"
        else:
            speaks, hears = "HTTP", "uwsgi"
            if app.kind == "gunicorn":  # protocol = "uwsgi" (gunicorn >= 24)
                result = "gunicorn answers 500 ('Unsupported uWSGI modifier1: 71')"
            else:
                result = f"uWSGI closes it (invalid request block size): {proxy} answers 502"
            scheme_fix = (
                f"use uwsgi:// in {route.directive} (mod_proxy_uwsgi)"
                if route.kind == "apache"
                else f"make {_app_label(app)} listen in HTTP (http-socket; Caddy speaks no uwsgi)"
            )
        location = Location.of(route.source)
        assert location is not None
        yield Finding(
            location=location,
            message=(
                f"{route.directive} {route.raw} speaks {speaks} to {_app_label(app)}'s "
                f"{listener.option} {listener.address}, which speaks {hears}: {result}"
            ),
            related=(_listener_related(app, listener),),
            fix=scheme_fix,
        )
