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

# a token, by its first character: a word (``\\`` and the character after it are one
# character), ``{`` ``}`` ``;``, a comment up to its newline, a quoted string up to its unescaped
# quote; else (a comment or string without its end, a final lone backslash) the end. No
# alternative starts with a blank (\s is exactly str.isspace(), crossplane's blank): blanks are
# what the search skips. (Not ``\s*`` before the token: at a file's trailing blanks, each
# position would scan to the end, and a million trailing blanks would take hours.)
_TOKEN = re.compile(
    r"(?P<word>(?:\\.|[^\s{};\\\"'#])(?:\\.|[^\s{};\\])*)"
    r"|(?P<special>[{};])"
    r"|(?P<comment>#[^\n]*\n)"
    r"|(?P<quoted>\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*')"
    r"|(?P<end>[#\"'\\])",
    re.DOTALL,
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def lex(
    path: str,
    *,
    fallback: Callable[[str], Iterator[Token]],
    external: Collection[str],
    syntax_error: Callable[[str, str, int], Exception],
) -> Iterator[Token]:
    """``crossplane.lexer.lex(path)``: the same tokens, the same syntax errors.

    crossplane itself is passed in by loaders/nginx.py (the only module that imports it): its
    lexer (``fallback``, for ``${`` and the block names in ``external``) and its
    ``NgxParserSyntaxError`` (``syntax_error``)."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    if "${" in text or any(name in text for name in external):
        yield from fallback(path)
        return
    depth = 0
    line = 0
    for token in _tokens(text):
        value, line, quoted = token
        if not quoted and value == "}":
            depth -= 1
            if depth < 0:
                raise syntax_error('unexpected "}"', path, line)
        elif not quoted and value == "{":
            depth += 1
        yield token
    if depth > 0:
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


def _tokens(text: str) -> list[Token]:
    tokens: list[Token] = []
    append = tokens.append
    size = len(text)
    pos = 0  # where the last token ended
    line = 1  # the line at pos
    # one match per token; the search skips the blanks between
    for found in _TOKEN.finditer(text):
        kind = found.lastgroup
        start = found.start()
        if start != pos:
            line += text.count("\n", pos, start)
        pos = found.end()
        value = found.group()
        if kind == "word":
            if pos == size or text[pos] == "\\":
                break  # a word the end of the file cuts (or a final lone backslash)
            # crossplane counts a newline before the character that ends with it: a word that
            # starts with an escaped newline starts on the next line
            append((value, line + 1 if value.startswith("\\\n") else line, False))
            line += value.count("\n")
        elif kind == "special":
            append((value, line, False))
        elif kind == "comment":
            end = pos - 1  # its newline
            comment = value[:-2] if _odd_backslashes(text, end, start) else value[:-1]
            append((comment, line, False))
            line += 1
        elif kind == "quoted":
            raw = value[1:-1]
            append((_unescape(raw, value[0]) if "\\" in raw else raw, line, True))
            line += raw.count("\n")
        else:
            break  # a comment or string the end of the file cuts, or a final lone backslash
    return tokens
