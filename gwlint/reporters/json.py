"""JSON for programs: ``{"version", "diagnostics": [...]}``, sorted by path, line and code.

Values are exact (non-ASCII text stays readable), but no line of the document holds a raw control
character, a line break to another reader (U+0085, U+2028, U+2029) or a legacy workflow command
(``##[``): ``encodable(..., in_json=True)`` writes them as JSON escapes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from gwlint import __version__
from gwlint.reporters import encodable

if TYPE_CHECKING:
    from gwlint.engine import Report
    from gwlint.model.diagnostics import Diagnostic


def _diagnostic(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "path": diagnostic.location.path,
        "line": diagnostic.location.line,
        "column": diagnostic.location.column,
        "related": [
            {
                "path": related.location.path,
                "line": related.location.line,
                "column": related.location.column,
                "message": related.message,
            }
            for related in diagnostic.related
        ],
        "fix": diagnostic.fix,
        # --fix: the edits that make the fix ("safe": --fix applies them; else only with
        # --unsafe-fixes), or why there are none ("not_fixable")
        "fix_safety": (
            None if diagnostic.autofix is None else "safe" if diagnostic.autofix.safe else "unsafe"
        ),
        "edits": [
            {
                "path": edit.path,
                "start": {"line": edit.start_line, "column": edit.start_column},
                "end": {"line": edit.end_line, "column": edit.end_column},
                "replacement": edit.replacement,
            }
            for edit in (diagnostic.autofix.edits if diagnostic.autofix is not None else ())
        ],
        "not_fixable": diagnostic.unfixable,
    }


def render(report: Report) -> str:
    document = {
        "version": __version__,
        "diagnostics": [_diagnostic(d) for d in report.diagnostics],
        # the server versions the run checked against, and where each comes from (null: the
        # default line was assumed)
        # --fix: the findings whose fixes were applied (``diagnostics`` is what remains)
        "fixed": [
            {
                "code": d.code,
                "path": d.location.path,
                "line": d.location.line,
                "fix": d.autofix.description if d.autofix is not None else d.fix,
            }
            for d in report.fixed
        ],
        "servers": [
            {"server": used.server, "version": used.version, "source": used.source}
            for used in report.versions
        ],
    }
    return encodable(json.dumps(document, indent=2, ensure_ascii=False), in_json=True) + "\n"
