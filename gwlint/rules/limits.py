"""GW5xx: buffers, sizes and limits."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from gwlint.fixes.plan import Plan, RemoveNginx, SetApp
from gwlint.model.diagnostics import Finding, Location, Related, Severity
from gwlint.model.units import format_size, uwsgi_number
from gwlint.model.uwsgi_options import UWSGI_OPTIONS
from gwlint.model.versions import Version
from gwlint.rules.base import rule
from gwlint.rules.text import (
    app_location,
    app_related,
    remove_from,
    remove_plan,
    set_in,
    set_plan,
    shown,
    value_text,
)

if TYPE_CHECKING:
    from gwlint.model.appserver import AppServer, UwsgiServer
    from gwlint.model.deployment import Deployment, Link
    from gwlint.model.nginx import Route
    from gwlint.model.source import Sourced


NUMERIC_KINDS = frozenset({"int", "u64", "u16", "mb"})
_PLAIN = re.compile(r"^\s*[-+]?\d+\s*$")
_WITH_UNIT = re.compile(r"^\s*(\d{1,18}(?:\.\d{1,18})?)\s*([a-zA-Z]+)\s*$")  # no float("9" * 400)
_STARTS_WITH_NUMBER = re.compile(r"^\s*[-+]?\d")
_TRAILING_TEXT = re.compile(r"^\s*[-+]?\d+\s+\S")  # "32768 ; 32 KiB": a would-be comment

BYTE_UNITS = {"b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2}
BYTE_UNITS |= {"mib": 1024**2, "g": 1024**3, "gb": 1024**3, "gib": 1024**3}
SECOND_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
MEGABYTE_UNITS = {"m": 1, "mb": 1, "mib": 1, "g": 1024, "gb": 1024, "gib": 1024}
COUNT_UNITS = {"k": 1000}

# the log lines and statuses are on the rule's page; {then}: what nginx makes of it, when the app
# is behind one of the nginx configs checked, else said conditionally
CONSEQUENCES = {
    "buffer-size": "requests over {n} bytes are refused{then}",
    "limit-post": "request bodies over {n} bytes are refused{then}",
    "post-buffering": "request bodies over {n} bytes are buffered to disk",
    "harakiri": "requests running over {n} s are killed{then}",
}


def _unit_table(name: str, kind: str) -> tuple[dict[str, int], str]:
    if kind == "mb":
        return MEGABYTE_UNITS, "MB"
    if "harakiri" in name or name.endswith(("timeout", "mercy")) or "lifetime" in name:
        return SECOND_UNITS, "s"
    if any(part in name for part in ("buffer", "size", "post", "sndbuf", "rcvbuf")):
        return BYTE_UNITS, "bytes"
    return COUNT_UNITS, ""


def intended(name: str, kind: str, text: str) -> tuple[int | None, str]:
    """What ``32k`` most likely meant for this option (32768 bytes), and the unit uWSGI uses."""
    units, unit = _unit_table(name, kind)
    found = _WITH_UNIT.match(text)
    if not found:
        return None, unit
    scale = units.get(found.group(2).lower()) or units.get(found.group(2))
    if scale is None:
        return None, unit
    return int(float(found.group(1)) * scale), unit


@rule(
    code="GW506",
    name="uwsgi-number-with-unit",
    title="uWSGI number written with a unit suffix",
    severity=Severity.ERROR,
)
def gw506(dep: Deployment) -> Iterator[Finding]:
    proxied = {id(link.app) for link in dep.route_app_links()}
    for app in dep.apps:
        if app.kind != "uwsgi":
            continue
        then = ", and nginx answers 502" if id(app) in proxied else " (502 behind nginx)"
        for name, occurrences in app.options.items():
            kind = UWSGI_OPTIONS.get(name)
            if kind not in NUMERIC_KINDS:
                continue
            assert kind is not None
            occurrence = occurrences[-1]  # a scalar: the last one is what uWSGI uses
            text = occurrence.value
            if text is None or _PLAIN.match(text) or not _STARTS_WITH_NUMBER.match(text):
                continue  # not a number at all (a template, a typo): not a unit suffix
            location = Location.of(occurrence.source)
            assert location is not None
            read_as = uwsgi_number(text)
            written = f"{occurrence.raw} (= {text})" if occurrence.raw != text else text
            if _TRAILING_TEXT.match(text):
                yield Finding(
                    location=location,
                    message=(
                        f"{name} = {written} is read as {read_as}: uWSGI ini lines have no "
                        "inline comments, and this works only because the number comes first"
                    ),
                    fix=(
                        "move the comment to a line of its own: "
                        f"{_spell(app, name, occurrence, read_as)}"
                    ),
                    severity=Severity.INFO,
                )
                continue
            meant, unit = intended(name, kind, text)
            unit_text = f" {unit}" if unit else ""
            if meant is not None and meant == read_as:
                yield Finding(
                    location=location,
                    message=(
                        f"{name} = {written} works only by luck: uWSGI numbers take no unit "
                        f"suffix and this is read as {read_as}{unit_text}, which is what was "
                        "meant"
                    ),
                    fix=f"write {_spell(app, name, occurrence, read_as)}",
                    severity=Severity.INFO,
                    plan=_number_plan(app, name, occurrence, read_as),
                )
                continue
            consequence = CONSEQUENCES.get(name, "").format(n=read_as, then=then)
            message = (
                f"{name} = {written} is read by uWSGI as {read_as}{unit_text}: numbers take no "
                "unit suffix"
            )
            if meant is not None:
                message += f" (meant {meant}{unit_text})"
            if consequence:
                message += f"; {consequence}"
            fix = (
                f"write {_spell(app, name, occurrence, meant)}"
                if meant is not None
                else f"write {name} as a plain number"
            )
            yield Finding(
                location=location,
                message=message,
                fix=fix,
                plan=_number_plan(app, name, occurrence, meant) if meant is not None else None,
            )


def _number_plan(app: UwsgiServer, name: str, occurrence: Sourced[str], value: int) -> Plan | None:
    """The number written as uWSGI reads it, where it is written (not through a placeholder)."""
    if occurrence.raw != occurrence.value:
        return None
    return Plan(
        changes=(SetApp(app, name, value, occurrence),),
        safe=True,
        description=f"write {_spell(app, name, occurrence, value)}",
    )


def _spell(app: UwsgiServer, name: str, occurrence: Sourced[str], value: int) -> str:
    """``buffer-size = 32768`` in an ini, ``--buffer-size 32768`` on a launcher's command line."""
    if app.launcher is not None and occurrence.source.path == app.path:
        return f"--{name} {value}"
    return f"{name} = {value}"


