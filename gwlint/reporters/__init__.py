"""Output formats. Each reporter turns a ``Report`` into text."""

from __future__ import annotations

import re

FORMATS = ("text", "json", "sarif", "github")

_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str, *, in_json: bool = False) -> str:
    """``text`` as a UTF-8 stream or file takes it: without lone surrogates, which a file name
    that is not UTF-8 holds (Python reads byte 0xe9 as U+DCE9) and a ``"\\ud800"`` escape in a
    config may. Each is written as an escape: ``\\xe9`` for the byte the name holds,
    ``\\ud800`` otherwise (``in_json``: inside a JSON string, so its backslash is escaped)."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group(0))
        shown = f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
        return "\\" + shown if in_json else shown

    return _SURROGATE.sub(escape, text)
