"""Launcher files -> ``Launch`` records: the commands in them that start gunicorn, uvicorn or uWSGI.

Kinds (``launcher_kind``): Procfile, Dockerfile, compose file, systemd unit, supervisord config,
env file (``GUNICORN_CMD_ARGS``) and shell script. ``read_launches`` reads one file; each kind
splits its command the way the tool that runs it does, so the words are what the program gets:

- a shell (Procfile, shell-form ``CMD``, ``sh -c``, scripts) expands ``$VAR`` and
  ``${VAR:-default}`` from what the script set before (top to bottom, no control flow: a value
  assigned inside ``if``/``case``/a loop/a function is unknown after it), then ``--env``. Bash
  arrays too (``args=(...)``, ``args+=(...)``, ``"${args[@]}"``, ``${args[1]}``,
  ``${#args[@]}``): elements appended inside a block become one unknown word after it. The
  "default if empty" idioms (``if [ -z "$X" ]; then X=v; fi``, ``[ -z "$X" ] && X=v``) are
  read as ``X=${X:-v}``;
- an exec-form ``CMD ["gunicorn", "-b", ":$PORT"]`` and a supervisord ``command=`` run no shell:
  ``$PORT`` reaches the program as written;
- compose interpolates ``${VAR}`` from the shell that runs ``docker compose`` (``--env``) and the
  project's ``.env``, never from the service's ``environment:``;
- systemd expands ``$VAR`` (split into words) and ``${VAR}`` (one word) from
  ``Environment=``/``EnvironmentFile=``.

``--env`` is the environment where the server runs: it gives unset variables a value, beats the
default of ``${VAR:-default}`` and the values a launcher declares (``ENV``, ``environment:``,
``Environment=``, ``environment=``, an env file), as ``commands._env`` does; only an assignment a
script runs (``PORT=8000`` before ``$PORT``) wins over it. ``Launch.env`` holds what the launcher
files say, each value with its file and line.

Each word keeps the line and column where it is written. ``Word`` has no path of its own: a word
that comes from another file than ``Launch.path`` (a Dockerfile ``CMD`` word passed to an
entrypoint script through ``"$@"``, a Dockerfile ``ENTRYPOINT`` word under a compose
``command:``) gets the line in ``Launch.path`` that brings it in (the ``"$@"``, the ``build:``).
``Launch.path`` is the file where the program's name is written.

While it reads a script, the shell also records what it writes (``Effect``: redirections,
``envsubst``, ``cp``, ``ln``, ``mkdir``...), inside blocks too; ``script_effects`` returns them
for a script or a Dockerfile's ``RUN`` lines, so that an nginx ``include`` of a file the
entrypoint renders is known. Nothing is ever run nor written.

Words are split by a small POSIX shell lexer written here rather than ``shlex``: it gives every
word its line and column, keeps quoting (``'$X'`` is not expanded), and knows operators
(``&&``, ``;``, ``|``, ``&``), comments and here-documents. On plain words it splits as
``shlex.split`` does (a test checks it).
"""

from __future__ import annotations

import bisect
import glob
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast

from gwlint.loaders import SKIP_DIRS, read_head
from gwlint.loaders.common import MAX_FILE_BYTES, Problems, isfile_within, read_text
from gwlint.loaders.detect_launcher import (
    _MENTION,
    _SHELL_SHEBANG,
    LauncherKind,
    launcher_kind,
)
from gwlint.loaders.launch import (
    PLATFORM_VARIABLES,
    EnvValue,
    Launch,
    Program,
    Word,
    platform_reason,
)
from gwlint.loaders.yaml_nodes import TooBig, TooManyNodes, compose, count
from gwlint.model.units import decimal

CODE = "GW008"  # launcher cannot be read
MAX_DEPTH = 8  # nested sh -c / scripts / sourced files
MAX_INDEX_FILES = 20000  # files looked at when finding a script by its basename
# scripts, sourced files and sh -c strings read for one launcher: a script that runs another
# many times over, at every level, would take exponential time
MAX_RUNS = 200
# what one word or value may expand to, and how many words "$@" may stand for: far more than
# any command holds; A=$B$B... line after line, or set -- "$@" "$@", would double each time
MAX_VALUE = 65536
MAX_WORDS = 4096
# processes read from one launcher file (Procfile lines, compose services, supervisord programs
# and their numprocs copies, systemd ExecStart= lines): each becomes an app server checked with
# all its settings (about 5 ms and 180 KB each), and no real file starts more than a few dozen
MAX_PROCESSES = 100
MAX_ENVIRONMENT = 20_000  # variables in the environments of those processes, in all
# words split from one launcher file (its commands, the scripts and sh -c strings they run, its
# values): each costs some microseconds here and as an argument after; a real file has hundreds
MAX_TOKENS = 50_000
MAX_ENV_TEXT = 4 * 1024 * 1024  # characters of the values of one env file, expanded
MAX_PROGRAM_TEXT = 256 * 1024  # characters of supervisord program copies (numprocs) read anew
# a compose file: bytes, YAML nodes composed (PyYAML in Python: about 50 microseconds and
# 600 bytes each, and a run reads a compose file twice: its services, its commands), and nodes
# after aliases and merge keys are followed (``yaml_nodes.count``); a real compose file has a
# few hundred nodes in 10 KB
MAX_COMPOSE_BYTES = 128 * 1024
MAX_YAML_COMPOSED = 10_000
MAX_YAML_NODES = 50_000
MAX_YAML_DEPTH = 100  # nesting the count follows (a node that holds itself ends there)
MAX_MERGE_DEPTH = 16  # ``<<: *base`` chains
_TOO_LONG = f"it expands to more than {MAX_VALUE} characters"
_TOO_MANY = f"it expands to more than {MAX_WORDS} words"

