"""crossplane's nginx lexer, token for token, at the speed of regular expressions.

``crossplane.lexer.lex`` walks a file one character at a time through three generators: on a
large configuration that is most of gwlint's time. ``lex`` here yields the same
``(token, line, quoted)`` tuples and raises the same ``NgxParserSyntaxError`` after the same
token, by scanning whole runs (blanks, comments, quoted strings, words) at once. The inputs whose
handling it does not reproduce (``${`` parameter expansion, the ``*_by_lua_block`` bodies of
crossplane's Lua extension) go to crossplane's own lexer. tests/test_nginx_lexer.py compares the
two on generated input and on every nginx file of the corpus.

What crossplane does, and is reproduced here: the file is read as UTF-8 (invalid bytes replaced)
with universal newlines; a backslash and the character after it are one character (which is
never a blank and never ends a word); a word ends at a blank or at ``{``, ``}`` or ``;``, and a
word, comment or quoted string that reaches the end of the file is dropped, as is everything
after a backslash that ends it; a comment runs to the end of its line (an escaped newline ends it
too, without its backslash); in a quoted string an escaped quote is the quote itself, and other
escapes are kept as written. A token's line is the line it starts on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator

Token = tuple[str, int, bool]

# a token and the blanks before it, by the token's first character: a word (``\\`` and the
# character after it are one character), ``{`` ``}`` ``;``, a comment up to its newline, a quoted
# string up to its unescaped quote; else (a comment or string without its end, a final lone
# backslash) the end, or only blanks up to the end of the file. Every non-blank character starts
# one of the alternatives, so the matches tile the text: ``findall`` gives every token with the
# blanks before it (to count lines by: only up to their last newline is captured, most often
# "\n", then the first blank after it, if any: one-character strings Python never allocates
# again, where the whole run of blanks, with the next line's indentation, was a new string per
# token) without a match object each. (\s is exactly
# str.isspace(), crossplane's blank; possessive, so that no blank is given back to be tried
# again: a million trailing blanks are one match, not a million. A word or a quoted string is a
# run of plain characters between escapes, ``a*(?:\\.a*)*``, rather than one choice between an
# escape and a plain character per character: the same text, matched in two thirds of the time.)
_TOKEN = re.compile(
    r"((?:[^\S\n]*+\n)*+)([^\S\n]?+)[^\S\n]*+(?:("
    r"(?:[^\s{};\\\"'#]|\\.)[^\s{};\\]*+(?:\\.[^\s{};\\]*+)*+"  # word
    r"|[{};]"  # special
    r"|#[^\n]*\n"  # comment
    r"|\"[^\"\\]*+(?:\\.[^\"\\]*+)*+\"|'[^'\\]*+(?:\\.[^'\\]*+)*+'"  # quoted
    r")|[#\"'\\]|\Z)",  # the end: no token
    re.DOTALL,
)
_SPECIAL = frozenset("{};")
_QUOTES = frozenset("\"'")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


class Tokens:
    """A file's tokens, stored compactly: iterating gives ``(token, line, quoted)`` tuples.

    A tuple per token held for the whole run was most of a large configuration's memory (118k
    tokens, 115 bytes each); here a token is three list entries, and the tokens written alike
    (directive names, ``on``, ports) share one string."""

    __slots__ = ("blocks", "lines", "quoted", "words")

    def __init__(self) -> None:
        self.words: list[str] = []
        self.lines: list[int] = []
        self.quoted: list[bool] = []
        # where each top-level block opens -> where it closes (its ``{`` and ``}``), as the
        # fast lexer found them (a file's top-level statements are found without a pass over
        # the tokens inside them); None when crossplane's own lexer read the file
        self.blocks: dict[int, int] | None = None

    def append(self, token: Token) -> None:
        self.words.append(token[0])
        self.lines.append(token[1])
        self.quoted.append(token[2])

    def pop(self) -> None:
        del self.words[-1], self.lines[-1], self.quoted[-1]

    def __iter__(self) -> Iterator[Token]:
        return zip(self.words, self.lines, self.quoted, strict=True)

    def __len__(self) -> int:
        return len(self.words)

    def __getitem__(self, index: int) -> Token:
        return self.words[index], self.lines[index], self.quoted[index]


def lex(
    path: str,
    *,
    fallback: Callable[[str, str], Iterator[Token]],
    external: Collection[str],
    syntax_error: Callable[[str, str, int], Exception],
    text: str | None = None,
) -> Iterator[Token]:
    """``crossplane.lexer.lex(path)``: the same tokens, the same syntax errors. ``text``: the
    file's text when it is not read from ``path`` (a template rendered in memory).

    crossplane itself is passed in by loaders/nginx.py (the only module that imports it): its
    lexer (``fallback(path, text)``, for ``${`` and the block names in ``external``) and its
    ``NgxParserSyntaxError`` (``syntax_error``)."""
    tokens = Tokens()
    try:
        lex_into(
            tokens, path, fallback=fallback, external=external, syntax_error=syntax_error, text=text
        )
    except Exception:
        yield from tokens
        raise
    yield from tokens


def lex_into(
    tokens: Tokens,
    path: str,
    *,
    fallback: Callable[[str, str], Iterator[Token]],
    external: Collection[str],
    syntax_error: Callable[[str, str, int], Exception],
    text: str | None = None,
) -> None:
    """As ``lex``, into ``tokens``: what was lexed before a syntax error stays there."""
    if text is None:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    if "${" in text or any(name in text for name in external):
        for token in fallback(path, text):
            tokens.append(token)
        return
    open_blocks, stray = _tokens(text, tokens)
    if stray is not None:
        raise syntax_error('unexpected "}"', path, stray)
    if open_blocks > 0:
        line = tokens.lines[-1] if tokens.lines else 0
        raise syntax_error('unexpected end of file, expecting "}"', path, line)


def _odd_backslashes(text: str, end: int, start: int) -> bool:
    """Is the run of backslashes just before ``end`` (not before ``start``) of odd length?"""
    run = 0
    while end - 1 - run >= start and text[end - 1 - run] == "\\":
        run += 1
    return run % 2 == 1


def _unescape(raw: str, quote: str) -> str:
    """A quoted string's content: an escaped quote is the quote, other escapes stay as written."""
    return _ESCAPE.sub(lambda found: quote if found.group(1) == quote else found.group(0), raw)


def _tokens(text: str, tokens: Tokens) -> tuple[int, int | None]:
    """The tokens, into ``tokens``; how many blocks are still open at the end; the line of a
    ``}`` that closes none, if any (the tokens stop before it, where crossplane raises)."""
    words, lines, quotes = tokens.words, tokens.lines, tokens.quoted
    add_word, add_line, add_quoted = words.append, lines.append, quotes.append
    blocks: dict[int, int] = {}
    tokens.blocks = blocks
    opened = 0  # where the top-level block being read opened
    same: dict[str, str] = {}  # one string for the words written alike
    shared = same.setdefault
    line = 1  # the line the current token starts on, once the blanks before it are counted
    depth = 0
    # each match is (blanks up to their last newline, the blank after it, the token): the kind
    # of a token is told by its first character (a word never starts with { } ; # or a quote)
    for blanks, blank, token in _TOKEN.findall(text):
        if blanks:
            # (only when the line changes: ``line + 0`` would be a new int object, and the
            # tokens of one line share one)
            line += blanks.count("\n")
        if not token:
            # the end: of the file, or a comment or string the end of the file cuts, or a final
            # lone backslash. A word right before it (no blank between) is cut too: dropped.
            # (Only a word token is neither quoted, nor { } ;, nor starts with #.)
            if not blanks and not blank and words:
                value, was_quoted = words[-1], quotes[-1]
                if not was_quoted and value not in ("{", "}", ";") and value[:1] != "#":
                    tokens.pop()
            break
        first = token[0]
        if first in _SPECIAL:
            if first == "{":
                if depth == 0:
                    opened = len(words)
                depth += 1
            elif first == "}":
                depth -= 1
                if depth < 0:
                    return depth, line
                if depth == 0:
                    blocks[opened] = len(words)
            add_word(token)
            add_line(line)
            add_quoted(False)
        elif first == "#":
            end = len(token) - 1  # its newline
            add_word(token[:-2] if _odd_backslashes(token, end, 0) else token[:-1])
            add_line(line)
            add_quoted(False)
            line += 1
        elif first in _QUOTES:
            raw = token[1:-1]
            add_word(shared(raw, raw) if "\\" not in raw else _unescape(raw, first))
            add_line(line)
            add_quoted(True)
            line += raw.count("\n")
        else:
            add_word(shared(token, token))
            add_quoted(False)
            if "\n" in token:
                # crossplane counts a newline before the character that ends with it: a word
                # that starts with an escaped newline starts on the next line
                add_line(line + 1 if token.startswith("\\\n") else line)
                line += token.count("\n")
            else:
                add_line(line)
    return depth, None
