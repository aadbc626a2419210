"""The inventory: which files a run reads, and as what.

Files named on the command line (by name and content, or forced with ``--nginx`` /
``--gunicorn`` / ``--uwsgi``), the files of the folders named (or of the working directory when
nothing is named), and those the configuration's ``deployments`` name. Each is classified
(``classify``): a config for a loader, or context for the deployment stage (version pins,
Kubernetes manifests). Nothing is parsed here beyond a file's head.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gwlint.inventory.classify import Kind, classify, context_kind, is_documentation
from gwlint.inventory.walk import Ignores, files_under
from gwlint.settings import UsageError, display

if TYPE_CHECKING:
    from gwlint.config import Config
    from gwlint.settings import Request, Settings


@dataclass(eq=False, repr=False)  # run state: never compared or shown
class Inventory:
    nginx: list[str] = field(default_factory=list)
    apache: list[str] = field(default_factory=list)  # Apache httpd configs
    caddy: list[str] = field(default_factory=list)  # Caddyfiles, Caddy JSON configs
    gunicorn: list[str] = field(default_factory=list)
    uwsgi: list[str] = field(default_factory=list)
    hypercorn: list[str] = field(default_factory=list)  # hypercorn TOML configs
    launcher: list[str] = field(default_factory=list)
    walked_nginx: set[str] = field(default_factory=set)  # found in a folder, not named
    pins: list[str] = field(default_factory=list)  # requirements, pyproject.toml, lock files
    manifests: list[str] = field(default_factory=list)  # Kubernetes manifests
    # every folder walked, and its files in walk order: the deployment stage finds files by
    # their container paths among them
    walked: list[str] = field(default_factory=list)
    # the files the configuration's deployments name
    configured: list[str] = field(default_factory=list)
    # paths named on the command line that hold nothing to check, and why (GW010)
    unread: list[tuple[str, str]] = field(default_factory=list)

    def add(self, kind: Kind, path: str) -> None:
        bucket = getattr(self, kind)
        if path not in bucket:
            bucket.append(path)

    @property
    def configs(self) -> bool:
        return bool(
            self.nginx
            or self.apache
            or self.caddy
            or self.gunicorn
            or self.uwsgi
            or self.hypercorn
            or self.launcher
        )

    def kind_of(self, path: str) -> str | None:
        for kind in (
            "nginx",
            "apache",
            "caddy",
            "gunicorn",
            "uwsgi",
            "launcher",
            "pins",
            "manifests",
        ):
            if path in getattr(self, kind):
                return kind
        return None


def ignores_of(config: Config) -> Ignores:
    ignores = Ignores(root=str(config.root), respect_gitignore=config.respect_gitignore)
    if config.exclude is not None:
        ignores.exclude = tuple(config.exclude)
    ignores.extend_exclude = tuple(config.extend_exclude)
    return ignores


def walk(root: str, inventory: Inventory, *, section: str = "uwsgi", ignores: Ignores) -> None:
    """Every config and context file under ``root``."""
    for path in files_under(root, ignores):
        inventory.walked.append(path)
        kind = classify(path, section=section, walking=True)
        if kind is not None:
            inventory.add(kind, path)
            if kind == "nginx":
                inventory.walked_nginx.add(path)
            continue
        context = context_kind(path)
        if context == "pins":
            inventory.pins.append(path)
        elif context == "manifest":
            inventory.manifests.append(path)


def _missing(path: str, wanted: str) -> str:
    """Why a named path is not a file (or folder) to check: absent, or a FIFO, socket, device."""
    if os.path.exists(path):  # not a folder either (those are walked or refused before)
        return f"{path}: not a regular file (a FIFO, socket or device)"
    return f"{path}: no such {wanted}"


def collect(request: Request, section: str, ignores: Ignores) -> Inventory:
    """Files by kind: forced ones, named ones by name and content, folders walked."""
    inventory = Inventory()
    forced: tuple[tuple[Kind, list[str]], ...] = (
        ("nginx", request.nginx),
        ("gunicorn", request.gunicorn),
        ("uwsgi", request.uwsgi),
    )
    for forced_kind, forced_paths in forced:
        for path in forced_paths:
            if os.path.isdir(path):
                raise UsageError(f"{path}: is a folder (--{forced_kind} takes a file)")
            if not os.path.isfile(path):
                raise UsageError(_missing(path, "file"))
            inventory.add(forced_kind, path)
    paths = request.paths
    if not paths and not any(p for _, p in forced) and request.nginx_dump is None:
        paths = ["."]
    for path in paths:
        if os.path.isdir(path):
            before = _found(inventory)
            walk(path, inventory, section=section, ignores=ignores)
            if request.paths and _found(inventory) == before:
                inventory.unread.append(
                    (
                        path,
                        "no nginx, Apache, Caddy, gunicorn or uWSGI config, or file that starts "
                        "one, found here",
                    )
                )
        elif os.path.isfile(path):
            _named_file(path, inventory, section)
        else:
            inventory.unread.append((path, _missing(path, "file or directory").partition(": ")[2]))
    return inventory


def _named_file(path: str, inventory: Inventory, section: str, *, how: str | None = None) -> None:
    """A file named on the command line, by its name and content. ``how``: how to name its
    kind when they do not tell it (default: the forcing options)."""
    kind = classify(path, section=section)
    if kind is not None:
        inventory.add(kind, path)
        return
    context = context_kind(path)
    if context == "pins":
        inventory.pins.append(path)
        return
    if context == "manifest":
        inventory.manifests.append(path)
        return
    what = (
        "documentation, not a config"
        if is_documentation(path)
        else "cannot tell whether this is an nginx, gunicorn or uWSGI config, or "
        "a file that starts one"
    )
    inventory.unread.append(
        (path, f"{what}; {how or 'name it with --nginx, --gunicorn or --uwsgi'}")
    )


def _add_stdin(inventory: Inventory, section: str) -> None:
    """Standard input read as a file (``--stdin-filename``), unless the walk found that file
    already (its text is then standard input's: ``gwlint.loaders.stdin``)."""
    from gwlint.loaders.stdin import given

    stdin = given()
    if stdin is None:
        return
    buckets = (
        inventory.nginx,
        inventory.apache,
        inventory.caddy,
        inventory.gunicorn,
        inventory.uwsgi,
        inventory.hypercorn,
        inventory.launcher,
    )
    listed = [*(p for bucket in buckets for p in bucket), *inventory.pins, *inventory.manifests]
    if any(p == stdin.path or os.path.realpath(p) == stdin.real for p in listed):
        return
    how = "give --stdin-filename a name that tells it (nginx.conf, gunicorn.conf.py, uwsgi.ini)"
    _named_file(stdin.path, inventory, section, how=how)


def _found(inventory: Inventory) -> int:
    """How many files that are, or may hold, a config to check the inventory has."""
    return sum(
        len(bucket)
        for bucket in (
            inventory.nginx,
            inventory.apache,
            inventory.caddy,
            inventory.gunicorn,
            inventory.uwsgi,
            inventory.hypercorn,
            inventory.launcher,
            inventory.manifests,  # a ConfigMap may hold an nginx.conf
        )
    )


def _expand(config: Config, patterns: list[str], *, trusted: bool) -> list[str]:
    """Files a deployment's globs name (relative to the configuration file's folder), as glob
    reads them (``*`` within a name, ``**`` any folders) but without following a symlinked
    folder (a loop of them made ``glob`` run forever); from a configuration file found in the
    checked folders (not ``trusted``), never a file outside the run's folders."""
    import glob

    from gwlint.loaders.common import outside

    found: list[str] = []
    for pattern in patterns:
        full = pattern if os.path.isabs(pattern) else os.path.join(config.root, pattern)
        full = os.path.normpath(full)
        if not glob.has_magic(full):
            matches = [full] if os.path.isfile(full) else []
        else:
            matches = sorted(_globbed(full))
        found.extend(display(m) for m in matches if trusted or not outside(m))
    return list(dict.fromkeys(found))


def _globbed(pattern: str) -> Iterator[str]:
    """The files under the pattern's fixed folder whose path matches it, segment by segment."""
    import glob
    from fnmatch import translate

    parts = pattern.split(os.sep)
    fixed = 0
    while fixed < len(parts) - 1 and not glob.has_magic(parts[fixed]):
        fixed += 1
    start = os.sep.join(parts[:fixed]) or os.sep
    wanted = [None if p == "**" else re.compile(translate(p)) for p in parts[fixed:]]
    if not os.path.isdir(start):
        return
    for path in files_under(start, Ignores(respect_gitignore=False)):
        relative = os.path.relpath(path, start).split(os.sep)
        if _segments_match(wanted, relative):
            yield path


def _segments_match(wanted: list[re.Pattern[str] | None], names: list[str]) -> bool:
    """Glob segments (None: ``**``, any number of folders) against a path's names: dynamic
    programming over (segment, name), linear in their product."""
    reachable = {0}
    for name in names:
        step: set[int] = set()
        for index in _closure(reachable, wanted):
            if index < len(wanted):
                pattern = wanted[index]
                if pattern is None:
                    if not name.startswith("."):  # glob's ** skips hidden names too
                        step.add(index)  # ** takes this name and may take more
                elif pattern.match(name) and not (name.startswith(".") and not _dotted(pattern)):
                    step.add(index + 1)
        reachable = step
        if not reachable:
            return False
    return len(wanted) in _closure(reachable, wanted)


def _closure(reachable: set[int], wanted: list[re.Pattern[str] | None]) -> set[int]:
    """``reachable`` and the indexes past the ``**`` segments that may take no name."""
    out = set(reachable)
    for index in sorted(reachable):
        while index < len(wanted) and wanted[index] is None:
            index += 1
            out.add(index)
    return out


def _dotted(pattern: re.Pattern[str]) -> bool:
    """Whether a segment's pattern was written with a leading dot (glob: ``*`` skips names
    that start with one)."""
    return pattern.pattern.startswith("(?s:\\.")


def add_configured(settings: Settings, inventory: Inventory) -> None:
    """Add the files the configuration's deployments name that a folder walk would not find."""
    config = settings.config
    for number, deployment in enumerate(config.deployments, start=1):
        label = deployment.name or f"deployments[{number}]"
        for path in _expand(config, deployment.nginx, trusted=settings.trusted):
            inventory.add("nginx", path)
            inventory.configured.append(path)
        for path in _expand(config, deployment.app, trusted=settings.trusted):
            kind = classify(path, section=settings.uwsgi_section)
            if kind not in ("gunicorn", "uwsgi", "launcher"):
                raise UsageError(
                    f"{config.path}: {label}: app {path} is neither a gunicorn config (.py), a "
                    "uWSGI ini nor a file that starts one (Procfile, Dockerfile, compose...)"
                )
            inventory.add(kind, path)
            inventory.configured.append(path)


def take(request: Request, settings: Settings) -> Inventory:
    """The inventory of a run."""
    inventory = collect(request, settings.uwsgi_section, ignores_of(settings.config))
    _add_stdin(inventory, settings.uwsgi_section)
    discovering = not request.paths and not (request.nginx or request.gunicorn or request.uwsgi)
    if discovering and request.nginx_dump is None:
        add_configured(settings, inventory)
    return inventory


def snippet_roots(ignores: Ignores | None = None) -> list[str]:
    """nginx files under the working directory that may include a named snippet."""
    found = Inventory()
    walk(".", found, ignores=ignores or Ignores())
    return found.nginx


__all__ = ["Ignores", "Inventory", "Kind", "classify", "collect", "take", "walk"]
