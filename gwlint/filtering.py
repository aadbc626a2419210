"""What is reported of the findings: rules not selected dropped, severity overrides, per-file
ignores, and inline suppressions (``# gwlint: ignore[CODE] reason``), with the problems of the
suppressions themselves (GW006, GW007). Sorted by file, line and code."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from gwlint.model.diagnostics import Diagnostic, Finding, Location, Related

if TYPE_CHECKING:
    from collections.abc import Callable

    from gwlint.loaders.common import Problems, Suppression
    from gwlint.loaders.sources import Sources
    from gwlint.settings import Settings


def hedged(findings: list[tuple[str, Finding]]) -> list[tuple[str, Finding]]:
    """A finding that rests on a value an unread env file may change (its text says so: the
    value's source carries the note) is info at most: gwlint cannot be sure of it."""
    from dataclasses import replace

    from gwlint.model.diagnostics import Severity
    from gwlint.model.unread import UNREAD_ENV

    out: list[tuple[str, Finding]] = []
    for code, finding in findings:
        texts = [finding.message, *(r.message for r in finding.related)]
        if any(UNREAD_ENV in text for text in texts):
            finding = replace(finding, severity=Severity.INFO)
        out.append((code, finding))
    return out


def localized(
    findings: list[tuple[str, Finding]], problems: Problems, sources: Sources | None
) -> list[tuple[str, Finding]]:
    """Findings as the user's files spell them: a template placeholder as written
    (``{{ proxy_timeout }}``, never the marker that stood for it), a ConfigMap entry's findings
    in its manifest, and a finding on a line inside a template's ``{% if %}`` saying so."""
    placeholders = problems.placeholders
    if not placeholders.texts and not placeholders.conditions and not (sources and sources.virtual):
        return findings

    def where(location: Location) -> Location:
        if sources is None or not sources.virtual:
            return location
        return Location(sources.display(location.path), location.line, location.column)

    # a virtual path written in a message (a value's source) is its manifest's there too
    renames = [(v.path, v.display) for v in (sources.virtual.values() if sources else ()) if v.path]

    def text(value: str) -> str:
        value = placeholders.restore(value)
        for virtual, display in renames:
            value = value.replace(virtual, display)
        return value

    if sources is not None and sources.virtual:
        # a comment in a ConfigMap's nginx.conf suppresses findings reported in the manifest
        problems.suppressions = [
            s._replace(path=sources.display(s.path)) for s in problems.suppressions
        ]
        for virtual_path in list(problems.comment_lines):
            display = os.path.realpath(sources.display(virtual_path))
            if display != virtual_path:
                lines = problems.comment_lines.pop(virtual_path)
                problems.comment_lines.setdefault(display, set()).update(lines)

    out: list[tuple[str, Finding]] = []
    for code, finding in findings:
        message = text(finding.message)
        location = finding.location
        condition = placeholders.conditions.get((os.path.realpath(location.path), location.line))
        related = tuple(Related(where(r.location), text(r.message)) for r in finding.related)
        if condition is not None:
            # a related line of its own: the message stays one short line
            note = f"in the template, {condition}: the finding applies only when that holds"
            related = (Related(where(location), note), *related)
        out.append(
            (
                code,
                Finding(
                    location=where(location),
                    message=message,
                    related=related,
                    fix=text(finding.fix) if finding.fix is not None else None,
                    code=finding.code,
                    severity=finding.severity,
                    autofix=finding.autofix,
                    unfixable=text(finding.unfixable) if finding.unfixable is not None else None,
                ),
            )
        )
    return out


MESSAGE_LIMIT = 200  # characters: a finding's message is one line a person reads


def fitted(findings: list[tuple[str, Finding]]) -> list[tuple[str, Finding]]:
    """Every message at most MESSAGE_LIMIT characters where ``fit`` can make it so."""
    from dataclasses import replace

    out: list[tuple[str, Finding]] = []
    for code, finding in findings:
        if len(finding.message) > MESSAGE_LIMIT:
            message, related = fit(finding.message, finding.location, finding.related)
            finding = replace(finding, message=message, related=related)
        out.append((code, finding))
    return out


def fit(
    message: str, location: Location, related: tuple[Related, ...]
) -> tuple[str, tuple[Related, ...]]:
    """A message over the limit made shorter without losing a fact: the finding's own file
    written as "line N"; a hedge (", unless .env (not in the repository) may set X") moved to a
    related line at the finding; other files by their name alone when no other file of the
    finding has that name (their full paths stay in the related lines)."""
    if len(message) <= MESSAGE_LIMIT:
        return message, related
    own = location.path
    if "/" in own:
        message = re.sub(re.escape(own) + r":(\d+)", r"line \1", message)
    while len(message) > MESSAGE_LIMIT:
        hedge = _hedge(message)
        if hedge is None:
            break
        start, end = hedge
        note = message[start + 2 : end]
        message = message[:start] + message[end:]
        if not any(note in r.message for r in related):
            related = (Related(location, f"what the message says applies {note}"), *related)
    if len(message) > MESSAGE_LIMIT:
        # sources are written "(path:line)" or "(path)": those, and the finding's files
        written = {m.group(1) for m in _SOURCE_PATH.finditer(message)}
        paths = {own, *(r.location.path for r in related), *written}
        names = [os.path.basename(p) for p in paths]
        for path in sorted(paths, key=len, reverse=True):
            name = os.path.basename(path)
            if "/" in path and names.count(name) == 1:
                message = message.replace(path, name)
    return message, related


_SOURCE_PATH = re.compile(r"\(([^\s():,]+/[^\s():,]+)(?=[:),])")


def _hedge(message: str) -> tuple[int, int] | None:
    """Where ", unless ..." runs to the end of its parenthesis, or None."""
    start = message.find(", unless ")
    if start < 0:
        return None
    depth = 0
    for index in range(start, len(message)):
        char = message[index]
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return start, index
            depth -= 1
    return None


def _covered(suppression: Suppression, comment_lines: dict[str, set[int]]) -> set[int]:
    """Lines a suppression covers: its own; from a line of its own, the next non-comment line."""
    if not suppression.own_line:
        return {suppression.line}
    lines = comment_lines.get(os.path.realpath(suppression.path), set())
    line = suppression.line + 1
    while line in lines:
        line += 1
    return {line}


def _places(diagnostic: Diagnostic) -> list[Location]:
    return [diagnostic.location, *(related.location for related in diagnostic.related)]


def _suppress(
    diagnostics: set[Diagnostic],
    ignored: set[Diagnostic],
    problems: Problems,
    enabled: Callable[[str], set[str]],
) -> tuple[set[Diagnostic], list[Diagnostic], int]:
    """(kept, problems with the suppressions themselves, how many were suppressed).

    A suppression is used when it covers a finding, kept or already removed by per-file-ignores.
    """
    from gwlint.rules import BY_CODE

    by_place: dict[tuple[str, int, str], list[tuple[Suppression, str]]] = {}
    extra: list[Diagnostic] = []
    for suppression in problems.suppressions:
        location = Location(suppression.path, suppression.line, suppression.column)
        unknown = [code for code in suppression.codes if code not in BY_CODE]
        if unknown:
            extra.append(
                Diagnostic(
                    code="GW007",
                    severity=BY_CODE["GW007"].severity,
                    message=f"suppression not applied: {unknown[0]} is not a gwlint rule "
                    "(see `gwlint rules`)",
                    location=location,
                )
            )
            continue
        real = os.path.realpath(suppression.path)
        for line in _covered(suppression, problems.comment_lines):
            for code in suppression.codes:
                by_place.setdefault((real, line, code), []).append((suppression, code))

    def hits(diagnostic: Diagnostic) -> list[tuple[Suppression, str]]:
        return [
            hit
            for place in _places(diagnostic)
            for hit in by_place.get((os.path.realpath(place.path), place.line, diagnostic.code), [])
        ]

    used: set[tuple[Suppression, str]] = set()
    kept: set[Diagnostic] = set()
    for diagnostic in diagnostics:
        found = hits(diagnostic)
        used.update(found)
        if not found:
            kept.add(diagnostic)
    for diagnostic in ignored:
        used.update(hits(diagnostic))
    for suppression in problems.suppressions:
        for code in suppression.codes:
            if code not in BY_CODE or code not in enabled(suppression.path):
                continue
            if (suppression, code) in used:
                continue
            target = min(_covered(suppression, problems.comment_lines))
            extra.append(
                Diagnostic(
                    code="GW006",
                    severity=BY_CODE["GW006"].severity,
                    message=f"`gwlint: ignore[{code}]` suppresses nothing: no {code} finding on "
                    f"line {target}; remove {code} from the comment",
                    location=Location(suppression.path, suppression.line, suppression.column),
                )
            )
    return kept, extra, len(diagnostics) - len(kept)


def filtered(
    settings: Settings, findings: list[tuple[str, Finding]], problems: Problems
) -> tuple[list[Diagnostic], int]:
    from gwlint.config import matches
    from gwlint.rules import BY_CODE

    diagnostics: set[Diagnostic] = set()
    ignored: set[Diagnostic] = set()
    for code, finding in findings:
        # the closest configuration of the file the finding is in decides (hierarchical)
        scope = settings.scope_at(finding.location.path)
        if code not in scope.enabled:
            continue
        severity = scope.severity.get(code) or finding.severity or BY_CODE[code].severity
        diagnostic = Diagnostic(
            code=code,
            severity=severity,
            message=finding.message,
            location=finding.location,
            related=finding.related,
            fix=finding.fix,
            autofix=finding.autofix,
            unfixable=finding.unfixable,
        )
        path = finding.location.path
        if any(
            any(code.startswith(c) for c in codes) and matches(glob, path, scope.config.root)
            for glob, codes in scope.per_file_ignores
        ):
            ignored.add(diagnostic)
        else:
            diagnostics.add(diagnostic)
    kept, extra, suppressed = _suppress(
        diagnostics, ignored, problems, lambda path: settings.scope_at(path).enabled
    )
    for diagnostic in extra:
        scope = settings.scope_at(diagnostic.location.path)
        if diagnostic.code in scope.enabled:
            kept.add(
                Diagnostic(
                    code=diagnostic.code,
                    severity=scope.severity.get(diagnostic.code, diagnostic.severity),
                    message=diagnostic.message,
                    location=diagnostic.location,
                )
            )
    return sorted(kept, key=lambda d: (*d.sort_key(), repr(d.related), d.fix or "")), suppressed
