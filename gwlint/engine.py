"""The only place that wires the stages together: inputs -> loaders -> model -> rules -> report.

Settings come from the command line over the configuration file; files are collected (named,
found in folders, from the configuration's deployments, or from an ``nginx -T`` dump), grouped
into deployments (one nginx configuration and the app servers behind it), each deployment is
checked, and the findings are filtered: severity overrides, per-file ignores, inline
suppressions.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gwlint.loaders import TEMPLATE_SUFFIXES, Inputs, Kind, classify, walk
from gwlint.model.diagnostics import Diagnostic, Finding, Location, Related, Severity

if TYPE_CHECKING:
    from gwlint.config import Config
    from gwlint.loaders.common import Problems, Suppression
    from gwlint.loaders.launch import Launch
    from gwlint.loaders.nginx import Lexed
    from gwlint.model.address import Address
    from gwlint.model.appserver import AppServer
    from gwlint.model.facts import Facts
    from gwlint.model.nginx import NginxConfig


class UsageError(Exception):
    """Bad command-line input or configuration: exit 2 with this one-line message."""


@dataclass
class Request:
    paths: list[str] = field(default_factory=list)
    nginx: list[str] = field(default_factory=list)  # forced kinds
    gunicorn: list[str] = field(default_factory=list)
    uwsgi: list[str] = field(default_factory=list)
    cpus: int | None = None
    nginx_version: str | None = None
    gunicorn_version: str | None = None
    uwsgi_version: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    nginx_prefix: str | None = None
    uwsgi_section: str | None = None
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    front: str | None = None
    stop_timeout: int | None = None
    somaxconn: int | None = None
    fail_on: str | None = None
    config: str | None = None  # --config FILE
    isolated: bool = False  # --isolated: no configuration file
    nginx_dump: str | None = None  # --nginx-dump FILE ("-": standard input)
    stdin_text: str | None = None  # what "-" reads (the command line passes it in)


@dataclass
class Report:
    diagnostics: list[Diagnostic]
    files: list[str]
    nginx_label: str
    gunicorn_label: str
    nginx_version_given: bool
    found_nothing: bool = False
    fail_on: Severity = Severity.WARNING
    deployments: int = 1
    suppressed: int = 0
    config_path: str | None = None

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def failed(self) -> bool:
        return any(d.severity.rank >= self.fail_on.rank for d in self.diagnostics)


@dataclass
class Settings:
    """The command line over the configuration file, validated."""

    config: Config
    enabled: set[str]
    facts: Facts
    severity: dict[str, Severity]
    per_file_ignores: list[tuple[str, set[str]]]
    fail_on: Severity
    nginx_prefix: str | None
    uwsgi_section: str


@dataclass
class Group:
    """One deployment: an nginx configuration (its root files) and the app servers behind it."""

    nginx_roots: list[str] = field(default_factory=list)
    apps: list[AppServer] = field(default_factory=list)
    nginx: NginxConfig | None = None
    home: str = "."


# --- settings -----------------------------------------------------------------------------------


def _load_config(request: Request) -> Config:
    from pathlib import Path

    from gwlint import config as cfg

    if request.isolated:
        return cfg.Config()
    if request.config is not None:
        path: Path | None = Path(request.config)
        if not os.path.isfile(request.config):
            raise UsageError(f"--config {request.config}: no such file")
    else:
        path = cfg.find()
    try:
        return cfg.load(path)
    except cfg.ConfigError as exc:
        raise UsageError(str(exc)) from None


def _display(path: str) -> str:
    """A path as findings show it: relative to the working directory when below it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _from_config(config: Config, value: str | None) -> str | None:
    """A path written in the configuration file, relative to its folder, as the CLI sees it."""
    if value is None or config.path is None or os.path.isabs(value):
        return value
    return _display(os.path.join(config.root, value))


