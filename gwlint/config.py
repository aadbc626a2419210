"""Project configuration: ``[tool.gwlint]`` in pyproject.toml, or gwlint.toml / .gwlint.toml.

Found like ruff finds its own: from the working directory upward, the closest wins, and in one
folder ``.gwlint.toml`` before ``gwlint.toml`` before ``pyproject.toml`` (only when it has a
``[tool.gwlint]`` table). ``--config FILE`` names one. Keys are written with dashes
(``fail-on``, ``nginx-version``); command-line flags beat the file.
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

CONFIG_NAMES = (".gwlint.toml", "gwlint.toml", "pyproject.toml")
MAX_CONFIG_BYTES = 8 * 1024 * 1024  # as every file gwlint reads (loaders.common.MAX_FILE_BYTES)
SeverityName = Literal["error", "warning", "info"]


class ConfigError(Exception):
    """A configuration file that cannot be used: exit 2 with this one-line message."""


def _dashes(name: str) -> str:
    return name.replace("_", "-")


class DeploymentConfig(BaseModel):
    """One deployment: its nginx config(s) and app server config(s), as globs."""

    model_config = ConfigDict(extra="forbid", alias_generator=_dashes, populate_by_name=True)

    name: str | None = None
    nginx: list[str] = Field(default_factory=list)
    app: list[str] = Field(default_factory=list)


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=_dashes, populate_by_name=True)

    select: list[str] | None = None
    ignore: list[str] = Field(default_factory=list)
    extend_select: list[str] = Field(default_factory=list)
    severity: dict[str, SeverityName] = Field(default_factory=dict)
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict)
    fail_on: SeverityName = "warning"
    cpus: int | None = Field(default=None, ge=1)
    nginx_version: str | None = None
    gunicorn_version: str | None = None
    uwsgi_version: str | None = None
    front: str | None = None
    stop_timeout: int | None = Field(default=None, ge=0)
    somaxconn: int | None = Field(default=None, ge=1)
    nginx_prefix: str | None = None
    uwsgi_section: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    deployments: list[DeploymentConfig] = Field(default_factory=list)
    # folder walks: gitignore-style patterns relative to this file's folder (ruff's semantics:
    # exclude replaces the default list, extend-exclude adds to it)
    exclude: list[str] | None = None
    extend_exclude: list[str] = Field(default_factory=list)
    respect_gitignore: bool = True
    path: Path | None = Field(default=None, exclude=True)  # the file it was read from

    @field_validator("env", mode="before")
    @classmethod
    def _env_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        return value

    @property
    def root(self) -> Path:
        """The folder relative paths in the file are relative to."""
        return self.path.parent if self.path is not None else Path.cwd()


ALLOWED_KEYS = sorted(_dashes(name) for name in Config.model_fields if name != "path")


def _table(path: Path) -> dict[str, Any] | None:
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
        for name in CONFIG_NAMES:
            candidate = current / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_table(candidate)):
                return candidate
    return None


def _has_table(path: Path) -> bool:
    try:
        return _table(path) is not None
    except ConfigError:
        return True  # a broken pyproject.toml is reported when it is read


def load(path: Path | None) -> Config:
    """Read and validate ``path`` (None: the defaults)."""
    if path is None:
        return Config()
    table = _table(path)
    if table is None:
        raise ConfigError(f"{path}: no [tool.gwlint] table")
    try:
        config = Config.model_validate(table)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, path)) from None
    return config.model_copy(update={"path": path})


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