def _where(app: AppServer, value: Sourced[Any]) -> str:
    """The file a written value is in (the config file or launcher to change it in)."""
    if value.source.path is not None and not value.is_default:
        return value.source.path
    return app.config_file or app.path


# --- shared by GW501-GW508 ---------------------------------------------------------------------

MAX_ALSO = 4
UWSGI_PACKET_MAX = 65535  # the uwsgi packet's size field has 16 bits
# before 2.1, buffer-size itself has 16 bits: larger values are read as 65535 (core/uwsgi.c)
UWSGI_64BIT_BUFFER_SIZE: Version = (2, 1, 0)
HTTP_SOCKETS = frozenset({"http-socket", "http11-socket", "https-socket"})
GUNICORN_MAX_REQUEST_LINE = 8190  # limit_request_line values above are capped (message.py)
GUNICORN_DEFAULT_FIELD_SIZE = 8190  # limit_request_field_size 0 means this (27.0)
CRLF = 2
PAGE_SIZE = 4096  # proxy_buffer_size default: one memory page, 4k (x86-64) or 8k by platform


def _plain_number(app: UwsgiServer, name: str) -> bool:
    """Set as a plain number, or not set: a value with a unit suffix is GW506's finding."""
    occurrence = app.last(name)
    return occurrence is None or (
        occurrence.value is not None and bool(_PLAIN.match(occurrence.value))
    )


def _grouped(links: Iterable[Link], value_of: Callable[[Route], Sourced[Any]]) -> list[list[Link]]:
    """Links by (app, place the nginx value comes from): one finding per place to fix."""
    groups: dict[tuple[int, str, int, str], list[Link]] = {}
    for link in links:
        source = value_of(link.route).source
        key = (id(link.app), source.path or "", source.line or 0, source.default_of or "")
        groups.setdefault(key, []).append(link)
    return list(groups.values())


def _route_location(route: Route) -> Location:
    location = Location.of(route.pass_directive.source)
    assert location is not None
    return location


