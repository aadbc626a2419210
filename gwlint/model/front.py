"""A proxy in front of the app that is not nginx: Apache httpd (mod_proxy) or Caddy
(``reverse_proxy``).

Each place that passes requests to an app (an Apache ``ProxyPass``, ``ProxyPassMatch``,
``BalancerMember`` or ``RewriteRule ... [P]``; a Caddy ``reverse_proxy``) is a ``FrontRoute``
with the *effective* values the rules compare, each with the place it was set or the documented
default of the server version in use. Times are milliseconds. Apache's and Caddy's own terms stay
in the setting names (``ProxyTimeout``, ``timeout=``, ``ttl=``; ``response_header_timeout``,
``keepalive``), so messages and fixes name what the user writes.

Pairing with app listeners is by address, exactly as for nginx routes (``model.deployment``).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from gwlint.model.nginx import Protocol, UpstreamServer
from gwlint.model.source import Source, Sourced

FrontKind = Literal["apache", "caddy"]

FRONT_NAMES: dict[str, str] = {"apache": "Apache httpd", "caddy": "Caddy"}


class FrontSetting(NamedTuple):
    """An effective value and the name it is set by (``ProxyTimeout``, ``timeout=`` of a
    ``ProxyPass``, ``response_header_timeout``), for messages and fixes."""

    name: str
    value: Sourced[int]


class FrontRoute(NamedTuple):
    """One place that passes requests to an app, with the values in effect there."""

    kind: FrontKind
    site: str  # "<VirtualHost *:80>" (with its ServerName), Caddy's site address; "" = global
    scope: str  # "<Location /api>", "<Proxy balancer://app>", Caddy's matcher "/api/*"; "" = site
    directive: (
        str  # "ProxyPass", "ProxyPassMatch", "BalancerMember", "RewriteRule", "reverse_proxy"
    )
    source: Source  # where that directive is
    raw: str  # the target as written ("http://127.0.0.1:8000/", "balancer://app", "app:8000")
    protocol: Protocol  # what is spoken to the app: http (also ws, h2c), uwsgi, fastcgi, scgi
    # does the proxy keep idle connections to the app and reuse them? and for how long may an
    # idle one be reused (ms; value UNLIMITED_MS when no limit: Apache without ttl=)
    reuse: Sourced[bool]
    # request headers the proxy sets towards the app, by lower-case name
    headers: dict[str, Sourced[str]]
    servers: tuple[UpstreamServer, ...] = ()  # what the proxy connects to
    unknown: str | None = None  # why the address is not known (a placeholder, ${VAR} unset...)
    # how long the proxy waits for the app's response (header); None: it waits without limit
    read_timeout: FrontSetting | None = None
    connect_timeout: FrontSetting | None = None
    idle_timeout: FrontSetting | None = None
    # does the proxy itself resend a request whose reused connection failed? (Go's transport,
    # under Caddy, retries idempotent requests; Apache does not)
    retries_idempotent: bool = False
    body_limit: FrontSetting | None = None  # bytes; value 0 = unlimited
    field_limit: FrontSetting | None = None  # the largest request header line, bytes
    preserve_host: Sourced[bool] | None = None
    client_keepalive: FrontSetting | None = None  # idle client connections (KeepAliveTimeout)

    @property
    def server_label(self) -> str:
        return FRONT_NAMES[self.kind]

    def describe(self) -> str:
        """``<VirtualHost *:80> <Location /api> (ProxyPass http://127.0.0.1:8000/)``."""
        where = " ".join(part for part in (self.site, self.scope) if part)
        what = f"{self.directive} {self.raw}"
        return f"{where} ({what})" if where else what


class FrontConfig(NamedTuple):
    """An Apache httpd or Caddy configuration: every file read and the routes to apps."""

    kind: FrontKind
    files: tuple[str, ...]  # every file read, roots first
    version_label: str  # "Apache httpd 2.4", "Caddy 2.10"
    routes: tuple[FrontRoute, ...]

    @property
    def server_label(self) -> str:
        return FRONT_NAMES[self.kind]
