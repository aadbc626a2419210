"""Launcher files -> ``Launch`` records: the commands in them that start gunicorn, uvicorn or uWSGI.

Kinds (``launcher_kind``): Procfile, Dockerfile, compose file, systemd unit, supervisord config,
env file (``GUNICORN_CMD_ARGS``) and shell script. ``read_launches`` reads one file; each kind
splits its command the way the tool that runs it does, so the words are what the program gets:

- a shell (Procfile, shell-form ``CMD``, ``sh -c``, scripts) expands ``$VAR`` and
  ``${VAR:-default}`` from what the script set before (top to bottom, no control flow: a value
  assigned inside ``if``/``case``/a loop/a function is unknown after it), then ``--env``;
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from gwlint.loaders import SKIP_DIRS, read_head
from gwlint.loaders.common import MAX_FILE_BYTES, Problems, read_text
from gwlint.loaders.detect_launcher import (
    _MENTION,
    _SHELL_SHEBANG,
    LauncherKind,
    launcher_kind,
)
from gwlint.loaders.launch import EnvValue, Launch, Program, Word
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
_TOO_LONG = f"it expands to more than {MAX_VALUE} characters"
_TOO_MANY = f"it expands to more than {MAX_WORDS} words"

_PROGRAM = re.compile(r"^(?:(gunicorn)3?|(uvicorn)|(uwsgi)|py(uwsgi)|(uwsgi)_python\d*)$")
_PY_MODULES: dict[str, Program] = {
    "gunicorn": "gunicorn",
    "gunicorn.app.wsgiapp": "gunicorn",
    "uvicorn": "uvicorn",
    "uvicorn.main": "uvicorn",
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
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=")
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


@dataclass(slots=True)
class _Tok:
    parts: list[_Part]
    raw: str
    start: int
    src: _Src
    op: str = ""  # an operator; "\n" for a newline

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


class _Lexer:
    """Splits a text into tokens the way a POSIX shell (or shlex, systemd, compose) does."""

    def __init__(self, src: _Src, syntax: _Syntax, percent: _PercentHook | None = None) -> None:
        self.src = src
        self.t = src.text
        self.n = len(src.text)
        self.syn = syntax
        self.percent = percent
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

    def _tokens(self) -> list[_Tok]:
        t, n, syn = self.t, self.n, self.syn
        out: list[_Tok] = []
        if not syn.split:
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
            parts, i = self._word(i, stop_ws=True, stop_ops=syn.ops)
            raw = t[start:i]
            if syn.ops and raw.isdigit() and i < n and t[i] in "<>":
                continue  # 2>&1: the file descriptor of a redirection
            if syn.dollar == "systemd" and len(parts) == 1 and parts[0].kind == "param":
                # $VAR as a word of its own is split on blanks, ${VAR} is one word
                parts[0].split = not parts[0].braced and not parts[0].quoted
            if want_delim:
                self._join_chunks()
                heredocs.append((_lit_text(parts), want_delim == "<<-"))
                want_delim = ""
            out.append(_Tok(parts, raw, start, self.src))
            if self.error:
                break
        return out

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

    def _braced(self, i: int, parts: list[_Part], *, quoted: bool, split: bool) -> int:
        t, n = self.t, self.n
        where = self.src.pos(i)
        j = i + 2
        m = _PARAM_NAME.match(t, j)
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
        if j < n and t[j] == "}":
            raw = t[i : j + 1]
            parts.append(_Part("param", name, quoted, [where], split=split, braced=True, raw=raw))
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
        if part.text in ("@", "*"):
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


# --- reading context ------------------------------------------------------------------------------


@dataclass
class _Ctx:
    """One ``read_launches`` call."""

    path: str
    cli_env: dict[str, str]
    problems: Problems
    launches: list[Launch] = field(default_factory=list)
    spot: tuple[str, int] = ("", 1)  # the file and line being read, for errors
    compose_refs: list[str] = field(default_factory=list)  # the project's .env
    images: dict[tuple[str, str, str, str | None], _Image | None] = field(default_factory=dict)
    _index: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    runs: int = 0  # scripts, sourced files and sh -c strings read so far

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
    if not os.path.isfile(path):
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
        self.vars: dict[str, _Var] = dict(variables or {})
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
            return None, (
                f"${name} is set inside {var.where}, and gwlint does not follow the script's "
                "control flow"
            )
        if var.unset:
            return None
        if var.declared and name in self.ctx.cli_env:
            return self.ctx.cli_env[name], None
        return var.value, var.why

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

    def exported(self) -> dict[str, _Var]:
        """The variables the commands this shell starts see (a value set inside a block that
        has ended is unknown)."""
        out: dict[str, _Var] = {}
        here = self._block()
        for name, var in self.vars.items():
            if not var.exported or var.unset:
                continue
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
                    continue
            if tok.op in _REDIRS:
                skip = True
                continue
            if tok.op == "(":
                if cmd and i < len(tokens) and tokens[i].op == ")":
                    i += 1  # name() { ...; }: a function
                    cmd = []
                    self.function_next = True
                elif not cmd:
                    self._push("subshell", tok)
                continue
            if tok.op == ")":
                was_case = bool(cmd) and _literal(cmd[0]) == "case"
                self._flush(cmd, ")")
                cmd = []
                if not was_case:
                    self._pop()
                continue
            if tok.op:
                self._flush(cmd, tok.op)
                cmd = []
                if tok.op in (";;", ";&", ";;&"):
                    self.pattern = True
                continue
            cmd.append(tok)
        self._flush(cmd, "")

    def _flush(self, cmd: list[_Tok], term: str) -> None:
        while cmd:
            word = _literal(cmd[0])
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
            self._simple(cmd)

    def _simple(self, cmd: list[_Tok]) -> None:
        assigns: list[tuple[str, _Tok, _Tok]] = []
        k = 0
        while k < len(cmd):
            got = _split_assign(cmd[k])
            if got is None:
                break
            assigns.append((got[0], got[1], cmd[k]))
            k += 1
        rest = cmd[k:]
        if not rest:
            for name, value_tok, tok in assigns:
                self._set(name, _expand_one(value_tok, self), tok, export=None)
            return
        first = _literal(rest[0])
        if first in ("export", "readonly", "declare", "typeset", "local"):
            self._declare(first, rest[1:])
            return
        local: dict[str, _Var] = {}
        for name, value_tok, tok in assigns:
            value, why = _expand_one(value_tok, self)
            local[name] = _Var(value, why, tok.src.path, tok.pos, True, ())
        words: list[_W] = []
        for tok in rest:
            words.extend(_expand(tok, self))
        self.command(words, local)

    def _declare(self, verb: str, args: list[_Tok]) -> None:
        export = verb == "export"
        for tok in args:
            flag = _literal(tok)
            if flag is not None and flag.startswith("-"):
                export = export or ("x" in flag and verb != "export")
                if verb == "export" and "n" in flag:
                    export = False
                continue
            got = _split_assign(tok)
            if got is not None:
                self._set(got[0], _expand_one(got[1], self), tok, export=export)
                continue
            for w in _expand(tok, self):
                name = w.text or ""
                var = self.vars.get(name)
                if var is not None and export:
                    var.exported = True
                elif export and _NAME.fullmatch(name) and name in self.ctx.cli_env:
                    pass  # exported from the environment gwlint was given

    # -- builtins and wrappers -------------------------------------------------------------------

    def _builtin(self, words: list[_W]) -> bool:
        """cd, set, shift, unset, read, source: True when ``words`` was one."""
        name = words[0].text
        args = words[1:]
        if name == "cd":
            target = args[0].text if args else None
            if target is None or target == "-":
                return True
            if target.startswith("/"):
                self.workdir = target
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
                elif re.fullmatch(r"-[a-zA-Z]*a[a-zA-Z]*", t):
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
        text = read_text(found, CODE, self.ctx.problems, kind="sourced shell", by=self.ctx.path)
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
        return _Shell(
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
        text = read_text(found, CODE, self.ctx.problems, kind="shell script", by=self.ctx.path)
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
            name: EnvValue(
                value=var.value,
                path=var.path,
                line=var.pos[0],
                column=var.pos[1],
                unknown=var.why if var.value is None else None,
            )
            for name, var in env_vars.items()
        }
        refs = [
            r for r in dict.fromkeys(self.refs) if os.path.realpath(r) != os.path.realpath(path)
        ]
        launch = Launch(
            path=path,
            line=place(words[0])[0],  # where the command starts, as this file sees it
            program=program,
            args=tuple(
                Word(
                    text=w.text,
                    raw=w.raw,
                    line=place(w)[0],
                    column=place(w)[1],
                    unknown=w.unknown,
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
    return "gunicorn" if name == "gunicorn" else "uvicorn" if name == "uvicorn" else "uwsgi"


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


def _default_resolver(name: str, shell: _Shell) -> str | None:
    """A script named in a command, in the repository: relative to the command's folder or the
    launcher's, then by its basename under the launcher's folder."""
    launcher_dir = _folder_of(shell.ctx.path)
    candidates = []
    if not name.startswith("/"):
        candidates.append(os.path.join(shell.folder, name))
    candidates.append(os.path.join(launcher_dir, name.lstrip("/")))
    for candidate in candidates:
        if os.path.isfile(candidate):
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


def _dotenv(
    ctx: _Ctx,
    path: str,
    *,
    expand: bool,
    base: dict[str, EnvValue] | None = None,
) -> dict[str, EnvValue] | None:
    """``KEY=VALUE`` lines (``export``, quotes, comments); None when the file is missing.
    ``expand``: ``${VAR}``/``$VAR`` in unquoted and double-quoted values (dotenv, compose);
    systemd's EnvironmentFile= does not expand."""
    if not os.path.isfile(path):
        return None
    by = None if path == ctx.path else ctx.path
    text = read_text(path, CODE, ctx.problems, kind="env file", by=by)
    if text is None:
        return None
    out: dict[str, EnvValue] = {}
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
                value = _interpolate(raw_value, out, base, ctx, path, key_line)
        else:
            raw_value = re.split(r"\s#", rest, maxsplit=1)[0].strip()
            value = (raw_value, None)
            if expand:
                value = _interpolate(raw_value, out, base, ctx, path, key_line)
        column = len(m.group(1)) + 1
        out[key] = EnvValue(value[0], path, key_line, column, value[1])
    return out


