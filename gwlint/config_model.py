"""The configuration's pydantic models: what validates a configuration file, and what its JSON
Schema (``docs/gwlint.schema.json``, ``gwlint.reporters.schema``) is generated from.

Made from the plain records of ``gwlint.config`` (``Config``, ``DeploymentConfig``: their fields,
types and defaults, in their order), with what only validation needs: the bounds of the numbers,
unknown keys refused, keys written with dashes, env values read as text. Imported only when a
configuration file is read or the schema is made: a run with no file takes the records' defaults,
without pydantic. ``gwlint.config.load`` validates a file's table here, then copies the result
into those records.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from gwlint import config

_SETTINGS = ConfigDict(extra="forbid", alias_generator=config._dashes, populate_by_name=True)
# the least value of each number a file may set
_AT_LEAST = {"cpus": 1, "stop_timeout": 0, "somaxconn": 1}


def _env_as_text(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return value


def _model(
    record: type,
    doc: str | None,
    replaced: dict[str, Any],
    validators: dict[str, Any],
) -> type[BaseModel]:
    """A pydantic model with ``record``'s fields (``replaced``: other types for some)."""
    types = typing.get_type_hints(record, vars(config))
    fields: dict[str, Any] = {}
    for declared in dataclasses.fields(record):
        if declared.name == "fields_set":
            continue  # what the file set: the model knows it itself
        kind = replaced.get(declared.name, types[declared.name])
        if declared.default_factory is not dataclasses.MISSING:
            fields[declared.name] = (kind, Field(default_factory=declared.default_factory))
        else:
            fields[declared.name] = (
                kind,
                Field(
                    default=declared.default,
                    ge=_AT_LEAST.get(declared.name),
                    exclude=declared.name == "path" or None,
                ),
            )
    return create_model(
        record.__name__,
        __config__=_SETTINGS,
        __doc__=doc,
        __validators__=validators,
        **fields,
    )


DeploymentConfig = _model(config.DeploymentConfig, config.DeploymentConfig.__doc__, {}, {})
Config = _model(
    config.Config,
    None,
    {"deployments": list[DeploymentConfig]},  # type: ignore[valid-type]
    {"_env_as_text": field_validator("env", mode="before")(_env_as_text)},
)
