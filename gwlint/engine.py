"""The only place that wires the stages together:

    settings -> inventory -> loaders -> deployment -> rules -> filtering -> report

``settings`` merges the command line with the configuration file; the inventory says which
files are read as what; the loaders read them (app servers through the commands that start
them); the deployment stage groups them into deployments (one nginx configuration and the app
servers behind it); every rule checks every deployment; the findings are filtered (selection,
severity overrides, per-file ignores, inline suppressions).
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from gwlint.model.diagnostics import Diagnostic, Finding, Severity
from gwlint.settings import Request, Settings, UsageError, settings

if TYPE_CHECKING:
    from collections.abc import Iterable

    from gwlint.deployment.context import Context
    from gwlint.deployment.grouping import Group
    from gwlint.inventory import Inventory
    from gwlint.loaders.common import Problems
    from gwlint.loaders.sources import Sources
    from gwlint.model.deployment import Deployment
    from gwlint.model.facts import Facts
    from gwlint.reporters.show import View

__all__ = ["Report", "Request", "Settings", "UsageError", "lint"]


class VersionUsed(NamedTuple):
    """A server version the run checked against, and where it comes from (None: assumed)."""

    server: str  # "nginx", "gunicorn", "uWSGI"
    version: str  # "1.24"
    source: str | None
    user: bool = False  # given on the command line or in the configuration file

    @property
    def label(self) -> str:
        where = self.source or "assumed"
        return f"{self.server} {self.version} ({where})"


def versions_used(
    used: list[tuple[Facts, set[str]]], default: Facts, labels: Iterable[str] = ()
) -> list[VersionUsed]:
    """The versions of nginx, gunicorn and uWSGI the deployments were checked against (each
    server's by the deployments that have one; the run's facts where none has), then those of
    the other servers (``labels``: "Apache httpd 2.4", "hypercorn 0.18": the documented defaults
    of that line, which no option changes yet)."""
    from gwlint.model.versions import format_version

    out: list[VersionUsed] = []
    kinds = set().union(*(servers for _, servers in used)) if used else set()
    for server, attribute in (("nginx", "nginx"), ("gunicorn", "gunicorn"), ("uWSGI", "uwsgi")):
        if attribute == "nginx" and "nginx" not in kinds and kinds & FRONT_KINDS:
            continue  # Apache httpd or Caddy in front, no nginx: its version is not used
        if attribute == "gunicorn" and "gunicorn" not in kinds and kinds & ASGI_KINDS:
            continue  # uvicorn, hypercorn... behind, no gunicorn: its version is not used
        having = [facts for facts, servers in used if attribute in servers] or [default]
        for facts in having:
            source = getattr(facts, f"{attribute}_version_source")
            option = f"{attribute}-version"
            user = source is not None and (source == f"--{option}" or source.startswith(option))
            version = VersionUsed(
                server,
                format_version(getattr(facts, f"{attribute}_version"), short=True),
                source,
                user,
            )
            if version not in out:
                out.append(version)
    for label in sorted(set(labels)):
        server, _, version_text = label.rpartition(" ")
        out.append(VersionUsed(server, version_text, None))
    return out


FRONT_KINDS = frozenset({"apache", "caddy"})
# the codes that say a config file cannot be read (what --fix must never bring)
UNREADABLE = frozenset({"GW001", "GW003", "GW004"})
ASGI_KINDS = frozenset({"uvicorn", "daphne", "granian", "hypercorn"})


@dataclass
class Report:
    diagnostics: list[Diagnostic]
    files: list[str]
    nginx_label: str
    gunicorn_label: str
    nginx_version_given: bool
    versions: list[VersionUsed] = field(default_factory=list)
    view: View | None = None  # what was read as what (--show-files, --show-settings)
    found_nothing: bool = False
    fail_on: Severity = Severity.WARNING
    deployments: int = 1
    suppressed: int = 0
    config_path: str | None = None
    # rule code -> the severity the configuration gives it (SARIF's problem.severity follows it)
    severities: dict[str, Severity] = field(default_factory=dict)
    # about the configuration files (a hidden one, a key that cannot apply): for standard error
    warnings: list[str] = field(default_factory=list)
    # --fix: the findings whose fixes were applied (the diagnostics are what remains); with
    # --unsafe-fixes, unsafe fixes count as fixable in the summary
    fixed: list[Diagnostic] = field(default_factory=list)
    unsafe_fixes: bool = False
    # (code, path, line) of every file gwlint could not read (GW001, GW003, GW004), whether the
    # run reports those codes or not: --fix never writes a file into one
    unreadable: list[tuple[str, str, int]] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def failed(self) -> bool:
        return any(d.severity.rank >= self.fail_on.rank for d in self.diagnostics)


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


# the most of `nginx -T` output a run reads (a file, or standard input)
DUMP_LIMIT = 64 * 1024 * 1024


def _read_dump(request: Request) -> tuple[str, str]:
    """(text, name) of the dump --nginx-dump names."""
    name = request.nginx_dump or "-"
    if name == "-":
        return request.stdin_text or "", "<stdin>"
    if not os.path.isfile(name):
        raise UsageError(f"--nginx-dump {name}: no such file")
    try:
        with open(name, encoding="utf-8", errors="replace") as handle:
            text = handle.read(DUMP_LIMIT + 1)
        if len(text) > DUMP_LIMIT:
            raise UsageError(f"--nginx-dump {name}: over {DUMP_LIMIT // 2**20} MiB; not read")
        return text, name
    except OSError as exc:
        raise UsageError(f"--nginx-dump {name}: cannot read: {exc.strerror or exc}") from None


def _lint_request(request: Request) -> Report:
    if request.nginx_dump is None:
        if request.nginx_dump_roots:
            raise UsageError("--nginx-dump-root maps the paths of --nginx-dump; give both")
        return _lint(request, None)
    from gwlint.loaders import dump
    from gwlint.loaders.sources import serving

    text, name = _read_dump(request)
    try:
        files = dump.split(text, name)
        pairs = dump.roots(request.nginx_dump_roots)
    except dump.DumpError as exc:
        raise UsageError(str(exc)) from None
    found = dump.version(text)
    if found is not None and request.nginx_version is None:
        # `nginx -V; nginx -T`: the server says which nginx it is (--nginx-version still wins)
        request.nginx_version = found
        request.nginx_version_origin = f"the nginx -V line of {name}"
    if request.nginx:
        raise UsageError("--nginx-dump reads the nginx side; do not name nginx files as well")
    # the server's files stay in memory, at their own paths: nothing is written to disk, and
    # the nginx loader reads no file of this host in their place
    server, main = dump.server_files(files)
    with serving(server):
        report = _lint(request, (dump.SERVER_ROOT, main))
    return _mapped(report, pairs) if pairs else report


def _mapped(report: Report, pairs: list[tuple[str, str]]) -> Report:
    """The report with the server's paths named as the repository's (--nginx-dump-root): in
    every location, and where a message or a fix writes them."""
    from dataclasses import replace

    from gwlint.loaders.dump import map_path
    from gwlint.model.diagnostics import Location, Related

    def where(location: Location) -> Location:
        return location._replace(path=map_path(location.path, pairs))

    def text(value: str) -> str:
        for server, repo in pairs:
            if server != "/":
                value = value.replace(server + "/", repo + "/")
        return value

    diagnostics = [
        replace(
            d,
            location=where(d.location),
            message=text(d.message),
            related=tuple(Related(where(r.location), text(r.message)) for r in d.related),
            fix=text(d.fix) if d.fix is not None else None,
        )
        for d in report.diagnostics
    ]
    diagnostics.sort(key=lambda d: d.sort_key())
    return replace(
        report, diagnostics=diagnostics, files=[map_path(f, pairs) for f in report.files]
    )


def _lint(request: Request, dumped: tuple[str, str] | None) -> Report:
    from gwlint import inventory
    from gwlint.loaders.common import reading_within

    current = settings(request)
    sysroot = None
    if dumped is not None:
        # the server's files are read from memory (loaders.sources.serving): no folder of this
        # host is added to the roots for them; the prefix is the server's
        sysroot, main = dumped
        from gwlint.loaders import dump

        current.nginx_prefix = dump.prefix(current.nginx_prefix, main)
    with reading_within(current.roots):
        found: Inventory = inventory.take(request, current)
    if current.trusted:  # the files a --config's deployments name: the user's choice
        current.roots.extend(os.path.dirname(os.path.abspath(p)) for p in found.configured)
    if dumped is not None:
        found.nginx = [dumped[1]]
    with reading_within(current.roots):
        return _check(request, current, found, sysroot)


def _check(request: Request, current: Settings, found: Inventory, sysroot: str | None) -> Report:
    from gwlint import filtering
    from gwlint.deployment import context as deployment_context
    from gwlint.deployment.apps import app_servers
    from gwlint.deployment.grouping import group, group_facts
    from gwlint.loaders.common import Problems
    from gwlint.model.deployment import pair
    from gwlint.rules import ALL_RULES

    problems = Problems()
    for path, message in found.unread:
        problems.add("GW010", path, 1, message)
    context = deployment_context.build(current, found, problems)
    apps, launch_files = app_servers(current, found, problems, context)
    named = any(path not in found.walked_nginx for path in found.nginx)
    groups = group(current, found, apps, problems, sysroot, named=named, context=context)

    findings: list[tuple[str, Finding]] = []
    files: list[str] = []
    used: list[tuple[Facts, set[str]]] = []
    labels: list[str] = []  # the versions of the other servers: "Apache httpd 2.4"
    deployments: list[Deployment] = []
    for deployment_group in groups:
        anchors = [*deployment_group.roots, *(app.path for app in deployment_group.apps)]
        # the closest configuration of its nginx config (else of its first app) gives the facts;
        # a rule runs when the configuration of any of its files enables it
        scopes = [current.scope_at(path) for path in anchors] or [current.scope]
        enabled = set().union(*(scope.enabled for scope in scopes))
        facts = group_facts(deployment_group, scopes[0].facts, context)
        servers: set[str] = {app.kind for app in deployment_group.apps}
        # the versions of the ASGI servers, as their defaults were read ("hypercorn 0.18")
        labels.extend(app.version_label for app in deployment_group.apps if app.kind in ASGI_KINDS)
        if deployment_group.nginx is not None:
            servers.add("nginx")
        if deployment_group.front is not None:
            servers.add(deployment_group.front.kind)
            labels.append(deployment_group.front.version_label)
        used.append((facts, servers))
        deployment = pair(
            deployment_group.nginx,
            tuple(deployment_group.apps),
            facts,
            context.known_hosts,
            context.foreign_hosts,
            front=deployment_group.front,
        )
        deployments.append(deployment)
        for rule in ALL_RULES:
            if rule.check is None or rule.code not in enabled:
                continue
            findings.extend((rule.code, finding) for finding in rule.check(deployment))
        if deployment_group.nginx is not None:
            files.extend(deployment_group.nginx.files)
        if deployment_group.front is not None:
            files.extend(deployment_group.front.files)
    app_configs = [*found.gunicorn, *found.uwsgi, *found.hypercorn]
    files.extend(path for path in app_configs if path not in files)
    files.extend(launch_files)
    if not groups:
        files.extend(found.nginx)
    _one_sided(groups, [*app_configs, *launch_files], problems)
    found_nothing = not (found.configs or context.extra_nginx or deployments)
    if found_nothing and request.paths:
        # named files read as context only (requirements, a manifest without a config)
        reported = {path for path, _ in found.unread}
        for path in request.paths:
            if path not in reported:
                problems.add("GW010", path, 1, "read as context only: no config to check in it")
    for _, finding in [*findings, *((None, f) for f in problems.items)]:
        current.scope_at(finding.location.path)  # every closest configuration read, once
    for path, line, message in current.refused:
        problems.add("GW009", path, line, message)
    findings = [(f.code or "GW000", f) for f in problems.items] + findings
    if sysroot is None and any(finding.plan is not None for _, finding in findings):
        findings = _resolved(findings, context.sources)
    findings = filtering.localized(findings, problems, context.sources)
    findings = filtering.hedged(findings)
    findings = filtering.fitted(findings)
    unreadable = sorted(
        {
            (code, finding.location.path, finding.location.line)
            for code, finding in findings
            if code in UNREADABLE
        }
    )
    diagnostics, suppressed = filtering.filtered(current, findings, problems)
    config_path = current.config.path
    versions = versions_used(used, current.facts, labels)
    view = _view(found, context, deployments, versions, current, problems) if request.show else None
    return Report(
        diagnostics=diagnostics,
        files=list(dict.fromkeys(files)),
        found_nothing=found_nothing,
        versions=versions,
        view=view,
        nginx_label=current.facts.nginx_label,
        gunicorn_label=current.facts.gunicorn_label,
        nginx_version_given=current.facts.nginx_version_given,
        fail_on=current.fail_on,
        deployments=len(groups),
        suppressed=suppressed,
        config_path=str(config_path) if config_path is not None else None,
        severities=dict(current.severity),
        warnings=list(dict.fromkeys(current.warnings)),
        unreadable=unreadable,
    )


def _resolved(findings: list[tuple[str, Finding]], sources: Sources) -> list[tuple[str, Finding]]:
    """Each finding's plan made into edits (``autofix``), or the reason it is not
    (``unfixable``): gwlint.fixes.resolve. Not for a server's own files (``--nginx-dump``)."""
    from dataclasses import replace

    from gwlint.fixes.resolve import Resolver

    resolver = Resolver(sources)
    out: list[tuple[str, Finding]] = []
    for code, finding in findings:
        if finding.plan is not None:
            resolved = resolver.resolve(finding.plan)
            if isinstance(resolved, str):
                finding = replace(finding, plan=None, unfixable=resolved)
            else:
                finding = replace(finding, plan=None, autofix=resolved)
        out.append((code, finding))
    return out


