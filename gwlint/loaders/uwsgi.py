"""uWSGI ini -> ``UwsgiServer``, read the way uWSGI 2.0 reads it (``core/ini.c``).

Top to bottom, expanding as soon as a line is read: ``$(ENV)`` then ``%(placeholder)`` (any key
set earlier is a placeholder; ``%k`` is the target's CPU count, ``%n`` the file's name...).
Repeated keys accumulate for list options and the last one wins for scalars. Values are kept as
written: uWSGI reads numbers with ``atoi``/``strtoul``, so ``32k`` is 32, and an ini line has no
inline comments. Config logic (``if-env``, ``if-exists``, ``for`` ... ``endif``/``endfor``) is
followed where the linter can decide it and makes values unknown where only the server can.

The work is bounded by construction, whatever the file: lines, option names, includes and
characters read, placeholder replacements and the characters they make each have a budget
(``MAX_*``), checked before the work it bounds, and no scan goes back over the text (no regex
that backtracks). Reaching a budget gives one located GW004 warning that names it; the values it
leaves out are unknown, and the rest of the run goes on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum

from gwlint.loaders.common import (
    MAX_FILE_BYTES,
    OUTSIDE_NOTE,
    PLATFORM_SET,
    Problems,
    outside,
    read_text,
    split_hint,
)
from gwlint.model import address as addr
from gwlint.model.appserver import Listener, ListenerProtocol, UwsgiServer
from gwlint.model.defaults import UWSGI_DEFAULTS
from gwlint.model.facts import Facts
from gwlint.model.source import Source, Sourced
from gwlint.model.units import uwsgi_number

MAX_INI_DEPTH = 16
_MAGIC = re.compile(r"%([a-zA-Z%])")
_OPERATORS = ("+", "-", "*", "/")
_INTEGER = re.compile(r"-?\d{1,18}")  # uWSGI computes in 64 bits: longer is not a number
# what splitlines() ends a line at, one break at a time (the lines are read lazily)
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# The work one config (an ini with its includes, or a command line with its --ini files) may
# cost, each budget checked before the work it bounds; the first time one is reached gives a
# located GW004 warning that names it, and the rest of the run goes on.
# what one value may expand to: far more than any option holds; %(x) repeated line after line
# would otherwise grow without bound (each line ten times the one before)
MAX_VALUE = 65536
# characters that placeholders, variables and magic variables expand to, all values together:
# a value of MAX_VALUE characters used on every line would otherwise cost lines x MAX_VALUE
MAX_EXPANDED = 1024 * 1024
# placeholders, variables and magic variables replaced (or looked up), all values together
MAX_EXPANSIONS = 20_000
# lines read, in every file and section: a real config has hundreds; each line costs some
# microseconds (an option, a comment, a GW005 for it), and a file may hold millions
MAX_LINES = 10_000
# different option names (placeholders too) set: far more than any config sets; the rules look at
# every name (GW702 compares each unknown one with every option)
MAX_KEYS = 500
# ini = / inherit = / --ini followed, each one counted (the same file as often as it is named):
# each costs file system calls, and a file read again costs all its lines again
MAX_INCLUDES = 256
# characters read from ini files in all: as much as one file may hold
MAX_INI_CHARS = MAX_FILE_BYTES
# how much of a line a message quotes (a reason is repeated on every option it makes unknown)
MAX_SHOWN = 120

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


# every option's occurrence (the generic class looked up once: each lookup costs microseconds)
_Text = Sourced[str]


def _shown(text: str) -> str:
    """``text`` as a message quotes it: a long one cut, for a reason may be repeated on every
    option it makes unknown, and no message may grow with the input."""
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "..."


def _lines(text: str) -> Iterator[str]:
    """``text.splitlines()``, one line at a time: only the lines read are made."""
    start = 0
    for found in _LINE_BREAK.finditer(text):
        yield text[start : found.start()]
        start = found.end()
    if start < len(text):
        yield text[start:]


def _math(text: str) -> tuple[str, str, str] | None:
    """``LEFT OP RIGHT`` (``OP`` one of ``+ - * /``, spaces optional): its operands and
    operator, or None. What ``^\\s*(\\S+)\\s*([-+*/])\\s*(\\S+)\\s*$`` matches, found in one pass
    (that regex backtracks quadratically over a long word): in a single word the operator is
    the last one that is neither its first nor its last character; with spaces, the words
    decide."""
    words = text.split()
    if len(words) == 1:
        word = words[0]
        at = max(word.rfind(op, 1, len(word) - 1) for op in _OPERATORS)
        return (word[:at], word[at], word[at + 1 :]) if at > 0 else None
    if len(words) == 2:
        left, right = words
        if right[0] in _OPERATORS and len(right) > 1:
            return left, right[0], right[1:]
        if left[-1] in _OPERATORS and len(left) > 1:
            return left[:-1], left[-1], right
        return None
    if len(words) == 3 and words[1] in _OPERATORS:
        return words[0], words[1], words[2]
    return None


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
    # where the reading stopped and why (MAX_LINES, MAX_KEYS reached), for what the rules read
    # is then unknown: a later line might set it
    truncated: tuple[str, int, str] | None = None
    # the condition each open if-*/for* block puts its lines under: the outermost skipped
    # block, else the outermost one only the server decides, else taken
    _blocks: list[tuple[_Branch, str]] = field(default_factory=list)
    _sets: int = 0  # options set so far
    # what is left of each budget (MAX_*), and the budgets already reported
    lines_left: int = MAX_LINES
    includes_left: int = MAX_INCLUDES
    chars_left: int = MAX_INI_CHARS
    expanded_left: int = MAX_EXPANDED
    expansions_left: int = MAX_EXPANSIONS
    _reached: set[str] = field(default_factory=set)

    def limit(self, budget: str, path: str, line: int, message: str) -> None:
        """A budget reached: one located warning, the first time."""
        if budget not in self._reached:
            self._reached.add(budget)
            self.problems.add("GW004", path, line, f"uWSGI ini: {message}", severity="warning")

    def stop(self, path: str, line: int, what: str) -> None:
        """A budget that ends the reading reached at ``path``:``line``: the rest is not read, and
        what the rules read is unknown from then on (a later line may set it)."""
        self.limit(
            "read",
            path,
            line,
            f"{what} (gwlint's limit); the rest is not read, so the settings the rules read "
            "are taken as unknown",
        )
        why = f"gwlint stopped reading this uWSGI config at line {line} of {path} ({what})"
        self.truncated = (path, line, why)

    def another_include(self, by: str, line: int) -> bool:
        """Room to follow one more ``ini =`` / ``inherit =`` / ``--ini`` (``by``:``line``), counted
        before any file is looked at (MAX_INCLUDES)."""
        if self.includes_left <= 0:
            self.limit(
                "includes",
                by,
                line,
                f"more than {MAX_INCLUDES} ini files to include (gwlint's limit, each include "
                "counted); this one and the next ones are not followed",
            )
            return False
        self.includes_left -= 1
        return True

    def fits(self, path: str, by: str, line: int) -> bool:
        """Whether ``path`` (which ``by``:``line`` includes) fits in what is left of
        MAX_INI_CHARS; checked before it is opened."""
        try:
            size = 0 if outside(path, self.root or by) else os.stat(path).st_size
        except OSError:
            size = 0  # read_text says why it cannot be read
        if size > self.chars_left:
            self.limit(
                "characters",
                by,
                line,
                f"the ini files read would pass {MAX_INI_CHARS} characters in all (gwlint's "
                "limit); this include and the next ones that do are not followed",
            )
            return False
        return True

    def read(self, path: str, section: str, depth: int, stack: tuple[str, ...]) -> bool:
        if self.truncated is not None:  # a budget ended the reading
            return False
        # an included ini: read only inside the working directory or the given ini's folder
        by = (self.root or path) if depth > 0 else None
        text = read_text(path, "GW004", self.problems, kind="uWSGI", by=by)
        if text is None:
            return False
        self.chars_left -= len(text)
        self.files.add(path)
        current = None
        for number, line in enumerate(_lines(text), start=1):
            if self.truncated is not None:  # an include reached MAX_LINES
                break
            if self.lines_left <= 0:
                self.stop(
                    path,
                    number,
                    f"more than {MAX_LINES} lines in this config and the files it includes",
                )
                break
            self.lines_left -= 1
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
                        f"uWSGI ini: unterminated section header {_shown(stripped)!r}",
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
        value, unknown = self._expand(raw, path, line)
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
        outer = self._condition()
        if outer[0] is _Branch.SKIPPED or (
            outer[0] is _Branch.UNKNOWN and branch is not _Branch.SKIPPED
        ):
            self._blocks.append(outer)
        else:
            written = _shown(f"{key} = {raw}")
            self._blocks.append((branch, f"{written} (line {line})"))
        return True

    def _condition(self) -> tuple[_Branch, str]:
        return self._blocks[-1] if self._blocks else (_Branch.TAKEN, "")

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
        if branch is _Branch.SKIPPED or self.truncated is not None:
            return
        value, unknown = self._expand(raw, path, line, local=key in ("ini", "inherit"))
        if branch is _Branch.UNKNOWN:
            unknown = f"set inside {where}, which only the server can decide"
        unknown = unknown_word or unknown
        source = Source(path=path, line=line, column=column, note=note)
        if key in ("ini", "inherit") and unknown is None:
            self._include(value, path, line, depth, stack)
        if key in ("set", "set-placeholder", "set-ph") and "=" in value:
            name, _, placeholder = value.partition("=")
            key, value = name.strip(), placeholder.strip()
        if key not in self.options and len(self.options) >= MAX_KEYS:
            self.stop(path, line, f"more than {MAX_KEYS} different option names")
            return
        sourced = _Text(value=None if unknown else value, raw=raw, source=source, unknown=unknown)
        self.options.setdefault(key, []).append(sourced)
        self._sets += 1
        self.order[key] = self._sets

    def _include(
        self, target: str, path: str, line: int, depth: int, stack: tuple[str, ...]
    ) -> None:
        if not self.another_include(path, line):
            return
        name, _, section = target.partition(":")
        # uWSGI opens it from its working directory: the folder it was started in, often the
        # one of the first ini; next to the including file is the other usual layout
        folders = [os.path.dirname(path), os.path.dirname(self.root or path), os.getcwd()]
        candidates = [os.path.join(folder, name) for folder in folders]
        # where gwlint may not read, whether a file is there or not is never asked (no oracle)
        candidates = [c for c in candidates if not outside(c, self.root or path)]
        if not candidates:
            self.problems.add(
                "GW004",
                path,
                line,
                f"uWSGI ini: included file {_shown(os.path.normpath(name))} lies outside the "
                f"folders gwlint reads ({OUTSIDE_NOTE}); not checked",
                severity="warning",  # not an error of the ini: it may be there on the server
            )
            return
        included = next((c for c in candidates if os.path.isfile(c)), candidates[0])
        if os.path.realpath(included) in stack:
            self.problems.add(
                "GW004", path, line, f"uWSGI ini: {_shown(target)} includes itself; not followed"
            )
            return
        if depth >= MAX_INI_DEPTH:
            self.limit(
                "depth",
                path,
                line,
                f"includes nested deeper than {MAX_INI_DEPTH} levels (gwlint's limit); "
                f"{_shown(os.path.normpath(name))} is not followed",
            )
            return
        if not os.path.isfile(included):
            self.problems.add(
                "GW004",
                path,
                line,
                f"uWSGI ini: included file {_shown(os.path.normpath(name))} not found; not checked",
            )
            return
        if not self.fits(included, path, line):
            return
        self.read(
            included, section or self.section, depth + 1, (*stack, os.path.realpath(included))
        )

    def _expand(
        self, raw: str, path: str, line: int, local: bool = False
    ) -> tuple[str, str | None]:
        """The value as uWSGI reads it, or the reason it cannot be known. ``local``: a path to
        another ini, which is read here, so %d and %p are this checkout's."""
        if "{{" in raw or "{%" in raw:
            return raw, "a template placeholder, filled in before deployment"
        expansion = _Expansion(self, path, line, local)
        value = expansion.pairs(raw, "$(", expansion.env)
        value = expansion.pairs(value, "%(", expansion.placeholder)
        value = expansion.magic(value)
        return value, expansion.unknown

    def _operand(self, text: str) -> int | None:
        if _INTEGER.fullmatch(text):
            return int(text)
        values = self.options.get(text)
        if values and values[-1].value is not None and _INTEGER.fullmatch(values[-1].value):
            return int(values[-1].value)
        return None


