"""Editing an nginx configuration's text for ``--fix``: by token positions, keeping the rest.

A small positional lexer finds the statements as gwlint reads them (crossplane's rules, as
``gwlint/loaders/nginx_lexer.py`` reproduces them: blanks separate; a word ends at a blank or at
``{`` ``}`` ``;``; ``#`` where a token starts opens a comment to the end of the line; ``"`` or
``'`` where a token starts opens a quoted string; a backslash and the character after it are one
character; ``${`` keeps a word going as crossplane's parameter expansion does; the body of a
``*_by_lua_block`` is one token, as crossplane's Lua extension reads it), over the text as read
with its newlines kept (``\\r\\n`` is one newline, as is a lone ``\\r``). Every token has its
start and end offsets, so an edit replaces exactly the characters it must: the comments,
indentation, quotes and newlines around it stay as written.

The functions are pure (``text -> Span``) and raise ``EditError`` with a reason a person reads
when the statement or block is not where the caller says, or the file is not nginx syntax.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from gwlint.fixes.spans import EditError, Span, line_starts, newline_of

__all__ = ["add_directive", "quote_arg", "remove_directive", "set_args"]

# crossplane's Lua extension: the directives whose block is one token (``set_by_lua_block``
# takes one word before it)
_LUA_BLOCKS = frozenset(
    {
        "access_by_lua_block",
        "balancer_by_lua_block",
        "body_filter_by_lua_block",
        "content_by_lua_block",
        "header_filter_by_lua_block",
        "init_by_lua_block",
        "init_worker_by_lua_block",
        "log_by_lua_block",
        "rewrite_by_lua_block",
        "set_by_lua_block",
        "ssl_certificate_by_lua_block",
        "ssl_session_fetch_by_lua_block",
        "ssl_session_store_by_lua_block",
    }
)

_BLANKS = re.compile(r"\s+")
_PLAIN = re.compile(r"[^\s{};\\]+")  # word characters up to a blank, a special or an escape
_QUOTED = {
    '"': re.compile(r'"(?:[^"\\]|\\(?:\r\n|[\s\S]))*"'),
    "'": re.compile(r"'(?:[^'\\]|\\(?:\r\n|[\s\S]))*'"),
}
_NEWLINES = re.compile(r"\r\n?")
_NEWLINE = re.compile(r"[\r\n]")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)

# a statement's parts: words, quoted strings, a Lua block's body
_VALUES = ("word", "quoted")


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "quoted", "comment", "{", "}", ";", "lua" (a Lua block, braces included)
    start: int
    end: int
    value: str  # as gwlint reads it (crossplane's token)
    line: int  # as crossplane counts it


@dataclass
class _Statement:
    name: _Token
    args: list[_Token]
    end: _Token  # its ";", its "{", or its Lua block
    comments: list[_Token]  # the comments between its name and its end
    close: _Token | None = None  # a block's "}"
    children: list[_Statement] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.name.line

    @property
    def last(self) -> _Token:
        """Its last token: the ``;``, the Lua block, or the block's ``}``."""
        return self.close if self.close is not None else self.end


# --- lexing ----------------------------------------------------------------------------------


def _normalized(raw: str) -> str:
    return _NEWLINES.sub("\n", raw) if "\r" in raw else raw


def _unescape(raw: str, quote: str) -> str:
    """A quoted string's content: an escaped quote is the quote, other escapes stay as written."""
    if "\\" not in raw:
        return raw
    return _ESCAPE.sub(lambda found: quote if found.group(1) == quote else found.group(0), raw)


def _unit_end(text: str, pos: int) -> int | None:
    """The end of the character at ``pos`` as crossplane reads it (a backslash and the next
    character are one, ``\\r\\n`` is one); None at the end of the text or after a final lone
    backslash (where crossplane stops reading)."""
    size = len(text)
    if pos >= size:
        return None
    if text[pos] == "\\":
        if pos + 1 >= size:
            return None
        return pos + 3 if text.startswith("\r\n", pos + 1) else pos + 2
    return pos + 2 if text.startswith("\r\n", pos) else pos + 1


