"""nginx ``log_format`` -> a regular expression for the lines of that access log.

nginx writes a format's literal text as it is and each ``$variable`` as its value
(src/http/modules/ngx_http_log_module.c ``ngx_http_log_compile_format``): a variable is
``$name`` or ``${name}``, ``name`` being letters, digits and ``_``. With the default escaping
(``ngx_http_log_escape``), a value never holds a ``"``, a ``\\``, a control character or a byte
above 0x7e (they are written ``\\xHH``); a value that is not found is written ``-``. With
``escape=json`` a ``"`` is written ``\\"`` and a ``\\`` ``\\\\``; with ``escape=none`` values are
written raw.

Each variable becomes a capturing group whose shape keeps the match linear (its quantifiers are
possessive, Python 3.11's ``*+``: no two of them trade characters):

- between two ``"``: any run of characters but ``"`` (``\\"`` pairs too with ``escape=json``);
- a variable whose values have a known shape (``$status``, ``$msec``, ``$time_local``,
  ``$upstream_status`` lists...): that shape;
- any other: a run of characters up to the first character of the literal text after it.

A line that does not fit its format is not read (``reading`` counts it). The pattern is matched at
the start of a line and need not reach its end: a format that adds fields after ``combined``'s
still gives the fields of ``combined``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# nginx's predefined format (src/http/modules/ngx_http_log_module.c ``ngx_http_combined_fmt``);
# gunicorn's default access_log_format (gunicorn/config.py AccessLogFormat) writes the same fields
COMBINED = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent"'
)

ESCAPES = ("default", "json", "none")
MAX_FORMAT = 10_000  # characters of a log_format compiled (nginx has no limit; a real one is short)
MAX_VARIABLES = 200

_NUMBER_LIST = r"[0-9.-]++(?:(?:, | : )[0-9.-]++)*+"
# the shape of the values of nginx's variables, where it is known and fixed
# (src/http/modules/ngx_http_log_module.c ngx_http_log_vars, src/http/ngx_http_variables.c,
# src/http/ngx_http_upstream.c ngx_http_upstream_status_variable: "502, 504 : 200" lists)
SHAPES: dict[str, str] = {
    "status": r"\d{3}",
    "body_bytes_sent": r"\d++|-",  # "-": gunicorn's %(b)s when nothing was sent
    "bytes_sent": r"\d++",
    "request_length": r"\d++",
    "connection": r"\d++",
    "connection_requests": r"\d++",
    "pid": r"\d++",
    "msec": r"\d++\.\d++",
    "request_time": r"\d++\.\d++",
    "time_local": r"\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}",
    "time_iso8601": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d",
    "upstream_status": r"[0-9-]++(?:(?:, | : )[0-9-]++)*+",
    "upstream_response_time": _NUMBER_LIST,
    "upstream_connect_time": _NUMBER_LIST,
    "upstream_header_time": _NUMBER_LIST,
    "upstream_addr": r"[^ ,]++(?:(?:, | : )[^ ,]++)*+",
}
# "$request" between quotes: METHOD PATH[?QUERY][ PROTOCOL], or anything (a bad request line)
_REQUEST = r'((?:([A-Z]{1,20}+) ([^ "?]*+)[^"]*+|[^"]*+))'
_REQUEST_JSON = r'((?:([A-Z]{1,20}+) ([^ "?\\]*+)(?:[^"\\]|\\.)*+|(?:[^"\\]|\\.)*+))'
# times whose values reading parses (and so checks): the characters their values hold
LOOSE = {
    "time_local": "0123456789/:+- ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "time_iso8601": "0123456789-:+T",
    "msec": "0123456789.",
}
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z0-9_]*)(\}?)|([A-Za-z0-9_]*))")
_ESCAPE_PREFIX = re.compile(r"escape=(\w+) ")


class FormatError(ValueError):
    """A ``log_format`` nginx would refuse (or gwlint will not compile): the reason."""


@dataclass(frozen=True, slots=True)
class AccessFormat:
    """A compiled ``log_format``: ``fields`` maps each variable to its group in ``pattern`` (the
    first time the format writes it); a quoted ``$request`` has its method and path (without
    the query string) in the groups ``@method`` and ``@path`` too."""

    text: str  # the format as given (without its ``escape=``)
    escape: str  # "default", "json" or "none"
    pattern: re.Pattern[str]
    fields: dict[str, int]

    def group(self, name: str) -> int:
        """The group of a variable, 0 when the format does not write it."""
        return self.fields.get(name, 0)


def split_escape(text: str) -> tuple[str, str]:
    """``"escape=json {...}"`` (how ``access_formats`` writes a format with its escaping) ->
    ("json", "{...}")."""
    found = _ESCAPE_PREFIX.match(text)
    if found is None:
        return "default", text
    return found.group(1), text[found.end() :]


def _parts(text: str) -> list[tuple[bool, str]]:
    """(is a variable, literal text or variable name), as nginx splits a format."""
    parts: list[tuple[bool, str]] = []
    at = 0
    for found in _VARIABLE.finditer(text):
        if found.start() > at:
            parts.append((False, text[at : found.start()]))
        braced, closed, plain = found.group(1), found.group(2), found.group(3)
        if braced is not None and not closed:
            raise FormatError(f'the closing bracket in "{braced}" variable is missing')
        name = braced if braced is not None else plain
        if not name:
            raise FormatError(f'invalid parameter "{text}"')
        parts.append((True, name))
        at = found.end()
    if at < len(text):
        parts.append((False, text[at:]))
    return parts


def compile_format(text: str) -> AccessFormat:
    """The regex of the lines a ``log_format`` writes; ``text`` may start with ``escape=json ``
    (or ``none``, ``default``). Raises ``FormatError`` on a format nginx would refuse."""
    escape, body = split_escape(text)
    if escape not in ESCAPES:
        raise FormatError(f'unknown log format escaping "{escape}"')
    if len(body) > MAX_FORMAT:
        raise FormatError(f"longer than {MAX_FORMAT:,} characters")
    parts = _parts(body)
    if sum(1 for is_var, _ in parts if is_var) > MAX_VARIABLES:
        raise FormatError(f"more than {MAX_VARIABLES} variables")
    quoted_value = r'(?:[^"\\]|\\.)*+' if escape == "json" else r'[^"]*+'
    regex: list[str] = []
    fields: dict[str, int] = {}
    groups = 0
    for index, (is_var, value) in enumerate(parts):
        if not is_var:
            regex.append(re.escape(value))
            continue
        before = parts[index - 1] if index > 0 else (True, "")
        after = parts[index + 1] if index + 1 < len(parts) else None
        quoted = (
            not before[0]
            and before[1].endswith('"')
            and after is not None
            and not after[0]
            and after[1].startswith('"')
        )
        name = value.lower()
        if quoted and name == "request" and "@method" not in fields:
            # split in the pattern: the method and the path (without its query) are groups too
            groups += 3
            regex.append(_REQUEST_JSON if escape == "json" else _REQUEST)
            fields.setdefault(name, groups - 2)
            fields["@method"], fields["@path"] = groups - 1, groups
            continue
        if quoted:
            shape = quoted_value
        elif (
            name in LOOSE and after is not None and not after[0] and after[1][0] not in LOOSE[name]
        ):
            # a time up to the character after it (cheaper than its shape; reading checks it)
            shape = _up_to(after[1][0])
        elif name in SHAPES:
            shape = SHAPES[name]
        elif after is None:
            shape = r".*+"
        elif after[0]:
            shape = r"[^ ]*+"  # two variables side by side: the first stops at a space
        else:
            shape = _up_to(after[1][0])
        groups += 1
        regex.append(f"({shape})")
        fields.setdefault(name, groups)
    try:
        pattern = re.compile("".join(regex))
    except re.error as exc:  # pragma: no cover - every part is escaped or a fixed shape
        raise FormatError(str(exc)) from None
    return AccessFormat(text=body, escape=escape, pattern=pattern, fields=fields)


def _up_to(stop: str) -> str:
    """A run of characters up to ``stop``."""
    return "[^" + ("\\" + stop if stop in "\\]^-[" else stop) + "]*+"


def unescape(value: str, escape: str) -> str:
    """A value as the request had it: ``\\xHH`` (default escaping) or JSON escapes undone."""
    if "\\" not in value or escape == "none":
        return value
    if escape == "json":
        return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", _json_char, value)
    return re.sub(r"\\x([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), value)


_JSON_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def _json_char(found: re.Match[str]) -> str:
    code = found.group(1)
    if code.startswith("u") and len(code) == 5:
        return chr(int(code[1:], 16))
    return _JSON_ESCAPES.get(code, code)
