"""A rule's plan made into edits of files, or the reason it is not made automatically.

Each change of a plan goes to the editor of the file that holds the value (``nginx_text``,
``python_text``, ``ini_text``, ``command_text``), which finds the place by the file's own syntax
and checks that the old value is what is written there. A plan is all or nothing: when one of
its changes cannot be made, the finding keeps its fix as text and says why ("not fixable
automatically: WEB_CONCURRENCY is set outside the repository").

Only files of the run's folders are edited, never a file shown through another one (a ConfigMap
key, a rendered template's output, the output of ``nginx -T``), and only text that is UTF-8.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shlex
from collections import Counter
from typing import TYPE_CHECKING, Any

from gwlint.fixes.plan import (
    Change,
    Plan,
    RemoveApp,
    RemoveNginx,
    ReplaceText,
    SetApp,
    SetNginx,
)
from gwlint.fixes.spans import EditError, Span, line_span, line_starts
from gwlint.model.diagnostics import Edit, Fix
from gwlint.rules.text import ENV_NOTE, command_word, flags

if TYPE_CHECKING:
    from gwlint.loaders.sources import Sources
    from gwlint.model.appserver import AppServer
    from gwlint.model.nginx import Directive, NginxConfig, Route
    from gwlint.model.source import Source, Sourced


class Resolver:
    """Resolves the plans of one run; reads each file once."""

    def __init__(self, sources: Sources | None = None) -> None:
        self.sources = sources
        self._texts: dict[str, str | EditError] = {}
        self._inclusions: dict[int, dict[str, int]] = {}
        # why the change being resolved is unsafe whatever its rule says (a variable's default)
        self.unsafe: list[str] = []
        # what the change does when it is not what its rule says (a variable set elsewhere)
        self.described: list[str] = []

    def inclusions(self, config: NginxConfig) -> dict[str, int]:
        """How many times each file of the nginx config is read (real path -> times)."""
        found = self._inclusions.get(id(config))
        if found is None:
            real: dict[str, str] = {}
            lines: Counter[tuple[str, int | None]] = Counter()
            for directive in config.directives:
                source = directive.source
                if source.path is None:
                    continue
                if source.path not in real:
                    real[source.path] = os.path.realpath(source.path)
                lines[(real[source.path], source.line)] += 1
            found = {}
            for (path, _), count in lines.items():
                found[path] = max(found.get(path, 1), count)
            self._inclusions[id(config)] = found
        return found

    def text(self, path: str) -> str:
        """The file's text as it is now (as earlier rounds of --fix left it); EditError when it
        is not a plain UTF-8 file of the repository."""
        found = self._texts.get(path)
        if found is None:
            found = self._texts[path] = self._read(path)
        if isinstance(found, EditError):
            raise found
        return found

    def _read(self, path: str) -> str | EditError:
        from gwlint.loaders.common import MAX_FILE_BYTES, outside
        from gwlint.loaders.stdin import data_for, given

        if self.sources is not None and self.sources.virtual_text(path) is not None:
            return EditError(f"{path} is shown through another file")
        if given() is not None:
            return EditError("the run reads standard input")
        if outside(path):
            return EditError(f"{path} lies outside the folders gwlint reads")
        data = data_for(path)
        if data is None:
            try:
                if not os.path.isfile(path) or os.path.islink(path):
                    return EditError(f"{path} is not a regular file of the repository")
                with open(path, "rb") as handle:
                    data = handle.read(MAX_FILE_BYTES + 1)
            except OSError as exc:
                return EditError(f"{path} cannot be read: {exc.strerror or exc}")
        if len(data) > MAX_FILE_BYTES:
            return EditError(f"{path} is too large")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return EditError(f"{path} is not UTF-8 text")

    def resolve(self, plan: Plan) -> Fix | str:
        """The plan's edits, or why it is not fixable automatically."""
        spans: dict[str, list[Span]] = {}
        self.unsafe = []
        self.described = []
        try:
            for change in plan.changes:
                path, span = self._change(change)
                spans.setdefault(path, []).append(span)
            edits: list[Edit] = []
            for path, found in spans.items():
                edits.extend(_edits(path, self.text(path), found))
        except EditError as exc:
            return str(exc)
        if not edits:
            return "nothing to change"
        description = plan.description
        if self.described and len(plan.changes) == 1:
            description = self.described[0]
        if self.unsafe:
            description += f" ({'; '.join(self.unsafe)})"
        return Fix(edits=tuple(edits), safe=plan.safe and not self.unsafe, description=description)

    def _change(self, change: Change) -> tuple[str, Span]:
        if isinstance(change, SetApp):
            return _set_app(self, change)
        if isinstance(change, RemoveApp):
            return _remove_app(self, change)
        if isinstance(change, SetNginx):
            return _set_nginx(self, change)
        if isinstance(change, RemoveNginx):
            return _remove_nginx(self, change)
        return _replace(self, change)