class _Lexer:
    def __init__(self, text: str, directive_next: bool = True) -> None:
        self.text = text
        self.directive_next = directive_next
        self.starts = line_starts(text)
        self.tokens: list[_Token] = []

    def line_of(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos)

    def unit_line(self, pos: int, end: int) -> int:
        """crossplane's line of the character ``text[pos:end]``: a newline counts on the line
        after it."""
        last = self.text[end - 1]
        return self.line_of(pos) + (1 if last in "\r\n" else 0)

    def add(self, kind: str, start: int, end: int, value: str, line: int | None = None) -> None:
        if line is None:
            line = self.line_of(start)
        self.tokens.append(_Token(kind, start, end, value, line))

    def run(self) -> list[_Token]:
        text = self.text
        size = len(text)
        pos = 0
        directive_next = self.directive_next
        while pos < size:
            blanks = _BLANKS.match(text, pos)
            if blanks:
                pos = blanks.end()
                continue
            char = text[pos]
            if char == "#":
                newline = _NEWLINE.search(text, pos)
                if newline is None:
                    break  # a comment the end of the file cuts: dropped
                end = newline.start()
                run = 0
                while end - 1 - run > pos and text[end - 1 - run] == "\\":
                    run += 1
                # an escaped newline ends it too; the newline (and its backslash) go with it
                stop = end - 1 if run % 2 else end
                self.add("comment", pos, stop, _normalized(text[pos:stop]))
                pos = _unit_end(text, end) or size
                continue
            if char in "{};":
                self.add(char, pos, pos + 1, char)
                directive_next = True
                pos += 1
                continue
            if char in _QUOTED:
                found = _QUOTED[char].match(text, pos)
                if found is None:
                    break  # a string the end of the file cuts: dropped
                value = _unescape(_normalized(text[pos + 1 : found.end() - 1]), char)
                self.add("quoted", pos, found.end(), value)
                pos = found.end()
                if directive_next and value in _LUA_BLOCKS:
                    after = self.lua(value, pos)
                    if after is None:
                        break
                    pos = after
                else:
                    directive_next = False
                continue
            word_end = self.word(pos)
            if word_end is None:
                break  # a word the end of the file cuts: dropped
            first = _unit_end(text, pos) or word_end
            value = _normalized(text[pos:word_end])
            self.add("word", pos, word_end, value, self.unit_line(pos, first))
            pos = word_end
            if text[word_end].isspace():
                if directive_next and value in _LUA_BLOCKS:
                    # crossplane's Lua lexer reads on after the blank that ends the name
                    after = self.lua(value, _unit_end(text, word_end) or size)
                    if after is None:
                        break
                    pos = after
                else:
                    directive_next = False
        return self.tokens

    def word(self, pos: int) -> int | None:
        """The end of the word at ``pos`` (None: the end of the file cuts it)."""
        text = self.text
        size = len(text)
        while pos < size:
            char = text[pos]
            if char == "\\":
                end = _unit_end(text, pos)
                if end is None:
                    return None
                pos = end
            elif char == "{" and text[pos - 1] == "$":
                # crossplane's ${...}: every character up to a "}" or a blank, then the
                # character after it too unless it is { } or ;
                while text[pos - 1] != "}" and not text[pos].isspace():
                    end = _unit_end(text, pos)
                    if end is None or end >= size:
                        return None
                    pos = end
                if text[pos] in "{};":
                    return pos
                end = _unit_end(text, pos)
                if end is None:
                    return None
                pos = end
            elif char.isspace() or char in "{};":
                return pos
            else:
                plain = _PLAIN.match(text, pos)
                pos = plain.end() if plain else pos + 1
        return None

    def lua(self, name: str, pos: int) -> int | None:
        """After a ``*_by_lua_block`` name: its Lua block as one token (and the word before it
        for ``set_by_lua_block``), as crossplane's Lua extension reads them. The offset after
        the block; None where that extension stops reading (the end of the file)."""
        text = self.text
        size = len(text)
        if name == "set_by_lua_block":
            while pos < size and text[pos].isspace():
                pos = _unit_end(text, pos) or size
            start = pos
            while pos < size and not text[pos].isspace():
                end = _unit_end(text, pos)
                if end is None:
                    return None
                pos = end
            if pos >= size:
                return None
            after = _unit_end(text, pos) or size
            self.add("word", start, pos, _normalized(text[start:pos]), self.unit_line(pos, after))
            pos = after
        while pos < size and text[pos].isspace():
            pos = _unit_end(text, pos) or size
        if _unit_end(text, pos) is None:
            return None
        if text[pos] != "{":
            raise EditError(f"line {self.line_of(pos)}: a Lua block must start with {{")
        start = pos
        depth = 1
        pos += 1
        while True:
            end = _unit_end(text, pos)
            if end is None:
                return None
            unit = text[pos:end]
            if unit == "-" and text.startswith("-", end):
                while text[pos] not in "\r\n":  # a Lua comment, to its newline
                    pos = _unit_end(text, pos) or size
                    if pos >= size:
                        return None
                end = _unit_end(text, pos) or size
            elif unit == "{":
                depth += 1
            elif unit == "}":
                depth -= 1
                if depth == 0:
                    body = _normalized(text[start + 1 : pos])
                    self.add("lua", start, end, body, self.line_of(pos))
                    return end
            elif unit in ('"', "'"):
                while True:
                    following = _unit_end(text, end)
                    if following is None:
                        return None
                    if text[end:following] == unit:
                        end = following
                        break
                    end = following
            pos = end