_PROGRAM = re.compile(
    r"^(?:(gunicorn)3?|(uvicorn)|(uwsgi)|py(uwsgi)|(uwsgi)_python\d*|(daphne)|(granian)|(hypercorn))$"
)
_PY_MODULES: dict[str, Program] = {
    "gunicorn": "gunicorn",
    "gunicorn.app.wsgiapp": "gunicorn",
    "uvicorn": "uvicorn",
    "uvicorn.main": "uvicorn",
    "daphne": "daphne",
    "granian": "granian",
    "hypercorn": "hypercorn",
    "pyuwsgi": "uwsgi",
}
_PYTHON = re.compile(r"^(?:python|pypy)[\d.]*$")
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"})
# words that make "gunicorn ..." print something and exit instead of serving
_NOT_A_START = frozenset(
    {"--version", "--help", "--check-config", "--print-config", "--cflags", "--dot-h"}
)
_SHORT_NOT_A_START: dict[str, tuple[str, ...]] = {
    "gunicorn": ("-v", "-h"),
    "uwsgi": ("-h",),
    "uvicorn": (),
    "daphne": ("-h",),
    "granian": (),
    "hypercorn": ("-h",),
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=")
_ARRAY_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\+?=$")  # name=( / name+=(
# a shell assignment: NAME=, NAME+=, NAME[subscript]=, NAME[subscript]+=
_SH_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]\n]*)\])?(\+?)=")
_OPS = (
    ";;&", "<<<", "<<-", "&>>", "&&", "||", ";;", ";&", "|&", "&>", ">>", ">|", ">&", "<&", "<>",
    "<<", ";", "&", "|", "(", ")", "<", ">",
)  # fmt: skip
_REDIRS = frozenset({"<<<", "<<-", "&>>", "&>", ">>", ">|", ">&", "<&", "<>", "<<", "<", ">"})
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+|[@*#?$!-]")
_HEX = re.compile(r"[0-9a-fA-F]{1,2}")
_PLAIN = re.compile(r"[^\s;&|()<>'\"\\$`%}]+")
_SCRIPTISH = re.compile(r"(?:\.sh$|entrypoint|start|run|boot|docker)", re.IGNORECASE)

_Pos = tuple[int, int]


# --- text with positions --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Src:
    """A text to split into words, each character knowing its line and column in ``path``."""

    text: str
    path: str
    starts: tuple[int, ...] = ()  # offsets where a segment starts
    origins: tuple[_Pos, ...] = ()  # the position of each segment's first character
    chars: tuple[_Pos, ...] | None = None  # per character (text taken out of a word)
    offset: int = 0
    tag: str = ""  # "CMD" / "ENTRYPOINT" for Dockerfile text
    alt: tuple[tuple[str, _Pos], ...] = ()  # where the text stands in files that pull it in

    def pos(self, index: int) -> _Pos:
        k = index + self.offset
        if self.chars is not None:
            if not self.chars:
                return (1, 1)
            return self.chars[min(max(k, 0), len(self.chars) - 1)]
        if not self.starts:
            return (1, 1)
        s = max(bisect.bisect_right(self.starts, k) - 1, 0)
        line, column = self.origins[s]
        return line, column + k - self.starts[s]

    def positions(self, indexes: list[int]) -> list[_Pos]:
        """``pos`` of each index (consecutive indexes in one segment cost no lookup)."""
        if self.chars is not None or not self.starts:
            return [self.pos(index) for index in indexes]
        out: list[_Pos] = []
        prev = -2
        segment_end = -1
        for index in indexes:
            k = index + self.offset
            if index == prev + 1 and k < segment_end:
                line, column = out[-1]
                out.append((line, column + 1))
            else:
                s = max(bisect.bisect_right(self.starts, k) - 1, 0)
                line, column = self.origins[s]
                out.append((line, column + k - self.starts[s]))
                segment_end = (
                    self.starts[s + 1]
                    if s + 1 < len(self.starts)
                    else len(self.text) + self.offset + 1
                )
            prev = index
        return out

    def sub(self, start: int, end: int | None = None) -> _Src:
        return replace(self, text=self.text[start:end], offset=self.offset + start)


def _file_src(path: str, text: str) -> _Src:
    starts = [0, *(m.end() for m in re.finditer("\n", text))]
    return _Src(text, path, tuple(starts), tuple((n + 1, 1) for n in range(len(starts))))


def _joined_src(
    path: str, segments: list[tuple[str, int, int]], sep: str = "", tag: str = ""
) -> _Src:
    """Pieces of lines (text, line, column) joined into one text, as continuations are."""
    texts: list[str] = []
    starts: list[int] = []
    origins: list[_Pos] = []
    at = 0
    for number, (text, line, column) in enumerate(segments):
        if number:
            texts.append(sep)
            at += len(sep)
        starts.append(at)
        origins.append((line, column))
        texts.append(text)
        at += len(text)
    return _Src("".join(texts), path, tuple(starts), tuple(origins), tag=tag)


def _greedy_chars(value: str, src: _Src, start: int, end: int) -> tuple[_Pos, ...]:
    """Positions of ``value``'s characters inside ``src.text[start:end]`` (the value as written,
    with quotes, escapes or folded lines): each character is looked up after the previous one."""
    text = src.text
    out: list[_Pos] = []
    p = start
    for ch in value:
        q = p
        while q < end and text[q] != ch and not (ch == " " and text[q] in "\n"):
            q += 1
        if q >= end:
            last = out[-1] if out else src.pos(start)
            out.extend([last] * (len(value) - len(out)))
            break
        out.append(src.pos(q))
        p = q + 1
    return tuple(out)


# --- words ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Part:
    kind: Literal["lit", "param", "unknown"]
    text: str  # the literal; the parameter's name; for unknown, the text as written
    quoted: bool
    pos: list[_Pos]  # lit: one per character; others: where the $ is
    op: str = ""  # ${name<op>arg}
    arg: list[_Part] | None = None
    why: str = ""  # unknown: the reason
    split: bool = False  # the value is split into words (unquoted $X)
    braced: bool = False
    raw: str = ""  # param: as written
    index: str | None = None  # ${name[index]}: the subscript as written ("@", "*", "0", "$i")
    length: bool = False  # ${#name}, ${#name[@]}


@dataclass(slots=True)
class _Tok:
    parts: list[_Part]
    raw: str
    start: int
    src: _Src
    op: str = ""  # an operator; "\n" for a newline
    array: list[_Tok] | None = None  # name=( ... ): the words of the list

    @property
    def pos(self) -> _Pos:
        return self.src.pos(self.start)


@dataclass(slots=True)
class _W:
    """A word after expansion; ``text`` None when not statically known."""

    text: str | None
    raw: str
    path: str
    pos: _Pos
    chars: tuple[_Pos, ...] = ()
    unknown: str | None = None
    tag: str = ""
    alt: dict[str, _Pos] = field(default_factory=dict)
    # the text with what is unknown left as written ($SOCK, $(nproc)): a sh -c string is read
    # from it, so the rest of the command is still known; ``chars`` follow it
    template: str | None = None


def _literal(tok: _Tok) -> str | None:
    """The token's text when it is plain unquoted literal text (reserved words, builtins)."""
    if tok.op or not tok.parts or any(p.kind != "lit" or p.quoted for p in tok.parts):
        return None
    return "".join(p.text for p in tok.parts)


def _lit_text(parts: list[_Part]) -> str:
    return "".join(p.text for p in parts if p.kind == "lit")


def _split_assign(tok: _Tok) -> tuple[str, _Tok] | None:
    """``NAME=value`` -> (NAME, a token for the value)."""
    if tok.op or not tok.parts:
        return None
    first = tok.parts[0]
    if first.kind != "lit" or first.quoted:
        return None
    m = _ASSIGN.match(first.text)
    if m is None:
        return None
    cut = m.end()
    rest = _Part("lit", first.text[cut:], False, first.pos[cut:])
    parts = ([rest] if rest.text else []) + tok.parts[1:]
    return m.group(1), _Tok(parts, tok.raw[len(m.group(0)) :], tok.start + cut, tok.src)


@dataclass(frozen=True, slots=True)
class _Syntax:
    ops: bool = False  # shell operators, comments, here-documents
    dollar: Literal["sh", "compose", "docker", "systemd", ""] = ""
    quotes: bool = True
    split: bool = True  # blanks separate words (False: the whole text is one word)
    escape: str = "\\"
    c_escapes: bool = False  # systemd: \n, \t, \x41...
    percent: Literal["", "systemd", "supervisor"] = ""


_SH = _Syntax(ops=True, dollar="sh")
_RAW_INTERPOLATION = _Syntax(dollar="compose", quotes=False, split=False, escape="")  # ${VAR} only
_SHLEX = _Syntax()  # supervisord's shlex.split
_PercentHook = Callable[[str, int], tuple[int, str | None, str] | None]


class _OutOfWords(Exception):
    """The launcher file being read holds more than MAX_TOKENS words."""


# the words split so far from the launcher file being read (``_reading``); None: not counted
_TOKENS: ContextVar[list[int] | None] = ContextVar("gwlint_launcher_tokens", default=None)


class _Lexer:
    """Splits a text into tokens the way a POSIX shell (or shlex, systemd, compose) does."""

    def __init__(self, src: _Src, syntax: _Syntax, percent: _PercentHook | None = None) -> None:
        self.src = src
        self.t = src.text
        self.n = len(src.text)
        self.syn = syntax
        self.percent = percent
        self.counted = _TOKENS.get()
        self.error: tuple[int, str] | None = None  # (index, what)
        # text added to a literal part, joined once at the end (_join_chunks): a str grown one
        # character at a time is copied each time, quadratic in a long quoted word
        self._chunks: dict[int, tuple[_Part, list[str]]] = {}

    def _fail(self, index: int, what: str) -> None:
        if self.error is None:
            self.error = (index, what)

    def tokens(self) -> list[_Tok]:
        out = self._tokens()
        self._join_chunks()
        return out

    def _join_chunks(self) -> None:
        for part, chunks in self._chunks.values():
            part.text = "".join(chunks)
        self._chunks.clear()

    def _count(self) -> None:
        if self.counted is not None:
            self.counted[0] += 1
            if self.counted[0] > MAX_TOKENS:
                raise _OutOfWords

    def _tokens(self) -> list[_Tok]:
        t, n, syn = self.t, self.n, self.syn
        out: list[_Tok] = []
        if not syn.split:
            self._count()
            parts, _ = self._word(0, stop_ws=False, stop_ops=False)
            return [_Tok(parts, t, 0, self.src)]
        i = 0
        want_delim = ""
        heredocs: list[tuple[str, bool]] = []
        while i < n:
            c = t[i]
            if c in " \t\r" or (c == "\n" and not syn.ops):
                i += 1
                continue
            if syn.escape and c == syn.escape and t.startswith("\n", i + 1):
                i += 2
                continue
            if syn.ops:
                if c == "\n":
                    out.append(_Tok([], "\n", i, self.src, "\n"))
                    i += 1
                    if heredocs:
                        i = self._skip_heredocs(i, heredocs)
                        heredocs = []
                    continue
                if c == "#":
                    j = t.find("\n", i)
                    i = n if j < 0 else j
                    continue
                op = next((o for o in _OPS if t.startswith(o, i)), "") if c in "<>;&|()" else ""
                if op:
                    out.append(_Tok([], op, i, self.src, op))
                    i += len(op)
                    if op in ("<<", "<<-"):
                        want_delim = op
                    continue
            start = i
            self._count()
            parts, i = self._word(i, stop_ws=True, stop_ops=syn.ops)
            raw = t[start:i]
            if syn.ops and raw.isdigit() and i < n and t[i] in "<>":
                continue  # 2>&1: the file descriptor of a redirection
            if syn.dollar == "systemd" and len(parts) == 1 and parts[0].kind == "param":
                # $VAR as a word of its own is split on blanks, ${VAR} is one word
                parts[0].split = not parts[0].braced and not parts[0].quoted
            if syn.dollar == "sh" and i < n and t[i] == "(" and _ARRAY_ASSIGN.match(raw):
                # name=( ... ): an array assignment, not a subshell
                elements, i = self._array_list(i)
                out.append(_Tok(parts, t[start:i], start, self.src, array=elements))
                if self.error:
                    break
                continue
            if want_delim:
                self._join_chunks()
                heredocs.append((_lit_text(parts), want_delim == "<<-"))
                want_delim = ""
            out.append(_Tok(parts, raw, start, self.src))
            if self.error:
                break
        return out

    def _array_list(self, i: int) -> tuple[list[_Tok], int]:
        """``t[i]`` is the ``(`` of ``name=(``: the words of the list, and the index after its
        ``)`` (newlines and comments may stand between the words)."""
        t, n = self.t, self.n
        opened = i
        i += 1
        out: list[_Tok] = []
        while i < n:
            c = t[i]
            if c in " \t\r\n":
                i += 1
                continue
            if c == "\\" and t.startswith("\n", i + 1):
                i += 2
                continue
            if c == "#":
                j = t.find("\n", i)
                i = n if j < 0 else j
                continue
            if c == ")":
                return out, i + 1
            if c in ";&|(<>":
                break  # not a word list: bash refuses it
            start = i
            self._count()
            parts, i = self._word(i, stop_ws=True, stop_ops=True)
            out.append(_Tok(parts, t[start:i], start, self.src))
            if self.error:
                return out, i
        self._fail(opened, "=(")
        return out, n

    def _skip_heredocs(self, i: int, heredocs: list[tuple[str, bool]]) -> int:
        t, n = self.t, self.n
        for delim, tabs in heredocs:
            while i < n:
                end = t.find("\n", i)
                end = n if end < 0 else end
                line = t[i:end].rstrip("\r")
                i = end + 1
                if (line.lstrip("\t") if tabs else line) == delim:
                    break
        return min(i, n)

    # -- one word ------------------------------------------------------------------------------

    def _add(self, parts: list[_Part], text: str, at: list[int], quoted: bool) -> None:
        pos = self.src.positions(at)
        if parts and parts[-1].kind == "lit" and parts[-1].quoted == quoted:
            last = parts[-1]
            chunks = self._chunks.get(id(last))
            if chunks is None:
                chunks = self._chunks[id(last)] = (last, [last.text])
            chunks[1].append(text)
            last.pos.extend(pos)
        else:
            parts.append(_Part("lit", text, quoted, pos))

    def _word(
        self, i: int, *, stop_ws: bool, stop_ops: bool, brace: bool = False
    ) -> tuple[list[_Part], int]:
        t, n, syn = self.t, self.n, self.syn
        parts: list[_Part] = []
        while i < n:
            c = t[i]
            if brace and c == "}":
                break
            if stop_ws and c in " \t\n\r":
                break
            if stop_ops and c in ";&|()<>":
                break
            if syn.escape and c == syn.escape:
                if i + 1 >= n:
                    i += 1
                    continue
                if t[i + 1] == "\n":
                    i += 2
                    continue
                if syn.c_escapes:
                    ch, k = _c_escape(t, i)
                    self._add(parts, ch, [i], True)
                    i = k
                    continue
                self._add(parts, t[i + 1], [i + 1], True)
                i += 2
                continue
            if syn.quotes and c == "'" and syn.dollar == "compose":
                i = self._single_interpolated(i + 1, parts)
                continue
            if syn.quotes and c == "'":
                j = t.find("'", i + 1)
                if j < 0:
                    self._fail(i, "'")
                    self._add(parts, t[i + 1 :], list(range(i + 1, n)), True)
                    return parts, n
                self._add(parts, t[i + 1 : j], list(range(i + 1, j)), True)
                i = j + 1
                continue
            if syn.quotes and c == '"':
                i = self._double(i + 1, parts)
                continue
            if c == "$" and syn.dollar:
                i = self._dollar(i, parts, quoted=False)
                continue
            if c == "`" and syn.dollar == "sh":
                j = self._balanced(i, "`", "`")
                parts.append(_unknown(t[i:j], self.src.pos(i), _CMDSUB))
                i = j
                continue
            if c == "%" and self.percent is not None:
                i = self._percent(i, parts, quoted=False)
                continue
            m = _PLAIN.match(t, i)  # a run of ordinary characters at once
            j = m.end() if m and m.end() > i else i + 1
            self._add(parts, t[i:j], list(range(i, j)), False)
            i = j
        return parts, i

    def _single_interpolated(self, i: int, parts: list[_Part]) -> int:
        """'...' in a compose command: compose interpolates ${VAR} and $$ before it splits the
        string into words, quotes or not."""
        t, n = self.t, self.n
        opened = i - 1
        before = len(parts)
        while i < n:
            c = t[i]
            if c == "'":
                if len(parts) == before:
                    self._add(parts, "", [], True)
                return i + 1
            if c == "$":
                i = self._dollar(i, parts, quoted=True)
                continue
            self._add(parts, c, [i], True)
            i += 1
        self._fail(opened, "'")
        return n

    def _double(self, i: int, parts: list[_Part]) -> int:
        t, n, syn = self.t, self.n, self.syn
        opened = i - 1
        specials = '$`"\\\n' if syn.dollar == "sh" else '"\\\n'
        before = len(parts)
        while i < n:
            c = t[i]
            if c == '"':
                if len(parts) == before:
                    self._add(parts, "", [], True)  # "" is a word
                return i + 1
            if c == "\\" and i + 1 < n:
                if t[i + 1] == "\n":
                    i += 2
                elif syn.c_escapes:
                    ch, k = _c_escape(t, i)
                    self._add(parts, ch, [i], True)
                    i = k
                elif t[i + 1] in specials:
                    self._add(parts, t[i + 1], [i + 1], True)
                    i += 2
                else:
                    self._add(parts, "\\", [i], True)
                    i += 1
                continue
            if c == "$" and syn.dollar:
                i = self._dollar(i, parts, quoted=True)
                continue
            if c == "`" and syn.dollar == "sh":
                j = self._balanced(i, "`", "`")
                parts.append(_unknown(t[i:j], self.src.pos(i), _CMDSUB, quoted=True))
                i = j
                continue
            if c == "%" and self.percent is not None:
                i = self._percent(i, parts, quoted=True)
                continue
            self._add(parts, c, [i], True)
            i += 1
        self._fail(opened, '"')
        return n

    def _percent(self, i: int, parts: list[_Part], *, quoted: bool) -> int:
        assert self.percent is not None
        got = self.percent(self.t, i)
        if got is None:
            self._add(parts, "%", [i], quoted)
            return i + 1
        length, value, why = got
        if value is None:
            parts.append(_unknown(self.t[i : i + length], self.src.pos(i), why, quoted=quoted))
        else:
            self._add(parts, value, [i] * len(value), quoted)
            if not value:
                self._add(parts, "", [], quoted)
        return i + length

    def _balanced(self, i: int, open_: str, close: str) -> int:
        """``t[i]`` is ``open_``: the index after the ``close`` that matches it (quoted text
        skipped); the end of the text, after an error, when there is none."""
        t, n = self.t, self.n
        depth = 0
        j = i
        quote = ""
        while j < n:
            c = t[j]
            if quote:
                if c == "\\" and quote == '"':
                    j += 2
                    continue
                if c == quote:
                    quote = ""
            elif c == "\\":
                j += 2
                continue
            elif open_ == close:  # `...`
                if j > i and c == close:
                    return j + 1
            elif c in "'\"":
                quote = c
            elif c == open_:
                depth += 1
            elif c == close:
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        self._fail(i, open_)
        return n

    def _dollar(self, i: int, parts: list[_Part], *, quoted: bool) -> int:
        t, n, mode = self.t, self.n, self.syn.dollar
        nxt = t[i + 1] if i + 1 < n else ""
        where = self.src.pos(i)
        split = not quoted and mode in ("sh", "compose")
        if nxt == "$" and mode in ("compose", "systemd"):
            self._add(parts, "$", [i], quoted)
            return i + 2
        if mode == "sh" and nxt == "'" and not quoted:
            return self._ansi_c(i + 2, parts)
        if mode == "sh" and nxt == '"' and not quoted:
            return i + 1  # $"..." is "..."
        if nxt == "{":
            return self._braced(i, parts, quoted=quoted, split=split)
        if mode == "sh" and t.startswith("$((", i):
            j = self._balanced(i + 2, "(", ")")
            j = j + 1 if j < n and t[j] == ")" else j
            parts.append(_unknown(t[i:j], where, _ARITH, quoted=quoted))
            return j
        if mode == "sh" and nxt == "(":
            j = self._balanced(i + 1, "(", ")")
            parts.append(_unknown(t[i:j], where, _CMDSUB, quoted=quoted))
            return j
        m = _NAME.match(t, i + 1)
        if m:
            raw = t[i : m.end()]
            parts.append(_Part("param", m.group(0), quoted, [where], split=split, raw=raw))
            return m.end()
        if mode == "sh" and nxt and nxt in "0123456789@*#?$!-":
            parts.append(_Part("param", nxt, quoted, [where], split=split, raw=t[i : i + 2]))
            return i + 2
        self._add(parts, "$", [i], quoted)
        return i + 1

    def _subscript(self, j: int) -> tuple[str | None, int]:
        """``t[j]`` is ``[``: the subscript as written and the index after its ``]``."""
        t, n = self.t, self.n
        depth = 0
        k = j
        while k < n and t[k] != "\n":
            if t[k] == "[":
                depth += 1
            elif t[k] == "]":
                depth -= 1
                if depth == 0:
                    return t[j + 1 : k], k + 1
            k += 1
        return None, j

    def _braced(self, i: int, parts: list[_Part], *, quoted: bool, split: bool) -> int:
        t, n = self.t, self.n
        where = self.src.pos(i)
        j = i + 2
        m = _PARAM_NAME.match(t, j)
        if self.syn.dollar == "sh" and m and m.group(0) == "#" and j + 1 < n:
            # ${#name}, ${#name[@]}: a length
            got = _NAME.match(t, j + 1)
            k = got.end() if got else j + 1
            index: str | None = None
            if got and k < n and t[k] == "[":
                index, k = self._subscript(k)
            if got and k < n and t[k] == "}":
                name = got.group(0)
                raw = t[i : k + 1]
                parts.append(
                    _Part("param", name, quoted, [where], split=split, braced=True, raw=raw)
                )
                parts[-1].index, parts[-1].length = index, True
                return k + 1
        if m and m.group(0) == "#" and j + 1 < n and t[j + 1] != "}":
            end = self._balanced(i + 1, "{", "}")
            parts.append(_unknown(t[i:end], where, _PATTERN, quoted=quoted))
            return end
        if m is None:
            end = self._balanced(i + 1, "{", "}")
            parts.append(_unknown(t[i:end], where, _PATTERN, quoted=quoted))
            return end
        name = m.group(0)
        j = m.end()
        index = None
        if self.syn.dollar == "sh" and j < n and t[j] == "[" and _NAME.fullmatch(name):
            index, j = self._subscript(j)  # ${name[...]}: an array's element(s)
            if index is None:
                end = self._balanced(i + 1, "{", "}")
                parts.append(_unknown(t[i:end], where, _PATTERN, quoted=quoted))
                return end
        if j < n and t[j] == "}":
            raw = t[i : j + 1]
            parts.append(_Part("param", name, quoted, [where], split=split, braced=True, raw=raw))
            parts[-1].index = index
            return j + 1
        for op in (":-", ":=", ":+", ":?", "-", "=", "+", "?"):
            if t.startswith(op, j):
                arg, k = self._word(j + len(op), stop_ws=False, stop_ops=False, brace=True)
                if k >= n:
                    self._fail(i, "${")
                    return n
                raw = t[i : k + 1]
                parts.append(
                    _Part(
                        "param", name, quoted, [where], op, arg, split=split, braced=True, raw=raw
                    )
                )
                parts[-1].index = index
                return k + 1
        end = self._balanced(i + 1, "{", "}")
        parts.append(_unknown(t[i:end], where, _PATTERN, quoted=quoted))
        return end

    def _ansi_c(self, i: int, parts: list[_Part]) -> int:
        t, n = self.t, self.n
        opened = i - 2
        self._add(parts, "", [], True)
        while i < n:
            c = t[i]
            if c == "'":
                return i + 1
            if c == "\\" and i + 1 < n:
                ch, k = _c_escape(t, i)
                self._add(parts, ch, [i], True)
                i = k
                continue
            self._add(parts, c, [i], True)
            i += 1
        self._fail(opened, "$'")
        return n


_CMDSUB = "it is the output of a command ($(...)), which gwlint does not run"
_ARITH = "it is computed by shell arithmetic ($((...))), which gwlint does not evaluate"
_PATTERN = "it uses a ${...} form gwlint does not evaluate"
_C_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _c_escape(t: str, i: int) -> tuple[str, int]:
    """The character ``t[i:]`` (a backslash) stands for, and the index after it."""
    c = t[i + 1]
    if c in _C_ESCAPES:
        return _C_ESCAPES[c], i + 2
    if c == "x":
        m = _HEX.match(t, i + 2)
        if m:
            return chr(int(m.group(0), 16)), m.end()
    return c, i + 2


def _unknown(raw: str, where: _Pos, why: str, *, quoted: bool = False) -> _Part:
    return _Part("unknown", raw, quoted, [where], why=why)


def _lex(
    src: _Src, syntax: _Syntax, percent: _PercentHook | None = None
) -> tuple[list[_Tok], tuple[int, str] | None]:
    lexer = _Lexer(src, syntax, percent)
    tokens = lexer.tokens()
    return tokens, lexer.error


# --- expansion ------------------------------------------------------------------------------------

_Value = tuple[str | None, str | None]  # (value, why it is unknown)


class _Scope:
    """Where expansions look values up."""

    positional: list[_W] | None = None  # None: the arguments are not known

    def look(self, name: str) -> _Value | None:
        """None when the variable is not set."""
        return None

    def unset(self, name: str) -> _Value:
        return None, f"${name} is not set (give its value with --env {name}=VALUE)"

    def assign(self, name: str, value: str, tok: _Tok) -> None:
        """``${NAME:=default}``."""

    def items(self, name: str) -> _Items | None:
        """The elements of the array ``name``; None when it is not an array."""
        return None


_Key = int | str | None


@dataclass(slots=True)
class _Items:
    """An array's elements as the shell sees them where it is referenced. An element gwlint
    cannot know (appended inside a block that has ended) is a word with ``text`` None; its key
    is None when it stands for any number of elements."""

    words: list[_W] = field(default_factory=list)
    keys: list[_Key] = field(default_factory=list)
    why: str | None = None  # the whole array is unknown
    assoc: bool = False

    def count(self) -> _Value:
        if self.why is not None:
            return None, self.why
        for key, w in zip(self.keys, self.words, strict=True):
            if key is None:
                return None, w.unknown
        return str(len(self.words)), None

    def get(self, key: int | str) -> _Value | None:
        """The element ``key`` (a negative index counts from the end); None when not set."""
        if self.why is not None:
            return None, self.why
        pairs = list(zip(self.keys, self.words, strict=True))
        if isinstance(key, int) and key < 0:
            if not pairs:
                return None
            last = pairs[-1][0]
            if not isinstance(last, int):
                return None, pairs[-1][1].unknown
            key = last + 1 + key
            if key < 0:
                return None
            for k, w in reversed(pairs):
                if not isinstance(k, int):
                    return None, w.unknown
                if k == key:
                    return w.text, w.unknown
                if k < key:
                    return None
            return None
        for k, w in pairs:
            if k is None and not self.assoc:
                return None, w.unknown  # where the elements after it stand is not known
            if k == key:
                return w.text, w.unknown
        return None


def _scalar_items(scope: _Scope, name: str) -> _Items:
    """A variable that is not an array is an array of one element."""
    items = scope.items(name)
    if items is not None:
        return items
    cur = scope.look(name)
    if cur is None:
        return _Items()
    return _Items([_W(cur[0], "$" + name, "", (1, 1), unknown=cur[1])], [0])


def _subscript_key(index: str, scope: _Scope, *, assoc: bool) -> tuple[int | str | None, str]:
    """An array subscript as written -> its key (None, with why, when not known): a number (a
    variable's, ``$i``, ``${#a[@]}``) for an array, a string for an associative array."""
    text = index.strip()
    if "$" in text or "`" in text:
        tokens, error = _lex(_Src(text, ""), _SH_WORD)
        if error is not None or not tokens:
            return None, f"the subscript [{index}] cannot be read"
        value, why = _expand_one(tokens[0], scope)
        if value is None:
            return None, why or f"the subscript [{index}] is not known"
        text = value.strip()
    elif assoc:
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            text = text[1:-1]
    elif _NAME.fullmatch(text):  # arithmetic: a[i] is a[$i]
        cur = scope.look(text)
        if cur is None:
            return None, f"${text} is not set"
        if cur[0] is None:
            return None, cur[1] or f"${text} is not known"
        text = cur[0].strip()
    if assoc:
        return text, ""
    number = decimal(text.lstrip("-")) if text.lstrip("-") else None
    if number is None:
        return None, f"the subscript [{index}] is computed while the script runs"
    return (-number if text.startswith("-") else number), ""


def _array_value(part: _Part, scope: _Scope, tok: _Tok) -> _Value | None:
    """``${name[i]}``, ``${name[@]}`` joined, ``${#name[@]}``, ``${#name}``: the value before
    any ``:-``-style operator; None when it is not set."""
    name, index = part.text, part.index
    if part.length and index is None:
        cur = scope.look(name)
        if cur is None or cur[0] is None:
            return cur
        return str(len(cur[0])), None
    items = _scalar_items(scope, name)
    if index in ("@", "*"):
        if part.length:
            return items.count()
        if items.why is not None:
            return None, items.why
        if not items.words:
            return None
        texts: list[str] = []
        for w in items.words:
            if w.text is None:
                return None, w.unknown
            texts.append(w.text)
        if sum(len(x) + 1 for x in texts) > MAX_VALUE:
            return None, _TOO_LONG
        return " ".join(texts), None
    assert index is not None
    key, why = _subscript_key(index, scope, assoc=items.assoc)
    if key is None:
        return None, why
    got = items.get(key)
    if part.length and got is not None and got[0] is not None:
        return str(len(got[0])), None
    if part.length and got is None:
        return "0", None
    return got


class _DictScope(_Scope):
    def __init__(
        self,
        values: dict[str, _Value],
        fallback: dict[str, str],
        unset: Callable[[str], _Value] | None = None,
    ) -> None:
        self.values = values
        self.fallback = fallback
        self._unset = unset

    def look(self, name: str) -> _Value | None:
        if name in self.values:
            return self.values[name]
        if name in self.fallback:
            return self.fallback[name], None
        return None

    def unset(self, name: str) -> _Value:
        return self._unset(name) if self._unset else super().unset(name)


def _param_value(part: _Part, scope: _Scope, tok: _Tok) -> _Value:
    name, op = part.text, part.op
    cur: _Value | None
    if part.index is not None or part.length:
        cur = _array_value(part, scope, tok)
        if not op:
            if cur is None:
                return ("", None) if part.index in ("@", "*") else scope.unset(name)
            return cur
        if cur is not None and cur[0] is None:
            return cur
        value = cur[0] if cur is not None else ""
        use_arg = cur is None or (op.startswith(":") and not value)
        if op in (":-", "-", ":=", "="):
            return _join(part.arg or [], scope, tok) if use_arg else (value, None)
        if op in (":+", "+"):
            return ("", None) if use_arg else _join(part.arg or [], scope, tok)
        if use_arg:
            return None, f"${{{name}[{part.index}]{op}...}} stops the command when it is not set"
        return value, None
    if name.isdigit():
        if name == "0":
            return None, "$0 is the script's path where it runs"
        if scope.positional is None:
            return None, f"${name} is an argument the script is started with"
        index = (decimal(name) or len(scope.positional) + 1) - 1  # $99999...: not set
        if index < len(scope.positional):
            w = scope.positional[index]
            cur = (w.text, w.unknown)
        else:
            cur = None
    elif name == "#":
        if scope.positional is None:
            return None, "$# is the number of arguments the script is started with"
        return str(len(scope.positional)), None
    elif name in ("?", "$", "!", "-"):
        return None, f"${name} is known only while the shell runs"
    else:
        cur = scope.look(name)
    if not op:
        return scope.unset(name) if cur is None else cur
    if cur is not None and cur[0] is None:
        return cur
    value = cur[0] if cur is not None else ""
    use_arg = cur is None or (op.startswith(":") and not value)
    if op in (":-", "-", ":=", "="):
        if not use_arg:
            return value, None
        got = _join(part.arg or [], scope, tok)
        if op in (":=", "=") and got[0] is not None:
            scope.assign(name, got[0], tok)
        return got
    if op in (":+", "+"):
        return ("", None) if use_arg else _join(part.arg or [], scope, tok)
    if use_arg:  # :? and ?
        return None, f"${{{name}{op}...}} stops the command when {name} is not set"
    return value, None


def _join(parts: list[_Part], scope: _Scope, tok: _Tok) -> _Value:
    """Parts expanded into one string (no word splitting)."""
    out: list[str] = []
    size = 0
    for part in parts:
        if part.kind == "lit":
            out.append(part.text)
        elif part.kind == "unknown":
            return None, part.why
        elif part.text in ("@", "*"):
            if scope.positional is None:
                continue
            texts = [w.text for w in scope.positional]
            if any(x is None for x in texts):
                return None, "$@ holds an argument that is not known"
            if sum(len(x) + 1 for x in texts if x is not None) > MAX_VALUE:
                return None, _TOO_LONG
            out.append(" ".join(x for x in texts if x is not None))
        else:
            value, why = _param_value(part, scope, tok)
            if value is None:
                return None, why
            out.append(value)
        size += len(out[-1]) if out else 0
        if size > MAX_VALUE:
            return None, _TOO_LONG
    return "".join(out), None


def _expand(tok: _Tok, scope: _Scope) -> list[_W]:
    """A token -> the words it becomes: parameters replaced, unquoted values split on blanks,
    ``"$@"`` one word per argument."""
    src = tok.src
    alt = dict(src.alt)
    fields: list[_W] = []
    text: list[str] = []
    chars: list[_Pos] = []
    have = False
    why: str | None = None
    size = 0  # characters of every field so far

    def flush() -> None:
        nonlocal text, chars, have, why
        if have:
            joined = "".join(text)
            # the first word of a token starts where the token does (at its quote, say)
            first = not fields or not chars
            fields.append(
                _W(
                    None if why else joined,
                    tok.raw,
                    src.path,
                    tok.pos if first else chars[0],
                    tuple(chars),
                    why,
                    src.tag,
                    dict(alt),
                    joined if why else None,
                )
            )
        text, chars, have, why = [], [], False, None

    def add(value: str, pos: list[_Pos]) -> None:
        nonlocal size
        size += len(value)
        text.append(value)
        chars.extend(pos)

    for part in tok.parts:
        if part.kind == "lit":
            add(part.text, part.pos)
            have = have or part.quoted or bool(part.text)
            continue
        if part.kind == "unknown":
            add(part.text, part.pos * len(part.text))
            have = True
            why = why or part.why
            continue
        value: str | None
        reason: str | None
        if (
            part.index in ("@", "*")
            and not part.op
            and not part.length
            and (part.index == "@" or not part.quoted)
        ):
            # "${name[@]}": one word per element; unquoted, each element split again
            items = _scalar_items(scope, part.text)
            elements = items.words
            if items.why is not None:
                elements = [_W(None, part.raw, src.path, part.pos[0], unknown=items.why)]
            elif items.assoc and len(elements) > 1:
                why = f"the order of ${{{part.text}[@]}}, an associative array, is bash's own"
                elements = [_W(None, part.raw, src.path, part.pos[0], unknown=why)]
            if len(fields) + len(elements) > MAX_WORDS:
                add(part.raw, part.pos * len(part.raw))
                have = True
                why = why or _TOO_MANY
                continue
            here = {**alt, src.path: tok.pos}
            if len(tok.parts) == 1:  # the word is the array alone: each element keeps its place
                flush()
                for w in elements:
                    pieces = (
                        [w.text]
                        if part.quoted or w.text is None
                        else [x for x in re.split(r"[ \t\n]+", w.text) if x]
                    )
                    if pieces == [w.text]:
                        fields.append(replace(w, alt={**w.alt, **here}))
                        continue
                    fields.extend(
                        _W(p, w.raw, w.path, w.pos, tag=w.tag, alt={**w.alt, **here})
                        for p in pieces
                    )
                continue
            for number, w in enumerate(elements):
                if number:
                    flush()
                if w.text is None:
                    add(w.template or w.raw, part.pos * len(w.template or w.raw))
                    have = True
                    why = why or w.unknown
                    continue
                if size + len(w.text) > MAX_VALUE:
                    add(part.raw, part.pos * len(part.raw))
                    have = True
                    why = why or _TOO_LONG
                    continue
                if part.quoted:
                    add(w.text, part.pos * len(w.text))
                    have = True
                    continue
                for piece in re.split(r"([ \t\n]+)", w.text):
                    if piece.isspace():
                        flush()
                    elif piece:
                        add(piece, part.pos * len(piece))
                        have = True
            continue
        if part.text in ("@", "*") and part.index is None:
            if scope.positional is None:
                continue  # "$@" of a script run on its own: dropped
            if part.text == "@" and len(fields) + len(scope.positional) > MAX_WORDS:
                value, reason = None, _TOO_MANY
            elif part.text == "@":
                flush()
                here = {**alt, src.path: tok.pos}
                for w in scope.positional:
                    fields.append(replace(w, alt={**w.alt, **here}))
                continue
            else:
                value, reason = _join([part], scope, tok)
        else:
            value, reason = _param_value(part, scope, tok)
        if value is not None and size + len(value) > MAX_VALUE:
            value, reason = None, _TOO_LONG
        if value is None:
            add(part.raw, part.pos * len(part.raw))
            have = True
            why = why or reason
            continue
        if not part.split:
            add(value, part.pos * len(value))
            have = have or part.quoted or bool(value)
            continue
        for piece in re.split(r"([ \t\n]+)", value):
            if not piece:
                continue
            if piece.isspace():
                flush()
                continue
            add(piece, part.pos * len(piece))
            have = True
    flush()
    return fields


def _expand_one(tok: _Tok, scope: _Scope) -> _Value:
    """An assignment's value: expanded without word splitting."""
    return _join(
        [replace(p, split=False) if p.kind == "param" else p for p in tok.parts], scope, tok
    )


# --- templates -----------------------------------------------------------------------------------

# a template placeholder's marker (gwlint.loaders.templates.marker): an unknown value
_PLACEHOLDER = "__GWLINT_UNKNOWN_"
_PLACEHOLDER_WHY = "it is a template placeholder, filled in only when the template is rendered"
_TEMPLATE_TAGS = re.compile(r"\{\{|\{%|<%")


def _placeholder_free(value: EnvValue) -> EnvValue:
    """An environment value a template placeholder stands in: unknown."""
    if value.value is None or _PLACEHOLDER not in value.value:
        return value
    return value._replace(value=None, unknown=_PLACEHOLDER_WHY)


def _read(path: str, problems: Problems, *, kind: str, by: str | None = None) -> str | None:
    """A launcher file's text; a template (Jinja, a cookiecutter project, Liquid, ERB, Go)
    rendered in memory first, its placeholders unknown values, its lines kept."""
    text = read_text(path, CODE, problems, kind=kind, by=by)
    if text is None or _TEMPLATE_TAGS.search(text) is None:
        return text
    from gwlint.loaders import templates

    if templates.detect(os.path.basename(path), text) != "jinja":
        # ${VAR} is a launcher's own syntax, and a {% in a shell string is text (uWSGI's
        # logformat): only what Jinja2's parser reads as a template is one here
        return text
    # both branches of an {% if %} are read (a Procfile's two web lines, two CMDs), but in a
    # compose file, where both together would not be YAML: the first
    rendered = templates.render(text, "jinja", branches="first" if kind == "compose" else "all")
    return problems.placeholders.register(path, rendered)


def _templated(problems: Problems, path: str) -> bool:
    """Was ``path`` read as a template (its syntax errors may be the template's, not the
    file's as deployed)?"""
    return os.path.realpath(path) in problems.placeholders.kinds


# --- reading context ------------------------------------------------------------------------------

EffectKind = Literal["write", "render", "copy", "link", "move", "mkdir"]
MAX_EFFECTS = 10000  # effects recorded for one launcher, far more than any script has


@dataclass(frozen=True, slots=True)
class Effect:
    """A file a script (or a Dockerfile's ``RUN``) writes where it runs: ``printf ... > f``
    (write), ``envsubst < t > f`` (render), ``cp``, ``ln``, ``mv``, ``mkdir``.

    ``target`` and ``source`` are paths in the container (after expansion, made absolute from
    the working directory when it is known), None when not known (``unknown`` says why).
    ``path``/``line``/``column``: where the target is written in the script. ``tool``: the
    command that writes (``redirect`` for the output of any other command). ``variables``: the
    names an ``envsubst SHELL-FORMAT`` replaces; None when it replaces every variable (no
    format, or a format gwlint cannot know).
    """

    kind: EffectKind
    target: str | None
    source: str | None
    path: str
    line: int
    column: int | None
    tool: str
    variables: tuple[str, ...] | None = None
    unknown: str | None = None


@dataclass
class _Ctx:
    """One ``read_launches`` call."""

    path: str
    cli_env: dict[str, str]
    problems: Problems
    launches: list[Launch] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)  # what the scripts read write
    services: list[ComposeService] = field(default_factory=list)  # compose services read
    base_env: dict[str, EnvValue] = field(default_factory=dict)  # read_launches(base_env=...)
    spot: tuple[str, int] = ("", 1)  # the file and line being read, for errors
    compose_refs: list[str] = field(default_factory=list)  # the project's .env
    images: dict[tuple[str, str, str, str | None], _Image | None] = field(default_factory=dict)
    # env files read (path, expanded): never changed by those who get them
    dotenvs: dict[tuple[str, bool], dict[str, EnvValue] | None] = field(default_factory=dict)
    _index: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    runs: int = 0  # scripts, sourced files and sh -c strings read so far
    processes: int = 0  # processes of the file read so far (MAX_PROCESSES)
    environment: int = 0  # variables in the environments of those processes (MAX_ENVIRONMENT)
    too_many: bool = False  # the warning that the file starts too many was given

    def fail(self, path: str, line: int, message: str, column: int | None = None) -> None:
        self.problems.add(CODE, path, line, message, column=column)

    def another_run(self, w: _W) -> bool:
        """Room to read one more script or sh -c string (``w`` names it): MAX_RUNS in all."""
        self.runs += 1
        if self.runs == MAX_RUNS + 1:
            self.fail(
                w.path,
                w.pos[0],
                f"launcher runs more than {MAX_RUNS} scripts or sh -c strings (one that starts "
                "another many times over?); the rest are not followed",
            )
        return self.runs <= MAX_RUNS

    def more_processes(self, line: int, wanted: int, kind: str, what: str = "processes") -> int:
        """How many of ``wanted`` more processes (written at ``line``) are read: MAX_PROCESSES
        per file; past them (or once ``more_env`` said no), one warning and none."""
        if self.environment > MAX_ENVIRONMENT:
            return 0
        given = max(0, min(wanted, MAX_PROCESSES - self.processes))
        self.processes += given
        if given < wanted and not self.too_many:
            self.too_many = True
            self.fail(
                self.path,
                line,
                f"{kind} starts more than {MAX_PROCESSES} {what}; only the first "
                f"{MAX_PROCESSES} are read",
            )
        return given

    def more_env(self, line: int, size: int, kind: str, what: str = "processes") -> bool:
        """Whether a process (written at ``line``) whose environment holds ``size`` variables
        is read: each process has its own copy, MAX_ENVIRONMENT variables in all per file;
        past them, one warning and no more processes."""
        if self.environment > MAX_ENVIRONMENT:
            return False
        self.environment += size
        if self.environment <= MAX_ENVIRONMENT:
            return True
        if not self.too_many:
            self.too_many = True
            self.fail(
                self.path,
                line,
                f"{kind} gives its {what} more than {MAX_ENVIRONMENT} environment variables in "
                "all; this one and the rest are not read",
            )
        return False

    def by_basename(self, folder: str, name: str) -> str | None:
        """A file named ``name`` under ``folder`` (the least deep one)."""
        root = folder or "."
        if root not in self._index:
            index: dict[str, list[str]] = {}
            seen = 0
            for here, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                for f in sorted(files):
                    index.setdefault(f, []).append(os.path.join(here, f))
                    seen += 1
                if seen > MAX_INDEX_FILES:
                    break
            self._index[root] = index
        found = self._index[root].get(name)
        if not found:
            return None
        return _display(min(found, key=lambda p: (p.count(os.sep), p)))


