"""GW6xx: nginx-only hygiene: values nginx refuses, header inheritance, module pitfalls."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from gwlint.fixes.plan import Plan, ReplaceText, SetNginx
from gwlint.model.defaults import NGINX_KEEPALIVE_BY_DEFAULT, nginx_default
from gwlint.model.diagnostics import Finding, Location, Related, Severity
from gwlint.model.nginx_directives import NGINX_DIRECTIVES
from gwlint.model.units import format_size, parse_size, parse_time
from gwlint.model.versions import Version, format_version, parse_version
from gwlint.rules.base import rule
from gwlint.rules.text import plural

if TYPE_CHECKING:
    from gwlint.model.deployment import Deployment
    from gwlint.model.nginx import Directive, Route, Upstream, UpstreamServer
    from gwlint.model.source import Source, Sourced

# directive -> first open-source version that has it (None: NGINX Plus only)
PLUS_DIRECTIVES: dict[str, Version | None] = {
    "health_check": None,
    "health_check_timeout": None,
    "match": None,
    "queue": None,
    "state": None,
    "ntlm": None,
    "zone_sync": None,
    "api": None,
    "session_log": None,
    "session_log_format": None,
    "session_log_zone": None,
    "sticky_cookie_insert": None,
    "mp4_limit_rate": None,
    "mp4_limit_rate_after": None,
    "status_zone": None,
    "internal_redirect": None,
    "f4f": None,
    "f4f_buffer_size": None,
    "hls": None,
    "sticky": (1, 29, 6),
    "least_time": (1, 31, 0),
}
PLUS_PREFIXES = ("zone_sync_", "hls_")
# the built-in sticky takes one of these first; the third-party nginx-sticky-module does not
STICKY_METHODS = frozenset({"cookie", "route", "learn"})
# upstream ``server`` parameters -> first open-source version that accepts them
PLUS_SERVER_PARAMS: dict[str, Version | None] = {
    "slow_start": None,
    "drain": (1, 29, 6),
    "route": (1, 29, 6),
    "resolve": (1, 27, 3),
    "service": (1, 27, 3),
    "max_conns": (1, 11, 5),
}
# blocks whose contents are data, not directives (map keys, mime types...), and the rtmp
# module's own blocks (its hls directive is not NGINX Plus's)
FREEFORM = frozenset({"map", "types", "geo", "split_clients", "charset_map", "match", "rtmp"})


def _since(version: Version | None) -> str:
    return (
        "NGINX Plus only"
        if version is None
        else f"NGINX Plus, or nginx >= {format_version(version)}"
    )


@rule(
    code="GW601",
    name="nginx-plus-only",
    title="NGINX Plus-only directive or parameter in an open-source config",
    severity=Severity.ERROR,
)
def gw601(dep: Deployment) -> Iterator[Finding]:
    nginx = dep.nginx
    if nginx is None:
        return
    version = dep.facts.nginx_version
    label = nginx.version_label
    # most directives: nothing below applies (a large config has 40k)
    names = [n for n in nginx.positions if n in _GW601_NAMES or n.startswith(PLUS_PREFIXES)]
    for directive in nginx.named(names):
        name = directive.name
        if FREEFORM.intersection(directive.context):
            continue
        location = Location.of(directive.source)
        if location is None:
            continue
        if name == "sticky" and (not directive.args or directive.args[0] not in STICKY_METHODS):
            continue  # nginx-sticky-module-ng: an open-source third-party module
        if name == "random":
            # random ... least_time=: NGINX Plus only, even where the least_time directive is not
            least = [arg for arg in directive.args if arg.startswith("least_time=")]
            if least:
                yield Finding(
                    location=location,
                    message=(
                        f"random {' '.join(directive.args)}: least_time= is NGINX Plus only: "
                        f"{label} refuses to start ('invalid parameter "
                        f'"{_clip(least[0])}"\')'
                    ),
                    fix="use random two (least_conn, the default) instead",
                )
            continue
        if name in PLUS_DIRECTIVES or name.startswith(PLUS_PREFIXES):
            since = PLUS_DIRECTIVES.get(name)
            if since is not None and version >= since:
                continue
            yield Finding(
                location=location,
                message=(
                    f"{name} is {_since(since)}: {label} refuses to start "
                    f"('unknown directive \"{name}\"')"
                ),
                fix=(
                    f"remove {name}; open-source nginx checks upstreams passively (max_fails, "
                    "fail_timeout)"
                    if name in ("health_check", "match")
                    else f"remove {name}, or deploy on NGINX Plus"
                ),
            )
        elif name == "server" and directive.context[-1:] == ("upstream",):
            for param in directive.args[1:]:
                key = param.split("=", 1)[0]
                if key not in PLUS_SERVER_PARAMS:
                    continue
                since = PLUS_SERVER_PARAMS[key]
                if since is not None and version >= since:
                    continue
                yield Finding(
                    location=location,
                    message=(
                        f"server parameter {_clip(param)} is {_since(since)}: {label} refuses to "
                        f"start ('invalid parameter \"{_clip(param)}\"')"
                    ),
                    fix=f"remove {param} from this server line",
                )


# the directives GW601 looks at: NGINX Plus ones, and those with Plus-only parameters
_GW601_NAMES = frozenset({*PLUS_DIRECTIVES, "random", "server"})
MAX_LISTED = 3
SHOWN = 40  # the longest value a message quotes whole


def _clip(text: str, limit: int = SHOWN) -> str:
    """``text``, or its start and "..." when it is too long to quote in a message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _at(source: Source) -> Location:
    location = Location.of(source)
    assert location is not None
    return location


def _key(source: Source) -> tuple[str, int, int]:
    return (source.path or "", source.line or 0, source.column or 0)


def _routes_related(routes: list[Route], verb: str = "used by") -> list[Related]:
    """``used by location /api/ (proxy_pass http://app)`` for the first few routes."""
    listed: list[Related] = []
    for route in routes[:MAX_LISTED]:
        location = Location.of(route.pass_directive.source)
        if location is not None:
            listed.append(Related(location=location, message=f"{verb} {route.describe()}"))
    if len(routes) > MAX_LISTED and listed:
        last = listed[-1]
        more = len(routes) - MAX_LISTED
        listed[-1] = Related(location=last.location, message=f"{last.message} (and {more} more)")
    return listed


