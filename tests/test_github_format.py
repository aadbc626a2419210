"""``--format github``: one workflow command a finding, escaped as the Actions runner expects."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gwlint.engine import Report
from gwlint.model.diagnostics import Diagnostic, Location, Related, Severity
from gwlint.reporters import FORMATS
from gwlint.reporters.github import escape_data, escape_property, render
from tests.conftest import ROOT, chdir, gwlint

PROXY = "http { server { location / { proxy_pass http://127.0.0.1:8001; } } }\n"


def report(*diagnostics: Diagnostic) -> Report:
    return Report(
        diagnostics=list(diagnostics),
        files=["nginx.conf"],
        nginx_label="nginx 1.30",
        gunicorn_label="gunicorn 27.0",
        nginx_version_given=True,
    )


def test_escaping_rules() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    assert escape_data("%0A") == "%250A"  # % first, so an escape is never produced twice


def test_message_with_percent_and_newline_and_path_with_comma_and_colon(tmp_path: Path) -> None:
    diagnostic = Diagnostic(
        code="GW101",
        severity=Severity.WARNING,
        message="100% of slow requests\nget 504",
        location=Location(path="odd,name:1/nginx.conf", line=12, column=13),
        related=(Related(Location("gunicorn.conf.py", 3), "timeout = 60"),),
        fix="raise it, to 75%",
    )
    with chdir(tmp_path):
        out = render(report(diagnostic))
    lines = out.splitlines()
    assert lines[0] == (
        "::warning file=odd%2Cname%3A1/nginx.conf,line=12,col=13,title=gwlint GW101::"
        "100%25 of slow requests%0Aget 504"
        "%0A--> gunicorn.conf.py:3:1: timeout = 60"
        "%0Afix: raise it, to 75%25"
    )
    assert (
        lines[1]
        == "Found 1 finding (1 warning). Checked 1 file against nginx 1.30 and gunicorn 27.0."
    )
    assert len(lines) == 2


def test_control_characters_never_reach_the_log(tmp_path: Path) -> None:
    """Line breaks in values stay GitHub's escapes; any other control character is shown as an
    escape (GitHub's escaping has none for it), and a legacy ``##[`` too: one line a finding."""
    diagnostic = Diagnostic(
        code="GW603",
        severity=Severity.ERROR,
        message='proxy_read_timeout "\x1b]0;T\x07\x9b2J\u2028" is not valid\n::error::forged',
        location=Location(path="conf.d/a\n::b\x1b.conf", line=3, column=5),
        related=(Related(Location("::x.conf", 1), "value \x1b[2J\r\x85"),),
        fix="write ##[error]x",
    )
    with chdir(tmp_path):
        lines = render(report(diagnostic)).splitlines()
    assert lines[0] == (
        "::error file=conf.d/a%0A%3A%3Ab\\x1b.conf,line=3,col=5,title=gwlint GW603::"
        'proxy_read_timeout "\\x1b]0;T\\x07\\x9b2J\\u2028" is not valid%0A::error::forged'
        "%0A--> ./::x.conf:1:1: value \\x1b[2J%0D\\x85"
        "%0Afix: write ##\\x5berror]x"
    )
    assert len(lines) == 2


def test_levels_and_unknown_column(tmp_path: Path) -> None:
    diagnostics = [
        Diagnostic("GW001", Severity.ERROR, "broken", Location("nginx.conf", 3)),
        Diagnostic("GW102", Severity.WARNING, "short", Location("uwsgi.ini", 8, 1)),
        Diagnostic("GW005", Severity.INFO, "unknown", Location("gunicorn.conf.py", 0, None)),
    ]
    with chdir(tmp_path):
        lines = render(report(*diagnostics)).splitlines()
    assert lines[:3] == [
        "::error file=nginx.conf,line=3,title=gwlint GW001::broken",
        "::warning file=uwsgi.ini,line=8,col=1,title=gwlint GW102::short",
        "::notice file=gunicorn.conf.py,line=1,title=gwlint GW005::unknown",
    ]


def test_a_real_path_with_comma_and_colon(tmp_path: Path) -> None:
    folder = tmp_path / "site,a:b"
    folder.mkdir()
    (folder / "nginx.conf").write_text(PROXY)
    (folder / "gunicorn.conf.py").write_text("bind = '127.0.0.1:8000'\n")
    run = gwlint("check", "site,a:b", "--format", "github", "--select", "GW401", cwd=tmp_path)
    assert run.code == 1
    assert run.out.startswith(
        "::error file=site%2Ca%3Ab/nginx.conf,line=1,col=30,title=gwlint GW401::"
        "proxy_pass 127.0.0.1:8001"
    )


def test_one_line_per_finding_then_the_summary() -> None:
    run = gwlint("check", "fixtures/demo", "--format", "github", cwd=ROOT)
    diagnostics = json.loads(gwlint("check", "fixtures/demo", "--format", "json", cwd=ROOT).out)[
        "diagnostics"
    ]
    lines = run.out.splitlines()
    assert len(lines) == len(diagnostics) + 1
    commands = {"error": "::error ", "warning": "::warning ", "info": "::notice "}
    for line, diagnostic in zip(lines[:-1], diagnostics, strict=True):
        assert line.startswith(commands[diagnostic["severity"]])
        assert f"file={diagnostic['path']},line={diagnostic['line']}," in line
        assert f",title=gwlint {diagnostic['code']}::" in line
        if diagnostic["fix"]:
            assert "%0Afix: " in line
    assert {"::error ", "::warning ", "::notice "} <= {
        line[: line.index(" ") + 1] for line in lines
    }
    assert lines[-1] == gwlint("check", "fixtures/demo", cwd=ROOT).out.splitlines()[-1]
    assert not lines[-1].startswith("::")


def test_paths_relative_to_the_current_folder(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(PROXY)
    (tmp_path / "gunicorn.conf.py").write_text("bind = '127.0.0.1:8000'\n")
    (tmp_path / "work").mkdir()
    run = gwlint("check", str(tmp_path), "--format", "github", "--select", "GW401", cwd=tmp_path)
    assert "file=nginx.conf," in run.out
    run = gwlint("check", "..", "--format", "github", "--select", "GW401", cwd=tmp_path / "work")
    outside = escape_property(os.path.abspath(tmp_path / "nginx.conf"))
    assert f"file={outside}," in run.out


@pytest.mark.parametrize("fmt", FORMATS)
def test_exit_codes_do_not_depend_on_the_format(tmp_path: Path, fmt: str) -> None:
    assert gwlint("check", "fixtures/demo", "--format", fmt, cwd=ROOT).code == 1
    assert gwlint("check", "fixtures/demo", "-f", fmt, "--exit-zero", cwd=ROOT).code == 0
    (tmp_path / "nginx.conf").write_text(PROXY.replace("8001", "8000"))
    (tmp_path / "gunicorn.conf.py").write_text(
        "bind = '127.0.0.1:8000'\ntimeout = 75\nworkers = 3\n"
    )
    assert gwlint("check", ".", "--format", fmt, cwd=tmp_path).code == 0
    (tmp_path / "nginx.conf").write_text("http {\n")
    assert gwlint("check", ".", "--format", fmt, cwd=tmp_path).code == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_file_for_every_format(tmp_path: Path, fmt: str) -> None:
    stdout = gwlint("check", "fixtures/demo", "--format", fmt, cwd=ROOT)
    target = tmp_path / f"report.{fmt}"
    run = gwlint("check", "fixtures/demo", "--format", fmt, "--output", str(target), cwd=ROOT)
    assert run.code == stdout.code == 1
    assert run.out == ""
    assert run.err == ""
    assert target.read_text(encoding="utf-8") == stdout.out


def test_output_to_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    run = gwlint("check", "fixtures/demo", "--output", str(tmp_path / "no" / "r.txt"), cwd=ROOT)
    assert run.code == 2
    assert run.err.startswith("gwlint: error: --output ")
    assert run.err.count("\n") == 1


def test_the_cli_offers_every_format() -> None:
    from gwlint.cli import ReportFormat

    assert tuple(ReportFormat) == FORMATS
    assert FORMATS == ("text", "json", "sarif", "github", "gitlab", "junit")
