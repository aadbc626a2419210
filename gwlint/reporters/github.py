"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` line a finding.

``::error file=PATH,line=N,col=C,title=gwlint CODE::MESSAGE``, the path relative to the current
folder; the message carries the other side and the fix on further (escaped) lines. GitHub shows
at most 10 errors and 10 warnings a step (50 a job) as annotations: the summary line that follows
is plain text, and the whole list stays in the log.

Every value from the input (the path, the message, the other side, the fix) keeps its line breaks,
which GitHub's escaping writes ``%0A`` and ``%0D`` and reads back, and shows any other control
character as ``printable`` does (ESC as ``\x1b``...). So each finding is exactly one ``::`` line,
and no control character reaches the log.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from gwlint.model.diagnostics import Severity
from gwlint.reporters import encodable, no_command, printable
from gwlint.reporters.sarif import relative_path
from gwlint.reporters.text import summary, where

if TYPE_CHECKING:
    from gwlint.engine import Report
    from gwlint.model.diagnostics import Diagnostic

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """A command's message: ``%``, CR and LF escaped (``%`` first)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: as a message, and ``:`` and ``,`` too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _value(text: str) -> str:
    """A value from the input, before ``escape_data`` or ``escape_property``: CR and LF kept
    (GitHub's escaping writes them and reads them back), any other control character as
    ``printable`` shows it."""
    return "\n".join(
        "\r".join(printable(part) for part in line.split("\r")) for line in text.split("\n")
    )


def _annotation(diagnostic: Diagnostic, cwd: str) -> str:
    location = diagnostic.location
    properties = [
        ("file", _value(relative_path(location.path, cwd) or os.path.abspath(location.path))),
        ("line", str(max(location.line, 1))),
    ]
    if location.column is not None and location.column >= 1:
        properties.append(("col", str(location.column)))
    properties.append(("title", f"gwlint {diagnostic.code}"))
    lines = [_value(diagnostic.message)]
    lines += [f"--> {where(r.location)}: {_value(r.message)}" for r in diagnostic.related]
    if diagnostic.fix:
        lines.append(f"fix: {_value(diagnostic.fix)}")
    rendered = ",".join(f"{name}={escape_property(value)}" for name, value in properties)
    message = escape_data("\n".join(lines))
    return f"::{COMMANDS[diagnostic.severity]} {rendered}::{message}"


def render(report: Report) -> str:
    cwd = os.getcwd()
    lines = [_annotation(diagnostic, cwd) for diagnostic in report.diagnostics]
    lines.append(no_command(summary(report)))
    return encodable("\n".join(lines)) + "\n"
