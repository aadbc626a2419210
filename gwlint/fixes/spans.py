"""What the file editors of ``--fix`` return: a span of a file's text and what replaces it.

Every editor (nginx_text, python_text, ini_text, command_text) is a pure function of a file's
text: it finds the place a change goes by the file's own syntax and returns a ``Span``, or raises
``EditError`` with a reason a person reads ("line 12 holds no proxy_read_timeout statement").
Nothing here reads or writes a file; ``gwlint.fixes.resolve`` does, and turns spans into the
``Edit`` records (line and column) of the report.
"""

from __future__ import annotations

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


def line_starts(text: str) -> list[int]:
    """The offset where each line starts (index 0 is line 1). A line ends at ``\\n``, ``\\r\\n``
    or a lone ``\\r`` (universal newlines, as every reader of gwlint counts lines)."""
    starts = [0]
    index = 0
    size = len(text)
    while index < size:
        char = text[index]
        if char == "\n":
            starts.append(index + 1)
        elif char == "\r":
            if index + 1 < size and text[index + 1] == "\n":
                index += 1
            starts.append(index + 1)
        index += 1
    return starts


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
