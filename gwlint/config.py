"""Project configuration: ``[tool.gwlint]`` in pyproject.toml, or gwlint.toml / .gwlint.toml.

Found like ruff finds its own: from the folder checked upward, the closest wins, and in one
folder ``.gwlint.toml`` before ``gwlint.toml`` before ``pyproject.toml`` (only when it has a
``[tool.gwlint]`` table). Each file checked then takes the closest configuration among its own
folders (hierarchical, as ruff; see ``settings.Settings.scope_at``). ``extend = "../gwlint.toml"``
inherits another file. ``--config FILE`` names one for everything. Keys are written with dashes
(``fail-on``, ``nginx-version``); command-line flags beat the file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

CONFIG_NAMES = (".gwlint.toml", "gwlint.toml", "pyproject.toml")
MAX_CONFIG_BYTES = 8 * 1024 * 1024  # as every file gwlint reads (loaders.common.MAX_FILE_BYTES)
SeverityName = Literal["error", "warning", "info"]


class ConfigError(Exception):
    """A configuration file that cannot be used: exit 2 with this one-line message."""


def _dashes(name: str) -> str:
    return name.replace("_", "-")


# The configuration as the run reads it: plain records, built without pydantic. A file is
# validated by the pydantic models ``gwlint.config_model`` makes from these (their fields, the
# JSON Schema's source), imported only when there is a file; ``load`` copies the result here.


@dataclass(slots=True)
class DeploymentConfig:
    """One deployment: its nginx config(s) and app server config(s), as globs."""

    name: str | None = None
    nginx: list[str] = field(default_factory=list)
    app: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Config:
    # a configuration file this one inherits, relative to this file's folder: its settings apply
    # where this file sets nothing (``select`` resets the inherited ``ignore``, as in ruff)
    extend: str | None = None
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    severity: dict[str, SeverityName] = field(default_factory=dict)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    fail_on: SeverityName = "warning"
    cpus: int | None = None
    nginx_version: str | None = None
    gunicorn_version: str | None = None
    uwsgi_version: str | None = None
    front: str | None = None
    stop_timeout: int | None = None
    somaxconn: int | None = None
    nginx_prefix: str | None = None
    uwsgi_section: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    deployments: list[DeploymentConfig] = field(default_factory=list)
    # folder walks: gitignore-style patterns relative to this file's folder (ruff's semantics:
    # exclude replaces the default list, extend-exclude adds to it)
    exclude: list[str] | None = None
    extend_exclude: list[str] = field(default_factory=list)
    respect_gitignore: bool = True
    path: Path | None = None  # the file it was read from
    # the fields the file set (field names, with underscores; pydantic's ``model_fields_set``)
    fields_set: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    @property
    def root(self) -> Path:
        """The folder relative paths in the file are relative to."""
        return self.path.parent if self.path is not None else Path.cwd()


_INTERNAL = ("path", "fields_set")  # fields that are no key of the file
_FIELDS = tuple(f.name for f in fields(Config) if f.name not in _INTERNAL)
ALLOWED_KEYS = sorted(_dashes(name) for name in _FIELDS)
# keys that shape the whole run (what is walked, how deployments are formed, when it fails): read
# from the configuration of the folder checked; a configuration closer to some files cannot
# change them for those files alone
RUN_KEYS = (
    "fail-on",
    "exclude",
    "extend-exclude",
    "respect-gitignore",
    "deployments",
    "nginx-prefix",
    "uwsgi-section",
)
# with ``extend``: lists that add to the inherited ones, tables merged key by key
_ADDED = ("ignore", "extend-select", "extend-exclude")
_MERGED = ("severity", "env", "per-file-ignores")
MAX_EXTEND_DEPTH = 16


def _table(path: Path) -> dict[str, Any] | None:
    import tomllib  # only when a configuration file is there to read

    try:
        with path.open("rb") as handle:
            text = handle.read(MAX_CONFIG_BYTES + 1)
        if len(text) > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: over {MAX_CONFIG_BYTES // 2**20} MiB; not read")
        data = tomllib.loads(text.decode())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{path}: invalid TOML: not UTF-8 (byte {exc.object[exc.start]:#04x} at line {line})"
        ) from None
    except ValueError as exc:  # an integer of more than 4300 digits
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        table = tool.get("gwlint") if isinstance(tool, dict) else None
        return table if isinstance(table, dict) else None
    return data


def find(start: Path | None = None) -> Path | None:
    """The closest configuration file, from ``start`` (the working directory) upward."""
    folder = (start or Path.cwd()).resolve()
    for current in (folder, *folder.parents):
        found = find_here(current)
        if found is not None:
            return found
    return None


def find_here(folder: Path) -> Path | None:
    """The configuration file of ``folder`` itself (not its parents), if any."""
    for name in CONFIG_NAMES:
        candidate = folder / name
        if candidate.is_file() and (name != "pyproject.toml" or _has_table(candidate)):
            return candidate
    return None


def _has_table(path: Path) -> bool:
    try:
        return _table(path) is not None
    except ConfigError:
        return True  # a broken pyproject.toml is reported when it is read


def shadowed(path: Path) -> list[Path]:
    """The other configuration files in ``path``'s folder, which ``path`` hides (``.gwlint.toml``
    before ``gwlint.toml`` before ``pyproject.toml`` with a ``[tool.gwlint]`` table, as ruff's
    ``.ruff.toml`` > ``ruff.toml`` > ``pyproject.toml``)."""
    if path.name not in CONFIG_NAMES:
        return []  # named with --config: not found among others
    later = CONFIG_NAMES[CONFIG_NAMES.index(path.name) + 1 :]
    return [
        path.parent / name
        for name in later
        if (path.parent / name).is_file()
        and (name != "pyproject.toml" or _has_table(path.parent / name))
    ]


def load(
    path: Path | None,
    allowed: Callable[[Path], bool] | None = None,
    *,
    inherit: bool = True,
) -> Config:
    """Read and validate ``path`` (None: the defaults), with the files it ``extend``s.

    ``allowed``: whether an extended file may be read (a configuration found in the checked
    folders cannot make gwlint read outside them); a refused ``extend`` raises ``Refused``.
    ``inherit=False``: ``path`` alone, its ``extend`` not followed."""
    if path is None:
        return Config()  # no file: the defaults, without pydantic
    from pydantic import ValidationError

    from gwlint.config_model import Config as Model

    table = _inherited(path, [], allowed if inherit else lambda _: True, inherit=inherit)
    table.pop("extend", None)
    try:
        model = Model.model_validate(table)
    except ValidationError as exc:  # each file was valid alone: a merge cannot break a key
        raise ConfigError(_explain(exc, path)) from None
    return _plain(model, path)


def _plain(model: BaseModel, path: Path) -> Config:
    """The validated ``model`` as the run's plain ``Config``, read from ``path``."""
    values = {name: getattr(model, name) for name in _FIELDS if name != "deployments"}
    deployments = [
        DeploymentConfig(name=d.name, nginx=d.nginx, app=d.app)
        for d in model.deployments  # type: ignore[attr-defined]
    ]
    return Config(
        **values,
        deployments=deployments,
        path=path,
        fields_set=frozenset({*model.model_fields_set, "path"}),
    )