def _tokens(text: str, directive_next: bool = True) -> list[_Token]:
    """The tokens of ``text``; ``directive_next``: does it start where a statement starts?"""
    return _Lexer(text, directive_next).run()


# --- statements ------------------------------------------------------------------------------


# the last text's statements (or why it is not nginx syntax): the resolver edits one file for
# each of its findings, with the same text object
_LAST: list[tuple[str, list[_Statement] | EditError]] = []


def _statements(text: str) -> list[_Statement]:
    """Every statement of the text, in order (the blocks' children included). EditError when
    the text is not nginx syntax (gwlint would not have read it). Shared: do not change it."""
    if _LAST and _LAST[0][0] is text:
        found = _LAST[0][1]
        if isinstance(found, EditError):
            raise found
        return found
    try:
        statements = _parse(text)
    except EditError as exc:
        _LAST[:] = [(text, exc)]
        raise
    _LAST[:] = [(text, statements)]
    return statements


_LINES: list[tuple[list[_Statement], dict[int, list[_Statement]]]] = []


def _by_line(statements: list[_Statement]) -> dict[int, list[_Statement]]:
    """The statements that start on each line, in order (of the last list asked for)."""
    if _LINES and _LINES[0][0] is statements:
        return _LINES[0][1]
    index: dict[int, list[_Statement]] = {}
    for statement in statements:
        index.setdefault(statement.line, []).append(statement)
    _LINES[:] = [(statements, index)]
    return index


def _parse(text: str) -> list[_Statement]:
    tokens = _tokens(text)
    found: list[_Statement] = []
    open_blocks: list[_Statement] = []
    index = 0
    count = len(tokens)
    while index < count:
        token = tokens[index]
        if token.kind == "comment":
            index += 1
            continue
        if token.kind == "}":
            if not open_blocks:
                raise EditError(f'line {token.line}: unexpected "}}" (not nginx syntax)')
            open_blocks.pop().close = token
            index += 1
            continue
        if token.kind not in _VALUES:
            raise EditError(f'line {token.line}: unexpected "{token.kind}" (not nginx syntax)')
        args: list[_Token] = []
        comments: list[_Token] = []
        index += 1
        while True:
            if index >= count:
                raise EditError(
                    f"the file ends inside the {token.value} statement of line {token.line}"
                )
            part = tokens[index]
            index += 1
            if part.kind == "comment":
                comments.append(part)
            elif part.kind in _VALUES:
                args.append(part)
            elif part.kind == "}":
                raise EditError(f'line {part.line}: unexpected "}}" (not nginx syntax)')
            else:
                break
        statement = _Statement(token, args, part, comments)
        if open_blocks:
            open_blocks[-1].children.append(statement)
        found.append(statement)
        if part.kind == "{":
            open_blocks.append(statement)
    if open_blocks:
        raise EditError(
            f"the {open_blocks[-1].name.value} block of line {open_blocks[-1].line} is not closed"
        )
    return found


