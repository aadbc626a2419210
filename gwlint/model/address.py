"""Addresses on both sides, normalised so that an nginx target can be matched to an app listener.

One parser per syntax (nginx ``proxy_pass``/``uwsgi_pass``/``server``, gunicorn ``bind``, uWSGI
``socket``), one model, one matching function.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from enum import Enum
from typing import Literal, NamedTuple

WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "*"})
IPV4_WILDCARDS = frozenset({"", "0.0.0.0", "*"})  # gunicorn ":8000" and uWSGI ":3031" are IPv4
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "ip6-localhost"})
URL_SCHEMES = frozenset({"http", "https", "uwsgi", "suwsgi", "grpc", "grpcs"})


class Address(NamedTuple):
    """A TCP ``host:port``, a unix socket path, an inherited fd, or something not known."""

    kind: Literal["tcp", "unix", "fd", "unknown"]
    host: str | None = None  # lower case, without IPv6 brackets; "" means all interfaces
    port: int | None = None
    path: str | None = None
    raw: str = ""

    def __str__(self) -> str:
        if self.kind == "unix":
            return f"unix:{self.path}"
        if self.kind == "tcp":
            host = self.host if self.host is not None else "?"
            if ":" in host:
                host = f"[{host}]"
            port = "?" if self.port is None else str(self.port)
            return f"{host}:{port}"
        return self.raw

    def for_nginx(self) -> str:
        """How nginx writes this address as a target (a wildcard bind is reached on loopback)."""
        if self.kind == "tcp" and self.host in WILDCARD_HOSTS:
            return f"127.0.0.1:{self.port}"
        return str(self)

    def for_uwsgi(self) -> str:
        """How a uWSGI ini writes this address: a bare path, ``host:port`` or ``:port``."""
        if self.kind == "unix":
            return self.path or ""
        if self.kind == "tcp" and self.host in IPV4_WILDCARDS:
            return f":{self.port}"
        return str(self)

    def for_gunicorn(self) -> str:
        if self.kind == "tcp" and self.host in IPV4_WILDCARDS:
            return f"0.0.0.0:{self.port}"
        return str(self)

    @property
    def is_wildcard(self) -> bool:
        return self.kind == "tcp" and self.host in WILDCARD_HOSTS

    @property
    def is_loopback(self) -> bool:
        return self.kind == "tcp" and self.host in LOOPBACK_HOSTS


def tcp(host: str, port: int | None, raw: str) -> Address:
    return Address(kind="tcp", host=host.lower(), port=port, raw=raw)


def unix(path: str, raw: str) -> Address:
    return Address(kind="unix", path=path, raw=raw)


def unknown(raw: str) -> Address:
    return Address(kind="unknown", raw=raw)


_PORT = re.compile(r"^\d{1,5}$")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")
_UNIX = re.compile(r"unix:(//)?")
_UNIX_SPLIT = re.compile(r"unix:(?://)?")
_DIGITS = re.compile(r"\d+")


def _port(text: str) -> int | None:
    if _PORT.match(text) and 0 < int(text) < 65536:
        return int(text)
    return None


def split_host_port(text: str) -> tuple[str, str | None]:
    """Split ``[::1]:80``, ``host:80`` or ``host`` (port None) into host and port text."""
    if text.startswith("["):
        end = text.find("]")
        if end == -1:
            return text, None
        host = text[1:end]
        rest = text[end + 1 :]
        return host, rest[1:] if rest.startswith(":") else None
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, port
    return text, None


# --- nginx -------------------------------------------------------------------------------------


def parse_nginx_host_port(text: str, default_port: int | None) -> Address:
    """An nginx address without scheme: ``host[:port]``, ``unix:/path``, ``[v6]:port``."""
    if text.startswith("unix:"):
        return unix(text[5:], text)
    host, port_text = split_host_port(text)
    if "$" in text:
        return unknown(text)
    if port_text is None:
        return tcp(host, default_port, text)
    port = _port(port_text)
    return tcp(host, port, text) if port is not None else unknown(text)


def parse_proxy_url(url: str) -> tuple[str, str, str | None]:
    """Split a ``proxy_pass``/``uwsgi_pass`` argument into (scheme, authority, uri).

    ``http://unix:/run/app.sock:/x`` -> (``http``, ``unix:/run/app.sock``, ``/x``).
    """
    scheme = ""
    rest = url
    found = _SCHEME.match(url)
    if found and found.group(1).lower() in URL_SCHEMES:  # not "unix:///run/app.sock"
        scheme = found.group(1).lower()
        rest = url[found.end() :]
    if rest.startswith("unix:"):
        # the colon after the socket path is mandatory when a URI follows
        colon = rest.find(":", 5)
        if colon == -1:
            return scheme, rest, None
        return scheme, rest[:colon], rest[colon + 1 :] or None
    # the host part ends at the first "/", or at a variable after it (http://app:8000$uri)
    ends = [i for i in (rest.find("/"), rest.find("$")) if i > 0]
    if not ends:
        return scheme, rest, None
    cut = min(ends)
    return scheme, rest[:cut], rest[cut:]


# --- gunicorn ----------------------------------------------------------------------------------


def parse_gunicorn_bind(text: str, default_port: int = 8000) -> Address:
    """gunicorn ``bind``: ``HOST``, ``HOST:PORT``, ``[v6]:PORT``, ``unix:PATH``, ``fd://FD``."""
    if _UNIX.match(text):
        return unix(_UNIX_SPLIT.split(text)[-1], text)
    if text.startswith("fd://"):
        return Address(kind="fd", raw=text)
    netloc = text[6:] if text.startswith("tcp://") else text
    if "[" in netloc and "]" in netloc:
        host = netloc.split("]")[0][1:]
        port_text = ([*netloc.split("]:"), str(default_port)])[1]
    elif ":" in netloc:
        host, port_text = ([*netloc.split(":"), str(default_port)])[:2]
    elif netloc == "":
        host, port_text = "0.0.0.0", str(default_port)
    else:
        host, port_text = netloc, str(default_port)
    port = _port(port_text)
    if port is None:
        return unknown(text)
    return tcp(host, port, text)


