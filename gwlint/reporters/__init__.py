"""Output formats. Each reporter turns a ``Report`` into text.

What came from the input (values, file names, directive arguments) is written inert: a pull
request's author must not be able to drive the terminal or the CI log that shows gwlint's output.
Text shows every control character of a value as a visible escape (``printable``), and no line
starts with ``::``, the GitHub Actions workflow-command marker, unless gwlint wrote an annotation
(``no_command``); JSON keeps every value exact but escapes what a line-oriented reader could take
for a line break or a command (``encodable(..., in_json=True)``).
"""

from __future__ import annotations

import re

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")

_SURROGATE = re.compile("[\ud800-\udfff]")

# what a value may not bring into text output as it is: C0 and C1 control characters and DEL
# (line breaks, and the terminal's escape sequences: ESC, BEL, the 8-bit CSI U+009B...), the
# other line and paragraph separators, the bidirectional controls that reorder what a reader sees
# (Trojan Source), and lone surrogates (not UTF-8: see ``encodable``)
_UNSAFE_CLASS = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE = re.compile(f"[{_UNSAFE_CLASS}]")
# what JSON leaves raw with ensure_ascii=False (it escapes C0 itself)
_UNSAFE_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
# the legacy workflow command ``##[command]``, which the Actions runner reads anywhere in a line
# (its ``IndexOf`` may skip characters a culture-aware comparison ignores: any non-ASCII
# character that is neither a letter nor a digit may sit between the marks)
_LEGACY_COMMAND = re.compile(r"(#[^\x00-\x7f\w]*+#[^\x00-\x7f\w]*+)\[")

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _surrogate(code: int) -> str:
    """A lone surrogate: ``\\xe9`` for the byte a file name that is not UTF-8 holds (Python
    reads byte 0xe9 as U+DCE9), ``\\ud800`` otherwise."""
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def encodable(text: str, *, in_json: bool = False) -> str:
    """``text`` as a UTF-8 stream or file takes it: without lone surrogates, which a file name
    that is not UTF-8 holds (Python reads byte 0xe9 as U+DCE9) and a ``"\\ud800"`` escape in a
    config may. Each is written as an escape: ``\\xe9`` for the byte the name holds,
    ``\\ud800`` otherwise (``in_json``: inside a JSON string, so its backslash is escaped).

    ``in_json``: ``text`` is a JSON document (``json.dumps(..., ensure_ascii=False)``, which
    escapes C0 control characters but leaves the rest raw). DEL, the C1 control characters
    (U+0085 is a line break to some readers, U+009B a terminal's CSI), U+2028 and U+2029 (line
    breaks to JavaScript and Python's ``splitlines``) and the bidirectional controls are written
    as JSON escapes (``\\u0085``), and the ``[`` of a ``##[`` as ``\\u005b``, so that no line of
    the document reads as a legacy workflow command: the values decode exactly as they were.
    """
    if not in_json:
        return _SURROGATE.sub(lambda match: _surrogate(ord(match.group(0))), text)

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group(0))
        if 0xD800 <= code <= 0xDFFF:
            return "\\" + _surrogate(code)
        return f"\\u{code:04x}"

    return _UNSAFE_JSON.sub(escape, _LEGACY_COMMAND.sub(r"\1\\u005b", text))


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if 0xD800 <= code <= 0xDFFF:
        return _surrogate(code)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(value: str) -> str:
    """A value from the input as text output shows it: on one line, nothing a terminal or a log
    reader acts on. A line break is ``\\n`` (``\\r``, ``\\t``), another control character
    ``\\x1b`` (C0, DEL, C1), a line separator or bidirectional control ``\\u2028``, a lone
    surrogate as ``encodable`` writes it, and the ``[`` of a ``##[`` (a legacy workflow command)
    ``\\x5b``. Anything else, a backslash included, is left as it is: a value without these
    characters is shown unchanged."""
    if _UNSAFE.search(value) is not None:
        value = _UNSAFE.sub(_visible, value)
    if "#" in value:
        value = _LEGACY_COMMAND.sub(r"\1\\x5b", value)
    return value


def _ignorable(char: str) -> bool:
    """A character a culture-aware comparison may skip: an ASCII control character, or any
    non-ASCII character that is neither a letter nor a digit (to be safe)."""
    return not char.isprintable() if char.isascii() else not char.isalnum()


def _command_start(line: str) -> int | None:
    """Where the ``::`` that makes ``line`` a workflow command starts, or None.

    The Actions runner trims the line's leading white space and then compares with ``::``;
    characters a culture-aware comparison may ignore are skipped too, before and between the
    two colons.
    """
    found: int | None = None
    for index, char in enumerate(line):
        if char == ":":
            if found is not None:
                return found
            found = index
        elif not ((found is None and char.isspace()) or _ignorable(char)):
            return None
    return None


def no_command(line: str) -> str:
    """``line`` as it is, unless a workflow-command reader would take it for a command: then the
    first ``:`` of a leading ``::`` is written ``\\x3a``, and the ``[`` of a ``##[`` anywhere
    ``\\x5b``. For the lines of text output, whose values went through ``printable`` (this
    also covers a command made of gwlint's words and a value's)."""
    if "#" in line:
        line = _LEGACY_COMMAND.sub(r"\1\\x5b", line)
    start = _command_start(line)
    if start is None:
        return line
    return f"{line[:start]}\\x3a{line[start + 1 :]}"


def path_shown(path: str) -> str:
    """A path as the start of a text line shows it: ``printable``, and a relative path that a
    workflow-command reader would take for a command (``::error::x.conf``) written ``./``
    first, which names the same file."""
    shown = printable(path)
    return f"./{shown}" if _command_start(shown) is not None else shown