def _display(path: str) -> str:
    path = os.path.normpath(path)
    return path[2:] if path.startswith("./") else path


def _folder_of(path: str) -> str:
    return os.path.dirname(path) or "."


def _is_shell_script(path: str) -> bool:
    if not isfile_within(path):
        return False
    if path.endswith((".sh", ".bash")):
        return True
    return _SHELL_SHEBANG.match(read_head(path)[:256]) is not None


# --- the shell ------------------------------------------------------------------------------------


@dataclass
class _Var:
    value: str | None
    why: str | None
    path: str
    pos: _Pos
    exported: bool
    block: tuple[int, ...]
    where: str = ""  # the block it was set in, for messages
    unset: bool = False
    declared: bool = False  # set by the launcher (ENV, environment:...): --env wins over it
    # an array's elements, in the order of their keys (``why`` set: the whole array unknown)
    array: list[_Elem] | None = None
    assoc: bool = False  # declare -A


@dataclass(slots=True)
class _Elem:
    """One element of an array, and the block it was set in."""

    word: _W
    key: int | str
    block: tuple[int, ...]
    where: str
    replaced: bool = False  # set over an element that was there (not appended)


_Assign = tuple[str, str | None, bool, _Tok]  # name, subscript, +=, the value's token


def _next_key(elems: list[_Elem]) -> int:
    """The index ``name+=(x)`` puts x at: after the largest."""
    for e in reversed(elems):
        if isinstance(e.key, int):
            return e.key + 1
    return 0


def _put(elems: list[_Elem], elem: _Elem, assoc: bool) -> str | None:
    """Sets ``elem`` in ``elems`` (in the order of their keys), over the element with its key;
    else why the array cannot be kept."""
    key = elem.key
    if len(elems) > MAX_WORDS:
        return _TOO_MANY
    if assoc:
        for number, e in enumerate(elems):
            if e.key == key:
                elems[number] = replace(elem, replaced=True)
                return None
        elems.append(elem)
        return None
    if not isinstance(key, int) or key < 0:
        return f"an element is set at the subscript {key}, which bash refuses"
    last = elems[-1].key if elems else -1
    if isinstance(last, int) and last < key:
        elems.append(elem)
        return None
    for number, e in enumerate(elems):
        if e.key == key:
            elems[number] = replace(elem, replaced=True)
            return None
        if isinstance(e.key, int) and e.key > key:
            elems.insert(number, elem)
            return None
    elems.append(elem)
    return None


_SH_WORD = _Syntax(dollar="sh", split=False)
_KEYED = re.compile(r"^\[([^\]\n]*)\]\+?=")  # ([key]=value ...)


def _sh_assign(tok: _Tok) -> _Assign | None:
    """``NAME=v``, ``NAME+=v``, ``NAME[i]=v``, ``NAME=( ... )``: (NAME, i, append, a token for
    the value); None when the word is not an assignment."""
    if tok.op or not tok.parts:
        return None
    first = tok.parts[0]
    if first.kind != "lit" or first.quoted:
        return None
    m = _SH_ASSIGN.match(first.text)
    if m is None:
        name = re.match(r"([A-Za-z_][A-Za-z0-9_]*)\[", first.text)
        if name is None:
            return None
        # a[$i]=v, a[${#a[@]}]=v: the subscript holds an expansion, read again from the text
        raw = tok.raw
        depth = 0
        k = name.end() - 1
        while k < len(raw):
            depth += {"[": 1, "]": -1}.get(raw[k], 0)
            if depth == 0:
                break
            k += 1
        append = raw.startswith("+=", k + 1)
        cut = k + 1 + append
        if k >= len(raw) or not raw.startswith("=", cut):
            return None
        sub = tok.src.sub(tok.start + cut + 1, tok.start + len(raw))
        got, _ = _lex(sub, _SH_WORD)
        value = got[0] if got else _Tok([], "", 0, sub)
        return name.group(1), raw[name.end() : k], append, value
    cut = m.end()
    rest = _Part("lit", first.text[cut:], False, first.pos[cut:])
    parts = ([rest] if rest.text else []) + tok.parts[1:]
    value = _Tok(parts, tok.raw[len(m.group(0)) :], tok.start + cut, tok.src)
    return m.group(1), m.group(2), bool(m.group(3)), value


_Namer = Callable[[_W], str]
_Resolver = Callable[[str, "_Shell"], str | None]


class _Shell(_Scope):
    """Runs a shell script (or one command) top to bottom, without running anything: it keeps
    variables, follows wrappers and scripts, and records the commands that start a server."""

    def __init__(
        self,
        ctx: _Ctx,
        *,
        namer: _Namer,
        folder: str,
        workdir: str | None = None,
        variables: dict[str, _Var] | None = None,
        positional: list[_W] | None = None,
        refs: list[str] | None = None,
        resolver: _Resolver | None = None,
        passthrough: bool = False,
        unset: Callable[[str], _Value] | None = None,
        depth: int = 0,
        chain: tuple[str, ...] = (),
    ) -> None:
        self.ctx = ctx
        self.namer = namer
        self.folder = folder
        self.workdir = workdir
        # read_launches(base_env=...): the environment the launcher runs in, beneath its own
        base = {k: _env_var(v) for k, v in ctx.base_env.items()} if depth == 0 else {}
        self.vars: dict[str, _Var] = {**base, **(variables or {})}
        self.positional = positional
        self.refs = list(refs or [])
        self.resolver = resolver
        self.passthrough = passthrough
        self._unset = unset
        self.depth = depth
        self.chain = chain
        self.allexport = False
        self.frames: list[tuple[str, int | None, int]] = []  # (kind, id or None, line)
        self.counter = 0
        self.pattern = False  # reading a case pattern
        self.function_next = False
        self.pipe: _Flow | None = None  # what the command before a | writes
        self.cwd_why: str | None = None  # why the working folder is not known (cd "$X")

    # -- scope -----------------------------------------------------------------------------------

    def _block(self) -> tuple[int, ...]:
        return tuple(f[1] for f in self.frames if f[1] is not None)

    def look(self, name: str) -> _Value | None:
        var = self.vars.get(name)
        if var is None:
            if name in self.ctx.cli_env:
                return self.ctx.cli_env[name], None
            return None
        here = self._block()
        if var.block != here[: len(var.block)]:
            return None, (f"${name} is set only inside {var.where}")
        if var.unset:
            return None
        if var.declared and name in self.ctx.cli_env:
            return self.ctx.cli_env[name], None
        if var.array is not None:  # $name is ${name[0]}
            return self._items(name, var).get("0" if var.assoc else 0)
        return var.value, var.why

    def items(self, name: str) -> _Items | None:
        var = self.vars.get(name)
        if var is None or var.unset or var.array is None:
            return None
        return self._items(name, var)

    def _items(self, name: str, var: _Var) -> _Items:
        here = self._block()
        if var.block != here[: len(var.block)]:
            why = f"${name} is set only inside {var.where}"
            return _Items(why=why, assoc=var.assoc)
        if var.why is not None:
            return _Items(why=var.why, assoc=var.assoc)
        out = _Items(assoc=var.assoc)
        hidden = ""  # the block of the elements just made one unknown word
        for e in var.array or []:
            if e.block == here[: len(e.block)]:
                out.words.append(e.word)
                out.keys.append(e.key)
                hidden = ""
                continue
            known_place = e.replaced or var.assoc
            if not known_place and hidden == e.where:
                continue
            what = "an element set" if known_place else "elements appended"
            why = f"${name} has {what} inside {e.where}"
            w = e.word
            out.words.append(_W(None, w.raw, w.path, w.pos, unknown=why, tag=w.tag, alt=w.alt))
            out.keys.append(e.key if known_place else None)
            hidden = "" if known_place else e.where
        return out

    def unset(self, name: str) -> _Value:
        if self._unset is not None:
            return self._unset(name)
        return None, f"${name} is not set where the command runs (give it with --env {name}=VALUE)"

    def assign(self, name: str, value: str, tok: _Tok) -> None:
        self._set(name, (value, None), tok, export=None)

    def _where(self) -> str:
        for kind, ident, line in reversed(self.frames):
            if ident is not None:
                return f"{_BLOCK_NAMES.get(kind, kind)} (line {line})"
        return ""

    def _set(self, name: str, value: _Value, tok: _Tok, *, export: bool | None) -> None:
        old = self.vars.get(name)
        exported = bool(export) or self.allexport or (old is not None and old.exported)
        self.vars[name] = _Var(
            value[0], value[1], tok.src.path, tok.pos, exported, self._block(), self._where()
        )

    def _assign(self, got: _Assign, tok: _Tok, *, export: bool | None) -> None:
        name, index, append, value_tok = got
        if tok.array is not None:
            self._assign_array(name, tok, append=append, assoc=False, export=export)
        elif index is not None:
            self._assign_element(name, index, value_tok, tok, append=append)
        else:
            self._set(name, self._value(name, value_tok, append), tok, export=export)

    def _value(self, name: str, value_tok: _Tok, append: bool) -> _Value:
        """The value of ``name=...`` (``name+=...``: appended to what it holds)."""
        value = _expand_one(value_tok, self)
        if not append:
            return value
        cur = self.look(name)
        if cur is None or value[0] is None:
            return value
        if cur[0] is None:
            return cur
        if len(cur[0]) + len(value[0]) > MAX_VALUE:
            return None, _TOO_LONG
        return cur[0] + value[0], None

    def _array_base(self, name: str, append: bool) -> tuple[list[_Elem], _Var | None, str | None]:
        """What ``name+=( ... )`` or ``name[i]=`` adds to: its elements, the variable (None: a
        new array) and why the whole array is unknown."""
        old = self.vars.get(name)
        if old is None or old.unset:
            return [], None, None
        here = self._block()
        if old.block != here[: len(old.block)]:
            if not append and old.array is None:
                return [], None, None
            why = f"${name} is set only inside {old.where}"
            return [], old, why
        if old.array is not None:
            return list(old.array), old, old.why
        if not append:
            return [], None, None
        w = _W(old.value, old.value or "", old.path, old.pos, unknown=old.why)
        return [_Elem(w, 0, old.block, old.where)], old, None

    def _assign_array(
        self, name: str, tok: _Tok, *, append: bool, assoc: bool, export: bool | None
    ) -> None:
        """``name=( ... )``, ``name+=( ... )``: the words expanded where the list is written,
        each element keeping its own place."""
        elems, old, why = self._array_base(name, append)
        if not append:
            elems, why = [], None
        assoc = assoc or (old is not None and old.array is not None and old.assoc)
        block, where = self._block(), self._where()
        for element in tok.array or []:
            if why is not None:
                break
            keyed = _KEYED.match(element.raw)
            if keyed is not None:
                key, key_why = _subscript_key(keyed.group(1), self, assoc=assoc)
                sub = element.src.sub(element.start + keyed.end(), element.start + len(element.raw))
                got, _ = _lex(sub, _SH_WORD)
                value, value_why = _expand_one(got[0], self) if got else ("", None)
                w = _W(
                    value, element.raw, element.src.path, element.pos, (), value_why,
                    element.src.tag, dict(element.src.alt),
                )  # fmt: skip
                if key is None:
                    why = (
                        f"an element of ${name} is set at a subscript gwlint cannot know: {key_why}"
                    )
                    break
                why = _put(elems, _Elem(w, key, block, where), assoc)
                continue
            if assoc:
                why = f"${name} is an associative array whose list is not [key]=value pairs"
                break
            for w in _expand(element, self):
                why = why or _put(elems, _Elem(w, _next_key(elems), block, where), assoc)
        if why is None and len(elems) > MAX_WORDS:
            why = _TOO_MANY
        if why is None and sum(len(e.word.text or "") for e in elems) > MAX_VALUE:
            why = _TOO_LONG
        keep = append and old is not None and why is None
        self.vars[name] = _Var(
            None,
            why,
            old.path if keep and old else tok.src.path,
            old.pos if keep and old else tok.pos,
            bool(export) or self.allexport or (old is not None and old.exported),
            old.block if keep and old else block,
            old.where if keep and old else where,
            array=[] if why else elems,
            assoc=assoc,
        )

    def _unset_element(self, name: str, index: str, w: _W) -> None:
        """``unset 'name[i]'``."""
        var = self.vars.get(name)
        if var is None or var.array is None or var.why is not None:
            return
        key, why = _subscript_key(index, self, assoc=var.assoc)
        if key is not None and var.block == self._block():
            if isinstance(key, int) and key < 0:
                key += _next_key(var.array)
            self.vars[name] = replace(var, array=[e for e in var.array if e.key != key])
            return
        why = why or f"it is unset inside {self._where()}"
        self.vars[name] = replace(
            var, why=f"an element of ${name} is unset, and gwlint cannot tell which: {why}"
        )

    def _assign_element(
        self, name: str, index: str, value_tok: _Tok, tok: _Tok, *, append: bool
    ) -> None:
        """``name[i]=value``."""
        elems, old, why = self._array_base(name, True)
        assoc = old is not None and old.array is not None and old.assoc
        key, key_why = _subscript_key(index, self, assoc=assoc)
        value, value_why = _expand_one(value_tok, self)
        if why is None and key is None:
            why = f"an element of ${name} is set at a subscript gwlint cannot know: {key_why}"
        if why is None and key is not None:
            if isinstance(key, int) and key < 0:
                key += _next_key(elems)
            if append:
                prior = _Items([e.word for e in elems], [e.key for e in elems]).get(key)
                if prior is not None and (prior[0] is None or value is None):
                    value, value_why = None, prior[1] if prior[0] is None else value_why
                elif prior is not None and value is not None:
                    value = (prior[0] or "") + value
            w = _W(value, tok.raw, tok.src.path, tok.pos, (), value_why, tok.src.tag)
            why = _put(elems, _Elem(w, key, self._block(), self._where()), assoc)
        self.vars[name] = _Var(
            None,
            why,
            old.path if old else tok.src.path,
            old.pos if old else tok.pos,
            self.allexport or (old is not None and old.exported),
            old.block if old and why is None else self._block(),
            old.where if old and why is None else self._where(),
            array=[] if why else elems,
            assoc=assoc,
        )

    def exported(self) -> dict[str, _Var]:
        """The variables the commands this shell starts see (a value set inside a block that
        has ended is unknown)."""
        out: dict[str, _Var] = {}
        here = self._block()
        for name, var in self.vars.items():
            if not var.exported or var.unset or var.array is not None:
                continue  # bash exports no array
            if var.block != here[: len(var.block)]:
                why = f"it is set inside {var.where}, and gwlint does not follow the control flow"
                var = replace(var, value=None, why=why)
            out[name] = var
        return out

    # -- blocks ----------------------------------------------------------------------------------

    def _push(self, kind: str, tok: _Tok, transparent: bool = False) -> None:
        self.counter += 1
        self.frames.append((kind, None if transparent else self.counter, tok.pos[0]))

    def _branch(self) -> None:
        if self.frames:
            kind, ident, line = self.frames[-1]
            if ident is not None:
                self.counter += 1
                self.frames[-1] = (kind, self.counter, line)

    def _pop(self) -> None:
        if self.frames:
            self.frames.pop()

    # -- running ---------------------------------------------------------------------------------

    def run(self, tokens: list[_Tok]) -> None:
        cmd: list[_Tok] = []
        redirs: list[_Redir] = []  # the command's redirections (operator, target)
        skip = False
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            i += 1
            if self.pattern:
                if tok.op == ")":
                    self.pattern = False
                    self._branch()
                elif _literal(tok) == "esac":
                    self.pattern = False
                    self._pop()
                continue
            if skip:
                skip = False
                if not tok.op:
                    redirs[-1] = (redirs[-1][0], tok)
                    continue
            if (
                not redirs
                and tok.raw in _IDIOM_STARTS
                and _literal(tok) in _IDIOM_STARTS
                and all(_literal(c) in _OPENERS for c in cmd)
            ):
                after = self._default_idiom(tokens, i - 1)
                if after is not None:  # if [ -z "$X" ]; then X=v; fi: X=${X:-v}
                    if cmd:
                        self._flush(cmd, "")  # then, do, else, { before it
                        cmd = []
                    i = after
                    continue
            if tok.op in _REDIRS:
                skip = True
                redirs.append((tok, None))
                continue
            if tok.op == "(":
                if cmd and i < len(tokens) and tokens[i].op == ")":
                    i += 1  # name() { ...; }: a function
                    cmd = []
                    redirs = []
                    self.function_next = True
                elif not cmd:
                    self._push("subshell", tok)
                continue
            if tok.op == ")":
                was_case = bool(cmd) and _literal(cmd[0]) == "case"
                self._flush(cmd, ")", redirs)
                cmd = []
                redirs = []
                if not was_case:
                    self._pop()
                continue
            if tok.op:
                self._flush(cmd, tok.op, redirs)
                cmd = []
                redirs = []
                if tok.op in (";;", ";&", ";;&"):
                    self.pattern = True
                continue
            cmd.append(tok)
        self._flush(cmd, "", redirs)

    def _flush(self, cmd: list[_Tok], term: str, redirs: list[_Redir] | None = None) -> None:
        upstream, self.pipe = self.pipe, None
        redirs = redirs or []
        while cmd:
            word = _literal(cmd[0])
            if word in _KEYWORDS:
                upstream = None  # a pipe into a compound command
            if word in ("if", "while", "until"):
                self._push(word, cmd[0])
            elif word in ("then", "do", "else", "elif"):
                self._branch()
            elif word in ("fi", "done", "esac", "}"):
                self._pop()
            elif word == "{":
                self._push("function", cmd[0], transparent=not self.function_next)
                self.function_next = False
            elif word in ("!", "time"):
                pass
            elif word in ("for", "select"):
                self._push("for", cmd[0])
                return
            elif word == "case":
                self._push("case", cmd[0])
                if len(cmd) > 3 and term == ")":
                    self._branch()
                else:
                    self.pattern = True
                return
            elif word == "function":
                self.function_next = True
                return
            else:
                break
            cmd = cmd[1:]
        if cmd:
            self.ctx.spot = (cmd[0].src.path, cmd[0].pos[0])
            self._simple(cmd, redirs, upstream, term)
        elif redirs:
            self._effects([], redirs, upstream, term, redirs[0][0])

    def _simple(
        self,
        cmd: list[_Tok],
        redirs: list[_Redir] | None = None,
        upstream: _Flow | None = None,
        term: str = "",
    ) -> None:
        redirs = redirs or []
        assigns: list[tuple[_Assign, _Tok]] = []
        k = 0
        while k < len(cmd):
            got = _sh_assign(cmd[k])
            if got is None:
                break
            assigns.append((got, cmd[k]))
            k += 1
        rest = cmd[k:]
        if not rest:
            for got, tok in assigns:
                self._assign(got, tok, export=None)
            self._effects([], redirs, upstream, term, cmd[0])
            return
        first = _literal(rest[0])
        if first in ("export", "readonly", "declare", "typeset", "local"):
            self._declare(first, rest[1:])
            self._effects([], redirs, upstream, term, rest[0])
            return
        local: dict[str, _Var] = {}
        for (name, index, append, value_tok), tok in assigns:
            if tok.array is not None or index is not None:
                continue  # an array is not passed to a command
            value, why = self._value(name, value_tok, append)
            local[name] = _Var(value, why, tok.src.path, tok.pos, True, ())
        words: list[_W] = []
        for tok in rest:
            words.extend(_expand(tok, self))
        self._effects(words, redirs, upstream, term, rest[0])
        self.command(words, local)

    def _declare(self, verb: str, args: list[_Tok]) -> None:
        export = verb == "export"
        array = False  # -a, -A
        assoc = False
        for tok in args:
            flag = _literal(tok)
            if flag is not None and flag.startswith("-"):
                export = export or ("x" in flag and verb != "export")
                if verb == "export" and "n" in flag:
                    export = False
                if verb != "export":
                    array = array or "a" in flag or "A" in flag
                    assoc = assoc or "A" in flag
                continue
            got = _sh_assign(tok)
            if got is not None:
                if tok.array is not None:
                    self._assign_array(got[0], tok, append=got[2], assoc=assoc, export=export)
                else:
                    self._assign(got, tok, export=export)
                continue
            for w in _expand(tok, self):
                name = w.text or ""
                var = self.vars.get(name)
                if var is not None and export:
                    var.exported = True
                elif array and var is None and _NAME.fullmatch(name):
                    self.vars[name] = _Var(
                        None, None, w.path, w.pos, False, self._block(), self._where(),
                        array=[], assoc=assoc,
                    )  # fmt: skip
                elif export and _NAME.fullmatch(name) and name in self.ctx.cli_env:
                    pass  # exported from the environment gwlint was given

    # -- "default if empty" ----------------------------------------------------------------------

    def _default_idiom(self, tokens: list[_Tok], start: int) -> int | None:
        """``if [ -z "$X" ]; then X=v; fi``, ``[ -z "$X" ] && X=v``, ``[ -n "$X" ] || X=v``
        (``export X=v`` too, and echo/printf lines in the ``if``), read as ``X=${X:-v}``:
        the index of the separator after it, or None when the tokens are not that idiom."""
        if _literal(tokens[start]) == "if":
            end = _next_op(tokens, start + 1)
            if end >= len(tokens) or tokens[end].op not in (";", "\n"):
                return None
            test = _empty_test(tokens[start + 1 : end])
            if test is None or not test[1]:
                return None
            k = end
            while k < len(tokens) and tokens[k].op in (";", "\n"):
                k += 1
            if k >= len(tokens) or _literal(tokens[k]) != "then":
                return None
            k += 1
            name = test[0]
            body: list[tuple[_Tok, _Tok]] = []  # (assignment, the command's first word)
            exported = False
            while True:
                end = _next_op(tokens, k)
                cmd, redirs = _split_redirs(tokens[k:end])
                if cmd is None:
                    return None
                if cmd and _literal(cmd[0]) == "fi":
                    if len(cmd) > 1 or redirs:
                        return None
                    break
                if end >= len(tokens) or tokens[end].op not in (";", "\n"):
                    return None
                if cmd:
                    got = _default_command(cmd, redirs, name)
                    if got is None:
                        return None
                    body.extend((tok, cmd[0]) for tok in got[0])
                    exported = exported or got[1]
                k = end + 1
            after = k + 1
            if after < len(tokens) and tokens[after].op not in (";", "\n"):
                return None
        else:
            end = _next_op(tokens, start)
            if end >= len(tokens) or tokens[end].op not in ("&&", "||"):
                return None
            test = _empty_test(tokens[start:end])
            if test is None or test[1] != (tokens[end].op == "&&"):
                return None
            name = test[0]
            after = _next_op(tokens, end + 1)
            if after < len(tokens) and tokens[after].op not in (";", "\n"):
                return None
            cmd = tokens[end + 1 : after]
            got = _default_command(cmd, [], name) if cmd else None
            if got is None:
                return None
            body = [(tok, cmd[0]) for tok in got[0]]
            exported = got[1]
        if not body:
            return None
        last = body[-1][0]
        assigned = _sh_assign(last)
        cur = self.look(name)
        if cur is not None and cur[0] != "":
            if exported or name not in self.vars:
                self._set(name, cur, last, export=exported or None)
            return after
        assert assigned is not None
        self._set(name, _expand_one(assigned[3], self), last, export=exported or None)
        return after

    # -- what the script writes ------------------------------------------------------------------

    def _effects(
        self,
        words: list[_W],
        redirs: list[_Redir],
        upstream: _Flow | None,
        term: str,
        at: _Tok,
    ) -> None:
        """Records the files one command writes (its redirections, cp, envsubst...); what it
        writes to a pipe is kept for the next command."""
        piped = term in ("|", "|&")
        if not redirs and not piped:
            first = words[0].text if words else None
            if first is None or first.rsplit("/", 1)[-1] not in _EFFECT_COMMANDS:
                return  # writes no file
        if len(self.ctx.effects) >= MAX_EFFECTS:
            return
        path, pos = at.src.path, at.pos
        rec = _Recorder(self, path, pos)
        stdin = upstream
        outputs: list[tuple[_Value, _Pos]] = []
        heredoc = False
        for op_tok, target in redirs:
            op = op_tok.op
            if op in ("<<", "<<-", "<<<"):
                heredoc = heredoc or op != "<<<"
                continue
            if target is None or op == "<>":
                continue
            value = _expand_one(target, self)
            if op in (">&", "<&") and (value[0] is None or value[0].isdigit() or value[0] == "-"):
                if op == ">&" and value[0] is None and not _FD.fullmatch(target.raw):
                    outputs.append((value, target.pos))
                continue  # 2>&1: a file descriptor
            if op in ("<", "<&"):
                stdin = _Flow("copy", "redirect", value[0], value[1])
                continue
            outputs.append((value, target.pos))
        core = rec.unwrap(words)
        flow = rec.command(core, stdin, heredoc) if core else None
        for value, where in outputs:
            out = flow or _Flow("write", "redirect")
            source = None if out.kind == "write" else (out.source, out.source_why)
            rec.add(out.kind, value, source, where, out.tool, out.variables)
        if piped:
            self.pipe = flow or _Flow("write", "redirect")

    # -- builtins and wrappers -------------------------------------------------------------------

    def _builtin(self, words: list[_W]) -> bool:
        """cd, set, shift, unset, read, source: True when ``words`` was one."""
        name = words[0].text
        args = words[1:]
        if name == "cd":
            target = args[0].text if args else None
            if target is None or target == "-":
                self.cwd_why = (
                    args[0].unknown if args and target is None else None
                ) or "it is relative to a folder cd goes to, which gwlint does not know"
                return True
            if target.startswith("/"):
                self.workdir = target
                self.cwd_why = None
            elif self.workdir:
                self.workdir = os.path.normpath(os.path.join(self.workdir, target))
            here = os.path.join(self.folder, target)
            if not target.startswith("/") and os.path.isdir(here):
                self.folder = _display(here)
            return True
        if name == "set":
            for i, w in enumerate(args):
                t = w.text or ""
                if t == "--":
                    self.positional = args[i + 1 :]
                    break
                if t in ("-a", "-o") and (t == "-a" or _text(args, i + 1) == "allexport"):
                    self.allexport = True
                elif t in ("+a",) or (t == "+o" and _text(args, i + 1) == "allexport"):
                    self.allexport = False
                elif "a" in t and re.fullmatch(r"-[a-zA-Z]*", t):  # -ea (one run of letters)
                    self.allexport = True
            return True
        if name == "shift":
            count_text = args[0].text if args else None
            count = decimal(count_text or "")
            count = 1 if count is None else count
            if self.positional is not None:
                self.positional = self.positional[count:]
            return True
        if name == "unset":
            for w in args:
                if w.text and _NAME.fullmatch(w.text):
                    self.vars[w.text] = _Var(
                        None, None, w.path, w.pos, False, self._block(), self._where(), unset=True
                    )
                elif w.text and (m := re.fullmatch(r"([A-Za-z_]\w*)\[(.*)\]", w.text)):
                    self._unset_element(m.group(1), m.group(2), w)
            return True
        if name in ("mapfile", "readarray"):
            names = [w.text for w in args if w.text and _NAME.fullmatch(w.text)]
            last = args[-1] if args and args[-1].text in names else None
            self.vars[last.text if last and last.text else "MAPFILE"] = _Var(
                None,
                "its elements are read from input while the script runs",
                (last or words[0]).path,
                (last or words[0]).pos,
                False,
                self._block(),
                self._where(),
                array=[],
            )
            return True
        if name == "read":
            for w in args:
                if w.text and _NAME.fullmatch(w.text):
                    self.vars[w.text] = _Var(
                        None,
                        "it is read from input while the script runs",
                        w.path,
                        w.pos,
                        False,
                        self._block(),
                        self._where(),
                    )
            return True
        if name in ("source", "."):
            if args and args[0].text:
                self._source(args[0])
            return True
        return False

    def _source(self, w: _W) -> None:
        assert w.text is not None
        found = self._find_script(w.text, shell_only=False)
        if found is None or self.depth >= MAX_DEPTH or os.path.realpath(found) in self.chain:
            return
        if not self.ctx.another_run(w):
            return
        text = _read(found, self.ctx.problems, kind="sourced shell", by=self.ctx.path)
        if text is None:
            return
        tokens, error = _lex(_file_src(found, text), _SH)
        if error is not None:
            return
        self.refs.append(found)
        saved = self.chain
        self.chain = (*self.chain, os.path.realpath(found))
        self.depth += 1
        try:
            self.run(tokens)
        finally:
            self.depth -= 1
            self.chain = saved

    def command(self, words: list[_W], local: dict[str, _Var]) -> None:
        """One simple command, expanded: find the server behind the wrappers."""
        if not words:
            return
        if not local and self._builtin(words):
            return
        env_add = dict(local)
        clear = False
        stop_scripts = False
        i = 0
        while i < len(words):
            w = words[i]
            t = w.text
            if t is None:
                return
            base = t.rsplit("/", 1)[-1]
            program = _program(base)
            if program is not None:
                self._emit(program, words, i, i + 1, env_add, clear)
                return
            if base == "env":
                i, clear = self._env_wrapper(words, i + 1, env_add, clear)
                continue
            if base == "command":
                if _text(words, i + 1) in ("-v", "-V"):
                    return
                i += 1
                continue
            if base in _SIMPLE_WRAPPERS:
                i = _skip(words, i, _SIMPLE_WRAPPERS[base])
                if i < 0:
                    return
                continue
            if _PYTHON.match(base):
                self._python(words, i, env_add, clear)
                return
            if base in _SHELLS or (base == "busybox" and _text(words, i + 1) in _SHELLS):
                self._shell(words, i + (1 if base == "busybox" else 0), env_add)
                return
            if base in ("su", "runuser"):
                if not self._su(words, i, env_add):
                    j = _skip(words, i, _Spec(0, frozenset({"-u", "-g", "-G", "-s", "--user"})))
                    if j < 0 or base == "su":
                        return
                    i = j
                    continue
                return
            if not stop_scripts and self._follow(w, words[i + 1 :], env_add):
                return
            if self.passthrough and _SCRIPTISH.search(base) and i + 1 < len(words):
                stop_scripts = True  # docker-entrypoint.sh not in the repository: it runs "$@"
                i += 1
                continue
            return

    def _env_wrapper(
        self, words: list[_W], i: int, env_add: dict[str, _Var], clear: bool
    ) -> tuple[int, bool]:
        while i < len(words):
            t = words[i].text
            if t is None:
                return len(words), clear
            if t in ("-i", "--ignore-environment", "-"):
                clear = True
                env_add.clear()
            elif t in ("-u", "--unset", "-C", "--chdir"):
                if t in ("-C", "--chdir") and _text(words, i + 1):
                    self.workdir = _text(words, i + 1)
                i += 1
            elif t in ("-S", "--split-string") or t.startswith("--split-string="):
                return len(words), clear  # a string to split again: not followed
            elif t == "--":
                i += 1
                continue
            elif t.startswith("-"):
                pass
            else:
                m = _ASSIGN.match(t)
                if m is None:
                    break
                w = words[i]
                env_add[m.group(1)] = _Var(t[m.end() :], None, w.path, w.pos, True, ())
            i += 1
        return i, clear

    def _python(self, words: list[_W], i: int, env_add: dict[str, _Var], clear: bool) -> None:
        j = i + 1
        while j < len(words):
            t = words[j].text
            if t is None:
                return
            if t == "-m" or (t.startswith("-m") and len(t) > 2):
                module = t[2:] if len(t) > 2 else _text(words, j + 1)
                mod_index = j if len(t) > 2 else j + 1
                program = _PY_MODULES.get(module or "")
                if program is not None:
                    self._emit(program, words, mod_index, mod_index + 1, env_add, clear)
                return
            if t in ("-c", "-"):
                return
            if t in ("-W", "-X", "--check-hash-based-pycs"):
                j += 2
                continue
            if t.startswith("-"):
                j += 1
                continue
            program = _program(t.rsplit("/", 1)[-1])
            if program is not None:  # python /venv/bin/gunicorn app:app
                self._emit(program, words, j, j + 1, env_add, clear)
            return

    def _shell(self, words: list[_W], i: int, env_add: dict[str, _Var]) -> None:
        j = i + 1
        string = False
        while j < len(words):
            t = words[j].text
            if t is None:
                break  # the string (partly unknown) or the script
            if t == "--":
                j += 1
                break
            if t in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
                j += 2
                continue
            if t.startswith(("-", "+")) and len(t) > 1:
                if not t.startswith("--") and "c" in t[1:]:
                    string = True
                j += 1
                continue
            break
        if j >= len(words):
            return
        if string:
            rest = words[j + 1 :]
            self._run_string(words[j], rest[1:], env_add)
        else:
            self._follow(words[j], words[j + 1 :], env_add, force=True)

    def _su(self, words: list[_W], i: int, env_add: dict[str, _Var]) -> bool:
        """``su app -c "gunicorn ..."``: True when it had a command string."""
        for j in range(i + 1, len(words)):
            t = words[j].text
            if t in ("-c", "--command") and j + 1 < len(words):
                self._run_string(words[j + 1], [], env_add)
                return True
            if t and t.startswith("--command="):
                return True  # rare enough: not followed
        return False

    def child(
        self,
        *,
        positional: list[_W] | None,
        env_add: dict[str, _Var],
        namer: _Namer | None = None,
        chain: tuple[str, ...] | None = None,
        refs: list[str] | None = None,
    ) -> _Shell:
        inherited = {**self.exported(), **env_add}
        shell = _Shell(
            self.ctx,
            namer=namer or self.namer,
            folder=self.folder,
            workdir=self.workdir,
            variables={k: replace(v, block=()) for k, v in inherited.items()},
            positional=positional,
            refs=refs if refs is not None else self.refs,
            resolver=self.resolver,
            passthrough=self.passthrough,
            unset=self._unset,
            depth=self.depth + 1,
            chain=self.chain if chain is None else chain,
        )
        shell.cwd_why = self.cwd_why
        return shell

    def _run_string(self, w: _W, positional: list[_W], env_add: dict[str, _Var]) -> None:
        """``sh -c "..."``: the string is read as a script, where it is written."""
        text = w.text if w.text is not None else w.template
        if text is None or self.depth >= MAX_DEPTH or not self.ctx.another_run(w):
            return
        chars = w.chars if len(w.chars) == len(text) else (w.pos,) * len(text)
        src = _Src(text, w.path, chars=chars, tag=w.tag, alt=tuple(w.alt.items()))
        tokens, error = _lex(src, _SH)
        if error is not None:
            _report_unterminated(self.ctx, src, error, "sh -c string")
            tokens = _before_error(tokens)
        self.child(positional=positional, env_add=env_add).run(tokens)

    def _find_script(self, name: str, *, shell_only: bool = True) -> str | None:
        found = self.resolver(name, self) if self.resolver else _default_resolver(name, self)
        if found is None:
            return None
        if shell_only and not _is_shell_script(found):
            return None
        return found

    def _follow(
        self, w: _W, args: list[_W], env_add: dict[str, _Var], *, force: bool = False
    ) -> bool:
        """A script of the repository run with ``args``: read it. True when it was read."""
        if w.text is None or self.depth >= MAX_DEPTH:
            return False
        scriptish = "/" in w.text or w.text.endswith((".sh", ".bash"))
        if not force and not scriptish and not self.resolver:
            return False  # a plain name is looked up in PATH, not in the repository
        found = self._find_script(w.text, shell_only=not force)
        if found is None or os.path.realpath(found) in self.chain:
            return False
        if not self.ctx.another_run(w):
            return True  # reported: not followed
        text = _read(found, self.ctx.problems, kind="shell script", by=self.ctx.path)
        if text is None:
            return False
        # the script's words stand, in the files that run it, where it is named
        src = replace(_file_src(found, text), alt=tuple({**w.alt, w.path: w.pos}.items()))
        tokens, error = _lex(src, _SH)
        if error is not None:
            _report_unterminated(self.ctx, src, error, "shell script")
            tokens = _before_error(tokens)
        label = f"{self.namer(w)} -> {os.path.basename(found)}"
        shell = self.child(
            positional=list(args),
            env_add=env_add,
            namer=lambda _w: label,
            chain=(*self.chain, os.path.realpath(found)),
            refs=[*self.refs, found],
        )
        shell.run(tokens)
        return True

    # -- a server start --------------------------------------------------------------------------

    def _emit(
        self,
        program: Program,
        words: list[_W],
        at: int,
        args_from: int,
        env_add: dict[str, _Var],
        clear: bool,
    ) -> None:
        args = words[args_from:]
        first_arg = args[0].text if args else None
        texts = {w.text for w in args}
        if texts & _NOT_A_START or first_arg in _SHORT_NOT_A_START[program]:
            return
        prog = words[at]
        path = prog.path

        def place(w: _W) -> _Pos:
            if w.path == path:
                return w.pos
            return w.alt.get(path, prog.pos)

        env_vars = {**({} if clear else self.exported()), **env_add}
        env = {
            name: _placeholder_free(
                EnvValue(
                    value=var.value,
                    path=var.path,
                    line=var.pos[0],
                    column=var.pos[1],
                    unknown=var.why if var.value is None else None,
                )
            )
            for name, var in env_vars.items()
        }
        refs = [
            r for r in dict.fromkeys(self.refs) if os.path.realpath(r) != os.path.realpath(path)
        ]
        # where the command starts, as this file sees it: the program's name when this file
        # writes it (compose's command:, run through an entrypoint's "$@"), else where the
        # file runs the script that starts it
        start = prog if prog.path == path else words[0]
        launch = Launch(
            path=path,
            line=place(start)[0],
            program=program,
            args=tuple(
                Word(
                    text=None if _PLACEHOLDER in (w.text or "") else w.text,
                    raw=w.raw,
                    line=place(w)[0],
                    column=place(w)[1],
                    unknown=_PLACEHOLDER_WHY if _PLACEHOLDER in (w.text or "") else w.unknown,
                )
                for w in args
            ),
            label=self.namer(prog),
            env=env,
            workdir=self.workdir,
            folder=self.folder,
            referenced=tuple(refs),
        )
        self.ctx.launches.append(launch)


