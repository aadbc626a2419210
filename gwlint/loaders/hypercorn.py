"""hypercorn's config files (``hypercorn -c ...``), read statically: never run, never imported.

hypercorn 0.18.0 reads one config file, named by ``-c``/``--config`` (``__main__.py:14-22``):

- ``python:module.name``: ``Config.from_object`` imports the module (or, when that fails,
  ``module`` and its attribute ``name``, a class or object: ``config.py:397-403``) and takes every
  attribute whose name does not start with ``__`` and that is not a module (``config.py:405-
  409``);
- ``file:path.py``: ``Config.from_pyfile`` runs the file as a module, then ``from_object``
  (``config.py:342-356``);
- anything else: a TOML file, ``Config.from_toml`` (``tomllib.load``, ``config.py:359-374``),
  whose top-level keys are set as ``Config`` attributes (``from_mapping``, ``config.py:308-339``:
  a key that is no setting is set all the same and never read; a table, ``[hypercorn]``, is one
  attribute holding a dict, so the keys inside it set nothing).

The flags of the command line then override what the file sets (``__main__.py:225-310``).

Python files are evaluated with ``gwlint.loaders.pyeval`` as ``gunicorn.conf.py`` is. TOML is
parsed with ``tomllib``, which gives no positions; each top-level key's line and column are
found by a small scan of the text (``toml_keys``): it walks the characters once, skipping
strings (basic, literal, multi-line, with escapes) and comments, counting ``[``/``{`` nesting
inside values, and takes a key where a line at nesting 0 starts with one (bare or quoted,
dotted or not) followed by ``=``. It stops taking keys at the first ``[table]`` header, since
every key after one belongs to that table. The text is only scanned after ``tomllib`` accepted
it, so the scan needs to be right for valid TOML only. The same walk hands every comment to
``Problems.comment`` (suppressions).

A file that is missing, or a spec gwlint cannot know (``-c "$CONF"``), is GW008 (info) and leaves
the settings it may hold unknown; a file hypercorn cannot load (invalid TOML or Python) is GW008
as an error, at the file's line: hypercorn stops at start with the parser's exception.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import tomllib
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gwlint.loaders.common import Problems, read_bytes
from gwlint.loaders.pyeval import MAX_SOURCE_BYTES, Binding, Function, Unknown, evaluate
from gwlint.model.appserver import AsgiServer
from gwlint.model.facts import Facts
from gwlint.model.source import Source, Sourced

CODE = "GW008"


@dataclass
class ConfigRead:
    """What a ``-c`` spec gave: the settings the file sets (by ``Config`` attribute name), the
    repository files read, and why the rest is not known (``hidden``), if it is not."""

    settings: dict[str, Sourced[Any]] = field(default_factory=dict)
    consumed: list[str] = field(default_factory=list)
    path: str | None = None  # the file whose settings these are
    hidden: tuple[str, Source] | None = None


# --- TOML ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyAt:
    """Where a top-level TOML key is written, and its value as written (one line)."""

    line: int
    column: int
    raw: str


_BARE = re.compile(r"[A-Za-z0-9_-]+")
_TOML_ERROR_AT = re.compile(r" \(at line (\d+), column (\d+)\)\Z")  # tomllib's suffix


def string_end(text: str, i: int) -> int:
    """The index after the TOML string starting at ``text[i]`` (a quote); a one-line string
    ends at the end of its line at the latest (TOML allows no newline in it). gwlint.fixes.
    ini_text reads TOML with it too."""
    quote = text[i]
    if text.startswith(quote * 3, i):
        j = i + 3
        while j < len(text):
            if quote == '"' and text[j] == "\\":
                j += 2
                continue
            if text.startswith(quote * 3, j):
                j += 3
                while j < len(text) and text[j] == quote:  # """a"""" ends with its last quotes
                    j += 1
                return j
            j += 1
        return len(text)
    j = i + 1
    while j < len(text) and text[j] not in "\r\n":
        if quote == '"' and text[j] == "\\":
            j += 2
            continue
        if text[j] == quote:
            return j + 1
        j += 1
    return j


def _key_at(text: str, i: int) -> tuple[str, int] | None:
    """The first part of the (maybe dotted) key at ``text[i]``, and the index after its ``=``."""
    first: str | None = None
    while True:
        while i < len(text) and text[i] in " \t":
            i += 1
        if i >= len(text):
            return None
        if text[i] in "\"'":
            end = string_end(text, i)
            quoted = text[i:end]
            try:
                part = tomllib.loads(f"k = {quoted}")["k"]
            except (ValueError, KeyError):  # TOMLDecodeError is a ValueError
                return None
            i = end
        else:
            found = _BARE.match(text, i)
            if found is None:
                return None
            part = found.group(0)
            i = found.end()
        if first is None:
            first = str(part)
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] == ".":
            i += 1
            continue
        if i < len(text) and text[i] == "=":
            return first, i + 1
        return None


def toml_keys(text: str, path: str, problems: Problems | None = None) -> dict[str, KeyAt]:
    """Each top-level key of a valid TOML text with its line, column and value as written;
    every comment goes to ``problems.comment`` (see the module's docstring)."""
    keys: dict[str, KeyAt] = {}
    i, n = 0, len(text)
    line, line_start = 1, 0
    depth = 0
    root = True  # no [table] header yet
    at_start = True  # at the start of a statement: a key or a header may come
    header = False
    value: tuple[str, int, int, int] | None = None  # key, line, column, start index
    pieces: list[str] = []  # the value's text, comments left out

    def finish(end: int) -> None:
        nonlocal value
        if value is not None:
            name, key_line, column, start = value
            pieces.append(text[start:end])
            raw = " ".join("".join(pieces).split())
            keys.setdefault(name, KeyAt(key_line, column, raw))
            value = None
        pieces.clear()

    while i < n:
        c = text[i]
        if c == "\n":
            if depth == 0:
                finish(i)
                at_start, header = True, False
            line += 1
            line_start = i + 1
            i += 1
            continue
        if c in " \t\r":
            i += 1
            continue
        if c == "#":
            end = text.find("\n", i)
            end = n if end == -1 else end
            if value is not None:
                pieces.append(text[value[3] : i])
                value = (value[0], value[1], value[2], end)
            if problems is not None:
                own = not text[line_start:i].strip()
                problems.comment(
                    path,
                    line,
                    text[i + 1 : end].rstrip("\r"),
                    own_line=own,
                    column=i - line_start + 1,
                )
            i = end
            continue
        if at_start and depth == 0:
            at_start = False
            if c == "[":
                root, header = False, True
                i += 1
                continue
            found = _key_at(text, i)
            if found is None:
                i += 1
                continue
            name, after = found
            if root:
                value = (name, line, i - line_start + 1, after)
            i = after
            continue
        if c in "\"'":
            end = string_end(text, i)
            line += text.count("\n", i, end)
            if "\n" in text[i:end]:
                line_start = text.rfind("\n", i, end) + 1
            i = end
            continue
        if not header:
            if c in "[{":
                depth += 1
            elif c in "]}":
                depth = max(depth - 1, 0)
        i += 1
    finish(n)
    return keys


def read_toml(path: str, problems: Problems, *, by: str | None) -> dict[str, Sourced[Any]] | None:
    """The top-level keys of a hypercorn TOML config, each with its line; None after a GW008
    when hypercorn could not load the file either."""
    data = read_bytes(path, CODE, problems, kind="hypercorn", by=by)
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.add(
            CODE,
            path,
            line,
            f"hypercorn config {path} is not UTF-8 ({exc.reason}): hypercorn stops at start "
            "(Config.from_toml) and nothing listens",
            severity="error",
        )
        return None
    try:
        parsed = tomllib.loads(text)
    except RecursionError:
        # tomllib reads nested arrays recursively: hypercorn fails the same way at start
        problems.add(
            CODE,
            path,
            1,
            f"hypercorn config {path} nests values too deeply to be read (RecursionError in "
            "tomllib): hypercorn stops at start and nothing listens",
            severity="error",
        )
        return None
    except ValueError as exc:  # TOMLDecodeError, and int()'s limit (over 4300 digits)
        message = str(exc)
        found = _TOML_ERROR_AT.search(message)
        line, column = (int(found.group(1)), int(found.group(2))) if found else (1, None)
        reason = message[: found.start()] if found else message
        problems.add(
            CODE,
            path,
            line,
            f"hypercorn config {path} is not valid TOML ({reason}): hypercorn stops at start "
            "(tomllib fails in Config.from_toml) and nothing listens",
            column=column,
            severity="error",
        )
        return None
    keys = toml_keys(text, path, problems)
    settings: dict[str, Sourced[Any]] = {}
    for name, value in parsed.items():
        at = keys.get(name)
        source = Source(path=path, line=at.line if at else 1, column=at.column if at else None)
        raw = at.raw if at else repr(value)
        settings[name] = Sourced[Any](value=value, raw=raw, source=source)
    return settings


# --- Python (python: and file:) ------------------------------------------------------------------


def _py_setting(path: str, binding: Binding) -> Sourced[Any]:
    node = binding.node
    source = Source(
        path=path,
        line=getattr(node, "lineno", 1),
        column=getattr(node, "col_offset", 0) + 1,
        note="; ".join(binding.notes) or None,
    )
    value = binding.value
    unset = [
        note[1:-6] for note in binding.notes if note.startswith("$") and note.endswith(" unset")
    ]
    if value is None and unset:
        reason = f"reads ${unset[0]}, not given (give it with --env {unset[0]}=VALUE)"
        return Sourced[Any](value=None, raw=binding.raw, source=source, unknown=reason)
    if isinstance(value, Unknown):
        return Sourced[Any](value=None, raw=binding.raw, source=source, unknown=value.reason)
    if isinstance(value, Function):
        return Sourced[Any](value=f"<function {value.name}>", raw=binding.raw, source=source)
    return Sourced[Any](value=value, raw=binding.raw, source=source)


def _class_names(node: ast.ClassDef) -> set[str]:
    names: set[str] = set()
    for statement in node.body:
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = list(statement.targets)
        elif isinstance(statement, ast.AnnAssign | ast.AugAssign):
            targets = [statement.target]
        for target in targets:
            if isinstance(target, ast.Name):
                names.add(target.id)
    return names


NO_CLASS = "no class"


def read_python(
    path: str, facts: Facts, problems: Problems, *, by: str | None, attribute: str | None = None
) -> dict[str, Sourced[Any]] | str | None:
    """The names a hypercorn Python config gives ``Config.from_object``: its module-level names
    (or, with ``attribute``, the names a class of that name assigns in its body), statically
    evaluated; None after a GW008 when the file cannot be used, ``NO_CLASS`` when the module
    has no class ``attribute`` (said by the caller)."""
    from gwlint.loaders.gunicorn import compile_time_error

    data = read_bytes(path, CODE, problems, kind="hypercorn", by=by)
    if data is None:
        return None
    if len(data) > MAX_SOURCE_BYTES:
        problems.add(
            CODE,
            path,
            1,
            f"hypercorn config is {len(data)} bytes, over the {MAX_SOURCE_BYTES // 1024} KiB "
            "gwlint evaluates; not read: the settings it may hold are not checked",
            severity="info",
        )
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data, filename=path)
    except SyntaxError as exc:
        # Python 3.12 reads f-strings more freely (quotes of the same kind inside): production
        # may run one that accepts what the Python running gwlint refuses
        newer = "f-string" in (exc.msg or "") and sys.version_info < (3, 12)
        hedge = (
            f" (if it runs Python {sys.version_info.major}.{sys.version_info.minor}, which runs "
            "gwlint; 3.12 and later read f-strings more freely)"
            if newer
            else ""
        )
        problems.add(
            CODE,
            path,
            exc.lineno or 1,
            f"hypercorn config {path} is not valid Python ({exc.msg}): hypercorn stops at start "
            f"and nothing listens{hedge}",
            column=exc.offset if exc.offset and exc.offset > 0 else None,
            severity="warning" if newer else "error",
        )
        return None
    except (RecursionError, MemoryError, ValueError) as exc:
        problems.add(CODE, path, 1, f"hypercorn config cannot be read: {type(exc).__name__}")
        return None
    misplaced = compile_time_error(tree)
    if misplaced is not None:
        line, column, message = misplaced
        problems.add(
            CODE,
            path,
            line,
            f"hypercorn config {path} is not valid Python ({message}): hypercorn stops at start "
            "and nothing listens",
            column=column,
            severity="error",
        )
        return None
    source = data.decode("utf-8", errors="replace")
    _comments(path, source, problems)
    names: set[str] | None = None
    if attribute is not None:
        target = next(
            (
                node
                for node in tree.body
                if isinstance(node, ast.ClassDef) and node.name == attribute
            ),
            None,
        )
        if target is None:
            return NO_CLASS
        # the module's statements before the class, then its body: the names the body uses
        # from the module are known as they are when the class is made
        before = tree.body[: tree.body.index(target)]
        tree = ast.Module(body=[*before, *target.body], type_ignores=[])
        names = _class_names(target)
    try:
        bindings = evaluate(source, tree, facts.env, facts.cpus)
    except RecursionError:
        problems.add(CODE, path, 1, "hypercorn config is too deeply nested to evaluate")
        return None
    return {
        name: _py_setting(path, binding)
        for name, binding in bindings.items()
        if not name.startswith("__") and (names is None or name in names)
    }


