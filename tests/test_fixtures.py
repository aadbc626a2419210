"""One generated test per fixture case.

``fixtures/<CODE>/<case>/`` holds config files, an optional ``args`` file (extra command-line
flags, one per line) and ``expected.txt``: what ``gwlint check <files> --select <CODE>`` prints,
without the summary line (empty: the rule must stay quiet). An ``args`` that names the folder
(``.``) checks the case as a repository, the way ``gwlint check`` discovers one: its files are
not named (folders, templates, Dockerfiles, manifests and backup files are found, or not, as in
a real checkout). ``fixtures/scenarios/<case>/`` runs every rule and snapshots the whole text
output. ``pytest --update-fixtures`` rewrites them.

The causes of ``gwlint diagnose`` (``fixtures/GW9xx/<case>/``) hold log files (and configs, if
any) instead: ``expected.txt`` is what ``gwlint diagnose <files> --isolated --tz UTC`` prints for
that code (its blocks, without the other causes and the summary line; empty: not that cause).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gwlint.config import CONFIG_NAMES
from tests.conftest import FIXTURES, gwlint

META = {"expected.txt", "args", "README.md"}
# fixtures/diagnose/ holds the lab's real logs, run by tests/test_diagnose_lab.py
CASES = sorted(
    p for p in FIXTURES.glob("*/*") if p.is_dir() and p.parent.name not in ("demo", "diagnose")
)


def _is_cause(case: Path) -> bool:
    """A case of a cause ``gwlint diagnose`` finds in logs (GW9xx), not of a rule of check."""
    return case.parent.name.startswith("GW9")


def _diagnose_command(case: Path) -> list[str]:
    args_file = case / "args"
    extra = args_file.read_text().split() if args_file.is_file() else []
    files = sorted(p.name for p in case.iterdir() if p.is_file() and p.name not in META)
    return ["diagnose", *files, "--isolated", "--tz", "UTC", *extra]


def _cause_blocks(run_out: str, code: str) -> str:
    """The blocks of ``code`` in diagnose's text output (a block a cause, blank-line
    separated; the last is the summary line)."""
    blocks = run_out.rstrip("\n").split("\n\n")[:-1]
    kept = [block for block in blocks if block.startswith(f"{code} ")]
    return "\n\n".join(kept) + "\n" if kept else ""


def _test_cause(case: Path, update: bool) -> None:
    code = case.parent.name
    command = _diagnose_command(case)
    run = gwlint(*command, cwd=case)
    assert run.code in (0, 1), run.err
    assert run.err == ""
    actual = _cause_blocks(run.out, code)
    expected_file = case / "expected.txt"
    if update:
        expected_file.write_text(actual)
    assert expected_file.is_file(), f"{expected_file} is missing (run pytest --update-fixtures)"
    assert actual == expected_file.read_text()
    # the JSON output agrees with the text output, cause for cause
    document = json.loads(gwlint(*command, "--format", "json", cwd=case).out)
    heads = [line for line in actual.split("\n") if line and not line.startswith("  ")]
    assert [
        f"{c['code']} [{c['severity']}] {c['count']} × {c['status']}: {c['message']}"
        for c in document["causes"]
        if c["code"] == code
    ] == heads


def _command(case: Path) -> list[str]:
    args_file = case / "args"
    extra = args_file.read_text().split() if args_file.is_file() else []
    files = sorted(p.name for p in case.iterdir() if p.is_file() and p.name not in META)
    if "." in extra:
        files = []  # the case is a repository, discovered
    select = [] if case.parent.name == "scenarios" else ["--select", case.parent.name]
    # no configuration file from the folders above the checkout changes the results; a case
    # with its own (GW009) has it found, as in a checkout
    own = any((case / name).is_file() for name in CONFIG_NAMES)
    isolated = [] if "--config" in extra or own else ["--isolated"]
    return ["check", *files, *select, *isolated, *extra]


def _expected_text(run_out: str, scenario: bool) -> str:
    if scenario:
        return run_out
    lines = run_out.rstrip("\n").split("\n")
    return "\n".join(lines[:-2]) + "\n" if len(lines) > 1 else ""


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_fixture(case: Path, request: pytest.FixtureRequest) -> None:
    if _is_cause(case):
        _test_cause(case, bool(request.config.getoption("--update-fixtures")))
        return
    scenario = case.parent.name == "scenarios"
    run = gwlint(*_command(case), cwd=case)
    assert run.code in (0, 1), run.err
    assert run.err == ""
    actual = _expected_text(run.out, scenario)
    expected_file = case / "expected.txt"
    if request.config.getoption("--update-fixtures"):
        expected_file.write_text(actual)
    assert expected_file.is_file(), f"{expected_file} is missing (run pytest --update-fixtures)"
    assert actual == expected_file.read_text()
    # the JSON output agrees with the text output, finding for finding
    as_json = json.loads(gwlint(*_command(case), "--format", "json", cwd=case).out)
    heads = [line for line in actual.split("\n") if line and not line.startswith("  ")]
    if scenario:
        heads = heads[:-1]
    # text lists each file's errors first (then warnings, info); JSON keeps path/line order
    diagnostics = as_json["diagnostics"]
    files = list(dict.fromkeys(d["path"] for d in diagnostics))
    rank = {"error": 0, "warning": 1, "info": 2}
    in_text_order = sorted(diagnostics, key=lambda d: (files.index(d["path"]), rank[d["severity"]]))
    assert [
        f"{d['path']}:{d['line']}:{d['column'] or 1}: {d['code']} [{d['severity']}] {d['message']}"
        for d in in_text_order
    ] == heads


def test_every_rule_fires_and_stays_quiet() -> None:
    """Every code with a page: the rules of check, and the causes of diagnose (GW9xx)."""
    from gwlint.rules import DOCUMENTED

    for rule in DOCUMENTED:
        folder = FIXTURES / rule.code
        cases = [c for c in folder.iterdir() if c.is_dir()] if folder.is_dir() else []
        fires = [c for c in cases if rule.code in (c / "expected.txt").read_text()]
        quiet = [c for c in cases if (c / "expected.txt").read_text() == ""]
        assert fires, f"{rule.code}: no fixture case where it fires"
        assert quiet, f"{rule.code}: no fixture case where it stays quiet"
