"""Which loader reads which file: a file's kind from its name and content, and directory walks."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["nginx", "gunicorn", "uwsgi", "launcher"]

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "build",
        "dist",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        "site-packages",
    }
)
NGINX_DIRS = frozenset(
    {"sites-enabled", "sites-available", "conf.d", "http.d", "vhosts.d", "nginx"}
)
NGINX_SUFFIXES = (".conf", ".nginx", ".conf.template", ".vhost", ".nginxconf")
# templates rendered before deployment (Jinja, Liquid, ERB...): not configs as they stand
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".liquid", ".tmpl", ".tpl", ".erb", ".mustache")
SNIFF_BYTES = 65536

_SECTION = re.compile(rb"^\s*\[([^\]\r\n]+)\]\s*$", re.MULTILINE)
_NGINX_MARKERS = re.compile(
    rb"^\s*(server|location|upstream|http|events|proxy_pass|uwsgi_pass|listen|server_name|"
    rb"include|worker_processes|proxy_set_header|root|return|rewrite|add_header|"
    rb"client_max_body_size|map|error_page|access_log|error_log|ssl_certificate|"
    rb"proxy_[a-z_]+|uwsgi_[a-z_]+|fastcgi_[a-z_]+|scgi_[a-z_]+|gzip[a-z_]*|keepalive_timeout|"
    rb"sendfile|types|index|try_files|charset|expires|limit_[a-z_]+)\b[^\n]*[;{]",
    re.MULTILINE,
)
_PY_ASSIGN = re.compile(rb"^[A-Za-z_][A-Za-z0-9_]*\s*=", re.MULTILINE)


def nonblocking(path: str, flags: int) -> int:
    """``open``'s opener that never waits: a FIFO would otherwise block until something writes
    to it (then reads as empty, or fails the regular-file check of the loaders)."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def read_head(path: str) -> bytes:
    """The first SNIFF_BYTES of a file (b"" when it cannot be read): enough to tell its kind."""
    try:
        with open(path, "rb", opener=nonblocking) as handle:  # a FIFO: b"" at once
            return handle.read(SNIFF_BYTES)
    except OSError:
        return b""


def _has_uwsgi_section(head: bytes, section: str) -> bool:
    return any(m.group(1).strip() == section.encode() for m in _SECTION.finditer(head))


def looks_like_nginx(head: bytes) -> bool:
    return bool(_NGINX_MARKERS.search(head)) and not _SECTION.search(head)


def classify(path: str, *, section: str = "uwsgi", walking: bool = False) -> Kind | None:
    """The kind of a config file, or None. ``walking``: stricter, for files found in folders."""
    name = os.path.basename(path).lower()
    parent = os.path.basename(os.path.dirname(os.path.abspath(path))).lower()
    if walking and name.endswith(TEMPLATE_SUFFIXES):
        return None
    if name.endswith(".py"):
        if not walking or "gunicorn" in name:
            return "gunicorn"
        return None
    head = read_head(path)
    from gwlint.loaders.detect_launcher import launcher_kind  # not launchers: a reader

    if name.endswith(".ini"):
        if _has_uwsgi_section(head, section):
            return "uwsgi"
        if launcher_kind(path, walking=walking) is not None:
            return "launcher"  # a supervisord .ini
        return None if walking else "uwsgi"
    if launcher_kind(path, walking=walking) is not None:
        return "launcher"  # Procfile, Dockerfile, compose, systemd, supervisord, env, shell
    if "gunicorn" in name and _PY_ASSIGN.search(head) and not looks_like_nginx(head):
        return "gunicorn"
    if _has_uwsgi_section(head, section):
        return "uwsgi"
    nginx_name = name.endswith(NGINX_SUFFIXES) or name.startswith("nginx") or parent in NGINX_DIRS
    if walking and not nginx_name:
        return None
    if looks_like_nginx(head) or (not walking and nginx_name and not _SECTION.search(head)):
        return "nginx"
    return None


@dataclass
class Inputs:
    nginx: list[str] = field(default_factory=list)
    gunicorn: list[str] = field(default_factory=list)
    uwsgi: list[str] = field(default_factory=list)
    launcher: list[str] = field(default_factory=list)
    walked_nginx: set[str] = field(default_factory=set)  # found in a folder, not named

    def add(self, kind: Kind, path: str) -> None:
        bucket = getattr(self, kind)
        if path not in bucket:
            bucket.append(path)


def walk(root: str, inputs: Inputs, *, section: str = "uwsgi") -> None:
    """Every config under ``root``, skipping VCS folders, virtualenvs and build output."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        for name in sorted(files):
            path = os.path.join(folder, name)
            if path.startswith("./"):
                path = path[2:]
            kind = classify(path, section=section, walking=True)
            if kind is not None:
                inputs.add(kind, path)
                if kind == "nginx":
                    inputs.walked_nginx.add(path)