def _one_sided(groups: list[Group], app_files: list[str], problems: Problems) -> None:
    """GW011: only one side of the proxy-to-app chain among the inputs. What needs both sides was
    not checked, and a clean result must not read as if it had been."""
    nginx = next((g.nginx for g in groups if g.nginx is not None), None)
    # an Apache httpd or Caddy that proxies to nothing (mod_wsgi, static files) has no app behind
    front = next((g.front for g in groups if g.front is not None and g.front.routes), None)
    has_apps = any(g.apps for g in groups)
    if front is not None and not has_apps and not app_files and front.files:
        problems.add(
            "GW011",
            front.files[0],
            1,
            f"no gunicorn, uWSGI or ASGI server config, and no command that starts one, among the "
            f"inputs: {front.server_label} was checked alone, not against the app behind it",
        )
    if has_apps and nginx is None and front is None and app_files:
        problems.add(
            "GW011",
            app_files[0],
            1,
            "no proxy config (nginx, Apache httpd, Caddy) among the inputs: the app server was "
            "checked alone, not against the proxy in front of it",
        )
    elif nginx is not None and not has_apps and not app_files and nginx.files:
        # an app config that could not be read (GW003, GW004) is there: its problem is reported
        problems.add(
            "GW011",
            nginx.files[0],
            1,
            "no gunicorn, uWSGI or ASGI server config, and no command that starts one, among the "
            "inputs: nginx was checked alone, not against the app behind it",
        )