_BLOCK_NAMES = {
    "if": "an if block",
    "while": "a while loop",
    "until": "an until loop",
    "for": "a for loop",
    "case": "a case branch",
    "function": "a function",
    "subshell": "a subshell ( ... )",
}


def _text(words: list[_W], i: int) -> str | None:
    return words[i].text if 0 <= i < len(words) else None


def _program(base: str) -> Program | None:
    m = _PROGRAM.match(base)
    if m is None:
        return None
    name = next(g for g in m.groups() if g)
    if name in ("gunicorn", "uvicorn", "daphne", "granian", "hypercorn"):
        return cast(Program, name)
    return "uwsgi"


@dataclass(frozen=True, slots=True)
class _Spec:
    """A wrapper: ``sub`` words after its name (``run``), then options (those in ``value`` take
    the next word), then ``positional`` words (a user, a duration), then maybe ``--``."""

    positional: int = 0
    value: frozenset[str] = frozenset()
    sub: tuple[str, ...] = ()
    all_values: bool = False  # every --option takes a value (opentelemetry-instrument)
    dashdash: bool = False  # the command is after "--" (watchmedo, doppler)


def _skip(words: list[_W], i: int, spec: _Spec) -> int:
    """The index after a wrapper and its options; -1 when it is not one that runs a command."""
    j = i + 1
    for sub in spec.sub:
        if _text(words, j) != sub:
            return -1
        j += 1
    if spec.dashdash:
        for k in range(j, len(words)):
            if words[k].text == "--":
                return k + 1
    while j < len(words):
        t = words[j].text
        if t is None:
            return -1
        if t == "--":
            return j + 1
        if not t.startswith("-") or t == "-":
            break
        if (t in spec.value or (spec.all_values and t.startswith("--"))) and "=" not in t:
            j += 2
        else:
            j += 1
    j += spec.positional
    if j < len(words) and words[j].text == "--":
        j += 1
    return j if j < len(words) else -1


_SIMPLE_WRAPPERS: dict[str, _Spec] = {
    "exec": _Spec(value=frozenset({"-a"})),
    "nohup": _Spec(),
    "builtin": _Spec(),
    "time": _Spec(),
    "nice": _Spec(value=frozenset({"-n", "--adjustment"})),
    "ionice": _Spec(value=frozenset({"-c", "-n", "-t", "--class", "--classdata"})),
    "authbind": _Spec(value=frozenset({"--depth"})),
    "timeout": _Spec(1, frozenset({"-s", "--signal", "-k", "--kill-after"})),
    "stdbuf": _Spec(value=frozenset({"-i", "-o", "-e"})),
    "dumb-init": _Spec(value=frozenset({"-r", "--rewrite"})),
    "tini": _Spec(value=frozenset({"-p", "-e"})),
    "tini-static": _Spec(value=frozenset({"-p", "-e"})),
    "catatonit": _Spec(),
    "gosu": _Spec(1),
    "su-exec": _Spec(1),
    "setuidgid": _Spec(1),
    "s6-setuidgid": _Spec(1),
    "s6-envdir": _Spec(1),
    "envdir": _Spec(1),
    "with-contenv": _Spec(),
    "chpst": _Spec(
        value=frozenset(
            {"-u", "-U", "-b", "-e", "-/", "-n", "-l", "-L", "-m", "-d", "-o", "-p", "-f", "-c"}
            | {"-r", "-t"}
        )
    ),
    "sudo": _Spec(
        value=frozenset({"-u", "-g", "-h", "-p", "-U", "-C", "-D", "-r", "-t", "-T"})
        | {"--user", "--group", "--host", "--prompt", "--chdir"}
    ),
    "poetry": _Spec(sub=("run",), value=frozenset({"-C", "--directory", "-P", "--project"})),
    "pipenv": _Spec(sub=("run",)),
    "pdm": _Spec(sub=("run",), value=frozenset({"-p", "--project", "--venv"})),
    "hatch": _Spec(sub=("run",)),
    "rye": _Spec(sub=("run",)),
    "pixi": _Spec(sub=("run",), value=frozenset({"-e", "--environment", "--manifest-path"})),
    "uv": _Spec(
        sub=("run",),
        value=frozenset(
            {"--with", "--with-requirements", "--with-editable", "--python", "-p", "--project"}
            | {"--directory", "--env-file", "--group", "--extra", "--package", "--index"}
            | {"--index-url", "--extra-index-url", "-w", "--only-group", "--no-group"}
        ),
    ),
    "conda": _Spec(sub=("run",), value=frozenset({"-n", "--name", "-p", "--prefix", "--cwd"})),
    "mamba": _Spec(sub=("run",), value=frozenset({"-n", "--name", "-p", "--prefix"})),
    "micromamba": _Spec(sub=("run",), value=frozenset({"-n", "--name", "-p", "--prefix"})),
    "ddtrace-run": _Spec(),
    "newrelic-admin": _Spec(sub=("run-program",)),
    "opentelemetry-instrument": _Spec(all_values=True),
    "doppler": _Spec(sub=("run",), dashdash=True),
    "infisical": _Spec(sub=("run",), dashdash=True),
    "dotenv": _Spec(sub=("run",), value=frozenset({"-f", "--file"})),
    "watchmedo": _Spec(sub=("auto-restart",), dashdash=True),
    "start-nginx": _Spec(),  # heroku-buildpack-nginx: starts nginx, then runs the command
    "start-nginx-solo": _Spec(),
    "start-nginx-debug": _Spec(),
    "start-pgbouncer": _Spec(),
    "start-pgbouncer-stunnel": _Spec(),
    "xvfb-run": _Spec(),
    "wait-for-it": _Spec(dashdash=True),  # wait-for-it.sh db:5432 -t 30 -- gunicorn ...
    "wait-for-it.sh": _Spec(dashdash=True),
    "wait-for": _Spec(dashdash=True),
    "wait-for.sh": _Spec(dashdash=True),
    "dockerize": _Spec(
        value=frozenset(
            {"-wait", "-template", "-timeout", "-stdout", "-stderr", "-wait-retry-interval"}
            | {"-delims", "-env", "-wait-http-header"}
        )
    ),
}


# --- what a script writes -------------------------------------------------------------------------

_Redir = tuple[_Tok, _Tok | None]  # a redirection: its operator, its target
_FD = re.compile(r"\d+|-")
_KEYWORDS = frozenset(
    {"if", "while", "until", "then", "do", "else", "elif", "fi", "done", "esac", "{", "}"}
    | {"!", "time", "for", "select", "case", "function"}
)
_IDIOM_STARTS = frozenset({"if", "[", "[[", "test"})
_OPENERS = frozenset({"then", "do", "else", "{"})  # what may stand before the idiom
_HARMLESS = frozenset({"1", "2", "/dev/stderr", "/dev/stdout", "/dev/null"})  # echo ... >&2
_ENVSUBST_NAME = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True, slots=True)
class _Flow:
    """What a command writes to its output (or reads): a file written there is a ``kind``
    effect by ``tool``, from ``source``."""

    kind: EffectKind
    tool: str
    source: str | None = None
    source_why: str | None = None
    variables: tuple[str, ...] | None = None


def _next_op(tokens: list[_Tok], k: int) -> int:
    """The index of the first operator at or after ``k`` that is not a redirection."""
    while k < len(tokens) and (not tokens[k].op or tokens[k].op in _REDIRS):
        k += 1
    return k


def _split_redirs(tokens: list[_Tok]) -> tuple[list[_Tok] | None, list[_Redir]]:
    """A command's words and its redirections; None when it holds another operator."""
    words: list[_Tok] = []
    redirs: list[_Redir] = []
    k = 0
    while k < len(tokens):
        tok = tokens[k]
        k += 1
        if tok.op in _REDIRS:
            target = tokens[k] if k < len(tokens) and not tokens[k].op else None
            k += target is not None
            redirs.append((tok, target))
        elif tok.op:
            return None, redirs
        else:
            words.append(tok)
    return words, redirs