def _primary(links: list[Link], value: Sourced[Any]) -> tuple[Location, tuple[Related, ...]]:
    """The nginx directive when it is written, else the first route's pass directive; the
    other routes it applies to as related locations."""
    first = links[0].route
    also = [
        Related(
            location=_route_location(link.route), message=f"also applies to {link.route.describe()}"
        )
        for link in links[1:]
    ]
    if len(also) > MAX_ALSO:
        last = also[MAX_ALSO - 1]
        also[MAX_ALSO - 1] = Related(
            location=last.location, message=f"{last.message} (and {len(also) - MAX_ALSO} more)"
        )
    also = also[:MAX_ALSO]
    if value.source.in_file:
        location = Location.of(value.source)
        assert location is not None
        uses = Related(location=_route_location(first), message=f"used by {first.describe()}")
        return location, (uses, *also)
    return _route_location(first), tuple(also)


def _nginx_value(value: Sourced[Any], name: str) -> str:
    return f"{name} {value.raw} {value.where()}"


# --- GW501 -------------------------------------------------------------------------------------


def _admitted(link: Link) -> int | None:
    """The request header bytes nginx accepts on this route, as the app has to read them."""
    pair = link.route.large_client_header_buffers.value
    if pair is None:
        return None
    number, size = pair
    total = number * size
    return min(total, UWSGI_PACKET_MAX) if link.listener.protocol == "uwsgi" else total


def _buffer_read_as(dep: Deployment, value: int) -> int:
    """The buffer uWSGI really has for ``buffer-size = value``: at most 65535 before 2.1."""
    return min(value, UWSGI_PACKET_MAX) if _buffer_is_16_bits(dep) else value


def _buffer_is_16_bits(dep: Deployment) -> bool:
    return dep.facts.uwsgi_version < UWSGI_64BIT_BUFFER_SIZE


LINE_BUFFER = 16 * 1024  # a header line nginx still accepts after the fix


