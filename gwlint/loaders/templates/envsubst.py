"""envsubst templates: the nginx Docker image's ``/etc/nginx/templates/*.template``, entrypoints.

GNU gettext's envsubst replaces ``$NAME`` and ``${NAME}``, NAME being ``[A-Za-z_][A-Za-z0-9_]*``;
nothing else is a reference (``${X:-default}`` and ``$1`` stay as written, there is no escape).
Given a SHELL-FORMAT argument (``envsubst '${A} ${B}'``, here ``only``) it replaces only the names
listed there. A replaced name that is not in the environment becomes the empty string.

The nginx image's entrypoint runs ``envsubst "$defined_envs"`` with every variable of the
container's environment listed, so a name the container does not define stays as written, and
nginx's own ``$host`` or ``$remote_addr`` survive. ``undefined`` says which of these applies to a
name ``env`` does not hold: "keep" (the nginx image, or a name missing from SHELL-FORMAT), "empty"
(plain ``envsubst``) or "unknown" (a marker, for the names that look like environment variables:
all upper case; lower-case names are nginx's variables and stay as written).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Literal

from gwlint.loaders.templates import MAX_TAGS, Rendered
from gwlint.loaders.templates import _layout as layout

_REFERENCE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_ENVIRONMENT_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def render(
    text: str,
    *,
    env: Mapping[str, str | None] | None = None,
    only: Collection[str] | None = None,
    undefined: Literal["keep", "unknown", "empty"] = "unknown",
) -> Rendered:
    """Substitute what envsubst would, with markers for the values that are not known."""
    environment: Mapping[str, str | None] = env or {}
    listed = None if only is None else frozenset(only)
    tags: list[layout.Tag] = []
    error: tuple[int, str] | None = None
    pos = 0
    while True:
        at = text.find("$", pos)
        if at < 0:
            break
        found = _REFERENCE.match(text, at)
        if found is None:
            pos = at + 1
            continue
        pos = found.end()
        name = found.group(1) or found.group(2)
        if listed is not None and name not in listed:
            continue  # envsubst with a SHELL-FORMAT leaves the others as written
        written = found.group(0)
        if name in environment:
            value = environment[name]
            why = f"environment variable {name} ({written}) is set, but its value is not known"
        elif undefined == "empty":
            value, why = "", ""
        elif undefined == "unknown" and _ENVIRONMENT_NAME.fullmatch(name):
            value = None
            why = (
                f"environment variable {name} ({written}), substituted by envsubst when the "
                "container starts; its value is not known"
            )
        else:
            continue  # kept as written (and lower-case names are nginx's own variables)
        if len(tags) >= MAX_TAGS:
            tags.append(layout.Tag(at, len(text), "remove"))
            error = (layout.line_of(text, at), f"more than {MAX_TAGS} references: rest left blank")
            break
        if value is not None and layout.has_break(value):
            why = f"environment variable {name} ({written}): its value spans several lines"
        tags.append(layout.Tag(at, found.end(), "output", value=value, why=why))
    return layout.assemble(text, tags, "envsubst", "envsubst", error=error)