def _enabled(request: Request, config: Config) -> set[str]:
    from gwlint.rules import select

    where = f"{config.path}: " if config.path is not None else ""
    for label, values in (
        ("--select", request.select or []),
        ("--ignore", request.ignore),
        ("--extend-select", request.extend_select),
        (f"{where}select", config.select or []),
        (f"{where}ignore", config.ignore),
        (f"{where}extend-select", config.extend_select),
        *(
            (f"{where}per-file-ignores.{glob!r}", codes)
            for glob, codes in config.per_file_ignores.items()
        ),
    ):
        try:
            select(values, [])
        except ValueError as exc:
            raise UsageError(f"{label}: {exc}") from None
    chosen: list[str] | None
    if request.select is not None:
        chosen, extend = request.select, list(request.extend_select)
    else:
        chosen, extend = config.select, [*config.extend_select, *request.extend_select]
    ignore = [*config.ignore, *request.ignore]
    enabled = select(chosen, ignore)
    if extend:
        enabled |= select(extend, ignore)
    return enabled


def _facts(request: Request, config: Config) -> Facts:
    from gwlint.model.facts import Facts, Front
    from gwlint.model.versions import parse_version

    def pick(flag: object, key: object) -> object:
        return flag if flag is not None else key

    where = f"{config.path}: " if config.path is not None else "--"
    cpus = pick(request.cpus, config.cpus)
    stop_timeout = pick(request.stop_timeout, config.stop_timeout)
    somaxconn = pick(request.somaxconn, config.somaxconn)
    env = {**config.env, **request.env}
    args: dict[str, object] = {"cpus": cpus, "env": env}
    for name, flag, key in (
        ("nginx_version", request.nginx_version, config.nginx_version),
        ("gunicorn_version", request.gunicorn_version, config.gunicorn_version),
        ("uwsgi_version", request.uwsgi_version, config.uwsgi_version),
    ):
        text = flag if flag is not None else key
        args[f"{name}_given"] = text is not None
        if text is not None:
            origin = "--" if flag is not None else where
            try:
                args[name] = parse_version(text)
            except ValueError as exc:
                raise UsageError(f"{origin}{name.replace('_', '-')}: {exc}") from None
    if isinstance(cpus, int) and cpus < 1:
        raise UsageError("--cpus: must be at least 1")
    front = request.front if request.front is not None else config.front
    if front is not None:
        origin = "--" if request.front is not None else where
        try:
            args["front"] = Front.parse(front)
        except ValueError as exc:
            raise UsageError(f"{origin}front: {exc}") from None
    if isinstance(stop_timeout, int):
        if stop_timeout < 0:
            raise UsageError("--stop-timeout: must be 0 or more seconds")
        args["stop_timeout"] = stop_timeout
    if isinstance(somaxconn, int):
        if somaxconn < 1:
            raise UsageError("--somaxconn: must be at least 1")
        args["somaxconn"] = somaxconn
        args["somaxconn_given"] = True
    args.pop("uwsgi_version_given", None)
    return Facts.model_validate(args)


def settings(request: Request) -> Settings:
    from gwlint.rules import BY_CODE

    config = _load_config(request)
    where = f"{config.path}: " if config.path is not None else ""
    severity: dict[str, Severity] = {}
    for code, level in config.severity.items():
        if code.upper() not in BY_CODE:
            raise UsageError(f"{where}severity: unknown rule {code!r} (see `gwlint rules`)")
        severity[code.upper()] = Severity(level)
    fail_on = request.fail_on or config.fail_on
    if fail_on not in ("error", "warning", "info"):
        raise UsageError(f"--fail-on: {fail_on!r} is not one of error, warning, info")
    prefix = request.nginx_prefix
    if prefix is None:
        prefix = _from_config(config, config.nginx_prefix)
    if prefix is not None and not os.path.isdir(prefix) and request.nginx_dump is None:
        origin = "--nginx-prefix" if request.nginx_prefix is not None else f"{where}nginx-prefix"
        raise UsageError(f"{origin} {prefix}: no such folder")
    return Settings(
        config=config,
        enabled=_enabled(request, config),
        facts=_facts(request, config),
        severity=severity,
        per_file_ignores=[
            (glob, {code.upper() for code in codes})
            for glob, codes in config.per_file_ignores.items()
        ],
        fail_on=Severity(fail_on),
        nginx_prefix=prefix,
        uwsgi_section=request.uwsgi_section or config.uwsgi_section or "uwsgi",
    )


# --- inputs -------------------------------------------------------------------------------------