def _interpolate(
    text: str,
    known: dict[str, EnvValue],
    base: dict[str, EnvValue] | None,
    ctx: _Ctx,
    path: str,
    line: int,
) -> _Value:
    values: dict[str, _Value] = {}
    for source in (base or {}, known):
        for k, v in source.items():
            values[k] = (v.value, v.unknown)
    src = _Src(text, path, (0,), ((line, 1),))
    tokens, _ = _lex(src, _RAW_INTERPOLATION)
    if not tokens:
        return "", None
    return _join(tokens[0].parts, _DictScope(values, ctx.cli_env), tokens[0])


# --- Procfile -------------------------------------------------------------------------------------


def _read_procfile(ctx: _Ctx) -> None:
    text = read_text(ctx.path, CODE, ctx.problems, kind="Procfile")
    if text is None:
        return
    folder = _folder_of(ctx.path)
    dotenv_path = _display(os.path.join(folder, ".env"))
    dotenv = _dotenv(ctx, dotenv_path, expand=True)
    refs = [dotenv_path] if dotenv is not None else []
    variables = {k: _env_var(v) for k, v in (dotenv or {}).items()}
    src = _file_src(ctx.path, text)
    for number, line in enumerate(text.split("\n"), start=1):
        m = re.match(r"^([A-Za-z0-9_-]+)[ \t]*:[ \t]*(.*?)\s*$", line)
        if m is None or line.lstrip().startswith("#"):
            continue
        ctx.spot = (ctx.path, number)
        name = m.group(1)
        cmd = src.sub(src.starts[number - 1] + m.start(2), src.starts[number - 1] + m.end(2))
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
    text = read_text(ctx.path, CODE, ctx.problems, kind="shell script")
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
        line, column = src.pos(min(at, max(len(t) - 1, 0)))
        ctx.fail(
            src.path,
            line,
            f"Dockerfile {keyword}: starts with '[' but is not a JSON array of strings ({why}); "
            "Docker then runs the whole text as a shell command (/bin/sh -c '[...]'), which "
            'fails: write ["program", "arg", ...] with double quotes',
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
    text = read_text(path, CODE, ctx.problems, kind="Dockerfile", by=by)
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
                            if os.path.isfile(candidate):
                                return _display(candidate)
                        continue
                    into = os.path.join(dest_abs, os.path.basename(local))
                    if (target == into or (target == dest_abs and not many)) and os.path.isfile(
                        local
                    ):
                        return _display(local)
        if not name.startswith("/"):
            for base in (image.context, dockerfile_dir):
                candidate = os.path.join(base, name)
                if os.path.isfile(candidate):
                    return _display(candidate)
        candidate = os.path.join(image.context, name.lstrip("/"))
        if os.path.isfile(candidate):
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
    """PyYAML's node tree, with merge keys (``<<: *base``) applied."""

    def __init__(self, ctx: _Ctx, src: _Src, scope: _Scope) -> None:
        self.ctx = ctx
        self.src = src
        self.scope = scope

    @staticmethod
    def items(node: Any, depth: int = 0) -> list[tuple[str, Any, Any]]:
        """(key, key node, value node) of a mapping node, explicit keys over merged ones."""
        if node is None or getattr(node, "id", "") != "mapping" or depth > 16:
            return []
        merged: list[tuple[str, Any, Any]] = []
        own: list[tuple[str, Any, Any]] = []
        for key, value in node.value:
            if key.tag == "tag:yaml.org,2002:merge":
                bases = value.value if value.id == "sequence" else [value]
                for base in bases:
                    merged.extend(_Yaml.items(base, depth + 1))
            elif key.id == "scalar":
                own.append((str(key.value), key, value))
        names = {k for k, _, _ in own}
        return [item for item in merged if item[0] not in names] + own

    @staticmethod
    def get(node: Any, name: str) -> Any:
        for key, _k, value in _Yaml.items(node):
            if key == name:
                return value
        return None

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

    text = read_text(ctx.path, CODE, ctx.problems, kind="compose")
    if text is None:
        return
    root: Any
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else None
        what = exc.problem or exc.context or "syntax error"
        ctx.fail(ctx.path, line, f"compose file is not valid YAML: {what}", column)
        return
    except yaml.YAMLError as exc:
        ctx.fail(ctx.path, 1, f"compose file is not valid YAML: {exc}")
        return
    if root is None or root.id != "mapping":
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
    services = y.get(root, "services")
    if services is None and y.get(root, "version") is None:
        services = root  # compose file format 1: services at the top
    for name, key_node, node in y.items(services):
        if node is None or node.id != "mapping":
            continue
        ctx.spot = (ctx.path, key_node.start_mark.line + 1)
        _compose_service(ctx, y, services, name, key_node, node)


def _compose_service(ctx: _Ctx, y: _Yaml, services: Any, name: str, key: Any, node: Any) -> None:
    fields = dict((k, v) for k, _kn, v in y.items(node))
    extends = fields.get("extends")
    base_name = None
    if extends is not None and extends.id == "scalar":
        base_name = str(extends.value)
    elif extends is not None and y.get(extends, "file") is None:
        got = y.get(extends, "service")
        base_name = str(got.value) if got is not None and got.id == "scalar" else None
    if base_name and base_name != name:
        base = y.get(services, base_name)
        if base is not None:
            fields = {**{k: v for k, _kn, v in y.items(base)}, **fields}
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
            if os.path.isfile(dockerfile):
                image = _parse_dockerfile(
                    ctx, _display(dockerfile), _display(context), build_args, target
                )
                if image is not None:
                    refs.append(image.path)
    # its environment: image ENV < env_file < environment
    env: dict[str, EnvValue] = dict(image.stage.env) if image is not None else {}
    env_file = fields.get("env_file")
    files: list[Any] = []
    if env_file is not None:
        files = env_file.value if env_file.id == "sequence" else [env_file]
    for item in files:
        target = item if item.id == "scalar" else y.get(item, "path")
        if target is None:
            continue
        value = y.string(target)[0][0]
        if not value:
            continue
        env_path = _display(os.path.join(folder, value))
        got = _dotenv(ctx, env_path, expand=True)
        if got is not None:
            env.update(got)
            refs.append(env_path)
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
    workdir_node = fields.get("working_dir")
    workdir = image.stage.workdir if image is not None else None
    if workdir_node is not None and not y.is_null(workdir_node):
        workdir = y.string(workdir_node)[0][0] or workdir
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
    text = read_text(ctx.path, CODE, ctx.problems, kind="systemd unit")
    if text is None:
        return
    folder = _folder_of(ctx.path)
    percent = _systemd_percent(ctx.path)
    execs: list[_Src] = []
    env: dict[str, EnvValue] = {}
    file_env: dict[str, EnvValue] = {}
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
                file_env = {}
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
                got = _dotenv(ctx, candidate, expand=False)
                if got is not None:
                    file_env.update(got)
                    refs.append(_display(candidate))
                    break
        elif key == "WorkingDirectory":
            value = src.text.strip().lstrip("-")
            if value and not value.startswith("~"):
                workdir = value
    if not execs:
        return
    variables = {k: _env_var(v) for k, v in {**env, **file_env}.items()}
    label = os.path.basename(ctx.path)

    def unset(name: str) -> _Value:
        return None, (
            f"${name} is not set with Environment= or EnvironmentFile=, so systemd gives it no "
            f"value (give it with --env {name}=VALUE)"
        )

    for src in execs:
        ctx.spot = (ctx.path, src.pos(0)[0])
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
        m = re.match(r"^\s*([^=:\s][^=:]*?)\s*[=:]\s*", line)
        if m is None:
            continue
        value = _strip_inline(line[m.end() :]).rstrip()
        last = [(value, number, m.end() + 1)]
        current[m.group(1).lower()] = last
    return sections


def _strip_inline(value: str) -> str:
    m = re.search(r"\s[;#]", value)
    return value[: m.start()] if m else value


def _supervisor_percent(
    ctx: _Ctx, program: str, process_num: int | None, here: str
) -> _PercentHook:
    pattern = re.compile(r"%\(([^)]*)\)([-#0 +]*\d*(?:\.\d+)?)([diouxXeEfFgGcrs%])")

    def hook(t: str, i: int) -> tuple[int, str | None, str] | None:
        m = pattern.match(t, i)
        if m is None:
            return (2, "%", "") if t.startswith("%%", i) else None
        name, spec, conv = m.groups()
        value: object
        if name.startswith("ENV_"):
            var = name[4:]
            if var not in ctx.cli_env:
                return (
                    m.end() - i,
                    None,
                    f"%({name})s is {var} of the environment supervisord starts with (give it "
                    f"with --env {var}=VALUE)",
                )
            value = ctx.cli_env[var]
        elif name in ("program_name", "group_name"):
            value = program
        elif name == "process_num":
            if process_num is None:
                return m.end() - i, None, "%(process_num)d depends on numprocs"
            value = process_num
        elif name == "here":
            value = os.path.abspath(here) if os.path.isabs(here) else here
        elif name == "numprocs":
            value = 1
        else:
            return m.end() - i, None, f"%({name})s is known only where supervisord runs"
        try:
            text = ("%" + spec + conv) % value
        except (TypeError, ValueError):
            text = str(value)
        return m.end() - i, text, ""

    return hook


def _supervisor_env(
    ctx: _Ctx, segments: list[tuple[str, int, int]], percent: _PercentHook
) -> dict[str, EnvValue]:
    """``KEY="val",KEY2=val2`` (quotes removed, ``%(ENV_X)s`` expanded)."""
    src = _joined_src(ctx.path, segments, "\n")
    out: dict[str, EnvValue] = {}
    t = src.text
    i = 0
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
        sub = src.sub(start + len(key) + 1, i)
        tokens, _ = _lex(sub, _Syntax(split=False), percent)
        value, why = _join(tokens[0].parts, _Scope(), tokens[0]) if tokens else ("", None)
        line, column = src.pos(start)
        out[key.strip()] = EnvValue(value.strip() if value else value, ctx.path, line, column, why)
    return out


def _read_supervisord(ctx: _Ctx) -> None:
    text = read_text(ctx.path, CODE, ctx.problems, kind="supervisord")
    if text is None:
        return
    sections = _supervisor_sections(text)
    folder = _folder_of(ctx.path)
    daemon = sections.get("supervisord", {})
    for section, keys in sections.items():
        kind, _, program = section.partition(":")
        if kind not in ("program", "fcgi-program") or "command" not in keys:
            continue
        ctx.spot = (ctx.path, keys["command"][0][1])
        numprocs_text = keys.get("numprocs", [("1", 0, 0)])[0][0].strip()
        start_text = keys.get("numprocs_start", [("0", 0, 0)])[0][0].strip()
        numprocs = decimal(numprocs_text) or 1
        first = decimal(start_text) or 0
        uses_num = any("process_num" in seg[0] for segs in keys.values() for seg in segs)
        numbers: list[int | None] = (
            list(range(first, first + min(numprocs, 64))) if uses_num and numprocs > 1 else [first]
        )
        for process_num in numbers:
            percent = _supervisor_percent(ctx, program, process_num, folder)
            env: dict[str, EnvValue] = {}
            if "environment" in daemon:
                env.update(_supervisor_env(ctx, daemon["environment"], percent))
            if "environment" in keys:
                env.update(_supervisor_env(ctx, keys["environment"], percent))
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
    path: str, env: dict[str, str], problems: Problems, *, kind: LauncherKind | None = None
) -> list[Launch]:
    """Every command in the launcher file that starts gunicorn, uvicorn or uWSGI.

    ``env``: the values given with ``--env``; they give ``$VAR`` a value where the launcher does
    not set it, and win over the default of ``${VAR:-default}``. ``kind``: the launcher kind when
    the caller knows it (else from ``launcher_kind(path, walking=False)``). Never raises: a file
    that cannot be read where it matters is a GW008 with its line.
    """
    kind = kind or launcher_kind(path, walking=False)
    if kind is None:
        return []
    ctx = _Ctx(path, dict(env), problems, spot=(path, 1))
    try:
        _READERS[kind](ctx)
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


__all__ = ["LauncherKind", "launcher_kind", "overridden", "read_launches"]
