"""What the file editors of ``--fix`` return: a span of a file's text and what replaces it.

Every editor (nginx_text, python_text, ini_text, command_text) is a pure function of a file's
text: it finds the place a change goes by the file's own syntax and returns a ``Span``, or raises
``EditError`` with a reason a person reads ("line 12 holds no proxy_read_timeout statement").
Nothing here reads or writes a file; ``gwlint.fixes.resolve`` does, and turns spans into the
``Edit`` records (line and column) of the report.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class EditError(Exception):
    """The change cannot be made to this text: the reason, for the report's "not fixable
    automatically" note."""


class Span(NamedTuple):
    """``text[start:end]`` (offsets in characters of the file's text as read, newlines kept as
    written) is replaced by ``replacement``. ``start == end``: an insertion."""

    start: int
    end: int
    replacement: str


_NEWLINE = re.compile(r"\r\n?|\n")
# the line starts of the last texts: the resolver passes one file's text (the same object) for
# each of its findings, and a 20,000-line file is not to be scanned 2,000 times
_RECENT: list[tuple[str, list[int]]] = []
_KEEP = 4


def line_starts(text: str) -> list[int]:
    """The offset where each line starts (index 0 is line 1). A line ends at ``\\n``, ``\\r\\n``
    or a lone ``\\r`` (universal newlines, as every reader of gwlint counts lines). The list is
    shared: do not change it."""
    for known, starts in _RECENT:
        if known is text:
            return starts
    starts = [0]
    starts.extend(found.end() for found in _NEWLINE.finditer(text))
    if len(text) > 4096:  # small texts (a word read back) cost less than the lookup
        _RECENT.insert(0, (text, starts))
        del _RECENT[_KEEP:]
    return starts


def line_span(text: str, line: int) -> tuple[int, int]:
    """(start, end) offsets of ``line`` (1-based), its newline included; EditError past the
    end."""
    starts = line_starts(text)
    if line < 1 or line > len(starts):
        raise EditError(f"the file has no line {line}")
    return starts[line - 1], starts[line] if line < len(starts) else len(text)


def offset_of(text: str, line: int, starts: list[int] | None = None) -> int:
    """The offset of the first character of ``line`` (1-based); EditError past the end."""
    starts = starts if starts is not None else line_starts(text)
    if line < 1 or line > len(starts):
        raise EditError(f"the file has no line {line}")
    return starts[line - 1]


def newline_of(text: str) -> str:
    """The newline the file is written with: ``\\r\\n`` when its first line ends so, else
    ``\\n``."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"
