"""gunicorn.conf.py -> ``GunicornServer``, by static evaluation: the file is never run."""

from __future__ import annotations

import ast
import re
import sys
import warnings
from typing import Any

from gwlint.loaders.common import (
    PLATFORM_SET,
    Problems,
    number_problem,
    read_bytes,
    split_hint,
)
from gwlint.loaders.pyeval import MAX_SOURCE_BYTES, Binding, Function, Unknown, evaluate
from gwlint.model import address as addr
from gwlint.model.appserver import GunicornServer, Listener, ListenerProtocol, WorkerKind
from gwlint.model.defaults import (
    GUNICORN_KEEPALIVE_WORKERS,
    GUNICORN_SINCE,
    TORNADO_IDLE_SECONDS,
    gunicorn_default,
)
from gwlint.model.facts import Facts
from gwlint.model.gunicorn_settings import GUNICORN_SETTINGS
from gwlint.model.source import Source, Sourced
from gwlint.model.versions import format_version

_WORKER_ALIASES: dict[str, WorkerKind] = {
    "sync": "sync",
    "gthread": "gthread",
    "gevent": "gevent",
    "gevent_wsgi": "gevent_pywsgi",
    "gevent_pywsgi": "gevent_pywsgi",
    "eventlet": "eventlet",
    "tornado": "tornado",
    "asgi": "asgi",
    "gunicorn.workers.sync.syncworker": "sync",
    "gunicorn.workers.gthread.threadworker": "gthread",
    "gunicorn.workers.ggevent.geventworker": "gevent",
    "gunicorn.workers.ggevent.geventpywsgiworker": "gevent_pywsgi",
    "gunicorn.workers.geventlet.eventletworker": "eventlet",
    "gunicorn.workers.gtornado.tornadoworker": "tornado",
}


def worker_kind(worker_class: str) -> WorkerKind:
    """``uvicorn.workers.UvicornWorker`` -> ``uvicorn``; ``egg:gunicorn#gthread`` -> ``gthread``."""
    name = worker_class.strip().lower()
    if name.startswith("egg:gunicorn#"):
        name = name.split("#", 1)[1]
    if name in _WORKER_ALIASES:
        return _WORKER_ALIASES[name]
    if name.endswith("syncworker"):
        return "sync"  # gunicorn treats any *SyncWorker class as the sync worker
    if "uvicorn" in name:
        return "uvicorn"
    if name.startswith("gunicorn.workers.gasgi") or name.endswith("asgiworker"):
        return "asgi"
    return "custom"


def _stmt_source(path: str, binding: Binding) -> Source:
    node = binding.node
    line = getattr(node, "lineno", 1)
    column = getattr(node, "col_offset", 0) + 1
    note = "; ".join(binding.notes) or None
    return Source(path=path, line=line, column=column, note=note)


def _setting(path: str, binding: Binding) -> Sourced[Any]:
    source = _stmt_source(path, binding)
    value = binding.value
    unset = [
        note[1:-6] for note in binding.notes if note.startswith("$") and note.endswith(" unset")
    ]
    if value is None and unset:
        # e.g. timeout = os.environ.get("TIMEOUT"): meant to be set where gunicorn runs
        reason = f"reads ${unset[0]}, not given (use --env {unset[0]}=VALUE)"
        return Sourced[Any](value=None, raw=binding.raw, source=source, unknown=reason)
    if isinstance(value, Unknown):
        return Sourced[Any](value=None, raw=binding.raw, source=source, unknown=value.reason)
    if isinstance(value, Function):
        return Sourced[Any](value=f"<function {value.name}>", raw=binding.raw, source=source)
    return Sourced[Any](value=value, raw=binding.raw, source=source)


_BOOL_TEXT = frozenset({"true", "false", "1", "0", "yes", "no", "y", "n", "on", "off"})


def _invalid(name: str, value: Any) -> str | None:
    """Why gunicorn's validator for ``name`` rejects ``value`` (27.0.1 config.py), or None."""
    kind = GUNICORN_SETTINGS[name][2]
    if kind == "int":
        if isinstance(value, int):
            return "negative" if value < 0 else None
        if isinstance(value, str):
            try:
                return "negative" if int(value.strip(), 0) < 0 else None
            except ValueError:
                return "not an integer"
        return "not an integer"
    if kind == "bool":
        if isinstance(value, bool) or (isinstance(value, str) and value.lower() in _BOOL_TEXT):
            return None
        return "not a boolean"
    if kind == "list":
        if value is None or isinstance(value, str):
            return None
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return None
        return "not a string or a list of strings"
    if name == "worker_class" and not isinstance(value, str):
        return "not a worker class name"
    return None


