"""The JSON Schema of the configuration, ``docs/gwlint.schema.json``, generated from its pydantic
model (``gwlint.config_model.Config``, made from ``gwlint.config.Config``) so that editors
complete and check the keys.

It describes one table: a ``gwlint.toml`` or ``.gwlint.toml`` file, or the ``[tool.gwlint]``
table of ``pyproject.toml`` (the shape SchemaStore's pyproject.toml schema gives each tool's
table). The keys are the TOML keys (``fail-on``, with dashes); an unknown key is an error
(``additionalProperties: false``), as for gwlint itself.

What the model says is adjusted where TOML or the model's own reading differs:

- TOML has no null: a key that may be unset is optional, with the type of its value alone;
- ``env`` values may be numbers and booleans, which gwlint reads as their text;
- the model's ``path`` (the file a configuration was read from) is no key;
- values are typed as docs/configuration.md types them: a number or a boolean written as a
  string (``cpus = "4"``), which the model's lax reading also takes, is flagged;
- pydantic's titles, which only repeat each key's name, are left out.
"""

from __future__ import annotations

import json
from typing import Any

DIALECT = "https://json-schema.org/draft/2020-12/schema"
TITLE = "gwlint configuration"
DESCRIPTION = (
    "gwlint's settings: a gwlint.toml or .gwlint.toml file, or the [tool.gwlint] table of "
    "pyproject.toml. Every key: docs/configuration.md."
)
INTERNAL = ("path",)  # model fields that are no key of the file


def _tidy(node: Any) -> Any:
    """``node`` without null alternatives, null defaults and pydantic's titles, recursively."""
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str):
            continue
        if key == "default" and value is None:
            continue
        if key == "properties" and isinstance(value, dict):  # names, not schema keywords
            out[key] = {name: _tidy(schema) for name, schema in value.items()}
            continue
        out[key] = _tidy(value)
    alternatives = out.get("anyOf")
    if isinstance(alternatives, list):
        kept = [a for a in alternatives if a != {"type": "null"}]
        if len(kept) == 1:
            del out["anyOf"]
            out = {**kept[0], **out}
        else:
            out["anyOf"] = kept
    return out


def schema() -> dict[str, Any]:
    """The configuration's JSON Schema."""
    from gwlint.config_model import Config

    generated = Config.model_json_schema(by_alias=True, mode="validation")
    properties = {
        name: value for name, value in generated["properties"].items() if name not in INTERNAL
    }
    generated["properties"] = properties
    tidy: dict[str, Any] = _tidy(generated)
    # the model reads each env value as its text (config_model.Config._env_as_text): TOML
    # scalars all fit
    tidy["properties"]["env"]["additionalProperties"] = {
        "type": ["string", "integer", "number", "boolean"]
    }
    return {"$schema": DIALECT, "title": TITLE, "description": DESCRIPTION, **tidy}


def expected() -> str:
    """``docs/gwlint.schema.json`` as the current model makes it."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