def collect(request: Request, section: str = "uwsgi") -> Inputs:
    """Files by kind: forced ones, named ones by name and content, folders walked."""
    inputs = Inputs()
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
            inputs.add(forced_kind, path)
    paths = request.paths
    if not paths and not any(p for _, p in forced) and request.nginx_dump is None:
        paths = ["."]
    for path in paths:
        if os.path.isdir(path):
            walk(path, inputs, section=section)
        elif os.path.isfile(path):
            kind = classify(path, section=section)
            if kind is None and path.lower().endswith(TEMPLATE_SUFFIXES):
                raise UsageError(
                    f"{path}: a template ({os.path.splitext(path)[1]}), not a file as it is "
                    "deployed: lint the file it renders"
                )
            if kind is None:
                raise UsageError(
                    f"{path}: cannot tell whether this is an nginx, gunicorn or uWSGI config, or "
                    "a file that starts one; name it with --nginx, --gunicorn or --uwsgi"
                )
            inputs.add(kind, path)
        else:
            raise UsageError(_missing(path, "file or directory"))
    return inputs


def _missing(path: str, wanted: str) -> str:
    """Why a named path is not a file (or folder) to check: absent, or a FIFO, socket, device."""
    if os.path.exists(path):  # not a folder either (those are walked or refused before)
        return f"{path}: not a regular file (a FIFO, socket or device)"
    return f"{path}: no such {wanted}"


def _expand(config: Config, patterns: list[str]) -> list[str]:
    """Files a deployment's globs name (relative to the configuration file's folder)."""
    import glob

    found: list[str] = []
    for pattern in patterns:
        full = pattern if os.path.isabs(pattern) else os.path.join(config.root, pattern)
        matches = sorted(p for p in glob.glob(full, recursive=True) if os.path.isfile(p))
        found.extend(_display(match) for match in matches)
    return list(dict.fromkeys(found))


def _discover_deployments(settings: Settings, inputs: Inputs) -> None:
    """Add the files the configuration's deployments name that a folder walk would not find."""
    config = settings.config
    for number, deployment in enumerate(config.deployments, start=1):
        label = deployment.name or f"deployments[{number}]"
        for path in _expand(config, deployment.nginx):
            inputs.add("nginx", path)
        for path in _expand(config, deployment.app):
            kind = classify(path, section=settings.uwsgi_section)
            if kind not in ("gunicorn", "uwsgi", "launcher"):
                raise UsageError(
                    f"{config.path}: {label}: app {path} is neither a gunicorn config (.py), a "
                    "uWSGI ini nor a file that starts one (Procfile, Dockerfile, compose...)"
                )
            inputs.add(kind, path)


# --- grouping into deployments -------------------------------------------------------------------


def _ancestors(folder: str) -> list[str]:
    """An absolute folder and every folder above it, the deepest first."""
    chain = [folder]
    while (parent := os.path.dirname(folder)) != folder:
        chain.append(parent)
        folder = parent
    return chain


def _by_closeness(
    here: str, groups: list[Group], under: dict[str, list[Group]]
) -> Iterator[list[Group]]:
    """``groups`` ranked by how much of the folder tree their home shares with ``here`` (the
    length of the common path), closest first, each rank in the order of ``under``'s lists.

    ``under`` maps a folder to the groups whose home is that folder or below it: the groups
    first found walking up from ``here`` share the most with it. Without comparing ``here``
    with every home: a repository may hold hundreds of deployments.
    """
    wanted = {id(g) for g in groups}
    seen: set[int] = set()
    for folder in _ancestors(here):
        rank = [g for g in under.get(folder, ()) if id(g) in wanted and id(g) not in seen]
        if rank:
            seen.update(id(g) for g in rank)
            yield rank
    rest = [g for g in groups if id(g) not in seen]  # nothing in common (another drive)
    if rest:
        yield rest


def _snippet_roots() -> list[str]:
    """nginx files under the working directory that may include a named snippet."""
    found = Inputs()
    walk(".", found)
    return found.nginx