_SECONDS = {"s": 1, "m": 60, "h": 3600}


def _accepted(name: str, value: Any) -> str:
    """A value gunicorn accepts in place of a refused one, as a fix."""
    kind = GUNICORN_SETTINGS[name][2]
    if kind == "int":
        number: int | None = None
        if isinstance(value, float) and 0 <= value < 1e12:
            number = int(value)
        elif isinstance(value, str):
            found = re.fullmatch(r"\s*(\d{1,12})\s*([smh]?)\s*", value.lower())
            if found:
                number = int(found.group(1)) * _SECONDS.get(found.group(2), 1)
        if number is not None:
            unit = " (seconds)" if name in _IN_SECONDS else ""
            return f"write {name} = {number}{unit}: a whole number, without quotes or unit"
        return f"write {name} as a whole number of 0 or more"
    if kind == "bool":
        return f"write {name} = True or {name} = False"
    if kind == "list":
        return f"write {name} as a string or a list of strings"
    return f"write {name} as a string"


_IN_SECONDS = frozenset({"timeout", "graceful_timeout", "keepalive"})


def _refusal(name: str, value: Any, from_command_line: bool) -> str:
    """What gunicorn 27 prints when it refuses ``value`` for ``name``, quoted for a message
    (" ('...', then 'Error: ...')"), or "" when that is not known exactly.

    A config file's setting: app/base.py prints ``Invalid value for NAME: VALUE`` and re-raises,
    and the validator's exception is printed as ``Error: ...``. A command line's or
    GUNICORN_CMD_ARGS's: argparse reads it, and only the ``Error:`` line is printed."""
    error: str | None = None
    if GUNICORN_SETTINGS[name][2] == "int" and name != "http2_max_frame_size":
        # validate_pos_int: int(val, 0) for a non-int, then "Value must be positive"
        if isinstance(value, str):
            try:
                number: int | None = int(value, 0) if len(value) <= 40 else None
            except ValueError:
                number = None
                error = f"invalid literal for int() with base 0: {value!r}"
        elif isinstance(value, int):
            number = value
        elif value is None or isinstance(value, float | list | tuple | dict):
            number = None
            error = "int() can't convert non-string with explicit base"
        else:
            number = None
        if number is not None and number < 0:
            error = f"Value must be positive: {number}"
    quotes: list[str] = []
    shown = str(value)
    if not from_command_line and len(shown) <= 40 and "\n" not in shown:
        quotes.append(f"'Invalid value for {name}: {shown}'")
    if error is not None and len(error) <= 80:
        quotes.append(f"'Error: {error}'")
    return f" ({', then '.join(quotes)})" if quotes else ""


def _as_int(setting: Sourced[Any], name: str) -> Sourced[int]:
    if not setting.known:
        return Sourced[int](
            value=None, raw=setting.raw, source=setting.source, unknown=setting.unknown
        )
    value = setting.value
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        try:
            number = int(value.strip(), 0)
        except ValueError:
            number = None
    if number is None or number < 0:
        reason = f"{name} = {setting.raw} is not a non-negative integer (gunicorn refuses to start)"
        return Sourced[int](value=None, raw=setting.raw, source=setting.source, unknown=reason)
    if (problem := number_problem(number)) is not None:  # WEB_CONCURRENCY=10**400
        return Sourced[int](value=None, raw=setting.raw, source=setting.source, unknown=problem)
    return Sourced[int](value=number, raw=setting.raw, source=setting.source)


def _as_str(setting: Sourced[Any], name: str) -> Sourced[str]:
    if setting.known and isinstance(setting.value, str):
        return Sourced[str](value=setting.value, raw=setting.raw, source=setting.source)
    reason = setting.unknown or f"{name} is not a string"
    return Sourced[str](value=None, raw=setting.raw, source=setting.source, unknown=reason)