def _version_note(dep: Deployment) -> str:
    """`` (assumed; give --nginx-version)`` when the version was not given."""
    if dep.facts.nginx_version_given or dep.nginx is None:
        return ""
    return " (assumed; give --nginx-version)"


# --- GW602 -------------------------------------------------------------------------------------


_FAILS = re.compile(r"[0-9]{1,18}")  # max_fails: a number nginx reads


@rule(
    code="GW602",
    name="max-fails-on-single-server",
    title="max_fails or fail_timeout on the only server of an upstream",
    severity=Severity.INFO,
)
def gw602(dep: Deployment) -> Iterator[Finding]:
    from gwlint.model.address import is_ip

    nginx = dep.nginx
    if nginx is None:
        return
    for upstream in nginx.upstreams.values():
        if len(upstream.servers) != 1 or upstream.unknown:
            continue
        server = upstream.servers[0]
        keys = {param.partition("=")[0] for param in server.params}
        if keys & {"backup", "down", "resolve", "service"}:
            continue  # several servers after all, dynamic ones, or nothing to send to
        address = server.address
        if address.kind == "tcp" and not is_ip(address.host or ""):
            continue  # a name may resolve to several addresses: several servers
        if address.kind not in ("tcp", "unix"):
            continue
        max_fails, fail_timeout = server.param("max_fails"), server.param("fail_timeout")
        if max_fails is None and fail_timeout is None:
            continue
        fails = (
            1 if max_fails is None else (int(max_fails) if _FAILS.fullmatch(max_fails) else None)
        )
        seconds = 10 if fail_timeout is None else parse_time(fail_timeout, sec=True)
        if fails is None or seconds is None:
            continue  # not a valid value: GW603
        if fails == 0 or seconds == 0:
            continue  # "never take it out": what a single server gets anyway
        written = " ".join(
            p for p in server.params if p.partition("=")[0] in ("max_fails", "fail_timeout")
        )
        yield Finding(
            location=_at(server.source),
            message=(
                f"{written} on the only server of upstream {upstream.name} "
                f"{'do' if ' ' in written else 'does'} nothing: nginx never takes a single server "
                "out, so while the app is down every request still tries it and gets 502"
            ),
            fix=(
                f"remove {written}: {'they only take' if ' ' in written else 'it only takes'} "
                f"effect once upstream {upstream.name} has a second server (or a backup one); "
                f"then a server is taken out for {seconds}s after {plural(fails, 'failure')}"
            ),
        )


# --- GW603 -------------------------------------------------------------------------------------

# directives whose size takes g as well (ngx_conf_set_off_slot); *_max_temp_file_size is
# ngx_conf_set_size_slot (k or m only: nginx 1.22 refuses proxy_max_temp_file_size 2g)
OFFSET_DIRECTIVES = frozenset(
    {
        "client_max_body_size",
        "directio",
        "proxy_cache_max_range_offset",
        "uwsgi_cache_max_range_offset",
    }
)
# their own handler: 'invalid time value "1.5h"' instead of '"name" directive invalid value'
CACHE_VALID = frozenset({"proxy_cache_valid", "uwsgi_cache_valid"})
_INVALID_ARG = re.compile(r'invalid value "(.*)" in "')
_TIME_TOKEN = re.compile(r"(\d+)(ms|[smhdwMy])?")
_FRACTION = re.compile(r"(\d*\.\d+|\d+\.)(ms|[smhdwMy])?")
_SIZE = re.compile(r"(\d+(?:\.\d+)?|\.\d+)([kKmMgG])?([bB])?")  # \d*\.?\d+, without backtracking
_TIME_MS = {
    "ms": 1,
    "s": 1000,
    "m": 60_000,
    "h": 3_600_000,
    "d": 86_400_000,
    "w": 7 * 86_400_000,
    "M": 30 * 86_400_000,
    "y": 365 * 86_400_000,
}
_SIZE_BYTES = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def _arg_kind(directive: Directive, arg: str) -> str:
    """How nginx reads this argument: time, sec (whole seconds), size, offset or number."""
    if directive.name in CACHE_VALID:
        return "sec"
    key = f"upstream:{directive.name}" if directive.context[-1:] == ("upstream",) else ""
    entry = NGINX_DIRECTIVES.get(key) or NGINX_DIRECTIVES.get(directive.name)
    syntax = entry[4] if entry else ""
    first = bool(directive.args) and arg == directive.args[0]
    if syntax == "timeout [header_timeout]":
        return "time" if first else "sec"
    if syntax == "number size":
        return "number" if first else "size"
    if "size" in syntax:
        return "offset" if directive.name in OFFSET_DIRECTIVES else "size"
    return "time"


def _compose_ms(total: int) -> str:
    """``90000`` -> ``90s``, ``5400000`` -> ``90m``, ``1500`` -> ``1500ms``: valid nginx times."""
    if total % 1000:
        return f"{total}ms"
    for unit in ("d", "h", "m"):
        if total % _TIME_MS[unit] == 0 and total // _TIME_MS[unit] >= 1:
            return f"{total // _TIME_MS[unit]}{unit}"
    return f"{total // 1000}s"


def _time_hint(arg: str, kind: str) -> tuple[str, str | None]:
    """Why nginx refuses a time, and the value that was most likely meant."""
    sec = kind == "sec"
    fraction = _FRACTION.fullmatch(arg) if len(arg) <= 64 else None  # no float('9' * 5000)
    if fraction:
        total = float(fraction.group(1)) * _TIME_MS[fraction.group(2) or "s"]
        if sec:
            return "nginx takes no fractions", f"{max(1, math.ceil(total / 1000))}s"
        return "nginx takes no fractions", _compose_ms(round(total))
    tokens = _TIME_TOKEN.findall(arg)
    if tokens and len(arg) <= 64 and "".join(n + u for n, u in tokens) == arg.replace(" ", ""):
        summed = sum(int(number) * _TIME_MS[unit or "s"] for number, unit in tokens)
        units = [unit or "s" for _, unit in tokens]
        if sec and "ms" in units:
            why = "this value is in whole seconds: no ms"
            return why, f"{max(1, math.ceil(summed / 1000))}s"
        if not sec and ("y" in units or "M" in units):
            return "timeouts take no y (years) or M (months)", _compose_ms(summed)
        return "units go from the largest down, as in 1m30s", (
            f"{math.ceil(summed / 1000)}s" if sec else _compose_ms(summed)
        )
    return "not a time: a whole number with ms, s, m, h, d or w", None