def _param_only(tok: _Tok, *, quoted: bool) -> str | None:
    """The variable's name when the word is ``"$X"``, ``"${X}"``, ``"${X:-}"`` (``$X`` too
    unless ``quoted``)."""
    if len(tok.parts) != 1:
        return None
    part = tok.parts[0]
    if part.kind != "param" or not _NAME.fullmatch(part.text) or (quoted and not part.quoted):
        return None
    if part.index is not None or part.length:
        return None
    if part.op and (
        part.op not in (":-", "-")
        or _lit_text(part.arg or [])
        or any(p.kind != "lit" for p in part.arg or [])
    ):
        return None
    return part.text


def _is_empty_word(tok: _Tok) -> bool:
    return bool(tok.parts) and all(p.kind == "lit" and p.quoted and not p.text for p in tok.parts)


def _empty_test(words: list[_Tok]) -> tuple[str, bool] | None:
    """``[ -z "$X" ]`` and its kin: (X, True when the test holds for an empty X) or None."""
    if not words or any(w.op for w in words):
        return None
    first = _literal(words[0])
    if (first, _literal(words[-1])) in (("[", "]"), ("[[", "]]")):
        inner = words[1:-1]
    elif first == "test":
        inner = words[1:]
    else:
        return None
    loose = first == "[["  # no word splitting inside [[ ]]
    negate = bool(inner) and _literal(inner[0]) == "!"
    inner = inner[1:] if negate else inner
    name: str | None = None
    empty = False
    if len(inner) == 2 and _literal(inner[0]) in ("-z", "-n"):
        is_z = _literal(inner[0]) == "-z"
        name = _param_only(inner[1], quoted=not (loose or is_z))
        empty = is_z
    elif len(inner) == 3 and _literal(inner[1]) in ("=", "==", "!="):
        a, b = inner[0], inner[2]
        if _is_empty_word(b):
            name = _param_only(a, quoted=not loose)
        elif _is_empty_word(a):
            name = _param_only(b, quoted=not loose)
        empty = _literal(inner[1]) != "!="
    if name is None:
        return None
    return name, empty != negate


def _default_command(
    cmd: list[_Tok], redirs: list[_Redir], name: str
) -> tuple[list[_Tok], bool] | None:
    """A command the default idiom allows for ``name``: (its assignments of ``name``, whether
    it exports), or None."""
    first = _literal(cmd[0])
    if first in ("echo", "printf", ":"):
        if any(t is None or _literal(t) not in _HARMLESS for _op, t in redirs):
            return None
        return [], False
    if redirs:
        return None
    export = first == "export"
    out: list[_Tok] = []
    for tok in cmd[1:] if export else cmd:
        if export and _literal(tok) == name:
            continue
        got = _sh_assign(tok)
        if got is None or got[0] != name or got[1] is not None or got[2] or tok.array is not None:
            return None
        if any(p.kind == "param" and p.text == name for p in got[3].parts):
            return None  # X=$X/... reads X inside the block
        out.append(tok)
    return out, export


def _options(
    args: list[_W], takes_value: frozenset[str]
) -> tuple[list[_W], list[tuple[str, _W]], set[str]]:
    """A command's arguments: (operands, options with their values, every option given)."""
    operands: list[_W] = []
    values: list[tuple[str, _W]] = []
    flags: set[str] = set()
    i = 0
    rest = False
    while i < len(args):
        w = args[i]
        t = w.text
        i += 1
        if rest or t is None or t == "-" or not t.startswith("-"):
            operands.append(w)
            continue
        if t == "--":
            rest = True
            continue
        if t.startswith("--"):
            opt, eq, value = t.partition("=")
            flags.add(opt)
            if eq:
                values.append((opt, replace(w, text=value)))
            elif opt in takes_value and i < len(args):
                values.append((opt, args[i]))
                i += 1
            continue
        for k in range(1, len(t)):
            opt = "-" + t[k]
            flags.add(opt)
            if opt in takes_value:
                if t[k + 1 :]:
                    values.append((opt, replace(w, text=t[k + 1 :])))
                elif i < len(args):
                    values.append((opt, args[i]))
                    i += 1
                break
    return operands, values, flags


def _last(values: list[tuple[str, _W]], *names: str) -> _W | None:
    found = [w for opt, w in values if opt in names]
    return found[-1] if found else None


_FILE_OPS: dict[str, tuple[EffectKind, frozenset[str]]] = {
    "cp": ("copy", frozenset({"-t", "--target-directory", "-S", "--suffix"})),
    "mv": ("move", frozenset({"-t", "--target-directory", "-S", "--suffix"})),
    "ln": ("link", frozenset({"-t", "--target-directory", "-S", "--suffix"})),
    "install": (
        "copy",
        frozenset({"-t", "--target-directory", "-S", "--suffix", "-m", "--mode"})
        | {"-o", "--owner", "-g", "--group"},
    ),
}


# commands that write files of their own (or run one that does): the others are skipped at once
_EFFECT_COMMANDS = frozenset(
    {"tee", "sed", "mkdir", "touch", "j2", "j2cli", "gomplate", "openssl", "curl", "wget"}
    | {"dockerize", "env", "command", "busybox"}
    | set(_FILE_OPS)
    | set(_SIMPLE_WRAPPERS)
)


class _Recorder:
    """Turns one command of a script into the effects it has (``_Shell._effects``)."""

    def __init__(self, shell: _Shell, path: str, pos: _Pos) -> None:
        self.shell = shell
        self.path = path
        self.pos = pos

    def place(self, w: _W) -> _Pos:
        return w.pos if w.path == self.path else w.alt.get(self.path, self.pos)

    def container(self, value: _Value, *, link: bool = False) -> _Value:
        """A path in the container: made absolute from the working directory when known."""
        text, why = value
        if text is None:
            return None, why
        if not text:
            return None, "it expands to an empty path"
        if text.startswith("/"):
            return os.path.normpath(text), None
        if link:
            return text, None  # a symbolic link's text is relative to the link's folder
        if self.shell.cwd_why is not None:
            return None, self.shell.cwd_why
        if self.shell.workdir and self.shell.workdir.startswith("/"):
            return os.path.normpath(os.path.join(self.shell.workdir, text)), None
        return os.path.normpath(text), None

    def add(
        self,
        kind: EffectKind,
        target: _Value,
        source: _Value | None,
        where: _Pos,
        tool: str,
        variables: tuple[str, ...] | None = None,
    ) -> None:
        effects = self.shell.ctx.effects
        if len(effects) >= MAX_EFFECTS:
            return
        target_text, target_why = self.container(target)
        if target_text is not None and (
            target_text in ("-", "/dev", "/proc") or target_text.startswith(("/dev/", "/proc/"))
        ):
            return  # a device, the terminal: no file
        source_text: str | None = None
        source_why: str | None = None
        if source is not None:
            source_text, source_why = self.container(source, link=kind == "link")
        unknown = (target_why or "it is not known") if target_text is None else source_why
        effects.append(
            Effect(
                kind, target_text, source_text, self.path, max(where[0], 1), where[1], tool,
                variables, unknown,
            )
        )  # fmt: skip

    def word(self, w: _W) -> _Value:
        return w.text, w.unknown

    def unwrap(self, words: list[_W]) -> list[_W]:
        """The command behind ``exec``, ``sudo``, ``env``, ``gosu``... (``dockerize``'s
        templates recorded on the way); [] when it is not known."""
        i = 0
        while i < len(words):
            t = words[i].text
            if t is None:
                return []
            base = t.rsplit("/", 1)[-1]
            if base == "dockerize":
                self.dockerize(words[i + 1 :])
            if base == "env":
                i += 1
                while i < len(words):
                    t = words[i].text
                    if t is None:
                        return []
                    if t in ("-u", "--unset", "-C", "--chdir"):
                        i += 2
                    elif t.startswith("-") or _ASSIGN.match(t):
                        i += 1
                    else:
                        break
                continue
            if base == "command":
                if _text(words, i + 1) in ("-v", "-V"):
                    return []
                i += 2 if _text(words, i + 1) == "-p" else 1
                continue
            if base == "busybox" and i + 1 < len(words):
                i += 1
                continue
            if base in _SIMPLE_WRAPPERS:
                j = _skip(words, i, _SIMPLE_WRAPPERS[base])
                if j < 0:
                    return [] if base == "dockerize" else words[i:]
                i = j
                continue
            return words[i:]
        return []

    def dockerize(self, args: list[_W]) -> None:
        for k, w in enumerate(args):
            t = w.text or ""
            value: _W | None = None
            if t in ("-template", "--template") and k + 1 < len(args):
                value = args[k + 1]
            elif t.startswith(("-template=", "--template=")):
                value = replace(w, text=t.partition("=")[2])
            if value is None:
                continue
            if value.text is None:
                self.add("render", (None, value.unknown), None, self.place(value), "dockerize")
                continue
            source, colon, target = value.text.partition(":")
            if colon:  # without a target, dockerize prints the template
                self.add("render", (target, None), (source, None), self.place(value), "dockerize")

    def command(self, core: list[_W], stdin: _Flow | None, heredoc: bool) -> _Flow | None:
        """Records what the command itself writes; returns what it writes to its output
        (None: output that is not a file's content gwlint knows)."""
        name = (core[0].text or "").rsplit("/", 1)[-1]
        args = core[1:]
        if name in ("echo", "printf"):
            return _Flow("write", name)
        if name == "cat":
            files = [w for w in _options(args, frozenset())[0] if w.text != "-"]
            if len(files) == 1:
                return _Flow("copy", "cat", files[0].text, files[0].unknown)
            if not files and stdin is not None and not heredoc:
                return replace(stdin, tool="cat") if stdin.kind == "copy" else stdin
            return _Flow("write", "cat")
        if name == "envsubst":
            operands, _values, flags = _options(args, frozenset())
            if flags & {"-v", "--variables", "-h", "--help", "-V", "--version"}:
                return None
            variables: tuple[str, ...] | None = None
            if operands and operands[0].text is not None:
                found = _ENVSUBST_NAME.findall(operands[0].text)
                variables = tuple(dict.fromkeys(a or b for a, b in found))
            if stdin is None or heredoc:
                return _Flow("render", "envsubst", variables=variables)
            return _Flow("render", "envsubst", stdin.source, stdin.source_why, variables)
        if name == "sed":
            return self.sed(args, stdin)
        if name == "tee":
            operands, _values, _flags = _options(args, frozenset())
            passed = stdin if stdin is not None and not heredoc else None
            for w in operands:
                if passed is not None and passed.kind in ("render", "copy"):
                    tool = passed.tool if passed.kind == "render" else "tee"
                    source = (passed.source, passed.source_why)
                    self.add(passed.kind, self.word(w), source, self.place(w), tool,
                             passed.variables)  # fmt: skip
                else:
                    self.add("write", self.word(w), None, self.place(w), "tee")
            return passed or _Flow("write", "tee")
        if name in _FILE_OPS:
            self.file_op(name, args)
            return None
        if name == "mkdir":
            operands, _values, _flags = _options(args, frozenset({"-m", "--mode"}))
            for w in operands:
                self.add("mkdir", self.word(w), None, self.place(w), "mkdir")
            return None
        if name == "touch":
            operands, _values, flags = _options(
                args, frozenset({"-d", "--date", "-r", "--reference", "-t"})
            )
            if not flags & {"-c", "--no-create"}:
                for w in operands:
                    self.add("write", self.word(w), None, self.place(w), "touch")
            return None
        if name in ("j2", "j2cli"):
            return self.j2(args, stdin)
        if name == "gomplate":
            return self.gomplate(args, stdin)
        if name in ("openssl", "curl", "wget"):
            self.download(name, args)
        return None

    def sed(self, args: list[_W], stdin: _Flow | None) -> _Flow | None:
        operands: list[_W] = []
        script = False
        in_place = False
        i = 0
        rest = False
        while i < len(args):
            w = args[i]
            t = w.text
            i += 1
            if rest or t is None or t == "-" or not t.startswith("-"):
                operands.append(w)
            elif t == "--":
                rest = True
            elif t in ("-e", "--expression", "-f", "--file", "-l", "--line-length"):
                script = script or t not in ("-l", "--line-length")
                i += 1
            elif t.startswith(("--expression=", "--file=")):
                script = True
            elif t.startswith("--in-place"):
                in_place = True
            elif not t.startswith("--"):
                for k, ch in enumerate(t[1:], start=1):
                    if ch == "i":
                        in_place = True
                        break  # what follows is the backup suffix
                    if ch in "efl":
                        script = script or ch != "l"
                        i += 0 if t[k + 1 :] else 1
                        break
        files = operands if script else operands[1:]
        if in_place:
            for w in files:
                self.add("render", self.word(w), self.word(w), self.place(w), "sed")
            return None
        if files:
            return _Flow("render", "sed", files[0].text, files[0].unknown)
        if stdin is not None:
            return _Flow("render", "sed", stdin.source, stdin.source_why, stdin.variables)
        return _Flow("render", "sed")

    def j2(self, args: list[_W], stdin: _Flow | None) -> _Flow | None:
        takes = frozenset({"-f", "--format", "-e", "--import-env", "--filters", "--tests"})
        operands, values, _flags = _options(args, takes | {"--customize", "-o", "--output"})
        template = operands[0] if operands else None
        source: _Value = (template.text, template.unknown) if template else (None, None)
        if template is None or template.text == "-":
            source = (stdin.source, stdin.source_why) if stdin is not None else (None, None)
        out = _last(values, "-o", "--output")
        if out is not None:
            self.add("render", self.word(out), source, self.place(out), "j2")
            return None
        return _Flow("render", "j2", source[0], source[1])

    def gomplate(self, args: list[_W], stdin: _Flow | None) -> _Flow | None:
        takes = frozenset(
            {"-f", "--file", "-o", "--out", "-i", "--in", "--input-dir", "--output-dir"}
            | {"-d", "--datasource", "-c", "--context", "--left-delim", "--right-delim"}
            | {"-t", "--template", "--plugin", "--exclude", "--config", "--output-map"}
            | {"--chmod", "-H", "--datasource-header", "--exclude-processing"}
        )
        _operands, values, _flags = _options(args, takes)
        sources = [w for opt, w in values if opt in ("-f", "--file", "-i", "--in")]
        outs = [w for opt, w in values if opt in ("-o", "--out")]
        in_dir = _last(values, "--input-dir")
        out_dir = _last(values, "--output-dir")
        if in_dir is not None and out_dir is not None:
            self.add("render", self.word(out_dir), self.word(in_dir), self.place(out_dir),
                     "gomplate")  # fmt: skip
        for k, out in enumerate(outs):
            src = sources[k] if k < len(sources) else None
            source: _Value = (None, None)
            if src is not None and (src.text is None or src.text != "-"):
                inline = any(w is src for opt, w in values if opt in ("-i", "--in"))
                source = (None, None) if inline else self.word(src)
            self.add("render", self.word(out), source, self.place(out), "gomplate")
        if outs or in_dir is not None:
            return None
        if sources and not any(w is sources[0] for opt, w in values if opt in ("-i", "--in")):
            return _Flow("render", "gomplate", sources[0].text, sources[0].unknown)
        if stdin is not None and not sources:
            return _Flow("render", "gomplate", stdin.source, stdin.source_why)
        return _Flow("render", "gomplate")

    def download(self, name: str, args: list[_W]) -> None:
        """``openssl ... -out f -keyout k``, ``curl -o f``, ``wget -O f``: files they write."""
        for k, w in enumerate(args):
            t = w.text or ""
            value: _W | None = None
            if name == "openssl" and t in ("-out", "-keyout") and k + 1 < len(args):
                value = args[k + 1]
            elif name == "curl":
                if (t in ("-o", "--output") or re.fullmatch(r"-[sSfLkvqg#]+o", t)) and k + 1 < len(
                    args
                ):
                    value = args[k + 1]
                elif t.startswith("--output="):
                    value = replace(w, text=t.partition("=")[2])
            elif name == "wget":
                m = re.fullmatch(r"-[qnvcN]*O(.*)", t)
                if m and m.group(1):
                    value = replace(w, text=m.group(1))
                elif (m or t == "--output-document") and k + 1 < len(args):
                    value = args[k + 1]
                elif t.startswith("--output-document="):
                    value = replace(w, text=t.partition("=")[2])
            if value is not None and value.text != "-":
                self.add("write", self.word(value), None, self.place(value), name)

    def file_op(self, name: str, args: list[_W]) -> None:
        """cp, install, mv, ln: each source to its target."""
        kind, takes = _FILE_OPS[name]
        operands, values, flags = _options(args, takes)
        if name == "install" and flags & {"-d", "--directory"}:
            for w in operands:
                self.add("mkdir", self.word(w), None, self.place(w), "install")
            return
        target_dir = _last(values, "-t", "--target-directory")
        dest: _W | None
        if target_dir is not None:
            dest, sources = target_dir, operands
        elif len(operands) >= 2:
            dest, sources = operands[-1], operands[:-1]
        elif name == "ln" and len(operands) == 1:
            dest, sources = None, operands  # ln -s /x: a link named x here
        else:
            return
        into = target_dir is not None or len(sources) > 1
        if dest is not None and dest.text is not None and dest.text.endswith("/"):
            into = True
        if flags & {"-T", "--no-target-directory"}:
            into = False
        for src in sources:
            source = self.word(src)
            base = os.path.basename(src.text.rstrip("/")) if src.text else None
            target: _Value
            if dest is None:
                where = self.place(src)
                target = (base, None) if base is not None else (None, src.unknown)
            else:
                where = self.place(dest)
                if dest.text is None or not into:
                    target = self.word(dest)
                elif base is None:
                    target = (None, src.unknown)
                else:
                    target = (os.path.join(dest.text, base), None)
            self.add(kind, target, source, where, name)


def _default_resolver(name: str, shell: _Shell) -> str | None:
    """A script named in a command, in the repository: relative to the command's folder or the
    launcher's, then by its basename under the launcher's folder."""
    launcher_dir = _folder_of(shell.ctx.path)
    candidates = []
    if not name.startswith("/"):
        candidates.append(os.path.join(shell.folder, name))
    candidates.append(os.path.join(launcher_dir, name.lstrip("/")))
    for candidate in candidates:
        if isfile_within(candidate):
            return _display(candidate)
    if "/" in name or name.endswith((".sh", ".bash")):
        return shell.ctx.by_basename(launcher_dir, os.path.basename(name))
    return None


def _before_error(tokens: list[_Tok]) -> list[_Tok]:
    """The tokens before the command the unterminated quote is in (the shell never runs it)."""
    last = max((k for k, t in enumerate(tokens) if t.op), default=-1)
    return tokens[: last + 1]


def _report_unterminated(ctx: _Ctx, src: _Src, error: tuple[int, str], what: str) -> None:
    index, quote = error
    line_start = src.text.rfind("\n", 0, index) + 1
    if not _MENTION.search(src.text[line_start:].encode("utf-8", "replace")):
        return  # not in a command that starts a server, nor before one
    line, column = src.pos(index)
    kind = {
        "'": "single quote",
        '"': "double quote",
        "$'": "$'...' quote",
        "`": "backquote",
        "(": "$( or $((",
        "${": "${",
        "{": "${",
        "=(": "array list (",
    }
    name = kind.get(quote, repr(quote))
    ctx.fail(
        src.path,
        line,
        f"{what}: unterminated {name} in a command that starts an app server; it cannot be "
        "split into words, so it never runs (close the quote)",
        column,
    )


# --- env files ------------------------------------------------------------------------------------


def _dotenv(ctx: _Ctx, path: str, *, expand: bool) -> dict[str, EnvValue] | None:
    """``KEY=VALUE`` lines (``export``, quotes, comments); None when the file is missing.
    ``expand``: ``${VAR}``/``$VAR`` in unquoted and double-quoted values (dotenv, compose);
    systemd's EnvironmentFile= does not expand."""
    key = (path, expand)
    if key not in ctx.dotenvs:  # read once: compose services may all name the same env files
        ctx.dotenvs[key] = _dotenv_uncached(ctx, path, expand=expand)
    return ctx.dotenvs[key]


# Written here rather than with python-dotenv: the files it serves follow the rules of their
# readers (compose's env_file, systemd's EnvironmentFile=, a Procfile runner's .env), not
# python-dotenv's own; every value needs its line and column, which python-dotenv's public API
# (dotenv_values) does not give; its interpolation reads os.environ, the environment of the
# machine that lints, where gwlint must use --env and the file's own values only; and a file from
# a pull request must be read with bounds on what it expands to (MAX_ENVIRONMENT, MAX_ENV_TEXT).
def _dotenv_uncached(ctx: _Ctx, path: str, *, expand: bool) -> dict[str, EnvValue] | None:
    if not isfile_within(path):
        return None
    by = None if path == ctx.path else ctx.path
    text = _read(path, ctx.problems, kind="env file", by=by)
    if text is None:
        return None
    out: dict[str, EnvValue] = {}
    # the values so far, as ${VAR} sees them (one dict kept up to date: rebuilt for each line,
    # it would make a file of many lines quadratic)
    known: dict[str, _Value] = {}
    scope = _DictScope(known, ctx.cli_env)
    size = 0  # characters of the values so far (each may expand to MAX_VALUE)
    assignments = 0
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    number = 0
    while number < len(lines):
        line = lines[number].rstrip("\r")
        number += 1
        key_line = number
        m = re.match(r"^(\s*)(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=[ \t]*", line)
        if m is None:
            continue
        key = m.group(2)
        rest = line[m.end() :]
        value: _Value
        if rest[:1] in ("'", '"'):
            quote = rest[0]
            j = offsets[number - 1] + m.end() + 1
            chars: list[str] = []
            closed = False
            while j < len(text):
                c = text[j]
                if c == "\\" and quote == '"' and j + 1 < len(text):
                    nxt = text[j + 1]
                    chars.append({"n": "\n", "t": "\t", "r": "\r"}.get(nxt, nxt))
                    j += 2
                    continue
                if c == quote:
                    closed = True
                    break
                chars.append(c)
                j += 1
            if not closed:
                ctx.fail(path, key_line, f"env file: unterminated {quote} quote in {key}")
                break
            number = bisect.bisect_right(offsets, j)  # the line of the closing quote
            raw_value = "".join(chars)
            value = (raw_value, None)
            if expand and quote == '"':
                value = _interpolate(raw_value, scope, path, key_line)
        else:
            raw_value = re.split(r"\s#", rest, maxsplit=1)[0].strip()
            value = (raw_value, None)
            if expand:
                value = _interpolate(raw_value, scope, path, key_line)
        column = len(m.group(1)) + 1
        size += len(value[0] or "")
        assignments += 1
        if assignments > MAX_ENVIRONMENT or size > MAX_ENV_TEXT:
            what = (
                f"sets more than {MAX_ENVIRONMENT} variables"
                if assignments > MAX_ENVIRONMENT
                else f"has values of more than {MAX_ENV_TEXT} characters in all (expanded)"
            )
            ctx.fail(path, key_line, f"env file {what}; the rest is not read")
            break
        out[key] = EnvValue(value[0], path, key_line, column, value[1])
        known[key] = value
    return out


def _interpolate(text: str, scope: _Scope, path: str, line: int) -> _Value:
    if "$" not in text and len(text) <= MAX_VALUE:
        return text, None  # nothing to expand (most values): no lexer
    src = _Src(text, path, (0,), ((line, 1),))
    tokens, _ = _lex(src, _RAW_INTERPOLATION)
    if not tokens:
        return "", None
    return _join(tokens[0].parts, scope, tokens[0])


# --- Procfile -------------------------------------------------------------------------------------

_PROCFILE_LINE = re.compile(r"^([A-Za-z0-9_-]+)[ \t]*:[ \t]*(.*)")


