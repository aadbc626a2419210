"""Wording shared by the rules: values with their source, related locations, suggested values."""

from __future__ import annotations

import ast
import math
import re
import shlex
from typing import TYPE_CHECKING, Any

from gwlint.model.asgi_options import DAPHNE_OPTIONS, GRANIAN_OPTIONS, HYPERCORN_OPTIONS
from gwlint.model.diagnostics import Location, Related
from gwlint.model.gunicorn_settings import GUNICORN_SETTINGS
from gwlint.model.units import format_ms
from gwlint.model.uvicorn_options import UVICORN_OPTIONS
from gwlint.model.uwsgi_options import UWSGI_NO_ARGUMENT

if TYPE_CHECKING:
    from gwlint.fixes.plan import Plan
    from gwlint.model.appserver import AppServer
    from gwlint.model.source import Source, Sourced


def ms(value: Sourced[int]) -> str:
    """``60s (nginx.conf:9)`` for a millisecond value, as written (``1m30s``) where it was."""
    assert value.value is not None
    return f"{value.raw or format_ms(value.value)} {value.where()}"


def secs(value: Sourced[int]) -> str:
    """``30s (default of gunicorn 27.0)`` for a value in seconds."""
    return f"{value.value}s {value.where()}"


def above(seconds: float) -> int:
    """A value comfortably above ``seconds``: +25 %, rounded up to a multiple of 5 (60 -> 75)."""
    return max(5, math.ceil(seconds * 1.25 / 5.0) * 5)


def related(
    value: Sourced[Any], name: str, fallback_path: str | None = None
) -> tuple[Related, ...]:
    """``timeout = 20`` where a value was set; for a default, line 1 of the file that can set it."""
    location = Location.of(value.source, fallback_path)
    if location is None:
        return ()
    if value.is_default:
        message = f"{name} is not set: the {value.source.default_of} default {value.raw} applies"
        if (value.source.default_of or "").startswith("gunicorn"):
            message += " (unless the command line sets it)"
    else:
        message = f"{name} = {value.raw}"
    return (Related(location=location, message=message),)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# --- where an app server's setting is changed: a config file, a command line, an environment --

ENV_NOTE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")  # a launcher's variable: "$WEB_CONCURRENCY"


def flags(app: AppServer, setting: str) -> tuple[str, ...]:
    """Every spelling of the command-line option that sets ``setting`` (gunicorn ``-t`` and
    ``--timeout``); none when only a config file can. daphne's, granian's and hypercorn's
    flags are not their settings' names (hypercorn's ``--keep-alive`` sets
    ``keep_alive_timeout``)."""
    tables = {
        "gunicorn": GUNICORN_SETTINGS,
        "uvicorn": UVICORN_OPTIONS,
        "daphne": DAPHNE_OPTIONS,
        "granian": GRANIAN_OPTIONS,
        "hypercorn": HYPERCORN_OPTIONS,
    }
    table = tables.get(app.kind)
    if table is None:  # uWSGI: every option is --name
        return (f"--{setting}",)
    entry = table.get(setting)
    return tuple(entry[0]) if entry is not None else ()


def flag(app: AppServer, setting: str) -> str | None:
    """The command-line option that sets ``setting``: gunicorn ``--keep-alive`` (its long form),
    uWSGI ``--harakiri``, uvicorn ``--timeout-keep-alive``, hypercorn ``--keep-alive`` (for
    ``keep_alive_timeout``); None when only a config file can."""
    spelled = flags(app, setting)
    if not spelled:
        return None
    if app.kind == "gunicorn":
        longs = [one for one in spelled if one.startswith("--")]
        return (longs or list(spelled))[0]
    return spelled[0]


def command_word(value: str | int | bool) -> str:
    """A value written as in a config file, as a command line's word: ``'*'`` -> ``*``."""
    text = str(value)
    if isinstance(value, str) and len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        try:
            literal = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
        if isinstance(literal, str):
            return literal
    return text


def _words(app: AppServer, setting: str, value: str | int | bool) -> str | None:
    """``--timeout 75``: ``setting`` set to ``value`` on a command line; None without a flag.

    ``value`` is written as in the config file (a Python literal for gunicorn: ``'*'``); on the
    command line a string loses its Python quotes and gets the shell's where it needs them.
    """
    if app.kind == "uvicorn" and isinstance(value, bool):
        option = UVICORN_OPTIONS.get(setting)
        if option is None or (not value and len(option[0]) < 2):
            return None
        return option[0][0] if value else option[0][1]
    option_flag = flag(app, setting)
    if option_flag is None:
        return None
    if app.kind == "gunicorn" and GUNICORN_SETTINGS[setting][2] == "bool":
        return option_flag if value is True or str(value) == "True" else None
    if app.kind == "uwsgi" and setting in UWSGI_NO_ARGUMENT:
        return option_flag if str(value).lower() in ("true", "1", "yes", "on") else None
    return f"{option_flag} {shlex.quote(command_word(value))}"