def _size_hint(arg: str, kind: str) -> tuple[str, str | None]:
    found = _SIZE.fullmatch(arg) if len(arg) <= 64 else None  # no float('9' * 5000)
    if not found:
        return "not a size: a whole number of bytes, or one with k or m", None
    number, unit, b_suffix = found.group(1), (found.group(2) or "").lower(), found.group(3)
    size = round(float(number) * _SIZE_BYTES[unit])
    meant = str(size)
    for candidate in ("g", "m", "k") if kind == "offset" else ("m", "k"):
        scale = _SIZE_BYTES[candidate]
        if size >= scale and size % scale == 0:
            meant = f"{size // scale}{candidate}"
            break
    if unit == "g" and kind != "offset":
        why = "g is only for offsets; this size takes k or m"
        return why, meant
    if "." in number:
        return "nginx takes no fractions", meant
    if b_suffix:
        return "the unit is one letter: k or m", meant
    return "not a size: a whole number of bytes, or one with k or m", None


def _hint(arg: str, kind: str) -> tuple[str, str | None]:
    if kind in ("time", "sec"):
        return _time_hint(arg, kind)
    if kind in ("size", "offset"):
        return _size_hint(arg, kind)
    return "the number of buffers is a whole number", None


def _bad_server_param(param: str) -> tuple[str, str | None] | None:
    """Why nginx refuses an upstream ``server`` parameter's value, and a valid one."""
    key, sep, value = param.partition("=")
    if not sep:
        return None
    if key == "fail_timeout":
        if parse_time(value, sec=True) is not None:
            return None
        why, meant = _time_hint(value, "sec")
        return why, f"fail_timeout={meant}" if meant else None
    if key in ("max_fails", "max_conns", "weight"):
        if value.isascii() and value.isdigit():
            if key == "weight" and not value.strip("0"):
                return "weight must be at least 1", "weight=1"
            return None
        default = {"max_fails": "1", "max_conns": "0", "weight": "1"}[key]
        return f"{key} is a whole number", f"{key}={default} (nginx's default), or the number meant"
    return None


@rule(
    code="GW603",
    name="invalid-time-or-size",
    title="a time or size nginx does not accept",
    severity=Severity.ERROR,
)
def gw603(dep: Deployment) -> Iterator[Finding]:
    nginx = dep.nginx
    if nginx is None:
        return
    for directive in nginx.directives:
        if not directive.invalid and directive.name != "server":
            continue  # most directives: nothing below applies
        upstream_server = directive.name == "server" and directive.context[-1:] == ("upstream",)
        if not directive.invalid and not upstream_server:
            continue
        if FREEFORM.intersection(directive.context):
            continue
        location = Location.of(directive.source)
        if location is None:
            continue
        if directive.invalid:
            found = _INVALID_ARG.search(directive.invalid)
            arg = found.group(1) if found else (directive.args[0] if directive.args else "")
            kind = _arg_kind(directive, arg)
            why, meant = _hint(arg, kind)
            emerg = (
                f'invalid time value "{_clip(arg)}"'
                if directive.name in CACHE_VALID
                else f'"{directive.name}" directive invalid value'
            )
            fixed = " ".join(
                [directive.name, *(meant if a == arg and meant else a for a in directive.args)]
            )
            yield Finding(
                location=location,
                message=(
                    f'{directive.name} "{_clip(arg)}": {why}; nginx refuses the whole '
                    f"configuration ('{emerg}')"
                ),
                fix=f"write {fixed};" if meant else f"write a valid value in {directive.name}",
                # gwlint's reading of what was meant: only with --unsafe-fixes
                plan=Plan(
                    changes=(
                        SetNginx(
                            nginx,
                            None,
                            directive.name,
                            tuple(meant if a == arg else a for a in directive.args),
                            directive.source,
                        ),
                    ),
                    safe=False,
                    description=f"write {fixed};",
                )
                if meant and _ONE_WORD.fullmatch(meant)
                else None,
            )
        elif directive.name == "server" and directive.context[-1:] == ("upstream",):
            for param in directive.args[1:]:
                problem = _bad_server_param(param)
                if problem is None:
                    continue
                why, meant = problem
                yield Finding(
                    location=location,
                    message=(
                        f"server parameter {_clip(param)}: {why}; nginx refuses the whole "
                        f"configuration ('invalid parameter \"{_clip(param)}\"')"
                    ),
                    fix=f"write {meant}" if meant else f"write a valid value in {param}",
                    plan=Plan(
                        changes=(ReplaceText(location.path, location.line, param, meant),),
                        safe=False,
                        description=f"write {meant}",
                    )
                    if meant and _ONE_WORD.fullmatch(meant)
                    else None,
                )


# a hint that is a value to write, not a sentence ("weight=1 (nginx's default), or ...")
_ONE_WORD = re.compile(r"[^\s;{}'\"()#]+")


# --- GW604 -------------------------------------------------------------------------------------

# request headers nginx's proxy module sets or clears itself when proxy_set_header is silent
# (ngx_http_proxy_headers): $http_<name> is not a pass-through for them
OWN_HEADERS = frozenset(
    {"host", "connection", "content-length", "transfer-encoding", "te", "keep-alive", "expect"}
    | {"upgrade"}
)
STOCK_PROXY_PARAMS = "stock proxy_params"
MAX_HEADERS_RELATED = 4


def _header_default(name: str, version: Version) -> str | None:
    """What nginx sends for a request header when no proxy_set_header names it."""
    if name == "host":
        return "$proxy_host"
    if name == "connection":
        default = nginx_default("header:Connection", version)
        return default.raw if default else None
    return None


