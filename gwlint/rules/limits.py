"""GW5xx: buffers, sizes and limits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from gwlint.model.diagnostics import Finding, Location, Severity
from gwlint.model.units import uwsgi_number
from gwlint.model.uwsgi_options import UWSGI_OPTIONS
from gwlint.rules.base import ex, rule

if TYPE_CHECKING:
    from gwlint.model.deployment import Deployment

NUMERIC_KINDS = frozenset({"int", "u64", "u16", "mb"})
_PLAIN = re.compile(r"^\s*[-+]?\d+\s*$")
_WITH_UNIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$")
_STARTS_WITH_NUMBER = re.compile(r"^\s*[-+]?\d")
_TRAILING_TEXT = re.compile(r"^\s*[-+]?\d+\s+\S")  # "32768 ; 32 KiB": a would-be comment

BYTE_UNITS = {"b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2}
BYTE_UNITS |= {"mib": 1024**2, "g": 1024**3, "gb": 1024**3, "gib": 1024**3}
SECOND_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
MEGABYTE_UNITS = {"m": 1, "mb": 1, "mib": 1, "g": 1024, "gb": 1024, "gib": 1024}
COUNT_UNITS = {"k": 1000}

CONSEQUENCES = {
    "buffer-size": (
        "every request bigger than that is rejected ('invalid request block size: ... "
        "(max {n})...skip') and nginx answers 502"
    ),
    "limit-post": (
        "every request body bigger than that is refused ('Invalid (too big) CONTENT_LENGTH. "
        "skip.') and nginx answers 502"
    ),
    "post-buffering": "request bodies over {n} bytes are buffered to disk",
    "harakiri": "requests running longer than {n} s are killed and nginx answers 502",
}


def _unit_table(name: str, kind: str) -> tuple[dict[str, int], str]:
    if kind == "mb":
        return MEGABYTE_UNITS, "MB"
    if "harakiri" in name or name.endswith(("timeout", "mercy")) or "lifetime" in name:
        return SECOND_UNITS, "s"
    if any(part in name for part in ("buffer", "size", "post", "sndbuf", "rcvbuf")):
        return BYTE_UNITS, "bytes"
    return COUNT_UNITS, ""


def intended(name: str, kind: str, text: str) -> tuple[int | None, str]:
    """What ``32k`` most likely meant for this option (32768 bytes), and the unit uWSGI uses."""
    units, unit = _unit_table(name, kind)
    found = _WITH_UNIT.match(text)
    if not found:
        return None, unit
    scale = units.get(found.group(2).lower()) or units.get(found.group(2))
    if scale is None:
        return None, unit
    return int(float(found.group(1)) * scale), unit


@rule(
    code="GW506",
    name="uwsgi-number-with-unit",
    title="uWSGI number written with a unit suffix",
    severity=Severity.ERROR,
    why="""
uWSGI reads numeric options with C's `atoi`/`strtoul`, which stop at the first non-digit: there
are no unit suffixes. `buffer-size = 32k` is 32 bytes, so every request is rejected (`invalid
request block size: 348 (max 32)...skip`) and nginx answers **502**; `limit-post = 1M` is 1 byte,
so every POST with a body gets **502** (`Invalid (too big) CONTENT_LENGTH. skip.`); `harakiri = 2m`
is 2 seconds. Only the `*-rss`/`*-as` options are in megabytes, and they also take a bare number.

Where the suffix happens to match uWSGI's own unit (`harakiri = 60s` is 60 seconds), nothing breaks
and the finding is info; write the bare number anyway.
""",
    example=ex(("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nbuffer-size = 32k\n")),
    fix=ex(("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nbuffer-size = 32768\n")),
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#buffer-size",
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://github.com/unbit/uwsgi/blob/2.0.30/core/uwsgi.c",
    ),
)
def gw506(dep: Deployment) -> Iterator[Finding]:
    for app in dep.apps:
        if app.kind != "uwsgi":
            continue
        for name, occurrences in app.options.items():
            kind = UWSGI_OPTIONS.get(name)
            if kind not in NUMERIC_KINDS:
                continue
            assert kind is not None
            occurrence = occurrences[-1]  # a scalar: the last one is what uWSGI uses
            text = occurrence.value
            if text is None or _PLAIN.match(text) or not _STARTS_WITH_NUMBER.match(text):
                continue  # not a number at all (a template, a typo): not a unit suffix
            location = Location.of(occurrence.source)
            assert location is not None
            read_as = uwsgi_number(text)
            written = f"{occurrence.raw} (= {text})" if occurrence.raw != text else text
            if _TRAILING_TEXT.match(text):
                yield Finding(
                    location=location,
                    message=(
                        f"{name} = {written} is read as {read_as}: uWSGI ini lines have no "
                        "inline comments, and this works only because the number comes first"
                    ),
                    fix=f"move the comment to a line of its own: {name} = {read_as}",
                    severity=Severity.INFO,
                )
                continue
            meant, unit = intended(name, kind, text)
            unit_text = f" {unit}" if unit else ""
            if meant is not None and meant == read_as:
                yield Finding(
                    location=location,
                    message=(
                        f"{name} = {written} works only by luck: uWSGI numbers take no unit "
                        f"suffix and this is read as {read_as}{unit_text}, which is what was "
                        "meant"
                    ),
                    fix=f"write {name} = {read_as}",
                    severity=Severity.INFO,
                )
                continue
            consequence = CONSEQUENCES.get(name, "").format(n=read_as)
            message = (
                f"{name} = {written} is read by uWSGI as {read_as}{unit_text}: numbers take no "
                "unit suffix"
            )
            if meant is not None:
                message += f" (meant {meant}{unit_text})"
            if consequence:
                message += f"; {consequence}"
            fix = (
                f"write {name} = {meant}"
                if meant is not None
                else f"write {name} as a plain number"
            )
            yield Finding(location=location, message=message, fix=fix)


RULES = (gw506,)
