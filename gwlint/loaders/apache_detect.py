"""Telling an Apache httpd config from an nginx one by its first bytes, without loading the
Apache reader: the folder walk asks this of every ``.conf`` file (``inventory.classify``)."""

from __future__ import annotations

_SECTIONS = frozenset(
    {
        "virtualhost",
        "location",
        "locationmatch",
        "directory",
        "directorymatch",
        "proxy",
        "proxymatch",
        "ifmodule",
        "ifdefine",
        "ifversion",
        "files",
        "filesmatch",
    }
)
# directive names no nginx, Caddy or other config writes in any case
_DISTINCT = frozenset(
    name.lower()
    for name in (
        "ProxyPass",
        "ProxyPassMatch",
        "ProxyPassReverse",
        "ProxyPassReverseCookiePath",
        "ProxyPreserveHost",
        "ProxyTimeout",
        "ProxyRequests",
        "ProxyAddHeaders",
        "BalancerMember",
        "LoadModule",
        "ServerRoot",
        "ServerName",
        "ServerAlias",
        "ServerAdmin",
        "ServerTokens",
        "ServerSignature",
        "DocumentRoot",
        "KeepAliveTimeout",
        "MaxKeepAliveRequests",
        "RequestHeader",
        "RewriteEngine",
        "RewriteRule",
        "RewriteCond",
        "ErrorLog",
        "CustomLog",
        "LogLevel",
        "LogFormat",
        "IncludeOptional",
        "WSGIDaemonProcess",
        "WSGIProcessGroup",
        "WSGIScriptAlias",
        "DirectoryIndex",
        "AllowOverride",
        "SSLEngine",
        "SSLCertificateFile",
        "SSLCertificateKeyFile",
        "AddDefaultCharset",
        "LimitRequestBody",
        "LimitRequestFieldSize",
        "HostnameLookups",
        "AccessFileName",
    )
)
# directive names that other formats also use in lower case: only as Apache writes them
_CAMEL = frozenset(
    {
        "Include",
        "Listen",
        "Timeout",
        "KeepAlive",
        "Define",
        "Header",
        "Options",
        "Require",
        "User",
        "Group",
        "Alias",
        "Redirect",
        "Mutex",
        "PidFile",
    }
)


def looks_like_apache(head: bytes) -> bool:
    """Whether the first bytes of a file are an Apache httpd config: section tags
    (``<VirtualHost *:80>``, ``<Location /api>``...) or directives written as Apache writes them
    (``ProxyPass``, ``ServerName x``, ``Listen 80``) outnumbering the lines that end an nginx
    (or Caddy) statement with ``;``, ``{`` or ``}``."""
    text = head.decode("utf-8", "replace")
    apache = 0
    other = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith((";", "{", "}")) and not line.startswith("<"):
            other += 1
            continue
        if line.startswith("<") and line.endswith(">"):
            name = (
                line[1:].lstrip("/").split(None, 1)[0].rstrip(">").lower() if len(line) > 2 else ""
            )
            if name in _SECTIONS:
                apache += 3
            continue
        first, _, rest = line.partition(" ")
        if not rest:
            first, _, rest = line.partition("\t")
        rest = rest.strip()
        if not rest or rest[0] in "=:":
            continue
        if first.lower() in _DISTINCT or first in _CAMEL:
            apache += 1
    return apache > 0 and apache > other