def _comments(path: str, source: str, problems: Problems) -> None:
    """Every ``#`` comment, for suppressions (tokenize: never a ``#`` inside a string)."""
    import io
    import tokenize

    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                own = not token.line[: token.start[1]].strip()
                problems.comment(
                    path, token.start[0], token.string[1:], own_line=own, column=token.start[1] + 1
                )
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass


# --- -c ------------------------------------------------------------------------------------------


def _module_files(module: str) -> list[tuple[str, str | None]]:
    """Where ``python:a.b.c`` may be, as (file, attribute): the module ``a/b/c`` (a file or a
    package), else the attribute ``c`` of the module ``a.b`` (config.py:397-403)."""
    parts = module.split(".")
    found: list[tuple[str, str | None]] = [
        (os.path.join(*parts) + ".py", None),
        (os.path.join(*parts, "__init__.py"), None),
    ]
    if len(parts) > 1:
        found.append((os.path.join(*parts[:-1]) + ".py", parts[-1]))
        found.append((os.path.join(*parts[:-1], "__init__.py"), parts[-1]))
    return found


def read_config(
    spec: str,
    where: Source,
    label: str,
    facts: Facts,
    problems: Problems,
    locate: Callable[[str], str | None],
) -> ConfigRead:
    """The settings of ``hypercorn -c SPEC`` (``where``: the launcher's word; ``label``: the
    launcher, for messages; ``locate``: the repository file for a path the command gives)."""
    result = ConfigRead()
    by = where.path
    line = where.line or 1
    if spec.startswith("python:"):
        module = spec[len("python:") :]
        for candidate, attribute in _module_files(module) if module else []:
            path = locate(candidate)
            if path is None:
                continue
            settings = read_python(path, facts, problems, by=by, attribute=attribute)
            result.consumed.append(path)
            result.path = path
            if settings == NO_CLASS:
                result.hidden = (
                    f"it may be set by {module}, which gwlint does not read (an attribute of "
                    f"{path} that is not a class)",
                    where,
                )
                problems.add(
                    CODE,
                    where.path or path,
                    line,
                    f"hypercorn reads its config from {module} ({label}), not a class of {path} "
                    "that gwlint can read: the settings it may hold are not checked",
                    column=where.column,
                    severity="info",
                )
                return result
            if not isinstance(settings, dict):
                result.hidden = (f"it may be set in {path}, which could not be read", where)
                return result
            result.settings = settings
            return result
        what = f"the module {module}"
    else:
        file_spec = spec[len("file:") :] if spec.startswith("file:") else spec
        path = locate(file_spec) if file_spec else None
        what = file_spec or spec
        if path is not None:
            result.consumed.append(path)
            result.path = path
            if spec.startswith("file:"):
                settings = read_python(path, facts, problems, by=by)
            else:
                settings = read_toml(path, problems, by=by)
            if isinstance(settings, dict):
                result.settings = settings
            else:
                result.hidden = (f"it may be set in {path}, which could not be read", where)
            return result
    problems.add(
        CODE,
        where.path or "",
        line,
        f"hypercorn reads its config from {what} ({label}), which is not in the repository: "
        "settings it could set are not checked",
        column=where.column,
        severity="info",
    )
    result.hidden = (f"it may be set in {what}, which is not in the repository", where)
    return result


