"""What ``gwlint diagnose`` prints: a ranked list of causes for people, or JSON for programs.

Text, one block a cause, the most frequent first::

    GW101 [warning] 37 × 500: gunicorn's worker timeout killed requests still running ...
      2026-12-07T01:00:03Z to 2026-12-07T01:12:40Z, upstream 127.0.0.1:8000, location /
      access.log:12: 127.0.0.1 - - [07/Dec/2026:01:00:03 +0000] "GET /report HTTP/1.1" 500 ...
      gunicorn.log:40: [2026-12-07 01:00:03 +0000] [7] [CRITICAL] WORKER TIMEOUT (pid:12)
      --> gunicorn.conf.py:3:1: timeout = 20
      fix: set timeout = 75 in gunicorn.conf.py ...

then a summary line. JSON: ``{"version", "window": {"first", "last"}, "requests": {"total",
"by_status"}, "causes": [{"code", "severity", "title", "message", "status", "count", "first",
"last", "upstreams", "locations", "evidence": [{"path", "line", "text"}], "related": [{"path",
"line", "column", "message"}], "fix"}]}``, times in ISO 8601 UTC.

Log lines are the input at its most hostile (anyone can put anything in a URI or a user agent):
every value is written as ``check``'s reporters write them (``printable``, ``no_command``,
``encodable``), so no line reaches a terminal or a CI log as a control sequence or a command.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from gwlint import __version__
from gwlint.reporters import encodable, no_command, path_shown, printable

if TYPE_CHECKING:
    from gwlint.diagnose.causes import Cause, Diagnosis


def _iso(time: float | None) -> str | None:
    from gwlint.diagnose.causes import iso

    return None if time is None else iso(time)


def _count(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _statuses(diagnosis: Diagnosis) -> str:
    failed: dict[int, int] = {}
    for cause in diagnosis.causes:
        failed[cause.status] = failed.get(cause.status, 0) + cause.count
    return ", ".join(f"{status}: {count}" for status, count in sorted(failed.items()))


def summary(diagnosis: Diagnosis) -> str:
    window = ""
    if diagnosis.first is not None and diagnosis.last is not None:
        window = f" from {_iso(diagnosis.first)} to {_iso(diagnosis.last)}"
    read = (
        f"{_count(diagnosis.total, 'request')} in the access logs"
        if diagnosis.total
        else "no access log line"
    )
    if not diagnosis.causes:
        return f"No failed request: {read}{window}, none 5xx or 499."
    failed = sum(cause.count for cause in diagnosis.causes)
    return (
        f"Found {_count(failed, 'failed request')} ({_statuses(diagnosis)}) in "
        f"{_count(len(diagnosis.causes), 'cause')}; {read}{window}."
    )


def _block(cause: Cause) -> list[str]:
    lines = [
        f"{cause.code} [{cause.severity.value}] {cause.count} × {cause.status}: "
        f"{printable(cause.message)}"
    ]
    seen = f"{_iso(cause.first)}"
    if cause.last != cause.first:
        seen += f" to {_iso(cause.last)}"
    if cause.upstreams:
        label = "upstream" if len(cause.upstreams) == 1 else "upstreams"
        seen += f", {label} {printable(', '.join(cause.upstreams))}"
    if cause.locations:
        label = "location" if len(cause.locations) == 1 else "locations"
        seen += f", {label} {printable(', '.join(cause.locations))}"
    lines.append(f"  {seen}")
    for item in cause.evidence:
        lines.append(f"  {path_shown(item.path)}:{item.line}: {printable(item.text)}")
    for related in cause.related:
        where = related.location
        lines.append(
            f"  --> {path_shown(where.path)}:{where.line}:{where.column or 1}: "
            f"{printable(related.message)}"
        )
    if cause.fix:
        lines.append(f"  fix: {printable(cause.fix)}")
    return lines


def render_text(diagnosis: Diagnosis) -> str:
    lines: list[str] = []
    for cause in diagnosis.causes:
        lines += [*_block(cause), ""]
    lines.append(summary(diagnosis))
    return encodable("\n".join(no_command(line) for line in lines)) + "\n"


def _cause(cause: Cause) -> dict[str, Any]:
    return {
        "code": cause.code,
        "severity": cause.severity.value,
        "title": cause.title,
        "message": cause.message,
        "status": cause.status,
        "count": cause.count,
        "first": _iso(cause.first),
        "last": _iso(cause.last),
        # the keys, and what the text report also names: where the requests went
        "upstreams": list(cause.upstreams),
        "locations": list(cause.locations),
        "evidence": [
            {"path": item.path, "line": item.line, "text": item.text} for item in cause.evidence
        ],
        "related": [
            {
                "path": related.location.path,
                "line": related.location.line,
                "column": related.location.column,
                "message": related.message,
            }
            for related in cause.related
        ],
        "fix": cause.fix,
    }


def document(diagnosis: Diagnosis) -> dict[str, Any]:
    return {
        "version": __version__,
        "window": {"first": _iso(diagnosis.first), "last": _iso(diagnosis.last)},
        "requests": {
            "total": diagnosis.total,
            "by_status": {str(status): count for status, count in diagnosis.by_status.items()},
        },
        "causes": [_cause(cause) for cause in diagnosis.causes],
    }


def render_json(diagnosis: Diagnosis) -> str:
    text = json.dumps(document(diagnosis), indent=2, ensure_ascii=False)
    return encodable(text, in_json=True) + "\n"