def _same_as_default(name: str, value: str, version: Version) -> bool:
    default = _header_default(name, version)
    if default is not None:
        return value.strip().lower() == default.lower()
    # the client's own header, passed through: what nginx does anyway
    return name not in OWN_HEADERS and value.strip().lower() == "$http_" + name.replace("-", "_")


def _keeps_connections(route: Route, upstreams: dict[str, Upstream]) -> Upstream | None:
    """The upstream whose idle connections this route would reuse, but for Connection: close."""
    name = route.target.upstream
    version = route.http_version
    if name is None or version is None or version.value not in ("1.1", "2"):
        return None
    upstream = upstreams[name]
    return upstream if upstream.keepalive.value else None


def _header_effect(
    name: str, value: str, routes: list[Route], upstreams: dict[str, Upstream]
) -> tuple[str, str] | None:
    """(kind, what goes wrong without this header): headers of one kind share the sentence."""
    lowered = value.strip().lower()
    if name == "host":
        host = routes[0].target.raw.split("://", 1)[-1].split("/", 1)[0]
        if host.startswith("unix:"):
            host = "localhost"  # nginx's $proxy_host for a unix socket
        return "host", f"Host: {_clip(host)}"
    if name == "x-forwarded-proto":
        return "proto", "http for https"
    if name in ("x-forwarded-for", "x-real-ip"):
        return "ip", "nginx's IP as the client's"
    if name == "x-forwarded-host":
        return "fwd-host", "no X-Forwarded-Host"
    if name == "upgrade" or (name == "connection" and "upgrade" in lowered):
        return "ws", "WebSocket handshakes fail"
    if name == "connection" and lowered == "":
        kept = [u for r in routes if (u := _keeps_connections(r, upstreams)) is not None]
        if kept:
            upstream = kept[0]
            return "keepalive", (
                f"nginx sends Connection: close and keepalive {upstream.keepalive.raw} of "
                f"upstream {_clip(upstream.name)} reuses nothing"
            )
    return None


# what the app gets without these headers (a noun phrase after "the app gets")
APP_GETS = ("host", "ip", "proto", "fwd-host")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


MESSAGE_LIMIT = 200  # a message is one line of at most this many characters


def _dropped_message(
    where: str, names: list[str], effects: dict[str, tuple[list[str], str]]
) -> str:
    """GW604's message: the headers lost and what that does, shortened to fit one line."""
    gets = [text for kind, (_, text) in effects.items() if kind in APP_GETS]
    said = ([f"the app gets {_and(gets)}"] if gets else []) + [
        text for kind, (_, text) in effects.items() if kind not in APP_GETS
    ]
    shown = [_clip(name) for name in names]
    verb = "does" if len(names) == 1 else "do"
    candidates = [shown]
    if len(shown) > 2:
        candidates.append([*shown[:2], plural(len(shown) - 2, "other header")])
    for heads in candidates:
        message = f"{where} has its own proxy_set_header: the outer {_and(heads)} {verb} not apply"
        if said:
            message += f", so {'; '.join(said)}"
        if len(message) <= MESSAGE_LIMIT:
            break
    return message


def _shown(value: str) -> str:
    return value if value.strip() else '""'


def _level_name(directive: Directive, route: Route) -> str:
    block = directive.context[-1] if directive.context else ""
    if block == "location":
        return f"location {route.location}"
    if block == "if":
        return f"the if block in location {route.location}"
    if block == "limit_except":
        return f"the limit_except block in location {route.location}"
    if block == "server":
        return f"server {route.server_name}" if route.server_name else "this server"
    return f"the {block or 'top'} level"


@rule(
    code="GW604",
    name="proxy-set-header-drops-inherited",
    title="proxy_set_header in a block drops every inherited proxy_set_header",
    severity=Severity.WARNING,
)
def gw604(dep: Deployment) -> Iterator[Finding]:
    nginx = dep.nginx
    if nginx is None:
        return
    version = dep.facts.nginx_version
    written: dict[tuple[str, int, int, str], tuple[int, Directive]] = {}
    for index in nginx.positions.get("proxy_set_header", ()):
        directive = nginx.directives[index]
        if len(directive.args) >= 2:
            key = (*_key(directive.source), directive.args[0].lower())
            written.setdefault(key, (index, directive))
    groups: dict[tuple[tuple[str, int, int, str], ...], list[Route]] = {}
    for route in nginx.routes:
        if route.protocol != "http" or not route.headers_dropped or not route.headers:
            continue
        level = tuple(sorted((*_key(v.source), k) for k, v in route.headers.items()))
        groups.setdefault(level, []).append(route)
    for level, routes in groups.items():
        own = [written[key] for key in level if key in written]
        if not own:
            continue
        first = min(own, key=lambda item: item[0])[1]
        lost: list[tuple[str, str, Source]] = []  # (Name as written, value, where)
        effects: dict[str, tuple[list[str], str]] = {}  # kind -> (headers, what goes wrong)
        for name, source in routes[0].headers_dropped:
            found = written.get((*_key(source), name))
            if found is None:
                continue
            shown, value = found[1].args[0], found[1].args[1]
            if _same_as_default(name, value, version):
                continue
            effect = _header_effect(name, value, routes, nginx.upstreams)
            if name == "connection" and value.strip() == "" and effect is None:
                continue  # no connection cache to lose: Connection: close changes nothing
            lost.append((shown, value, source))
            if effect is not None:
                effects.setdefault(effect[0], ([], effect[1]))[0].append(shown)
        if not lost:
            continue
        where = _level_name(first, routes[0])
        message = _dropped_message(where, [shown for shown, _, _ in lost], effects)
        stock = any(STOCK_PROXY_PARAMS in (source.note or "") for _, _, source in lost)
        repeats = (["include proxy_params;"] if stock else []) + [
            f"proxy_set_header {shown} {_shown(value)};"
            for shown, value, source in lost
            if STOCK_PROXY_PARAMS not in (source.note or "")
        ]
        by_place: dict[tuple[str, int, int], list[tuple[str, str, Source]]] = {}
        for item in lost:
            by_place.setdefault(_key(item[2]), []).append(item)
        related = [
            Related(
                location=_at(items[0][2]),
                message=(
                    f"{', '.join(f'{shown} {_shown(value)}' for shown, value, _ in items)} "
                    f"{'is' if len(items) == 1 else 'are'} set here"
                    + (f" ({items[0][2].note})" if items[0][2].note else "")
                    + ", and not inherited"
                ),
            )
            for items in list(by_place.values())[:MAX_HEADERS_RELATED]
            if Location.of(items[0][2]) is not None
        ]
        yield Finding(
            location=_at(first.source),
            message=message,
            related=(*related, *_routes_related(routes, "applies to")),
            fix=(
                f"repeat {'it' if len(lost) == 1 else 'them'} in {where}: {' '.join(repeats)} "
                "(or move its own proxy_set_header to the outer level, so that every location "
                "gets the same set)"
            ),
        )


