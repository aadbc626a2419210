"""What a run is asked to do: the command line over the configuration file, validated.

``Request`` is the command line as read; ``settings`` merges it with the configuration file
(``[tool.gwlint]``, ``gwlint.toml``, ``.gwlint.toml``, or ``--config``) and checks every value,
raising ``UsageError`` (exit 2, one line) for anything that cannot be used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gwlint.model.diagnostics import Severity

if TYPE_CHECKING:
    from pathlib import Path

    from gwlint.config import Config
    from gwlint.model.facts import Facts


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
    # --nginx-dump-root SERVER=REPO: the server's folder SERVER is the repository's REPO
    nginx_dump_roots: list[str] = field(default_factory=list)
    # where nginx_version comes from when not from --nginx-version (the dump's nginx -V line)
    nginx_version_origin: str | None = None
    stdin_text: str | None = None  # what "-" reads (the command line passes it in)
    show: bool = False  # --show-files / --show-settings: keep what the run read, for a view


@dataclass(eq=False, repr=False)  # run state: never compared or shown
class Scope:
    """What one configuration file decides for the files it is the closest to: which rules,
    at which severity, the per-file ignores (relative to its folder) and the target facts."""

    config: Config
    enabled: set[str]
    facts: Facts
    severity: dict[str, Severity]
    per_file_ignores: list[tuple[str, set[str]]]


@dataclass(eq=False, repr=False)  # run state: never compared or shown
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
    # the folders the run may read from (see loaders.common.roots); a configuration file found
    # in them cannot widen them, one passed with --config (the user's own) can
    roots: list[str] = field(default_factory=list)
    trusted: bool = True
    # what a found configuration file asked for and was refused (GW009): (path, line, message)
    refused: list[tuple[str, int, str]] = field(default_factory=list)
    # hierarchical configuration (no --config, no --isolated): each file takes the closest
    # configuration among its folders (``scope_at``); warnings about configurations, for stderr
    request: Request | None = None
    hierarchical: bool = False
    warnings: list[str] = field(default_factory=list)
    _scopes: dict[str, Scope] = field(default_factory=dict)  # configuration path -> its scope
    _closest: dict[str, str | None] = field(default_factory=dict)  # folder -> configuration
    # a file's path as a finding names it -> its scope (a large config has thousands of
    # findings in one file: one lookup of its folders, not one each)
    _at: dict[str, Scope] = field(default_factory=dict)
    _own: Scope | None = None

    @property
    def scope(self) -> Scope:
        """The run's own scope: the configuration of the folder checked."""
        if self._own is None:
            self._own = Scope(
                self.config, self.enabled, self.facts, self.severity, self.per_file_ignores
            )
        return self._own

    def scope_at(self, path: str) -> Scope:
        """The scope of the closest configuration among ``path``'s folders, within the folders
        the run reads (the run's own when there is none closer, or with --config/--isolated)."""
        if not self.hierarchical or self.request is None:
            return self.scope
        known = self._at.get(path)
        if known is not None:
            return known
        found = self._closest_config(os.path.dirname(os.path.abspath(path)))
        own = self.config.path
        if found is None or (own is not None and os.path.abspath(own) == found):
            scope = self.scope
        else:
            if found not in self._scopes:
                self._scopes[found] = self._load_scope(found)
            scope = self._scopes[found]
        self._at[path] = scope
        return scope

    def facts_at(self, path: str) -> Facts:
        return self.scope_at(path).facts

    def _closest_config(self, folder: str) -> str | None:
        from pathlib import Path

        from gwlint.config import find_here
        from gwlint.loaders.common import within

        passed: list[str] = []
        result: str | None = None
        current = folder
        while current not in self._closest:
            if not any(within(current, root) for root in self.roots):
                break  # never above the folders the run reads
            passed.append(current)
            here = find_here(Path(current))
            if here is not None:
                result = str(here.absolute())
                break
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        else:
            result = self._closest[current]
        for seen in passed:
            self._closest[seen] = result
        return result

    def _load_scope(self, path: str) -> Scope:
        from pathlib import Path

        from gwlint import config as cfg

        assert self.request is not None
        try:
            config = cfg.load(Path(path), allowed=self._may_read)
        except cfg.Refused as exc:
            self.refused.append((display(str(exc.where[0])), exc.where[1], exc.where[2]))
            config = cfg.load(Path(path), inherit=False)
        except cfg.ConfigError as exc:
            raise UsageError(str(exc)) from None
        self.warnings.extend(_shadowing(config))
        for key in cfg.RUN_KEYS:
            if key.replace("-", "_") in config.fields_set:
                assert config.path is not None
                where = f"{display(str(config.path))}:{_line_of(config.path, key)}"
                self.warnings.append(
                    f"{where}: {key} is ignored here: it shapes the whole run, and is read only "
                    "from the configuration of the folder checked"
                )
        severity = _severities(config)
        return Scope(
            config=config,
            enabled=_enabled(self.request, config),
            facts=_facts(self.request, config),
            severity=severity,
            per_file_ignores=_per_file_ignores(config),
        )

    def _may_read(self, path: Path) -> bool:
        from gwlint.loaders.common import within

        return any(within(str(path), root) for root in self.roots)