def _env_name(app: AppServer, source: Source) -> str | None:
    """``WEB_CONCURRENCY`` for a value a launcher's environment gives (``$WEB_CONCURRENCY``)."""
    if app.launcher is None:
        return None
    found = ENV_NOTE.fullmatch(source.note or "")
    return found.group(1) if found else None


def _on_command_line(app: AppServer, value: Sourced[Any]) -> bool:
    """Was ``value`` written on the command line of the launcher that starts ``app``?"""
    source = value.source
    return (
        app.launcher is not None
        and source.path == app.path
        and not source.is_default
        and source.note is None
    )


def set_in(
    app: AppServer, setting: str, value: str | int | bool, current: Sourced[Any] | None
) -> str:
    """How to give ``setting`` the value ``value``, where ``current`` (its value now) comes from.

    - written in a config file: ``set timeout = 75 in gunicorn.conf.py`` (``app.ini`` for uWSGI);
    - on a launcher's command line: ``change --timeout 30 to --timeout 75 in Procfile:1``;
    - in ``GUNICORN_CMD_ARGS``: ``set --timeout 75 in GUNICORN_CMD_ARGS (prod.env:2)``;
    - in the launcher's environment: ``change WEB_CONCURRENCY=4 to WEB_CONCURRENCY=9 in
      Dockerfile:3``;
    - a default: in the config file the command reads, else ``add --timeout 75 to the command in
      Procfile (Procfile web)``, else (a plain config file) ``set timeout = 75 in <app.path>``.

    ``value`` is written as in the config file (``'*'`` for a gunicorn string). A setting with no
    command-line flag is set in a config file.
    """
    words = _words(app, setting, value)
    in_config = f"set {setting} = {value} in "
    source = current.source if current is not None else None
    if current is not None and source is not None and source.path is not None and source.line:
        where = f"{source.path}:{source.line}"
        variable = _env_name(app, source)
        if source.note == "GUNICORN_CMD_ARGS" and words is not None:
            return f"set {words} in GUNICORN_CMD_ARGS ({where})"
        if variable is not None:
            new = (words or "").partition(" ")[2] or str(value)
            return f"change {variable}={current.raw} to {variable}={new} in {where}"
        if not _on_command_line(app, current):
            return in_config + source.path  # a config file: change it where it is written
        if words is not None:
            return f"change {shown(app, current, setting)} to {words} in {where}"
    if app.config_file is not None:
        return in_config + app.config_file
    if app.launcher is not None:
        only_variable = only_cmd_args(app)
        if words is not None and only_variable is not None:
            return f"add {words} to GUNICORN_CMD_ARGS ({only_variable})"
        if words is not None:
            return f"add {words} to the command in {app.path} ({app.launcher})"
        if app.kind == "gunicorn":
            return (
                f"{in_config}a gunicorn.conf.py that the command in {app.path} ({app.launcher}) "
                "reads (./gunicorn.conf.py where it runs, or -c FILE)"
            )
        if app.kind == "uwsgi":
            return f"{in_config}an ini that the command in {app.path} ({app.launcher}) reads"
    return in_config + app.path


def shown(app: AppServer, value: Sourced[Any], setting: str) -> str:
    """A written value as its place spells it: ``timeout = 30`` in a config file, ``--timeout
    30`` on a command line, ``--timeout 20 in GUNICORN_CMD_ARGS``, ``WEB_CONCURRENCY=4``."""
    source = value.source
    if source.note == "GUNICORN_CMD_ARGS":
        return f"{value.raw} in GUNICORN_CMD_ARGS"
    variable = _env_name(app, source)
    if variable is not None:
        return f"{variable}={value.raw}"
    if _on_command_line(app, value):
        option_flag = flag(app, setting)
        if value.raw.startswith("-") or option_flag is None:
            return value.raw
        if app.kind == "uwsgi" and setting in UWSGI_NO_ARGUMENT and value.raw == "1":
            return option_flag  # --master: a flag, stored as 1
        return f"{option_flag} {value.raw}"
    return f"{setting} = {value.raw}"


def only_cmd_args(app: AppServer) -> str | None:
    """``prod.env:2`` when the app's whole command line is the GUNICORN_CMD_ARGS of an env file
    (an env file gwlint read without a command of its own), else None."""
    if app.kind != "gunicorn" or app.launcher is None:
        return None
    sources = [value.source for value in app.values.values() if value.source.path == app.path]
    if not sources or any(source.note != "GUNICORN_CMD_ARGS" for source in sources):
        return None
    return f"{app.path}:{min(source.line or 1 for source in sources)}"


