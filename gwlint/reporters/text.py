"""Plain text for people: ``path:line:col: CODE [severity] message``, the other side indented.

Colour (ANSI) only when the command line asks for it: on a terminal, never with NO_COLOR.
Everything from the input (paths, messages, fixes, versions and where they come from) is written
through ``printable``: control characters as visible escapes, no line a workflow command.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from gwlint.model.diagnostics import Diagnostic, Location, Severity
from gwlint.reporters import encodable, no_command, path_shown, printable

if TYPE_CHECKING:
    from gwlint.engine import Report

_SEVERITY_COLOUR = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def where(location: Location) -> str:
    """``path:line:col``, the path shown as text output shows it (``path_shown``)."""
    return f"{path_shown(location.path)}:{location.line}:{location.column or 1}"


def _count(count: int, word: str) -> str:
    plural = word if count == 1 or word == "info" else f"{word}s"
    return f"{count} {plural}"


def _versions(report: Report) -> str:
    """``nginx 1.30 (assumed; set --nginx-version) and gunicorn 27.0``; a version the
    repository gives says where (``gunicorn 21.2 (requirements.txt:3, gunicorn==21.2.0)``)."""
    if not report.versions:
        nginx = printable(report.nginx_label)
        if not report.nginx_version_given:
            nginx += " (assumed; set --nginx-version)"
        return f"{nginx} and {printable(report.gunicorn_label)}"
    parts: list[str] = []
    for used in report.versions:
        text = f"{used.server} {printable(used.version)}"
        if used.source is None and used.server == "nginx":
            text += " (assumed; set --nginx-version)"
        elif used.source is not None and not used.user:
            text += f" ({printable(used.source)})"
        elif used.server == "uWSGI":
            continue  # as before: uWSGI's version is shown when the repository gives it
        if used.server == "uWSGI" and used.source is None:
            continue
        parts.append(text)
    return ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else parts[0]


def summary(report: Report) -> str:
    files = _count(len(report.files), "file")
    if report.deployments > 1:
        files += f" in {report.deployments} deployments"
    checked = f"Checked {files} against {_versions(report)}."
    suppressed = f" {report.suppressed} suppressed by comments." if report.suppressed else ""
    fixed = f" ({_count(len(report.fixed), 'finding')} fixed)" if report.fixed else ""
    if not report.diagnostics:
        return f"All checks passed{fixed}. {checked}{suppressed}"
    parts = [
        _count(report.count(severity), severity.value)
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if report.count(severity)
    ]
    total = _count(len(report.diagnostics), "finding")
    if report.fixed:
        parts.append(f"{len(report.fixed)} fixed")
    return f"Found {total} ({', '.join(parts)}){_fixable(report)}. {checked}{suppressed}"


def _fixable(report: Report) -> str:
    """``; 2 fixable with --fix (1 more with --unsafe-fixes)``, as ruff says it."""
    safe = sum(1 for d in report.diagnostics if d.autofix is not None and d.autofix.safe)
    unsafe = sum(1 for d in report.diagnostics if d.autofix is not None and not d.autofix.safe)
    if report.unsafe_fixes:
        safe, unsafe = safe + unsafe, 0
    flag = "--fix --unsafe-fixes" if report.unsafe_fixes else "--fix"
    text = f"; {safe} fixable with {flag}" if safe else ""
    if unsafe:
        text += (
            f" ({unsafe} more with --unsafe-fixes)"
            if safe
            else (f"; {unsafe} fixable with --fix --unsafe-fixes")
        )
    return text


def show_fixes(report: Report) -> list[str]:
    """``--show-fixes``: the fixes applied (with --fix), else those --fix would apply, and why
    the others are not applied automatically."""
    lines: list[str] = []

    def block(title: str, items: list[tuple[Diagnostic, str]]) -> None:
        if items:
            lines.append(title)
            lines.extend(f"  {where(d.location)}: {d.code} {printable(text)}" for d, text in items)

    block("Fixed:", [(d, d.autofix.description) for d in report.fixed if d.autofix is not None])
    ready = [
        (d, d.autofix.description)
        for d in report.diagnostics
        if d.autofix is not None and (d.autofix.safe or report.unsafe_fixes)
    ]
    block("Fixable with --fix" + (" --unsafe-fixes:" if report.unsafe_fixes else ":"), ready)
    block(
        "Fixable with --fix --unsafe-fixes:",
        [
            (d, d.autofix.description)
            for d in report.diagnostics
            if d.autofix is not None and not d.autofix.safe and not report.unsafe_fixes
        ],
    )
    block(
        "Not fixable automatically:",
        [(d, d.unfixable) for d in report.diagnostics if d.unfixable is not None],
    )
    return lines


def statistics(report: Report) -> list[str]:
    """``count  CODE  name`` per rule, most frequent first (like ruff --statistics)."""
    from gwlint.rules import BY_CODE

    counts = Counter(d.code for d in report.diagnostics)
    levels: dict[str, set[Severity]] = {}
    for diagnostic in report.diagnostics:
        levels.setdefault(diagnostic.code, set()).add(diagnostic.severity)
    width = max((len(str(n)) for n in counts.values()), default=1)

    def level(code: str) -> str:  # as reported (a rule may report one case at another level)
        return "/".join(s.value for s in sorted(levels[code], key=lambda s: -s.rank))

    return [
        f"{count:>{width}}  {code}  [{level(code)}] {BY_CODE[code].name}"
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def errors_first(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """For a person reading: the files in the report's order, and in each file the findings that
    matter most first (errors, then warnings, then info), in line order within a severity. The
    JSON and SARIF reports keep path and line order."""
    files: dict[str, int] = {}
    for diagnostic in diagnostics:
        files.setdefault(diagnostic.location.path, len(files))
    order = sorted(
        range(len(diagnostics)),
        key=lambda i: (
            files[diagnostics[i].location.path],
            -diagnostics[i].severity.rank,
            i,
        ),
    )
    return [diagnostics[i] for i in order]


def render(
    report: Report,
    *,
    colour: bool = False,
    quiet: bool = False,
    statistics_only: bool = False,
    fixes: bool = False,
) -> str:
    lines: list[str] = []
    if statistics_only:
        lines.extend(statistics(report))
    else:
        for diagnostic in errors_first(report.diagnostics):
            severity = diagnostic.severity
            lines.append(
                f"{_paint(where(diagnostic.location), '1', colour)}: "
                f"{_paint(diagnostic.code, _SEVERITY_COLOUR[severity] + ';1', colour)} "
                f"{_paint(f'[{severity.value}]', _SEVERITY_COLOUR[severity], colour)} "
                f"{printable(diagnostic.message)}"
            )
            for related in diagnostic.related:
                lines.append(
                    f"  --> {_paint(where(related.location), '2', colour)}: "
                    f"{printable(related.message)}"
                )
            if diagnostic.fix:
                lines.append(f"  {_paint('fix:', '32', colour)} {printable(diagnostic.fix)}")
    if fixes:
        listed = show_fixes(report)
        if lines and listed:
            lines.append("")
        lines.extend(listed)
    if not quiet:
        if lines:
            lines.append("")
        lines.append(summary(report))
    if not lines:
        return ""
    return encodable("\n".join(no_command(line) for line in lines)) + "\n"