# --- GW605 -------------------------------------------------------------------------------------

BUFFERED_PROTOCOLS = frozenset({"http", "uwsgi"})


def _size(value: int) -> str:
    return format_size(value)


def _sizes(route: Route) -> tuple[int, int, int, int, bool] | None:
    """(buffer_size, number, size of one buffer, busy size, busy written) as nginx merges them;
    an unwritten busy size is derived: 2 x max(buffer_size, one buffer)."""
    buffer_size, buffers, busy = route.buffer_size, route.buffers, route.busy_buffers_size
    if buffer_size.value is None or buffers.value is None:
        return None
    number, one = buffers.value
    largest = max(buffer_size.value, one)
    if busy.is_default:
        return buffer_size.value, number, one, 2 * largest, False
    if busy.value is None:
        return None
    return buffer_size.value, number, one, busy.value, True


def _fits(number: int, one: int, buffer_size: int, busy: int | None) -> bool:
    """Would nginx accept these buffers (busy None: derived, 2 x the larger of the two)?"""
    largest = max(buffer_size, one)
    value = 2 * largest if busy is None else busy
    return number >= 2 and largest <= value <= (number - 1) * one


def _larger_buffers(number: int, one: int, buffer_size: int, busy: int | None) -> str:
    """``9 4k or 8 8k``: more buffers of the same size, or as many bigger ones, that fit."""
    options: list[str] = []
    more = max(2, number)
    while more <= 256 and not _fits(more, one, buffer_size, busy):
        more += 1
    if _fits(more, one, buffer_size, busy):
        options.append(f"{more} {_size(one)}")
    count, bigger = max(2, number), one
    while bigger <= 1024**2 and not _fits(count, bigger, buffer_size, busy):
        bigger *= 2
    if _fits(count, bigger, buffer_size, busy) and bigger != one:
        options.append(f"{count} {_size(bigger)}")
    return " or ".join(options) or "more buffers"


@rule(
    code="GW605",
    name="busy-buffers-out-of-range",
    title="proxy_buffers, proxy_buffer_size and proxy_busy_buffers_size that nginx refuses",
    severity=Severity.ERROR,
)
def gw605(dep: Deployment) -> Iterator[Finding]:
    nginx = dep.nginx
    if nginx is None:
        return
    groups: dict[tuple[Any, ...], list[Route]] = {}
    for route in nginx.routes:
        if route.protocol not in BUFFERED_PROTOCOLS:
            continue
        values = (route.buffer_size, route.buffers, route.busy_buffers_size)
        key = (route.module, *(_key(v.source) for v in values))
        groups.setdefault(key, []).append(route)
    for routes in groups.values():
        finding = _buffer_finding(routes)
        if finding is not None:
            yield finding


def _buffer_finding(routes: list[Route]) -> Finding | None:
    route = routes[0]
    sizes = _sizes(route)
    if sizes is None:
        return None
    buffer_size, number, one, busy, busy_written = sizes
    module = route.module
    names = (f"{module}_buffer_size", f"{module}_buffers", f"{module}_busy_buffers_size")
    size_name, buffers_name, busy_name = names
    largest = max(buffer_size, one)
    ceiling = (number - 1) * one
    shown_size = f"{size_name} {route.buffer_size.raw} {route.buffer_size.where()}"
    shown_buffers = f"{buffers_name} {route.buffers.raw} {route.buffers.where()}"
    by_size = buffer_size > one
    derived = f"nginx derive {busy_name} 2 x {_size(largest)} = {_size(busy)}"
    refuses = "nginx refuses the whole configuration"
    culprit: Sourced[Any]
    if number == 0 or one == 0:
        culprit = route.buffers
        problem = (
            f"{buffers_name} {route.buffers.raw} has "
            f"{'no buffers' if number == 0 else 'buffers of 0 bytes'}: {refuses} "
            f"('\"{buffers_name}\" directive invalid value')"
        )
        fix = f"write {buffers_name} 8 4k (nginx's default on x86-64)"
    elif number < 2:
        culprit = route.buffers
        problem = (
            f"{buffers_name} {route.buffers.raw} has {plural(number, 'buffer')}: {refuses} "
            f"('there must be at least 2 \"{buffers_name}\"')"
        )
        fix = (
            f"write {buffers_name} "
            f"{_larger_buffers(number, one, buffer_size, busy if busy_written else None)}"
        )
    elif busy < largest:
        culprit = route.busy_buffers_size
        problem = (
            f"{busy_name} {route.busy_buffers_size.raw} is less than {_size(largest)}, the larger "
            f"of {shown_size} and one buffer of {shown_buffers}: {refuses}"
        )
        if largest <= ceiling:
            fix = f"set {busy_name} {_size(min(2 * largest, ceiling))}"
        else:
            fitting = _larger_buffers(number, one, buffer_size, largest)
            fix = f"set {busy_name} {_size(largest)} and {buffers_name} {fitting}"
    elif busy > ceiling:
        all_but_one = f"minus one buffer, {_size(ceiling)}"
        if busy_written:
            problem = (
                f"{busy_name} {route.busy_buffers_size.raw} is more than {shown_buffers} "
                f"{all_but_one}: {refuses}"
            )
        elif by_size:
            problem = (
                f"{size_name} {route.buffer_size.raw} makes {derived}, more than {shown_buffers} "
                f"{all_but_one}: {refuses}"
            )
        else:
            problem = (
                f"{buffers_name} {route.buffers.raw} makes {derived}, more than all its buffers "
                f"but one, {_size(ceiling)}: {refuses}"
            )
        more_buffers = _larger_buffers(number, one, buffer_size, busy if busy_written else None)
        if busy_written:
            culprit = route.busy_buffers_size
            if largest <= ceiling:
                fix = (
                    f"lower {busy_name} to {_size(ceiling)} (the most {buffers_name} "
                    f"{route.buffers.raw} allow), or raise {buffers_name} to {more_buffers} to "
                    f"keep {_size(busy)}"
                )
            else:
                fix = f"raise {buffers_name} to {more_buffers}"
        else:
            written = [v for v in (route.buffer_size, route.buffers) if not v.is_default]
            culprit = (
                route.buffer_size
                if buffer_size > one and not route.buffer_size.is_default
                else (written[0] if written else route.buffer_size)
            )
            if largest <= ceiling:
                fix = (
                    f"add {busy_name} {_size(ceiling)}; next to it (recommended: the buffers "
                    "keep their memory; "
                    + (
                        f"anything from {_size(largest)} to {_size(ceiling)} works"
                        if largest < ceiling
                        else "the only size that fits"
                    )
                    + f"); or raise {buffers_name} to {more_buffers}, so that the derived "
                    f"{_size(busy)} fits"
                )
            else:
                fix = f"raise {buffers_name} to {more_buffers}"
    else:
        return None
    location = Location.of(culprit.source) or Location.of(route.pass_directive.source)
    assert location is not None
    values: tuple[Sourced[Any], ...] = (
        route.buffer_size,
        route.buffers,
        route.busy_buffers_size,
    )
    related = [
        Related(location=_at(value.source), message=f"{name} {value.raw}")
        for value, name in zip(values, names, strict=True)
        if value is not culprit and Location.of(value.source) is not None
    ]
    return Finding(
        location=location,
        message=problem,
        related=(*related, *_routes_related(routes, "applies to")),
        fix=fix,
    )