def _groups(
    settings: Settings,
    inputs: Inputs,
    apps: list[tuple[str, AppServer]],
    problems: Problems,
    sysroot: str | None,
    *,
    named: bool,
) -> list[Group]:
    from gwlint.config import matches
    from gwlint.loaders.nginx import group_roots, load_nginx
    from gwlint.model.deployment import pair

    config, facts = settings.config, settings.facts
    groups: list[Group] = []
    nginx_pool = list(inputs.nginx)
    app_pool = list(apps)
    for deployment in config.deployments:
        group = Group()
        group.nginx_roots = [
            p for p in nginx_pool if any(matches(g, p, config.root) for g in deployment.nginx)
        ]
        mine = [
            item
            for item in app_pool
            if any(matches(g, item[0], config.root) for g in deployment.app)
        ]
        if not group.nginx_roots and not mine:
            continue
        group.apps = [app for _, app in mine]
        nginx_pool = [p for p in nginx_pool if p not in group.nginx_roots]
        app_pool = [item for item in app_pool if item not in mine]
        groups.append(group)
    configured = len(groups)
    lexed: dict[str, Lexed] = {}  # every nginx file is lexed once, for grouping and loading
    if nginx_pool:
        snippets_of = _snippet_roots if named and sysroot is None else None
        others = snippets_of() if snippets_of is not None else []
        for roots in group_roots(nginx_pool, others, settings.nginx_prefix, lexed):
            groups.append(Group(nginx_roots=roots))
    for group in groups:
        if group.nginx_roots:
            group.nginx = load_nginx(
                group.nginx_roots,
                facts,
                problems,
                prefix=settings.nginx_prefix,
                sysroot=sysroot,
                lexed=lexed,
            )
            homes = [os.path.dirname(os.path.abspath(r)) for r in group.nginx_roots]
            group.home = os.path.commonpath(homes)
    automatic = groups[configured:]
    reached = {id(g): _socket_keys(g) for g in automatic}
    under: dict[str, list[Group]] = {}  # folder -> the deployments at home in it or below
    for g in automatic:
        for folder in _ancestors(g.home):
            under.setdefault(folder, []).append(g)
    orphans: list[AppServer] = []
    for path, app in app_pool:
        listening = {key for listener in app.listeners if (key := _key(listener.address))}
        here = os.path.dirname(os.path.abspath(path))
        # the deployments whose routes certainly reach this app (same port or socket first:
        # pairing is exact); of several (two projects on 127.0.0.1:8000), the closest in the
        # folder tree: paired rank by rank, so that a repository with hundreds of deployments
        # on one port pairs each app with its own, not with all of them
        candidates = [g for g in automatic if reached[id(g)] & listening]
        pool: list[Group] = []
        for rank in _by_closeness(here, candidates, under):
            pool = [
                g for g in rank if any(link.certain for link in pair(g.nginx, (app,), facts).links)
            ]
            if pool:
                break
        if not pool and len(automatic) == 1:
            pool = list(automatic)
        elif not pool and automatic:
            # reached by none: the closest deployment, unless several are as close (then it
            # is checked on its own)
            closest = next(_by_closeness(here, automatic, under))
            pool = closest if len(closest) == 1 else []
        for group in pool:
            group.apps.append(app)
        if not pool:
            orphans.append(app)
    if orphans:
        groups.append(Group(apps=orphans))
    return groups


def _key(address: Address) -> tuple[str, object] | None:
    """What two addresses must share to pair for certain: a TCP port, or a socket path."""
    if address.kind == "tcp" and address.port is not None:
        return ("tcp", address.port)
    if address.kind == "unix" and address.path:
        return ("unix", os.path.basename(address.path))
    return None


def _socket_keys(group: Group) -> set[tuple[str, object]]:
    if group.nginx is None:
        return set()
    return {
        key
        for route in group.nginx.routes
        for server in route.target.servers
        if (key := _key(server.address))
    }


