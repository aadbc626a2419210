"""Caddy in front of the app -> ``FrontConfig`` (kind "caddy"): a Caddyfile or Caddy's JSON config.

Each ``reverse_proxy`` (and ``php_fastcgi``) becomes a ``FrontRoute`` with the values in effect
there, each with the place it is written or Caddy's default, taken from Caddy's source
(file:line at v2.10.0; where Caddy 2.6.2, Debian's package, differs, it is said).

**Reading.** A Caddyfile is split and grouped exactly as Caddy does (``gwlint.loaders.caddyfile``,
a port of Caddy's lexer and parser): ``{$VAR}`` / ``{$VAR:default}`` are Caddy's own substitution
when it reads the file (parse.go:63-111): a variable given with ``--env`` takes its value, else a
default is used, else the value is *unknown* (never a guess). ``{env.VAR}`` and the other
``{...}`` placeholders are filled per request: unknown too. Imports (snippets and files, globs)
are followed, never outside the folders of the run; a missing one is a GW002. Everything Caddy
refuses (unbalanced braces, a bad duration, an unknown transport, an upstream URL with a path...)
is a GW001 with file and line. Caddy's JSON (``apps.http.servers.*.routes``, ``subroute``
handlers, ``errors`` and ``named_routes``) is read with the line of every value (PyYAML's
composer over the JSON text, which is YAML).

**Effective values** (``_route``), for the ``http`` transport (``httptransport.go``):

- *read_timeout*, how long Caddy waits for the app's response header: Go's Transport
  ``ResponseHeaderTimeout`` (``response_header_timeout``) starts when the request is fully written
  and ends the round trip with "timeout awaiting response headers" (go1.19.8
  net/http/transport.go:2629-2650); ``read_timeout`` is a deadline Caddy sets before every read
  from the connection (httptransport.go:334-343, 775-785), so it also bounds the wait for the
  first byte of the response (the read that waits for it began when the connection went idle or
  was dialed: transport.go:2093, so a reused connection gets *less*), but only on TCP: a unix
  socket is not wrapped (httptransport.go:336 ``conn.(*net.TCPConn)``). The effective one is the
  smaller of the two that apply; neither set: None, Caddy waits without limit ("Default: No
  timeout", httptransport.go:105-106, 122-123).
- *connect_timeout*: ``dial_timeout``, 3 s when unset (httptransport.go:201-205).
- *reuse* / *idle_timeout*: keep-alive is on with idle connections kept 2 min
  (httptransport.go:192-199 -> ``IdleConnTimeout``, 394; Go closes an idle connection after it:
  transport.go:994-999); ``keepalive off`` (or ``proxy_protocol``, httptransport.go:397-403)
  turns reuse off. Before Caddy 2.11 the defaults apply only when *no* keep-alive option is
  written: ``keepalive_idle_conns 8`` alone leaves ``IdleConnTimeout`` at 0, which Go reads as no
  limit (fixed in 2.11.0, commit abe0acab "set default values for keepalive if only some of them
  are set"). A ``read_timeout`` shorter than the idle timeout ends idle TCP connections first
  (the idle read times out, readLoopPeekFailLocked closes the connection: transport.go:2093-2099).
- *retries_idempotent*: Go's Transport resends a request that failed on a *reused* connection
  before any response byte when it is replayable: GET/HEAD/OPTIONS/TRACE without a body, or with
  an Idempotency-Key header (go1.19.8 transport.go:685-730 ``shouldRetryRequest``,
  request.go:1435-1449 ``isReplayable``; Caddy clears an empty body "for http.Transport retries",
  reverseproxy.go:662-664). Caddy's own ``lb_retries``/``lb_try_duration`` default to 0: no retry
  (reverseproxy.go:1124-1129); set, they retry a failed dial always and other errors only for
  GET (reverseproxy.go:1142-1167). h2c goes through Go's HTTP/2 transport: not claimed.
- *headers*: Caddy sets X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host itself
  (reverseproxy.go:741-822, ``addForwardedHeaders``); ``header_up`` sets, adds or (``-Name``)
  deletes request headers after that (reverseproxy.go:560-569). *preserve_host*: the request's
  Host goes through unchanged (reverseproxy.go:435 keeps ``clonedReq.Host``, ``directRequest``
  changes only the URL, 1190-1203; Go writes ``r.Host``, go1.19.8 net/http/request.go:574-580)
  unless ``header_up Host`` changes it.
- *body_limit*: ``request_body { max_size }`` (requestbody.go:38-39, 83-84; 413 past it); none:
  0, unlimited. *field_limit*: the server's ``max_header_size``, else Go's 1 MiB for the whole
  request header (go1.19.8 net/http/server.go:858-872). *client_keepalive*: the server's
  ``timeouts { idle }``, else 5 min (app.go:397-403, 789-793).

The ``fastcgi`` transport (``transport fastcgi``, ``php_fastcgi``) dials a new connection for
every request and closes it with the response (fastcgi.go:159-170): no reuse, no retry; its
``read_timeout`` is one deadline for the whole response, set once (client.go:364-369); dial 3 s
(fastcgi.go:106-110).

Upstreams (reverseproxy/addresses.go:65-151): ``host:port``, ``:port`` (Go dials 0.0.0.0, the
local host: net/ipsock_posix.go:145-147 -> 127.0.0.1), ``http://``, ``https://`` (TLS to the
app, params ``tls``), ``h2c://`` (params ``h2c``), ``unix//path``, ``unix+h2c//path``; no port:
80 (443 for https). The last upstream's scheme decides for all of them (caddyfile.go:870-901):
https turns TLS on (params ``tls``), h2c sets the versions to h2c and 2 (params ``h2c``). A
placeholder upstream is unknown.

Status codes Caddy answers when the app fails (reverseproxy.go:1368-1389 ``statusError``): 504
when the error is a timeout (``response_header_timeout``, ``read_timeout``), 502 for any other
(refused, reset, closed: a dial error is wrapped in ``DialError``, which is not a ``net.Error``,
so even a dial timeout is a 502: 1470-1472), 499 when the client went away, 503 when no upstream
is available (reverseproxy.go:524).

Comments that say ``gwlint:`` are passed on for suppressions, as the other readers do. The work
is bounded: tokens and imports (``caddyfile.MAX_TOKENS``, ``MAX_IMPORTS``), nesting
(``MAX_DEPTH``), proxies (``MAX_PROXIES``) and files one glob reads (``MAX_IMPORT_MATCHES``);
past one a GW001 says which, and the rest is not read.
"""

from __future__ import annotations

import functools
import glob
import json
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gwlint.loaders.caddyfile import (
    CaddyfileError,
    Comment,
    Dispenser,
    Parser,
    ServerBlock,
    Token,
    Versioned,
    display_join,
    replace_env,
    tokenize,
)
from gwlint.loaders.common import (
    Problems,
    isfile_within,
    outside,
    outside_message,
    read_text,
)
from gwlint.model import address as addr
from gwlint.model.front import FrontConfig, FrontRoute, FrontSetting
from gwlint.model.nginx import Protocol, UpstreamServer
from gwlint.model.source import Source, Sourced, at, default_of
from gwlint.model.units import UNLIMITED_MS
from gwlint.model.versions import Version, format_version, parse_version

# the Caddy releases whose defaults and syntax this reader knows
KNOWN_VERSIONS: tuple[Version, Version] = ((2, 6, 0), (2, 11, 999))
DEFAULT_VERSION = "2.10"
# Caddy 2.11.0 fills each keep-alive default on its own (abe0acab, #7318)
KEEPALIVE_DEFAULTS_EACH: Version = (2, 11, 0)
SCHEME_CHECK: Version = (2, 7, 5)  # ws://, wss:// and unknown schemes refused
PORT_RANGES: Version = (2, 7, 0)  # app:8000-8002 expands (75b690d2, #5494)
# the http transport's subdirectives that came after Caddy 2.6 (caddyfile.go of each release)
TRANSPORT_SINCE: dict[str, Version] = {
    "proxy_protocol": (2, 7, 0),
    "forward_proxy_url": (2, 8, 0),
    "tls_curves": (2, 8, 0),
    "tls_trust_pool": (2, 8, 0),
    "local_address": (2, 9, 0),
    "network_proxy": (2, 10, 0),
}
MAX_JSON_NODES = 200_000
MAX_DEPTH = 64  # nested handle/route blocks (or JSON subroutes) read: real configs nest a few
# proxies read in one config, and files one import glob reads: far more than real configs have;
# past them the rest is not read (a GW001 says so), which bounds the work on hostile input
MAX_PROXIES = 2_000
MAX_IMPORT_MATCHES = 1_000

# the value types of a route's settings (at run time ``Sourced[int]`` is ``Sourced`` itself)
_SourcedInt = Sourced[int]
_SourcedBool = Sourced[bool]
_SourcedStr = Sourced[str]

_NS_PER_MS = 1_000_000
DEFAULT_DIAL_NS = 3 * 1_000_000_000  # httptransport.go:203-205, fastcgi.go:108-110
DEFAULT_IDLE_NS = 2 * 60 * 1_000_000_000  # httptransport.go:196
DEFAULT_SERVER_IDLE_NS = 5 * 60 * 1_000_000_000  # app.go:793
GO_MAX_HEADER_BYTES = 1 << 20  # go1.19.8 net/http/server.go:861