def _read_procfile(ctx: _Ctx) -> None:
    text = _read(ctx.path, ctx.problems, kind="Procfile")
    if text is None:
        return
    folder = _folder_of(ctx.path)
    dotenv_path = _display(os.path.join(folder, ".env"))
    dotenv = _dotenv(ctx, dotenv_path, expand=True)
    refs = [dotenv_path] if dotenv is not None else []
    variables = {k: _env_var(v) for k, v in (dotenv or {}).items()}
    src = _file_src(ctx.path, text)
    for number, line in enumerate(text.split("\n"), start=1):
        m = _PROCFILE_LINE.match(line)
        if m is None or line.lstrip().startswith("#"):
            continue
        if not ctx.more_processes(number, 1, "Procfile"):
            break
        ctx.spot = (ctx.path, number)
        name = m.group(1)
        # the command, without the blanks that end the line (not in the pattern: ``(.*?)\s*$``
        # tries every blank of a long run, quadratic)
        end = max(len(line.rstrip()), m.start(2))
        # the platform sets these when the process starts (.env is for running it locally)
        for variable in PLATFORM_VARIABLES:
            if variable not in ctx.cli_env and variable not in ctx.base_env:
                why = platform_reason(variable)
                variables[variable] = _Var(
                    None, why, ctx.path, (number, 1), True, (), declared=True
                )
        if not ctx.more_env(number, len(variables), "Procfile"):
            break
        start = src.starts[number - 1]
        cmd = src.sub(start + m.start(2), start + end)
        tokens, error = _lex(cmd, _SH)
        if error is not None:
            _report_unterminated(ctx, cmd, error, f"Procfile {name}")
            continue
        label = f"Procfile {name}"
        shell = _Shell(ctx, namer=_fixed(label), folder=folder, variables=variables, refs=refs)
        shell.run(tokens)


def _fixed(label: str) -> _Namer:
    return lambda _w: label


def _env_var(v: EnvValue) -> _Var:
    return _Var(v.value, v.unknown, v.path, (v.line, v.column or 1), True, (), declared=True)


# --- env file -------------------------------------------------------------------------------------


def _read_env(ctx: _Ctx) -> None:
    values = _dotenv(ctx, ctx.path, expand=True)
    if not values or "GUNICORN_CMD_ARGS" not in values:
        return
    ctx.launches.append(
        Launch(
            path=ctx.path,
            line=values["GUNICORN_CMD_ARGS"].line,
            program="gunicorn",
            args=(),
            label=f"env file {os.path.basename(ctx.path)}",
            env=values,
            folder=_folder_of(ctx.path),
            implicit=True,
        )
    )


# --- shell script ---------------------------------------------------------------------------------


def _read_shell(ctx: _Ctx) -> None:
    text = _read(ctx.path, ctx.problems, kind="shell script")
    if text is None:
        return
    src = _file_src(ctx.path, text)
    tokens, error = _lex(src, _SH)
    if error is not None:
        _report_unterminated(ctx, src, error, "shell script")
        tokens = _before_error(tokens)
    label = os.path.basename(ctx.path)
    shell = _Shell(
        ctx,
        namer=lambda _w: label,
        folder=_folder_of(ctx.path),
        chain=(os.path.realpath(ctx.path),),
    )
    shell.run(tokens)


# --- Dockerfile -----------------------------------------------------------------------------------
# Read here rather than with dockerfile-parse: gwlint needs each word's line and column, ARG/ENV
# expansion that knows which values are unknown at lint time (a --build-arg), the shell lexer the
# other launchers share for CMD/ENTRYPOINT/RUN, and heredocs (RUN <<EOF writes the nginx
# configs of many images), which dockerfile-parse does not parse
# (https://github.com/containerbuildsystem/dockerfile-parse/issues/145, open).


@dataclass
class _Cmd:
    """A CMD or ENTRYPOINT: exec form (words) or shell form (a string for /bin/sh -c)."""

    keyword: str
    line: int
    words: list[_W] | None = None
    shell: _Src | None = None


@dataclass
class _Copy:
    sources: list[str]
    dest: str
    workdir: str | None
    line: int


@dataclass
class _Stage:
    name: str | None = None
    env: dict[str, EnvValue] = field(default_factory=dict)
    args: dict[str, _Value] = field(default_factory=dict)
    cmd: _Cmd | None = None
    entrypoint: _Cmd | None = None
    cmd_set: bool = False
    workdir: str | None = None
    copies: list[_Copy] = field(default_factory=list)
    # the image it starts from (FROM, variables expanded; a stage's own base for FROM stage)
    base: str | None = None
    base_line: int = 1

    def copy(self) -> _Stage:
        return _Stage(
            self.name,
            dict(self.env),
            dict(self.args),
            self.cmd,
            self.entrypoint,
            False,
            self.workdir,
            list(self.copies),
            self.base,
            self.base_line,
        )


@dataclass
class _Image:
    path: str  # the Dockerfile
    context: str  # the build context in the repository
    stage: _Stage


def _docker_escape(lines: list[str]) -> str:
    """The escape character: ``\\``, or what a ``# escape=`` parser directive at the top says."""
    escape = "\\"
    for line in lines:
        m = re.match(r"^\s*#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$", line)
        if m is None:
            break  # directives end at the first line that is not one
        if m.group(1).lower() == "escape" and m.group(2) in ("\\", "`"):
            escape = m.group(2)
    return escape


def _docker_instructions(path: str, text: str) -> Iterator[tuple[str, _Src, int]]:
    """(INSTRUCTION, its arguments, line) with continuations joined and comments dropped."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    escape = _docker_escape(lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        first = i + 1
        continuation = re.compile(re.escape(escape) + r"[ \t]*$")
        segments: list[tuple[str, int, int]] = []
        while True:
            m = continuation.search(line)
            if m is None:
                segments.append((line, i + 1, 1))
                i += 1
                break
            segments.append((line[: m.start()], i + 1, 1))
            i += 1
            while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
                i += 1
            if i >= len(lines):
                break
            line = lines[i]
        src = _joined_src(path, segments)
        m = re.match(r"\s*(\S+)\s*", src.text)
        if m is None:
            continue
        keyword = m.group(1).upper()
        args = src.sub(m.end())
        if keyword in ("RUN", "COPY", "ADD"):
            for delim in re.findall(r"<<-?\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?", args.text):
                while i < len(lines) and lines[i].strip() != delim:
                    i += 1
                i += 1
        yield keyword, replace(args, tag=keyword), first


_DOCKER_WORDS = _Syntax(dollar="docker")


def _docker_unset(name: str) -> _Value:
    return "", None  # at build time Docker expands an unknown variable to nothing


def _json_words(ctx: _Ctx, src: _Src, keyword: str) -> list[_W] | None:
    """An exec-form ``["a", "b"]``: its words with positions; None (after a GW008) if broken."""
    t = src.text
    i = len(t) - len(t.lstrip())

    def fail(at: int, why: str) -> None:
        if _PLACEHOLDER in t or _templated(ctx.problems, src.path):
            return  # a template's placeholder or tag stands in the array: not read
        line, column = src.pos(min(at, max(len(t) - 1, 0)))
        ctx.fail(
            src.path,
            line,
            f"Dockerfile {keyword}: starts with '[' but is not a JSON array of strings ({why}): "
            'Docker runs the text with /bin/sh -c, which fails; quote each word with "',
            column,
        )

    i += 1
    words: list[_W] = []
    while True:
        while i < len(t) and t[i] in " \t\r\n":
            i += 1
        if i < len(t) and t[i] == "]" and not words:
            i += 1
            break
        if i >= len(t):
            fail(i, "no closing ]")
            return None
        if t[i] != '"':
            fail(i, f"expected a double-quoted string at {t[i]!r}")
            return None
        try:
            value, end = json.JSONDecoder().raw_decode(t, i)
        except json.JSONDecodeError as exc:
            fail(exc.pos, exc.msg.lower())
            return None
        if not isinstance(value, str):  # pragma: no cover - it starts with a quote
            fail(i, "expected a string")
            return None
        raw = t[i:end]
        if raw[1:-1] == value:
            chars = tuple(src.pos(i + 1 + k) for k in range(len(value)))
        else:
            chars = _greedy_chars(value, src, i + 1, end - 1)
        words.append(_W(value, raw, src.path, src.pos(i), chars, tag=keyword))
        i = end
        while i < len(t) and t[i] in " \t\r\n":
            i += 1
        if i < len(t) and t[i] == ",":
            i += 1
            continue
        if i < len(t) and t[i] == "]":
            i += 1
            break
        fail(i, "expected ',' or ']'")
        return None
    if t[i:].strip():
        fail(i + len(t[i:]) - len(t[i:].lstrip()), "text after the closing ]")
        return None
    return words


def _parse_dockerfile(
    ctx: _Ctx,
    path: str,
    context: str | None = None,
    build_args: dict[str, str] | None = None,
    target: str | None = None,
) -> _Image | None:
    """The last stage of a Dockerfile, or ``target`` (parsed once per ``read_launches`` call).
    ``build_args``: compose's ``build: args:``, over the ARG defaults and ``--env``."""
    key = (os.path.realpath(path), context or "", repr(sorted((build_args or {}).items())), target)
    if key not in ctx.images:
        ctx.images[key] = _parse_dockerfile_uncached(ctx, path, context, build_args or {}, target)
    return ctx.images[key]


def _parse_dockerfile_uncached(
    ctx: _Ctx, path: str, context: str | None, build_args: dict[str, str], target: str | None
) -> _Image | None:
    by = None if path == ctx.path else ctx.path
    text = _read(path, ctx.problems, kind="Dockerfile", by=by)
    if text is None:
        return None
    global_args: dict[str, _Value] = {}
    stages: dict[str, _Stage] = {}
    stage: _Stage | None = None

    def build_scope(st: _Stage | None) -> _DictScope:
        args = st.args if st else global_args
        # an ARG with no default and no --env is unset: ${X:-default} takes the default, $X
        # alone is unknown (the build may pass --build-arg)
        values: dict[str, _Value] = {k: v for k, v in args.items() if v[0] is not None}
        if st is not None:
            values.update({k: (v.value, v.unknown) for k, v in st.env.items()})

        def unset(name: str) -> _Value:
            if name in args:
                return args[name]
            return _docker_unset(name)

        return _DictScope(values, {}, unset)

    def words_of(src: _Src, st: _Stage | None) -> list[_W]:
        tokens, _ = _lex(src, replace(_DOCKER_WORDS, escape=escape))
        scope = build_scope(st)
        out: list[_W] = []
        for tok in tokens:
            out.extend(_expand(tok, scope) if tok.parts else [])
        return out

    escape = _docker_escape([line.rstrip("\r") for line in text.split("\n")])
    for keyword, args, line in _docker_instructions(path, text):
        ctx.spot = (path, line)
        if keyword == "FROM":
            words = [w for w in words_of(args, None) if not (w.text or "").startswith("--")]
            image = (words[0].text or "") if words else ""
            parent = stages.get(image.lower())
            stage = parent.copy() if parent is not None else _Stage()
            if parent is None:
                stage.base, stage.base_line = (image or None), line
            if len(words) >= 3 and (words[1].text or "").lower() == "as":
                stage.name = words[2].text
                stages[(words[2].text or "").lower()] = stage
            continue
        if keyword == "ARG":
            for w in words_of(args, stage):
                if w.text is None:
                    continue
                name, eq, default = w.text.partition("=")
                value: _Value
                if name in build_args:
                    value = (build_args[name], None)
                elif name in ctx.cli_env:
                    value = (ctx.cli_env[name], None)
                elif eq:
                    value = (default, None)
                elif name in global_args:
                    value = global_args[name]
                else:
                    value = (None, f"build argument {name} has no default (--env {name}=VALUE)")
                if stage is None:
                    global_args[name] = value
                else:
                    stage.args[name] = value
            continue
        if stage is None:
            continue
        if keyword == "ENV":
            _docker_env(ctx, stage, args, build_scope(stage), escape)
        elif keyword == "WORKDIR":
            tokens, _ = _lex(args, replace(_DOCKER_WORDS, split=False, escape=escape))
            if tokens:
                folder, _why = _join(tokens[0].parts, build_scope(stage), tokens[0])
                folder = (folder or "").strip()
                if folder:
                    stage.workdir = os.path.normpath(
                        folder
                        if folder.startswith("/")
                        else os.path.join(stage.workdir or "/", folder)
                    )
        elif keyword in ("COPY", "ADD"):
            if args.text.lstrip().startswith("["):
                json_words = _json_words(_Ctx(path, {}, Problems()), args, keyword) or []
                texts = [w.text or "" for w in json_words]
            else:
                texts = [w.text or "" for w in words_of(args, stage)]
            if any(t.startswith("--from") for t in texts):
                continue
            texts = [t for t in texts if not t.startswith("--")]
            if len(texts) >= 2:
                stage.copies.append(_Copy(texts[:-1], texts[-1], stage.workdir, line))
        elif keyword in ("CMD", "ENTRYPOINT"):
            cmd = _Cmd(keyword, line)
            if args.text.lstrip().startswith("["):
                cmd.words = _json_words(ctx, args, keyword)
                if cmd.words is None:
                    cmd.words = []  # reported: it does not start the server
            else:
                cmd.shell = args
            if keyword == "CMD":
                stage.cmd = cmd
                stage.cmd_set = True
            else:
                stage.entrypoint = cmd
                if not stage.cmd_set:
                    stage.cmd = None  # ENTRYPOINT resets the CMD of the base image
    if target and target.lower() in stages:
        stage = stages[target.lower()]
    if stage is None:
        return None
    return _Image(path, context or _folder_of(path), stage)


def _docker_env(ctx: _Ctx, stage: _Stage, args: _Src, scope: _DictScope, escape: str) -> None:
    tokens, _ = _lex(args, replace(_DOCKER_WORDS, escape=escape))
    tokens = [t for t in tokens if t.parts]
    if not tokens:
        return
    if _split_assign(tokens[0]) is not None:
        for tok in tokens:
            got = _split_assign(tok)
            if got is None:
                continue
            name, value_tok = got
            value, why = _expand_one(value_tok, scope)
            line, column = tok.pos
            stage.env[name] = EnvValue(value, args.path, line, column, why)
            scope.values[name] = (value, why)
        return
    first = tokens[0]
    name = _literal(first) or ""
    rest_at = first.start + len(first.raw)
    rest = args.sub(rest_at)
    skip = len(rest.text) - len(rest.text.lstrip())
    rest = args.sub(rest_at + skip)
    value_tokens, _ = _lex(rest, replace(_DOCKER_WORDS, split=False, escape=escape))
    value, why = ("", None)
    if value_tokens:
        value, why = _join(value_tokens[0].parts, scope, value_tokens[0])
    line, column = first.pos
    if name:
        stage.env[name] = EnvValue(value, args.path, line, column, why)
        scope.values[name] = (value, why)


def _docker_resolver(image: _Image) -> _Resolver:
    """Finds a script named in CMD/ENTRYPOINT in the repository: through the COPY lines that put
    it in the image, next to the Dockerfile, or by its basename under the Dockerfile's folder."""
    stage = image.stage
    dockerfile_dir = _folder_of(image.path)

    def resolve(name: str, shell: _Shell) -> str | None:
        if name.startswith("/"):
            target = os.path.normpath(name)
        else:
            target = os.path.normpath(os.path.join(shell.workdir or stage.workdir or "/", name))
        for copy in reversed(stage.copies):
            dest = copy.dest
            dest_abs = os.path.normpath(
                dest if dest.startswith("/") else os.path.join(copy.workdir or "/", dest)
            )
            many = len(copy.sources) > 1 or dest.endswith("/")
            for source in copy.sources:
                matches = (
                    sorted(glob.glob(os.path.join(image.context, source)))
                    if glob.has_magic(source)
                    else [os.path.join(image.context, source)]
                )
                for local in matches:
                    if os.path.isdir(local):
                        if target.startswith(dest_abs.rstrip("/") + "/"):
                            candidate = os.path.join(local, os.path.relpath(target, dest_abs))
                            if isfile_within(candidate):
                                return _display(candidate)
                        continue
                    into = os.path.join(dest_abs, os.path.basename(local))
                    if (target == into or (target == dest_abs and not many)) and isfile_within(
                        local
                    ):
                        return _display(local)
        if not name.startswith("/"):
            for base in (image.context, dockerfile_dir):
                candidate = os.path.join(base, name)
                if isfile_within(candidate):
                    return _display(candidate)
        candidate = os.path.join(image.context, name.lstrip("/"))
        if isfile_within(candidate):
            return _display(candidate)
        if "/" in name or name.endswith((".sh", ".bash")) or _SCRIPTISH.search(name):
            return shell.ctx.by_basename(dockerfile_dir, os.path.basename(name))
        return None

    return resolve


def _docker_folder(image: _Image, workdir: str | None) -> str:
    """The repository folder that becomes ``workdir`` in the image (through COPY), else the
    build context."""
    if workdir:
        target = os.path.normpath(workdir)
        for copy in reversed(image.stage.copies):
            dest_abs = os.path.normpath(
                copy.dest
                if copy.dest.startswith("/")
                else os.path.join(copy.workdir or "/", copy.dest)
            )
            for source in copy.sources:
                local = os.path.normpath(os.path.join(image.context, source))
                if not os.path.isdir(local):
                    continue
                if target == dest_abs or target.startswith(dest_abs.rstrip("/") + "/"):
                    folder = os.path.normpath(
                        os.path.join(local, os.path.relpath(target, dest_abs))
                    )
                    if os.path.isdir(folder):
                        return _display(folder)
    return _display(image.context)


def _docker_run(shell: _Shell, entrypoint: _Cmd | None, cmd: _Cmd | None) -> None:
    """What ``docker run`` runs: exec ENTRYPOINT + CMD (a shell-form CMD as /bin/sh -c), or a
    shell-form ENTRYPOINT alone, or CMD alone."""
    if entrypoint is not None and entrypoint.shell is not None:
        _docker_shell(shell, entrypoint.shell)
        return
    words: list[_W] = []
    if entrypoint is not None:
        words.extend(entrypoint.words or [])
        if entrypoint.words == [] and cmd is None:
            return
    if cmd is not None:
        if cmd.words is not None:
            words.extend(cmd.words)
        elif cmd.shell is not None:
            if entrypoint is None:
                _docker_shell(shell, cmd.shell)
                return
            s = cmd.shell
            pos = s.pos(0)
            words.append(_W("/bin/sh", "/bin/sh", s.path, pos, tag=s.tag, alt=dict(s.alt)))
            words.append(_W("-c", "-c", s.path, pos, tag=s.tag, alt=dict(s.alt)))
            chars = tuple(s.pos(k) for k in range(len(s.text)))
            words.append(_W(s.text, s.text, s.path, pos, chars, tag=s.tag, alt=dict(s.alt)))
    shell.command(words, {})


def _docker_shell(shell: _Shell, src: _Src) -> None:
    text = src.text.strip()
    lead = len(src.text) - len(src.text.lstrip())
    src = src.sub(lead, lead + len(text))
    tokens, error = _lex(src, _SH)
    if error is not None:
        _report_unterminated(shell.ctx, src, error, f"Dockerfile {src.tag}")
        return
    shell.run(tokens)  # /bin/sh -c: the image's environment, no arguments


def _image_shell(
    ctx: _Ctx,
    image: _Image,
    *,
    namer: _Namer,
    env: dict[str, EnvValue],
    workdir: str | None,
    refs: list[str],
    unset: Callable[[str], _Value] | None = None,
) -> _Shell:
    return _Shell(
        ctx,
        namer=namer,
        folder=_docker_folder(image, workdir),
        workdir=workdir,
        variables={k: _env_var(v) for k, v in env.items()},
        refs=refs,
        resolver=_docker_resolver(image),
        passthrough=True,
        unset=unset,
        chain=(os.path.realpath(image.path),),
    )


def _read_dockerfile(ctx: _Ctx) -> None:
    image = _parse_dockerfile(ctx, ctx.path)
    if image is None:
        return
    stage = image.stage
    shell = _image_shell(
        ctx,
        image,
        namer=lambda w: f"Dockerfile {w.tag or 'CMD'}",
        env=stage.env,
        workdir=stage.workdir,
        refs=[ctx.path],  # a launch in a script it runs still comes from this Dockerfile
    )
    _docker_run(shell, stage.entrypoint, stage.cmd)


# --- compose --------------------------------------------------------------------------------------


def _compose_unset(name: str) -> _Value:
    return None, (
        f"compose fills ${name} from the shell that runs docker compose or the .env file beside "
        f"the compose file; it is not set there (give it with --env {name}=VALUE)"
    )


class _Yaml:
    """PyYAML's node tree, with merge keys (``<<: *base``) applied. Each mapping is merged once
    (then remembered); every key looked at is charged against a budget, a guard behind the
    count of ``_read_compose`` for what lies deeper than that count follows."""

    def __init__(self, ctx: _Ctx, src: _Src, scope: _Scope) -> None:
        self.ctx = ctx
        self.src = src
        self.scope = scope
        self.visits = 0
        self._fields: dict[tuple[int, int], dict[str, tuple[Any, Any]]] = {}

    def _charge(self) -> None:
        self.visits += 1
        if self.visits > 2 * MAX_YAML_NODES:
            raise TooBig

    def fields(self, node: Any, depth: int = 0) -> dict[str, tuple[Any, Any]]:
        """key -> (key node, value node) of a mapping node: its own keys over merged ones, and
        of the bases of ``<<: [*a, *b]`` the first that has a key gives it (as YAML says)."""
        if node is None or getattr(node, "id", "") != "mapping" or depth > MAX_MERGE_DEPTH:
            return {}
        memo = (id(node), depth)
        got = self._fields.get(memo)
        if got is not None:
            return got
        merged: dict[str, tuple[Any, Any]] = {}
        own: dict[str, tuple[Any, Any]] = {}
        for key, value in node.value:
            self._charge()
            if key.tag == "tag:yaml.org,2002:merge":
                bases = value.value if value.id == "sequence" else [value]
                for base in bases:
                    for name, item in self.fields(base, depth + 1).items():
                        self._charge()
                        merged.setdefault(name, item)
            elif key.id == "scalar":
                own.pop(str(key.value), None)  # a key written twice: the last one
                own[str(key.value)] = (key, value)
        out = {name: item for name, item in merged.items() if name not in own}
        out.update(own)
        self._fields[memo] = out
        return out

    def items(self, node: Any) -> list[tuple[str, Any, Any]]:
        """(key, key node, value node) of a mapping node (see ``fields``)."""
        return [(name, key, value) for name, (key, value) in self.fields(node).items()]

    def get(self, node: Any, name: str) -> Any:
        got = self.fields(node).get(name)
        return got[1] if got is not None else None

    @staticmethod
    def is_null(node: Any) -> bool:
        return node is None or (
            node.id == "scalar"
            and node.tag == "tag:yaml.org,2002:null"
            and node.value in ("", "~", "null", "Null", "NULL")
        )

    def scalar_src(self, node: Any) -> _Src:
        value = str(node.value)
        start, end = node.start_mark.index, node.end_mark.index
        chars = _greedy_chars(value, self.src, start, end)
        return _Src(value, self.src.path, chars=chars)

    def string(self, node: Any) -> tuple[_Value, _Pos]:
        """A scalar after compose's interpolation."""
        where = (node.start_mark.line + 1, node.start_mark.column + 1)
        if node.id != "scalar":
            return (None, "not a plain value"), where
        src = self.scalar_src(node)
        tokens, _ = _lex(src, _RAW_INTERPOLATION)
        if not tokens:
            return ("", None), where
        return _join(tokens[0].parts, self.scope, tokens[0]), where

    def words(self, node: Any, tag: str = "") -> list[_W] | None:
        """``command:``/``entrypoint:``: a string split into words, or a list of words."""
        if self.is_null(node):
            return None
        if node.id == "scalar":
            src = replace(self.scalar_src(node), tag=tag)
            tokens, error = _lex(src, _Syntax(dollar="compose"))
            if error is not None:
                _report_unterminated(self.ctx, src, error, "compose command")
                return []
            out: list[_W] = []
            for tok in tokens:
                out.extend(_expand(tok, self.scope))
            return out
        if node.id == "sequence":
            out = []
            for item in node.value:
                if item.id != "scalar":
                    continue
                src = replace(self.scalar_src(item), tag=tag)
                tokens, _ = _lex(src, _RAW_INTERPOLATION)
                pos = (item.start_mark.line + 1, item.start_mark.column + 1)
                raw = self.src.text[item.start_mark.index : item.end_mark.index]
                # one item, one word: compose interpolates it without splitting
                parts = [replace(p, split=False) for p in tokens[0].parts] if tokens else []
                got = _expand(_Tok(parts, src.text, 0, src), self.scope)
                word = got[0] if got else _W("", raw, src.path, pos, tag=tag)
                out.append(replace(word, raw=raw, pos=pos))
            return out
        return None