def _edits(path: str, text: str, spans: list[Span]) -> list[Edit]:
    # insertions at one place (two lines added at the end of a section) are one, in order
    merged: list[Span] = []
    for span in spans:
        same = next(
            (
                i
                for i, other in enumerate(merged)
                if other.start == other.end == span.start == span.end
            ),
            None,
        )
        if same is None:
            merged.append(span)
        else:
            other = merged[same]
            merged[same] = Span(other.start, other.end, other.replacement + span.replacement)
    ordered = sorted(merged)
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end or (after.start == before.start):
            raise EditError(f"two changes of one fix overlap in {path}")
    starts = line_starts(text)
    return [
        Edit(
            path,
            *_position(starts, span.start),
            *_position(starts, span.end),
            replacement=span.replacement,
        )
        for span in ordered
    ]


def _position(starts: list[int], offset: int) -> tuple[int, int]:
    import bisect

    index = bisect.bisect_right(starts, offset) - 1
    return index + 1, offset - starts[index] + 1


# --- the app server's side -------------------------------------------------------------------


def _program(app: AppServer) -> str:
    return app.kind


def _written_flag(raw: str, flags: tuple[str, ...]) -> tuple[str, str] | None:
    """(the flag as written, its value as written) of a command-line value's ``raw``:
    ``--timeout 30``, ``--timeout=30``, ``-t30``, an abbreviation ``--time 30``."""
    head, sep, rest = raw.partition(" ")
    if sep:
        return head, rest
    head, sep, rest = raw.partition("=")
    if sep and head.startswith("--"):
        return head, rest
    for spelled in flags:
        if len(spelled) == 2 and raw.startswith(spelled) and len(raw) > 2:
            return spelled, raw[2:]
    return None


def _words(app: AppServer, setting: str, value: str | int | bool) -> list[str]:
    from gwlint.rules.text import _words as spelled

    words = spelled(app, setting, value)
    if words is None:
        raise EditError(f"{setting} has no command-line option to set it with")
    return shlex.split(words)


def _is_ini(path: str) -> bool:
    return path.endswith(".ini")


