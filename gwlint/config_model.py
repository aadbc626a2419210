"""The configuration's pydantic models: what validates a configuration file, and what its JSON
Schema (``docs/gwlint.schema.json``, ``gwlint.reporters.schema``) is generated from.

Imported only when a configuration file is read or the schema is made: a run with no file takes
the plain defaults of ``gwlint.config.Config`` (a dataclass with the same fields), without
pydantic. ``gwlint.config.load`` validates a file's table here, then copies the result into
those dataclasses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gwlint.config import SeverityName, _dashes


class DeploymentConfig(BaseModel):
    """One deployment: its nginx config(s) and app server config(s), as globs."""

    model_config = ConfigDict(extra="forbid", alias_generator=_dashes, populate_by_name=True)

    name: str | None = None
    nginx: list[str] = Field(default_factory=list)
    app: list[str] = Field(default_factory=list)


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=_dashes, populate_by_name=True)

    # a configuration file this one inherits, relative to this file's folder: its settings apply
    # where this file sets nothing (``select`` resets the inherited ``ignore``, as in ruff)
    extend: str | None = None
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
