"""What a file is, from its name and a look at its head: the kind of reader it goes to.

Configs the loaders read (``nginx``, ``apache`` (httpd), ``caddy``, ``gunicorn``, ``uwsgi``,
``hypercorn`` (its TOML), and ``launcher``: a file that starts or configures an app server), and
context the deployment stage reads (``pins``: requirements and lock files; ``manifest``: plain
Kubernetes manifests).
Documentation (Markdown, reStructuredText, text) is never a config, whatever code block it shows;
backup and editor files (``nginx.conf~``, ``.orig``, ``.bak``, ``.dpkg-old``...) are skipped in a
folder walk. Content decides where the name cannot: a systemd unit by its ``[Service]`` section, a
script by its ``#!`` line, an Apache httpd config (a ``.conf`` as nginx's) by its directives,
whatever its name says.

Templates (``.j2``, ``.liquid``, ``.template``...) are inputs: one whose content is an nginx
config is read by the nginx loader, which renders it in memory.
"""

from __future__ import annotations

import os
import re
from typing import Literal

from gwlint.loaders import TEMPLATE_SUFFIXES, read_head

Kind = Literal["nginx", "apache", "caddy", "gunicorn", "uwsgi", "hypercorn", "launcher"]
ContextKind = Literal["pins", "manifest"]

NGINX_DIRS = frozenset(
    {"sites-enabled", "sites-available", "conf.d", "http.d", "vhosts.d", "nginx", "templates"}
)
# Debian's and Red Hat's folders of Apache httpd configs (sites-enabled and conf.d are nginx's
# too: the content decides)
APACHE_DIRS = frozenset(
    {"apache", "apache2", "httpd", "sites-enabled", "sites-available", "conf.d", "conf-enabled"}
)
NGINX_SUFFIXES = (".conf", ".nginx", ".conf.template", ".vhost", ".nginxconf")
# what documentation, prose and data look like: never a config, whatever they quote
DOC_SUFFIXES = (
    ".md",
    ".markdown",
    ".rst",
    ".adoc",
    ".asciidoc",
    ".html",
    ".htm",
    ".ipynb",
    ".pdf",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".svg",
    ".ico",
    ".csv",
    ".json",
    ".lock",
    ".log",
)
# editors' and package managers' copies: not what is deployed
BACKUP_SUFFIXES = (
    "~",
    ".orig",
    ".rej",
    ".bak",
    ".backup",
    ".old",
    ".save",
    ".swp",
    ".swo",
    ".tmp",
    ".dpkg-old",
    ".dpkg-dist",
    ".dpkg-new",
    ".dpkg-bak",
    ".ucf-old",
    ".ucf-dist",
    ".ucf-new",
    ".rpmnew",
    ".rpmsave",
    ".pacnew",
    ".pacsave",
)

_SECTION = re.compile(rb"^[ \t]*\[([^\]\r\n]+)\][ \t]*\r?$", re.MULTILINE)
# a directive nginx knows at the start of a line, up to its ; or { on that line. Bounded: the
# name is a word, then at most one line of anything but a newline (no nested quantifiers)
_NGINX_MARKERS = re.compile(
    rb"^[ \t]*(?:server|location|upstream|http|events|proxy_pass|uwsgi_pass|listen|server_name|"
    rb"include|worker_processes|proxy_set_header|root|return|rewrite|add_header|"
    rb"client_max_body_size|map|error_page|access_log|error_log|ssl_certificate|"
    rb"proxy_[a-z_]+|uwsgi_[a-z_]+|fastcgi_[a-z_]+|scgi_[a-z_]+|gzip[a-z_]*|keepalive_timeout|"
    rb"sendfile|types|index|try_files|charset|expires|limit_[a-z_]+)\b[^\n;{]*[;{]",
    re.MULTILINE,
)
_PY_ASSIGN = re.compile(rb"^[A-Za-z_][A-Za-z0-9_]*[ \t]*=", re.MULTILINE)
_SHEBANG = re.compile(rb"^#![ \t]*(\S+)(?:[ \t]+(\S+))?")
_SYSTEMD_SECTION = re.compile(rb"^\[(?:Unit|Service|Install|Socket|Timer)\][ \t]*\r?$", re.M)
_MANIFEST_SUFFIXES = (".yaml", ".yml")


def is_backup(name: str) -> bool:
    """``nginx.conf~``, ``default.conf.orig``, ``#nginx.conf#``, ``.#nginx.conf``..."""
    lowered = name.lower()
    if lowered.endswith(BACKUP_SUFFIXES):
        return True
    return (name.startswith("#") and name.endswith("#")) or name.startswith(".#")


def is_documentation(path: str) -> bool:
    lowered = os.path.basename(path).lower()
    if lowered.endswith(DOC_SUFFIXES):
        return True
    return lowered.endswith(".txt") and not is_pin_name(path)


def is_pin_name(name: str) -> bool:
    """requirements*.txt, requirements/*.txt, constraints*.txt, pyproject.toml and the lock
    files (``name``: a basename or a path)."""
    from gwlint.loaders.pin_files import is_pin_file

    return is_pin_file(name)