def _find(text: str, line: int, name: str) -> _Statement:
    statements = _statements(text)
    for statement in _by_line(statements).get(line, ()):
        if statement.name.value == name:
            return statement
    elsewhere = sorted({s.line for s in statements if s.name.value == name})
    hint = ""
    if len(elsewhere) == 1:
        hint = f" (line {elsewhere[0]} does)"
    elif elsewhere:
        shown = ", ".join(str(n) for n in elsewhere[:5]) + (", ..." if len(elsewhere) > 5 else "")
        hint = f" (lines {shown} do)"
    raise EditError(f"line {line} holds no {name} statement{hint}")


# --- writing arguments -----------------------------------------------------------------------


def _quoted(arg: str, quote: str) -> str | None:
    """``arg`` in ``quote``s as gwlint and nginx read it back, or None when it cannot be: a
    quote is escaped; a backslash stays as written (both keep ``\\d`` as is), so a run of
    backslashes just before a quote or at the end must be even."""
    for found in re.finditer(r"\\+", arg):
        following = arg[found.end() : found.end() + 1]
        if len(found.group()) % 2 and following in ("", quote):
            return None
    return quote + arg.replace(quote, "\\" + quote) + quote


def _bare(arg: str) -> bool:
    """Does nginx (and gwlint) read ``arg`` written as is as one word, and the same one?"""
    if not arg or arg.startswith("#") or "${" in arg:
        return False
    if any(char.isspace() or char in ";{}\"'" for char in arg):
        return False
    trailing = len(arg) - len(arg.rstrip("\\"))
    return trailing % 2 == 0


def _reads_back(written: str, arg: str) -> bool:
    """Is ``written``, followed by a blank or a ``;``, exactly one token whose value is ``arg``?"""
    for after in (" ;", ";"):
        tokens = _tokens(written + after, directive_next=False)
        if len(tokens) != 2 or tokens[0].kind not in _VALUES:
            return False
        if tokens[0].value != arg or tokens[0].end != len(written):
            return False
    return True


def quote_arg(arg: str) -> str:
    """``arg`` as written in a statement: bare when nginx reads it as one word, else in double
    quotes (``"`` escaped), else in single quotes. EditError when no writing reads back as
    ``arg`` (a backslash that would escape the closing quote)."""
    if _bare(arg) and _reads_back(arg, arg):
        return arg
    for quote in ('"', "'"):
        written = _quoted(arg, quote)
        if written is not None and _reads_back(written, arg):
            return written
    raise EditError(f"{arg!r} cannot be written as one nginx argument")


def _write_like(old: _Token, text: str, arg: str) -> str:
    """``arg`` replacing the argument ``old``: as written when unchanged, in its quotes when it
    was quoted and can stay so."""
    if old.value == arg:
        return text[old.start : old.end]
    if old.kind == "quoted":
        written = _quoted(arg, text[old.start])
        if written is not None and _reads_back(written, arg):
            return written
    return quote_arg(arg)


def _check_name(name: str) -> None:
    if not _bare(name) or not _reads_back(name, name):
        raise EditError(f"{name!r} is not a directive name")


# --- the edits -------------------------------------------------------------------------------


def set_args(text: str, line: int, name: str, args: Sequence[str]) -> Span:
    """The statement ``name`` whose name is on ``line`` (the first such) gets the arguments
    ``args``: the text from its first argument to its last is replaced (with the same number of
    arguments, the blanks between them and the unchanged ones stay as written, and a quoted one
    keeps its quotes; else the arguments are joined with one space). A statement without
    arguments gets `` args`` after its name."""
    statement = _find(text, line, name)
    if statement.end.kind == "lua":
        raise EditError(f"line {line}: the {name} Lua block is not edited automatically")
    old = statement.args
    if len(args) != len(old) and any(
        old[0].start < comment.start < old[-1].end for comment in statement.comments
    ):
        raise EditError(f"line {line}: a comment sits among the arguments of {name}")
    if not old:
        if not args:
            return Span(statement.name.end, statement.name.end, "")
        written = " ".join(quote_arg(arg) for arg in args)
        return Span(statement.name.end, statement.name.end, " " + written)
    if not args:
        return Span(statement.name.end, old[-1].end, "")
    if len(args) == len(old):
        pieces: list[str] = []
        for index, (token, arg) in enumerate(zip(old, args, strict=True)):
            if index:
                pieces.append(text[old[index - 1].end : token.start])
            pieces.append(_write_like(token, text, arg))
        replacement = "".join(pieces)
    else:
        replacement = " ".join(quote_arg(arg) for arg in args)
    return Span(old[0].start, old[-1].end, replacement)


