"""JUnit XML: a test report, for the CI systems that show one (GitLab ``artifacts:reports:junit``,
Jenkins' JUnit plugin, Azure Pipelines' ``PublishTestResults``).

One ``<testsuite name="gwlint">`` in ``<testsuites>``, one ``<testcase>`` a finding:
``classname`` its file (relative to the current folder), ``name`` ``CODE path:line:col``. A finding
that fails the run (at least as severe as ``fail-on``) is a ``<failure type="CODE">`` whose
``message`` is the finding's message and whose text adds the other side's lines and the fix; a
less severe one is a passing test case with the same text in ``<system-out>``, so the report is
green exactly when gwlint exits 0. With no finding, one passing test case says what was checked,
so that CI shows a green report rather than none.

What comes from the input is written as text output writes it (``printable``): XML 1.0 cannot hold
C0 control characters at all (not even escaped), and a log that shows the file must not read a
workflow command in it; ElementTree escapes the markup (``<``, ``&``, quotes).
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from gwlint.reporters import no_command, path_shown, printable

if TYPE_CHECKING:
    from gwlint.engine import Report
    from gwlint.model.diagnostics import Diagnostic

SUITE = "gwlint"
# what XML 1.0 cannot hold that ``printable`` leaves: the two noncharacters of the BMP's end
_NOT_XML = re.compile("[\ufffe\uffff]")


def _xml(value: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\u{ord(match.group(0)):04x}", value)


def _text(value: str) -> str:
    """A value from the input on one line, as XML can hold it and text output shows it."""
    return _xml(printable(value))


def _where(path: str, line: int, column: int | None) -> str:
    """``path:line:col``, the path as text output starts a line with it (``path_shown``)."""
    return f"{_xml(path_shown(path))}:{line}:{column or 1}"


def _details(diagnostic: Diagnostic, shown: str) -> str:
    """The finding as text output writes it: where and what, the other side's lines, the fix."""
    location = diagnostic.location
    lines = [
        f"{_where(shown, location.line, location.column)}: {diagnostic.code} "
        f"[{diagnostic.severity.value}] {_text(diagnostic.message)}"
    ]
    for related in diagnostic.related:
        spot = related.location
        lines.append(f"  --> {_where(spot.path, spot.line, spot.column)}: {_text(related.message)}")
    if diagnostic.fix:
        lines.append(f"  fix: {_text(diagnostic.fix)}")
    return "\n".join(no_command(line) for line in lines) + "\n"


def render(report: Report) -> str:
    from gwlint.reporters.sarif import relative_path

    cwd = os.getcwd()
    suite = ET.Element("testsuite", name=SUITE)
    failures = 0
    seen: dict[tuple[str, str], int] = {}
    for diagnostic in report.diagnostics:
        location = diagnostic.location
        shown = relative_path(location.path, cwd) or location.path
        classname = _text(shown)
        name = f"{diagnostic.code} {_text(shown)}:{location.line}:{location.column or 1}"
        seen[(classname, name)] = count = seen.get((classname, name), 0) + 1
        if count > 1:  # two findings of one rule at one place: each its own test case
            name += f" ({count})"
        case = ET.SubElement(suite, "testcase", classname=classname, name=name)
        details = _details(diagnostic, shown)
        if diagnostic.severity.rank >= report.fail_on.rank:
            failures += 1
            failure = ET.SubElement(
                case,
                "failure",
                message=f"[{diagnostic.severity.value}] {_text(diagnostic.message)}",
                type=diagnostic.code,
            )
            failure.text = details
        else:
            ET.SubElement(case, "system-out").text = details
    if not report.diagnostics:
        files = len(report.files)
        checked = f"{files} file{'' if files == 1 else 's'} checked, no findings"
        ET.SubElement(suite, "testcase", classname=SUITE, name=checked)
    counts = {
        "tests": str(len(suite)),
        "failures": str(failures),
        "errors": "0",
        "skipped": "0",
    }
    suite.attrib.update(counts)
    suites = ET.Element("testsuites", {"name": SUITE, **counts})
    suites.append(suite)
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