def _load_config(
    request: Request, folders: list[str], refused: list[tuple[str, int, str]]
) -> Config:
    from pathlib import Path

    from gwlint import config as cfg
    from gwlint.loaders.common import within

    if request.isolated:
        return cfg.Config()
    if request.config is not None:
        path: Path | None = Path(request.config)
        if not os.path.isfile(request.config):
            raise UsageError(f"--config {request.config}: no such file")
        allowed = None  # the user's own: it may extend any file
    else:
        path = cfg.find(_start(request))

        def allowed(where: Path) -> bool:
            return any(within(str(where), folder) for folder in folders)

    try:
        return cfg.load(path, allowed=allowed)
    except cfg.Refused as exc:
        refused.append((display(str(exc.where[0])), exc.where[1], exc.where[2]))
        return cfg.load(path, inherit=False)
    except cfg.ConfigError as exc:
        raise UsageError(str(exc)) from None


def _shadowing(config: Config) -> list[str]:
    """A warning for each configuration file ``config``'s hides in its folder."""
    from gwlint import config as cfg

    if config.path is None:
        return []
    hidden = cfg.shadowed(config.path)
    return [
        f"{display(str(other))} is not read: {display(str(config.path))} is, in the same folder "
        "(.gwlint.toml, then gwlint.toml, then pyproject.toml: the first wins, as in ruff)"
        for other in hidden
    ]


def _severities(config: Config) -> dict[str, Severity]:
    from gwlint.rules import BY_CODE

    where = f"{config.path}: " if config.path is not None else ""
    severity: dict[str, Severity] = {}
    for code, level in config.severity.items():
        if code.upper() not in BY_CODE:
            raise UsageError(f"{where}severity: unknown rule {code!r} (see `gwlint rules`)")
        severity[code.upper()] = Severity(level)
    return severity


def _per_file_ignores(config: Config) -> list[tuple[str, set[str]]]:
    return [
        (glob, {code.upper() for code in codes}) for glob, codes in config.per_file_ignores.items()
    ]


def _start(request: Request) -> Path | None:
    """Where the configuration is looked for, upward: the folder the named paths have in common
    (a named folder, a named file's folder), as ruff finds a file's closest configuration; the
    working directory when nothing that exists is named."""
    from pathlib import Path

    folders = [
        os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".")
        for p in [*request.paths, *request.nginx, *request.gunicorn, *request.uwsgi]
        if os.path.exists(p)
    ]
    if not folders:
        return None
    try:
        return Path(os.path.commonpath(folders))
    except ValueError:  # another drive (Windows)
        return None


