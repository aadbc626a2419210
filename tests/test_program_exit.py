"""The ``gwlint`` program exits without the interpreter's teardown (``cli.run``), once its
output is flushed: what it writes and its exit status are those of ``cli.main``."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

from tests.conftest import ROOT, gwlint

DEMO = ROOT / "fixtures" / "demo"


def program(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gwlint", *args],
        cwd=DEMO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_console_script_and_python_m_run_the_program() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["gwlint"] == "gwlint.cli:run"
    assert "run()" in (ROOT / "gwlint" / "__main__.py").read_text()


def test_the_program_writes_what_main_writes_and_exits_with_its_status() -> None:
    for args in (["check", "--format", "json"], ["check"], ["check", "--select", "GW999"]):
        done, expected = program(*args), gwlint(*args, cwd=DEMO)
        assert done.returncode == expected.code, done.stderr
        assert done.stdout == expected.out
        assert done.stderr == expected.err
    report = json.loads(program("check", "--format", "json").stdout)  # written to its end
    assert report["diagnostics"]


def test_a_closed_pipe_is_no_traceback() -> None:
    shell = f"{sys.executable} -m gwlint check --format json | head -c 1"
    done = subprocess.run(shell, shell=True, cwd=DEMO, capture_output=True, text=True, timeout=120)
    assert done.stdout == "{"
    assert "Traceback" not in done.stderr
