"""``--fix --unsafe-fixes`` over every fixture case, on a copy (issue 17's round trip).

For each case: the findings of every rule before; ``--fix --unsafe-fixes``; the findings after.
- none of the fixed findings remains, and no new one appears (per code, what remains is at most
  what was there less what was fixed);
- the files no edit names are byte-identical, and so is the rest of the folder;
- a second ``--fix --unsafe-fixes`` changes nothing;
- a fixed nginx config is accepted by ``nginx -t`` whenever the original was (and when both are
  refused, for the same reason): tests/test_fix_nginx_binary.py does that part, with the binary.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, gwlint
from tests.test_fixtures import _command, _is_cause

CASES = sorted(
    p for p in FIXTURES.glob("*/*") if p.is_dir() and p.parent.name not in ("demo", "diagnose")
)
CASES = [case for case in CASES if not _is_cause(case)]


def every_rule(case: Path) -> list[str]:
    """The case's command without its ``--select`` (every rule runs: a fix must not bring
    another rule's finding)."""
    command = _command(case)
    if "--select" in command:
        at = command.index("--select")
        del command[at : at + 2]
    return command


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def findings(folder: Path, command: list[str]) -> list[dict[str, Any]]:
    run = gwlint(*command, "--format", "json", cwd=folder)
    assert run.code in (0, 1), run.err
    found: list[dict[str, Any]] = json.loads(run.out)["diagnostics"]
    return found


def fixed_copy(case: Path, tmp_path: Path) -> tuple[Path, list[str], list[dict[str, Any]]]:
    """The case copied, fixed with --fix --unsafe-fixes: (folder, command, findings before)."""
    folder = tmp_path / case.name
    shutil.copytree(case, folder, symlinks=True)
    command = every_rule(folder)
    before = findings(folder, command)
    run = gwlint(*command, "--fix", "--unsafe-fixes", cwd=folder)
    assert run.code in (0, 1), run.err
    return folder, command, before


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_fix_round_trip(case: Path, tmp_path: Path) -> None:
    folder = tmp_path / case.name
    shutil.copytree(case, folder, symlinks=True)
    command = every_rule(folder)
    before = findings(folder, command)
    original = snapshot(folder)
    fixable = [d for d in before if d["edits"]]
    run = gwlint(*command, "--fix", "--unsafe-fixes", "--format", "json", cwd=folder)
    assert run.code in (0, 1), run.err
    done = json.loads(run.out)
    # what the fixing run reports remaining is what a new run finds
    after = findings(folder, command)
    assert [(d["code"], d["path"], d["line"], d["message"]) for d in done["diagnostics"]] == [
        (d["code"], d["path"], d["line"], d["message"]) for d in after
    ]
    fixed_files = snapshot(folder)
    edited = {
        str((folder / edit["path"]).resolve().relative_to(folder.resolve()))
        for d in fixable
        for edit in d["edits"]
        if (folder / edit["path"]).resolve().is_relative_to(folder.resolve())
    }
    # untouched files are byte-identical; nothing appears or disappears
    assert set(fixed_files) == set(original)
    for name, data in original.items():
        if name not in edited:
            assert fixed_files[name] == data, f"{name} changed, though no edit names it"
    if not fixable:
        assert fixed_files == original
        return
    # a fix is applied (its finding is gone), or said to be withheld because it would bring
    # another finding; and no new finding came
    withheld = [
        d
        for d in done["diagnostics"]
        if (d["not_fixable"] or "").startswith("applying it would bring")
    ]
    remaining = Counter(d["code"] for d in after)
    allowed = Counter(d["code"] for d in before)
    allowed.subtract(Counter(d["code"] for d in fixable))
    allowed.update(Counter(d["code"] for d in withheld))
    for code, count in remaining.items():
        assert count <= max(allowed[code], 0), (
            f"{code}: {count} after --fix, {allowed[code]} expected at most\n"
            + "\n".join(f"{d['path']}:{d['line']}: {d['code']} {d['message']}" for d in after)
        )
    # stable: a second run changes nothing
    again = gwlint(*command, "--fix", "--unsafe-fixes", cwd=folder)
    assert again.code in (0, 1), again.err
    assert snapshot(folder) == fixed_files


def test_some_fixture_cases_are_fixed() -> None:
    """The round trip above is not vacuous: the rules that promise edits give them."""
    fixable: Counter[str] = Counter()
    for case in CASES:
        if case.parent.name == "scenarios":
            continue
        as_json = gwlint(*_command(case), "--format", "json", cwd=case)
        for diagnostic in json.loads(as_json.out)["diagnostics"]:
            if diagnostic["edits"]:
                fixable[diagnostic["code"]] += 1
    for code in ("GW101", "GW102", "GW110", "GW201", "GW501", "GW505", "GW506"):
        assert fixable[code] > 0, f"{code}: no fixture case with an edit ({dict(fixable)})"