def display(path: str) -> str:
    """A path as findings show it: relative to the working directory when below it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _from_config(config: Config, value: str | None) -> str | None:
    """A path written in the configuration file, relative to its folder, as the CLI sees it."""
    if value is None or config.path is None or os.path.isabs(value):
        return value
    return display(os.path.join(config.root, value))


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
    from gwlint.model.versions import check_known, parse_version

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
                version = parse_version(text)
                check_known(name.removesuffix("_version"), version)
                args[name] = version
            except ValueError as exc:
                raise UsageError(f"{origin}{name.replace('_', '-')}: {exc}") from None
            option = name.replace("_", "-")
            args[f"{name}_source"] = (
                f"--{option}" if flag is not None else f"{option} in {config.path}"
            )
            if name == "nginx_version" and flag is not None and request.nginx_version_origin:
                args[f"{name}_source"] = request.nginx_version_origin
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
    return Facts(**args)  # type: ignore[arg-type]  # each value checked above


def settings(request: Request) -> Settings:
    folders = base_roots(request)
    refused: list[tuple[str, int, str]] = []
    config = _load_config(request, folders, refused)
    where = f"{config.path}: " if config.path is not None else ""
    severity = _severities(config)
    fail_on = request.fail_on or config.fail_on
    if fail_on not in ("error", "warning", "info"):
        raise UsageError(f"--fail-on: {fail_on!r} is not one of error, warning, info")
    # a configuration file found in the checked folders comes with them (a pull request's own):
    # it cannot make gwlint read elsewhere; one named with --config is the user's
    trusted = request.config is not None or config.path is None
    prefix = request.nginx_prefix
    if prefix is None:
        prefix = _from_config(config, config.nginx_prefix)
        if prefix is not None and not trusted and request.nginx_dump is None:
            from gwlint.loaders.common import within

            if not any(within(prefix, folder) for folder in folders):
                assert config.path is not None
                refused.append(
                    (
                        display(str(config.path)),
                        _line_of(config.path, "nginx-prefix"),
                        f"nginx-prefix = {config.nginx_prefix!r} lies outside the folders "
                        "gwlint reads: ignored (a configuration file found in them cannot widen "
                        "them; use --nginx-prefix, or --config FILE)",
                    )
                )
                prefix = None
    if prefix is not None and not os.path.isdir(prefix) and request.nginx_dump is None:
        origin = "--nginx-prefix" if request.nginx_prefix is not None else f"{where}nginx-prefix"
        raise UsageError(f"{origin} {prefix}: no such folder")
    if prefix is not None and (trusted or request.nginx_prefix is not None):
        folders.append(prefix)  # the user's choice: read there
    if not trusted:
        refused.extend(_refuse_deployments(config, folders))
    return Settings(
        config=config,
        enabled=_enabled(request, config),
        facts=_facts(request, config),
        severity=severity,
        per_file_ignores=_per_file_ignores(config),
        fail_on=Severity(fail_on),
        nginx_prefix=prefix,
        uwsgi_section=request.uwsgi_section or config.uwsgi_section or "uwsgi",
        roots=folders,
        trusted=trusted,
        refused=refused,
        request=request,
        hierarchical=request.config is None and not request.isolated,
        warnings=_shadowing(config),
    )


def base_roots(request: Request) -> list[str]:
    """The folders the command line lets the run read from. With no path, as with ``.``.
    For each path named (a folder, or a file's folder, as written: a named symlink
    does not move it): the top of the checkout that holds it (the nearest folder above with a
    ``.git``, ``.hg`` or ``.svn``), so that an include of a sibling folder (or an ``extend`` of
    the configuration above) still resolves; else
    the working directory when the path was written relative to it; else that folder alone.
    Never the folders above a checkout: with the working directory at ``/`` (a container's
    default), ``gwlint check /src/app`` reads /src/app, not /etc/passwd through ``../..``."""
    from gwlint.loaders.common import within

    named = [*request.paths, *request.nginx, *request.gunicorn, *request.uwsgi]
    if request.nginx_dump not in (None, "-"):
        named.append(request.nginx_dump)
    here = os.getcwd()
    if not named:
        named = ["."]  # as `gwlint check .`: a subfolder of a checkout reads the checkout
    folders: list[str] = []
    for path in named:
        absolute = os.path.abspath(path)
        folder = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
        top = _checkout_top(folder)
        if top is not None:
            folders.append(top)
        elif not os.path.isabs(path) and within(folder, here):
            folders.append(here)
        else:
            folders.append(folder)
    return folders


def _checkout_top(folder: str) -> str | None:
    """The nearest folder at or above ``folder`` that a version-control checkout starts at
    (not the filesystem root)."""
    current = folder
    while True:
        if any(os.path.exists(os.path.join(current, m)) for m in (".git", ".hg", ".svn")):
            return current if os.path.dirname(current) != current else None
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _line_of(path: object, needle: str) -> int:
    """The first line of the configuration file that holds ``needle`` (1 if none)."""
    try:
        with open(str(path), encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if needle in line:
                    return number
    except OSError:
        pass
    return 1


def _refuse_deployments(config: Config, folders: list[str]) -> list[tuple[str, int, str]]:
    """A found configuration's ``deployments`` patterns that name files outside the folders the
    run reads (absolute paths, ``..`` above them): refused before any glob runs (``/**/*.conf``
    would walk the whole host). The patterns left are relative to the configuration file's
    folder."""
    from gwlint.loaders.common import within

    refused: list[tuple[str, int, str]] = []
    assert config.path is not None

    def outside(pattern: str) -> bool:
        if os.path.isabs(pattern) or pattern.startswith("~"):
            return True
        parts = pattern.replace("\\", "/").split("/")
        fixed: list[str] = []  # the folders before the first glob character
        for index, part in enumerate(parts[:-1]):
            if any(c in part for c in "*?["):
                if ".." in parts[index:]:
                    return True  # climbing after a glob: anywhere
                break
            fixed.append(part)
        folder = os.path.normpath(os.path.join(config.root, *fixed))
        return not any(within(folder, root) for root in folders)

    for number, deployment in enumerate(config.deployments, start=1):
        label = deployment.name or f"deployments[{number}]"
        for key in ("nginx", "app"):
            patterns: list[str] = getattr(deployment, key)
            kept = []
            for pattern in patterns:
                if outside(pattern):
                    refused.append(
                        (
                            display(str(config.path)),
                            _line_of(config.path, pattern),
                            f"{label}: {key} = {pattern!r} names files outside the folders "
                            "gwlint reads: ignored (a configuration file found in them cannot "
                            "widen them; name the files, or use --config FILE)",
                        )
                    )
                else:
                    kept.append(pattern)
            setattr(deployment, key, kept)
    return refused