class _Expansion:
    """One value expanded: ``$(ENV)``, then ``%(placeholder)`` (math too), then magic ``%x``,
    each pass over what the one before made, as ``re.sub`` with ``\\$\\(([^)]*)\\)``,
    ``%\\(([^)]*)\\)`` and ``%([a-zA-Z%])`` would (leftmost, not overlapping, replaced text not
    read again by the same pass) but in one scan: the regexes look for a ``)`` from every
    opening, which is quadratic on ``%(%(%(...``. Every replacement is paid for before it is
    made: MAX_VALUE characters for this value, the reader's MAX_EXPANDED characters and
    MAX_EXPANSIONS replacements for the whole config."""

    def __init__(self, reader: _Reader, path: str, line: int, local: bool) -> None:
        self.reader = reader
        self.path = path
        self.line = line
        self.local = local
        self.left = MAX_VALUE
        self.unknown: str | None = None  # the first reason the value is not known

    def why(self, reason: str) -> None:
        if self.unknown is None:
            self.unknown = reason

    def spend(self) -> bool:
        """Room for one more replacement (False: the value is not known)."""
        reader = self.reader
        if reader.expansions_left <= 0:
            reader.limit(
                "expansions",
                self.path,
                self.line,
                f"more than {MAX_EXPANSIONS} placeholders and variables to expand in this "
                "config (gwlint's limit); the values that use more are taken as unknown",
            )
            self.why(f"not expanded: more than {MAX_EXPANSIONS} placeholders in the config")
            return False
        reader.expansions_left -= 1
        return True

    def bounded(self, text: str, written: str) -> str:
        """``text`` in place of ``written``, if the budgets hold it."""
        reader = self.reader
        if len(text) > self.left:
            reader.limit(
                "value",
                self.path,
                self.line,
                f"a value expands to more than {MAX_VALUE} characters (gwlint's limit for one "
                "value); it is taken as unknown",
            )
            self.why(f"expands to more than {MAX_VALUE} characters")
            return written
        if len(text) > reader.expanded_left:
            reader.limit(
                "expanded",
                self.path,
                self.line,
                f"placeholders and variables expand to more than {MAX_EXPANDED} characters in "
                "this config (gwlint's limit); the values that expand more are taken as unknown",
            )
            self.why(f"not expanded: placeholders expand to more than {MAX_EXPANDED} characters")
            return written
        self.left -= len(text)
        reader.expanded_left -= len(text)
        return text

    def pairs(self, text: str, opening: str, replace: Callable[[str, str], str]) -> str:
        """``text`` with each ``opening`` ... ``)`` replaced by ``replace(inside, written)``."""
        pieces: list[str] = []
        done = 0
        at = text.find(opening)
        while at != -1:
            close = text.find(")", at + 2)
            if close == -1:
                break  # no ")" after this opening: none after a later one either
            if not self.spend():
                break
            pieces.append(text[done:at])
            pieces.append(replace(text[at + 2 : close], text[at : close + 1]))
            done = close + 1
            at = text.find(opening, done)
        if not pieces:
            return text
        pieces.append(text[done:])
        return "".join(pieces)

    def magic(self, text: str) -> str:
        """``text`` with its magic variables (``%n``, ``%k``, ``%%``...) replaced."""
        if "%" not in text:
            return text
        pieces: list[str] = []
        done = 0
        for found in _MAGIC.finditer(text):
            if not self.spend():
                break
            pieces.append(text[done : found.start()])
            pieces.append(self._magic(found.group(1), found.group(0)))
            done = found.end()
        if not pieces:
            return text
        pieces.append(text[done:])
        return "".join(pieces)

    def _magic(self, letter: str, written: str) -> str:
        name = os.path.basename(self.path)
        if letter == "%":
            return self.bounded("%", written)
        if letter == "s":
            return self.bounded(name, written)
        if letter == "n":
            return self.bounded(os.path.splitext(name)[0], written)
        if letter in ("e", "x"):
            return self.bounded(os.path.splitext(name)[1].lstrip("."), written)
        if letter == "k":
            if self.reader.facts.cpus is None:
                self.why("uses %k, the CPU count (give it with --cpus N)")
                return written
            return self.bounded(str(self.reader.facts.cpus), written)
        if self.local and letter in ("d", "p"):  # paths as given, so messages stay relative
            folder = (os.path.dirname(self.path) or ".") + "/"
            return self.bounded(folder if letter == "d" else self.path, written)
        what = SERVER_MAGIC.get(letter, "a magic variable gwlint does not know")
        self.why(f"uses %{letter}, {what}")
        return written

    def env(self, name: str, written: str) -> str:
        variables = self.reader.facts.env
        if name in variables:
            return self.bounded(variables[name], written)
        self.why(f"reads $({_shown(name)}), not given (use --env {_shown(name)}=VALUE)")
        return written

    def placeholder(self, inside: str, written: str) -> str:
        inner = self.magic(inside)
        math = _math(inner)
        if math is not None:
            left, op, right = math
            a, b = self.reader._operand(left), self.reader._operand(right)
            if a is None or b is None:
                self.why(f"uses %({_shown(inside)}), not known statically")
                return written
            if op == "/" and b == 0:
                self.why(f"divides by zero in %({_shown(inside)})")
                return written
            result = {"+": a + b, "-": a - b, "*": a * b}.get(op, a // b if b else 0)
            return self.bounded(str(result), written)
        values = self.reader.options.get(inner.strip())
        if values and values[-1].value is not None:
            return self.bounded(values[-1].value, written)
        if values and values[-1].unknown:
            self.why(values[-1].unknown)  # why the value it uses is not known
            return written
        self.why(f"uses %({_shown(inner)}), which is not set before")
        return written


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
                reason, hint = split_hint(occurrence.unknown or "")
                problems.add(
                    "GW008" if launched else "GW005",
                    where,
                    occurrence.source.line or 1,
                    f"uWSGI option {name} is not statically known: {reason}; rules that need it "
                    "are skipped",
                    column=occurrence.source.column,
                    severity="info" if launched else None,
                    fix=hint,
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
            where = option.path or path
            if reader.another_include(where, option.line) and reader.fits(
                option.resolved, where, option.line
            ):
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
    if reader.truncated is not None:
        # not read to its end (MAX_LINES, MAX_KEYS): a later line may set what the rules read
        # (the GW004 warning says so, no GW005 for each)
        where, stop, why = reader.truncated
        unread = _Text(value=None, raw="?", source=Source(path=where, line=stop), unknown=why)
        for name in READ_BY_RULES & options.keys():
            options[name] = (*options[name], unread)
        listeners_unknown = listeners_unknown or why
        incomplete = (where, why)
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