class _Settings:
    """Settings as written, falling back to gunicorn's documented defaults."""

    def __init__(
        self,
        path: str,
        settings: dict[str, Sourced[Any]],
        facts: Facts,
        hidden: tuple[str, Source] | None = None,
        hedge: str | None = None,
    ) -> None:
        self.path = path
        self.settings = settings
        self.facts = facts
        self.hidden = hidden
        self.hedge = hedge

    def get(self, name: str) -> Sourced[Any]:
        if name in self.settings:
            return self.settings[name]
        if self.hidden is not None:
            reason, source = self.hidden
            return Sourced[Any](value=None, raw="?", source=source, unknown=reason)
        env_default = self._env_default(name)
        if env_default is not None:
            return env_default
        default = gunicorn_default(name, self.facts.gunicorn_version)
        source = Source(default_of=self.facts.gunicorn_label, note=self.hedge)
        raw = default.raw if default else "None"
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            return Sourced[Any](value=None, raw=raw, source=source, unknown="no literal default")
        return Sourced[Any](value=value, raw=raw, source=source)

    def _env_default(self, name: str) -> Sourced[Any] | None:
        """gunicorn's defaults that read the environment: $WEB_CONCURRENCY, $PORT and
        $FORWARDED_ALLOW_IPS."""
        env = self.facts.env
        label = self.facts.gunicorn_label
        if name == "workers" and "WEB_CONCURRENCY" in env:
            raw = env["WEB_CONCURRENCY"]
            source = Source(default_of=label, note="--env WEB_CONCURRENCY")
            return Sourced[Any](value=raw, raw=raw, source=source)
        if name == "forwarded_allow_ips" and "FORWARDED_ALLOW_IPS" in env:
            raw = env["FORWARDED_ALLOW_IPS"]
            source = Source(default_of=label, note="--env FORWARDED_ALLOW_IPS")
            return Sourced[Any](value=raw, raw=raw, source=source)
        if name == "bind" and "PORT" in env:
            raw = f"0.0.0.0:{env['PORT']}"
            source = Source(default_of=label, note="--env PORT")
            return Sourced[Any](value=[raw], raw=raw, source=source)
        return None


def compile_time_error(tree: ast.Module) -> tuple[int, int, str] | None:
    """What Python's compiler, not its parser, rejects: 'return' outside a function, 'break'
    outside a loop, nonlocal at module level. Found in the syntax tree; nothing is compiled.

    Walked with an explicit stack, not recursion: the parser accepts expressions nested far
    deeper (``not not not ...``) than Python's recursion limit."""
    # (node, in a function, in a loop): the node is checked, then its children, in source order
    pending: list[tuple[ast.AST, bool, bool]] = [
        (child, False, False) for child in reversed(tree.body)
    ]
    while pending:
        node, in_function, in_loop = pending.pop()
        problem = _misplaced(node, in_function, in_loop)
        if problem is not None:
            return node.lineno, node.col_offset + 1, problem  # type: ignore[attr-defined]
        children: list[tuple[ast.AST, bool, bool]]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            children = [(child, True, False) for child in ast.iter_child_nodes(node)]
        elif isinstance(node, ast.ClassDef):
            children = [(child, False, False) for child in ast.iter_child_nodes(node)]
        elif isinstance(node, ast.For | ast.AsyncFor | ast.While):
            head = node.test if isinstance(node, ast.While) else node.iter
            children = [
                (head, in_function, in_loop),
                *((part, in_function, True) for part in node.body),
                *((part, in_function, in_loop) for part in node.orelse),
            ]
        else:
            children = [(child, in_function, in_loop) for child in ast.iter_child_nodes(node)]
        pending.extend(reversed(children))
    return None


_OUTSIDE_FUNCTION = {
    ast.Return: "'return'",
    ast.Yield: "'yield'",
    ast.YieldFrom: "'yield'",
    ast.Await: "'await'",
}


def _misplaced(node: ast.AST, in_function: bool, in_loop: bool) -> str | None:
    keyword = _OUTSIDE_FUNCTION.get(type(node))
    if keyword is not None and not in_function:
        return f"{keyword} outside function"
    if isinstance(node, ast.Break | ast.Continue) and not in_loop:
        return f"'{type(node).__name__.lower()}' outside loop"
    if isinstance(node, ast.Nonlocal) and not in_function:
        return "nonlocal declaration not allowed at module level"
    return None


def _comments(path: str, source: str, problems: Problems) -> None:
    """Every ``#`` comment, for suppressions (tokenize: never a ``#`` inside a string). A file
    that never says gwlint or noqa has none: it is not tokenized."""
    lowered = source.lower()
    if "gwlint" not in lowered and "noqa" not in lowered:
        return
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
        pass  # the comments before the error are kept