def shebang(head: bytes) -> Literal["shell", "python", "other"] | None:
    """What the ``#!`` line runs: a POSIX shell, Python, something else; None without one."""
    found = _SHEBANG.match(head[:256])
    if found is None:
        return None
    program = found.group(1).rsplit(b"/", 1)[-1]
    if program == b"env" and found.group(2):
        program = found.group(2)
    if re.fullmatch(rb"(?:ba|da|a|z|k|mk)?sh", program):
        return "shell"
    if re.fullmatch(rb"python[\d.]*|pypy[\d.]*", program):
        return "python"
    return "other"


def is_systemd_unit(head: bytes) -> bool:
    return _SYSTEMD_SECTION.search(head) is not None and b"=" in head


def has_uwsgi_section(head: bytes, section: str) -> bool:
    return any(m.group(1).strip() == section.encode() for m in _SECTION.finditer(head))


def looks_like_nginx(head: bytes) -> bool:
    return bool(_NGINX_MARKERS.search(head)) and not _SECTION.search(head)


def _rendered_name(name: str) -> str:
    """The name a template renders to: ``nginx.conf.j2`` -> ``nginx.conf``."""
    for suffix in TEMPLATE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _template_kind(path: str, name: str, parent: str) -> Kind | None:
    """A template (``.j2``, ``.liquid``...) is read where its content is an nginx config; other
    templates (a supervisord program, a Dockerfile) are not read as they stand."""
    rendered = _rendered_name(name)
    head = read_head(path)
    nginx_name = (
        rendered.endswith(NGINX_SUFFIXES) or rendered.startswith("nginx") or parent in NGINX_DIRS
    )
    if looks_like_nginx(head) and (nginx_name or not rendered.endswith((".ini", ".py"))):
        return "nginx"
    return None


def classify(path: str, *, section: str = "uwsgi", walking: bool = False) -> Kind | None:
    """The kind of a config file, or None. ``walking``: stricter, for files found in folders;
    a file named on the command line is what its name or content says."""
    from gwlint.loaders.detect_launcher import launcher_kind  # not launchers: a reader

    name = os.path.basename(path).lower()
    parent = os.path.basename(os.path.dirname(os.path.abspath(path))).lower()
    if walking and is_backup(os.path.basename(path)):
        return None
    if _caddy_name(name):
        from gwlint.loaders.caddy import is_caddyfile

        if is_caddyfile(path, read_head(path)):
            return "caddy"
    if is_documentation(path) or is_pin_name(path):
        return None
    if name.endswith(TEMPLATE_SUFFIXES):
        return _template_kind(path, name, parent)
    if name.endswith(".py"):
        if not walking or "gunicorn" in name:
            return "gunicorn"
        return None
    head = read_head(path)
    runs = shebang(head)
    if runs == "python":
        return "gunicorn" if not walking or "gunicorn" in name else None
    if name.endswith(".toml"):
        from gwlint.loaders.hypercorn import is_hypercorn_toml

        # found in a folder: by its name only (``hypercorn.toml``); named: its keys may tell
        if ("hypercorn" in path.lower() or not walking) and is_hypercorn_toml(path, head):
            return "hypercorn"
        return None
    if name.endswith(".ini"):
        if has_uwsgi_section(head, section):
            return "uwsgi"
        if launcher_kind(path, walking=walking) is not None:
            return "launcher"  # a supervisord .ini
        return None if walking else "uwsgi"
    if launcher_kind(path, walking=walking) is not None:
        return "launcher"  # Procfile, Dockerfile, compose, systemd, supervisord, env, shell
    if runs is not None or is_systemd_unit(head):
        return None  # a script or unit that starts no app server: not a config either
    if "gunicorn" in name and _PY_ASSIGN.search(head) and not looks_like_nginx(head):
        return "gunicorn"
    if has_uwsgi_section(head, section):
        return "uwsgi"
    apache_name = (
        name.endswith(".conf") or name.startswith(("httpd", "apache")) or (parent in APACHE_DIRS)
    )
    if (apache_name or not walking) and not name.startswith("nginx"):
        from gwlint.loaders.apache_detect import looks_like_apache

        if looks_like_apache(head):
            return "apache"
    nginx_name = name.endswith(NGINX_SUFFIXES) or name.startswith("nginx") or parent in NGINX_DIRS
    if walking and not nginx_name:
        return None
    if looks_like_nginx(head) or (not walking and nginx_name and not _SECTION.search(head)):
        return "nginx"
    return None


def _caddy_name(name: str) -> bool:
    """``Caddyfile``, ``Caddyfile.prod``, ``site.caddyfile``, ``caddy.json`` (lower-cased)."""
    return (
        name == "caddyfile"
        or name.startswith("caddyfile.")
        or name.endswith(".caddyfile")
        or (name.startswith("caddy") and name.endswith(".json"))
    )


def context_kind(path: str) -> ContextKind | None:
    """Files that are not configs but tell the deployment stage something: version pins and
    Kubernetes manifests."""
    if is_pin_name(path):
        return "pins"
    if path.lower().endswith(_MANIFEST_SUFFIXES):
        from gwlint.loaders.kubernetes import looks_like_manifest

        if looks_like_manifest(read_head(path)):
            return "manifest"
    return None
