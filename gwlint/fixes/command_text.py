"""Edits of the command lines that start an app server, and of the variables they read, in
launcher files, for ``--fix``: a flag's value replaced, a flag added after the program or
removed, a variable's value replaced. Everything else in the file stays byte-identical.

The editors get a file's text and the 1-based line gwlint read the command (or the value, or the
variable) at; they never learn the file's kind, so they read the line by its own shape:

- a YAML block list (``- gunicorn`` / ``- --timeout`` / ``- "30"``, one item a line): the line's
  item and its siblings at the same indentation, or the items under a ``command:`` line;
- a flow list (``CMD ["gunicorn", "--timeout", "30"]``, ``command: [gunicorn, -t, "30"]``) from
  its ``[`` to its ``]``, across lines and ``\\`` continuations;
- a YAML scalar spread over more indented lines (``command: >-`` and a plain or quoted string
  continued on the next lines): those lines;
- else a shell-like line (Procfile, Dockerfile shell form, compose ``command:`` string,
  systemd ``ExecStart=``, supervisord ``command=``, a script's ``exec gunicorn ...``) with its
  ``\\`` continuation lines, split into words as a shell does (quotes, ``\\`` escapes, ``#``
  comments, ``${...}`` kept whole).

A word that holds a command of its own (``GUNICORN_CMD_ARGS="--timeout 30"``, ``sh -c "exec
gunicorn ..."``, compose ``command: "gunicorn ..."``, Kubernetes ``- name: X`` + ``value: ...``)
is split again when the command's own words do not have what is asked; a value written there
must need no quoting (``75``, ``0.0.0.0:8000``), else the edit is refused.

Every edit checks the value written is the one gwlint read (quotes removed) and refuses
(``EditError``) when it is not; a new value is quoted only when the place needs it (shell:
``shlex.quote``; YAML: kept plain, or double-quoted when plain would change what it is).
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field

from gwlint.fixes.spans import EditError, Span, line_span, line_starts, newline_of

__all__ = ["add_flag", "remove_flag", "set_env", "set_flag"]

# one character of a word as read, and the offsets of what writes it in the file (``\\x``: 2)
_Char = tuple[str, int, int]

_QUOTED = frozenset({"'", '"', "y'", 'y"'})  # shell quotes, YAML/JSON quotes
_YAML_FORMS = frozenset({"flow", "block", "scalar"})
_SPACE = " \t\r\n"
_SAFE = re.compile(r"[\w@%+=:,./-]+", re.ASCII)  # what shlex.quote leaves bare
# inside a value that is itself quoted (GUNICORN_CMD_ARGS="..."): nothing that needs quoting in
# either layer
_NESTED_SAFE = re.compile(r"[\w@%+=:./-]*[\w@%+=./-]", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SHORT = re.compile(r"-[A-Za-z0-9]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENTS = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_]*=)+")
_KEY = r"(?P<key>\"[^\"\n]*\"|'[^'\n]*'|[\w.-]+)"
_BLOCK_ITEM = re.compile(r"([ \t]*)-(?:[ \t]+|$)")
_KEY_ONLY = re.compile(rf"[ \t]*(?:-[ \t]+)?{_KEY}[ \t]*:[ \t]*(?:#.*)?$")
_KEY_BLOCK = re.compile(rf"[ \t]*(?:-[ \t]+)?{_KEY}[ \t]*:[ \t]+[>|][-+0-9]*[ \t]*(?:#.*)?$")
_KEY_VALUE = re.compile(rf"[ \t]*(?:-[ \t]+)?{_KEY}[ \t]*:[ \t]+(?![\[{{>|#&*!])\S")
_FLOW_OPEN = re.compile(
    rf"[ \t]*(?:-[ \t]+)?(?:{_KEY}[ \t]*:[ \t]*|(?i:CMD|ENTRYPOINT|RUN|SHELL)[ \t]+)\["
)
_OPERATORS = frozenset({"&&", "||", ";", "|", "&", ";;"})
_INSTALLERS = frozenset({"install", "add"})
_ARRAY_START = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=")
_SHELL_C = re.compile(r"-[A-Za-z]*c")  # sh -c, bash -lc, su app -c
_YAML_NOT_STRING = re.compile(
    r"""~|null|Null|NULL
    |y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
    |[-+]?(?:0|[1-9][0-9_]*)|0[0-7_]+|0o[0-7]+|0x[0-9a-fA-F_]+|0b[01_]+
    |[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?""",
    re.VERBOSE,
)
_YAML_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "\t": "\t",
    "0": "\0",
    " ": " ",
    "a": "\a",
    "v": "\v",
    "e": "\x1b",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_YAML_HEX = {"x": 2, "u": 4, "U": 8}


# --- the file's lines --------------------------------------------------------------------------


class _Lines:
    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = line_starts(text)
        self.count = len(self.starts)

    def index(self, line: int) -> int:
        if line < 1 or line > self.count:
            raise EditError(f"the file has no line {line}")
        return line - 1

    def start(self, i: int) -> int:
        return self.starts[i]

    def next(self, i: int) -> int:
        return self.starts[i + 1] if i + 1 < self.count else len(self.text)

    def end(self, i: int) -> int:
        """Where line ``i``'s text ends, before its newline."""
        start, end = self.starts[i], self.next(i)
        if end > start and self.text[end - 1] == "\n":
            end -= 1
        if end > start and self.text[end - 1] == "\r":
            end -= 1
        return end

    def content(self, i: int) -> str:
        return self.text[self.starts[i] : self.end(i)]

    def newline(self, i: int) -> str:
        return self.text[self.end(i) : self.next(i)] or newline_of(self.text)

    def continued(self, i: int) -> bool:
        """Line ``i`` ends with a ``\\`` that joins the next line to it."""
        content = self.content(i)
        stripped = content.rstrip("\\")
        return (len(content) - len(stripped)) % 2 == 1

    def logical(self, i: int) -> tuple[int, int]:
        """The first and last lines of the ``\\``-continued line that holds line ``i``."""
        first = i
        while first > 0 and self.continued(first - 1):
            first -= 1
        last = i
        while last + 1 < self.count and self.continued(last):
            last += 1
        return first, last


def _indent(content: str) -> int:
    return len(content) - len(content.lstrip(" \t"))


def _blank(content: str) -> bool:
    stripped = content.strip()
    return not stripped or stripped.startswith("#")


# --- words ---------------------------------------------------------------------------------------


@dataclass
class _Seg:
    """A run of a word's characters written one way: ``bare``, ``plain`` (YAML), a shell
    ``'``/``"`` quote, a YAML/JSON ``y'``/``y"`` quote. ``first``/``last``: its characters in
    the word's text; ``start``/``end``: its offsets in the file, quotes included;
    ``inner``/``inner_end``: without them."""

    style: str
    start: int
    end: int
    inner: int
    inner_end: int
    first: int
    last: int


@dataclass
class _Item:
    """One word of a command (a shell word, a list item, a YAML scalar) as read."""

    text: str
    starts: list[int]
    ends: list[int]
    segs: list[_Seg]
    start: int
    end: int
    form: str  # "shell" | "flow" | "block" | "scalar"
    nested: bool = False  # inside another word's quotes: written only with safe characters
    operator: bool = False  # && || ; | &
    line: int = -1  # block items: the 0-based line it is on
    prefix: str = ""  # block items: what comes before the scalar on its line ("    - ")

    def seg_of(self, index: int) -> int:
        for number, seg in enumerate(self.segs):
            if seg.first <= index < seg.last:
                return number
        raise EditError("the value is written with quoting gwlint does not edit")


@dataclass
class _Builder:
    bare_style: str = "bare"
    chars: list[_Char] = field(default_factory=list)
    segs: list[_Seg] = field(default_factory=list)
    _open: _Seg | None = None

    def bare(self, char: str, start: int, end: int) -> None:
        if self._open is None:
            index = len(self.chars)
            self._open = _Seg(self.bare_style, start, end, start, end, index, index)
            self.segs.append(self._open)
        self.chars.append((char, start, end))
        self._open.end = self._open.inner_end = end
        self._open.last = len(self.chars)

    def quoted(
        self, style: str, start: int, inner: int, chars: list[_Char], inner_end: int, end: int
    ) -> None:
        self._open = None
        first = len(self.chars)
        self.chars.extend(chars)
        self.segs.append(_Seg(style, start, end, inner, inner_end, first, len(self.chars)))

    def item(self, form: str, *, nested: bool = False, operator: bool = False) -> _Item:
        return _Item(
            text="".join(char for char, _, _ in self.chars),
            starts=[start for _, start, _ in self.chars],
            ends=[end for _, _, end in self.chars],
            segs=self.segs,
            start=self.segs[0].start,
            end=self.segs[-1].end,
            form=form,
            nested=nested,
            operator=operator,
        )


def _chars(text: str, start: int, end: int) -> list[_Char]:
    return [(text[index], index, index + 1) for index in range(start, end)]


def _after_newline(chars: Sequence[_Char], index: int) -> int:
    if chars[index][0] == "\r" and index + 1 < len(chars) and chars[index + 1][0] == "\n":
        return index + 2
    return index + 1


def _shell_items(chars: Sequence[_Char], *, nested: bool) -> list[_Item]:
    """Split characters into words as a POSIX shell does (and supervisord's shlex, compose's
    split, systemd's ``ExecStart=`` in what a command line uses): quotes, ``\\`` escapes,
    ``\\``-newline continuations, ``#`` comments; ``&&``, ``;``, ``|`` as words of their own,
    and the parentheses of a bash array (``args=(--timeout 30)``, ``args+=(...)``)."""
    items: list[_Item] = []
    index, size = 0, len(chars)
    array = False
    while index < size:
        char = chars[index][0]
        if char in _SPACE:
            index += 1
        elif (char == "(" and items and _ARRAY_START.fullmatch(items[-1].text)) or (
            char == ")" and array
        ):
            array = char == "("
            builder = _Builder()
            builder.bare(*chars[index])
            index += 1
            items.append(builder.item("shell", nested=nested, operator=True))
        elif char == "\\" and index + 1 < size and chars[index + 1][0] in "\r\n":
            index = _after_newline(chars, index + 1)
        elif char == "#":
            while index < size and chars[index][0] not in "\r\n":
                index += 1
        elif char in ";&|":
            builder = _Builder()
            while index < size and chars[index][0] in ";&|":
                builder.bare(*chars[index])
                index += 1
            items.append(builder.item("shell", nested=nested, operator=True))
        else:
            builder = _Builder()
            index = _shell_word(chars, index, builder, array=array)
            items.append(builder.item("shell", nested=nested))
    return items


def _shell_word(chars: Sequence[_Char], index: int, builder: _Builder, *, array: bool) -> int:
    size = len(chars)
    while index < size:
        char, start, end = chars[index]
        if char in _SPACE or char in ";|" or (char == ")" and array):
            break
        if (
            char == "("
            and all(seg.style == "bare" for seg in builder.segs)
            and _ARRAY_START.fullmatch("".join(c for c, _, _ in builder.chars))
        ):
            break
        if char == "&" and not (builder.chars and builder.chars[-1][0] in "<>"):
            break
        if char == "\\":
            if index + 1 < size and chars[index + 1][0] in "\r\n":
                break
            if index + 1 < size:
                builder.bare(chars[index + 1][0], start, chars[index + 1][2])
                index += 2
            else:
                builder.bare(char, start, end)
                index += 1
        elif char == "'":
            close = index + 1
            while close < size and chars[close][0] != "'":
                close += 1
            if close >= size:
                raise EditError("a ' quote is not closed")
            inner = list(chars[index + 1 : close])
            builder.quoted("'", start, end, inner, chars[close][1], chars[close][2])
            index = close + 1
        elif char == '"':
            index = _double_quoted(chars, index, builder)
        elif char == "$" and index + 1 < size and chars[index + 1][0] in "{(":
            close = _balanced(chars, index + 1)
            for at in range(index, close):
                builder.bare(*chars[at])
            index = close
        else:
            builder.bare(char, start, end)
            index += 1
    return index


def _double_quoted(chars: Sequence[_Char], index: int, builder: _Builder) -> int:
    size = len(chars)
    inner: list[_Char] = []
    at = index + 1
    while at < size and chars[at][0] != '"':
        char = chars[at]
        if char[0] == "\\" and at + 1 < size:
            following = chars[at + 1]
            if following[0] in '"\\$`':
                inner.append((following[0], char[1], following[2]))
                at += 2
                continue
            if following[0] in "\r\n":
                at = _after_newline(chars, at + 1)
                continue
        inner.append(char)
        at += 1
    if at >= size:
        raise EditError('a " quote is not closed')
    builder.quoted('"', chars[index][1], chars[index][2], inner, chars[at][1], chars[at][2])
    return at + 1


def _balanced(chars: Sequence[_Char], index: int) -> int:
    """The index after the bracket that closes the one at ``index`` (or the end)."""
    opening = chars[index][0]
    closing = "}" if opening == "{" else ")"
    depth = 0
    for at in range(index, len(chars)):
        if chars[at][0] == opening:
            depth += 1
        elif chars[at][0] == closing:
            depth -= 1
            if depth == 0:
                return at + 1
    return len(chars)


def _yaml_scalar(text: str, index: int, limit: int, *, flow: bool) -> tuple[_Item | None, int]:
    """The YAML (or JSON) scalar at ``index``: double-quoted, single-quoted or plain (in a flow
    list up to ``,``/``]``; else up to a `` #`` comment or ``limit``). None: nothing there."""
    form = "flow" if flow else "scalar"
    builder = _Builder(bare_style="plain")
    if index >= limit or text[index] == "#":
        return None, index
    char = text[index]
    if char == '"':
        inner: list[_Char] = []
        at = index + 1
        while at < limit and text[at] != '"':
            if text[at] in "\r\n":
                raise EditError("a quoted value goes on to the next line")
            if text[at] == "\\" and at + 1 < limit:
                code = text[at + 1]
                if code in _YAML_ESCAPES:
                    inner.append((_YAML_ESCAPES[code], at, at + 2))
                    at += 2
                    continue
                digits = _YAML_HEX.get(code)
                hex_text = text[at + 2 : at + 2 + digits] if digits else ""
                if digits and len(hex_text) == digits and re.fullmatch(r"[0-9a-fA-F]+", hex_text):
                    inner.append((chr(int(hex_text, 16)), at, at + 2 + digits))
                    at += 2 + digits
                    continue
                raise EditError(f"a quoted value has the escape \\{code}")
            inner.append((text[at], at, at + 1))
            at += 1
        if at >= limit:
            raise EditError('a " quote is not closed')
        builder.quoted('y"', index, index + 1, inner, at, at + 1)
        return builder.item(form), at + 1
    if char == "'":
        inner = []
        at = index + 1
        while at < limit:
            if text[at] in "\r\n":
                raise EditError("a quoted value goes on to the next line")
            if text[at] == "'":
                if at + 1 < limit and text[at + 1] == "'":
                    inner.append(("'", at, at + 2))
                    at += 2
                    continue
                break
            inner.append((text[at], at, at + 1))
            at += 1
        if at >= limit:
            raise EditError("a ' quote is not closed")
        builder.quoted("y'", index, index + 1, inner, at, at + 1)
        return builder.item(form), at + 1
    if flow and char in "[{":
        raise EditError("a list holds a nested list or mapping")
    at = index
    while at < limit:
        here = text[at]
        if here in "\r\n" or (flow and here in ",]}"):
            break
        if here == "#" and text[at - 1] in " \t":
            break
        at += 1
    end = at
    while end > index and text[end - 1] in " \t":
        end -= 1
    if end == index:
        return None, index
    for offset in range(index, end):
        builder.bare(text[offset], offset, offset + 1)
    return builder.item(form), end


def _flow_space(text: str, index: int) -> int:
    size = len(text)
    while index < size:
        char = text[index]
        if char in _SPACE:
            index += 1
        elif char == "\\" and text[index + 1 : index + 2] in ("\n", "\r"):
            index += 2 if text[index + 1 : index + 3] != "\r\n" else 3
        elif char == "#":
            while index < size and text[index] not in "\r\n":
                index += 1
        else:
            break
    return index


def _flow_items(text: str, opening: int) -> tuple[list[_Item], int]:
    """The items of the flow list (JSON array, YAML flow sequence) whose ``[`` is at
    ``opening``, and the offset after its ``]``."""
    items: list[_Item] = []
    index = opening + 1
    want_item = True
    while True:
        index = _flow_space(text, index)
        if index >= len(text):
            raise EditError("a [ list is not closed")
        char = text[index]
        if char == "]":
            return items, index + 1
        if char == ",":
            if want_item:
                raise EditError("a list has an empty item")
            want_item = True
            index += 1
            continue
        if not want_item:
            raise EditError("a list's items are not separated by commas")
        item, index = _yaml_scalar(text, index, len(text), flow=True)
        if item is None:
            raise EditError("a list has an item gwlint cannot read")
        items.append(item)
        want_item = False


# --- where the command is ------------------------------------------------------------------------


@dataclass
class _Cmd:
    """The words of the command at a line, and the words on that line that may hold a command
    of their own (a variable's value, ``sh -c``'s argument)."""

    items: list[_Item]
    here: list[_Item]
    lines: _Lines


def _block_item(lines: _Lines, i: int) -> tuple[_Item | None, bool]:
    """The scalar of the block list item on line ``i``, and whether the item is a mapping
    (``- name: X``) rather than a scalar."""
    content = lines.content(i)
    found = _BLOCK_ITEM.match(content)
    if found is None:
        return None, False
    start = lines.start(i) + found.end()
    item, after = _yaml_scalar(lines.text, start, lines.end(i), flow=False)
    if item is None:
        return None, False
    rest = lines.text[after : lines.end(i)].lstrip(" \t")
    if rest.startswith(":") or (
        item.segs[0].style == "plain" and re.search(r":(?:[ \t]|$)", item.text)
    ):
        return None, True
    if item.segs[0].style == "plain" and item.text[:1] in "[{>|&*!":
        return None, False
    item.form = "block"
    item.line = i
    item.prefix = content[: found.end()]
    return item, False


def _block_list(lines: _Lines, i: int) -> list[_Item]:
    """The scalar items of the block list that has an item on line ``i``: those at the same
    indentation above and below it, blank and comment lines skipped."""
    dash = _indent(lines.content(i))

    def sibling(j: int) -> _Item | None:
        content = lines.content(j)
        if _indent(content) != dash or _BLOCK_ITEM.match(content) is None:
            return None
        return _block_item(lines, j)[0]

    items: list[_Item] = []
    j = i - 1
    while j >= 0:
        if _blank(lines.content(j)):
            j -= 1
            continue
        item = sibling(j)
        if item is None:
            break
        items.insert(0, item)
        j -= 1
    j = i
    while j < lines.count:
        if j != i and _blank(lines.content(j)):
            j += 1
            continue
        item = sibling(j)
        if item is None:
            break
        items.append(item)
        j += 1
    return items


def _flow_at(lines: _Lines, i: int) -> list[_Item] | None:
    """The items of a flow list that line ``i`` (with its continuations) opens, or that spans
    line ``i`` from an earlier line."""
    first, _ = lines.logical(i)
    found = _FLOW_OPEN.match(lines.content(first))
    if found is not None:
        return _flow_items(lines.text, lines.start(first) + found.end() - 1)[0]
    for j in range(first - 1, max(-1, first - 200), -1):
        found = _FLOW_OPEN.match(lines.content(j))
        if found is None:
            continue
        try:
            items, close = _flow_items(lines.text, lines.start(j) + found.end() - 1)
        except EditError:
            return None
        return items if close > lines.start(i) else None
    return None


def _scalar_lines(lines: _Lines, k: int) -> tuple[int, int] | None:
    """A YAML key on line ``k`` whose string goes on over the more indented lines below
    (``command: >-``, or a plain or quoted string continued): the offsets of the text to split."""
    content = lines.content(k)
    block = _KEY_BLOCK.match(content)
    found = block or _KEY_VALUE.match(content)
    if found is None:
        return None
    key_column = found.start("key")
    last = k
    j = k + 1
    while j < lines.count:
        following = lines.content(j)
        if following.strip():
            if _indent(following) <= key_column:
                break
            if block is None and following.lstrip().startswith("#"):
                break  # a comment ends a plain string
            last = j
        j += 1
    if last == k:
        return None
    return (lines.start(k + 1) if block else lines.start(k)), lines.end(last)


def _yaml_host(lines: _Lines, i: int) -> tuple[int, int] | None:
    got = _scalar_lines(lines, i)
    if got is not None:
        return got
    indent = _indent(lines.content(i))
    for j in range(i - 1, max(-1, i - 200), -1):
        content = lines.content(j)
        if not content.strip():
            continue
        if _indent(content) < indent:
            got = _scalar_lines(lines, j)
            return got if got is not None and got[1] >= lines.start(i) else None
    return None


def _on_line(items: list[_Item], lines: _Lines, i: int) -> list[_Item]:
    """The words on line ``i`` that hold a command of their own: a variable's value
    (``GUNICORN_CMD_ARGS="..."``, ``Environment="NAME=..."``, ``ENV NAME "..."``), the string of
    ``sh -c``, a YAML key's quoted string (``command: "gunicorn ..."``, ``value: "..."``)."""
    out: list[_Item] = []
    for index, item in enumerate(items):
        if item.operator or not (item.start < lines.next(i) and item.end > lines.start(i)):
            continue
        before = items[index - 1].text if index > 0 else ""
        if (
            _ASSIGNMENTS.match(item.text)
            or _SHELL_C.fullmatch(before)
            or (before.endswith(":") and index <= 2)
            or (index == 2 and items[0].text.upper() == "ENV")
        ):
            out.append(item)
    return out


def _command(text: str, line: int) -> _Cmd:
    lines = _Lines(text)
    i = lines.index(line)
    content = lines.content(i)
    flow = _flow_at(lines, i) if _FLOW_OPEN.match(content) else None
    if flow is not None:
        return _Cmd(flow, _on_line(flow, lines, i), lines)
    item, mapping = _block_item(lines, i)
    if item is not None:
        siblings = _block_list(lines, i)
        return _Cmd(siblings, _on_line(siblings, lines, i), lines)
    if _KEY_ONLY.match(content):
        j = i + 1
        while j < lines.count and _blank(lines.content(j)):
            j += 1
        if (
            j < lines.count
            and _BLOCK_ITEM.match(lines.content(j))
            and _indent(lines.content(j)) >= _indent(content)
            and _block_item(lines, j)[0] is not None
        ):
            return _Cmd(_block_list(lines, j), [], lines)
    if not mapping:
        flow = _flow_at(lines, i)
        if flow is not None:
            return _Cmd(flow, _on_line(flow, lines, i), lines)
    host = _yaml_host(lines, i)
    if host is None:
        first, last = lines.logical(i)
        host = lines.start(first), lines.end(last)
    items = _shell_items(_chars(text, *host), nested=False)
    here = _on_line(items, lines, i)
    if mapping:
        value = _mapping(lines, i).get("value")
        if value is not None and value[0] is not None:
            here.append(value[0])
    return _Cmd(items, here, lines)


def _inner_items(item: _Item) -> list[_Item] | None:
    """The words of a command written inside one word (its ``NAME=`` prefixes skipped)."""
    if item.operator:
        return None
    prefix = _ASSIGNMENTS.match(item.text)
    skip = prefix.end() if prefix is not None else 0
    chars = list(zip(item.text, item.starts, item.ends, strict=True))[skip:]
    if not chars:
        return None
    try:
        inner = _shell_items(chars, nested=True)
    except EditError:
        return None
    return inner if skip or len(inner) > 1 else None  # one word: the item itself


def _mapping(lines: _Lines, i: int) -> dict[str, tuple[_Item | None, int]]:
    """The keys of the YAML block mapping (a list item, as Kubernetes ``env:`` entries) that
    has a key on line ``i``: key -> (its scalar value, its line)."""
    content = lines.content(i)
    head = re.match(r"[ \t]*(-[ \t]+)?", content)
    assert head is not None
    column = head.end()
    if not re.match(r"[\w.-]+[ \t]*:", content[column:]):
        return {}
    first = i
    if head.group(1) is None:
        # a key below the item's first line: the item line is the one whose key is at column
        first = -1
        for j in range(i - 1, -1, -1):
            above = lines.content(j)
            if _blank(above):
                continue
            item = _BLOCK_ITEM.match(above)
            if item is not None and item.end() == column and above[item.end() :].strip():
                first = j
                break
            if _indent(above) < column:
                break
        if first < 0:
            return {}
    keys: dict[str, tuple[_Item | None, int]] = {}
    for j in range(first, lines.count):
        above = lines.content(j)
        if j != first:
            if _blank(above) or _indent(above) > column:
                continue
            if _indent(above) < column or _BLOCK_ITEM.match(above):
                break
        key = re.match(r"([\w.-]+)[ \t]*:(?:[ \t]+|$)", above[column:])
        if key is None:
            continue
        at = lines.start(j) + column + key.end()
        value, _ = _yaml_scalar(lines.text, at, lines.end(j), flow=False)
        keys[key.group(1)] = (value, j)
    return keys


# --- values --------------------------------------------------------------------------------------


def _check_value(value: str) -> None:
    if _CONTROL.search(value):
        raise EditError(f"{value!r} holds a control character; not written automatically")


def _yaml_string(text: str) -> bool:
    return text != "" and _YAML_NOT_STRING.fullmatch(text) is None


def _plain_ok(text: str, *, flow: bool) -> bool:
    """``text`` can be written as a YAML plain scalar and read back the same."""
    if not text or text != text.strip(" \t") or _CONTROL.search(text):
        return False
    if text[0] in "!&*?|>'\"%@`#,[]{}":
        return False
    if text[0] in "-:" and (len(text) == 1 or text[1] in " \t"):
        return False
    if ": " in text or " #" in text or "\t#" in text or text.endswith(":"):
        return False
    return not (flow and any(char in text for char in ",[]{}"))


def _yaml_word(word: str, style: str, *, flow: bool) -> str:
    """A new YAML/JSON list item written in the style of its neighbour: a string always."""
    if style == "y'":
        return "'" + word.replace("'", "''") + "'"
    if style == "plain" and _plain_ok(word, flow=flow) and _yaml_string(word):
        return word
    return '"' + json.dumps(word, ensure_ascii=False)[1:-1] + '"'


def _shell_word_text(word: str, *, nested: bool) -> str:
    if nested:
        if not _NESTED_SAFE.fullmatch(word):
            raise EditError(
                f"{word!r} would need quoting inside a quoted value; not written automatically"
            )
        return word
    written = word if _SAFE.fullmatch(word) else shlex.quote(word)
    if " #" in written or "\t#" in written or ": " in written:
        raise EditError(f"{word!r} holds ' #' or ': '; not written automatically")
    return written


def _escape_in(style: str, value: str, *, nested: bool) -> str:
    """``value`` written inside quotes of ``style``."""
    if nested and value and not _NESTED_SAFE.fullmatch(value):
        raise EditError(
            f"{value!r} would need quoting inside a quoted value; not written automatically"
        )
    if style == "'":
        if "'" in value:
            raise EditError(f"{value!r} holds a ' and the value is written in '...'")
        return value
    if style == '"':
        return re.sub(r'([\\"$`])', r"\\\1", value)
    if style == "y'":
        return value.replace("'", "''")
    return json.dumps(value, ensure_ascii=False)[1:-1]


def _value_span(item: _Item, k: int, j: int, new: str) -> Span:
    """Replace ``item.text[k:j]`` (the value as read) by ``new``, keeping its quotes."""
    quoted = [s for s in item.segs if s.style in _QUOTED and s.first <= k <= j == s.last]
    if quoted:
        seg = next((s for s in quoted if s.first == k), quoted[-1])
        start = seg.inner if seg.first == k else item.starts[k] if k < j else seg.inner_end
        return Span(start, seg.inner_end, _escape_in(seg.style, new, nested=item.nested))
    if k < j:
        first, last = item.segs[item.seg_of(k)], item.segs[item.seg_of(j - 1)]
        if first.style in _QUOTED and first.first != k:
            raise EditError("the value is written with quoting gwlint does not edit")
        if last.style in _QUOTED and last.last != j:
            raise EditError("the value is written with quoting gwlint does not edit")
        start = first.start if first.style in _QUOTED else item.starts[k]
        end = last.end if last.style in _QUOTED else item.ends[j - 1]
    else:
        start = end = item.ends[k - 1] if k > 0 else item.start
    if item.form in _YAML_FORMS:
        new_text = item.text[:k] + new + item.text[j:]
        if _plain_ok(new_text, flow=item.form == "flow") and (
            _yaml_string(new_text) or not _yaml_string(item.text)
        ):
            return Span(start, end, new)
        seg = item.segs[0]
        return Span(seg.start, seg.end, '"' + json.dumps(new_text, ensure_ascii=False)[1:-1] + '"')
    return Span(start, end, _shell_word_text(new, nested=item.nested))


def _unquoted_match(text: str, k: int, j: int, old: str) -> tuple[int, int] | None:
    """Where ``old`` is in ``text[k:j]``: all of it, or inside quotes that are part of it."""
    value = text[k:j]
    if value == old:
        return k, j
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"" and value[1:-1] == old:
        return k + 1, j - 1
    return None


# --- flags ---------------------------------------------------------------------------------------


@dataclass
class _Flag:
    """A flag found in a command: ``items[flag]``; its value in ``items[value].text[k:j]``
    (``value == flag``: ``--timeout=30``, ``-t30``; None: no value after it)."""

    items: list[_Item]
    flag: int
    value: int | None
    k: int = 0
    j: int = 0

    def written(self) -> str:
        flag = self.items[self.flag].text
        if self.value is None:
            return flag
        if self.value == self.flag:
            return flag
        return f"{flag} {self.items[self.value].text}"


def _flags_in(items: list[_Item], flags: Sequence[str]) -> list[_Flag]:
    found: list[_Flag] = []
    for index, item in enumerate(items):
        if item.operator:
            continue
        text = item.text
        for flag in flags:
            if text == flag:
                following = index + 1
                if following < len(items) and not items[following].operator:
                    size = len(items[following].text)
                    found.append(_Flag(items, index, following, 0, size))
                else:
                    found.append(_Flag(items, index, None))
                break
            if text.startswith(flag + "="):
                found.append(_Flag(items, index, index, len(flag) + 1, len(text)))
                break
            if _SHORT.fullmatch(flag) and text.startswith(flag) and len(text) > len(flag):
                found.append(_Flag(items, index, index, len(flag), len(text)))
                break
    return found


def _flag_groups(cmd: _Cmd, flags: Sequence[str]) -> list[list[_Flag]]:
    """The flags in the command's words, then in the words written inside a word on the line."""
    nested: list[_Flag] = []
    for item in cmd.here:
        inner = _inner_items(item)
        if inner is not None:
            nested.extend(_flags_in(inner, flags))
    return [_flags_in(cmd.items, flags), nested]


def _names(flags: Sequence[str]) -> str:
    return " or ".join(flags)


def _pick(groups: list[list[_Flag]], line: int, flags: Sequence[str], old: str | None) -> _Flag:
    """The flag whose value is ``old`` (``old`` None: the flag alone); of several, the last (the
    one argparse and click keep)."""
    for group in groups:
        if old is None:
            alone = [f for f in group if f.items[f.flag].text in flags]
            if alone:
                return _Flag(alone[-1].items, alone[-1].flag, None)
            continue
        matching: list[_Flag] = []
        for f in group:
            if f.value is None:
                continue
            at = _unquoted_match(f.items[f.value].text, f.k, f.j, old)
            if at is not None:
                matching.append(_Flag(f.items, f.flag, f.value, *at))
        if matching:
            return matching[-1]
    found = groups[0] or groups[1]
    if not found:
        raise EditError(f"the command at line {line} has no {_names(flags)}")
    last = found[-1]
    if old is None:
        raise EditError(f"the command at line {line} has {last.written()}, not {flags[0]} alone")
    if last.value is None:
        raise EditError(f"{last.written()} at line {line} has no value")
    raise EditError(f"the command at line {line} has {last.written()}, not {flags[0]} {old}")


def set_flag(text: str, line: int, flags: Sequence[str], old: str, new: str) -> Span:
    """Replace the value of the flag (any spelling in ``flags``) in the command at ``line``:
    ``--timeout 30`` -> ``--timeout 90``, in any of the forms a launcher writes it."""
    if not flags:
        raise EditError("no flag to change")
    _check_value(new)
    cmd = _command(text, line)
    chosen = _pick(_flag_groups(cmd, flags), line, flags, old)
    assert chosen.value is not None
    return _value_span(chosen.items[chosen.value], chosen.k, chosen.j, new)


def remove_flag(text: str, line: int, flags: Sequence[str], old: str | None) -> Span:
    """Remove the flag (and its value ``old``; None: a flag without value) from the command at
    ``line``, with the separator before it (a block list: the item lines)."""
    if not flags:
        raise EditError("no flag to remove")
    cmd = _command(text, line)
    chosen = _pick(_flag_groups(cmd, flags), line, flags, old)
    last = chosen.value if chosen.value is not None else chosen.flag
    return _remove_span(cmd.lines, chosen.items, chosen.flag, last)


def _remove_span(lines: _Lines, items: list[_Item], first: int, last: int) -> Span:
    head, tail = items[first], items[last]
    if head.form == "block":
        start, end = lines.start(head.line), lines.next(tail.line)
        if lines.end(tail.line) == end and head.line > 0:
            start = lines.end(head.line - 1)  # the last line, without newline: take the one before
        return Span(start, end, "")
    if first > 0:
        return Span(items[first - 1].end, tail.end, "")
    if last + 1 < len(items):
        return Span(head.start, items[last + 1].start, "")
    return Span(head.start, tail.end, "")


def _is_program(item: _Item, program: str) -> bool:
    text = item.text
    if text == program or text.endswith("/" + program):
        return True
    # systemd ExecStart=gunicorn, ExecStart=-gunicorn; supervisord command=gunicorn
    return item.form == "shell" and (
        re.fullmatch(r"[A-Za-z][\w-]*=[-@:+!]*" + re.escape(program), text) is not None
    )


def _program_at(items: list[_Item], program: str) -> int | None:
    """The first word that runs ``program`` (not a package name after ``pip install``):
    ``gunicorn``, ``/venv/bin/gunicorn``, ``python -m gunicorn``, ``python -m
    gunicorn.app.wsgiapp``."""
    installing = False
    for index, item in enumerate(items):
        if item.operator:
            installing = False
            continue
        module = index > 0 and items[index - 1].text == "-m"
        if item.text in _INSTALLERS:
            installing = True
        elif not installing and (
            _is_program(item, program) or (module and item.text.startswith(program + "."))
        ):
            return index
    return None


def _flow_separator(items: list[_Item], index: int, text: str) -> str:
    for a, b in ((index, index + 1), (index - 1, index)):
        if a >= 0 and b < len(items):
            between = text[items[a].end : items[b].start]
            if "\n" not in between and "\r" not in between and between.strip() == ",":
                return between
    return ", "


def add_flag(text: str, line: int, program: str, words: Sequence[str]) -> Span:
    """Insert ``words`` (``["--timeout", "75"]``) right after the program's word in the
    command at ``line``: `` --timeout 75`` in a shell-like line, ``, "--timeout", "75"`` in a
    flow list, new ``- `` item lines in a block list."""
    if not words:
        raise EditError("no words to add")
    for word in words:
        _check_value(word)
    cmd = _command(text, line)
    index = _program_at(cmd.items, program)
    if index is None:
        for item in cmd.here:
            inner = _inner_items(item)
            at = _program_at(inner, program) if inner is not None else None
            if inner is not None and at is not None:
                written = " ".join(_shell_word_text(w, nested=True) for w in words)
                return Span(inner[at].end, inner[at].end, " " + written)
        raise EditError(f"the command at line {line} does not run {program}")
    item = cmd.items[index]
    if item.form == "flow":
        separator = _flow_separator(cmd.items, index, text)
        style = item.segs[0].style
        added = "".join(separator + _yaml_word(w, style, flow=True) for w in words)
        return Span(item.end, item.end, added)
    if item.form == "block":
        lines = cmd.lines
        newline = lines.newline(item.line)
        style = item.segs[0].style
        added = "".join(newline + item.prefix + _yaml_word(w, style, flow=False) for w in words)
        end = lines.end(item.line)
        return Span(end, end, added)
    written = " ".join(_shell_word_text(w, nested=item.nested) for w in words)
    return Span(item.end, item.end, " " + written)


# --- variables -----------------------------------------------------------------------------------


def _assignments(item: _Item, name: str) -> list[tuple[int, int]]:
    """Where ``item`` sets ``name``: the value's range in its text. ``NAME=value``, systemd
    ``Environment=NAME=value``, supervisord ``environment=A="1",NAME="2"``."""
    text = item.text
    if item.operator:
        return []
    if text.startswith(name + "="):
        return [(len(name) + 1, len(text))]
    head = re.match(r"(Environment|environment)=", text)
    if head is None:
        return []
    if head.group(1) == "Environment":
        if text.startswith(name + "=", head.end()):
            return [(head.end() + len(name) + 1, len(text))]
        return []
    found: list[tuple[int, int]] = []
    start = head.end()
    while start <= len(text):
        comma = start
        while comma < len(text) and not (
            text[comma] == "," and item.segs[item.seg_of(comma)].style == "bare"
        ):
            comma += 1
        if text.startswith(name + "=", start) and start + len(name) < comma:
            found.append((start + len(name) + 1, comma))
        start = comma + 1
    return found


def _env_candidates(lines: _Lines, i: int, name: str) -> list[tuple[_Item, int, int]]:
    content = lines.content(i)
    key = re.escape(name)
    # Kubernetes: - name: NAME / value: "4"
    if re.match(r"[ \t]*(?:-[ \t]+)?(?:name|value)[ \t]*:", content):
        keys = _mapping(lines, i)
        named = keys.get("name")
        if named is not None and named[0] is not None and named[0].text == name:
            if "valueFrom" in keys:
                raise EditError(f"{name} is set from valueFrom (line {keys['valueFrom'][1] + 1})")
            value = keys.get("value")
            if value is None or value[0] is None:
                raise EditError(f"{name} has no value: written in its entry")
            return [(value[0], 0, len(value[0].text))]
    # compose environment: - NAME=value
    item, _ = _block_item(lines, i)
    if item is not None and item.text.startswith(name + "="):
        return [(item, len(name) + 1, len(item.text))]
    # compose environment: NAME: value
    found = re.match(rf"[ \t]*(?:-[ \t]+)?(?:{key}|\"{key}\"|'{key}')[ \t]*:(?:[ \t]+|$)", content)
    if found is not None:
        at = lines.start(i) + found.end()
        scalar, _ = _yaml_scalar(lines.text, at, lines.end(i), flow=False)
        if scalar is None:
            raise EditError(f"{name} has no value at line {i + 1}")
        return [(scalar, 0, len(scalar.text))]
    first, last = lines.logical(i)
    # Dockerfile ENV NAME value (the old form, without =)
    found = re.match(rf"[ \t]*(?i:ENV)[ \t]+{key}[ \t]+(?=[^\s=])", lines.content(first))
    if found is not None:
        words = _shell_items(
            _chars(lines.text, lines.start(first) + found.end(), lines.end(last)), nested=False
        )
        if len(words) != 1:
            raise EditError(f"ENV {name} at line {first + 1} sets a value of several words")
        return [(words[0], 0, len(words[0].text))]
    items = _shell_items(_chars(lines.text, lines.start(first), lines.end(last)), nested=False)
    return [(w, k, j) for w in items for k, j in _assignments(w, name)]


def set_env(text: str, line: int, name: str, old: str, new: str) -> Span:
    """Replace the value of the variable ``name`` set at ``line`` (an env file's ``NAME=value``,
    ``export NAME=value``, compose ``environment:``, Dockerfile ``ENV``, systemd
    ``Environment=``, supervisord ``environment=``, Kubernetes ``- name:`` + ``value:``),
    keeping its quotes."""
    if not _NAME.fullmatch(name):
        raise EditError(f"{name!r} is not a variable name")
    _check_value(new)
    lines = _Lines(text)
    i = lines.index(line)
    candidates = _env_candidates(lines, i, name)
    matching = [
        (item, *at)
        for item, k, j in candidates
        if (at := _unquoted_match(item.text, k, j, old)) is not None
    ]
    if matching:
        item, k, j = matching[-1]
        return _value_span(item, k, j, new)
    if candidates:
        item, k, j = candidates[-1]
        bare = _bare_env_value(lines, i, name, old, new)
        if bare is not None:
            return bare
        raise EditError(f"line {line} sets {name}={item.text[k:j]}, not {name}={old}")
    raise EditError(f"line {line} does not set {name}")


def _bare_env_value(lines: _Lines, i: int, name: str, old: str, new: str) -> Span | None:
    """An env file's ``NAME=two words`` (docker and compose read the rest of the line)."""
    content = lines.content(i)
    found = re.match(rf"[ \t]*(?:export[ \t]+)?{re.escape(name)}=(?=[^'\"\s])", content)
    if found is None:
        return None
    rest = content[found.end() :]
    value = re.sub(r"(?<![ \t])[ \t]++#.*$", "", rest).rstrip(" \t")
    if value != old:
        return None
    start = lines.start(i) + found.end()
    return Span(start, start + len(value), _shell_word_text(new, nested=False))


# --- GUNICORN_CMD_ARGS as an env file writes it ---------------------------------------------


def append_to_cmd_args(text: str, line: int, words: list[str]) -> Span:
    """``words`` added at the end of the value of ``GUNICORN_CMD_ARGS`` at ``line`` (quoted or
    not), as words that need no quoting."""
    if not all(re.fullmatch(r"[^\s'\"\\$`#]+", word) for word in words):
        raise EditError(f"{' '.join(words)} would need quoting inside GUNICORN_CMD_ARGS")
    begin, end = line_span(text, line)
    content = text[begin:end].rstrip("\r\n")
    found = re.fullmatch(
        r"([ \t]*(?:export[ \t]+|ENV[ \t]+)?GUNICORN_CMD_ARGS=)(?:([\"'])([^\"']*)\2|([^\s\"'#]"
        r"[^\"'#]*?))[ \t]*(?:#.*)?",
        content,
    )
    if found is None:
        raise EditError(f"line {line} does not set GUNICORN_CMD_ARGS in a form gwlint edits")
    at = begin + (found.end(3) if found.group(2) else found.end(4))
    return Span(at, at, " " + " ".join(words))


_ENV_FILE_ARGS = re.compile(r"[ \t]*(?:export[ \t]+)?GUNICORN_CMD_ARGS=(?=[^\s\"'])")


def set_flag_in_env_file(
    text: str, line: int, flags: tuple[str, ...], old: str, new: str
) -> Span | None:
    """``GUNICORN_CMD_ARGS=--timeout 90 --workers 2`` without quotes, as docker's --env-file and
    compose's env_file read it (the value is the rest of the line): the flag's value in it."""
    if not re.fullmatch(r"[^\s'\"\\$]+", new):
        return None
    begin, end = line_span(text, line)
    content = text[begin:end].rstrip("\r\n")
    head = _ENV_FILE_ARGS.match(content)
    if head is None:
        return None
    for flag in flags:
        found = re.search(
            rf"(?<!\S){re.escape(flag)}(?:=|[ \t]+)({re.escape(old)})(?!\S)", content[head.end() :]
        )
        if found is not None:
            at = begin + head.end() + found.start(1)
            return Span(at, at + len(old), new)
    return None