def _set_app(resolver: Resolver, change: SetApp) -> tuple[str, Span]:
    app, setting, value, current = change.app, change.setting, change.value, change.current
    source = current.source if current is not None else None
    if current is not None and source is not None and not source.is_default:
        if source.path is None or source.line is None:
            raise EditError(f"{setting} is set by {source.label()}, outside the repository")
        text = resolver.text(source.path)
        variable = ENV_NOTE.fullmatch(source.note or "")
        if variable is not None and app.launcher is not None:
            if not current.known:
                raise EditError(f"{variable.group(1)} is not set to a known value")
            from gwlint.fixes import command_text

            words = _words(app, setting, value)
            new = words[-1] if len(words) > 1 else command_word(value)
            span = command_text.set_env(text, source.line, variable.group(1), current.raw, new)
            return source.path, span
        if source.note == "GUNICORN_CMD_ARGS" or (
            app.launcher is not None and source.path == app.path and source.note is None
        ):
            return source.path, _set_flag(resolver, text, app, setting, value, current, source)
        if source.note is not None:
            raise _noted(setting, source)
        if not current.known:
            raise EditError(f"{setting} is computed in {source.path}:{source.line}")
        if app.kind == "uwsgi" and any(mark in current.raw for mark in ("$(", "%(", "@(")):
            raise EditError(
                f"{setting} = {current.raw} ({source.path}:{source.line}) is expanded from a "
                "variable or placeholder: change it where that is set"
            )
        if isinstance(value, str) and current.raw.startswith('"'):
            value = _double_quoted(value)  # the file's quote style
        return source.path, _set_in_config(text, app, source.path, setting, value, source.line)
    # a default: where the app reads its settings
    if app.config_file is not None:
        return app.config_file, _set_in_config(
            resolver.text(app.config_file), app, app.config_file, setting, value, None
        )
    if app.launcher is not None:
        from gwlint.fixes import command_text
        from gwlint.rules.text import only_cmd_args

        only = only_cmd_args(app)  # "prod.env:2": the whole command line is that variable
        if only is not None:
            at = int(only.rpartition(":")[2])
            words = _words(app, setting, value)
            return app.path, command_text.append_to_cmd_args(resolver.text(app.path), at, words)
        line = app.launcher_line
        if line is None:
            raise EditError(f"the command in {app.path} was not found")
        words = _words(app, setting, value)
        span = command_text.add_flag(resolver.text(app.path), line, _program(app), words)
        return app.path, span
    return app.path, _set_in_config(resolver.text(app.path), app, app.path, setting, value, None)


def _noted(setting: str, source: Source) -> EditError:
    """Why a value whose source carries a note (an environment variable, --env, --cpus) is not
    changed in a file."""
    named = ENV_NOTE.search(source.note or "")
    if named is not None:
        where = f"{source.path}:{source.line}" if source.in_file else source.label()
        return EditError(
            f"{setting} comes from the environment variable {named.group(1)} ({where}): set "
            f"{named.group(1)} where the app runs"
        )
    return EditError(f"{setting} is set by {source.label()}")


def _remove_app(resolver: Resolver, change: RemoveApp) -> tuple[str, Span]:
    """The written setting taken out: its line of a config file, or its flag (and value) from
    the command line or GUNICORN_CMD_ARGS. A variable of the environment stays: other programs
    may read it."""
    from gwlint.fixes import command_text, ini_text, python_text

    app, setting, current = change.app, change.setting, change.current
    source = current.source
    if source.is_default or source.path is None or source.line is None:
        raise EditError(f"{setting} is not written in a file")
    text = resolver.text(source.path)
    if ENV_NOTE.fullmatch(source.note or "") is not None:
        raise EditError(f"{setting} comes from {source.note}, which other programs may read")
    if source.note == "GUNICORN_CMD_ARGS" or (
        app.launcher is not None and source.path == app.path and source.note is None
    ):
        spellings = flags(app, setting)
        written = _written_flag(current.raw, spellings)
        old: str | None = None
        if written is not None:
            spelled, old = written[0], _unquoted(written[1])
        elif current.raw.startswith("-"):  # a flag without a value: --reload
            spelled = current.raw
        else:
            raise EditError(f"{current.raw} at {source.path}:{source.line} is not a flag")
        others = tuple(f for f in spellings if f != spelled)
        span = command_text.remove_flag(text, source.line, (spelled, *others), old)
        return source.path, span
    if source.note is not None:
        raise _noted(setting, source)
    if app.kind == "uwsgi":
        if not _is_ini(source.path):
            raise EditError(f"{source.path} is not an ini file")
        return source.path, ini_text.remove_option(text, source.line, setting)
    if source.path.endswith(".toml"):
        raise EditError(f"gwlint does not remove keys from {source.path}")
    return source.path, python_text.remove_assignment(text, setting, source.line)


def _set_flag(
    resolver: Resolver,
    text: str,
    app: AppServer,
    setting: str,
    value: str | int | bool,
    current: Sourced[Any],
    source: Source,
) -> Span:
    from gwlint.fixes import command_text

    assert source.line is not None
    spellings = flags(app, setting)
    written = _written_flag(current.raw, spellings)
    words = _words(app, setting, value)
    if written is None or len(words) != 2:
        raise EditError(f"{current.raw} at {source.path}:{source.line} is not a flag and a value")
    spelled, old = written
    if "$" in old or "`" in old:  # the value of a variable: changed where it is set
        return _through_variable(resolver, text, _unquoted(old), words[1], setting, current)
    for_flags = (spelled, *(f for f in spellings if f != spelled))
    if source.note == "GUNICORN_CMD_ARGS":
        span = command_text.set_flag_in_env_file(
            text, source.line, for_flags, _unquoted(old), words[1]
        )
        if span is not None:
            return span
    return command_text.set_flag(text, source.line, for_flags, _unquoted(old), words[1])


