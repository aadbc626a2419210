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
# blanks before it (to count lines by) without a match object each. (\s is exactly
# str.isspace(), crossplane's blank; possessive, so that no blank is given back to be tried
# again: a million trailing blanks are one match, not a million. A word or a quoted string is a
# run of plain characters between escapes, ``a*(?:\\.a*)*``, rather than one choice between an
# escape and a plain character per character: the same text, matched in two thirds of the time.)
_TOKEN = re.compile(
    r"(\s*+)(?:"
    r"((?:[^\s{};\\\"'#]|\\.)[^\s{};\\]*+(?:\\.[^\s{};\\]*+)*+)"  # word
    r"|([{};])"  # special
    r"|(#[^\n]*\n)"  # comment
    r"|(\"[^\"\\]*+(?:\\.[^\"\\]*+)*+\"|'[^'\\]*+(?:\\.[^'\\]*+)*+')"  # quoted
    r"|[#\"'\\]|\Z)",  # the end
    re.DOTALL,
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


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
    if text is None:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    if "${" in text or any(name in text for name in external):
        yield from fallback(path, text)
        return
    tokens, open_blocks, stray = _tokens(text)
    yield from tokens
    if stray is not None:
        raise syntax_error('unexpected "}"', path, stray)
    if open_blocks > 0:
        line = tokens[-1][1] if tokens else 0
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


def _tokens(text: str) -> tuple[list[Token], int, int | None]:
    """The tokens; how many blocks are still open at the end; the line of a ``}`` that closes
    none, if any (the tokens stop before it, where crossplane raises)."""
    tokens: list[Token] = []
    append = tokens.append
    line = 1  # the line the current token starts on, once the blanks before it are counted
    depth = 0
    for blanks, word, special, comment, quoted in _TOKEN.findall(text):
        if blanks:
            line += blanks.count("\n")
        if word:
            if "\n" in word:
                # crossplane counts a newline before the character that ends with it: a word
                # that starts with an escaped newline starts on the next line
                append((word, line + 1 if word.startswith("\\\n") else line, False))
                line += word.count("\n")
            else:
                append((word, line, False))
        elif special:
            if special == "{":
                depth += 1
            elif special == "}":
                depth -= 1
                if depth < 0:
                    return tokens, depth, line
            append((special, line, False))
        elif comment:
            end = len(comment) - 1  # its newline
            append(
                (comment[:-2] if _odd_backslashes(comment, end, 0) else comment[:-1], line, False)
            )
            line += 1
        elif quoted:
            raw = quoted[1:-1]
            append((_unescape(raw, quoted[0]) if "\\" in raw else raw, line, True))
            line += raw.count("\n")
        else:
            # the end: of the file, or a comment or string the end of the file cuts, or a final
            # lone backslash. A word right before it (no blank between) is cut too: dropped.
            # (Only a word token is neither quoted, nor { } ;, nor starts with #.)
            if not blanks and tokens:
                value, _line, was_quoted = tokens[-1]
                if not was_quoted and value not in ("{", "}", ";") and value[:1] != "#":
                    tokens.pop()
            break
    return tokens, depth, None
