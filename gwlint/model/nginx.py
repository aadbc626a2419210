"""The nginx side of a deployment: upstream groups and the routes (locations) that proxy.

Inheritance (http -> server -> location -> nested location / ``if``) is resolved once, by the
loader; a route's fields are the *effective* values, each with the place it was set or the default
of the nginx version in use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, NamedTuple

from gwlint.model.address import Address
from gwlint.model.source import Source, Sourced

Protocol = Literal["http", "uwsgi", "fastcgi", "scgi", "grpc"]

PASS_DIRECTIVES: dict[str, Protocol] = {
    "proxy_pass": "http",
    "uwsgi_pass": "uwsgi",
    "fastcgi_pass": "fastcgi",
    "scgi_pass": "scgi",
    "grpc_pass": "grpc",
}

# the directive prefix of each protocol's module: proxy_read_timeout, uwsgi_read_timeout, ...
MODULE_PREFIX: dict[Protocol, str] = {
    "http": "proxy",
    "uwsgi": "uwsgi",
    "fastcgi": "fastcgi",
    "scgi": "scgi",
    "grpc": "grpc",
}


class Directive(NamedTuple):
    """One nginx statement after includes are expanded, with its file, line and context (a
    named tuple: one is made per statement, and its ``Source`` only when asked for)."""

    name: str
    args: tuple[str, ...]
    path: str
    line: int
    column: int | None
    note: str | None = None  # as Source.note: "from the stock proxy_params"
    context: tuple[str, ...] = ()  # enclosing blocks, e.g. ("http", "server", "location")
    invalid: str | None = None  # why nginx rejects the value ('invalid value "1.5s"'), if it does

    @property
    def source(self) -> Source:
        return Source(self.path, self.line, self.column, None, self.note)


class UpstreamServer(NamedTuple):
    """A ``server`` of an upstream group, or the address of a direct ``proxy_pass``."""

    address: Address
    params: tuple[str, ...]
    source: Source

    def param(self, name: str) -> str | None:
        """``max_fails=3`` -> "3"; a flag (``backup``, ``down``) -> ""; absent -> None."""
        for param in self.params:
            key, sep, value = param.partition("=")
            if key == name:
                return value if sep else ""
        return None


class Upstream(NamedTuple):
    """An explicit ``upstream NAME {}`` group."""

    name: str
    source: Source
    servers: tuple[UpstreamServer, ...]
    keepalive: Sourced[int]  # cached idle connections per worker; 0 = none
    keepalive_timeout: Sourced[int]  # ms
    keepalive_requests: Sourced[int]
    directives: tuple[Directive, ...]
    # why some of its servers are not known (a template placeholder): ``servers`` holds only
    # the known ones, so it is not the whole group
    unknown: str | None = None


class Target(NamedTuple):
    """Where a route sends requests: an upstream group, an address, or only known at runtime."""

    raw: str
    scheme: str  # "http", "https", "uwsgi", "suwsgi" or "" when none was written
    upstream: str | None = None  # name of the explicit upstream{} used
    servers: tuple[UpstreamServer, ...] = ()  # what nginx connects to
    dynamic: bool = False  # the host part has variables: only known per request
    variables: bool = False  # any variable in the argument: nginx resolves the name per request
    uri: str | None = None  # the URI part of proxy_pass ("/" in http://app/), if any
    unknown: str | None = None  # why the address is not known (a template placeholder)


class Route(NamedTuple):
    """A ``location`` (or ``if``/``limit_except`` inside one) that passes requests to an app."""

    server_name: str  # first server_name of the enclosing server, "" if none
    location: str  # "/api/", "= /x", "~ \\.php$", "@named"; "" outside any location
    location_source: Source | None
    pass_directive: Directive
    protocol: Protocol
    target: Target
    # timeouts of the module in use (proxy_* or uwsgi_*), ms
    read_timeout: Sourced[int]
    send_timeout: Sourced[int]
    connect_timeout: Sourced[int]
    client_max_body_size: Sourced[int]
    client_header_buffer_size: Sourced[int]  # bytes (http/server level)
    large_client_header_buffers: Sourced[tuple[int, int]]  # (number, size)
    # buffers of the module in use
    buffering: Sourced[str]  # "on" / "off"
    request_buffering: Sourced[str]
    buffer_size: Sourced[int]
    buffers: Sourced[tuple[int, int]]  # (number, size)
    busy_buffers_size: Sourced[int]
    next_upstream: Sourced[str]  # e.g. "error timeout"
    next_upstream_tries: Sourced[int]  # 0 = unlimited
    next_upstream_timeout: Sourced[int]  # ms; 0 = unlimited
    keepalive_timeout: Sourced[int]  # client side (core keepalive_timeout), ms
    # request headers set with proxy_set_header, by lower-case name (http only)
    headers: dict[str, Sourced[str]]
    http_version: Sourced[str] | None = None  # proxy_http_version (http only)
    connection_header: Sourced[str] | None = None  # Connection header sent upstream ("" = none)
    # (an outer proxy_set_header Connection this route does not inherit, the first of the
    # route's own proxy_set_header directives that replace it): all-or-nothing inheritance
    connection_dropped: tuple[Source, Source] | None = None
    # outer request headers that this route's own proxy_set_header directives drop, with
    # where they were set
    headers_dropped: tuple[tuple[str, Source], ...] = ()
    resolver: Sourced[str] | None = None  # effective resolver, if any
    local: tuple[Directive, ...] = ()  # directives written in the route's own block

    @property
    def module(self) -> str:
        return MODULE_PREFIX[self.protocol]

    @property
    def location_modifier(self) -> str:
        """``=``, ``~``, ``~*``, ``^~``, ``@`` (a named location), or "" for a prefix."""
        if self.location.startswith("@"):
            return "@"
        first, _, rest = self.location.partition(" ")
        return first if rest and first in ("=", "~", "~*", "^~") else ""

    def describe(self) -> str:
        where = f"location {self.location}" if self.location else "server"
        return f"{where} ({self.pass_directive.name} {self.target.raw})"


class Listen(NamedTuple):
    """An address a server block listens on (``listen``; ``*:80`` when it has none)."""

    address: Address
    source: Source  # the listen directive, or nginx's default for a server without one


class NginxConfig(NamedTuple):
    files: tuple[str, ...]  # every file read, roots first
    version_label: str  # "nginx 1.30"
    upstreams: dict[str, Upstream]
    routes: tuple[Route, ...]
    directives: tuple[Directive, ...]  # every statement, in file order
    # where the statements of each directive name are in ``directives``, in file order: the
    # rules that read a few names visit those only (a large config has 40k statements, and each
    # pass over all of them took a rule 10 ms); found by the loader as it lists them
    positions: dict[str, list[int]]
    # main-level settings: worker_processes, user, worker_connections (events)
    main: dict[str, Sourced[str]]
    listens: tuple[Listen, ...] = ()  # of every server block
    # only fragments (server/location/upstream blocks to be included), no main file: an
    # upstream name they use may be defined in the file that includes them
    fragment: bool = False

    def named(self, names: Iterable[str]) -> list[Directive]:
        """The statements of these directive names, in file order."""
        positions = self.positions
        indexes = [index for name in set(names) for index in positions.get(name, ())]
        indexes.sort()
        return [self.directives[index] for index in indexes]