# --- GW606 -------------------------------------------------------------------------------------


def _live_servers(route: Route) -> list[UpstreamServer]:
    return [s for s in route.target.servers if "down" not in s.params]


@rule(
    code="GW606",
    name="non-idempotent-retries",
    title="proxy_next_upstream non_idempotent resends POST requests to another server",
    severity=Severity.WARNING,
)
def gw606(dep: Deployment) -> Iterator[Finding]:
    nginx = dep.nginx
    if nginx is None:
        return
    groups: dict[tuple[tuple[str, int, int], str], list[Route]] = {}
    for route in nginx.routes:
        retry = route.next_upstream
        if retry.value is None or retry.is_default or route.target.upstream is None:
            continue
        flags = retry.value.split()
        if "non_idempotent" not in flags or "off" in flags:
            continue
        if route.next_upstream_tries.value == 1 or len(_live_servers(route)) < 2:
            continue
        groups.setdefault((_key(retry.source), route.target.upstream), []).append(route)
    for (_, upstream), routes in groups.items():
        route = routes[0]
        retry = route.next_upstream
        flags = retry.value.split() if retry.value else []
        module = route.module
        servers = len(_live_servers(route))
        after = "an error or a timeout" if "timeout" in flags else "an error"
        related = list(_routes_related(routes))
        read_timeout = route.read_timeout
        if "timeout" in flags and Location.of(read_timeout.source) is not None:
            related.insert(
                0,
                Related(
                    location=_at(read_timeout.source),
                    message=f"{module}_read_timeout {read_timeout.raw}: a POST slower than this "
                    "is sent to the next server while it still runs on the first",
                ),
            )
        kept = [flag for flag in flags if flag != "non_idempotent"]
        yield Finding(
            location=_at(retry.source),
            message=(
                f"{module}_next_upstream {_clip(retry.raw or '')}: after {after} nginx resends "
                f"even a POST to another of the {servers} servers of upstream "
                f"{_clip(upstream)}, so one POST can run on two servers"
            ),
            related=tuple(related),
            fix=(
                f"remove non_idempotent: {module}_next_upstream {' '.join(kept) or 'error'}; "
                "(recommended; if POSTs must be retried, make them idempotent first, with an "
                "idempotency key the app checks)"
            ),
        )


# --- GW607 -------------------------------------------------------------------------------------

HTTP2_UPSTREAM: Version = (1, 29, 4)  # proxy_http_version 2


def _since_version(directive: Directive) -> tuple[Version, str] | None:
    """The nginx version that added this directive (in this context), and nginx's complaint on
    an older one: 'unknown directive', or 'is not allowed here' when the name exists elsewhere."""
    return _since_name(directive.name, directive.context[-1:] == ("upstream",))


@functools.lru_cache(maxsize=4096)
def _since_name(name: str, upstream: bool) -> tuple[Version, str] | None:
    """``_since_version`` by name (once per name: a large config has 40k directives)."""
    key = f"upstream:{name}" if upstream else name
    entry = NGINX_DIRECTIVES.get(key)
    if entry is None and upstream:
        entry = NGINX_DIRECTIVES.get(name)
        key = name
    if entry is None or not entry[3]:
        return None
    try:
        since = parse_version(entry[3])
    except ValueError:
        return None
    complaint = f'unknown directive "{name}"'
    if key.startswith("upstream:"):
        elsewhere = NGINX_DIRECTIVES.get(name)
        if elsewhere is not None and (not elsewhere[3] or parse_version(elsewhere[3]) < since):
            complaint = f'"{name}" directive is not allowed here'
    return since, complaint