def _buffers_within(number: int, size: int, limit: int) -> tuple[int, int]:
    """``large_client_header_buffers`` that accept at most ``limit`` bytes: fewer buffers of the
    same size when two of them fit (``8 16k`` -> ``3 16k``), else 16k buffers (``3 16k``)."""
    if limit // size < 2:
        return limit // LINE_BUFFER, LINE_BUFFER
    return min(number, limit // size), size


@rule(
    code="GW501",
    name="uwsgi-buffer-size-below-nginx-headers",
    title="uWSGI buffer-size is smaller than the request headers nginx accepts",
    severity=Severity.ERROR,
)
def gw501(dep: Deployment) -> Iterator[Finding]:
    def candidates() -> Iterator[Link]:
        for link in dep.route_app_links():
            app, listener = link.app, link.listener
            if app.kind != "uwsgi" or not link.same_protocol:
                continue
            if listener.protocol == "http" and listener.option not in HTTP_SOCKETS:
                continue  # the http router: its own buffers
            buffer, admitted = app.buffer_size.value, _admitted(link)
            if buffer is None or admitted is None or not _plain_number(app, "buffer-size"):
                continue
            if _buffer_read_as(dep, buffer) < admitted:
                yield link

    for links in _grouped(candidates(), lambda route: route.large_client_header_buffers):
        link = links[0]
        app = link.app
        assert app.kind == "uwsgi"
        buffers = link.route.large_client_header_buffers
        admitted = _admitted(link)
        buffer = app.buffer_size
        assert buffers.value is not None
        assert admitted is not None
        assert buffer.value is not None
        read_as = _buffer_read_as(dep, buffer.value)
        number, size = buffers.value
        packet = link.listener.protocol == "uwsgi"
        capped = packet and number * size > UWSGI_PACKET_MAX
        version_cap = read_as < buffer.value
        if version_cap:
            assumed = "" if dep.facts.uwsgi_version_given else " (assumed)"
            label = f"{dep.facts.uwsgi_label}{assumed}"
            ours = f"{buffer.raw} {buffer.where()}, {read_as} in {label},"
        else:
            ours = f"{buffer.raw} {buffer.where()}"
        theirs = _nginx_value(buffers, "large_client_header_buffers")
        theirs += f", {UWSGI_PACKET_MAX} in a uwsgi packet" if capped else ""
        message = (
            f"uWSGI buffer-size {ours} < {theirs}: headers over {read_as} bytes pass nginx and "
            "are refused by uWSGI (502)"
        )
        wanted: Plan | None = None
        if not packet and admitted > UWSGI_PACKET_MAX and _buffer_is_16_bits(dep):
            # uWSGI 2.0 cannot read more: nginx has to refuse the larger headers itself
            fewer, each = _buffers_within(number, size, UWSGI_PACKET_MAX)
            lower = f"{fewer} {format_size(each)}"
            place = (
                f"change large_client_header_buffers {buffers.raw} {buffers.where()} to {lower}"
                if buffers.source.in_file
                else f"add large_client_header_buffers {lower}; to this server"
            )
            fix = f"{place} ({dep.facts.uwsgi_label} reads at most {UWSGI_PACKET_MAX} bytes)"
            if read_as < fewer * each:
                fix = f"{set_in(app, 'buffer-size', UWSGI_PACKET_MAX, buffer)} and {fix}"
        elif capped:
            wanted = set_plan(app, "buffer-size", admitted, buffer)
            fix = (
                f"{set_in(app, 'buffer-size', admitted, buffer)} (the largest uwsgi packet; "
                f"nginx answers 500 'uwsgi request is too big' above it)"
            )
        else:
            wanted = set_plan(app, "buffer-size", admitted, buffer)
            limit = f"; {UWSGI_PACKET_MAX} at most for the uwsgi protocol" if packet else ""
            fix = (
                f"{set_in(app, 'buffer-size', admitted, buffer)} (what nginx accepts with "
                f"large_client_header_buffers {buffers.raw}{limit})"
            )
        location, also = _primary(links, buffers)
        yield Finding(
            location=location,
            message=message,
            related=(*app_related(app, buffer, "buffer-size"), *also),
            fix=fix,
            plan=wanted,
        )


# --- GW502 / GW503 -----------------------------------------------------------------------------


def _adds(route: Route) -> str:
    """``used by location / (...); nginx adds Host, X-Forwarded-For``: the header fields nginx
    adds to what the client sent."""
    added = ["-".join(p.capitalize() for p in name.split("-")) for name in route.headers]
    fields = ", ".join(added) if added else "Host"
    return f"used by {route.describe()}; nginx adds {fields}"


def _gunicorn_http_links(dep: Deployment) -> Iterator[Link]:
    for link in dep.route_app_links():
        if link.app.kind == "gunicorn" and link.route.protocol == "http" and link.same_protocol:
            yield link


@rule(
    code="GW502",
    name="gunicorn-request-line-below-nginx",
    title="gunicorn limit_request_line is shorter than the request lines nginx accepts",
    severity=Severity.WARNING,
)
def gw502(dep: Deployment) -> Iterator[Finding]:
    def candidates() -> Iterator[Link]:
        for link in _gunicorn_http_links(dep):
            app = link.app
            assert app.kind == "gunicorn"
            limit = app.int_value("limit_request_line").value
            pair = link.route.large_client_header_buffers.value
            if limit is None or pair is None or limit == 0:
                continue
            setting, buffers = (
                app.int_value("limit_request_line"),
                link.route.large_client_header_buffers,
            )
            if setting.is_default and not buffers.source.in_file:
                continue  # gunicorn's own default against nginx's: rare URLs, a clean 4xx
            if min(limit, GUNICORN_MAX_REQUEST_LINE) < pair[1] - CRLF:
                yield link

    for links in _grouped(candidates(), lambda route: route.large_client_header_buffers):
        link = links[0]
        app = link.app
        assert app.kind == "gunicorn"
        setting = app.int_value("limit_request_line")
        buffers = link.route.large_client_header_buffers
        assert setting.value is not None
        assert buffers.value is not None
        size = buffers.value[1]
        nginx_line = size - CRLF
        effective = min(setting.value, GUNICORN_MAX_REQUEST_LINE)
        capped = setting.value > GUNICORN_MAX_REQUEST_LINE
        modern = dep.facts.gunicorn_version >= (27, 0, 0)
        status = "414" if modern else "400"
        shown = f"{value_text(setting)} {setting.where()}" + (
            f", capped at {GUNICORN_MAX_REQUEST_LINE}," if capped else ""
        )
        message = (
            f"gunicorn limit_request_line {shown} < "
            f"{_nginx_value(buffers, 'large_client_header_buffers')}: request lines of "
            f"{effective + 1} to {nginx_line} bytes pass nginx and get {status} from gunicorn"
        )
        wanted = set_plan(
            app,
            "limit_request_line",
            nginx_line if nginx_line <= GUNICORN_MAX_REQUEST_LINE else 0,
            setting,
        )
        if nginx_line <= GUNICORN_MAX_REQUEST_LINE:
            fix = (
                f"{set_in(app, 'limit_request_line', nginx_line, setting)} (nginx's own limit; "
                "recommended, nginx then answers 414 itself for longer lines), or 0 for no limit"
            )
        else:
            fix = (
                f"{set_in(app, 'limit_request_line', 0, setting)} (no limit in gunicorn, which "
                f"caps other values at {GUNICORN_MAX_REQUEST_LINE}; nginx's {format_size(size)} "
                "still applies), or lower large_client_header_buffers to 4 8k"
            )
        location, also = _primary(links, buffers)
        yield Finding(
            location=location,
            message=message,
            related=(*app_related(app, setting, "limit_request_line"), *also),
            fix=fix,
            plan=wanted,
        )


@rule(
    code="GW503",
    name="gunicorn-header-limits-below-nginx",
    title="gunicorn's header limits were set below what nginx passes",
    severity=Severity.INFO,
)
def gw503(dep: Deployment) -> Iterator[Finding]:
    status = "431" if dep.facts.gunicorn_version >= (21, 0, 0) else "400"

    def field_size_links() -> Iterator[Link]:
        for link in _gunicorn_http_links(dep):
            app = link.app
            assert app.kind == "gunicorn"
            setting = app.int_value("limit_request_field_size")
            buffers = link.route.large_client_header_buffers
            if setting.value is None or buffers.value is None:
                continue
            if setting.is_default and not buffers.source.in_file:
                continue  # the defaults: 8190 against 8192 with the line end
            gunicorn_max = setting.value or GUNICORN_DEFAULT_FIELD_SIZE
            if gunicorn_max < buffers.value[1] - CRLF:
                yield link

    for links in _grouped(field_size_links(), lambda route: route.large_client_header_buffers):
        link = links[0]
        app = link.app
        assert app.kind == "gunicorn"
        setting = app.int_value("limit_request_field_size")
        buffers = link.route.large_client_header_buffers
        assert setting.value is not None
        assert buffers.value is not None
        gunicorn_max = setting.value or GUNICORN_DEFAULT_FIELD_SIZE
        size = buffers.value[1]
        message = (
            f"gunicorn limit_request_field_size {value_text(setting)} {setting.where()} < "
            f"{_nginx_value(buffers, 'large_client_header_buffers')}: header lines of "
            f"{gunicorn_max - 1} to {size - CRLF} bytes pass nginx and get "
            f"{status} from gunicorn"
        )
        location, also = _primary(links, buffers)
        yield Finding(
            location=location,
            message=message,
            related=(*app_related(app, setting, "limit_request_field_size"), *also),
            fix=f"{set_in(app, 'limit_request_field_size', size, setting)} (a whole nginx buffer)"
            + (
                ", or remove it (gunicorn's default 8190 matches nginx's 8k buffers)"
                if not setting.is_default and size == 8192
                else ""
            ),
            plan=set_plan(app, "limit_request_field_size", size, setting),
        )

    reported: set[int] = set()
    for link in _gunicorn_http_links(dep):
        app = link.app
        assert app.kind == "gunicorn"
        fields = app.int_value("limit_request_fields")
        default = 100
        if id(app) in reported or fields.value is None or fields.is_default:
            continue
        if fields.value == 0 or fields.value >= default:
            continue  # 0 means gunicorn's maximum, 32768
        reported.add(id(app))
        routes = [other.route for other in _gunicorn_http_links(dep) if other.app is app]
        where = app_location(app, fields)
        yield Finding(
            location=where,
            message=(
                f"gunicorn {shown(app, fields, 'limit_request_fields')} is below the default "
                f"{default}: requests with more than {fields.value} header fields get {status} "
                "from gunicorn; nginx passes any number and adds some of its own"
            ),
            related=tuple(
                Related(location=_route_location(route), message=_adds(route))
                for route in routes[:MAX_ALSO]
            ),
            fix=(
                f"{remove_from(app, 'limit_request_fields', fields)} (gunicorn's default {default})"
            ),
            plan=remove_plan(app, "limit_request_fields", fields),
        )


# --- GW504 -------------------------------------------------------------------------------------


@rule(
    code="GW504",
    name="response-header-buffer-below-a-page",
    title="proxy_buffer_size (or uwsgi_buffer_size) set below one memory page",
    severity=Severity.INFO,
)
def gw504(dep: Deployment) -> Iterator[Finding]:
    groups: dict[tuple[str, int], list[Route]] = {}
    for route in dep.routes:
        size = route.buffer_size
        if size.value is None or not size.source.in_file or size.value >= PAGE_SIZE:
            continue
        groups.setdefault((size.source.path or "", size.source.line or 0), []).append(route)
    for routes in groups.values():
        first = routes[0]
        size = first.buffer_size
        assert size.value is not None
        directive = f"{first.module}_buffer_size"
        location = Location.of(size.source)
        assert location is not None
        yield Finding(
            location=location,
            message=(
                f"{directive} {size.raw} {size.where()} is below one memory page (4k or 8k, the "
                f"default): responses with over {size.value} bytes of headers (a few Set-Cookie) "
                "get 502 from nginx"
            ),
            related=tuple(
                Related(location=_route_location(route), message=f"used by {route.describe()}")
                for route in routes[:MAX_ALSO]
            ),
            fix=(
                f"remove {directive} (the default is one page, 4k or 8k by platform), or raise it "
                "to 8k if the app sends large headers"
            ),
            plan=Plan(
                changes=(RemoveNginx(directive, size.source),),
                safe=True,
                description=f"remove {directive} {size.raw} ({size.source.label()})",
            ),
        )


# --- GW505 -------------------------------------------------------------------------------------


@rule(
    code="GW505",
    name="uwsgi-limit-post-below-client-max-body-size",
    title="uWSGI limit-post is smaller than nginx's client_max_body_size",
    severity=Severity.WARNING,
)
def gw505(dep: Deployment) -> Iterator[Finding]:
    def candidates() -> Iterator[Link]:
        for link in dep.route_app_links():
            app = link.app
            if app.kind != "uwsgi" or not link.same_protocol:
                continue
            limit = app.number("limit-post").value
            body = link.route.client_max_body_size.value
            if limit is None or body is None or limit <= 0:
                continue
            if not _plain_number(app, "limit-post"):
                continue  # "1M" is 1 byte: GW506 says so
            if body == 0 or limit < body:
                yield link

    for links in _grouped(candidates(), lambda route: route.client_max_body_size):
        link = links[0]
        app = link.app
        assert app.kind == "uwsgi"
        limit = app.number("limit-post")
        body = link.route.client_max_body_size
        assert limit.value is not None
        assert body.value is not None
        if body.value == 0:
            band = f"bodies over {limit.value} bytes"
            nginx_side = f"{_nginx_value(body, 'client_max_body_size')}, no limit"
        else:
            band = f"bodies of {limit.value + 1} to {body.value} bytes"
            nginx_side = _nginx_value(body, "client_max_body_size")
        message = (
            f"uWSGI limit-post {limit.raw} {limit.where()} < {nginx_side}: {band} pass nginx "
            "and are refused by uWSGI: 502 instead of nginx's 413"
        )
        wanted = None
        if body.source.in_file and body.value > 0:
            wanted = set_plan(app, "limit-post", body.value, limit)
            fix = (
                f"{set_in(app, 'limit-post', body.value, limit)} (recommended: "
                f"client_max_body_size {body.raw} was set for uploads that large), or lower "
                "client_max_body_size to "
                f"{format_size(limit.value)} so nginx answers 413"
            )
        else:
            where = (
                f"change client_max_body_size {body.raw} {body.where()} to "
                f"{format_size(limit.value)}"
                if body.source.in_file
                else f"add client_max_body_size {format_size(limit.value)}; to this server"
            )
            fix = (
                f"{where} (recommended: nginx answers 413 and never forwards the body), or "
                f"raise limit-post in {_where(app, limit)}"
            )
        location, also = _primary(links, body)
        yield Finding(
            location=location,
            message=message,
            related=(*app_related(app, limit, "limit-post"), *also),
            fix=fix,
            plan=wanted,
        )


# --- GW507 -------------------------------------------------------------------------------------


@rule(
    code="GW507",
    name="uwsgi-buffer-size-above-packet-limit",
    title="uWSGI buffer-size above 65535: capped by uWSGI 2.0, unused on a uwsgi-protocol socket",
    severity=Severity.INFO,
)
def gw507(dep: Deployment) -> Iterator[Finding]:
    facts = dep.facts
    capped = _buffer_is_16_bits(dep)
    assumed = "" if facts.uwsgi_version_given else "assumed; "
    for app in dep.apps:
        if app.kind != "uwsgi" or not _plain_number(app, "buffer-size"):
            continue
        buffer = app.buffer_size
        if buffer.value is None or buffer.value <= UWSGI_PACKET_MAX or buffer.is_default:
            continue
        http_sockets = [lst for lst in app.listeners if lst.option in HTTP_SOCKETS]
        uwsgi_sockets = [lst for lst in app.listeners if lst.protocol == "uwsgi"]
        location = app_location(app, buffer)
        fix = set_in(app, "buffer-size", UWSGI_PACKET_MAX, buffer)
        if capped:
            read_as = (
                f"buffer-size = {buffer.raw} is read as {UWSGI_PACKET_MAX} by {facts.uwsgi_label} "
                f"({assumed}16 bits before 2.1)"
            )
            if http_sockets:
                socket = http_sockets[0]
                message = (
                    f"{read_as}: on {socket.option} = {socket.address.raw}, requests with over "
                    f"{UWSGI_PACKET_MAX} bytes of headers are refused"
                )
                fix += " (what uWSGI 2.0 uses; larger headers need uWSGI 2.1)"
            else:
                message = (
                    f"{read_as}, the largest uwsgi packet anyway: the larger value changes nothing"
                )
                fix += " (what uWSGI 2.0 uses)"
            yield Finding(
                location=location,
                message=message,
                fix=fix,
                plan=set_plan(app, "buffer-size", UWSGI_PACKET_MAX, buffer),
            )
            continue
        if not uwsgi_sockets or http_sockets:
            continue  # 2.1: an HTTP socket uses the larger buffer
        socket = uwsgi_sockets[0]
        yield Finding(
            location=location,
            message=(
                f"buffer-size = {buffer.raw} is above {UWSGI_PACKET_MAX}, the largest uwsgi "
                f"packet ({socket.option} = {socket.address.raw} speaks the uwsgi protocol): the "
                "extra buffer is never used"
            ),
            fix=f"{fix} (nginx answers 500 to a bigger uwsgi request itself)",
        )


# --- GW508 -------------------------------------------------------------------------------------


@rule(
    code="GW508",
    name="harakiri-with-unbuffered-uploads",
    title="uWSGI harakiri behind a location that does not buffer request bodies",
    severity=Severity.INFO,
)
def gw508(dep: Deployment) -> Iterator[Finding]:
    def candidates() -> Iterator[Link]:
        for link in dep.route_app_links():
            app = link.app
            if app.kind != "uwsgi" or not link.same_protocol:
                continue
            harakiri, buffering = app.harakiri.value, link.route.request_buffering.value
            if harakiri is None or harakiri <= 0 or buffering != "off":
                continue
            if _plain_number(app, "harakiri"):
                yield link

    for links in _grouped(candidates(), lambda route: route.request_buffering):
        link = links[0]
        app = link.app
        assert app.kind == "uwsgi"
        harakiri = app.harakiri
        buffering = link.route.request_buffering
        directive = f"{link.route.module}_request_buffering"
        post_buffering = app.number("post-buffering")
        written = Location.of(post_buffering.source) if post_buffering.value else None
        no_help = (
            (
                Related(
                    location=written,
                    message=f"post-buffering = {post_buffering.raw} does not help: uWSGI arms "
                    "harakiri before it reads the body",
                ),
            )
            if written is not None
            else ()
        )
        message = (
            f"{directive} off {buffering.where()} passes request bodies to uWSGI as they "
            f"arrive, and harakiri {harakiri.value} {harakiri.where()} counts the upload: "
            f"uploads slower than {harakiri.value} s are killed (502)"
        )
        location, also = _primary(links, buffering)
        yield Finding(
            location=location,
            message=message,
            related=(*app_related(app, harakiri, "harakiri"), *no_help, *also),
            fix=(
                f"remove {directive} off (recommended: nginx then reads the whole body first, "
                "so a slow client never holds a uWSGI worker), or raise harakiri above the "
                "slowest upload"
            ),
        )


RULES = (gw501, gw502, gw503, gw504, gw505, gw506, gw507, gw508)
