"""Plain text for people: ``path:line:col: CODE [severity] message``, the other side indented."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gwlint.model.diagnostics import Location, Severity

if TYPE_CHECKING:
    from gwlint.engine import Report


def where(location: Location) -> str:
    return f"{location.path}:{location.line}:{location.column or 1}"


def _count(count: int, word: str) -> str:
    plural = word if count == 1 or word == "info" else f"{word}s"
    return f"{count} {plural}"


def summary(report: Report) -> str:
    files = _count(len(report.files), "file")
    versions = report.nginx_label
    if not report.nginx_version_given:
        versions += " (assumed; set --nginx-version)"
    checked = f"Checked {files} against {versions} and {report.gunicorn_label}."
    if not report.diagnostics:
        return f"All checks passed. {checked}"
    parts = [
        _count(report.count(severity), severity.value)
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if report.count(severity)
    ]
    total = _count(len(report.diagnostics), "finding")
    return f"Found {total} ({', '.join(parts)}). {checked}"


def render(report: Report) -> str:
    lines: list[str] = []
    for diagnostic in report.diagnostics:
        lines.append(
            f"{where(diagnostic.location)}: {diagnostic.code} [{diagnostic.severity.value}] "
            f"{diagnostic.message}"
        )
        for related in diagnostic.related:
            lines.append(f"  --> {where(related.location)}: {related.message}")
        if diagnostic.fix:
            lines.append(f"  fix: {diagnostic.fix}")
    if lines:
        lines.append("")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"