def load_gunicorn(path: str, facts: Facts, problems: Problems) -> GunicornServer | None:
    settings = read_settings(path, facts, problems)
    if settings is None:
        return None
    return build_gunicorn(path, settings, facts, problems)


def read_settings(path: str, facts: Facts, problems: Problems) -> dict[str, Sourced[Any]] | None:
    """Every module-level name of a gunicorn config file, statically evaluated; None (after a
    GW003) when the file cannot be read."""
    data = read_bytes(path, "GW003", problems, kind="gunicorn")
    if data is None:
        return None
    if len(data) > MAX_SOURCE_BYTES:  # its syntax tree alone could take gigabytes
        problems.add(
            "GW003",
            path,
            1,
            f"gunicorn config is {len(data)} bytes, over the {MAX_SOURCE_BYTES // 1024} KiB "
            "gwlint evaluates; not read",
        )
        return None
    try:
        with warnings.catch_warnings():
            # Python's own warnings about the file ("invalid escape sequence", "invalid decimal
            # literal") would be printed to stderr, with its source line: not gwlint's output
            warnings.simplefilter("ignore")
            tree = ast.parse(data, filename=path)
    except SyntaxError as exc:
        newer = "f-string" in (exc.msg or "") and sys.version_info < (3, 12)
        problems.add(
            "GW003",
            path,
            exc.lineno or 1,
            f"gunicorn config is not valid Python: {exc.msg}"
            + (
                f" (Python {sys.version_info.major}.{sys.version_info.minor}, which runs gwlint, "
                "reads f-strings more strictly than 3.12 and later)"
                if newer
                else ""
            ),
            column=exc.offset if exc.offset and exc.offset > 0 else None,
            severity="warning" if newer else None,
        )
        return None
    except (RecursionError, MemoryError, ValueError) as exc:
        problems.add("GW003", path, 1, f"gunicorn config cannot be read: {type(exc).__name__}")
        return None
    misplaced = compile_time_error(tree)
    if misplaced is not None:
        line, column, message = misplaced
        problems.add(
            "GW003", path, line, f"gunicorn config is not valid Python: {message}", column=column
        )
        return None
    source = data.decode("utf-8", errors="replace")
    _comments(path, source, problems)
    try:
        bindings = evaluate(source, tree, facts.env, facts.cpus)
    except RecursionError:
        problems.add("GW003", path, 1, "gunicorn config is too deeply nested to evaluate")
        return None
    return {name: _setting(path, binding) for name, binding in bindings.items()}