@rule(
    code="GW607",
    name="newer-than-nginx-version",
    title="a directive or value the nginx version in use does not have yet",
    severity=Severity.ERROR,
)
def gw607(dep: Deployment) -> Iterator[Finding]:
    nginx = dep.nginx
    if nginx is None:
        return
    version = dep.facts.nginx_version
    label = nginx.version_label
    severity = None if dep.facts.nginx_version_given else Severity.WARNING
    assumed = _version_note(dep)
    # most directives: nothing below applies (a large config has 40k)
    names = [
        n
        for n in nginx.positions
        if n in ("proxy_http_version", "keepalive") or _since_name(n, False) or _since_name(n, True)
    ]
    for directive in nginx.named(names):
        name = directive.name
        found = _since_version(directive)
        newer = found is not None and version < found[0]
        if not newer and name not in ("proxy_http_version", "keepalive"):
            continue
        if "http" not in directive.context or FREEFORM.intersection(directive.context):
            continue
        if name in PLUS_DIRECTIVES or name.startswith(PLUS_PREFIXES):
            continue  # GW601
        location = Location.of(directive.source)
        if location is None:
            continue
        if found is not None and newer:
            since, complaint = found
            what = f"{name} in an upstream block" if "allowed here" in complaint else name
            yield Finding(
                location=location,
                message=(
                    f"{what} appeared in nginx {format_version(since)}: {label}{assumed} refuses "
                    f"to start ('{complaint}')"
                ),
                fix=f"remove {name}, or deploy nginx {format_version(since)} or later",
                severity=severity,
            )
            continue
        if name == "proxy_http_version" and directive.args[:1] == ("2",):
            if version < HTTP2_UPSTREAM:
                yield Finding(
                    location=location,
                    message=(
                        f"proxy_http_version 2 needs nginx >= {format_version(HTTP2_UPSTREAM)}: "
                        f"{label}{assumed} refuses to start ('invalid value \"2\"')"
                    ),
                    fix='use proxy_http_version 1.1 (with proxy_set_header Connection ""; for '
                    "keep-alive)",
                    severity=severity,
                )
        elif (
            name == "keepalive"
            and directive.context[-1:] == ("upstream",)
            and len(directive.args) > 1
            and version < NGINX_KEEPALIVE_BY_DEFAULT
        ):
            needed = format_version(NGINX_KEEPALIVE_BY_DEFAULT)
            yield Finding(
                location=location,
                message=(
                    f"keepalive {' '.join(directive.args)}: the {directive.args[1]} parameter "
                    f"needs nginx >= {needed}: {label}{assumed} refuses to start ('invalid number "
                    'of arguments in "keepalive" directive\')'
                ),
                fix=f"write keepalive {directive.args[0]};",
                severity=severity,
            )


# --- GW608 -------------------------------------------------------------------------------------

URI_PART_ERROR = (
    '"proxy_pass" cannot have URI part in location given by regular expression, or inside '
    'named location, or inside "if" statement, or inside "limit_except" block'
)


def _without_uri(route: Route) -> str:
    raw, uri = route.target.raw, route.target.uri or ""
    base = raw[: -len(uri)] if uri and raw.endswith(uri) else raw
    return base[:-1] if base.endswith(":") and "unix:" in base else base


def _prefix(route: Route) -> str | None:
    """The path of a prefix location (``/api/`` of ``location ^~ /api/``), else None."""
    if route.location_modifier not in ("", "^~") or not route.location:
        return None
    path = route.location.split(None, 1)[-1] if route.location_modifier else route.location
    return path if path.startswith("/") else None


@rule(
    code="GW608",
    name="proxy-pass-uri-part",
    title="proxy_pass with a URI part where nginx refuses it, or with a trailing-slash mismatch",
    severity=Severity.INFO,
)
def gw608(dep: Deployment) -> Iterator[Finding]:
    for route in dep.routes:
        target = route.target
        if route.pass_directive.name != "proxy_pass" or target.uri is None or target.variables:
            continue
        location = Location.of(route.pass_directive.source)
        if location is None:
            continue
        block = route.pass_directive.context[-1:]
        modifier = route.location_modifier
        if block in (("if",), ("limit_except",)) or modifier in ("~", "~*", "@"):
            if block == ("if",):
                where = f"an if block (in location {route.location})"
            elif block == ("limit_except",):
                where = f"a limit_except block (in location {route.location})"
            elif modifier == "@":
                where = f"the named location {route.location}"
            else:
                where = f"the regex location {route.location}"
            yield Finding(
                location=location,
                message=(
                    f"proxy_pass {_clip(target.raw)} has a URI part ({_clip(target.uri)}) in "
                    f'{where}: nginx refuses the whole configuration (\'"proxy_pass" cannot '
                    "have URI part in ...')"
                ),
                fix=(
                    f"write proxy_pass {_without_uri(route)}; (the request path is passed as it "
                    "is; where it must change, a rewrite ... break; before proxy_pass does it)"
                ),
                severity=Severity.ERROR,
            )
            continue
        prefix = _prefix(route)
        if prefix is None or prefix.endswith("/") == target.uri.endswith("/"):
            continue
        request = prefix + ("users" if prefix.endswith("/") else "/users")
        sent = target.uri + request[len(prefix) :]
        if prefix.endswith("/"):
            fix = (
                f"end the URI with a slash too: proxy_pass {target.raw}/; (or, to pass the path "
                f"unchanged, drop the URI: proxy_pass {_without_uri(route)};)"
            )
        else:
            fix = (
                f"end the location with a slash too: location {route.location}/ (nginx then "
                f"redirects {prefix} to {prefix}/ by itself)"
            )
        yield Finding(
            location=location,
            message=(
                f"location {_clip(route.location)} with proxy_pass {_clip(target.raw)}: "
                f"{_clip(request)} reaches the app as {_clip(sent)} (a 404 unless the app has "
                "that route)"
            ),
            fix=fix,
        )


# --- GW609 -------------------------------------------------------------------------------------

MODULE_PREFIXES = frozenset({"proxy", "uwsgi", "fastcgi", "scgi", "grpc"})
PASS_NAMES = frozenset({"proxy_pass", "uwsgi_pass", "fastcgi_pass", "scgi_pass", "grpc_pass"})
# Route fields holding the effective value of <module>_<suffix>
ROUTE_FIELDS = frozenset(
    {
        "read_timeout",
        "send_timeout",
        "connect_timeout",
        "buffering",
        "request_buffering",
        "buffer_size",
        "buffers",
        "busy_buffers_size",
        "next_upstream",
        "next_upstream_tries",
        "next_upstream_timeout",
    }
)
PARAM_FILES = frozenset({"uwsgi_params", "fastcgi_params", "scgi_params", "fastcgi.conf"})