def _read_compose(ctx: _Ctx) -> None:
    import yaml  # type: ignore[import-untyped, unused-ignore]

    text = _read(ctx.path, ctx.problems, kind="compose")
    if text is None:
        return
    if len(text) > MAX_COMPOSE_BYTES:
        ctx.fail(
            ctx.path, 1, f"compose file is larger than {MAX_COMPOSE_BYTES // 1024} KiB; not read"
        )
        return
    root: Any
    try:
        root = compose(text, MAX_YAML_COMPOSED)
    except TooManyNodes:
        ctx.fail(
            ctx.path, 1, f"compose file has more than {MAX_YAML_COMPOSED} YAML nodes; not read"
        )
        return
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else None
        what = exc.problem or exc.context or "syntax error"
        if not _templated(ctx.problems, ctx.path):  # else the template's, not the file's
            ctx.fail(ctx.path, line, f"compose file is not valid YAML: {what}", column)
        return
    except (yaml.YAMLError, ValueError) as exc:
        if not _templated(ctx.problems, ctx.path):
            message = str(exc).split("\n")[0]
            position = getattr(exc, "position", None)  # a ReaderError: a character YAML refuses
            line = text.count("\n", 0, position) + 1 if isinstance(position, int) else 1
            ctx.fail(ctx.path, line, f"compose file is not valid YAML: {message}")
        return
    except RecursionError:
        ctx.fail(ctx.path, 1, "compose file nests too deeply to be read; not read")
        return
    if root is None or root.id != "mapping":
        return
    # aliases and merge keys followed each time they are reached, before any is expanded; at
    # the top-level key whose value is too big
    visits = 0
    for key, value in root.value:
        try:
            visits = count([key, value], MAX_YAML_NODES, MAX_YAML_DEPTH, visits)
        except TooBig:
            _too_big(ctx, key)
            return
    folder = _folder_of(ctx.path)
    project_env_path = _display(os.path.join(folder, ".env"))
    project_env = _dotenv(ctx, project_env_path, expand=True)
    ctx.compose_refs = [project_env_path] if project_env is not None else []
    project_env = project_env or {}
    interpolation = {k: (v.value, v.unknown) for k, v in project_env.items()}
    for k, v in ctx.cli_env.items():
        interpolation[k] = (v, None)
    scope = _DictScope(interpolation, {}, _compose_unset)
    y = _Yaml(ctx, _file_src(ctx.path, text), scope)
    try:
        services = y.get(root, "services")
        if services is None and y.get(root, "version") is None:
            services = root  # compose file format 1: services at the top
        by_name = y.fields(services)
        for name, (key_node, node) in by_name.items():
            if node is None or node.id != "mapping":
                continue
            line = key_node.start_mark.line + 1
            if not ctx.more_processes(line, 1, "compose file", "services"):
                break
            ctx.spot = (ctx.path, line)
            _compose_service(ctx, y, by_name, name, key_node, node)
    except TooBig:  # deeper than the count follows: what was read of the file is dropped
        ctx.launches.clear()
        ctx.services.clear()
        ctx.effects.clear()
        _too_big(ctx, root)


def _too_big(ctx: _Ctx, node: Any) -> None:
    ctx.fail(
        ctx.path,
        node.start_mark.line + 1,
        f"compose file expands to more than {MAX_YAML_NODES} YAML nodes (aliases and merge "
        "keys followed); not read",
        node.start_mark.column + 1,
    )


def _compose_service(
    ctx: _Ctx,
    y: _Yaml,
    services: dict[str, tuple[Any, Any]],
    name: str,
    key: Any,
    node: Any,
) -> None:
    fields = {k: v for k, (_kn, v) in y.fields(node).items()}
    extends = fields.get("extends")
    base_name = None
    if extends is not None and extends.id == "scalar":
        base_name = str(extends.value)
    elif extends is not None and y.get(extends, "file") is None:
        got = y.get(extends, "service")
        base_name = str(got.value) if got is not None and got.id == "scalar" else None
    if base_name and base_name != name:
        base = services.get(base_name, (None, None))[1]
        if base is not None:
            fields = {**{k: v for k, (_kn, v) in y.fields(base).items()}, **fields}
    folder = _folder_of(ctx.path)
    refs: list[str] = []
    # the image the service builds
    image: _Image | None = None
    build = fields.get("build")
    build_pos = (key.start_mark.line + 1, key.start_mark.column + 1)
    if build is not None and not y.is_null(build):
        context_value: str | None = None
        dockerfile_value = "Dockerfile"
        build_args: dict[str, str] = {}
        target: str | None = None
        build_pos = (build.start_mark.line + 1, build.start_mark.column + 1)
        if build.id == "scalar":
            context_value = y.string(build)[0][0]
        else:
            context_node = y.get(build, "context")
            context_value = y.string(context_node)[0][0] if context_node is not None else "."
            dockerfile_node = y.get(build, "dockerfile")
            if dockerfile_node is not None:
                dockerfile_value = y.string(dockerfile_node)[0][0] or "Dockerfile"
            target_node = y.get(build, "target")
            if target_node is not None:
                target = y.string(target_node)[0][0]
            build_args = _compose_build_args(y, y.get(build, "args"))
        if context_value is not None and "://" not in context_value:
            context = os.path.normpath(os.path.join(folder, context_value))
            dockerfile = os.path.normpath(os.path.join(context, dockerfile_value))
            if isfile_within(dockerfile):
                image = _parse_dockerfile(
                    ctx, _display(dockerfile), _display(context), build_args, target
                )
                if image is not None:
                    refs.append(image.path)
    # its environment: image ENV < env_file < environment
    env: dict[str, EnvValue] = dict(image.stage.env) if image is not None else {}
    missing_env_files: list[tuple[str, int]] = []
    env_file = fields.get("env_file")
    files: list[Any] = []
    if env_file is not None:
        files = env_file.value if env_file.id == "sequence" else [env_file]
    env_paths: dict[str, int] = {}  # path -> line; a file named again applies where it is last
    for item in files:
        target = item if item.id == "scalar" else y.get(item, "path")
        if target is None:
            continue
        value = y.string(target)[0][0]
        if not value:
            continue
        env_path = _display(os.path.join(folder, value))
        env_paths.pop(env_path, None)
        env_paths[env_path] = item.start_mark.line + 1
    for env_path, line in env_paths.items():
        got = _dotenv(ctx, env_path, expand=True)
        if got is not None:
            env.update(got)
            refs.append(env_path)
        else:
            missing_env_files.append((env_path, line))
    environment = fields.get("environment")
    if environment is not None and environment.id == "mapping":
        for k, knode, vnode in y.items(environment):
            env[k] = _compose_env_value(ctx, y, k, knode, vnode)
    elif environment is not None and environment.id == "sequence":
        for item in environment.value:
            if item.id != "scalar":
                continue
            (text, why), pos = y.string(item)
            entry = str(item.value)
            k, eq, _v = entry.partition("=")
            if eq:
                value = text.partition("=")[2] if text is not None else None
                env[k.strip()] = EnvValue(value, ctx.path, pos[0], pos[1], why)
            else:
                env[k.strip()] = _passed(ctx, k.strip(), pos)
    if not ctx.more_env(key.start_mark.line + 1, len(env), "compose file", "services"):
        return
    workdir_node = fields.get("working_dir")
    workdir = image.stage.workdir if image is not None else None
    if workdir_node is not None and not y.is_null(workdir_node):
        workdir = y.string(workdir_node)[0][0] or workdir
    image_node = fields.get("image")
    image_ref = y.string(image_node)[0][0] if image_node is not None else None
    ctx.services.append(
        ComposeService(
            path=ctx.path,
            name=name,
            line=key.start_mark.line + 1,
            image=image_ref,
            image_line=image_node.start_mark.line + 1 if image_node is not None else None,
            built=_image_info(image) if image is not None else None,
            env={name: _placeholder_free(value) for name, value in env.items()},
            volumes=tuple(_compose_volumes(y, fields.get("volumes"), folder)),
            ports=tuple(_compose_ports(y, fields.get("ports"))),
            workdir=workdir,
            missing_env_files=tuple(missing_env_files),
            aliases=tuple(_compose_aliases(y, fields)),
        )
    )
    command = y.words(fields.get("command"))
    entrypoint_words = y.words(fields.get("entrypoint"))
    # entrypoint: replaces the image's ENTRYPOINT and drops its CMD; command: replaces CMD
    ep: _Cmd | None
    cmd: _Cmd | None
    if entrypoint_words is not None:
        ep = _Cmd("entrypoint", build_pos[0], words=entrypoint_words)
        cmd = _Cmd("command", build_pos[0], words=command) if command is not None else None
    else:
        ep = image.stage.entrypoint if image is not None else None
        if command is not None:
            cmd = _Cmd("command", build_pos[0], words=command)
        else:
            cmd = image.stage.cmd if image is not None else None
    if ep is None and cmd is None:
        return
    # words of the Dockerfile stand, in the compose file, where build: is
    ep, cmd = _anchored(ep, ctx.path, build_pos), _anchored(cmd, ctx.path, build_pos)

    def namer(w: _W) -> str:
        if w.path == ctx.path or not w.tag:
            return f"compose service {name}"
        return f"compose service {name} (Dockerfile {w.tag})"

    runner_image = image or _Image(ctx.path, folder, _Stage())
    shell = _image_shell(
        ctx,
        runner_image,
        namer=namer,
        env=env,
        workdir=workdir,
        refs=[ctx.path, *ctx.compose_refs, *refs],
    )
    if image is None:
        shell.folder = folder
    _docker_run(shell, ep, cmd)


# --- images and services, as the deployment stage sees them -----------------------------------


@dataclass(frozen=True, slots=True)
class ImageCopy:
    """A ``COPY``/``ADD`` of the build context into the image (``--from`` copies are not)."""

    sources: tuple[str, ...]  # as written, relative to the build context
    dest: str  # the container path (absolute)
    line: int


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """An image a Dockerfile of the repository builds (its last stage, or the target)."""

    path: str  # the Dockerfile
    context: str  # the build context, a folder of the repository
    base: str | None  # FROM (a stage's own base for FROM <stage>), variables expanded
    base_line: int
    env: dict[str, EnvValue]
    workdir: str | None
    copies: tuple[ImageCopy, ...]
    runs: bool  # it has a CMD or an ENTRYPOINT

    def files(self, limit: int = MAX_INDEX_FILES) -> dict[str, str]:
        """Container path -> repository file, for every file the COPY lines put in the image
        (a later COPY over an earlier one wins; folders copied file by file, at most
        ``limit`` files)."""
        from gwlint.loaders.common import outside

        out: dict[str, str] = {}
        count = 0
        for copy in self.copies:
            many = len(copy.sources) > 1 or copy.dest.endswith("/")
            for source in copy.sources:
                # a source is relative to the build context, "/" included; Docker refuses one
                # that leaves it, and so does gwlint: never a file of the host
                relative = os.path.normpath(source.lstrip("/") or ".")
                if relative == ".." or relative.startswith(".." + os.sep):
                    continue
                pattern = os.path.join(self.context, relative)
                matches = sorted(glob.glob(pattern)) if glob.has_magic(relative) else [pattern]
                for local in matches:
                    local = os.path.normpath(local)
                    if outside(local, self.path):
                        continue
                    if os.path.isdir(local):
                        # COPY dir /dest puts the folder's content in /dest
                        base = copy.dest
                        for here, dirs, names in os.walk(local):
                            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
                            for name in sorted(names):
                                full = os.path.join(here, name)
                                if os.path.islink(full) and outside(full, self.path):
                                    continue  # a symlink out of the tree
                                inner = os.path.relpath(full, local)
                                out[os.path.normpath(os.path.join(base, inner))] = _display(full)
                                count += 1
                                if count >= limit:
                                    return out
                    elif isfile_within(local):
                        into = (
                            os.path.join(copy.dest, os.path.basename(local))
                            if many or len(matches) > 1
                            else copy.dest
                        )
                        out[os.path.normpath(into)] = _display(local)
                        count += 1
        return out


@dataclass(frozen=True, slots=True)
class ComposeVolume:
    source: str  # a repository path for a bind mount (relative to the compose file), else a name
    target: str  # the container path
    line: int
    bind: bool
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class ComposePort:
    host_ip: str | None  # None: every interface
    host_port: str | None  # None: not published
    container_port: int | None
    line: int


@dataclass(frozen=True, slots=True)
class ComposeService:
    """A service of a compose file: what it runs and with what."""

    path: str
    name: str
    line: int
    image: str | None  # image: as written, variables interpolated
    image_line: int | None
    built: ImageInfo | None  # the image it builds from a Dockerfile of the repository
    env: dict[str, EnvValue]  # image ENV < env_file < environment
    volumes: tuple[ComposeVolume, ...]
    ports: tuple[ComposePort, ...]
    workdir: str | None
    missing_env_files: tuple[tuple[str, int], ...] = ()  # env_file: entries not in the repository
    aliases: tuple[str, ...] = ()  # other names it is reached by (networks aliases, hostname)


def _image_info(image: _Image) -> ImageInfo:
    stage = image.stage
    return ImageInfo(
        path=image.path,
        context=image.context,
        base=stage.base,
        base_line=stage.base_line,
        env={name: _placeholder_free(value) for name, value in stage.env.items()},
        workdir=stage.workdir,
        copies=tuple(
            ImageCopy(
                tuple(copy.sources),
                os.path.normpath(
                    copy.dest
                    if copy.dest.startswith("/")
                    else os.path.join(copy.workdir or "/", copy.dest)
                )
                + ("/" if copy.dest.endswith("/") else ""),
                copy.line,
            )
            for copy in stage.copies
        ),
        runs=stage.cmd is not None or stage.entrypoint is not None,
    )


def _compose_volumes(y: _Yaml, node: Any, folder: str) -> Iterator[ComposeVolume]:
    """``volumes:`` of a service: ``./nginx.conf:/etc/nginx/nginx.conf:ro`` and the long form."""
    if node is None or getattr(node, "id", "") != "sequence":
        return
    for item in node.value:
        line = item.start_mark.line + 1
        if item.id == "scalar":
            text = y.string(item)[0][0]
            if not text:
                continue
            parts = text.split(":")
            if len(parts) < 2:
                continue  # an anonymous volume: a container path only
            source, target = parts[0], parts[1]
            mode = parts[2] if len(parts) > 2 else ""
            read_only = "ro" in mode.split(",")
        elif item.id == "mapping":
            source_node, target_node = y.get(item, "source"), y.get(item, "target")
            if target_node is None:
                continue
            source = (y.string(source_node)[0][0] or "") if source_node is not None else ""
            target = y.string(target_node)[0][0] or ""
            ro_node = y.get(item, "read_only")
            read_only = ro_node is not None and str(ro_node.value).lower() == "true"
        else:
            continue
        bind = source.startswith((".", "/", "~"))
        if bind and not source.startswith(("/", "~")):
            source = _display(os.path.join(folder, source))
        if target.startswith("/"):
            yield ComposeVolume(source, os.path.normpath(target), line, bind, read_only)


def _compose_aliases(y: _Yaml, fields: dict[str, Any]) -> Iterator[str]:
    """``container_name:``, ``hostname:`` and ``networks: {net: {aliases: [...]}}``."""
    for key in ("container_name", "hostname"):
        node = fields.get(key)
        if node is not None and node.id == "scalar":
            text = y.string(node)[0][0]
            if text:
                yield text
    networks = fields.get("networks")
    for _name, _key, network in y.items(networks):
        aliases = y.get(network, "aliases")
        if aliases is not None and aliases.id == "sequence":
            for item in aliases.value:
                text = y.string(item)[0][0] if item.id == "scalar" else None
                if text:
                    yield text


def _compose_ports(y: _Yaml, node: Any) -> Iterator[ComposePort]:
    """``ports:``: ``"8080:80"``, ``"127.0.0.1:8080:80"``, ``"80"``, and the long form."""
    if node is None or getattr(node, "id", "") != "sequence":
        return
    for item in node.value:
        line = item.start_mark.line + 1
        if item.id == "scalar":
            text = (y.string(item)[0][0] or "").split("/")[0]
            host_ip: str | None = None
            if text.startswith("["):  # [::1]:8080:80
                end = text.find("]")
                host_ip, text = text[1:end], text[end + 2 :]
            parts = text.rsplit(":", 2)
            if len(parts) == 3:
                host_ip, host_port, container = parts
            elif len(parts) == 2:
                host_port, container = parts
            else:
                host_port, container = None, parts[0]
            yield ComposePort(
                host_ip or None, host_port or None, decimal(container.split("-")[0]), line
            )
        elif item.id == "mapping":
            target, published = y.get(item, "target"), y.get(item, "published")
            ip = y.get(item, "host_ip")
            yield ComposePort(
                (y.string(ip)[0][0] or None) if ip is not None else None,
                (y.string(published)[0][0] or None) if published is not None else None,
                decimal(str(target.value)) if target is not None else None,
                line,
            )


def read_image(path: str, env: dict[str, str], problems: Problems) -> ImageInfo | None:
    """The image a Dockerfile builds (its last stage), for the deployment stage: base image,
    ENV, WORKDIR and what it copies. Problems of the file are read_launches' to report."""
    ctx = _Ctx(path, dict(env), Problems(), spot=(path, 1))
    images: list[_Image | None] = [None]

    def parse(ctx: _Ctx) -> None:
        images[0] = _parse_dockerfile(ctx, path)

    try:
        _reading(ctx, parse)
    except (RecursionError, ValueError):
        return None
    image = images[0]
    return _image_info(image) if image is not None else None


def read_compose_services(
    path: str, env: dict[str, str], problems: Problems
) -> list[ComposeService]:
    """The services of a compose file, for the deployment stage: image, environment, bind
    mounts, published ports. Problems of the file are read_launches' to report."""
    ctx = _Ctx(path, dict(env), Problems(), spot=(path, 1))
    try:
        _reading(ctx, _read_compose)
    except (RecursionError, ValueError):
        return []
    except Exception:  # a compose file must never stop the run (read_launches reports it)
        return []
    return ctx.services


def read_command(
    path: str,
    label: str,
    words: list[Word],
    env: dict[str, EnvValue],
    cli_env: dict[str, str],
    problems: Problems,
    *,
    workdir: str | None = None,
) -> list[Launch]:
    """The app server a command given as words starts (a Kubernetes container's command and
    args, no shell between them), seen through the wrappers, shells and scripts of the
    repository it runs, with ``env`` as its environment."""
    ctx = _Ctx(path, dict(cli_env), problems, spot=(path, words[0].line if words else 1))
    shell = _Shell(
        ctx,
        namer=_fixed(label),
        folder=_folder_of(path),
        workdir=workdir,
        variables={k: _env_var(v) for k, v in env.items()},
        passthrough=True,
    )
    expanded = [
        _W(w.text, w.raw, path, (w.line, w.column or 1), unknown=w.unknown, template=w.raw)
        for w in words
    ]
    try:
        _reading(ctx, lambda _ctx: shell.command(expanded, {}))
    except RecursionError:
        ctx.fail(*ctx.spot, "launcher nests too deeply to be read")
    except Exception as exc:  # a launcher must never stop the run
        ctx.fail(*ctx.spot, f"launcher cannot be read: {type(exc).__name__}: {exc}")
    return ctx.launches


def _compose_build_args(y: _Yaml, node: Any) -> dict[str, str]:
    """``build: args:`` (a mapping, or a list of ``NAME=value``); values compose knows."""
    out: dict[str, str] = {}
    if node is None:
        return out
    if node.id == "mapping":
        for name, _key, value in y.items(node):
            if not y.is_null(value) and y.string(value)[0][0] is not None:
                out[name] = y.string(value)[0][0] or ""
    elif node.id == "sequence":
        for item in node.value:
            text = y.string(item)[0][0] if item.id == "scalar" else None
            if text and "=" in text:
                name, _, value = text.partition("=")
                out[name.strip()] = value
    return out


def _anchored(cmd: _Cmd | None, path: str, pos: _Pos) -> _Cmd | None:
    """A copy of ``cmd`` whose words from other files stand at ``pos`` in ``path``."""
    if cmd is None:
        return None
    words = (
        [w if w.path == path else replace(w, alt={**w.alt, path: pos}) for w in cmd.words]
        if cmd.words is not None
        else None
    )
    shell = cmd.shell
    if shell is not None and shell.path != path:
        shell = replace(shell, alt=((*shell.alt, (path, pos))))
    return replace(cmd, words=words, shell=shell)


def _passed(ctx: _Ctx, name: str, pos: _Pos) -> EnvValue:
    """``environment: [NAME]``: the value of the shell that runs docker compose."""
    if name in ctx.cli_env:
        return EnvValue(ctx.cli_env[name], ctx.path, pos[0], pos[1])
    return EnvValue(
        None,
        ctx.path,
        pos[0],
        pos[1],
        f"{name} is passed from the shell that runs docker compose (give it with --env "
        f"{name}=VALUE)",
    )


def _compose_env_value(ctx: _Ctx, y: _Yaml, name: str, key: Any, value: Any) -> EnvValue:
    pos = (key.start_mark.line + 1, key.start_mark.column + 1)
    if y.is_null(value):
        return _passed(ctx, name, pos)
    (text, why), _ = y.string(value)
    return EnvValue(text, ctx.path, pos[0], pos[1], why)


# --- systemd --------------------------------------------------------------------------------------


