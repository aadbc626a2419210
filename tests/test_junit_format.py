"""``--format junit``: a JUnit XML test report, as GitLab, Jenkins and Azure Pipelines read it.

The structure is checked against the fields of the common JUnit schema (the ``junit-10.xsd``
Jenkins' plugin and GitLab follow): ``<testsuites>`` of ``<testsuite>`` with ``tests``,
``failures``, ``errors`` and ``skipped`` counts that agree with the test cases, each
``<testcase>`` with a ``name`` and a ``classname``, a ``<failure>`` with ``message`` and ``type``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from gwlint.engine import Report
from gwlint.model.diagnostics import Diagnostic, Location, Related, Severity
from gwlint.reporters.junit import render
from tests.conftest import ROOT, chdir, gwlint
from tests.test_inert_output import CONTROL, hostile_repository, runner_reads_a_command

DEMO = ROOT / "fixtures" / "demo"
# what XML 1.0 allows (https://www.w3.org/TR/xml/#charsets): the rest may not appear, even escaped
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|&#x?0*[0-8bcefBCEF];")

# the common JUnit schema: each element's attributes (required ones first, marked) and children
SCHEMA: dict[str, tuple[set[str], set[str], set[str]]] = {
    # element: (required attributes, optional attributes, children)
    "testsuites": (
        set(),
        {"name", "time", "tests", "failures", "errors", "skipped", "disabled"},
        {"testsuite"},
    ),
    "testsuite": (
        {"name", "tests"},
        {
            "failures",
            "errors",
            "skipped",
            "disabled",
            "time",
            "timestamp",
            "hostname",
            "id",
            "package",
            "file",
        },
        {"properties", "testcase", "system-out", "system-err"},
    ),
    "testcase": (
        {"name", "classname"},
        {"time", "assertions", "status", "file", "line"},
        {"failure", "error", "skipped", "system-out", "system-err"},
    ),
    "failure": ({"type"}, {"message"}, set()),
    "system-out": (set(), set(), set()),
}


def conforms(element: ET.Element) -> None:
    """``element`` and what it holds follow SCHEMA; counts are whole numbers."""
    required, optional, children = SCHEMA[element.tag]
    assert required <= set(element.attrib), (element.tag, element.attrib)
    assert set(element.attrib) <= required | optional, (element.tag, element.attrib)
    for name in ("tests", "failures", "errors", "skipped"):
        if name in element.attrib:
            assert element.attrib[name].isdigit(), (element.tag, name)
    for child in element:
        assert child.tag in children, (element.tag, child.tag)
        conforms(child)


def parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    assert not NOT_XML.search(text), repr(NOT_XML.search(text))
    root = ET.fromstring(text.encode("utf-8"))
    conforms(root)
    assert root.tag == "testsuites"
    (suite,) = list(root)
    assert suite.attrib["name"] == "gwlint"
    cases = list(suite.iter("testcase"))
    failures = [case for case in cases if case.find("failure") is not None]
    for element in (root, suite):
        assert int(element.attrib["tests"]) == len(cases)
        assert int(element.attrib["failures"]) == len(failures)
        assert element.attrib["errors"] == element.attrib["skipped"] == "0"
    names = [(case.attrib["classname"], case.attrib["name"]) for case in cases]
    assert len(set(names)) == len(names), "each test case once"
    return suite


def report(*diagnostics: Diagnostic, files: tuple[str, ...] = ("nginx.conf",)) -> Report:
    return Report(
        diagnostics=list(diagnostics),
        files=list(files),
        nginx_label="nginx 1.30",
        gunicorn_label="gunicorn 27.0",
        nginx_version_given=True,
    )


def test_the_demo_as_a_test_report() -> None:
    run = gwlint("check", "--isolated", "--format", "junit", ".", cwd=DEMO)
    assert run.code == 1
    assert run.err == ""
    suite = parse(run.out)
    listed = json.loads(gwlint("check", "--isolated", "--format", "json", ".", cwd=DEMO).out)
    diagnostics = listed["diagnostics"]
    cases = list(suite.iter("testcase"))
    assert len(cases) == len(diagnostics)
    failing = [d for d in diagnostics if d["severity"] in ("error", "warning")]
    assert suite.attrib["failures"] == str(len(failing))
    for case, diagnostic in zip(cases, diagnostics, strict=True):
        code, path, line = diagnostic["code"], diagnostic["path"], diagnostic["line"]
        assert case.attrib["classname"] == path
        assert case.attrib["name"] == f"{code} {path}:{line}:{diagnostic['column'] or 1}"
        failure = case.find("failure")
        body = failure if failure is not None else case.find("system-out")
        assert body is not None
        assert body.text is not None
        lines = body.text.splitlines()
        assert lines[0].endswith(diagnostic["message"])
        assert len(lines) == 1 + len(diagnostic["related"]) + (1 if diagnostic["fix"] else 0)
        if diagnostic["fix"]:
            assert lines[-1] == f"  fix: {diagnostic['fix']}"
        if diagnostic["severity"] == "info":  # does not fail the run: a passing test case
            assert failure is None
            continue
        assert failure is not None
        assert failure.attrib["type"] == code
        assert failure.attrib["message"] == f"[{diagnostic['severity']}] {diagnostic['message']}"


def test_failures_follow_fail_on() -> None:
    """The report is red exactly when gwlint fails: the findings at least as severe as
    fail-on are failures."""
    for fail_on, failing in (("info", {"error", "warning", "info"}), ("error", {"error"})):
        run = gwlint("check", "--isolated", "-f", "junit", "--fail-on", fail_on, ".", cwd=DEMO)
        suite = parse(run.out)
        severities = [
            re.search(r"\[(error|warning|info)\]", "".join(case.itertext()) or "")
            for case in suite.iter("testcase")
        ]
        expected = sum(1 for s in severities if s is not None and s.group(1) in failing)
        assert suite.attrib["failures"] == str(expected)
        assert run.code == (1 if expected else 0)


def test_no_findings_is_one_passing_test_case(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(
        "events {}\nhttp { server { listen 80; location / { proxy_pass http://127.0.0.1:8000; } "
        "} }\n"
    )
    (tmp_path / "gunicorn.conf.py").write_text(
        "bind = '127.0.0.1:8000'\ntimeout = 75\nworkers = 3\n"
    )
    run = gwlint("check", "--isolated", "--format", "junit", cwd=tmp_path)
    assert run.code == 0, run.out
    suite = parse(run.out)
    (case,) = list(suite)
    assert case.attrib == {"classname": "gwlint", "name": "2 files checked, no findings"}
    assert list(case) == []
    assert suite.attrib["tests"] == "1"
    assert suite.attrib["failures"] == "0"


HOSTILE = "a\x00b\x07c\x1b[2J\x0bd\x0ce\x7f\x85\u2028\ufffe\uffff\ud800 ]]> <&\"'> ::error::x ##[y]"


def test_hostile_text_is_escaped(tmp_path: Path) -> None:
    """What XML 1.0 cannot hold (C0 controls, U+FFFE, lone surrogates) is written as an escape
    text output uses; markup characters are XML-escaped and read back exactly."""
    diagnostic = Diagnostic(
        code="GW101",
        severity=Severity.ERROR,
        message=HOSTILE,
        location=Location(f"dir/{HOSTILE}.conf", 3, 7),
        related=(Related(Location("::error::other.py", 1), HOSTILE),),
        fix=HOSTILE,
    )
    with chdir(tmp_path):
        text = render(report(diagnostic, diagnostic))
    assert not CONTROL.search(text), repr(CONTROL.search(text))
    for line in text.splitlines():
        assert not runner_reads_a_command(line), repr(line)
    suite = parse(text)
    first, second = suite.iter("testcase")
    shown = "a\\x00b\\x07c\\x1b[2J\\x0bd\\x0ce\\x7f\\x85\\u2028\\ufffe\\uffff\\ud800 ]]> <&\"'> "
    assert first.attrib["classname"].startswith(f"dir/{shown}")
    # two findings of one rule at one place: two test cases, told apart
    assert second.attrib["name"] == first.attrib["name"] + " (2)"
    failure = first.find("failure")
    assert failure is not None
    assert failure.text is not None
    assert failure.attrib["message"].startswith(f"[error] {shown}::error::x ##\\x5by]")
    head, related, fix = failure.text.splitlines()
    assert head.startswith(f"dir/{shown}")
    assert related.startswith("  --> ./::error::other.py:1:1: ")
    assert fix.startswith(f"  fix: {shown}")


def test_the_hostile_repository(tmp_path: Path) -> None:
    repository = hostile_repository(tmp_path / "repo")
    run = gwlint("check", "--isolated", "--format", "junit", cwd=repository)
    assert run.code == 1, run.err
    suite = parse(run.out)
    as_json = json.loads(gwlint("check", "--isolated", "--format", "json", cwd=repository).out)
    assert len(list(suite)) == len(as_json["diagnostics"])


def test_written_to_a_file_as_to_standard_output(tmp_path: Path) -> None:
    target = tmp_path / "report.xml"
    shown = gwlint("check", "--isolated", "-f", "junit", ".", cwd=DEMO)
    written = gwlint("check", "--isolated", "-f", "junit", "-o", str(target), ".", cwd=DEMO)
    assert written.code == shown.code == 1
    assert written.out == ""
    assert target.read_bytes() == shown.out.encode("utf-8")
    ET.parse(target)  # a file an XML reader opens as it is