# --- a config file checked on its own ------------------------------------------------------------


def is_hypercorn_toml(path: str, head: bytes) -> bool:
    """A TOML file that is a hypercorn config: named for hypercorn (``hypercorn.toml``,
    ``hypercorn-prod.toml``, ``config/hypercorn/prod.toml``), or, for a file named on the
    command line, with a top-level key only hypercorn has (``keep_alive_timeout``...)."""
    name = os.path.basename(path).lower()
    if not name.endswith(".toml") or name == "pyproject.toml":
        return False
    if "hypercorn" in name or "hypercorn" in os.path.dirname(path).lower():
        return True
    return _HYPERCORN_KEYS.search(head) is not None


_HYPERCORN_KEYS = re.compile(
    rb"^[ \t]*(?:keep_alive_timeout|insecure_bind|quic_bind|h11_max_incomplete_size|"
    rb"h2_max_concurrent_streams|graceful_timeout|worker_class)[ \t]*=",
    re.MULTILINE,
)


def load_hypercorn(path: str, facts: Facts, problems: Problems) -> AsgiServer | None:
    """A hypercorn config file checked on its own (no command in the repository starts it):
    the hypercorn that ``hypercorn -c FILE`` (a ``.py``: ``-c file:FILE``) would run, with the
    defaults for what the file does not set. None after a GW008 when hypercorn could not load
    the file either."""
    from gwlint.loaders.commands import build_hypercorn

    if path.endswith(".py"):
        settings = read_python(path, facts, problems, by=None)
    else:
        settings = read_toml(path, problems, by=None)
    if not isinstance(settings, dict):
        return None
    return build_hypercorn(path, {}, settings, problems, config_file=path)