class Refused(ConfigError):
    """``extend`` names a file outside the folders the run may read: (path, line, message)."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.where = (path, line, message)


def _inherited(
    path: Path,
    chain: list[Path],
    allowed: Callable[[Path], bool] | None,
    *,
    inherit: bool = True,
) -> dict[str, Any]:
    """``path``'s table (keys with dashes), validated alone, over what it extends."""
    from pydantic import ValidationError

    from gwlint.config_model import Config as Model

    table = _table(path)
    if table is None:
        raise ConfigError(f"{path}: no [tool.gwlint] table")
    try:
        Model.model_validate(table)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, path)) from None
    table = {_dashes(str(key)): value for key, value in table.items()}
    extend = table.pop("extend", None)
    if extend is None or not inherit:
        return table
    where = f"{path}:{_line(path, 'extend')}"
    base = Path(os.path.normpath(path.parent / os.path.expanduser(str(extend))))
    if any(os.path.realpath(base) == os.path.realpath(seen) for seen in [*chain, path]):
        raise ConfigError(f"{where}: extend = {extend!r}: extends itself (a cycle)")
    if len(chain) >= MAX_EXTEND_DEPTH:
        raise ConfigError(f"{where}: extend: more than {MAX_EXTEND_DEPTH} files deep")
    if allowed is not None and not allowed(base):
        raise Refused(
            path,
            _line(path, "extend"),
            f"extend = {str(extend)!r} lies outside the folders gwlint reads: ignored (a "
            "configuration file found in them cannot widen them; use --config FILE)",
        )
    if not base.is_file():
        raise ConfigError(f"{where}: extend = {extend!r}: no such file")
    inherited = _rebased(_inherited(base, [*chain, path], allowed), base.parent, path.parent)
    return _merged(inherited, table)


