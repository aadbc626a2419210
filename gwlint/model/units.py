"""nginx time intervals and sizes, parsed exactly as nginx parses them.

Times follow ``ngx_parse_time``: units ``ms s m h d w M y``, combined from the most to the least
significant (``1m30s``, ``"1h 30m"``), a bare number is seconds, no fractions. In *msec* mode
(every ``*_timeout`` directive) ``ms`` is allowed and ``y``/``M`` are not; in *sec* mode
(``fail_timeout=``, ``keepalive_timeout``'s second argument) ``ms`` is refused. Sizes follow
``ngx_parse_size`` (bytes, ``k``, ``m``) and offsets ``ngx_parse_offset`` (also ``g``).
"""

from __future__ import annotations

import re

_INT_MAX = 2**63 - 1  # NGX_MAX_INT_T_VALUE on 64-bit builds
UNLIMITED_MS = 2**62  # a timeout nginx does not have (e.g. upstream keepalive_timeout < 1.15.3)

# step order of ngx_parse_time
_START, _YEAR, _MONTH, _WEEK, _DAY, _HOUR, _MIN, _SEC, _MSEC, _LAST = range(10)

_UNITS = {
    "y": (_YEAR, 365 * 86400),
    "M": (_MONTH, 30 * 86400),
    "w": (_WEEK, 7 * 86400),
    "d": (_DAY, 86400),
    "h": (_HOUR, 3600),
    "m": (_MIN, 60),
    "s": (_SEC, 1),
}


def parse_time(text: str, *, sec: bool = False) -> int | None:
    """Milliseconds (msec mode) or seconds (``sec=True``); ``None`` where nginx says invalid."""
    value = 0
    total = 0
    valid = False
    step = _START if sec else _MONTH
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        i += 1
        if "0" <= ch <= "9":
            value = value * 10 + (ord(ch) - 48)
            if value > _INT_MAX:
                return None
            valid = True
            continue
        if ch == "m" and i < n and text[i] == "s":
            if sec or step >= _MSEC:
                return None
            i += 1
            step, scale = _MSEC, 1
        elif ch in _UNITS:
            new_step, scale = _UNITS[ch]
            # 'y' is refused after anything; the others must strictly descend
            if (ch == "y" and step > _START) or (ch != "y" and step >= new_step):
                return None
            step = new_step
        elif ch == " ":
            if step >= _SEC:
                return None
            step, scale = _LAST, 1
        else:
            return None
        if step != _MSEC and not sec:
            scale *= 1000
        value *= scale
        if value > _INT_MAX or total > _INT_MAX - value:
            return None
        total += value
        value = 0
        while i < n and text[i] == " ":
            i += 1
    if not valid:
        return None
    if not sec:
        value *= 1000
    if value > _INT_MAX or total > _INT_MAX - value:
        return None
    return total + value


def decimal(text: str, *, digits: int = 19) -> int | None:
    """``text`` as a whole number when it is ASCII digits, at most ``digits`` of them (leading
    zeros aside); else None. ``str.isdigit`` also accepts ``²`` (which ``int`` refuses), and
    ``int`` refuses more than 4300 digits: no config may make either raise."""
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > digits:
        return None
    return int(text)


def _atoi(text: str) -> int | None:
    number = decimal(text)
    return number if number is not None and number <= _INT_MAX else None


def parse_size(text: str, *, offset: bool = False) -> int | None:
    """Bytes, as ``ngx_parse_size`` (``k``, ``m``) or with ``offset=True`` ``ngx_parse_offset``."""
    if not text:
        return None
    scales = {"k": 1024, "m": 1024**2}
    if offset:
        scales["g"] = 1024**3
    scale = scales.get(text[-1].lower())
    number = _atoi(text[:-1] if scale else text)
    if number is None:
        return None
    result = number * (scale or 1)
    return result if result <= _INT_MAX else None


def format_ms(ms: int) -> str:
    """``60000`` -> ``60s``; ``1500`` -> ``1500ms``."""
    if ms >= UNLIMITED_MS:
        return "unlimited"
    if ms % 1000:
        return f"{ms}ms"
    return f"{ms // 1000}s"


def format_seconds(seconds: int) -> str:
    return f"{seconds}s"


def format_size(size: int) -> str:
    """``8192`` -> ``8k``; ``1048576`` -> ``1m``; others in bytes."""
    for unit, scale in (("g", 1024**3), ("m", 1024**2), ("k", 1024)):
        if size >= scale and size % scale == 0:
            return f"{size // scale}{unit}"
    return str(size)


_LEADING_INT = re.compile(r"\s*([-+]?\d{1,19})")  # beyond, C overflows: no int() of 5000 digits


def uwsgi_number(text: str) -> int:
    """What uWSGI makes of a number (C ``atoi``/``strtoul``): the leading digits, else 0."""
    found = _LEADING_INT.match(text)
    return int(found.group(1)) if found else 0