def _launched(
    settings: Settings, inputs: Inputs, problems: Problems
) -> tuple[list[tuple[str, AppServer]], set[str], list[str]]:
    """App servers started by launchers (Procfile, Dockerfile, compose...), the real paths of
    the config files those commands read (not checked again on their own), and the files read."""
    if not inputs.launcher:
        return [], set(), []  # and the launcher readers, thousands of lines, stay unimported
    from dataclasses import replace

    from gwlint.loaders.commands import build_launch
    from gwlint.loaders.launchers import overridden, read_launches

    launches: list[Launch] = []
    env = settings.facts.env
    for path in inputs.launcher:
        launches.extend(read_launches(path, env, problems))
    launches = overridden(launches)
    # an env file that sets GUNICORN_CMD_ARGS belongs to the gunicorn its folder starts
    explicit = [launch for launch in launches if not launch.implicit]
    merged: list[Launch] = []
    for launch in launches:
        if not launch.implicit:
            continue
        real = os.path.realpath(launch.path)
        if any(real in {os.path.realpath(r) for r in other.referenced} for other in explicit):
            continue  # already read by the command that names it (env_file:, EnvironmentFile=)
        folder = os.path.dirname(os.path.abspath(launch.path))
        here = [
            other
            for other in explicit
            if other.program == "gunicorn"
            and os.path.dirname(os.path.abspath(other.path)) == folder
        ]
        if len(here) == 1:
            target = here[0]
            index = explicit.index(target)
            # the env file is the runtime environment: it wins over the launcher's defaults
            explicit[index] = replace(
                target,
                env={**target.env, **launch.env},
                referenced=(*target.referenced, launch.path),
            )
        else:
            merged.append(launch)
    apps: list[tuple[str, AppServer]] = []
    consumed: set[str] = set()
    files: list[str] = []
    for launch in [*explicit, *merged]:
        built = build_launch(launch, settings.facts, problems, section=settings.uwsgi_section)
        consumed.update(os.path.realpath(path) for path in built.consumed)
        files.extend([launch.path, *launch.referenced, *built.consumed])
        if built.app is not None:
            apps.append((launch.path, built.app))
    return apps, consumed, list(dict.fromkeys(files))


# --- suppressions, ignores, overrides -----------------------------------------------------------


def _covered(suppression: Suppression, comment_lines: dict[str, set[int]]) -> set[int]:
    """Lines a suppression covers: its own; from a line of its own, the next non-comment line."""
    if not suppression.own_line:
        return {suppression.line}
    lines = comment_lines.get(os.path.realpath(suppression.path), set())
    line = suppression.line + 1
    while line in lines:
        line += 1
    return {line}


def _places(diagnostic: Diagnostic) -> list[Location]:
    return [diagnostic.location, *(related.location for related in diagnostic.related)]


def _suppress(
    diagnostics: set[Diagnostic], ignored: set[Diagnostic], problems: Problems, enabled: set[str]
) -> tuple[set[Diagnostic], list[Diagnostic], int]:
    """(kept, problems with the suppressions themselves, how many were suppressed).

    A suppression is used when it covers a finding, kept or already removed by per-file-ignores.
    """
    from gwlint.rules import BY_CODE

    by_place: dict[tuple[str, int, str], list[tuple[Suppression, str]]] = {}
    extra: list[Diagnostic] = []
    for suppression in problems.suppressions:
        location = Location(suppression.path, suppression.line, suppression.column)
        unknown = [code for code in suppression.codes if code not in BY_CODE]
        if unknown:
            extra.append(
                Diagnostic(
                    code="GW007",
                    severity=BY_CODE["GW007"].severity,
                    message=f"suppression not applied: {unknown[0]} is not a gwlint rule "
                    "(see `gwlint rules`)",
                    location=location,
                )
            )
            continue
        real = os.path.realpath(suppression.path)
        for line in _covered(suppression, problems.comment_lines):
            for code in suppression.codes:
                by_place.setdefault((real, line, code), []).append((suppression, code))

    def hits(diagnostic: Diagnostic) -> list[tuple[Suppression, str]]:
        return [
            hit
            for place in _places(diagnostic)
            for hit in by_place.get((os.path.realpath(place.path), place.line, diagnostic.code), [])
        ]

    used: set[tuple[Suppression, str]] = set()
    kept: set[Diagnostic] = set()
    for diagnostic in diagnostics:
        found = hits(diagnostic)
        used.update(found)
        if not found:
            kept.add(diagnostic)
    for diagnostic in ignored:
        used.update(hits(diagnostic))
    for suppression in problems.suppressions:
        for code in suppression.codes:
            if code not in BY_CODE or code not in enabled or (suppression, code) in used:
                continue
            target = min(_covered(suppression, problems.comment_lines))
            extra.append(
                Diagnostic(
                    code="GW006",
                    severity=BY_CODE["GW006"].severity,
                    message=f"`gwlint: ignore[{code}]` suppresses nothing: no {code} finding on "
                    f"line {target}; remove {code} from the comment",
                    location=Location(suppression.path, suppression.line, suppression.column),
                )
            )
    return kept, extra, len(diagnostics) - len(kept)


