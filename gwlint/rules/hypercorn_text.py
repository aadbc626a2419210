"""Where a hypercorn setting is changed, for fixes: its config file (``-c``: TOML or Python,
where ``name = value`` reads the same) or its command line (the flag of ``__main__.py``, whose
name differs from the setting's: ``--keep-alive`` sets ``keep_alive_timeout``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gwlint.rules.text import above, flag

if TYPE_CHECKING:
    from gwlint.model.appserver import AsgiServer


def hypercorn_change(app: AsgiServer, setting: str, words: str, literal: str) -> str:
    """How to give ``setting`` a new value: ``words`` on the command line (``75``,
    ``0.0.0.0:8000``), ``literal`` in a config file (``75``, ``'0.0.0.0:8000'``).

    ``change --keep-alive 5 to --keep-alive 75 in Procfile:1`` where the command line sets it,
    ``set keep_alive_timeout = 75 in hypercorn.toml`` where a config file sets it or the command
    reads one, else ``add --keep-alive 75 to the hypercorn command (Procfile web, Procfile)``.
    """
    current = app.values.get(setting)
    option = flag(app, setting)
    in_config = f"set {setting} = {literal} in "
    path = current.source.path if current is not None else None
    if current is not None and not current.is_default and path is not None:
        if option is not None and path == app.path and current.raw.startswith("-"):
            return f"change {current.raw} to {option} {words} in {path}:{current.source.line}"
        return in_config + path
    if app.config_file is not None or option is None:
        return in_config + (app.config_file or "a config file the command reads (-c FILE)")
    return f"add {option} {words} to the hypercorn command ({app.launcher}, {app.path})"


def hypercorn_idle_fix(app: AsgiServer, setting: str, limit_ms: int) -> str:
    """Raise hypercorn's idle limit (``setting``: keep_alive_timeout, or a shorter read_timeout)
    above ``limit_ms``; a keep_alive_timeout that is too short as well is named too."""
    value = above(limit_ms / 1000)
    names = [setting]
    keep = app.values.get("keep_alive_timeout")
    if (
        setting == "read_timeout"
        and keep is not None
        and isinstance(keep.value, int | float)
        and keep.value * 1000 <= limit_ms
    ):
        names.append("keep_alive_timeout")
    return " and ".join(hypercorn_change(app, name, str(value), str(value)) for name in names)
