"""--format gitlab: GitLab's Code Quality report, with the fields GitLab documents
(https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import gwlint

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo"
SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def test_code_quality_report_of_the_demo() -> None:
    run = gwlint("check", "--isolated", "--format", "gitlab", cwd=DEMO)
    assert run.code == 1, run.err
    issues = json.loads(run.out)
    expected = json.loads(gwlint("check", "--isolated", "--format", "json", cwd=DEMO).out)
    diagnostics = expected["diagnostics"]
    assert isinstance(issues, list)
    assert len(issues) == len(diagnostics) > 0
    for issue, diagnostic in zip(issues, diagnostics, strict=True):
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["check_name"] == diagnostic["code"]
        assert issue["description"].startswith(f"{diagnostic['code']}: {diagnostic['message']}")
        if diagnostic["fix"]:
            assert issue["description"].endswith(f"(fix: {diagnostic['fix']})")
        assert issue["severity"] in SEVERITIES
        assert (
            issue["severity"]
            == {"error": "major", "warning": "minor", "info": "info"}[diagnostic["severity"]]
        )
        assert issue["location"] == {
            "path": diagnostic["path"],
            "lines": {"begin": diagnostic["line"]},
        }
        assert not issue["location"]["path"].startswith("/")
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)


def test_fingerprints_survive_moved_lines(tmp_path: Path) -> None:
    nginx = "events {}\nhttp {\n  server {\n    location / {\n      proxy_read_timeout 1.5s;\n    }\n  }\n}\n"  # noqa: E501
    (tmp_path / "nginx.conf").write_text(nginx)
    before = json.loads(
        gwlint("check", "--isolated", "--select", "GW603", "--format", "gitlab", cwd=tmp_path).out
    )
    (tmp_path / "nginx.conf").write_text("# a comment\n\n" + nginx)
    after = json.loads(
        gwlint("check", "--isolated", "--select", "GW603", "--format", "gitlab", cwd=tmp_path).out
    )
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert [i["location"]["lines"]["begin"] for i in after] == [
        i["location"]["lines"]["begin"] + 2 for i in before
    ]