def _newline(text: str) -> str:
    """The file's newline: ``newline_of``'s, or a lone ``\\r`` where the file has no other."""
    if "\n" not in text and "\r" in text:
        return "\r"
    return newline_of(text)


def _indent_unit(text: str) -> str:
    """A tab when more lines of the file start with a tab than with a space, else 4 spaces."""
    tabs = spaces = 0
    for line in text.splitlines():
        if line[:1] == "\t" and line.strip():
            tabs += 1
        elif line[:1] == " " and line.strip():
            spaces += 1
    return "\t" if tabs > spaces else "    "


def _line_prefix(text: str, starts: list[int], pos: int) -> str:
    """The text of ``pos``'s line before ``pos``."""
    line_start = starts[bisect.bisect_right(starts, pos) - 1]
    return text[line_start:pos]


def _blank(part: str) -> bool:
    return part.strip(" \t\f\v") == ""


def _leading(prefix: str) -> str:
    return prefix[: len(prefix) - len(prefix.lstrip(" \t"))]


def add_directive(
    text: str, block_line: int, block_name: str, name: str, args: Sequence[str]
) -> Span:
    """The statement ``name args;`` added at the end of the block ``block_name`` that opens on
    ``block_line``: on its own line before the block's ``}`` (indented as the block's last
    statement, else one level more than the block), or before the ``}`` of a block written on
    one line."""
    _check_name(name)
    statement_text = " ".join([name, *(quote_arg(arg) for arg in args)]) + ";"
    block = _find(text, block_line, block_name)
    if block.end.kind == "lua":
        raise EditError(f"the {block_name} of line {block_line} is a Lua block, not nginx's")
    if block.end.kind != "{" or block.close is None:
        raise EditError(f"the {block_name} statement of line {block_line} has no {{ block }}")
    starts = line_starts(text)
    close = block.close.start
    before_close = _line_prefix(text, starts, close)
    if not _blank(before_close):
        # "}" after something on its line: the statement goes just before it, on that line
        point = close
        while point > 0 and text[point - 1] in " \t":
            point -= 1
        tail = " " if point == close and text[point - 1] == "{" else ""
        return Span(point, point, " " + statement_text + tail)
    indent: str | None = None
    for child in reversed(block.children):
        prefix = _line_prefix(text, starts, child.name.start)
        if _blank(prefix):
            indent = prefix
            break
    if indent is None:
        indent = _leading(_line_prefix(text, starts, block.name.start)) + _indent_unit(text)
    point = close - len(before_close)
    return Span(point, point, indent + statement_text + _newline(text))


def remove_directive(text: str, line: int, name: str) -> Span:
    """The statement ``name`` whose name is on ``line`` removed, through its ``;`` (a block
    through its ``}``). Alone on its line(s), the whole lines go, newline included; first on its
    line, the blanks after it go too (the line keeps its indentation); else the blanks before
    it."""
    statement = _find(text, line, name)
    start = statement.name.start
    end = statement.last.end
    starts = line_starts(text)
    prefix = _line_prefix(text, starts, start)
    eol = end
    while eol < len(text) and text[eol] not in "\r\n":
        eol += 1
    suffix = text[end:eol]
    if _blank(prefix) and _blank(suffix):
        if text.startswith("\r\n", eol):
            eol += 2
        elif eol < len(text):
            eol += 1
        return Span(start - len(prefix), eol, "")
    if _blank(prefix):
        return Span(start, end + len(suffix) - len(suffix.lstrip(" \t")), "")
    return Span(start - (len(prefix) - len(prefix.rstrip(" \t"))), end, "")