def _view(
    found: Inventory,
    context: Context,
    deployments: list[Deployment],
    versions: list[VersionUsed],
    current: Settings,
    problems: Problems,
) -> View:
    """What the run read as what, and how it grouped it (``--show-files``,
    ``--show-settings``)."""
    from gwlint.reporters.show import FileRow, View

    roles = {path: list(notes) for path, notes in context.roles.items()}
    for number, deployment in enumerate(deployments, start=1):
        if deployment.front is not None:
            for index, path in enumerate(deployment.front.files):
                role = f"deployment {number}" + ("" if index else ", its main file")
                roles.setdefault(context.sources.display(path), []).insert(0, role)
        if deployment.nginx is None:
            continue
        for index, path in enumerate(deployment.nginx.files):
            shown = context.sources.display(path)
            role = f"deployment {number}" + ("" if index else ", its main file")
            virtual = context.sources.virtual_text(path)
            if virtual is not None:
                role += f", {virtual.what}"
            rendered = problems.placeholders.kinds.get(os.path.realpath(path))
            if rendered:
                role += f", read as a template ({rendered}, rendered in memory)"
            roles.setdefault(shown, []).insert(0, role)
    rows: list[FileRow] = []
    kinds = ("nginx", "apache", "caddy", "gunicorn", "uwsgi", "hypercorn", "launcher", "pins")
    for kind in (*kinds, "manifests"):
        for path in getattr(found, kind):
            notes = roles.pop(path, None)
            if notes is None and kind in ("gunicorn", "uwsgi", "hypercorn"):
                notes = ["checked on its own (no command in the repository reads it)"]
            label = "manifest" if kind == "manifests" else kind
            rows.append(FileRow(path, label, "; ".join(notes or ["read, nothing to check"])))
    for path, notes in roles.items():  # files reached through others (includes, scripts)
        rows.append(FileRow(path, "read", "; ".join(notes)))
    facts = current.facts

    def given(value: object, flag: str) -> tuple[str, str]:
        if value is None:
            return "unknown", f"not given: {flag} N"
        return str(value), f"{flag} or the configuration"

    target = [
        ("cpus", *given(facts.cpus, "--cpus")),
        ("stop-timeout", *given(facts.stop_timeout, "--stop-timeout")),
        (
            "somaxconn",
            str(facts.somaxconn),
            "--somaxconn or the configuration"
            if facts.somaxconn_given
            else "assumed: the default of Linux 5.4 and later",
        ),
        ("front", facts.front.name if facts.front else "none", "--front or the configuration"),
    ]
    return View(
        files=rows,
        deployments=deployments,
        versions=[(v.server, v.version, v.source) for v in versions],
        facts=target,
        names={v.path: f"{v.display} ({v.what})" for v in context.sources.virtual.values()},
    )