def _filtered(
    settings: Settings, findings: list[tuple[str, Finding]], problems: Problems
) -> tuple[list[Diagnostic], int]:
    from gwlint.config import matches
    from gwlint.rules import BY_CODE

    enabled, root = settings.enabled, settings.config.root
    diagnostics: set[Diagnostic] = set()
    ignored: set[Diagnostic] = set()
    for code, finding in findings:
        if code not in enabled:
            continue
        severity = settings.severity.get(code) or finding.severity or BY_CODE[code].severity
        diagnostic = Diagnostic(
            code=code,
            severity=severity,
            message=finding.message,
            location=finding.location,
            related=finding.related,
            fix=finding.fix,
        )
        path = finding.location.path
        if any(
            any(code.startswith(c) for c in codes) and matches(glob, path, root)
            for glob, codes in settings.per_file_ignores
        ):
            ignored.add(diagnostic)
        else:
            diagnostics.add(diagnostic)
    kept, extra, suppressed = _suppress(diagnostics, ignored, problems, enabled)
    for diagnostic in extra:
        if diagnostic.code in enabled:
            kept.add(
                Diagnostic(
                    code=diagnostic.code,
                    severity=settings.severity.get(diagnostic.code, diagnostic.severity),
                    message=diagnostic.message,
                    location=diagnostic.location,
                )
            )
    return sorted(kept, key=lambda d: (*d.sort_key(), repr(d.related), d.fix or "")), suppressed


# --- nginx -T -----------------------------------------------------------------------------------


def _read_dump(request: Request) -> tuple[str, str]:
    """(text, name) of the dump --nginx-dump names."""
    name = request.nginx_dump or "-"
    if name == "-":
        return request.stdin_text or "", "<stdin>"
    if not os.path.isfile(name):
        raise UsageError(f"--nginx-dump {name}: no such file")
    try:
        with open(name, encoding="utf-8", errors="replace") as handle:
            return handle.read(64 * 1024 * 1024), name
    except OSError as exc:
        raise UsageError(f"--nginx-dump {name}: cannot read: {exc.strerror or exc}") from None


def _unmap(diagnostics: list[Diagnostic], sysroot: str) -> list[Diagnostic]:
    """Paths under the scratch folder back to the server's own paths."""
    root = os.path.realpath(sysroot)

    def path(value: str) -> str:
        full = os.path.realpath(value) if not os.path.isabs(value) else value
        for base in (sysroot, root):
            if full.startswith(base + os.sep):
                return full[len(base) :]
        return value

    def text(value: str) -> str:
        for base in (root, sysroot):
            value = value.replace(base + os.sep, "/").replace(base, "/")
        return value

    def where(location: Location) -> Location:
        return Location(path(location.path), location.line, location.column)

    return sorted(
        (
            Diagnostic(
                code=d.code,
                severity=d.severity,
                message=text(d.message),
                location=where(d.location),
                related=tuple(Related(where(r.location), text(r.message)) for r in d.related),
                fix=text(d.fix) if d.fix is not None else None,
            )
            for d in diagnostics
        ),
        key=Diagnostic.sort_key,
    )


# --- the run ------------------------------------------------------------------------------------


# the cyclic garbage collector's youngest generation, during a run: a run allocates hundreds of
# thousands of objects that live until it ends, and with the default (700) the collector walks
# them again and again (a third of the time on a 40k-line config). At 100,000 it still walked
# them five times, and once more the ~500,000 that had survived (a fifth of the time): at
# 1,000,000 a run of that size never starts it, and the objects are freed, untouched by the
# collector, when the run ends. Cycles are still collected, every million objects
YOUNG_COLLECTION_THRESHOLD = 1_000_000


