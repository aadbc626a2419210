"""GitLab Code Quality: a JSON array, one issue per finding, for ``artifacts:reports:codequality``.

The fields GitLab reads (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format):
``description``, ``check_name``, ``fingerprint`` (unique per issue: GitLab compares reports by it),
``severity`` (``info``, ``minor``, ``major``, ``critical`` or ``blocker``) and
``location.path`` (relative to the repository) with ``location.lines.begin``. The fix goes at the
end of the description; JSON is written as the JSON reporter writes it (``encodable``).
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from gwlint.model.diagnostics import Severity
from gwlint.reporters import encodable

if TYPE_CHECKING:
    from gwlint.engine import Report

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render(report: Report) -> str:
    from gwlint.reporters.sarif import _identity, relative_path

    cwd = os.getcwd()
    issues: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for diagnostic in report.diagnostics:
        path = diagnostic.location.path
        shown = relative_path(path, cwd) or path
        description = f"{diagnostic.code}: {diagnostic.message}"
        if diagnostic.fix:
            description += f" (fix: {diagnostic.fix})"
        # what stays when lines move, computed as SARIF's partialFingerprints are
        identity = _identity(diagnostic, shown, str)
        seen[identity] = seen.get(identity, 0) + 1
        issues.append(
            {
                "description": description,
                "check_name": diagnostic.code,
                "fingerprint": f"{identity}-{seen[identity]}",
                "severity": SEVERITIES[diagnostic.severity],
                "location": {"path": shown, "lines": {"begin": diagnostic.location.line}},
            }
        )
    return encodable(json.dumps(issues, indent=2, ensure_ascii=False), in_json=True) + "\n"