_MARK_OPEN = "\ue000"
_MARK_CLOSE = "\ue001"
_MARKER = re.compile(f"{_MARK_OPEN}(\\d+){_MARK_CLOSE}")
_ATOI = re.compile(r"[+-]?[0-9]+")
_HOST_VALUES = frozenset({"{host}", "{hostport}", "{http.request.host}", "{http.request.hostport}"})
# Caddy's JSON keys of caddyhttp.Server and of the http transport that are durations
_JSON_DURATIONS = (
    "read_timeout",
    "write_timeout",
    "dial_timeout",
    "response_header_timeout",
    "expect_continue_timeout",
    "dial_fallback_delay",
)


# --- detection -----------------------------------------------------------------------------


_JSON_HTTP_SERVERS = re.compile(
    rb'"apps"\s*:\s*\{.*?"http"\s*:\s*\{.*?"servers"\s*:\s*\{', re.DOTALL
)


def is_caddyfile(path: str, head: bytes) -> bool:
    """A Caddy config: by name as ``caddy run --config`` decides (cmd/main.go:107-140 at
    v2.10.0: a base name that starts with ``caddyfile`` or ends with ``.caddyfile``, any case,
    and is not ``.json``), or a JSON file whose start holds ``"apps": {"http": {"servers": {``.
    A ``caddy*.json`` also counts when it has ``"apps"``, whatever comes first (a long
    ``logging`` section may push ``http`` out of ``head``). Any other JSON file is not read as
    Caddy's: the lead may pass one named on the command line straight to ``load_caddy``."""
    name = os.path.basename(path).lower()
    if name.endswith(".json"):
        if _JSON_HTTP_SERVERS.search(head):
            return True
        return name.startswith("caddy") and b'"apps"' in head
    if name.endswith((".md", ".rst", ".html")):
        return False  # documentation about a Caddyfile
    return name.startswith("caddyfile") or name.endswith(".caddyfile")


_JSON_START = re.compile(r'\A\s*\{\s*["}]')


def _is_json(path: str, text: str) -> bool:
    """Caddy's JSON, not a Caddyfile (whose global options block also opens with ``{``)."""
    return path.lower().endswith(".json") or _JSON_START.match(text) is not None


# --- values --------------------------------------------------------------------------------


class BadValue(ValueError):
    """A value Caddy refuses (its message)."""


def parse_go_duration(text: str) -> int:
    """Nanoseconds, as Go's ``time.ParseDuration`` (go1.19.8 time/format.go:1522-1615);
    ``BadValue`` where Go refuses."""
    data = text.encode("utf-8", "surrogateescape")
    orig = text
    total = 0
    negative = False
    if data[:1] in (b"-", b"+"):
        negative = data[:1] == b"-"
        data = data[1:]
    if data == b"0":
        return 0
    if not data:
        raise BadValue(f'time: invalid duration "{orig}"')
    units = {
        b"ns": 1,
        b"us": 1_000,
        "µs".encode(): 1_000,
        "μs".encode(): 1_000,
        b"ms": 1_000_000,
        b"s": 1_000_000_000,
        b"m": 60_000_000_000,
        b"h": 3_600_000_000_000,
    }
    limit = 1 << 63
    while data:
        if not (data[:1] == b"." or b"0" <= data[:1] <= b"9"):
            raise BadValue(f'time: invalid duration "{orig}"')
        i = 0
        value = 0
        while i < len(data) and 48 <= data[i] <= 57:
            if value > limit // 10:
                raise BadValue(f'time: invalid duration "{orig}"')
            value = value * 10 + data[i] - 48
            if value > limit:
                raise BadValue(f'time: invalid duration "{orig}"')
            i += 1
        pre = i > 0
        data = data[i:]
        fraction = 0
        scale = 1.0
        post = False
        if data[:1] == b".":
            data = data[1:]
            i = 0
            overflow = False
            while i < len(data) and 48 <= data[i] <= 57:
                if not overflow:
                    if fraction > (limit - 1) // 10:
                        overflow = True
                    else:
                        following = fraction * 10 + data[i] - 48
                        if following > limit:
                            overflow = True
                        else:
                            fraction = following
                            scale *= 10
                i += 1
            post = i > 0
            data = data[i:]
        if not pre and not post:
            raise BadValue(f'time: invalid duration "{orig}"')
        i = 0
        while i < len(data) and not (data[i] == 46 or 48 <= data[i] <= 57):
            i += 1
        if i == 0:
            raise BadValue(f'time: missing unit in duration "{orig}"')
        unit_text = data[:i]
        data = data[i:]
        unit = units.get(unit_text)
        if unit is None:
            shown = unit_text.decode("utf-8", "replace")
            raise BadValue(f'time: unknown unit "{shown}" in duration "{orig}"')
        if value > limit // unit:
            raise BadValue(f'time: invalid duration "{orig}"')
        value *= unit
        if fraction > 0:
            value += int(float(fraction) * (float(unit) / scale))
            if value > limit:
                raise BadValue(f'time: invalid duration "{orig}"')
        total += value
        if total > limit:
            raise BadValue(f'time: invalid duration "{orig}"')
    if negative:
        return -total
    if total > limit - 1:
        raise BadValue(f'time: invalid duration "{orig}"')
    return total