_REFERENCE = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^${}`]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)


def _assignments(text: str, name: str) -> list[int]:
    """The lines of ``text`` that assign the variable ``name``: ``NAME=``, ``export NAME=``,
    ``Environment="NAME=..."``, ``ENV NAME value``, a compose or Kubernetes ``NAME:``."""
    pattern = re.compile(
        rf"(?:^|[\s\"'(;])(?:export\s+)?{name}=|^\s*-?\s*{name}\s*:|^\s*ENV\s+{name}\s"
    )
    return [
        number for number, line in enumerate(text.splitlines(), start=1) if pattern.search(line)
    ]


def _through_variable(
    resolver: Resolver, text: str, old: str, new: str, setting: str, current: Sourced[Any]
) -> Span:
    """A flag whose value is ``$NAME`` or ``${NAME:-default}``: ``NAME`` changed where the same
    file sets it (``Environment="TIMEOUT=60"`` of a systemd unit, an ``ENV``); else the default
    written in the reference, as an unsafe fix (where the app runs, NAME may be set); else not
    at all."""
    from gwlint.fixes import command_text

    source = current.source
    assert source.line is not None
    where = f"{source.path}:{source.line}"
    found = _REFERENCE.fullmatch(old)
    if found is None:
        raise EditError(f"{setting} is given by {old} at {where}")
    name = found.group(1) or found.group(3)
    default = found.group(2)
    lines = _assignments(text, name)
    if len(lines) == 1 and current.value is not None:
        span = command_text.set_env(text, lines[0], name, str(current.value), new)
        resolver.described.append(
            f"change {name}={current.value} to {name}={new} in {source.path}:{lines[0]} "
            f"(the {old} of line {source.line})"
        )
        return span
    if default is not None and not lines:
        begin, end = line_span(text, source.line)
        if text.count(old, begin, end) == 1 and re.fullmatch(r"[\w.:/-]+", new):
            resolver.unsafe.append(
                f"the default of {name} changed; where the app runs, {name} may be set"
            )
            at = text.index(old, begin, end)
            return Span(at, at + len(old), old.replace(f"-{default}}}", f"-{new}}}"))
    raise EditError(f"{setting} comes from ${name} ({where}): set {name} where the app runs")


def _unquoted(word: str) -> str:
    try:
        parts = shlex.split(word)
    except ValueError:
        return word
    return parts[0] if len(parts) == 1 else word


def _set_in_config(
    text: str, app: AppServer, path: str, setting: str, value: str | int | bool, line: int | None
) -> Span:
    from gwlint.fixes import ini_text, python_text

    literal = str(value)
    if app.kind == "uwsgi":
        if not _is_ini(path):
            raise EditError(f"{path} is not an ini file; gwlint edits uWSGI ini files only")
        section = getattr(app, "section", "uwsgi") or "uwsgi"
        return ini_text.set_option(text, section, setting, literal, line)
    if path.endswith(".toml"):
        if isinstance(value, bool):
            literal = "true" if value else "false"
        elif isinstance(value, str):
            literal = json.dumps(command_word(value))
        return ini_text.set_toml_key(text, setting, literal, line)
    if app.kind != "gunicorn" and not path.endswith(".py"):
        raise EditError(f"{path} is not a Python config file")  # gunicorn reads any name
    if isinstance(value, str) and not _is_literal(value):
        literal = repr(value)  # the rules write Python strings quoted ('gthread'); a bare word
    return python_text.set_assignment(text, setting, literal, line)


def _double_quoted(literal: str) -> str:
    """``'gthread'`` as ``"gthread"`` (a Python string literal without quotes or escapes in it);
    anything else as it is."""
    if len(literal) >= 2 and literal[0] == literal[-1] == "'":
        inner = literal[1:-1]
        if not any(char in inner for char in "'\"\\"):
            return f'"{inner}"'
    return literal


def _is_literal(text: str) -> bool:
    import ast

    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return False
    return True


# --- nginx -----------------------------------------------------------------------------------


def _set_nginx(resolver: Resolver, change: SetNginx) -> tuple[str, Span]:
    from gwlint.fixes import nginx_text

    current = change.current
    route = change.route
    if current is not None and current.path is not None and current.line is not None:
        own = route is None or _own(route, change.name, current)
        if own:
            text = resolver.text(current.path)
            _no_placeholder(text, current.line, change.name)
            _shared(resolver, change.config, current.path)
            return current.path, nginx_text.set_args(text, current.line, change.name, change.args)
    block = change.block
    block_name = change.block_name
    if route is not None:
        block, block_name = _route_block(change.config, route)
    if block is None or block.path is None or block.line is None:
        raise EditError(f"the block to add {change.name} to is not known")
    text = resolver.text(block.path)
    _shared(resolver, change.config, block.path)
    span = nginx_text.add_directive(text, block.line, block_name, change.name, change.args)
    return block.path, span


_PLACEHOLDER = re.compile(r"\$\{|\{\{|\{%|@[A-Za-z_]+@")


def _no_placeholder(text: str, line: int, name: str) -> None:
    """A statement written with a template's placeholder (``${READ_TIMEOUT}``, ``{{ t }}``) is
    changed where the value is set, not here."""
    found = _PLACEHOLDER.search(text, *line_span(text, line))
    if found is not None:
        raise EditError(
            f"{name} at line {line} is written with a template placeholder: change it where the "
            "value is set"
        )


def _shared(resolver: Resolver, config: NginxConfig, path: str) -> None:
    """A file that several ``include`` statements read is changed for each of them: the fix
    says so, and is unsafe. (Each inclusion puts its statements in the config once more.)"""
    times = resolver.inclusions(config).get(os.path.realpath(path), 1)
    if times > 1:
        resolver.unsafe.append(
            f"{path} is included {times} times: each block that includes it changes"
        )


def _remove_nginx(resolver: Resolver, change: RemoveNginx) -> tuple[str, Span]:
    from gwlint.fixes import nginx_text

    source = change.source
    if source.path is None or source.line is None:
        raise EditError(f"{change.name} is not written in a file")
    text = resolver.text(source.path)
    return source.path, nginx_text.remove_directive(text, source.line, change.name)


def _own(route: Route, name: str, current: Source) -> bool:
    """Is the statement ``name`` at ``current`` written in the route's own block?"""
    return any(d.name == name and d.source == current for d in route.local)


def _route_block(config: NginxConfig, route: Route) -> tuple[Source | None, str]:
    """The block that holds the route's pass directive and accepts the proxy module's settings:
    its ``location`` (an ``if`` or ``limit_except`` inside it does not take them all), else the
    ``server``."""
    if route.location_source is not None:
        return route.location_source, "location"
    found = _enclosing_server(config, route.pass_directive)
    return (found.source, "server") if found is not None else (None, "")


def _enclosing_server(config: NginxConfig, directive: Directive) -> Directive | None:
    """The last ``server`` block statement of the pass directive's file above it."""
    source = directive.source
    best: Directive | None = None
    for candidate in config.named(["server"]):
        where = candidate.source
        if (
            candidate.context[-1:] == ("http",)
            and where.path == source.path
            and where.line is not None
            and source.line is not None
            and where.line <= source.line
        ):
            best = candidate
    return best


# --- a word written wrong ------------------------------------------------------------------


def _replace(resolver: Resolver, change: ReplaceText) -> tuple[str, Span]:
    text = resolver.text(change.path)
    begin, end = line_span(text, change.line)
    line = text[begin:end]
    if line.count(change.old) != 1:
        raise EditError(f"{change.path}:{change.line} does not hold {change.old!r} once")
    at = begin + line.index(change.old)
    return change.path, Span(at, at + len(change.old), change.new)
