"""Edits of a uWSGI ini file and of a hypercorn TOML config for ``--fix``: an option's value
replaced on its line, an option line added to its section or removed, a top-level TOML key set.
Everything else in the file stays byte-identical.

uWSGI reads an ini as ``core/ini.c`` (``uwsgi_ini_config``, uWSGI 2.0) does:

- a line ends at ``\\n`` only (``ini_get_line``, ini.c:57-77); spaces, tabs and ``\\r`` are
  stripped from both ends of it (``ini_lstrip``/``ini_rstrip``, ini.c:12-39, 133-134);
- a line starting with ``[`` is a section header, its name what is between the first and the
  last character (ini.c:136-138); the options of every ``[name]`` header with the asked name are
  read, however often the section appears;
- a line starting with ``;`` or ``#`` is a comment (ini.c:140-142); there are no other comments:
  the value is everything after the FIRST ``=``, stripped (``ini_get_key``, ini.c:41-55, and
  ini.c:149-152), so ``harakiri = 30 ; seconds`` sets ``30 ; seconds``. Only ``=`` separates a
  key from its value (``key: value`` is an option named ``key: value`` with an empty value).

Config logic (``if-env`` ... ``endif``, ``for`` ... ``endfor``) applies to the options that follow
it in the order they are read (``core/config.c:464-495``); uWSGI does not nest it
(``uwsgi_opt_logic``, ``core/uwsgi.c``: "recursive logic in options is not supported"). A line
is never added where an open block would make it conditional.

hypercorn reads a TOML config with ``tomllib``: only its top-level keys are settings. Every TOML
edit is checked by parsing the result: the key must hold the new value and nothing else change.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from gwlint.fixes.spans import EditError, Span, line_starts, newline_of, offset_of
from gwlint.loaders.hypercorn import string_end

# the options that open a block of config logic (core/uwsgi.c, the uwsgi_opt_logic entries;
# "else" ends the "if" block and opens its own), and those that close one (core/config.c:467)
_LOGIC_OPEN = frozenset(
    {
        "for",
        "for-glob",
        "for-times",
        "for-readline",
        "if-opt",
        "if-not-opt",
        "if-env",
        "if-not-env",
        "ifenv",
        "if-reload",
        "if-not-reload",
        "if-hostname",
        "if-not-hostname",
        "if-hostname-match",
        "if-not-hostname-match",
        "if-exists",
        "if-not-exists",
        "ifexists",
        "if-plugin",
        "if-not-plugin",
        "ifplugin",
        "if-file",
        "if-not-file",
        "if-dir",
        "if-not-dir",
        "ifdir",
        "if-directory",
        "else",
    }
)
_LOGIC_CLOSE = frozenset({"end", "endfor", "endif", "end-if", "end-for"})
_INI_BLANK = " \t\r"  # what uWSGI strips from a line's ends (ini.c:17, 31)


@dataclass(frozen=True)
class _Line:
    number: int
    start: int  # offset of its first character
    end: int  # offset of its newline (or of the end of the text)
    after: int  # offset of the next line
    content: str  # without its newline


def _lines(text: str) -> list[_Line]:
    starts = line_starts(text)
    lines = []
    for index, start in enumerate(starts):
        after = starts[index + 1] if index + 1 < len(starts) else len(text)
        end = after
        while end > start and text[end - 1] in "\r\n":
            end -= 1
        if index + 1 == len(starts) and start == len(text):
            break  # the empty "line" after a final newline
        lines.append(_Line(index + 1, start, end, after, text[start:end]))
    return lines


def _line(text: str, number: int) -> _Line:
    starts = line_starts(text)
    start = offset_of(text, number, starts)
    after = starts[number] if number < len(starts) else len(text)
    if start == len(text):
        raise EditError(f"the file has no line {number}")
    end = after
    while end > start and text[end - 1] in "\r\n":
        end -= 1
    return _Line(number, start, end, after, text[start:end])


# --- uWSGI ini -----------------------------------------------------------------------------------


def _kind(content: str) -> str:
    """``blank``, ``comment``, ``section`` or ``option``, as uWSGI tells them apart."""
    stripped = content.strip(_INI_BLANK)
    if not stripped:
        return "blank"
    if stripped[0] in ";#":
        return "comment"
    if stripped[0] == "[":
        return "section"
    return "option"


def _key(content: str) -> str:
    return content.partition("=")[0].strip(_INI_BLANK)


def _check_value(value: str) -> None:
    if not value or value != value.strip(_INI_BLANK) or "\n" in value or "\r" in value:
        raise EditError(f"{value!r} cannot be written as a uWSGI ini value (one line, no blanks)")
    if "%" in value or "$(" in value:
        raise EditError(f"uWSGI would expand {value!r} (placeholders, variables)")


def set_option(text: str, section: str, key: str, value: str, line: int | None) -> Span:
    """Set uWSGI option ``key`` to ``value`` in ``[section]``.

    With ``line``: that line must be ``key = old`` (any spacing); only ``old`` is replaced, the
    spacing around ``=`` kept. With ``line=None``: ``key`` must not be set in the section; the
    line ``key = value`` (spaced as the section's other options are) is added after the last
    option of the FIRST ``[section]`` of the file (uWSGI reads every one alike; the comments and
    blank lines that follow it, often about the next section, stay below). No such section: it is
    appended at the end of the file.
    """
    _check_value(value)
    if line is not None:
        return _replace_value(text, key, value, line)
    _check_key(key)
    if not section or "\n" in section or "\r" in section:
        raise EditError(f"{section!r} is not a section name")
    newline = newline_of(text)
    lines = _lines(text)
    current: str | None = None
    first: list[_Line] = []  # the first occurrence: its header and lines
    options: list[_Line] = []  # the section's options, every occurrence
    occurrence = 0
    for entry in lines:
        kind = _kind(entry.content)
        if kind == "section":
            current = entry.content.strip(_INI_BLANK)[1:-1]
            if current == section:
                occurrence += 1
            if current == section and occurrence == 1:
                first.append(entry)
            continue
        if current != section:
            continue
        if occurrence == 1:
            first.append(entry)
        if kind == "option":
            options.append(entry)
            if _key(entry.content) == key:
                raise EditError(
                    f"{key} is already set in [{section}] at line {entry.number}: that is the "
                    "line to change"
                )
    if not first:
        return _append_section(text, section, key, value, newline)
    last = next((entry for entry in reversed(first) if _kind(entry.content) == "option"), first[0])
    opened = _open_block(options, last.number)
    if opened is not None:
        raise EditError(
            f"[{section}] ends inside the config logic block opened at line {opened.number} "
            f"({_key(opened.content)}); a line added there would be conditional"
        )
    before, after = _spacing(options)
    indent = ""
    if last is not first[0]:
        indent = last.content[: len(last.content) - len(last.content.lstrip(" \t"))]
    lead = "" if last.after > last.end else newline  # the last line of a file without newline
    written = f"{lead}{indent}{key}{before}={after}{value}{newline}"
    return Span(last.after, last.after, written)


def _check_key(key: str) -> None:
    if not key or key != key.strip(_INI_BLANK) or "=" in key or "\n" in key or key[0] in "[;#":
        raise EditError(f"{key!r} cannot be written as a uWSGI ini option name")


def _replace_value(text: str, key: str, value: str, number: int) -> Span:
    entry = _line(text, number)
    where = f"line {number}"
    if _kind(entry.content) != "option":
        raise EditError(f"{where} holds no option (a {_kind(entry.content)} line)")
    written_key, equals, old = entry.content.partition("=")
    if written_key.strip(_INI_BLANK) != key:
        raise EditError(f"{where} sets {written_key.strip(_INI_BLANK)!r}, not {key}")
    if not equals:
        raise EditError(f"{where} has no '=' (uWSGI reads {key} with an empty value)")
    value_start = entry.start + len(written_key) + 1
    stripped = old.lstrip(" \t")
    start = value_start + len(old) - len(stripped)
    end = start + len(stripped.rstrip(_INI_BLANK))
    if start == end:  # "key =": the value goes after the "=", spaced as the key is
        spaced = written_key != written_key.rstrip(" \t")
        return Span(value_start, value_start, (" " if spaced else "") + value)
    return Span(start, end, value)


def _open_block(options: list[_Line], upto: int) -> _Line | None:
    """The logic line whose block is still open after line ``upto`` (in the section's
    options, in order), or None."""
    opened: _Line | None = None
    for entry in options:
        if entry.number > upto:
            break
        key = _key(entry.content)
        if key in _LOGIC_CLOSE:
            opened = None
        elif key in _LOGIC_OPEN:
            opened = entry
    return opened


def _spacing(options: list[_Line]) -> tuple[str, str]:
    """The spacing around ``=`` most of the section's options use (``key = value`` when they
    are as many, or there is none)."""
    styles: Counter[tuple[str, str]] = Counter()
    for entry in options:
        written_key, equals, old = entry.content.partition("=")
        if not equals:
            continue
        before = " " if written_key[-1:] in (" ", "\t") else ""
        after = " " if old[:1] in (" ", "\t") else ""
        styles[(before, after)] += 1
    if not styles:
        return " ", " "
    best = max(styles.values())
    if styles[(" ", " ")] == best:
        return " ", " "
    return next(style for style, count in styles.items() if count == best)


def _append_section(text: str, section: str, key: str, value: str, newline: str) -> Span:
    if not text:
        return Span(0, 0, f"[{section}]{newline}{key} = {value}{newline}")
    lead = "" if text.endswith(("\n", "\r")) else newline
    blank = "" if _lines(text)[-1].content.strip(_INI_BLANK) == "" else newline
    written = f"{lead}{blank}[{section}]{newline}{key} = {value}{newline}"
    return Span(len(text), len(text), written)


def remove_option(text: str, line: int, key: str) -> Span:
    """Remove the line ``key = ...`` at ``line``, its newline included."""
    entry = _line(text, line)
    if _kind(entry.content) != "option" or _key(entry.content) != key:
        raise EditError(f"line {line} holds no {key} option")
    if key in _LOGIC_OPEN or key in _LOGIC_CLOSE:
        raise EditError(f"line {line} is config logic ({key}); removing it changes the blocks")
    return Span(entry.start, entry.after, "")


# --- hypercorn TOML ------------------------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml(text: str, what: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError is a ValueError
        raise EditError(f"{what} is not valid TOML ({exc})") from None


def _key_end(text: str, i: int, key: str) -> int | None:
    """The offset after the ``=`` of the key ``key`` written at ``text[i]`` (bare or quoted,
    not dotted), or None when another key is written there."""
    while i < len(text) and text[i] in " \t":
        i += 1
    if i < len(text) and text[i] in "\"'":
        end = string_end(text, i)
        try:
            written = tomllib.loads(f"k = {text[i:end]}").get("k")
        except ValueError:
            return None
    else:
        found = _BARE_KEY.match(text, i)
        if found is None:
            return None
        written, end = found.group(0), found.end()
    while end < len(text) and text[end] in " \t":
        end += 1
    if written != key or end >= len(text) or text[end] != "=":
        return None
    return end + 1


def _value_end(text: str, i: int) -> int:
    """The offset after the TOML value starting at ``text[i]``: strings (multi-line ones
    included), arrays and inline tables may span lines; a comment after it is not part of it."""
    depth = 0
    last = i  # after the value's last character that is not a blank or a comment
    while i < len(text):
        c = text[i]
        if c in "\"'":
            i = last = string_end(text, i)
            continue
        if c == "#":
            while i < len(text) and text[i] not in "\r\n":
                i += 1
            continue
        if c in "\r\n":
            if depth == 0:
                return last
        elif c in "[{":
            depth += 1
            last = i + 1
        elif c in "]}":
            depth = max(depth - 1, 0)
            last = i + 1
        elif c not in " \t":
            last = i + 1
        i += 1
    return last


def _statements(text: str) -> list[tuple[str, _Line, int]]:
    """The TOML text's top-level statements: (``key`` or ``header``, its first line, the offset
    after its value), up to the first ``[table]`` header (nothing after it is top-level). Read
    from a text ``tomllib`` accepted."""
    found: list[tuple[str, _Line, int]] = []
    starts = line_starts(text)
    i = 0
    while i < len(text):
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif c == "#":
            while i < len(text) and text[i] not in "\r\n":
                i += 1
        else:
            line = _line(text, _number_at(starts, i))
            if c == "[":
                found.append(("header", line, i))
                break
            equals = _after_key(text, i)
            if equals is None:
                break
            i = _value_end(text, equals)
            found.append(("key", line, i))
    return found


def _after_key(text: str, i: int) -> int | None:
    """The offset after the ``=`` that ends the (maybe dotted, maybe quoted) key at ``i``."""
    while i < len(text):
        c = text[i]
        if c in "\"'":
            i = string_end(text, i)
        elif c in " \t.":
            i += 1
        elif c == "=":
            return i + 1
        else:
            found = _BARE_KEY.match(text, i)
            if found is None:
                return None
            i = found.end()
    return None


def _number_at(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low + 1


def set_toml_key(text: str, key: str, literal: str, line: int | None) -> Span:
    """Set the top-level key ``key`` of a hypercorn TOML config to ``literal`` (TOML source:
    ``75``, ``"a"``, ``true``).

    With ``line``: that line must hold ``key = old`` at the top level; ``old`` is replaced, an
    inline comment after it kept. With ``line=None``: ``key`` must not be set; ``key = literal``
    goes after the last top-level key before the first ``[table]`` (or at the end).
    """
    if "\n" in literal or "\r" in literal or not literal.strip():
        raise EditError(f"{literal!r} is not a one-line TOML value")
    literal = literal.strip()
    value = _toml(f"v = {literal}", repr(literal)).get("v")
    old = _toml(text, "the file")
    if line is not None:
        entry = _line(text, line)
        after = _key_end(text, entry.start, key)
        if after is None:
            raise EditError(f"line {line} does not set {key}")
        if not any(kind == "key" and at.number == line for kind, at, _ in _statements(text)):
            raise EditError(f"line {line} is not a top-level key (hypercorn reads only those)")
        start = after
        while start < len(text) and text[start] in " \t":
            start += 1
        span = Span(start, _value_end(text, start), literal)
    else:
        if key in old:
            raise EditError(f"{key} is already set in the file: the line that sets it changes")
        span = _insertion(text, key, literal)
    _check_toml(text, span, key, value, old)
    return span


def _insertion(text: str, key: str, literal: str) -> Span:
    newline = newline_of(text)
    written = key if _BARE_KEY.fullmatch(key) else _quoted(key)
    statements = _statements(text)
    header = next((line for kind, line, _ in statements if kind == "header"), None)
    keys = [(line, end) for kind, line, end in statements if kind == "key"]
    if header is None:
        lead = "" if not text or text.endswith(("\n", "\r")) else newline
        return Span(len(text), len(text), f"{lead}{written} = {literal}{newline}")
    if not keys:
        return Span(header.start, header.start, f"{written} = {literal}{newline}")
    _, end = keys[-1]
    starts = line_starts(text)
    number = _number_at(starts, end)  # the line the last key's value ends on
    at = min(starts[number] if number < len(starts) else len(text), header.start)
    return Span(at, at, f"{written} = {literal}{newline}")


def _quoted(key: str) -> str:
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in escaped):
        raise EditError(f"{key!r} cannot be written as a TOML key")
    return f'"{escaped}"'


def _check_toml(text: str, span: Span, key: str, value: object, old: dict[str, Any]) -> None:
    edited = text[: span.start] + span.replacement + text[span.end :]
    new = _toml(edited, f"the file with {key} = {span.replacement.strip()}")
    if key not in new or new[key] != value or type(new[key]) is not type(value):
        raise EditError(f"setting {key} did not give it the value {span.replacement.strip()}")
    rest_old = {name: item for name, item in old.items() if name != key}
    rest_new = {name: item for name, item in new.items() if name != key}
    if rest_old != rest_new:
        raise EditError(f"setting {key} would change other settings of the file")
