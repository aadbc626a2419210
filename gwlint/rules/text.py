"""Wording shared by the rules: values with their source, related locations, suggested values."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from gwlint.model.diagnostics import Location, Related
from gwlint.model.units import format_ms

if TYPE_CHECKING:
    from gwlint.model.source import Sourced


def ms(value: Sourced[int]) -> str:
    """``60s (nginx.conf:9)`` for a millisecond value, as written (``1m30s``) where it was."""
    assert value.value is not None
    return f"{value.raw or format_ms(value.value)} {value.where()}"


def secs(value: Sourced[int]) -> str:
    """``30s (default of gunicorn 27.0)`` for a value in seconds."""
    return f"{value.value}s {value.where()}"


def above(seconds: float) -> int:
    """A value comfortably above ``seconds``: +25 %, rounded up to a multiple of 5 (60 -> 75)."""
    return max(5, math.ceil(seconds * 1.25 / 5.0) * 5)


def related(
    value: Sourced[Any], name: str, fallback_path: str | None = None
) -> tuple[Related, ...]:
    """``timeout = 20`` where a value was set; for a default, line 1 of the file that can set it."""
    location = Location.of(value.source, fallback_path)
    if location is None:
        return ()
    if value.is_default:
        message = f"{name} is not set: the {value.source.default_of} default {value.raw} applies"
        if (value.source.default_of or "").startswith("gunicorn"):
            message += " (unless the command line sets it)"
    else:
        message = f"{name} = {value.raw}"
    return (Related(location=location, message=message),)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