def build_gunicorn(
    path: str,
    settings: dict[str, Sourced[Any]],
    facts: Facts,
    problems: Problems,
    *,
    hidden: tuple[str, Source] | None = None,
    launcher: bool = False,
    config_files: tuple[str, ...] = (),
    hedge: str | None = None,
) -> GunicornServer:
    """Typed view of the settings; GW005 for every gunicorn setting whose value is not known
    (GW008 when a launcher's command line or environment sets it from a variable gwlint does
    not know: the message names the variable and the --env that gives it), GW003 for a value
    gunicorn refuses at start.

    ``hedge``: "unless X sets GUNICORN_CMD_ARGS" when the environment gunicorn starts in may
    hold it (an env file that is not in the repository): defaults say so, and the rules that
    read a default lower their finding to info.

    ``hidden``: why settings not in ``settings`` are not known either, and where that comes
    from (a config file the command line names that is not in the repository, a word of the
    command line that is not known); None: gunicorn's defaults apply.
    """
    for name, setting in list(settings.items()):
        if name not in GUNICORN_SETTINGS:
            continue
        line = setting.source.line or 1
        where = setting.source.path or path  # a launcher's line, or the file's
        if not setting.known:
            if PLATFORM_SET in (setting.unknown or ""):
                continue  # PORT, WEB_CONCURRENCY: set where a Procfile runs, nothing to say
            from_launcher = launcher and where not in config_files
            reason, hint = split_hint(setting.unknown or "")
            problems.add(
                "GW008" if from_launcher else "GW005",
                where,
                line,
                f"gunicorn setting {name} is not statically known: {reason}; rules that need "
                "it are skipped",
                column=setting.source.column,
                severity="info" if from_launcher else None,
                fix=hint,
            )
            continue
        invalid = _invalid(name, setting.value)
        if invalid:
            quote = _refusal(name, setting.value, launcher and where not in config_files)
            problems.add(
                "GW003",
                where,
                line,
                f"{name} = {setting.raw} is {invalid}: gunicorn refuses to start{quote}",
                column=setting.source.column,
                fix=_accepted(name, setting.value),
            )
            settings[name] = Sourced[Any](
                value=None, raw=setting.raw, source=setting.source, unknown=f"{name} is invalid"
            )
    values = _Settings(path, settings, facts, hidden, hedge)
    protocol = _as_str(values.get("protocol"), "protocol")
    if (
        protocol.value == "uwsgi"
        and facts.gunicorn_version < GUNICORN_SINCE["protocol"]
        and not protocol.is_default
    ):
        since = format_version(GUNICORN_SINCE["protocol"], short=True)
        reason = f"protocol = uwsgi needs gunicorn >= {since}"
        protocol = Sourced[str](
            value=None, raw=protocol.raw, source=protocol.source, unknown=reason
        )
    worker_class = _as_str(values.get("worker_class"), "worker_class")
    threads = _as_int(values.get("threads"), "threads")
    kind: WorkerKind | None = None
    if worker_class.value is not None:
        kind = worker_kind(worker_class.value)
        # gunicorn's config.py: is_sync = uri.endswith('SyncWorker') or uri == 'sync'
        switches = worker_class.value == "sync" or worker_class.value.endswith("SyncWorker")
        if switches and threads.value is None:
            kind = None
        elif switches and threads.value is not None and threads.value > 1:
            kind = "gthread"  # gunicorn silently switches to the threaded worker
    keepalive = _as_int(values.get("keepalive"), "keepalive")
    return GunicornServer(
        path=path,
        version_label=facts.gunicorn_label,
        settings=settings,
        listeners=_listeners(values, protocol),
        listeners_unknown=values.get("bind").unknown,
        protocol=protocol,
        worker_class=worker_class,
        worker_kind=kind,
        workers=_as_int(values.get("workers"), "workers"),
        threads=threads,
        timeout=_as_int(values.get("timeout"), "timeout"),
        graceful_timeout=_as_int(values.get("graceful_timeout"), "graceful_timeout"),
        keepalive=keepalive,
        idle_limit=_idle_limit(kind, keepalive),
        values=_effective(values),
    )


def _effective(values: _Settings) -> dict[str, Sourced[Any]]:
    """Every gunicorn setting as it takes effect (written or default), typed by its kind."""
    effective: dict[str, Sourced[Any]] = {}
    for name, (_flags, _default, kind) in GUNICORN_SETTINGS.items():
        setting = values.get(name)
        if kind == "int":
            effective[name] = _as_int(setting, name)
        elif kind == "bool" and setting.known and isinstance(setting.value, str):
            flag = setting.value.strip().lower() in ("true", "1", "yes", "y", "on")
            effective[name] = Sourced[Any](value=flag, raw=setting.raw, source=setting.source)
        else:
            effective[name] = setting
    return effective


def _idle_limit(kind: WorkerKind | None, keepalive: Sourced[int]) -> Sourced[int] | None:
    if kind in GUNICORN_KEEPALIVE_WORKERS:
        if keepalive.value is None or keepalive.value <= 0:
            return None  # unknown, or 0: the connection closes after each response
        return keepalive
    if kind == "tornado":
        # gunicorn sets no_keep_alive after tornado's server copied it: tornado's own limit rules
        source = Source(default_of="tornado's HTTPServer (idle_connection_timeout)")
        return Sourced[int](
            value=TORNADO_IDLE_SECONDS, raw=str(TORNADO_IDLE_SECONDS), source=source
        )
    return None


def _listeners(values: _Settings, protocol: Sourced[str]) -> tuple[Listener, ...]:
    bind = values.get("bind")
    if not bind.known:
        return ()
    entries = bind.value
    if isinstance(entries, str):
        entries = [entries]
    if not isinstance(entries, list | tuple):
        return ()
    speaks: ListenerProtocol = "uwsgi" if protocol.value == "uwsgi" else "http"
    certfile = values.get("certfile")
    tls = bool(certfile.known and certfile.value)
    listeners = []
    for entry in entries:
        if not isinstance(entry, str):
            continue
        listeners.append(
            Listener(
                address=addr.parse_gunicorn_bind(entry),
                protocol=speaks,
                option="bind",
                source=bind.source,
                tls=tls,
            )
        )
    return tuple(listeners)
