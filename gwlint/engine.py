"""The only place that wires the stages together: inputs -> loaders -> model -> rules -> report."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from gwlint.loaders import Inputs, Kind, classify, walk
from gwlint.model.diagnostics import Diagnostic, Finding, Severity


class UsageError(Exception):
    """Bad command-line input: exit 2 with this one-line message."""


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
    uwsgi_section: str = "uwsgi"
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    front: str | None = None
    stop_timeout: int | None = None
    somaxconn: int | None = None


@dataclass
class Report:
    diagnostics: list[Diagnostic]
    files: list[str]
    nginx_label: str
    gunicorn_label: str
    nginx_version_given: bool
    found_nothing: bool = False

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    @property
    def failed(self) -> bool:
        return any(d.severity is not Severity.INFO for d in self.diagnostics)


def collect(request: Request) -> Inputs:
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
                raise UsageError(f"{path}: no such file")
            inputs.add(forced_kind, path)
    paths = request.paths
    if not paths and not any(p for _, p in forced):
        paths = ["."]
    for path in paths:
        if os.path.isdir(path):
            walk(path, inputs, section=request.uwsgi_section)
        elif os.path.isfile(path):
            kind = classify(path, section=request.uwsgi_section)
            if kind is None:
                raise UsageError(
                    f"{path}: cannot tell whether this is an nginx, gunicorn or uWSGI config; "
                    "name it with --nginx, --gunicorn or --uwsgi"
                )
            inputs.add(kind, path)
        else:
            raise UsageError(f"{path}: no such file or directory")
    return inputs


def lint(request: Request) -> Report:
    from gwlint.loaders.common import Problems
    from gwlint.loaders.gunicorn import load_gunicorn
    from gwlint.loaders.nginx import load_nginx
    from gwlint.loaders.uwsgi import load_uwsgi
    from gwlint.model.appserver import AppServer
    from gwlint.model.deployment import pair
    from gwlint.model.facts import Facts
    from gwlint.model.versions import parse_version
    from gwlint.rules import ALL_RULES, BY_CODE, select

    try:
        enabled = select(request.select, request.ignore)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    facts_args: dict[str, object] = {
        "cpus": request.cpus,
        "env": dict(request.env),
        "nginx_version_given": request.nginx_version is not None,
        "gunicorn_version_given": request.gunicorn_version is not None,
    }
    for name, text in (
        ("nginx_version", request.nginx_version),
        ("gunicorn_version", request.gunicorn_version),
        ("uwsgi_version", request.uwsgi_version),
    ):
        if text is not None:
            try:
                facts_args[name] = parse_version(text)
            except ValueError as exc:
                raise UsageError(f"--{name.replace('_', '-')}: {exc}") from None
    if request.cpus is not None and request.cpus < 1:
        raise UsageError("--cpus: must be at least 1")
    if request.front is not None:
        from gwlint.model.facts import Front

        try:
            facts_args["front"] = Front.parse(request.front)
        except ValueError as exc:
            raise UsageError(f"--front: {exc}") from None
    if request.stop_timeout is not None:
        if request.stop_timeout < 0:
            raise UsageError("--stop-timeout: must be 0 or more seconds")
        facts_args["stop_timeout"] = request.stop_timeout
    if request.somaxconn is not None:
        if request.somaxconn < 1:
            raise UsageError("--somaxconn: must be at least 1")
        facts_args["somaxconn"] = request.somaxconn
        facts_args["somaxconn_given"] = True
    facts = Facts.model_validate(facts_args)

    if request.nginx_prefix is not None and not os.path.isdir(request.nginx_prefix):
        raise UsageError(f"--nginx-prefix {request.nginx_prefix}: no such folder")
    inputs = collect(request)
    problems = Problems()
    nginx = None
    if inputs.nginx:
        nginx = load_nginx(inputs.nginx, facts, problems, prefix=request.nginx_prefix)
    apps: list[AppServer] = []
    for path in inputs.gunicorn:
        gunicorn = load_gunicorn(path, facts, problems)
        if gunicorn is not None:
            apps.append(gunicorn)
    for path in inputs.uwsgi:
        uwsgi = load_uwsgi(path, facts, problems, section=request.uwsgi_section)
        if uwsgi is not None:
            apps.append(uwsgi)
    deployment = pair(nginx, tuple(apps), facts)

    findings: list[tuple[str, Finding]] = [(f.code or "GW000", f) for f in problems.items]
    for rule in ALL_RULES:
        if rule.check is None or rule.code not in enabled:
            continue
        findings.extend((rule.code, finding) for finding in rule.check(deployment))
    diagnostics = sorted(
        {
            Diagnostic(
                code=code,
                severity=finding.severity or BY_CODE[code].severity,
                message=finding.message,
                location=finding.location,
                related=finding.related,
                fix=finding.fix,
            )
            for code, finding in findings
            if code in enabled
        },
        key=Diagnostic.sort_key,
    )
    files = [*inputs.nginx, *inputs.gunicorn, *inputs.uwsgi]
    if nginx is not None:
        files = [*nginx.files, *inputs.gunicorn, *inputs.uwsgi]
    return Report(
        diagnostics=diagnostics,
        files=files,
        found_nothing=not (inputs.nginx or inputs.gunicorn or inputs.uwsgi),
        nginx_label=facts.nginx_label,
        gunicorn_label=facts.gunicorn_label,
        nginx_version_given=request.nginx_version is not None,
    )