def _counterpart(directive: Directive, module: str) -> str | None:
    """What to write instead, in the module the route uses."""
    name, args = directive.name, directive.args
    suffix = name.partition("_")[2]
    if name == "proxy_set_header" and module == "uwsgi" and len(args) >= 2:
        return f"uwsgi_param HTTP_{args[0].upper().replace('-', '_')} {_shown(args[1])}"
    if suffix == "param" and module == "proxy" and len(args) >= 2:
        if args[0].upper().startswith("HTTP_"):
            header = "-".join(part.capitalize() for part in args[0][5:].split("_"))
            return f"proxy_set_header {header} {_shown(args[1])}"
        return None
    if f"{module}_{suffix}" in NGINX_DIRECTIVES:
        return " ".join([f"{module}_{suffix}", *args])
    return None


def _same_value(directive: Directive, value: Sourced[Any]) -> bool:
    written = " ".join(directive.args)
    if value.value is None:
        return False
    if directive.name.endswith("_timeout"):
        return bool(parse_time(written) == value.value)
    if directive.name.endswith("_size"):
        return bool(parse_size(written) == value.value)
    return written.strip().lower() == (value.raw or "").strip().lower()


def _used_elsewhere(directive: Directive, field: str | None, routes: tuple[Route, ...]) -> bool:
    """Does a route of the directive's own module take it (a nested location, say)?"""
    prefix = directive.name.partition("_")[0]
    key = _key(directive.source)
    for other in routes:
        if other.module != prefix:
            continue
        if field is not None and _key(getattr(other, field).source) == key:
            return True
        if directive.name == "proxy_set_header" and any(
            _key(h.source) == key for h in other.headers.values()
        ):
            return True
        if (
            directive.name == "proxy_http_version"
            and other.http_version is not None
            and _key(other.http_version.source) == key
        ):
            return True
        source = other.pass_directive.source
        if (
            field is None
            and source.path == directive.source.path
            and (source.line or 0) > (directive.source.line or 0)
            and len(other.pass_directive.context) > len(directive.context)
        ):
            return True  # a nested block further down may inherit it
    return False


def _busy_note(route: Route, suffix: str, directive: Directive) -> str:
    """The busy buffers size to write too, when the buffer size suggested would trip GW605."""
    size = parse_size(directive.args[0]) if suffix == "buffer_size" and directive.args else None
    buffers, busy = route.buffers.value, route.busy_buffers_size
    if size is None or buffers is None or not busy.is_default:
        return ""
    number, one = buffers
    if _fits(number, one, size, None) or not _fits(number, one, size, (number - 1) * one):
        return ""
    return (
        f", with {route.module}_busy_buffers_size {_size((number - 1) * one)}; (nginx would "
        f"derive 2 x {_size(max(size, one))} from it, more than {route.module}_buffers "
        f"{route.buffers.raw} allow)"
    )


@rule(
    code="GW609",
    name="directive-of-other-module",
    title="a directive of another proxy module, which does nothing for this location",
    severity=Severity.WARNING,
)
def gw609(dep: Deployment) -> Iterator[Finding]:
    nginx = dep.nginx
    if nginx is None:
        return
    seen: set[tuple[str, int, int, str]] = set()
    # the routes of one block (its first directive tells it) share its directives: read once
    blocks: set[tuple[tuple[str, int, int], str]] = set()
    for route in nginx.routes:
        module = route.module
        if module not in ("proxy", "uwsgi") or not route.local:
            continue
        block = (_key(route.local[0].source), module)
        if block in blocks:
            continue
        blocks.add(block)
        local_keys = {_key(d.source) for d in route.local}  # once per block, not per directive
        for directive in route.local:
            prefix, _, suffix = directive.name.partition("_")
            if prefix not in MODULE_PREFIXES or prefix == module or directive.name in PASS_NAMES:
                continue
            source = directive.source
            if (
                "stock" in (source.note or "")
                or (source.path or "").rsplit("/", 1)[-1] in PARAM_FILES
            ):
                continue
            key = (*_key(source), directive.name)
            if key in seen:
                continue
            seen.add(key)
            counterpart = _counterpart(directive, module)
            if counterpart is None:
                continue
            field = suffix if suffix in ROUTE_FIELDS else None
            if _used_elsewhere(directive, field, nginx.routes):
                continue
            location = Location.of(source)
            if location is None:
                continue
            written = _clip(" ".join([directive.name, *directive.args]), 2 * SHOWN)
            place = f"location {_clip(route.location)}" if route.location else "this server"
            message = (
                f"{written} is ignored in {place} ({route.pass_directive.name} reads {module}_* "
                "only)"
            )
            severity = None
            fix = f"write {counterpart}; instead"
            if field is not None:
                value: Sourced[Any] = getattr(route, field)
                own = f"{module}_{suffix}"
                message += f"; {own} {_clip(value.raw or '')} {value.where()} applies"
                here = _key(value.source) in local_keys
                if _same_value(directive, value):
                    severity = Severity.INFO
                    message += " (the same value: harmless, but misleading)"
                    fix = f"remove {directive.name}: {own} {value.raw} already applies"
                else:
                    written_ms = parse_time(" ".join(directive.args))
                    if (
                        suffix == "read_timeout"
                        and value.value is not None
                        and written_ms is not None
                        and written_ms > value.value
                    ):
                        message += f", so requests slower than {value.raw} get 504"
                    if here:
                        fix = (
                            f"set {own} {' '.join(directive.args)} ({value.source.label()}) and "
                            f"remove {directive.name}"
                        )
                    fix += _busy_note(route, suffix, directive)
            elif directive.name == "proxy_set_header":
                message += ": the app never gets this header"
            elif suffix == "param":
                message += ": the app never gets this variable"
            yield Finding(
                location=location,
                message=message,
                related=tuple(_routes_related([route])),
                fix=fix,
                severity=severity,
            )


RULES = (gw601, gw602, gw603, gw604, gw605, gw606, gw607, gw608, gw609)
