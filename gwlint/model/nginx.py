"""The nginx side of a deployment: upstream groups and the routes (locations) that proxy.

Inheritance (http -> server -> location -> nested location / ``if``) is resolved once, by the
loader; a route's fields are the *effective* values, each with the place it was set or the default
of the nginx version in use.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

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


class Directive(BaseModel):
    """One nginx statement after includes are expanded, with its file, line and context."""

    model_config = ConfigDict(frozen=True)

    name: str
    args: tuple[str, ...]
    source: Source
    context: tuple[str, ...] = ()  # enclosing blocks, e.g. ("http", "server", "location")


class UpstreamServer(BaseModel):
    model_config = ConfigDict(frozen=True)

    address: Address
    params: tuple[str, ...]
    source: Source


class Upstream(BaseModel):
    """An explicit ``upstream NAME {}`` group."""

    model_config = ConfigDict(frozen=True)

    name: str
    source: Source
    servers: tuple[UpstreamServer, ...]
    keepalive: Sourced[int]  # cached idle connections per worker; 0 = none
    keepalive_timeout: Sourced[int]  # ms
    directives: tuple[Directive, ...]


class Target(BaseModel):
    """Where a route sends requests: an upstream group, an address, or only known at runtime."""

    model_config = ConfigDict(frozen=True)

    raw: str
    scheme: str  # "http", "https", "uwsgi", "suwsgi" or "" when none was written
    upstream: str | None = None  # name of the explicit upstream{} used
    servers: tuple[UpstreamServer, ...] = ()  # what nginx connects to
    dynamic: bool = False  # contains variables: resolved per request


class Route(BaseModel):
    """A ``location`` (or ``if``/``limit_except`` inside one) that passes requests to an app."""

    model_config = ConfigDict(frozen=True)

    server_name: str  # first server_name of the enclosing server, "" if none
    location: str  # "/api/", "= /x", "~ \\.php$", "@named"; "" outside any location
    location_source: Source | None
    pass_directive: Directive
    protocol: Protocol
    target: Target
    read_timeout: Sourced[int]  # ms; proxy_read_timeout or uwsgi_read_timeout, as the module
    send_timeout: Sourced[int]
    connect_timeout: Sourced[int]
    http_version: Sourced[str] | None = None  # proxy_http_version (http only)
    connection_header: Sourced[str] | None = None  # Connection header sent upstream ("" = none)
    # (an outer proxy_set_header Connection this route does not inherit, the first of the
    # route's own proxy_set_header directives that replace it): all-or-nothing inheritance
    connection_dropped: tuple[Source, Source] | None = None
    client_max_body_size: Sourced[int]

    @property
    def module(self) -> str:
        return MODULE_PREFIX[self.protocol]

    def describe(self) -> str:
        where = f"location {self.location}" if self.location else "server"
        return f"{where} ({self.pass_directive.name} {self.target.raw})"


class NginxConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    files: tuple[str, ...]  # every file read, roots first
    version_label: str  # "nginx 1.30"
    upstreams: dict[str, Upstream]
    routes: tuple[Route, ...]
    directives: tuple[Directive, ...]  # every statement, in file order
