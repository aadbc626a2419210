"""uWSGI ini -> ``UwsgiServer``, read the way uWSGI 2.0 reads it (``core/ini.c``).

Top to bottom, expanding as soon as a line is read: ``$(ENV)`` then ``%(placeholder)`` (any key
set earlier is a placeholder; ``%k`` is the target's CPU count, ``%n`` the file's name...).
Repeated keys accumulate for list options and the last one wins for scalars. Values are kept as
written: uWSGI reads numbers with ``atoi``/``strtoul``, so ``32k`` is 32, and an ini line has no
inline comments. Config logic (``if-env``, ``if-exists``, ``for`` ... ``endif``/``endfor``) is
followed where the linter can decide it and makes values unknown where only the server can.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from enum import Enum

from gwlint.loaders.common import Problems, outside, read_text
from gwlint.loaders.launch import PLATFORM_SET
from gwlint.model import address as addr
from gwlint.model.appserver import Listener, ListenerProtocol, UwsgiServer
from gwlint.model.defaults import UWSGI_DEFAULTS
from gwlint.model.facts import Facts
from gwlint.model.source import Source, Sourced
from gwlint.model.units import uwsgi_number

MAX_INI_DEPTH = 16
_PLACEHOLDER = re.compile(r"%\(([^)]*)\)")
_ENV = re.compile(r"\$\(([^)]*)\)")
_MAGIC = re.compile(r"%([a-zA-Z%])")
_MATH = re.compile(r"^\s*(\S+)\s*([-+*/])\s*(\S+)\s*$")
_INTEGER = re.compile(r"-?\d{1,18}")  # uWSGI computes in 64 bits: longer is not a number
# what one value may expand to: far more than any option holds; %(x) repeated line after line
# would otherwise grow without bound (each line ten times the one before)
MAX_VALUE = 65536

SOCKET_OPTIONS: dict[str, tuple[ListenerProtocol | None, bool, bool]] = {
    # option: (protocol (None = the "protocol" option, uwsgi by default), keep-alive, tls)
    "socket": (None, False, False),
    "uwsgi-socket": ("uwsgi", False, False),
    "http-socket": ("http", False, False),
    "http11-socket": ("http", True, False),
    "https-socket": ("http", False, True),
    "http": ("http", False, False),  # the HTTP router process in front of the workers
    "https": ("http", False, True),
}
# options the rules read: an unknown value there is worth a GW005
READ_BY_RULES = frozenset(
    {
        *SOCKET_OPTIONS,
        "harakiri",
        "processes",
        "workers",
        "threads",
        "buffer-size",
        "socket-timeout",
        "http-timeout",
        "limit-post",
        "post-buffering",
        "listen",
        "protocol",
        "socket-protocol",
        "master",
        "die-on-term",
        "worker-reload-mercy",
        "hook-master-start",
        "max-requests",
        "chmod-socket",
    }
)
# magic variables whose value only the server knows (its paths, name, clock)
SERVER_MAGIC = {
    "d": "the config's folder on the server",
    "p": "the config's path on the server",
    "c": "the config folder's name on the server",
    "h": "the server's host name",
    "u": "the server's user id",
    "g": "the server's group id",
    "U": "the server's user name",
    "G": "the server's group name",
    "t": "the start time",
    "T": "the start time",
    "j": "the server's uwsgi binary",
    "V": "the uWSGI version",
}
ASYNC_OPTIONS = ("async", "gevent", "asyncio", "coroae", "tornado")


class _Branch(Enum):
    TAKEN = "taken"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"


@dataclass
class _Reader:
    facts: Facts
    problems: Problems
    section: str
    options: dict[str, list[Sourced[str]]] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)  # key -> when it was last set
    root: str | None = None  # the ini gwlint was given
    files: set[str] = field(default_factory=set)  # the inis read
    found_section: bool = False
    _blocks: list[tuple[_Branch, str]] = field(default_factory=list)

    def read(self, path: str, section: str, depth: int, stack: tuple[str, ...]) -> bool:
        # an included ini: read only inside the working directory or the given ini's folder
        by = (self.root or path) if depth > 0 else None
        text = read_text(path, "GW004", self.problems, kind="uWSGI", by=by)
        if text is None:
            return False
        self.files.add(path)
        current = None
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if stripped[:1] in (";", "#"):
                if current == section:  # another section's comments are about lines not read
                    self.problems.comment(path, number, stripped[1:], own_line=True)
                continue
            if not stripped:
                continue
            if stripped.startswith("["):
                if not stripped.endswith("]"):
                    self.problems.add(
                        "GW004",
                        path,
                        number,
                        f"uWSGI ini: unterminated section header {stripped!r}",
                    )
                current = stripped[1:-1]
                continue
            if current != section:
                continue
            if depth == 0:
                self.found_section = True
            key, _, value = stripped.partition("=")
            key, value = key.strip(), value.strip()
            if not key:
                self.problems.add(
                    "GW004",
                    path,
                    number,
                    "uWSGI ini: a line with no option name; uWSGI keeps it as an option named ''",
                    severity="warning",
                )
                continue
            if self._logic(key, value, path, number):
                continue
            self._set(key, value, path, number, depth, stack)
        return True

    # --- config logic --------------------------------------------------------------------------

    def _logic(self, key: str, raw: str, path: str, line: int) -> bool:
        """Handle ``if-*``/``for*``/``endif``/``endfor``; True when the line was one."""
        if key in ("endif", "endfor"):
            if self._blocks:
                self._blocks.pop()
            return True
        if not (key.startswith("if-") or key.startswith("for")):
            return False
        value, unknown = self._expand(raw, path)
        if key in ("if-env", "if-not-env") and unknown is None:
            present = bool(self.facts.env.get(value))
            taken = present if key == "if-env" else not present
            branch = _Branch.TAKEN if taken else _Branch.SKIPPED
        elif key in ("if-opt", "if-not-opt") and unknown is None:
            name, _, expected = value.partition("=")
            values = self.options.get(name.strip()) or []
            have = bool(values) and (not expected or values[-1].value == expected.strip())
            taken = have if key == "if-opt" else not have
            branch = _Branch.TAKEN if taken else _Branch.SKIPPED
        else:
            branch = _Branch.UNKNOWN  # files, host names, plugins, loops: the server decides
        self._blocks.append((branch, f"{key} = {raw} (line {line})"))
        return True

    def _condition(self) -> tuple[_Branch, str]:
        for branch, where in self._blocks:
            if branch is _Branch.SKIPPED:
                return branch, where
        for branch, where in self._blocks:
            if branch is _Branch.UNKNOWN:
                return branch, where
        return _Branch.TAKEN, ""

    # --- options -------------------------------------------------------------------------------

    def _set(
        self,
        key: str,
        raw: str,
        path: str,
        line: int,
        depth: int,
        stack: tuple[str, ...],
        *,
        column: int | None = 1,
        unknown_word: str | None = None,
        note: str | None = None,
    ) -> None:
        branch, where = self._condition()
        if branch is _Branch.SKIPPED:
            return
        value, unknown = self._expand(raw, path, local=key in ("ini", "inherit"))
        if branch is _Branch.UNKNOWN:
            unknown = f"set inside {where}, which only the server can decide"
        unknown = unknown_word or unknown
        source = Source(path=path, line=line, column=column, note=note)
        if key in ("ini", "inherit") and unknown is None:
            self._include(value, path, line, depth, stack)
        if key in ("set", "set-placeholder", "set-ph") and "=" in value:
            name, _, placeholder = value.partition("=")
            key, value = name.strip(), placeholder.strip()
        sourced = Sourced[str](
            value=None if unknown else value, raw=raw, source=source, unknown=unknown
        )
        self.options.setdefault(key, []).append(sourced)
        self.order[key] = sum(len(v) for v in self.options.values())  # a running count

    def _include(
        self, target: str, path: str, line: int, depth: int, stack: tuple[str, ...]
    ) -> None:
        name, _, section = target.partition(":")
        # uWSGI opens it from its working directory: the folder it was started in, often the
        # one of the first ini; next to the including file is the other usual layout
        folders = [os.path.dirname(path), os.path.dirname(self.root or path), os.getcwd()]
        candidates = [os.path.join(folder, name) for folder in folders]
        included = next((c for c in candidates if os.path.isfile(c)), candidates[0])
        if depth >= MAX_INI_DEPTH or os.path.realpath(included) in stack:
            self.problems.add(
                "GW004", path, line, f"uWSGI ini: {target} includes itself; not followed"
            )
            return
        if not os.path.isfile(included):
            self.problems.add(
                "GW004",
                path,
                line,
                f"uWSGI ini: included file {os.path.normpath(name)} not found; not checked",
            )
            return
        if outside(included, self.root or path):
            self.problems.add(
                "GW004",
                path,
                line,
                f"uWSGI ini: included file {os.path.normpath(name)} lies outside the folders "
                "gwlint reads (the working directory, the ini's folder); not checked",
            )
            return
        self.read(
            included, section or self.section, depth + 1, (*stack, os.path.realpath(included))
        )

    def _expand(self, raw: str, path: str, local: bool = False) -> tuple[str, str | None]:
        """The value as uWSGI reads it, or the reason it cannot be known. ``local``: a path to
        another ini, which is read here, so %d and %p are this checkout's."""
        unknown: list[str] = []
        budget = [MAX_VALUE]

        def bounded(text: str, match: re.Match[str]) -> str:
            budget[0] -= len(text)
            if budget[0] < 0:
                unknown.append(f"expands to more than {MAX_VALUE} characters")
                return match.group(0)
            return text

        def env(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in self.facts.env:
                return bounded(self.facts.env[name], match)
            unknown.append(f"reads $({name}), not given (use --env {name}=VALUE)")
            return match.group(0)

        def magic(match: re.Match[str]) -> str:
            letter = match.group(1)
            name = os.path.basename(path)
            known = {
                "%": "%",
                "s": name,
                "n": os.path.splitext(name)[0],
                "e": os.path.splitext(name)[1].lstrip("."),
                "x": os.path.splitext(name)[1].lstrip("."),
            }
            if letter == "k":
                if self.facts.cpus is None:
                    unknown.append("uses %k, the CPU count (give it with --cpus N)")
                    return match.group(0)
                return bounded(str(self.facts.cpus), match)
            if letter in known:
                return bounded(known[letter], match)
            if local and letter in ("d", "p"):  # paths as given, so messages stay relative
                return bounded(
                    (os.path.dirname(path) or ".") + "/" if letter == "d" else path, match
                )
            what = SERVER_MAGIC.get(letter, "a magic variable gwlint does not know")
            unknown.append(f"uses %{letter}, {what}")
            return match.group(0)

        def placeholder(match: re.Match[str]) -> str:
            inner = _MAGIC.sub(magic, match.group(1))
            math = _MATH.match(inner)
            if math and math.group(2) in "+-*/":
                left, right = self._operand(math.group(1)), self._operand(math.group(3))
                if left is None or right is None:
                    unknown.append(f"uses %({match.group(1)}), not known statically")
                    return match.group(0)
                op = math.group(2)
                if op == "/" and right == 0:
                    unknown.append(f"divides by zero in %({match.group(1)})")
                    return match.group(0)
                result = {"+": left + right, "-": left - right, "*": left * right}.get(
                    op, left // right if right else 0
                )
                return str(result)
            values = self.options.get(inner.strip())
            if values and values[-1].value is not None:
                return bounded(values[-1].value, match)
            if values and values[-1].unknown:
                unknown.append(values[-1].unknown)  # why the value it uses is not known
                return match.group(0)
            unknown.append(f"uses %({inner}), which is not set before")
            return match.group(0)

        if "{{" in raw or "{%" in raw:
            return raw, "a template placeholder, filled in before deployment"
        value = _ENV.sub(env, raw)
        value = _PLACEHOLDER.sub(placeholder, value)
        value = _MAGIC.sub(magic, value)
        return value, unknown[0] if unknown else None

    def _operand(self, text: str) -> int | None:
        if _INTEGER.fullmatch(text):
            return int(text)
        values = self.options.get(text)
        if values and values[-1].value is not None and _INTEGER.fullmatch(values[-1].value):
            return int(values[-1].value)
        return None


def _number(
    options: dict[str, tuple[Sourced[str], ...]],
    name: str,
    label: str,
    default: str | None = None,
    incomplete: tuple[str, str] | None = None,
) -> Sourced[int]:
    occurrences = options.get(name)
    if not occurrences and incomplete is not None:
        path, why = incomplete
        source = Source(path=path, line=1)
        return Sourced[int](value=None, raw="?", source=source, unknown=why)
    if not occurrences:
        raw = default or UWSGI_DEFAULTS.get(name, "0")
        return Sourced[int](value=int(raw), raw=raw, source=Source(default_of=label))
    last = occurrences[-1]
    if last.value is None:
        return Sourced[int](value=None, raw=last.raw, source=last.source, unknown=last.unknown)
    return Sourced[int](value=uwsgi_number(last.value), raw=last.raw, source=last.source)


def _protocol_option(options: dict[str, tuple[Sourced[str], ...]]) -> ListenerProtocol | None:
    for name in ("socket-protocol", "protocol"):
        occurrences = options.get(name)
        if occurrences:
            value = (occurrences[-1].value or "").strip().lower()
            if value in ("http", "https"):
                return "http"
            if value in ("uwsgi", ""):
                return "uwsgi"
            return None  # fastcgi, scgi, ...: neither of the two gwlint compares
    return "uwsgi"


def _report_unknown(
    path: str,
    options: dict[str, tuple[Sourced[str], ...]],
    problems: Problems,
    *,
    from_launcher: bool = False,
    inis: set[str] | None = None,
) -> None:
    """GW005 for an option the rules read whose value is not known; GW008 (info) when a
    launcher sets it (its command line, a UWSGI_* variable) from a variable gwlint does not
    know: the message names the variable and the --env that gives it. ``inis``: the ini
    files read (what they set is reported as GW005 whoever reads them)."""
    for name, occurrences in options.items():
        if name not in READ_BY_RULES:
            continue
        for occurrence in occurrences:
            if occurrence.unknown and PLATFORM_SET not in occurrence.unknown:
                where = path if occurrence.source.path is None else occurrence.source.path
                launched = from_launcher and where not in (inis or set())
                problems.add(
                    "GW008" if launched else "GW005",
                    where,
                    occurrence.source.line or 1,
                    f"uWSGI option {name} is not statically known: {occurrence.unknown}; rules "
                    "that need it are skipped",
                    column=occurrence.source.column,
                    severity="info" if launched else None,
                )


def load_uwsgi(
    path: str, facts: Facts, problems: Problems, section: str = "uwsgi"
) -> UwsgiServer | None:
    reader = _Reader(facts=facts, problems=problems, section=section, root=path)
    if not reader.read(path, section, 0, (os.path.realpath(path),)):
        return None
    if not reader.found_section:
        problems.add(
            "GW004", path, 1, f"uWSGI ini has no [{section}] section: uWSGI would not read it"
        )
        return None
    return _build(reader, path, section, facts, problems, standalone=True)


@dataclass(frozen=True)
class CommandOption:
    """``--name value`` of a uWSGI command line, where it is written."""

    name: str
    value: str | None  # None: not statically known (``unknown`` says why)
    raw: str
    line: int
    column: int | None = None
    unknown: str | None = None
    path: str | None = None  # where it is written, when not the launcher (a UWSGI_* variable)
    resolved: str | None = None  # an ini: the repository file it is, when found
    note: str | None = None  # "$UWSGI_HARAKIRI": set by that variable


def uwsgi_from_command(
    path: str,
    options: list[CommandOption],
    facts: Facts,
    problems: Problems,
    *,
    folder: str,
    section: str = "uwsgi",
) -> UwsgiServer | None:
    """uWSGI as a command line starts it: its options in order (``UWSGI_*`` variables first),
    ``--ini`` files read where they appear (``resolved``: the repository file the command's
    path stands for). ``folder``: the repository folder the command runs in.

    None (after an info GW008) when the settings come from a file gwlint cannot read: an ini
    that is not in the repository, or a YAML/JSON/XML config; defaults would be guesses.
    """
    for option in options:
        if option.name not in ("ini", "inherit", "yaml", "yml", "json", "js", "xml", "xmlconfig"):
            continue
        if option.name in ("ini", "inherit") and option.resolved is not None:
            continue
        name = (option.value or option.raw).partition(":")[0]
        if option.value is None:
            why = option.unknown or f"{name} is not known"
        elif option.name in ("ini", "inherit"):
            why = f"{name} is not in the repository"
        else:
            why = f"gwlint reads ini files, not --{option.name}"
        problems.add(
            "GW008",
            option.path or path,
            option.line,
            f"uWSGI takes its settings from --{option.name} {option.raw}, and {why}: this "
            "uWSGI is not checked",
            column=option.column,
            severity="info",
        )
        return None
    reader = _Reader(
        facts=facts, problems=problems, section=section, root=os.path.join(folder, "uwsgi")
    )
    reader.found_section = True
    for option in options:
        if option.resolved is not None and option.value is not None:
            _, _, wanted = option.value.partition(":")
            stack = (os.path.realpath(option.resolved),)
            reader.read(option.resolved, wanted or section, 1, stack)
            continue
        reader._set(
            option.name,
            option.value if option.value is not None else option.raw,
            option.path or path,
            option.line,
            0,
            (),
            column=option.column,
            unknown_word=option.unknown,
            note=option.note,
        )
    return _build(reader, path, section, facts, problems, launcher=path)


def _build(
    reader: _Reader,
    path: str,
    section: str,
    facts: Facts,
    problems: Problems,
    *,
    standalone: bool = False,
    launcher: str | None = None,
) -> UwsgiServer:
    """``standalone``: an ini no command in the repository starts. One that sets no socket
    is a layer (``--ini base.ini --ini app.ini``, ``UWSGI_INI``): what it does not set comes
    from elsewhere, so it is unknown rather than uWSGI's default."""
    options = {key: tuple(values) for key, values in reader.options.items()}
    _report_unknown(path, options, problems, from_launcher=launcher is not None, inis=reader.files)
    label = facts.uwsgi_label
    default_protocol = _protocol_option(options)
    listeners: list[Listener] = []
    listeners_unknown: str | None = None
    for option, (protocol, keepalive, tls) in SOCKET_OPTIONS.items():
        speaks = protocol or default_protocol
        for occurrence in options.get(option, ()):
            if occurrence.value is None:
                listeners_unknown = listeners_unknown or f"{option}: {occurrence.unknown}"
                continue
            if speaks is None:
                continue
            # one address per option; https-socket = ADDR,CERT,KEY[,...] carries its files
            for part in occurrence.value.split(",")[:1]:
                if not part.strip():
                    continue
                listeners.append(
                    Listener(
                        address=addr.parse_uwsgi_socket(part.strip()),
                        protocol=speaks,
                        option=option,
                        source=occurrence.source,
                        keepalive=keepalive,
                        tls=tls,
                    )
                )
    incomplete: tuple[str, str] | None = None
    if not any(option in options for option in SOCKET_OPTIONS):
        listeners_unknown = "no socket option: it comes from the command line or the environment"
        if standalone:
            why = (
                f"{path} sets no socket, so the command line or UWSGI_* variables that start "
                "uWSGI with it (not found in the repository) set more, maybe this too"
            )
            incomplete = (path, why)
    # "processes" and "workers" are one setting: the one set last wins
    numproc = (
        "workers"
        if reader.order.get("workers", -1) > reader.order.get("processes", -1)
        else "processes"
    )
    async_cores = [_number(options, name, label, "0") for name in ASYNC_OPTIONS if name in options]
    return UwsgiServer(
        path=path,
        section=section,
        version_label=label,
        options=options,
        listeners=tuple(listeners),
        listeners_unknown=listeners_unknown,
        harakiri=_number(options, "harakiri", label, incomplete=incomplete),
        socket_timeout=_number(options, "socket-timeout", label, incomplete=incomplete),
        http_timeout=_number(options, "http-timeout", label, incomplete=incomplete),
        buffer_size=_number(options, "buffer-size", label, incomplete=incomplete),
        processes=_number(
            options, numproc, label, UWSGI_DEFAULTS["processes"], incomplete=incomplete
        ),
        processes_option=numproc,
        threads=_number(options, "threads", label, incomplete=incomplete),
        async_cores=max(async_cores, key=lambda s: s.value or 0) if async_cores else None,
        incomplete=incomplete[1] if incomplete is not None else None,
    )