def lint(request: Request) -> Report:
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], YOUNG_COLLECTION_THRESHOLD), *thresholds[1:])
    try:
        return _lint_request(request)
    finally:
        gc.set_threshold(*thresholds)


def _lint_request(request: Request) -> Report:
    if request.nginx_dump is None:
        return _lint(request, None)
    import tempfile

    from gwlint.loaders import dump

    text, name = _read_dump(request)
    try:
        files = dump.split(text, name)
    except dump.DumpError as exc:
        raise UsageError(str(exc)) from None
    if request.nginx:
        raise UsageError("--nginx-dump reads the nginx side; do not name nginx files as well")
    with tempfile.TemporaryDirectory(prefix="gwlint-dump-") as scratch:
        sysroot = os.path.realpath(scratch)
        try:
            written = dump.lay_out(files, sysroot)
        except dump.DumpError as exc:
            raise UsageError(str(exc)) from None
        report = _lint(request, (sysroot, written[0]))
        report.diagnostics = _unmap(report.diagnostics, sysroot)
        report.files = [f[len(sysroot) :] if f.startswith(sysroot) else f for f in report.files]
    return report


def _lint(request: Request, dumped: tuple[str, str] | None) -> Report:
    from gwlint.loaders.common import Problems
    from gwlint.model.deployment import pair
    from gwlint.rules import ALL_RULES

    current = settings(request)
    sysroot = None
    if dumped is not None:
        sysroot, main = dumped
        if current.nginx_prefix is not None:
            current.nginx_prefix = sysroot + "/" + current.nginx_prefix.lstrip("/")
        else:
            current.nginx_prefix = os.path.dirname(main)
    inputs = collect(request, current.uwsgi_section)
    discovering = not request.paths and not (request.nginx or request.gunicorn or request.uwsgi)
    if discovering and dumped is None:
        _discover_deployments(current, inputs)
    if dumped is not None:
        inputs.nginx = [dumped[1]]
    problems = Problems()
    apps, consumed, launch_files = _launched(current, inputs, problems)
    # each loader imported when there is a file for it
    for path in inputs.gunicorn:
        if os.path.realpath(path) in consumed:
            continue  # read as the config file of a command that starts gunicorn
        from gwlint.loaders.gunicorn import load_gunicorn

        gunicorn = load_gunicorn(path, current.facts, problems)
        if gunicorn is not None:
            apps.append((path, gunicorn))
    for path in inputs.uwsgi:
        if os.path.realpath(path) in consumed:
            continue
        from gwlint.loaders.uwsgi import load_uwsgi

        uwsgi = load_uwsgi(path, current.facts, problems, section=current.uwsgi_section)
        if uwsgi is not None:
            apps.append((path, uwsgi))
    named = any(path not in inputs.walked_nginx for path in inputs.nginx)
    groups = _groups(current, inputs, apps, problems, sysroot, named=named)

    findings: list[tuple[str, Finding]] = [(f.code or "GW000", f) for f in problems.items]
    files: list[str] = []
    for group in groups:
        deployment = pair(group.nginx, tuple(group.apps), current.facts)
        for rule in ALL_RULES:
            if rule.check is None or rule.code not in current.enabled:
                continue
            findings.extend((rule.code, finding) for finding in rule.check(deployment))
        if group.nginx is not None:
            files.extend(group.nginx.files)
    files.extend(path for path in [*inputs.gunicorn, *inputs.uwsgi] if path not in files)
    files.extend(launch_files)
    if not groups:
        files.extend(inputs.nginx)
    diagnostics, suppressed = _filtered(current, findings, problems)
    facts = current.facts
    config_path = current.config.path
    return Report(
        diagnostics=diagnostics,
        files=list(dict.fromkeys(files)),
        found_nothing=not (inputs.nginx or inputs.gunicorn or inputs.uwsgi or inputs.launcher),
        nginx_label=facts.nginx_label,
        gunicorn_label=facts.gunicorn_label,
        nginx_version_given=facts.nginx_version_given,
        fail_on=current.fail_on,
        deployments=len(groups),
        suppressed=suppressed,
        config_path=str(config_path) if config_path is not None else None,
    )