def _go_float(text: str) -> float:
    """strconv.ParseFloat for the characters caddy.ParseDuration passes it ([0-9.+-])."""
    if not re.fullmatch(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", text):
        raise BadValue(f'strconv.ParseFloat: parsing "{text}": invalid syntax')
    value = float(text)
    if math.isinf(value):
        raise BadValue(f'strconv.ParseFloat: parsing "{text}": value out of range')
    return value


def _format_float(value: float) -> str:
    """strconv.FormatFloat(v, 'f', -1, 64): the shortest decimal, never an exponent."""
    return format(Decimal(repr(value)), "f")


def parse_duration(text: str) -> int:
    """Nanoseconds, as ``caddy.ParseDuration`` (caddy.go:861-891 at v2.10.0): Go's durations
    and ``d`` for days; at most 1024 characters."""
    if len(text) > 1024:
        raise BadValue("parsing duration: input string too long")
    s = text
    in_number = False
    number_start = 0
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == "d":
            hours = _go_float(s[number_start:i]) * 24.0
            s = s[:number_start] + _format_float(hours) + "h" + s[i + 1 :]
            continue  # Go: i--, then the loop's i++: the same index, in the new text
        if not in_number:
            number_start = i
        in_number = ch.isascii() and (ch.isdigit() or ch in ".-+")
        i += 1
    return parse_go_duration(s)


_SIZES = {
    "b": 1,
    "kib": 1024,
    "kb": 1000,
    "mib": 1024**2,
    "mb": 1000**2,
    "gib": 1024**3,
    "gb": 1000**3,
    "tib": 1024**4,
    "tb": 1000**4,
    "pib": 1024**5,
    "pb": 1000**5,
    "eib": 1024**6,
    "eb": 1000**6,
    "": 1,
    "ki": 1024,
    "k": 1000,
    "mi": 1024**2,
    "m": 1000**2,
    "gi": 1024**3,
    "g": 1000**3,
    "ti": 1024**4,
    "t": 1000**4,
    "pi": 1024**5,
    "p": 1000**5,
    "ei": 1024**6,
    "e": 1000**6,
}


def parse_bytes(text: str) -> int:
    """Bytes, as go-humanize 1.0.1 ``ParseBytes`` (Caddy's sizes): ``10MB`` is 10**7, ``10MiB``
    10 * 2**20, a bare number is bytes, commas are ignored in the number."""
    end = 0
    while end < len(text) and (text[end] in "0123456789.,"):
        end += 1
    number = text[:end].replace(",", "")
    try:
        value = float(number) if re.fullmatch(r"[0-9]*(?:\.[0-9]*)?", number) else math.nan
    except ValueError:
        value = math.nan
    if not number or number == "." or math.isnan(value):
        raise BadValue(f'strconv.ParseFloat: parsing "{number}": invalid syntax')
    unit = text[end:].strip().lower()
    if unit not in _SIZES:
        raise BadValue(f"unhandled size name: {unit}")
    size = value * _SIZES[unit]
    if size >= 2.0**64:
        raise BadValue(f"too large: {text}")
    return int(size)


def _atoi(text: str) -> int:
    """strconv.Atoi: decimal, an optional sign, 64 bits."""
    if not _ATOI.fullmatch(text):
        raise BadValue(f'strconv.Atoi: parsing "{text}": invalid syntax')
    if len(text.lstrip("+-")) > 19:  # past 64 bits, and int()'s 4300-digit limit
        raise BadValue(f'strconv.Atoi: parsing "{text}": value out of range')
    value = int(text)
    if not -(2**63) <= value < 2**63:
        raise BadValue(f'strconv.Atoi: parsing "{text}": value out of range')
    return value


def _ms(ns: int) -> int:
    """Nanoseconds as milliseconds, a positive duration at least 1 ms."""
    if ns <= 0:
        return 0
    return max(1, -(-ns // _NS_PER_MS))


# --- the intermediate form both readers fill -------------------------------------------------


@dataclass
class _Value:
    """A value as written: its text, place and parsed number, or why it is not known."""

    raw: str
    path: str
    line: int
    number: int | None = None  # nanoseconds for a duration, bytes for a size
    unknown: str | None = None
    column: int | None = None

    @property
    def source(self) -> Source:
        return at(self.path, self.line, self.column)


@dataclass
class _Upstream:
    raw: str
    path: str
    line: int
    address: addr.Address
    params: tuple[str, ...] = ()
    unknown: str | None = None
    column: int | None = None


@dataclass
class _Proxy:
    directive: str
    site: str
    scope: str
    path: str
    line: int
    column: int | None = None
    via: str | None = None  # the import that brought the directive here
    upstreams: list[_Upstream] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    dynamic: str | None = None
    transport: str = "http"
    settings: dict[str, _Value] = field(default_factory=dict)
    keepalive_off: _Value | None = None
    keepalive_struct: _Value | None = None  # the first keep-alive option written
    versions: list[str] = field(default_factory=list)
    tls: bool = False
    proxy_protocol: _Value | None = None
    lb_retries: _Value | None = None
    lb_try_duration: _Value | None = None
    headers: list[tuple[str, str, _Value]] = field(default_factory=list)  # (op, field, value)
    body_limits: list[_Value] = field(default_factory=list)
    server_idle: _Value | None = None
    max_header: _Value | None = None


# --- the model -----------------------------------------------------------------------------


def _setting(
    name: str,
    value: int | None,
    written: _Value | None,
    label: str,
    raw: str,
    note: str | None = None,
) -> FrontSetting:
    if written is None:
        return _default_setting(name, value, label, raw, note)
    source = (
        written.source
        if note is None
        else Source(path=written.path, line=written.line, column=written.column, note=note)
    )
    return FrontSetting(
        name=name,
        value=_SourcedInt(
            value=None if written.unknown else value,
            raw=written.raw,
            source=source,
            unknown=written.unknown,
        ),
    )


@functools.lru_cache(maxsize=256)
def _default_setting(
    name: str, value: int | None, label: str, raw: str, note: str | None
) -> FrontSetting:
    """A default, built once (models are frozen: every route shares it)."""
    source = Source(default_of=label, note=note)
    return FrontSetting(name=name, value=_SourcedInt(value=value, raw=raw, source=source))


@functools.lru_cache(maxsize=16)
def _default_headers(label: str) -> tuple[tuple[str, Sourced[str]], ...]:
    """The X-Forwarded-* headers Caddy sets itself (reverseproxy.go:741-822)."""
    default = default_of(label)
    return (
        (
            "x-forwarded-for",
            _SourcedStr(value="{remote_host}", raw="{remote_host}", source=default),
        ),
        ("x-forwarded-proto", _SourcedStr(value="{scheme}", raw="{scheme}", source=default)),
        ("x-forwarded-host", _SourcedStr(value="{host}", raw="{host}", source=default)),
    )


@functools.lru_cache(maxsize=16)
def _default_flags(label: str) -> tuple[Sourced[bool], Sourced[bool], Sourced[bool]]:
    """Reuse on, the Host kept, and no reuse for fastcgi: Caddy's defaults."""
    default = default_of(label)
    return (
        _SourcedBool(value=True, raw="on", source=default),
        _SourcedBool(value=True, raw="{host}", source=default),
        _SourcedBool(
            value=False,
            raw="fastcgi",
            source=Source(default_of=label, note="a new connection for every request"),
        ),
    )


def _route(proxy: _Proxy, version: Version) -> FrontRoute:
    label = f"Caddy {format_version(version, short=True)}"
    fastcgi = proxy.transport == "fastcgi"
    h2c = "h2c" in proxy.versions or any("h2c" in u.params for u in proxy.upstreams)
    tcp = any(u.address.kind != "unix" for u in proxy.upstreams) or not proxy.upstreams
    settings = proxy.settings

    # connect_timeout
    dial = settings.get("dial_timeout")
    if dial is not None and dial.unknown is None and dial.number == 0:
        dial = None  # 0 is unset: the default applies
    connect = _setting(
        "dial_timeout",
        _ms(dial.number) if dial is not None and dial.number is not None else _ms(DEFAULT_DIAL_NS),
        dial,
        label,
        "3s",
    )

    # read_timeout: the smaller of those that apply
    candidates: list[tuple[str, _Value]] = []
    header_timeout = settings.get("response_header_timeout")
    if not fastcgi and header_timeout is not None:
        candidates.append(("response_header_timeout", header_timeout))
    read = settings.get("read_timeout")
    if read is not None and (fastcgi or tcp):
        candidates.append(("read_timeout", read))
    read_setting: FrontSetting | None = None
    for name, value in candidates:
        if value.unknown is not None:
            read_setting = _setting(name, None, value, label, value.raw)
            break
    else:
        positive = [(v.number or 0, n, v) for n, v in candidates if (v.number or 0) > 0]
        if positive:
            number, name, value = min(positive, key=lambda item: item[0])
            read_setting = _setting(name, _ms(number), value, label, value.raw)

    # reuse and idle connections
    reuse: Sourced[bool]
    idle: FrontSetting | None = None
    reuse_default, _, no_reuse = _default_flags(label)
    if fastcgi:
        reuse = no_reuse
    elif proxy.keepalive_off is not None:
        off = proxy.keepalive_off
        reuse = _SourcedBool(
            value=None if off.unknown else False,
            raw=off.raw,
            source=off.source,
            unknown=off.unknown,
        )
    elif proxy.proxy_protocol is not None:
        pp = proxy.proxy_protocol
        reuse = _SourcedBool(
            value=False,
            raw=pp.raw,
            source=Source(
                path=pp.path,
                line=pp.line,
                column=pp.column,
                note="PROXY protocol turns keep-alive off",
            ),
        )
    else:
        reuse = reuse_default
        idle = _idle(proxy, version, label)
        if read is not None and tcp and read.unknown is None and (read.number or 0) > 0:
            read_ms = _ms(read.number or 0)
            if idle is not None and idle.value.value is not None and read_ms < idle.value.value:
                idle = _setting(
                    "read_timeout",
                    read_ms,
                    read,
                    label,
                    read.raw,
                    note="read_timeout also ends idle connections",
                )

    # retries
    go_retries = not fastcgi and not h2c and reuse.value is True
    lb = False
    for retry in (proxy.lb_retries, proxy.lb_try_duration):
        # any value but 0 retries: a negative one has no limit (reverseproxy.go:1126-1139)
        if retry is not None and retry.unknown is None and (retry.number or 0) != 0:
            lb = True

    # body limit: every request_body that applies wraps the body again: the smallest wins
    limits = [v for v in proxy.body_limits if v.unknown is None and (v.number or 0) > 0]
    unknown_limits = [v for v in proxy.body_limits if v.unknown is not None]
    if unknown_limits:
        body = _setting("max_size", None, unknown_limits[0], label, unknown_limits[0].raw)
    elif limits:
        smallest = min(limits, key=lambda v: v.number or 0)
        body = _setting("max_size", smallest.number, smallest, label, smallest.raw)
    else:
        body = _setting("max_size", 0, None, label, "0")

    header = proxy.max_header
    if header is not None and (header.unknown or (header.number or 0) > 0):
        field_limit = _setting("max_header_size", header.number, header, label, header.raw)
    else:
        field_limit = _setting(
            "max_header_size",
            GO_MAX_HEADER_BYTES,
            None,
            label,
            "1MiB",
            note="Go's limit for the whole request header",
        )
    server_idle = proxy.server_idle
    if server_idle is not None and server_idle.unknown is None and (server_idle.number or 0) <= 0:
        server_idle = None
    client_keepalive = _setting(
        "idle",
        _ms(server_idle.number or 0) if server_idle is not None else _ms(DEFAULT_SERVER_IDLE_NS),
        server_idle,
        label,
        "5m",
    )

    headers, preserve_host = _headers(proxy, label)
    unknown = next((u.unknown for u in proxy.upstreams if u.unknown), None)
    if proxy.dynamic is not None:
        unknown = proxy.dynamic
    elif not proxy.upstreams:
        unknown = "no upstream is written: Caddy answers 503"
    servers = tuple(
        UpstreamServer(address=u.address, params=u.params, source=at(u.path, u.line, u.column))
        for u in proxy.upstreams
    )
    protocol: Protocol = "fastcgi" if fastcgi else "http"
    return FrontRoute(
        kind="caddy",
        site=proxy.site,
        scope=proxy.scope,
        directive=proxy.directive,
        source=at(proxy.path, proxy.line, proxy.column, note=proxy.via),
        raw=" ".join(proxy.raw),
        protocol=protocol,
        servers=servers,
        unknown=unknown,
        read_timeout=read_setting,
        connect_timeout=connect,
        reuse=reuse,
        idle_timeout=idle,
        retries_idempotent=go_retries or lb,
        body_limit=body,
        field_limit=field_limit,
        headers=headers,
        preserve_host=preserve_host,
        client_keepalive=client_keepalive,
    )


def _idle(proxy: _Proxy, version: Version, label: str) -> FrontSetting:
    """How long an idle connection to the app may be reused (see the module's docstring)."""
    written = proxy.settings.get("keepalive")
    if written is not None and (written.unknown or (written.number or 0) > 0):
        return _setting("keepalive", _ms(written.number or 0), written, label, written.raw)
    if written is not None and (written.number or 0) < 0:
        # Go sets the idle timer only for a positive IdleConnTimeout (transport.go:994)
        return _setting(
            "keepalive", UNLIMITED_MS, written, label, written.raw, note="negative: no limit"
        )
    struct = proxy.keepalive_struct
    if struct is not None and version < KEEPALIVE_DEFAULTS_EACH:
        return _setting(
            "keepalive",
            UNLIMITED_MS,
            struct,
            label,
            struct.raw,
            note=f"{struct.raw}, no idle timeout: Caddy before 2.11 then keeps idle connections "
            "without limit",
        )
    return _setting("keepalive", _ms(DEFAULT_IDLE_NS), None, label, "2m")


def _headers(proxy: _Proxy, label: str) -> tuple[dict[str, Sourced[str]], Sourced[bool]]:
    headers: dict[str, Sourced[str]] = dict(_default_headers(label))
    preserve = _default_flags(label)[1]
    for op, name, value in proxy.headers:
        key = name.lower()
        unknown = value.unknown
        if op == "delete":
            shown = ""
        elif op == "replace":
            unknown = unknown or f"header_up {name} replaces by a regular expression"
            shown = value.raw
        else:
            shown = value.raw
        if key == "host":
            keeps = op != "delete" and shown in _HOST_VALUES
            preserve = _SourcedBool(
                value=None if unknown else keeps,
                raw=value.raw or f"-{name}",
                source=value.source,
                unknown=unknown,
            )
            continue
        headers[key] = _SourcedStr(
            value=None if unknown else shown, raw=value.raw, source=value.source, unknown=unknown
        )
    return headers, preserve


# --- upstream addresses --------------------------------------------------------------------


def _split_host_port(text: str) -> tuple[str, str] | None:
    """Go's net.SplitHostPort; None where it errs."""
    if text.startswith("["):
        end = text.find("]")
        if end < 0 or end + 1 >= len(text) or text[end + 1] != ":":
            return None
        host, port = text[1:end], text[end + 2 :]
        if "[" in port or "]" in port:
            return None
        return host, port
    colon = text.rfind(":")
    if colon < 0:
        return None
    host, port = text[:colon], text[colon + 1 :]
    if ":" in host or "[" in host or "]" in host or "[" in port or "]" in port:
        return None
    return host, port


def split_network_address(text: str) -> tuple[str, str, str]:
    """(network, host, port) as ``caddy.SplitNetworkAddress`` (listeners.go:378-406)."""
    network = ""
    rest = text
    before, slash, after = text.partition("/")
    if slash:
        network = before.strip().lower()
        rest = after
        if network.startswith(("unix", "fd")):
            return network, rest, ""
    split = _split_host_port(rest)
    if split is not None:
        return network, split[0], split[1]
    trimmed = rest.strip("[]")
    joined = f"[{trimmed}]:0" if ":" in trimmed else f"{trimmed}:0"
    split = _split_host_port(joined)
    return network, (split[0] if split is not None else rest), ""


_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(.*)$", re.DOTALL)


def parse_upstream(text: str) -> tuple[str, str, str, str]:
    """(scheme, network, host, port) of a Caddyfile upstream, as ``parseUpstreamDialAddress``
    (reverseproxy/addresses.go:65-151 at v2.10.0; the same checks at v2.6.2:33-117);
    ``BadValue`` where Caddy refuses it."""
    if "://" in text:
        if "{" in text:
            raise BadValue(
                "due to parsing difficulties, placeholders are not allowed when an upstream "
                "address contains a scheme"
            )
        found = _URL.match(text)
        if found is None:
            raise BadValue(f'parsing upstream URL: parse "{text}": missing protocol scheme')
        scheme = found.group(1).lower()
        authority = found.group(2).rpartition("@")[2]
        if found.group(3):
            raise BadValue(
                "for now, URLs for proxy upstreams only support scheme, host, and port components"
            )
        if authority.startswith("["):
            end = authority.find("]")
            host = authority[1:end] if end > 0 else authority
            rest = authority[end + 1 :] if end > 0 else ""
            port = rest[1:] if rest.startswith(":") else ""
        else:
            host, _, port = (
                authority.partition(":") if authority.count(":") <= 1 else (authority, "", "")
            )
        if port and not re.fullmatch(r"[0-9]+(?:-[0-9]+)?", port):
            raise BadValue(f'parsing upstream URL: invalid port ":{port}" after host')
        if scheme == "http" and port == "443":
            raise BadValue(
                "upstream address has conflicting scheme (http://) and port (:443, the HTTPS port)"
            )
        if scheme == "https" and port == "80":
            raise BadValue(
                "upstream address has conflicting scheme (https://) and port (:80, the HTTP port)"
            )
        if scheme == "h2c" and port == "443":
            raise BadValue(
                "upstream address has conflicting scheme (h2c://) and port (:443, the HTTPS port)"
            )
        if not port:
            port = {"": "80", "http": "80", "h2c": "80", "https": "443"}.get(scheme, "")
        network = ""
    else:
        scheme = ""
        network, host, port = split_network_address(text)
        if not port and "{" not in host and not network.startswith(("unix", "fd")):
            port = "80"
    if network == "unix+h2c":
        network, scheme = "unix", "h2c"
    return scheme, network, host, port


def check_scheme(scheme: str) -> None:
    """The schemes Caddy 2.7.5 and later accept (reverseproxy/caddyfile.go:168-177 at v2.10.0;
    before 2.7.5 any scheme went through to the transport)."""
    if scheme == "wss":
        raise BadValue("the scheme wss:// is only supported in browsers; use https:// instead")
    if scheme == "ws":
        raise BadValue("the scheme ws:// is only supported in browsers; use http:// instead")
    if scheme not in ("https", "http", "h2c", ""):
        raise BadValue(f"unsupported URL scheme {scheme}://")


def _dial_address(network: str, host: str, port: str, raw: str) -> list[addr.Address]:
    """What Caddy dials; a port range gives one address per port (addresses.go:196-208)."""
    if network.startswith("unix"):
        return [addr.unix(host, raw)]
    if network.startswith("fd"):
        return [addr.Address(kind="fd", raw=raw)]
    if network not in ("", "tcp", "tcp4", "tcp6"):
        return [addr.unknown(raw)]
    if not host:
        # Go dials the unspecified address, which Linux routes to loopback
        host = "::1" if network == "tcp6" else "127.0.0.1"
    low, dash, high = port.partition("-")
    # ASCII digits, at most five: "²" is a digit to isdigit(), not to int()
    if dash and _port_digits(low) and _port_digits(high) and 0 < int(low) <= int(high) < 65536:
        if int(high) - int(low) >= 1024:
            return [addr.unknown(raw)]
        return [addr.tcp(host, number, raw) for number in range(int(low), int(high) + 1)]
    if _port_digits(port) and 0 < int(port) < 65536:
        return [addr.tcp(host, int(port), raw)]
    return [addr.Address(kind="tcp", host=host.lower(), port=None, raw=raw)]


# --- the reader ----------------------------------------------------------------------------


class _Reader:
    """One root file (and its imports): the proxies it defines."""

    def __init__(
        self,
        root: str,
        problems: Problems,
        version: Version,
        env: Mapping[str, str] | None,
    ) -> None:
        self.root = root
        self.problems = problems
        self.version = version
        self.syntax = Versioned.of(version)
        self.env = dict(env or {})
        self.files: list[str] = []
        self.markers: dict[str, str] = {}  # marker -> "{$NAME}" as written
        self.proxies: list[_Proxy] = []
        self._real: dict[str, str] = {}
        self.too_deep = False
        self.too_many = False

    # placeholders

    def lookup(self, name: str, default: str | None) -> str:
        if name in self.env:
            return self.env[name]
        if default is not None:
            return default
        marker = f"{_MARK_OPEN}{len(self.markers)}{_MARK_CLOSE}"
        self.markers[marker] = "{$" + name + "}"
        return marker

    def restore(self, text: str) -> str:
        if _MARK_OPEN not in text:
            return text
        return _MARKER.sub(lambda m: self.markers.get(m.group(0), "{$?}"), text)

    def why_unknown(self, text: str) -> str | None:
        """Why a token's value cannot be known statically, or None."""
        found = _MARKER.search(text)
        if found is not None:
            written = self.markers.get(found.group(0), "{$?}")
            name = written[2:-1]
            return (
                f"{written} is replaced from Caddy's environment when it reads the Caddyfile "
                f"(give it with --env {name}=VALUE)"
            )
        return None

    def realpath(self, path: str) -> str:
        if path not in self._real:
            self._real[path] = os.path.realpath(path) if path else path
        return self._real[path]

    # files

    def tokens_of(self, path: str, text: str) -> list[Token]:
        comments: list[Comment] = []
        tokens = tokenize(
            replace_env(text, self.lookup),
            path,
            heredocs=self.syntax.heredocs,
            comments=comments,
        )
        self._suppressions(path, comments)
        return tokens

    def _suppressions(self, path: str, comments: list[Comment]) -> None:
        """The comments that take part in suppressions (``# gwlint: ignore[...]``), as the
        nginx reader passes them: those that say gwlint (or noqa), and the run of comment
        lines right after one on a line of its own."""
        after = 0
        for comment in comments:
            lowered = comment.text.lower()
            if (
                "gwlint" not in lowered
                and "noqa" not in lowered
                and not (comment.own_line and comment.line == after)
            ):
                continue
            if comment.own_line:
                after = comment.line + 1
            self.problems.comment(
                path,
                comment.line,
                self.restore(comment.text),
                own_line=comment.own_line,
                column=comment.column,
            )

    def importer(self, pattern: str, token: Token) -> list[tuple[str, list[Token]]]:
        """The files an ``import`` names (parse.go:423-478), read within the run's folders."""
        if self.why_unknown(pattern) is not None:
            self.problems.add(
                "GW002",
                token.path,
                token.line,
                f"import {self.restore(pattern)}: the path comes from Caddy's environment "
                "(give it with --env); not followed",
            )
            return []
        full = display_join(token.path, pattern)
        if full.count("*") > 1 or full.count("?") > 1 or ("[" in full and "]" in full):
            raise CaddyfileError(
                f"Glob pattern may only contain one wildcard (*), but has others: {full}",
                token.path,
                token.line,
            )
        wildcard = any(c in full for c in "*?[]")
        if not wildcard:
            return self._one(full, pattern, token)
        folder = os.path.dirname(full)
        while any(c in folder for c in "*?[]"):
            folder = os.path.dirname(folder)
        if outside(folder or ".", token.path):
            self.problems.add(
                "GW002", token.path, token.line, outside_message(full, "Caddyfile import")
            )
            return []
        matches = sorted(glob.glob(full, include_hidden=True))
        if os.path.basename(full).startswith("*"):  # issue #5295: no dot files
            matches = [m for m in matches if not os.path.basename(m).startswith(".")]
        if len(matches) > MAX_IMPORT_MATCHES:
            self.problems.add(
                "GW001",
                token.path,
                token.line,
                f"import {pattern} matches {len(matches)} files: gwlint reads the first "
                f"{MAX_IMPORT_MATCHES}",
            )
            matches = matches[:MAX_IMPORT_MATCHES]
        found: list[tuple[str, list[Token]]] = []
        for match in matches:
            found.extend(self._one(match, pattern, token))
        return found

    def _one(self, path: str, pattern: str, token: Token) -> list[tuple[str, list[Token]]]:
        if outside(path, token.path):
            self.problems.add(
                "GW002", token.path, token.line, outside_message(path, "Caddyfile import")
            )
            return []
        if os.path.isdir(path):
            raise CaddyfileError(f"Could not import {path}: is a directory", token.path, token.line)
        if not isfile_within(path, token.path):
            hint = ""
            if "/" not in pattern and "." not in pattern:
                hint = f"; a snippet ({pattern}) must be defined before it is imported"
            self.problems.add(
                "GW002",
                token.path,
                token.line,
                f"import {pattern}: {path} not found (Caddy refuses to start: File to import "
                f"not found{hint})",
            )
            return []
        text = read_text(path, "GW002", self.problems, kind="Caddyfile", by=token.path)
        if text is None:
            return []
        if path not in self.files:
            self.files.append(path)
        if not text.strip():
            return [(path, [])]
        try:
            return [(path, self.tokens_of(path, text))]
        except CaddyfileError as error:
            raise CaddyfileError(
                f"Could not read tokens while importing {path}: {error.message}",
                error.path,
                error.line,
            ) from error

    def room(self, token: Token | None) -> bool:
        """Whether another proxy may be read (``MAX_PROXIES``); the first one past says so."""
        if len(self.proxies) < MAX_PROXIES:
            return True
        if not self.too_many:
            self.too_many = True
            self.error(token, f"more than {MAX_PROXIES} proxies: gwlint reads no more of them")
        return False

    def error(self, token: Token | None, message: str) -> None:
        if token is None:
            self.problems.add("GW001", self.root, 1, message)
            return
        self.problems.add("GW001", token.path, token.line, self.restore(message))

    # the Caddyfile

    def read_caddyfile(self, text: str) -> None:
        try:
            tokens = self.tokens_of(self.root, text)
            blocks = Parser(tokens, self.importer, self.realpath, self.syntax).parse_all()
        except CaddyfileError as error:
            self.problems.add(
                "GW001",
                error.path or self.root,
                error.line,
                self.restore(f"Caddyfile cannot be parsed: {error.message}"),
            )
            return
        except RecursionError:
            self.problems.add("GW001", self.root, 1, "Caddyfile is nested too deeply to read")
            return
        if blocks and not blocks[0].keys:
            options, sites = blocks[0], blocks[1:]
        else:
            options, sites = None, blocks
        for block in sites:
            if not block.keys:
                first = block.segments[0][0] if block.segments and block.segments[0] else None
                self.error(
                    first,
                    "server block without any key is global configuration, and if used, it "
                    "must be first",
                )
                return
        for block in sites:
            stray = next((key for key in block.keys if key.text == "}"), None)
            if stray is not None:
                self.error(
                    stray,
                    "Unexpected '}' because no matching opening brace (Caddy reads it as a site "
                    "address)",
                )
                return
        seen: dict[str, Token] = {}
        for block in sites:
            if block.named_route:
                continue
            for key in block.keys:
                if key.text in seen:
                    self.error(key, f"ambiguous site definition: {self.restore(key.text)}")
                    return
                seen[key.text] = key
        servers = self._servers(options) if options is not None else []
        try:
            for block in sites:
                self._site(block, servers)
        except RecursionError:
            self.problems.add("GW001", self.root, 1, "Caddyfile is nested too deeply to read")

    def _servers(self, options: ServerBlock) -> list[tuple[str, _Value | None, _Value | None]]:
        """The global ``servers`` options, in order: (listener address, idle, max_header_size)."""
        found: list[tuple[str, _Value | None, _Value | None]] = []
        for segment in options.segments:
            if not segment or segment[0].text != "servers":
                continue
            d = Dispenser(segment)
            d.next()
            listener = d.val() if d.next_arg() else ""
            idle: _Value | None = None
            size: _Value | None = None
            while d.next_block(0):
                name = d.val()
                if name == "timeouts":
                    nesting = d.nesting
                    while d.next_block(nesting):
                        option = d.token()
                        if d.val() == "idle":
                            idle = self._duration(d, option)
                        else:
                            d.remaining_args()
                elif name == "max_header_size":
                    size = self._size(d, d.token())
                else:
                    self._skip(d)
            found.append((listener, idle, size))
        return found

    def _site(
        self, block: ServerBlock, servers: list[tuple[str, _Value | None, _Value | None]]
    ) -> None:
        if block.named_route:
            name = block.keys[0]
            site = f"&({self.restore(name.text)})"
            d = Dispenser(block.segments[0])
            d.next()
            segments = []
            while d.next_block(0):
                segments.append(d.next_segment())
            listeners: list[str] = []
        else:
            site = ", ".join(self.restore(key.text) for key in block.keys)
            segments = block.segments
            listeners = [_listener(self.restore(key.text)) for key in block.keys]
        idle: _Value | None = None
        size: _Value | None = None
        for listener, server_idle, server_size in servers:
            if not listener or listener in listeners:
                idle, size = server_idle, server_size
                break
        context = _Context(site=site, scope=(), bodies=(), idle=idle, size=size)
        self._walk(segments, context)

    def _walk(self, segments: list[list[Token]], context: _Context) -> None:
        bodies = list(context.bodies)
        for segment in segments:
            if segment and segment[0].text == "request_body":
                found = self._request_body(segment)
                if found is not None:
                    bodies.append(found)
        for segment in segments:
            if not segment:
                continue
            name = segment[0].text
            if name.startswith("@") or name == "request_body":
                continue
            if name in ("handle", "handle_path", "route", "handle_errors"):
                self._subroute(segment, context, bodies)
            elif name in ("reverse_proxy", "php_fastcgi") and self.room(segment[0]):
                self._reverse_proxy(segment, context, bodies, php=name == "php_fastcgi")

    def _subroute(
        self, segment: list[Token], context: _Context, bodies: list[tuple[str, _Value]]
    ) -> None:
        if context.depth >= MAX_DEPTH:
            if not self.too_deep:
                self.too_deep = True
                self.error(
                    segment[0],
                    f"more than {MAX_DEPTH} nested handle/route blocks: gwlint reads no deeper",
                )
            return
        d = Dispenser(segment)
        d.next()
        args = [self.restore(a) for a in d.remaining_args()]
        name = segment[0].text
        part = " ".join([name, *args])
        inner: list[list[Token]] = []
        while d.next_block(0):
            inner.append(d.next_segment())
        matcher = args[0] if args and _is_matcher(args[0]) else ""
        if name == "handle_errors":  # the error routes are another chain (Caddy's JSON "errors")
            bodies = []
        applying = tuple((m, v) for m, v in bodies if m in ("", "*") or (matcher and m == matcher))
        self._walk(
            inner,
            _Context(
                site=context.site,
                scope=(*context.scope, part),
                bodies=tuple((("", v) for _, v in applying)),
                idle=context.idle,
                size=context.size,
                depth=context.depth + 1,
            ),
        )

    def _request_body(self, segment: list[Token]) -> tuple[str, _Value] | None:
        d = Dispenser(segment)
        d.next()
        args = d.remaining_args()
        matcher = self.restore(args[0]) if args and _is_matcher(args[0]) else ""
        limit: _Value | None = None
        while d.next_block(0):
            if d.val() == "max_size":
                token = d.token()
                sizes = d.remaining_tokens()
                if len(sizes) != 1:
                    self.error(token, "request_body max_size: wrong argument count")
                    continue
                limit = self._size_token(sizes[0], "parsing max_size")
            else:
                self._skip(d)
        return (matcher, limit) if limit is not None else None

    # reverse_proxy / php_fastcgi

    def _reverse_proxy(
        self,
        segment: list[Token],
        context: _Context,
        bodies: list[tuple[str, _Value]],
        *,
        php: bool,
    ) -> None:
        d = Dispenser(segment)
        d.next()
        head = segment[0]
        args = d.remaining_tokens()
        matcher = ""
        if args and _is_matcher(args[0].text):
            matcher = self.restore(args[0].text)
            args = args[1:]
        scope = " ".join((*context.scope, matcher)) if matcher else " ".join(context.scope)
        proxy = _Proxy(
            directive=head.text,
            site=context.site,
            scope=scope,
            path=head.path,
            line=head.line,
            server_idle=context.idle,
            max_header=context.size,
            via=f"from {head.imports[-1]}" if head.imports else None,
        )
        if php:
            proxy.transport = "fastcgi"
        proxy.body_limits = [v for m, v in bodies if m in ("", "*") or (matcher and m == matcher)]
        schemes = _Schemes()
        for arg in args:
            self._upstream(proxy, arg, schemes)
        while d.next_block(0):
            sub = d.val()
            token = d.token()
            if sub.startswith("@"):
                self._skip(d)
                continue
            if php and sub in (
                "root",
                "split",
                "env",
                "index",
                "try_files",
                "resolve_root_symlink",
                "capture_stderr",
            ):
                d.remaining_args()
                continue
            if php and sub == "transport":
                # php_fastcgi set its fastcgi transport first (fastcgi/caddyfile.go:393-398)
                self.error(token, "transport already specified")
                self._skip(d)
                continue
            if php and sub in ("dial_timeout", "read_timeout", "write_timeout"):
                value = self._duration(d, token)
                if value is not None:
                    proxy.settings[sub] = value
                continue
            if sub == "to":
                ups = d.remaining_tokens()
                if not ups:
                    self.error(token, d.arg_error().message)
                for up in ups:
                    self._upstream(proxy, up, schemes)
            elif sub == "dynamic":
                module = d.val() if d.next_arg() else ""
                proxy.dynamic = (
                    f"dynamic {self.restore(module)} upstreams: Caddy looks them up at runtime"
                )
                self._skip(d)
            elif sub == "lb_retries":
                proxy.lb_retries = self._integer(d, token, "bad lb_retries number")
            elif sub == "lb_try_duration":
                proxy.lb_try_duration = self._duration(d, token)
            elif sub == "header_up":
                self._header_up(proxy, d, token)
            elif sub == "transport":
                if not d.next_arg():
                    self.error(token, d.arg_error().message)
                    continue
                name = d.val()
                inner = d.next_segment()
                # a second transport replaces the first: Caddy's "transport already
                # specified" tests TransportRaw, which is only set after the loop
                # (caddyfile.go:806-808, 897-900)
                _reset_transport(proxy)
                self._transport(proxy, name, inner, token)
            else:
                self._skip(d)
        self._finish_schemes(proxy, schemes, segment[0])
        self.proxies.append(proxy)

    def _finish_schemes(self, proxy: _Proxy, schemes: _Schemes, head: Token) -> None:
        """caddyfile.go:870-901: the last upstream scheme decides for all of them: https and
        h2c put an http transport in place of none (or of php_fastcgi's fastcgi one), https
        turns TLS on, h2c sets the versions to h2c and 2."""
        common = schemes.common
        if common in ("https", "h2c"):
            if proxy.transport == "fastcgi" and proxy.directive == "php_fastcgi":
                _reset_transport(proxy)
            elif proxy.transport == "fastcgi":
                if common == "https":
                    self.error(
                        head,
                        "upstreams are configured for HTTPS but transport module does not "
                        "support TLS: *fastcgi.Transport",
                    )
                return
            if common == "https":
                proxy.tls = True
            else:
                proxy.versions = ["h2c", "2"]
        elif common == "http" and proxy.tls and proxy.transport == "http":
            self.error(
                head,
                "upstream address scheme is HTTP but transport is configured for HTTP+TLS (HTTPS)",
            )
        extra = (("tls",) if proxy.tls else ()) + (("h2c",) if "h2c" in proxy.versions else ())
        for upstream in proxy.upstreams:
            upstream.params = (*upstream.params, *extra)

    def _upstream(self, proxy: _Proxy, token: Token, schemes: _Schemes) -> None:
        raw = self.restore(token.text)
        proxy.raw.append(raw)
        why = self.why_unknown(token.text)
        if why is not None:
            proxy.upstreams.append(
                _Upstream(raw, token.path, token.line, addr.unknown(raw), unknown=why)
            )
            return
        try:
            scheme, network, host, port = parse_upstream(token.text)
        except BadValue as error:
            self.error(token, f"parsing upstream '{raw}': {error}")
            return
        if self.version >= SCHEME_CHECK:
            try:
                check_scheme(scheme)
            except BadValue as error:
                self.error(token, f"parsing upstream '{raw}': {error}")
                return
        # each scheme is compared with the one before (caddyfile.go:179-183)
        if schemes.common and scheme != schemes.common:
            self.error(
                token,
                "for now, all proxy upstreams must use the same scheme (transport protocol); "
                f"expecting '{schemes.common}://' but got '{scheme}://'",
            )
        schemes.common = scheme
        params: tuple[str, ...] = ()  # tls and h2c apply to all upstreams: set after the loop
        if "{" in host or "{" in port:
            proxy.upstreams.append(
                _Upstream(raw, token.path, token.line, addr.unknown(raw), params, _placeholder(raw))
            )
            return
        if "-" in port and self.version < PORT_RANGES:
            why = f"{raw}: Caddy before 2.7 does not expand a port range"
            proxy.upstreams.append(
                _Upstream(raw, token.path, token.line, addr.unknown(raw), params, why)
            )
            return
        for address in _dial_address(network, host, port, raw):
            why = _undialable(address)
            proxy.upstreams.append(_Upstream(raw, token.path, token.line, address, params, why))

    def _header_up(self, proxy: _Proxy, d: Dispenser, token: Token | None) -> None:
        args = d.remaining_tokens()
        if not 1 <= len(args) <= 3:
            self.error(token, "header_up: wrong argument count")
            return
        name = self.restore(args[0].text)
        value_token = args[1] if len(args) > 1 else args[0]
        value = (
            self._text_value(value_token)
            if len(args) > 1
            else _Value("", args[0].path, args[0].line)
        )
        if name.startswith("+"):
            proxy.headers.append(("add", name[1:], value))
        elif name.startswith("-"):
            proxy.headers.append(("delete", name[1:], value))
        elif name.startswith("?"):
            self.error(
                token,
                f"{name}: the default header modifier ('?') can only be used on response headers",
            )
        elif len(args) == 3:
            proxy.headers.append(("replace", name.lstrip("+-?>"), value))
        else:
            proxy.headers.append(("set", name.lstrip(">"), value))

    def _transport(
        self, proxy: _Proxy, name: str, segment: list[Token], token: Token | None
    ) -> None:
        d = Dispenser(segment)
        d.next()
        if name == "fastcgi":
            proxy.transport = "fastcgi"
            while d.next_block(0):
                sub = d.val()
                at_token = d.token()
                if sub in ("dial_timeout", "read_timeout", "write_timeout"):
                    value = self._duration(d, at_token)
                    if value is not None:
                        proxy.settings[sub] = value
                elif sub in ("root", "split", "env", "resolve_root_symlink", "capture_stderr"):
                    d.remaining_args()
                else:
                    self.error(at_token, f"unrecognized subdirective {sub}")
                    self._skip(d)
            return
        if name != "http":
            self.error(
                token,
                f"unknown transport '{self.restore(name)}': Caddy's are http and fastcgi "
                f"(module http.reverse_proxy.transport.{self.restore(name)} is not registered)",
            )
            while d.next_block(0):
                self._skip(d)
            return
        while d.next_block(0):
            sub = d.val()
            at_token = d.token()
            since = TRANSPORT_SINCE.get(sub)
            if since is not None and self.version < since:
                self.error(
                    at_token,
                    f"unrecognized subdirective {sub} (it came with Caddy "
                    f"{format_version(since, short=True)})",
                )
                self._skip(d)
                continue
            if sub in (
                "read_timeout",
                "write_timeout",
                "dial_timeout",
                "dial_fallback_delay",
                "response_header_timeout",
                "expect_continue_timeout",
                "tls_timeout",
            ):
                value = self._duration(d, at_token)
                if value is not None:
                    proxy.settings[sub] = value
                if sub == "tls_timeout":
                    proxy.tls = True
            elif sub == "keepalive":
                if not d.next_arg():
                    self.error(at_token, d.arg_error().message)
                    continue
                value_token = d.token()
                if value_token is None:
                    continue
                if proxy.keepalive_struct is None:
                    proxy.keepalive_struct = _Value(
                        f"keepalive {self.restore(value_token.text)}",
                        value_token.path,
                        value_token.line,
                    )
                if value_token.text == "off":
                    proxy.keepalive_off = _Value(
                        "keepalive off", value_token.path, value_token.line
                    )
                    continue
                value = self._duration_token(value_token, "bad duration value")
                if value is not None:
                    proxy.settings["keepalive"] = value
                    if value.unknown is not None:  # it may be "off" on the server
                        proxy.keepalive_off = value
            elif sub in (
                "keepalive_interval",
                "keepalive_idle_conns",
                "keepalive_idle_conns_per_host",
            ):
                first = d.token()
                if sub == "keepalive_interval":
                    found = self._duration(d, at_token)
                else:
                    found = self._integer(d, at_token, "bad integer value")
                if found is not None and proxy.keepalive_struct is None and first is not None:
                    proxy.keepalive_struct = _Value(f"{sub} {found.raw}", first.path, first.line)
            elif sub == "versions":
                versions = d.remaining_args()
                if not versions:
                    self.error(at_token, d.arg_error().message)
                proxy.versions = [self.restore(v) for v in versions]
            elif sub == "proxy_protocol":
                if not d.next_arg():
                    self.error(at_token, d.arg_error().message)
                    continue
                value_token = d.token()
                if value_token is None:
                    continue
                if value_token.text not in ("v1", "v2"):
                    self.error(
                        value_token,
                        f"invalid proxy protocol version '{self.restore(value_token.text)}'",
                    )
                    continue
                proxy.proxy_protocol = _Value(
                    f"proxy_protocol {value_token.text}", value_token.path, value_token.line
                )
            elif sub in ("read_buffer", "write_buffer", "max_response_header"):
                self._size(d, at_token)
            elif sub == "max_conns_per_host":
                self._integer(d, at_token, "bad integer value")
            elif sub in (
                "tls",
                "tls_client_auth",
                "tls_insecure_skip_verify",
                "tls_curves",
                "tls_trusted_ca_certs",
                "tls_server_name",
                "tls_renegotiation",
                "tls_except_ports",
            ):
                proxy.tls = True
                d.remaining_args()
            elif sub in ("tls_trust_pool", "network_proxy"):
                if sub == "tls_trust_pool":
                    proxy.tls = True
                self._skip(d)
            elif sub in ("resolvers", "compression", "local_address", "forward_proxy_url"):
                d.remaining_args()
            else:
                self.error(at_token, f"unrecognized subdirective {self.restore(sub)}")
                self._skip(d)

    # values

    def _skip(self, d: Dispenser) -> None:
        """The rest of this subdirective: its arguments and the block it opens."""
        d.next_segment()

    def _text_value(self, token: Token) -> _Value:
        return _Value(
            self.restore(token.text), token.path, token.line, unknown=self.why_unknown(token.text)
        )

    def _one_arg(self, d: Dispenser, token: Token | None) -> Token | None:
        if not d.next_arg():
            self.error(token, d.arg_error().message)
            return None
        return d.token()

    def _duration(self, d: Dispenser, token: Token | None) -> _Value | None:
        value_token = self._one_arg(d, token)
        if value_token is None:
            return None
        name = token.text if token is not None else "duration"
        return self._duration_token(value_token, f"bad {name} value")

    def _duration_token(self, token: Token, what: str) -> _Value | None:
        return self._number_token(token, parse_duration, what)

    def _number_token(
        self, token: Token, parse: Callable[[str], int], what: str, *, quoted: bool = True
    ) -> _Value | None:
        """The token's value as ``parse`` (Caddy's parser of that kind) reads it; an error at
        the token when it refuses it, ``what 'raw': why`` (``what: why`` unless ``quoted``)."""
        value = self._text_value(token)
        if value.unknown is not None:
            return value
        try:
            value.number = parse(token.text)
        except BadValue as error:
            shown = f"{what} '{value.raw}'" if quoted else what
            self.error(token, f"{shown}: {error}")
            return None
        return value

    def _integer(self, d: Dispenser, token: Token | None, what: str) -> _Value | None:
        value_token = self._one_arg(d, token)
        if value_token is None:
            return None
        return self._number_token(value_token, _atoi, what)

    def _size(self, d: Dispenser, token: Token | None) -> _Value | None:
        args = d.remaining_tokens()
        if len(args) != 1:
            self.error(token, d.arg_error().message)
            return None
        name = token.text if token is not None else "size"
        return self._size_token(args[0], f"parsing {name}")

    def _size_token(self, token: Token, what: str) -> _Value | None:
        return self._number_token(token, parse_bytes, what, quoted=False)


@dataclass(frozen=True)
class _Context:
    site: str
    scope: tuple[str, ...]
    bodies: tuple[tuple[str, _Value], ...]  # (matcher, max_size) of request_body that apply
    idle: _Value | None
    size: _Value | None
    depth: int = 0  # nested handle/route blocks or subroutes


def _reset_transport(proxy: _Proxy) -> None:
    proxy.transport = "http"
    proxy.settings = {}
    proxy.keepalive_off = None
    proxy.keepalive_struct = None
    proxy.versions = []
    proxy.tls = False
    proxy.proxy_protocol = None


@dataclass
class _Schemes:
    """The upstream scheme of one reverse_proxy, as Caddy compares them: the last one seen."""

    common: str = ""


def _undialable(address: addr.Address) -> str | None:
    """Why Caddy cannot dial an address it was given, or None."""
    if address.kind == "unknown":
        return f"{address.raw}: Caddy cannot dial this network"
    if address.kind == "tcp" and address.port is None:
        return f"{address.raw} has no port"
    return None


def _placeholder(raw: str) -> str:
    """Why an upstream with a ``{...}`` placeholder is not known statically."""
    if "{env." in raw:
        return f"{raw} is read from Caddy's environment when a request is proxied"
    return f"{raw} is a placeholder Caddy fills in for each request"


def _is_matcher(text: str) -> bool:
    """httptype.go matcherSetFromMatcherToken: ``*``, a path, or a named matcher."""
    return text == "*" or text.startswith("/") or text.startswith("@")


def _listener(key: str) -> str:
    """The ``:port`` Caddy listens on for a site address (https unless said otherwise)."""
    scheme, sep, rest = key.partition("://")
    if not sep:
        scheme, rest = "", key
    rest = rest.split("/", 1)[0]
    split = _split_host_port(rest)
    if split is not None and split[1]:
        return f":{split[1]}"
    return ":80" if scheme == "http" else ":443"


# --- Caddy JSON ----------------------------------------------------------------------------


class _Json:
    """Caddy's JSON config, walked with the line of every value."""

    def __init__(self, path: str, reader: _Reader) -> None:
        self.path = path
        self.reader = reader
        self.too_deep = False

    def read(self, text: str) -> None:
        problems = self.reader.problems
        try:
            json.loads(text)
        except json.JSONDecodeError as error:
            problems.add(
                "GW001",
                self.path,
                error.lineno,
                f"Caddy JSON config cannot be parsed: {error.msg}",
                column=error.colno,
            )
            return
        except (RecursionError, ValueError):
            problems.add("GW001", self.path, 1, "Caddy JSON config cannot be read (too deep)")
            return
        from gwlint.loaders.yaml_nodes import TooManyNodes, compose

        try:
            root = compose(text.replace("\t", " "), MAX_JSON_NODES)
        except TooManyNodes:
            problems.add(
                "GW001",
                self.path,
                1,
                f"Caddy JSON config has more than {MAX_JSON_NODES} values; not read",
            )
            return
        except Exception:  # valid JSON that PyYAML cannot compose
            problems.add("GW001", self.path, 1, "Caddy JSON config cannot be read")
            return
        servers = self._get(self._get(self._get(root, "apps"), "http"), "servers")
        if servers is None or getattr(servers, "id", "") != "mapping":
            return
        try:
            for _, server in servers.value:
                self._server(server)
        except RecursionError:
            problems.add("GW001", self.path, 1, "Caddy JSON config is nested too deeply to read")

    # nodes

    @staticmethod
    def _get(node: Any, key: str) -> Any:
        if node is None or getattr(node, "id", "") != "mapping":
            return None
        found = None
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                found = v  # the last one wins, as Go's encoding/json
        return found

    @staticmethod
    def _key_line(node: Any, key: str) -> int:
        if getattr(node, "id", "") != "mapping":
            return int(node.start_mark.line) + 1
        for k, _ in node.value:
            if getattr(k, "value", None) == key:
                return int(k.start_mark.line) + 1
        return int(node.start_mark.line) + 1

    @staticmethod
    def _scalar(node: Any) -> Any:
        if node is None or getattr(node, "id", "") != "scalar":
            return None
        if node.style == '"':
            return str(node.value)
        text = str(node.value)
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return text

    def _items(self, node: Any) -> list[Any]:
        if node is None or getattr(node, "id", "") != "sequence":
            return []
        return list(node.value)

    def _value(self, node: Any, line: int, *, size: bool = False) -> _Value | None:
        """A duration (string or integer nanoseconds) or a size (bytes)."""
        value = self._scalar(node)
        column = int(node.start_mark.column) + 1 if node is not None else None
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, float):
            if not math.isfinite(value):
                return None
            value = int(value)
        if isinstance(value, int):
            return _Value(str(value), self.path, line, number=value, column=column)
        text = str(value)
        found = _Value(text, self.path, line, column=column)
        if size:
            self.reader.problems.add(
                "GW001", self.path, line, f"Caddy JSON: max_size must be a number, not {text!r}"
            )
            return None
        try:
            found.number = parse_duration(text)
        except BadValue as error:
            self.reader.problems.add(
                "GW001", self.path, line, f"Caddy JSON: bad duration {text!r}: {error}"
            )
            return None
        return found

    # walk

    def _server(self, server: Any) -> None:
        if getattr(server, "id", "") != "mapping":
            return
        listen = [str(self._scalar(n)) for n in self._items(self._get(server, "listen"))]
        idle_node = self._get(server, "idle_timeout")
        idle = (
            self._value(idle_node, self._key_line(server, "idle_timeout"))
            if (idle_node is not None)
            else None
        )
        size_node = self._get(server, "max_header_bytes")
        size = (
            self._value(size_node, self._key_line(server, "max_header_bytes"), size=True)
            if (size_node is not None)
            else None
        )
        base = _Context(site=", ".join(listen), scope=(), bodies=(), idle=idle, size=size)
        self._routes(self._get(server, "routes"), base, ())
        errors = self._get(server, "errors")
        if errors is not None:
            self._routes(
                self._get(errors, "routes"),
                _Context(base.site, ("handle_errors",), (), idle, size),
                (),
            )
        named = self._get(server, "named_routes")
        if named is not None and getattr(named, "id", "") == "mapping":
            for key, route in named.value:
                self._routes_list([route], _Context(f"&({key.value})", (), (), idle, size), ())

    def _routes(self, node: Any, context: _Context, hosts: tuple[str, ...]) -> None:
        self._routes_list(self._items(node), context, hosts)

    def _routes_list(self, routes: list[Any], context: _Context, hosts: tuple[str, ...]) -> None:
        if context.depth > MAX_DEPTH:
            if not self.too_deep:
                self.too_deep = True
                self.reader.problems.add(
                    "GW001",
                    self.path,
                    1,
                    f"more than {MAX_DEPTH} nested subroutes: gwlint reads no deeper",
                )
            return
        inherited = list(context.bodies)
        for route in routes:
            if getattr(route, "id", "") != "mapping":
                continue
            match = self._get(route, "match")
            route_hosts, part = self._match(match)
            here_hosts = hosts + tuple(route_hosts)
            scope = (*context.scope, part) if part else context.scope
            bodies = [("", v) for m, v in inherited if m == "" or m == part]
            for handler in self._items(self._get(route, "handle")):
                kind = self._scalar(self._get(handler, "handler"))
                if kind == "request_body":
                    node = self._get(handler, "max_size")
                    value = (
                        self._value(node, self._key_line(handler, "max_size"), size=True)
                        if (node is not None)
                        else None
                    )
                    if value is not None:
                        bodies.append(("", value))
                        if not part:
                            inherited.append(("", value))
                        else:
                            inherited.append((part, value))
                elif kind == "subroute":
                    self._routes(
                        self._get(handler, "routes"),
                        _Context(
                            context.site,
                            scope,
                            tuple(bodies),
                            context.idle,
                            context.size,
                            context.depth + 1,
                        ),
                        here_hosts,
                    )
                elif kind == "reverse_proxy" and self._room(handler):
                    site = ", ".join(here_hosts) if here_hosts else context.site
                    self._reverse_proxy(
                        handler, _Context(site, scope, tuple(bodies), context.idle, context.size)
                    )

    def _room(self, handler: Any) -> bool:
        if len(self.reader.proxies) < MAX_PROXIES:
            return True
        if not self.reader.too_many:
            self.reader.too_many = True
            self.reader.problems.add(
                "GW001",
                self.path,
                self._key_line(handler, "handler"),
                f"more than {MAX_PROXIES} proxies: gwlint reads no more of them",
            )
        return False

    def _match(self, node: Any) -> tuple[list[str], str]:
        """The hosts of a route's matchers, and the rest shown as its scope."""
        hosts: list[str] = []
        parts: list[str] = []
        for matcher_set in self._items(node):
            if getattr(matcher_set, "id", "") != "mapping":
                continue
            for key, value in matcher_set.value:
                name = str(key.value)
                values = [str(self._scalar(v)) for v in self._items(value)]
                if name == "host":
                    hosts.extend(values)
                elif name == "path":
                    parts.append(",".join(values))
                else:
                    parts.append(f"@{name}")
        return hosts, " ".join(parts)

    def _reverse_proxy(self, handler: Any, context: _Context) -> None:
        line = self._key_line(handler, "handler")
        proxy = _Proxy(
            directive="reverse_proxy",
            site=context.site,
            scope=" ".join(context.scope),
            path=self.path,
            line=line,
            server_idle=context.idle,
            max_header=context.size,
            body_limits=[v for _, v in context.bodies],
        )
        for upstream in self._items(self._get(handler, "upstreams")):
            dial_node = self._get(upstream, "dial")
            dial = self._scalar(dial_node)
            if not isinstance(dial, str):
                continue
            dial_line = int(dial_node.start_mark.line) + 1
            proxy.raw.append(dial)
            if "{" in dial:
                proxy.upstreams.append(
                    _Upstream(
                        dial, self.path, dial_line, addr.unknown(dial), unknown=_placeholder(dial)
                    )
                )
                continue
            network, host, port = split_network_address(dial)
            if "-" in port:  # only the Caddyfile expands a range (hosts.go:112-115)
                proxy.upstreams.append(
                    _Upstream(
                        dial,
                        self.path,
                        dial_line,
                        addr.unknown(dial),
                        unknown=f"{dial}: a dial address must be one socket, not a port range",
                    )
                )
                continue
            for address in _dial_address(network, host, port, dial):
                reason = _undialable(address)
                proxy.upstreams.append(
                    _Upstream(dial, self.path, dial_line, address, unknown=reason)
                )
        if self._get(handler, "dynamic_upstreams") is not None:
            proxy.dynamic = "dynamic upstreams: Caddy looks them up at runtime"
        balancing = self._get(handler, "load_balancing")
        if balancing is not None:
            retries = self._scalar(self._get(balancing, "retries"))
            if isinstance(retries, int) and not isinstance(retries, bool):
                proxy.lb_retries = _Value(
                    str(retries), self.path, self._key_line(balancing, "retries"), number=retries
                )
            try_node = self._get(balancing, "try_duration")
            if try_node is not None:
                proxy.lb_try_duration = self._value(
                    try_node, self._key_line(balancing, "try_duration")
                )
        self._json_headers(proxy, self._get(self._get(handler, "headers"), "request"))
        transport = self._get(handler, "transport")
        if transport is not None:
            self._json_transport(proxy, transport)
        if proxy.tls:
            for u in proxy.upstreams:
                u.params = (*u.params, "tls")
        if "h2c" in proxy.versions:
            for u in proxy.upstreams:
                u.params = (*u.params, "h2c")
        self.reader.proxies.append(proxy)

    def _json_headers(self, proxy: _Proxy, request: Any) -> None:
        if request is None:
            return
        for op in ("set", "add"):
            ops = self._get(request, op)
            if ops is None or getattr(ops, "id", "") != "mapping":
                continue
            for key, values in ops.value:
                items = [str(self._scalar(v)) for v in self._items(values)]
                proxy.headers.append(
                    (
                        op,
                        str(key.value),
                        _Value(",".join(items), self.path, int(key.start_mark.line) + 1),
                    )
                )
        for item in self._items(self._get(request, "delete")):
            name = self._scalar(item)
            if isinstance(name, str):
                proxy.headers.append(
                    ("delete", name, _Value("", self.path, int(item.start_mark.line) + 1))
                )

    def _json_transport(self, proxy: _Proxy, transport: Any) -> None:
        protocol = self._scalar(self._get(transport, "protocol"))
        line = self._key_line(transport, "protocol")
        if protocol == "fastcgi":
            proxy.transport = "fastcgi"
        elif protocol != "http":
            what = (
                f"unknown transport protocol {protocol!r}"
                if protocol
                else ("a transport without a protocol")
            )
            self.reader.problems.add(
                "GW001", self.path, line, f"Caddy JSON: {what}: Caddy's are http and fastcgi"
            )
            return
        for name in _JSON_DURATIONS:
            node = self._get(transport, name)
            if node is not None:
                value = self._value(node, self._key_line(transport, name))
                if value is not None:
                    proxy.settings[name] = value
        if self._get(transport, "tls") is not None:
            proxy.tls = True
        proxy.versions = [
            str(self._scalar(v)) for v in self._items(self._get(transport, "versions"))
        ]
        pp = self._scalar(self._get(transport, "proxy_protocol"))
        if isinstance(pp, str) and pp:
            proxy.proxy_protocol = _Value(
                f"proxy_protocol {pp}", self.path, self._key_line(transport, "proxy_protocol")
            )
        keep = self._get(transport, "keep_alive")
        if keep is not None and getattr(keep, "id", "") == "mapping":
            keep_line = self._key_line(transport, "keep_alive")
            proxy.keepalive_struct = _Value("keep_alive", self.path, keep_line)
            enabled = self._scalar(self._get(keep, "enabled"))
            if enabled is False:
                proxy.keepalive_off = _Value(
                    "keep_alive enabled false", self.path, self._key_line(keep, "enabled")
                )
            idle_node = self._get(keep, "idle_timeout")
            if idle_node is not None:
                value = self._value(idle_node, self._key_line(keep, "idle_timeout"))
                if value is not None:
                    proxy.settings["keepalive"] = value


# --- public API ----------------------------------------------------------------------------


def caddy_version(version: str) -> Version:
    """The release as a tuple; ``ValueError`` when gwlint does not know it."""
    parsed = parse_version(version)
    low, high = KNOWN_VERSIONS
    if not low <= parsed <= high:
        raise ValueError(
            f"{format_version(parsed, short=True)} is not a Caddy release gwlint knows (from "
            f"{format_version(low, short=True)} to {high[0]}.{high[1]}.x)"
        )
    return parsed


def load_caddy(
    path: str,
    problems: Problems,
    *,
    version: str = DEFAULT_VERSION,
    env: Mapping[str, str] | None = None,
) -> FrontConfig:
    """Read one Caddy config (a Caddyfile and what it imports, or Caddy's JSON) into a
    ``FrontConfig``. ``env``: the variables known to be set where Caddy runs (``--env``): a
    ``{$VAR}`` they do not give is unknown, or its default when it has one."""
    parsed = caddy_version(version)
    reader = _Reader(path, problems, parsed, env)
    reader.files.append(path)
    text = read_text(path, "GW001", problems, kind="Caddy")
    if text is not None:
        if _is_json(path, text):
            _Json(path, reader).read(text)
        else:
            reader.read_caddyfile(text)
    routes = tuple(_route(proxy, parsed) for proxy in reader.proxies)
    return FrontConfig(
        kind="caddy",
        files=tuple(reader.files),
        version_label=f"Caddy {format_version(parsed, short=True)}",
        routes=routes,
    )


__all__ = [
    "DEFAULT_VERSION",
    "KNOWN_VERSIONS",
    "BadValue",
    "caddy_version",
    "is_caddyfile",
    "load_caddy",
    "parse_bytes",
    "parse_duration",
    "parse_go_duration",
    "parse_upstream",
    "split_network_address",
]


def _port_digits(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 5