def _command_line(app: AppServer) -> int:
    """The line of the command in its launcher; for a server built without one, as far as
    the values written there tell, 1 when none does."""
    if app.launcher_line is not None:
        return app.launcher_line
    sources: list[Source] = [listener.source for listener in app.listeners]
    if app.kind == "uwsgi":
        sources += [occurrence.source for found in app.options.values() for occurrence in found]
    else:
        sources += [setting.source for setting in app.values.values()]
    lines = [
        source.line
        for source in sources
        if source.path == app.path
        and source.line is not None
        and not source.is_default
        and source.note in (None, "GUNICORN_CMD_ARGS")
    ]
    return min(lines, default=1)


def app_location(app: AppServer, value: Sourced[Any]) -> Location:
    """Where ``value`` is written; for a default, where it would be set: line 1 of the config
    file the app reads (the command's line in its launcher when there is none)."""
    location = Location.of(value.source)
    if location is not None:
        return location
    if app.config_file is not None:
        return Location(path=app.config_file, line=1)
    if app.launcher is not None:
        return Location(path=app.path, line=_command_line(app))
    return Location(path=app.path, line=1)


def app_related(
    app: AppServer, value: Sourced[Any], setting: str, *, written_only: bool = False
) -> tuple[Related, ...]:
    """``timeout = 20`` (``--timeout 20``...) where an app's value is written; for a default, the
    place that could set it (not with ``written_only``)."""
    if app.launcher is None:
        return related(value, setting, None if written_only else app.path)
    location = Location.of(value.source)
    if location is not None:
        return (Related(location=location, message=shown(app, value, setting)),)
    if written_only or not value.is_default:
        return ()
    name = (flag(app, setting) if app.kind == "uvicorn" else None) or setting
    only_variable = only_cmd_args(app)
    readers = (
        f"the command ({app.launcher})"
        if only_variable is None
        else f"GUNICORN_CMD_ARGS ({only_variable})"
    )
    if app.config_file is not None:
        readers += f" or {app.config_file}"
    note = f" ({value.source.note})" if value.source.note else ""
    message = (
        f"{name} is not set by {readers}: the {value.source.default_of} default {value.raw} "
        f"applies{note}"
    )
    return (Related(location=app_location(app, value), message=message),)


def remove_from(app: AppServer, setting: str, current: Sourced[Any]) -> str:
    """How to drop a written setting: ``remove keepalive from gunicorn.conf.py``, ``remove
    --keep-alive 75 from the command in Procfile:1``, ``remove --keep-alive 75 from
    GUNICORN_CMD_ARGS (prod.env:2)``, ``remove UVICORN_BACKLOG from .env:3``."""
    source = current.source
    if source.path is None or source.line is None or source.is_default:
        return f"remove {setting} from {app.config_file or app.path}"
    where = f"{source.path}:{source.line}"
    if source.note == "GUNICORN_CMD_ARGS":
        return f"remove {current.raw} from GUNICORN_CMD_ARGS ({where})"
    variable = _env_name(app, source)
    if variable is not None:
        return f"remove {variable} from {where}"
    if _on_command_line(app, current):
        return f"remove {shown(app, current, setting)} from the command in {where}"
    return f"remove {setting} from {source.path}"


def value_text(value: Sourced[Any]) -> str:
    """The value as written, without the option a command line spells it with: ``2048`` for
    ``--limit-request-line 2048`` (a config file's ``2048`` stays as written)."""
    if value.raw.startswith("-") and value.value is not None:
        shown_value = value.value
        if isinstance(shown_value, list):
            return ",".join(str(item) for item in shown_value)
        return str(shown_value)
    return value.raw


_ADD = re.compile(r"add (?P<words>.+) to (?P<place>the command in .+|GUNICORN_CMD_ARGS \(.+\))")


def combined(changes: list[str]) -> str:
    """Several ``set_in`` results as one phrase: ``add --die-on-term --hook-master-start ... to
    the command in Procfile (Procfile web)`` rather than two ``add ... to`` for one command."""
    found = [_ADD.fullmatch(change) for change in changes]
    places = {match.group("place") for match in found if match is not None}
    if len(changes) > 1 and all(found) and len(places) == 1:
        words = " ".join(match.group("words") for match in found if match is not None)
        return f"add {words} to {places.pop()}"
    return "; ".join(changes)


def set_plan(
    app: AppServer,
    setting: str,
    value: str | int | bool,
    current: Sourced[Any] | None,
    *,
    safe: bool = True,
    description: str | None = None,
) -> Plan:
    """``set_in`` as a change ``--fix`` makes (gwlint.fixes.plan); ``description``: the rule's
    own wording of it, when it is not ``set_in``'s."""
    from gwlint.fixes.plan import Plan, SetApp

    return Plan(
        changes=(SetApp(app, setting, value, current),),
        safe=safe,
        description=description or set_in(app, setting, value, current),
    )


def remove_plan(app: AppServer, setting: str, current: Sourced[Any], *, safe: bool = True) -> Plan:
    """``remove_from`` as a change ``--fix`` makes."""
    from gwlint.fixes.plan import Plan, RemoveApp

    return Plan(
        changes=(RemoveApp(app, setting, current),),
        safe=safe,
        description=remove_from(app, setting, current),
    )