def _unit_lines(text: str) -> Iterator[tuple[str, str, list[tuple[str, int, int]]]]:
    """(section, key, value segments) of a unit file, continuation lines joined."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    section = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
            continue
        key, eq, _ = line.partition("=")
        if not eq:
            continue
        start = len(key) + 1
        while start < len(line) and line[start] in " \t":
            start += 1
        segments: list[tuple[str, int, int]] = []
        value, number, column = line[start:], i, start + 1
        while True:
            if value.endswith("\\"):
                segments.append((value[:-1], number, column))
                while i < len(lines) and lines[i].strip()[:1] in ("#", ";"):
                    i += 1
                if i >= len(lines):
                    break
                value, number, column = lines[i], i + 1, 1
                i += 1
                continue
            segments.append((value, number, column))
            break
        yield section, key.strip(), segments


def _systemd_percent(unit: str) -> _PercentHook:
    name = os.path.basename(unit)
    stem = name.rsplit(".", 1)[0]
    prefix, at, _instance = stem.partition("@")
    known = {"%": "%", "p": prefix, "P": prefix}
    if not at:  # a template's instance (app@x.service) is known only where it runs
        known.update({"i": "", "I": "", "n": name, "N": stem})

    def hook(t: str, i: int) -> tuple[int, str | None, str] | None:
        if i + 1 >= len(t):
            return None
        letter = t[i + 1]
        if letter in known:
            return 2, known[letter], ""
        if letter.isalpha():
            return 2, None, f"the systemd specifier %{letter} is known only where the unit runs"
        return None

    return hook


def _read_systemd(ctx: _Ctx) -> None:
    text = _read(ctx.path, ctx.problems, kind="systemd unit")
    if text is None:
        return
    folder = _folder_of(ctx.path)
    percent = _systemd_percent(ctx.path)
    execs: list[_Src] = []
    env: dict[str, EnvValue] = {}
    env_files: dict[str, None] = {}  # EnvironmentFile= files, in the order they apply
    refs: list[str] = []
    workdir: str | None = None
    syntax = _Syntax(dollar="systemd", c_escapes=True, percent="systemd")
    for section, key, segments in _unit_lines(text):
        if section != "Service":
            continue
        src = _joined_src(ctx.path, segments, " ")
        ctx.spot = (ctx.path, segments[0][1])
        if key == "ExecStart":
            if not src.text.strip():
                execs = []
            else:
                execs.append(src)
        elif key == "Environment":
            if not src.text.strip():
                env = {}
                continue
            tokens, _ = _lex(src, replace(syntax, dollar=""), percent)
            for tok in tokens:
                for w in _expand(tok, _Scope()):
                    k, eq, v = (w.text if w.text is not None else w.template or "").partition("=")
                    if eq and _NAME.fullmatch(k):
                        value = v if w.text is not None else None
                        env[k] = EnvValue(value, ctx.path, w.pos[0], w.pos[1], w.unknown)
        elif key == "EnvironmentFile":
            value = src.text.strip()
            if not value:
                env_files = {}
                continue
            value = value.lstrip("-")
            tokens, _ = _lex(_Src(value, ctx.path), replace(syntax, dollar=""), percent)
            if not tokens or any(p.kind != "lit" for p in tokens[0].parts):
                continue  # %i.env: known only where the unit runs
            name = _lit_text(tokens[0].parts)
            candidates = (
                os.path.join(folder, name.lstrip("/")),
                os.path.join(folder, os.path.basename(name)),
            )
            for candidate in candidates:
                if _dotenv(ctx, candidate, expand=False) is not None:
                    env_files.pop(candidate, None)  # a file named again applies where it is last
                    env_files[candidate] = None
                    refs.append(_display(candidate))
                    break
        elif key == "WorkingDirectory":
            value = src.text.strip().lstrip("-")
            if value and not value.startswith("~"):
                workdir = value
    if not execs:
        return
    file_env: dict[str, EnvValue] = {}
    for name in env_files:
        file_env.update(_dotenv(ctx, name, expand=False) or {})
    refs = list(dict.fromkeys(refs))
    variables = {k: _env_var(v) for k, v in {**env, **file_env}.items()}
    label = os.path.basename(ctx.path)

    def unset(name: str) -> _Value:
        return None, (
            f"${name} is not set with Environment= or EnvironmentFile=, so systemd gives it no "
            f"value (give it with --env {name}=VALUE)"
        )

    if len(execs) > MAX_PROCESSES:
        line = execs[MAX_PROCESSES].pos(0)[0]
        execs = execs[: ctx.more_processes(line, len(execs), "systemd unit", "ExecStart= lines")]
    for src in execs:
        ctx.spot = (ctx.path, src.pos(0)[0])
        if not ctx.more_env(src.pos(0)[0], len(variables), "systemd unit", "ExecStart= lines"):
            break
        m = re.match(r"[\s@\-:+!|]*", src.text)
        flags = m.group(0) if m else ""
        body = src.sub(len(flags))
        tokens, error = _lex(body, syntax, percent)
        if error is not None:
            _report_unterminated(ctx, body, error, "ExecStart")
            continue
        shell = _Shell(
            ctx,
            namer=lambda _w: label,
            folder=folder,
            workdir=workdir,
            variables=variables,
            refs=refs,
            unset=unset,
        )
        words: list[_W] = []
        for tok in tokens:
            words.extend(_expand(tok, shell))
        if "@" in flags and len(words) > 1:
            words = [words[0], *words[2:]]  # @: the second word is argv[0]
        shell.command(words, {})


# --- supervisord ----------------------------------------------------------------------------------


# ``name = value`` or ``name: value``; the blanks before ``=`` are stripped from the name after
# the match (``[^=:]*?\s*[=:]`` would try every blank of a long run, quadratic)
_SUPERVISOR_OPTION = re.compile(r"^\s*([^=:\s][^=:]*)[=:]\s*")
# after ``%(name)``: flags, width, precision, conversion (the flags take every ``0``, so a width
# starts with another digit: ``[-#0 +]*\d*`` would split a run of zeros every way)
_SUPERVISOR_SPEC = re.compile(r"([-#0 +]*(?:[1-9]\d*)?(?:\.\d+)?)([diouxXeEfFgGcrs%])")
_SPEC_NUMBER = re.compile(r"\d+")


def _supervisor_sections(text: str) -> dict[str, dict[str, list[tuple[str, int, int]]]]:
    """section -> key -> value segments, as ConfigParser reads them (continuation lines,
    ``;``/``#`` comments, inline comments after a blank)."""
    sections: dict[str, dict[str, list[tuple[str, int, int]]]] = {}
    current: dict[str, list[tuple[str, int, int]]] | None = None
    last: list[tuple[str, int, int]] | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            if not stripped:
                last = None
            continue
        if line[0] in " \t" and last is not None:
            body = _strip_inline(line)
            col = len(body) - len(body.lstrip()) + 1
            last.append((body.strip(), number, col))
            continue
        if stripped.startswith("["):
            name = stripped[1 : stripped.find("]")] if "]" in stripped else stripped[1:]
            current = sections.setdefault(name.strip(), {})
            last = None
            continue
        if current is None:
            continue
        m = _SUPERVISOR_OPTION.match(line)
        if m is None:
            continue
        value = _strip_inline(line[m.end() :]).rstrip()
        last = [(value, number, m.end() + 1)]
        current[m.group(1).rstrip().lower()] = last
    return sections


def _strip_inline(value: str) -> str:
    m = re.search(r"\s[;#]", value)
    return value[: m.start()] if m else value


def _supervisor_percent(
    ctx: _Ctx, program: str | None, process_num: int | None, here: str
) -> _PercentHook:
    """``%(name)s`` expansion; ``program`` None: in ``[supervisord]``, which knows only
    ``here`` and ``ENV_X``."""
    # the first ")" at or after an index, remembered: the lexer asks from left to right, and
    # ``%(%(%(...`` without a ")" would be searched to its end once for every "%("
    closing: list[Any] = [None, -1, -1]  # text, searched from, found at (-1: none)

    def close_of(t: str, start: int) -> int:
        text, searched, found = closing
        if text is not t or start < searched or (found != -1 and start > found):
            found = t.find(")", start)
            closing[:] = [t, start, found]
        return int(found)

    def hook(t: str, i: int) -> tuple[int, str | None, str] | None:
        if not t.startswith("%(", i):
            return (2, "%", "") if t.startswith("%%", i) else None
        close = close_of(t, i + 2)
        m = _SUPERVISOR_SPEC.match(t, close + 1) if close != -1 else None
        if m is None:
            return None
        name = t[i + 2 : close]
        spec, conv = m.groups()
        length = m.end() - i
        numbers = _SPEC_NUMBER.findall(spec)
        if any(len(n) > 6 or int(n) > MAX_VALUE for n in numbers):
            return length, None, f"%({name}){spec}{conv} {_TOO_LONG[3:]}"
        value: object
        if name.startswith("ENV_"):
            var = name[4:]
            if var not in ctx.cli_env:
                return (
                    length,
                    None,
                    f"%({name})s is {var} of the environment supervisord starts with (give it "
                    f"with --env {var}=VALUE)",
                )
            value = ctx.cli_env[var]
        elif name == "here":
            value = os.path.abspath(here) if os.path.isabs(here) else here
        elif program is None:
            return length, None, f"%({name})s is not one supervisord fills in [supervisord]"
        elif name in ("program_name", "group_name"):
            value = program
        elif name == "process_num":
            if process_num is None:
                return length, None, "%(process_num)d depends on numprocs"
            value = process_num
        elif name == "numprocs":
            value = 1
        else:
            return length, None, f"%({name})s is known only where supervisord runs"
        try:
            text = ("%" + spec + conv) % value
        except (TypeError, ValueError):
            text = str(value)
        return length, text, ""

    return hook


def _supervisor_env(
    ctx: _Ctx, segments: list[tuple[str, int, int]], percent: _PercentHook
) -> dict[str, EnvValue]:
    """``KEY="val",KEY2=val2`` (quotes removed, ``%(ENV_X)s`` expanded)."""
    src = _joined_src(ctx.path, segments, "\n")
    out: dict[str, EnvValue] = {}
    t = src.text
    i = 0
    entries = 0
    while i < len(t):
        while i < len(t) and t[i] in " \t\n,":
            i += 1
        if i >= len(t):
            break
        start = i
        quote = ""
        while i < len(t):
            c = t[i]
            if quote:
                if c == quote:
                    quote = ""
            elif c in "'\"":
                quote = c
            elif c == ",":
                break
            i += 1
        key, eq, _ = t[start:i].partition("=")
        if not eq or not key.strip():
            continue
        entries += 1
        if entries > MAX_ENVIRONMENT:
            break  # more than any process may have (``more_env``)
        raw = t[start + len(key) + 1 : i]
        value: str | None
        if len(raw) <= MAX_VALUE and not any(c in raw for c in "%'\"\\"):
            value, why = raw, None  # plain text (most values): no lexer
        else:
            sub = src.sub(start + len(key) + 1, i)
            tokens, _ = _lex(sub, _Syntax(split=False), percent)
            value, why = _join(tokens[0].parts, _Scope(), tokens[0]) if tokens else ("", None)
        line, column = src.pos(start)
        out[key.strip()] = EnvValue(value.strip() if value else value, ctx.path, line, column, why)
    return out


def _read_supervisord(ctx: _Ctx) -> None:
    text = _read(ctx.path, ctx.problems, kind="supervisord")
    if text is None:
        return
    sections = _supervisor_sections(text)
    folder = _folder_of(ctx.path)
    daemon = sections.get("supervisord", {})
    # [supervisord] environment= is expanded once, as supervisord does (with %(here)s and
    # %(ENV_X)s only), not again for each program
    daemon_env: dict[str, EnvValue] = {}
    if "environment" in daemon:
        daemon_percent = _supervisor_percent(ctx, None, None, folder)
        daemon_env = _supervisor_env(ctx, daemon["environment"], daemon_percent)
    for section, keys in sections.items():
        kind, _, program = section.partition(":")
        if kind not in ("program", "fcgi-program") or "command" not in keys:
            continue
        line = keys["command"][0][1]
        ctx.spot = (ctx.path, line)
        numprocs_text = keys.get("numprocs", [("1", 0, 0)])[0][0].strip()
        start_text = keys.get("numprocs_start", [("0", 0, 0)])[0][0].strip()
        numprocs = decimal(numprocs_text) or 1
        first = decimal(start_text) or 0
        uses_num = any("process_num" in seg[0] for segs in keys.values() for seg in segs)
        # each copy is read anew (its %(process_num)d differs): at most 64 of them, and fewer
        # when the program's text is long
        size = sum(len(seg[0]) for segs in keys.values() for seg in segs)
        copies = min(numprocs, 64, max(1, MAX_PROGRAM_TEXT // max(size, 1)))
        numbers: list[int | None] = (
            list(range(first, first + copies)) if uses_num and numprocs > 1 else [first]
        )
        given = ctx.more_processes(line, len(numbers), "supervisord config")
        if not given:
            break
        for process_num in numbers[:given]:
            percent = _supervisor_percent(ctx, program, process_num, folder)
            env: dict[str, EnvValue] = dict(daemon_env)
            if "environment" in keys:
                env.update(_supervisor_env(ctx, keys["environment"], percent))
            if not ctx.more_env(line, len(env), "supervisord config"):
                return
            workdir = None
            work_folder = folder
            if "directory" in keys:
                got = _lex(_joined_src(ctx.path, keys["directory"]), _Syntax(split=False), percent)
                if got[0]:
                    workdir, _ = _join(got[0][0].parts, _Scope(), got[0][0])
                    if workdir and not os.path.isabs(workdir) and os.path.isdir(workdir):
                        work_folder = _display(workdir)
            src = _joined_src(ctx.path, keys["command"], "\n")
            tokens, error = _lex(src, _SHLEX, percent)
            label = f"supervisord program:{program}"
            if len(numbers) > 1:
                label += f" (process_num {process_num})"
            if error is not None:
                _report_unterminated(ctx, src, error, f"supervisord program:{program}")
                break  # supervisord refuses the whole program
            shell = _Shell(
                ctx,
                namer=_fixed(label),
                folder=work_folder,
                workdir=workdir,
                variables={k: _env_var(v) for k, v in env.items()},
            )
            words: list[_W] = []
            for tok in tokens:
                words.extend(_expand(tok, shell))
            shell.command(words, {})


# --- entry points ---------------------------------------------------------------------------------

_READERS: dict[str, Callable[[_Ctx], None]] = {
    "procfile": _read_procfile,
    "dockerfile": _read_dockerfile,
    "compose": _read_compose,
    "systemd": _read_systemd,
    "supervisord": _read_supervisord,
    "env": _read_env,
    "shell": _read_shell,
}


def read_launches(
    path: str,
    env: dict[str, str],
    problems: Problems,
    *,
    kind: LauncherKind | None = None,
    base_env: Mapping[str, EnvValue] | None = None,
) -> list[Launch]:
    """Every command in the launcher file that starts gunicorn, uvicorn or uWSGI.

    ``env``: the values given with ``--env``; they give ``$VAR`` a value where the launcher does
    not set it, and win over the default of ``${VAR:-default}``. ``kind``: the launcher kind when
    the caller knows it (else from ``launcher_kind(path, walking=False)``). ``base_env``: the
    environment the launcher itself runs in (the ENV of the image a script or a supervisord
    config runs in), for shell scripts, Procfiles, supervisord configs and systemd units: like
    values the launcher declares, beneath its own (``environment=``, ``Environment=``, a
    script's assignments) and beneath ``--env``; Dockerfiles and compose files have their own.
    Never raises: a file that cannot be read where it matters is a GW008 with its line.
    """
    kind = kind or launcher_kind(path, walking=False)
    if kind is None:
        return []
    ctx = _Ctx(path, dict(env), problems, spot=(path, 1))
    if kind in _BASE_ENV_KINDS and base_env:
        ctx.base_env = dict(base_env)
    try:
        _reading(ctx, _READERS[kind])
    except RecursionError:
        ctx.fail(*ctx.spot, "launcher nests too deeply to be read")
        return []
    except Exception as exc:  # a launcher must never stop the run
        ctx.fail(*ctx.spot, f"launcher cannot be read: {type(exc).__name__}: {exc}")
        return []
    line = _starts_nginx(path, kind) if ctx.launches else None
    if line is not None:
        where = f"{_display(path)}:{line}"
        return [replace(launch, beside_nginx=where) for launch in ctx.launches]
    return ctx.launches


def _reading(ctx: _Ctx, reader: Callable[[_Ctx], None]) -> None:
    """``reader(ctx)`` with the words it splits counted: past MAX_TOKENS, a warning where it
    is, and what was read before stands."""
    counted = _TOKENS.set([0])
    try:
        reader(ctx)
    except _OutOfWords:
        ctx.fail(
            *ctx.spot,
            f"launcher holds more than {MAX_TOKENS} words (with the scripts it runs); the rest "
            "is not read",
        )
    finally:
        _TOKENS.reset(counted)


# a command that runs nginx itself (not nginx -t, -v, -s: those test or signal it)
_NGINX_COMMAND = re.compile(
    r"^(?:exec\s+|sudo\s+)?(?:\S*/)?(?:nginx(?!\s+-[tTvVs])(?:\s|$)|start-nginx\b)"
    r"|^(?:sudo\s+)?service\s+nginx\s+(?:re)?start\b"
)


def _starts_nginx(path: str, kind: str) -> int | None:
    """The line where this launcher also starts nginx (a supervisord program, a Procfile
    process or the start-nginx wrapper, a line of a shell script), or None. Read only for
    the kinds that run several processes side by side; a plain match on each command."""
    if kind not in ("supervisord", "procfile", "shell"):
        return None
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read(MAX_FILE_BYTES).splitlines()
    except OSError:
        return None
    for number, text in enumerate(lines, start=1):
        command = text.strip()
        if command.startswith(("#", ";")):
            continue
        if kind == "supervisord":
            if not command.startswith("command"):
                continue
            command = command.partition("=")[2].strip()
        elif kind == "procfile":
            name, colon, rest = command.partition(":")
            if not colon or not name.strip():
                continue
            command = rest.strip()
        if _NGINX_COMMAND.match(command):
            return number
    return None


def overridden(launches: list[Launch]) -> list[Launch]:
    """The launches of all files, without those another launch stands for:

    - a Dockerfile's own launch (label ``Dockerfile ...``, its path or ``referenced`` holding the
      Dockerfile) when a compose service builds that Dockerfile (the compose launch lists it in
      its ``path``/``referenced``): the compose service runs the image, with its own
      ``command:`` or the Dockerfile's (``compose service web (Dockerfile CMD)``), and its
      environment;
    - a shell script read on its own (label = its file name) when another launch runs it
      (``Dockerfile CMD -> start.sh``, ``Procfile web -> start.sh``: its ``path`` or
      ``referenced``).

    Env files with ``GUNICORN_CMD_ARGS`` (``implicit``) are left to the caller.
    """

    def real(path: str) -> str:
        return os.path.realpath(path)

    def standalone(launch: Launch) -> bool:
        return launch.label == os.path.basename(launch.path) and (
            launcher_kind(launch.path, walking=False) == "shell"
        )

    alone = [standalone(launch) for launch in launches]
    built: set[str] = set()
    pulled: set[str] = set()  # files that launches other than a script's own read
    for index, launch in enumerate(launches):
        files = (launch.path, *launch.referenced)
        if launch.label.startswith("compose service"):
            built.update(real(f) for f in files if launcher_kind(f, walking=False) == "dockerfile")
        if not alone[index]:
            pulled.update(real(f) for f in files)
    kept: list[Launch] = []
    for index, launch in enumerate(launches):
        reads = {real(f) for f in (launch.path, *launch.referenced)}
        if launch.label.startswith("Dockerfile") and reads & built:
            continue
        if alone[index] and real(launch.path) in pulled:
            continue
        kept.append(launch)
    return kept


# --- what scripts write ---------------------------------------------------------------------------

_BASE_ENV_KINDS = frozenset({"shell", "procfile", "supervisord", "systemd"})


def script_effects(
    path: str,
    env: dict[str, str],
    problems: Problems,
    *,
    kind: LauncherKind | None = None,
    base_env: Mapping[str, EnvValue] | None = None,
) -> list[Effect]:
    """The files a shell script writes where it runs (``printf ... > /etc/nginx/nginx.conf``,
    ``envsubst < t > f``, ``cp``, ``ln -s``, ``mkdir``...), in the order it writes them, with
    the scripts it sources or runs (as ``read_launches`` follows them); for a Dockerfile
    (``kind`` "dockerfile"), what the ``RUN`` instructions of its last stage write, each run
    with the stage's ENV and ARG values. A write inside an ``if``, a ``case`` or a loop is
    listed too (it may run). Nothing is run, nothing written.

    ``env``: the ``--env`` values. ``base_env``: the environment the script runs in (the image's
    ENV, a compose service's ``environment:``), beneath what the script assigns (not used for a
    Dockerfile). A script that cannot be read or split is reported by ``read_launches``, not
    here: only an internal error is a GW008 in ``problems``. Never raises.
    """
    ctx = _Ctx(path, dict(env), Problems(), spot=(path, 1))  # read_launches reports the file
    try:
        kind = kind or launcher_kind(path, walking=False)
        if kind is None and _is_shell_script(path):
            kind = "shell"
        if kind == "shell":
            ctx.base_env = dict(base_env or {})
            _reading(ctx, _read_shell)
        elif kind == "dockerfile":
            _reading(ctx, _dockerfile_effects)
    except RecursionError:
        pass  # read_launches reports it
    except Exception as exc:  # what a script writes must never stop the run
        problems.add(
            CODE,
            ctx.spot[0],
            ctx.spot[1],
            f"cannot tell what the launcher writes: {type(exc).__name__}: {exc}",
        )
    return list(ctx.effects)


def start_effects(path: str, env: dict[str, str]) -> list[Effect]:
    """What the image a Dockerfile builds writes when a container of it starts: its
    ENTRYPOINT and CMD, and the scripts they run (``CMD envsubst < t > f && supervisord``).
    Nothing is reported (read_launches reports the file); never raises."""
    ctx = _Ctx(path, dict(env), Problems(), spot=(path, 1))
    try:
        _reading(ctx, _read_dockerfile)
    except Exception:  # (RecursionError included) read_launches reports what it can
        return []
    return list(ctx.effects)


def _dockerfile_effects(ctx: _Ctx) -> None:
    """The ``RUN`` instructions of the last stage, each a shell of its own."""
    text = _read(ctx.path, ctx.problems, kind="Dockerfile")
    if text is None:
        return
    image = _parse_dockerfile(ctx, ctx.path)
    if image is None:
        return
    stage = image.stage
    instructions = list(_docker_instructions(ctx.path, text))
    starts = [k for k, (keyword, _a, _l) in enumerate(instructions) if keyword == "FROM"]
    if not starts:
        return
    lines = [line.rstrip("\r") for line in text.split("\n")]
    escape = _docker_escape(lines)
    _kw, from_args, from_line = instructions[starts[-1]]
    variables: dict[str, _Var] = {
        name: _Var(value, why, ctx.path, (from_line, 1), True, (), declared=True)
        for name, (value, why) in stage.args.items()
    }
    variables.update({k: _env_var(v) for k, v in stage.env.items()})
    scope = _DictScope({k: (v.value, v.why) for k, v in variables.items()}, {})
    workdir = _parent_workdir(ctx, from_args)
    for keyword, args, line in instructions[starts[-1] + 1 :]:
        ctx.spot = (ctx.path, line)
        if keyword == "WORKDIR":
            tokens, _ = _lex(args, replace(_DOCKER_WORDS, split=False, escape=escape))
            folder = _join(tokens[0].parts, scope, tokens[0])[0] if tokens else None
            folder = (folder or "").strip()
            if folder:
                workdir = os.path.normpath(os.path.join(workdir or "/", folder))
            continue
        if keyword != "RUN":
            continue
        flags = re.match(r"\s*(?:--[A-Za-z-]+(?:=\S*)?\s+)*", args.text)
        body = args.sub(flags.end() if flags else 0)
        shell = _Shell(
            ctx,
            namer=_fixed("Dockerfile RUN"),
            folder=_docker_folder(image, workdir),
            workdir=workdir,
            variables=variables,
            resolver=_docker_resolver(image),
            chain=(os.path.realpath(image.path),),
        )
        if body.text.lstrip().startswith("["):
            words = _json_words(_Ctx(ctx.path, {}, Problems()), body, "RUN")
            if words:
                shell.ctx.spot = (ctx.path, line)
                shell._effects(words, [], None, "", _Tok([], body.text, 0, body))
                shell.command(words, {})
            continue
        heredoc = re.match(r"\s*<<(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2", body.text)
        if heredoc is not None:
            src = _heredoc_src(ctx.path, lines, args, heredoc.group(3), bool(heredoc.group(1)))
            if src is None:
                continue
        else:
            src = body
        tokens, error = _lex(src, _SH)
        if error is not None:
            tokens = _before_error(tokens)
        shell.run(tokens)


def _parent_workdir(ctx: _Ctx, from_args: _Src) -> str | None:
    """The WORKDIR the last stage starts with: its parent stage's, when it is one of the file."""
    words = [w for w in from_args.text.split() if not w.startswith("--")]
    if not words:
        return None
    parent = _parse_dockerfile(ctx, ctx.path, target=words[0])
    if parent is None or (parent.stage.name or "").lower() != words[0].lower():
        return None
    return parent.stage.workdir


def _heredoc_src(path: str, lines: list[str], args: _Src, delim: str, tabs: bool) -> _Src | None:
    """``RUN <<EOF``: the lines of the here-document, as a script where they are written."""
    last = args.pos(max(len(args.text) - 1, 0))[0]  # the instruction's last line
    segments: list[tuple[str, int, int]] = []
    for number in range(last, len(lines)):
        line = lines[number]
        if (line.lstrip("\t") if tabs else line).strip() == delim:
            return _joined_src(path, segments, "\n")
        segments.append((line, number + 1, 1))
    return None


__all__ = [
    "Effect",
    "EffectKind",
    "LauncherKind",
    "launcher_kind",
    "overridden",
    "read_launches",
    "script_effects",
    "start_effects",
]