def _merged(base: dict[str, Any], table: dict[str, Any]) -> dict[str, Any]:
    """``table`` over ``base``: its values win; lists of ``_ADDED`` add, tables of ``_MERGED``
    merge key by key; a ``select`` starts rule selection over (the inherited ``ignore`` and
    ``extend-select`` no longer apply), as in ruff."""
    merged = dict(base)
    if "select" in table:
        merged.pop("ignore", None)
        merged.pop("extend-select", None)
    for key, value in table.items():
        old = merged.get(key)
        if key in _ADDED and isinstance(old, list) and isinstance(value, list):
            merged[key] = [*old, *value]
        elif key in _MERGED and isinstance(old, dict) and isinstance(value, dict):
            merged[key] = {**old, **value}
        else:
            merged[key] = value
    return merged


def _rebased(table: dict[str, Any], old: Path, new: Path) -> dict[str, Any]:
    """An inherited table's paths and globs, relative to ``old`` (the extended file's folder),
    written relative to ``new`` (the extending file's): each pattern keeps naming the same files.
    A bare name (``"uwsgi.ini"``) matches in any folder and stays as it is; a gitignore pattern
    anchored to a folder outside ``new`` cannot match under it and is dropped."""
    if os.path.realpath(old) == os.path.realpath(new):
        return table

    def moved(pattern: str) -> str:
        if os.path.isabs(pattern) or pattern.startswith("~"):
            return pattern
        return os.path.relpath(os.path.normpath(os.path.join(old, pattern)), new)

    def glob(pattern: str) -> str:
        return pattern if "/" not in pattern else moved(pattern)

    def ignored(patterns: list[Any]) -> list[Any]:
        kept: list[Any] = []
        for pattern in patterns:
            text = str(pattern)
            negated = text.startswith("!")
            body = text[1:] if negated else text
            if "/" not in body.rstrip("/"):
                kept.append(pattern)  # unanchored: matches at any depth
                continue
            where = moved(body.lstrip("/"))
            if where.startswith(".."):
                continue
            trailing = "/" if body.endswith("/") else ""
            kept.append(("!" if negated else "") + "/" + where.rstrip("/") + trailing)
        return kept

    table = dict(table)
    prefix = table.get("nginx-prefix")
    if isinstance(prefix, str):
        table["nginx-prefix"] = moved(prefix)
    ignores = table.get("per-file-ignores")
    if isinstance(ignores, dict):
        table["per-file-ignores"] = {glob(str(k)): v for k, v in ignores.items()}
    for key in ("exclude", "extend-exclude"):
        if isinstance(table.get(key), list):
            table[key] = ignored(table[key])
    deployments = table.get("deployments")
    if isinstance(deployments, list):
        table["deployments"] = [
            {
                k: [glob(str(p)) for p in v] if k in ("nginx", "app") and isinstance(v, list) else v
                for k, v in d.items()
            }
            if isinstance(d, dict)
            else d
            for d in deployments
        ]
    return table


def _explain(exc: ValidationError, path: Path) -> str:
    """``FILE:LINE: unknown key 'selct' (did you mean 'select'?)``: the first error, where it is."""
    import difflib

    error = exc.errors()[0]
    # a key may hold any character: control characters escaped, so the message stays one line
    key = "".join(
        c if c.isprintable() else repr(c)[1:-1]
        for c in ".".join(str(part) for part in error["loc"])
    )
    where = f"{path}:{_line(path, str(error['loc'][-1]))}"
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(error["loc"][-1]), ALLOWED_KEYS, n=1, cutoff=0.6)
        if close and len(error["loc"]) == 1:
            return f"{where}: unknown key {key!r} (did you mean {close[0]!r}?)"
        return f"{where}: unknown key {key!r} (allowed: {', '.join(ALLOWED_KEYS)})"
    from gwlint.wording import own_words

    return f"{where}: {key}: {own_words(error['msg'])}"


def _line(path: Path, key: str) -> int:
    """The first line that sets ``key`` (``key =``, ``"key" =``) or opens its table; else 1."""
    import re

    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 1
    pattern = re.compile(
        r"^\s*(?:\[\s*)?(?:tool\.gwlint\.)?[\"']?" + re.escape(key) + r"[\"']?\s*(?:=|\])"
    )
    for number, line in enumerate(lines, start=1):
        if pattern.match(line):
            return number
    return 1


def matches(pattern: str, path: str, root: Path) -> bool:
    """A per-file-ignores or deployments glob against a path (as given, or relative to root)."""
    from fnmatch import fnmatch

    candidates = {path, os.path.normpath(path)}
    with contextlib.suppress(ValueError):  # another drive (Windows)
        candidates.add(os.path.relpath(os.path.abspath(path), root))
    if "/" not in pattern:
        # a bare name matches that file in any folder, as in ruff ("__init__.py" = [...])
        candidates.add(os.path.basename(path))
    return any(fnmatch(candidate, pattern) for candidate in candidates)
