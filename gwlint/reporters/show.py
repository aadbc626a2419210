"""``--show-files`` and ``--show-settings``: what gwlint read as what, how it grouped the files
into deployments and paired nginx's routes with app servers, and every fact with its source.

So that a user can see why gwlint paired what it paired, and where each value it compares comes
from, before (or instead of) reading its findings. Plain text, or JSON with ``--format json``.

In the text, every value from the input goes through ``printable`` (control characters as
visible escapes) and no line is a workflow command (``no_command``); JSON keeps values exact.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gwlint.reporters import encodable, no_command, printable

if TYPE_CHECKING:
    from gwlint.model.appserver import AppServer
    from gwlint.model.deployment import Deployment
    from gwlint.model.source import Sourced


@dataclass
class FileRow:
    path: str
    kind: str  # nginx, gunicorn, uwsgi, launcher, template, pins, manifest
    role: str  # what gwlint made of it


@dataclass
class View:
    files: list[FileRow] = field(default_factory=list)
    deployments: list[Deployment] = field(default_factory=list)
    versions: list[tuple[str, str, str | None]] = field(default_factory=list)  # server, ver, src
    facts: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, source
    # paths of files that are not files (ConfigMap entries) -> how to name them
    names: dict[str, str] = field(default_factory=dict)

    def named(self, text: str) -> str:
        for path, name in self.names.items():
            text = text.replace(path, name)
        return text

    def shown(self, lines: list[str]) -> str:
        """Text lines whose values went through ``printable``: named (the paths as ``printable``
        shows them), no line a workflow command, and a newline after the last."""
        text = "\n".join(lines)
        for path, name in self.names.items():
            text = text.replace(printable(path), printable(name))
        return encodable("\n".join(no_command(line) for line in text.split("\n"))) + "\n"


def _same(text: str) -> str:
    return text


def _app_line(app: AppServer, shown: Callable[[str], str] = _same) -> str:
    """``gunicorn (path, started by ..., config ...): address (protocol)``; ``shown``: how a value
    from the input is written (``printable`` in the text, as it is in JSON)."""
    started = f", started by {shown(app.launcher)}" if app.launcher else ""
    config = f", config {shown(app.config_file)}" if app.config_file else ""
    listening = ", ".join(f"{shown(f'{lst.address}')} ({lst.protocol})" for lst in app.listeners)
    where = listening or f"listening where it is not known ({shown(str(app.listeners_unknown))})"
    return f"{app.kind} ({shown(app.path)}{started}{config}): {where}"


def _deployments(view: View) -> list[str]:
    lines = [f"Deployments ({len(view.deployments)}):"]
    p = printable
    for number, dep in enumerate(view.deployments, start=1):
        nginx, front = dep.nginx, dep.front
        if front is not None:
            lines.append(f"  {number}. {front.server_label}: {p(front.files[0])}")
            if len(front.files) > 1:
                lines.append(f"     with: {', '.join(map(p, front.files[1:]))}")
        else:
            roots = ", ".join(map(p, nginx.files[:1])) if nginx is not None else "no nginx config"
            lines.append(f"  {number}. nginx: {roots}")
            if nginx is not None and len(nginx.files) > 1:
                lines.append(f"     with: {', '.join(map(p, nginx.files[1:]))}")
        for app in dep.apps:
            lines.append(f"     app: {_app_line(app, p)}")
        for front_route in front.routes if front is not None else ():
            head = f"     route {p(front_route.describe())} ({p(front_route.source.label())})"
            front_targets = [link for link in dep.front_links if link.route is front_route]
            if front_route.unknown:
                lines.append(f"{head}: not paired, {p(front_route.unknown)}")
            elif not front_targets:
                lines.append(f"{head}: no app server of this deployment listens there")
            for front_link in front_targets:
                how = "certain" if front_link.certain else "maybe: only DNS can tell"
                lines.append(
                    f"{head} -> {front_link.app.kind} ({p(front_link.app.path)}) on "
                    f"{p(f'{front_link.listener.address}')} ({how})"
                )
        for route in dep.routes:
            targets = [link for link in dep.links if link.route is route]
            where = p(route.pass_directive.source.label())
            location = p(route.location) if route.location else "(server)"
            head = f"     route {location} ({where}, {p(route.target.raw)})"
            if route.target.unknown:
                lines.append(f"{head}: not paired, {p(route.target.unknown)}")
            elif not targets:
                lines.append(f"{head}: no app server of this deployment listens there")
            for link in targets:
                how = "certain" if link.certain else "maybe: only DNS can tell"
                lines.append(
                    f"{head} -> {link.app.kind} ({p(link.app.path)}) on "
                    f"{p(f'{link.listener.address}')} ({how})"
                )
    return lines


def render_files(view: View) -> str:
    rows = [(row.kind, printable(row.path), printable(row.role)) for row in view.files]
    width = max((len(kind) for kind, _, _ in rows), default=8)
    path_width = min(max((len(path) for _, path, _ in rows), default=10), 60)
    lines = [f"Files ({len(view.files)}):"]
    for kind, path, role in rows:
        lines.append(f"  {kind:<{width}}  {path:<{path_width}}  {role}".rstrip())
    lines.append("")
    lines.extend(_deployments(view))
    return view.shown(lines)


_KEY_SETTINGS = {
    "gunicorn": (
        "bind",
        "workers",
        "worker_class",
        "threads",
        "timeout",
        "graceful_timeout",
        "keepalive",
        "worker_connections",
        "backlog",
        "max_requests",
        "forwarded_allow_ips",
    ),
    "uvicorn": (
        "host",
        "port",
        "uds",
        "workers",
        "timeout_keep_alive",
        "timeout_graceful_shutdown",
        "backlog",
        "forwarded_allow_ips",
    ),
}


def _setting_rows(app: AppServer) -> list[tuple[str, Sourced[Any]]]:
    if app.kind == "uwsgi":
        rows: list[tuple[str, Sourced[Any]]] = [
            (name, occurrences[-1]) for name, occurrences in app.options.items()
        ]
        for name, value in (
            ("processes", app.processes),
            ("threads", app.threads),
            ("harakiri", app.harakiri),
            ("buffer-size", app.buffer_size),
            ("socket-timeout", app.socket_timeout),
        ):
            if name not in app.options:
                rows.append((name, value))
        return rows
    values = app.values
    names = [n for n in _KEY_SETTINGS.get(app.kind, ()) if n in values]
    names += [n for n, v in values.items() if n not in names and not v.is_default]
    return [(name, values[name]) for name in names]


def _value(value: Sourced[Any]) -> str:
    if not value.known:
        return f"unknown: {printable(str(value.unknown))}"
    text = value.raw if value.raw not in ("", None) else repr(value.value)
    return f"{printable(str(text))}  ({printable(value.source.label())})"


def render_settings(view: View) -> str:
    p = printable
    lines = ["Versions:"]
    for server, version, source in view.versions:
        lines.append(f"  {server} {p(version)}: {p(source or 'assumed (the current line)')}")
    lines.append("Target:")
    for fact, text, source in view.facts:
        lines.append(f"  {fact}: {p(text)}  ({p(source)})")
    for number, dep in enumerate(view.deployments, start=1):
        lines.append(f"Deployment {number}:")
        for app in dep.apps:
            lines.append(f"  {_app_line(app, p)}")
            for name, value in _setting_rows(app):
                lines.append(f"    {p(name)} = {_value(value)}")
        for route in dep.routes:
            location = p(route.location) if route.location else "(server)"
            lines.append(f"  nginx route {location} -> {p(route.target.raw)}")
            route_values: tuple[tuple[str, Sourced[Any]], ...] = (
                ("read_timeout", route.read_timeout),
                ("send_timeout", route.send_timeout),
                ("connect_timeout", route.connect_timeout),
                ("client_max_body_size", route.client_max_body_size),
                ("buffering", route.buffering),
                ("request_buffering", route.request_buffering),
            )
            for name, value in route_values:
                lines.append(f"    {name} = {_value(value)}")
        for front_route in dep.front.routes if dep.front is not None else ():
            lines.append(f"  {front_route.server_label} route {p(front_route.describe())}")
            for label, setting in (
                ("read timeout", front_route.read_timeout),
                ("connect timeout", front_route.connect_timeout),
                ("idle connections kept", front_route.idle_timeout),
                ("body limit", front_route.body_limit),
            ):
                if setting is None:
                    lines.append(f"    {label} = none")
                else:
                    lines.append(f"    {label} = {p(setting.name)} {_value(setting.value)}")
            lines.append(f"    reuses connections = {_value(front_route.reuse)}")
    return view.shown(lines)


def render_json(view: View, *, files: bool, settings: bool) -> str:
    document: dict[str, Any] = {}
    if files:
        document["files"] = [
            {"path": row.path, "kind": row.kind, "role": row.role} for row in view.files
        ]
        document["deployments"] = [
            {
                "nginx": list(dep.nginx.files) if dep.nginx is not None else [],
                "proxy": (
                    {"server": dep.front.server_label, "files": list(dep.front.files)}
                    if dep.front is not None
                    else None
                ),
                "apps": [_app_line(app) for app in dep.apps],
                "links": [
                    {
                        "location": link.route.location,
                        "pass": link.route.target.raw,
                        "app": link.app.path,
                        "listener": str(link.listener.address),
                        "certain": link.certain,
                    }
                    for link in dep.links
                ]
                + [
                    {
                        "location": link.route.describe(),
                        "pass": link.route.raw,
                        "app": link.app.path,
                        "listener": str(link.listener.address),
                        "certain": link.certain,
                    }
                    for link in dep.front_links
                ],
            }
            for dep in view.deployments
        ]
    if settings:
        document["versions"] = [
            {"server": s, "version": v, "source": src} for s, v, src in view.versions
        ]
        document["target"] = {name: {"value": v, "source": src} for name, v, src in view.facts}
        document["apps"] = [
            {
                "app": _app_line(app),
                "settings": {
                    name: {
                        "value": value.value if value.known else None,
                        "raw": value.raw,
                        "source": value.source.label(),
                        "unknown": value.unknown,
                    }
                    for name, value in _setting_rows(app)
                },
            }
            for dep in view.deployments
            for app in dep.apps
        ]
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str)
    return encodable(view.named(text), in_json=True) + "\n"