# --- uWSGI -------------------------------------------------------------------------------------


def parse_uwsgi_socket(text: str) -> Address:
    """uWSGI ``socket``/``http-socket``/``http``: ``host:port``, ``:port`` (any interface), path."""
    value = text.split(",")[0].strip()
    if value.startswith("@") or value.startswith("="):
        return unknown(text)  # abstract namespace / shared socket
    if ":" not in value:
        return unix(value, text)
    host, port_text = split_host_port(value)
    if port_text is None:
        host, _, port_text = value.rpartition(":")
    digits = _DIGITS.match(port_text)  # uWSGI reads the port with atoi
    port = _port(digits.group(0)) if digits else None
    if port is None:
        return unknown(text)
    return tcp(host, port, text)


# --- matching ----------------------------------------------------------------------------------


class Match(Enum):
    YES = "yes"
    MAYBE = "maybe"  # cannot be decided without DNS or runtime facts
    NO = "no"


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_v6(host: str) -> bool:
    return ":" in host and is_ip(host)


def _host_match(target: str, listener: str) -> Match:
    """Hosts of a TCP connection and of a listening socket on the same port."""
    if listener in ("localhost", "ip6-localhost"):
        listener = "127.0.0.1"  # gunicorn and uWSGI bind the IPv4 loopback for "localhost"
    if target == "ip6-localhost":
        target = "::1"
    if listener == "::" or target == listener:
        return Match.YES  # an IPv6 wildcard also accepts IPv4 connections (dual stack)
    if listener in IPV4_WILDCARDS:
        return Match.NO if _is_v6(target) else Match.YES
    if target == "localhost":
        # nginx connects to every address of localhost; GW410 tells when only one listens
        return Match.YES if listener in ("127.0.0.1", "::1") else Match.NO
    if listener in LOOPBACK_HOSTS or target in LOOPBACK_HOSTS:
        # loopback only accepts loopback; 127.0.0.1 and ::1 are different sockets
        return Match.MAYBE if not is_ip(listener) and target in LOOPBACK_HOSTS else Match.NO
    if is_ip(target) and is_ip(listener):
        return Match.NO
    return Match.MAYBE  # at least one host name: DNS decides


def match(target: Address, listener: Address) -> Match:
    """Does a connection to ``target`` reach a socket bound at ``listener``?"""
    if target.kind in ("unknown", "fd") or listener.kind in ("unknown", "fd"):
        return Match.MAYBE
    if target.kind != listener.kind:
        return Match.NO
    if target.kind == "unix":
        a, b = target.path or "", listener.path or ""
        if posixpath.normpath(a) == posixpath.normpath(b):
            return Match.YES
        if not (a.startswith("/") and b.startswith("/")) and posixpath.basename(
            a
        ) == posixpath.basename(b):
            return Match.MAYBE  # a relative path: depends on the working directory
        return Match.NO
    if target.port is None or listener.port is None:
        return Match.MAYBE
    if target.port != listener.port:
        return Match.NO
    return _host_match(target.host or "", listener.host or "")
