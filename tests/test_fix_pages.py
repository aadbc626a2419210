"""The rule pages' **Automatic fix** lines (gwlint/rules/fixes.py) agree with the fixtures: a rule
listed has a fixture case with an edit of each safety it states, and every edit a fixture case
shows is of a listed rule, with a safety the line states."""

from __future__ import annotations

import json
from collections import defaultdict

from gwlint.rules import BY_CODE
from gwlint.rules.fixes import EITHER, FIXES, SAFE, UNSAFE
from tests.conftest import gwlint
from tests.test_fix_roundtrip import CASES, every_rule


def _observed() -> dict[str, set[str]]:
    seen: dict[str, set[str]] = defaultdict(set)
    for case in CASES:
        run = gwlint(*every_rule(case), "--format", "json", cwd=case)
        for diagnostic in json.loads(run.out)["diagnostics"]:
            if diagnostic["edits"]:
                seen[diagnostic["code"]].add(diagnostic["fix_safety"])
    return seen


def test_the_automatic_fix_lines_agree_with_the_fixtures() -> None:
    seen = _observed()
    stated = {SAFE: {"safe"}, UNSAFE: {"unsafe"}, EITHER: {"safe", "unsafe"}}
    for code, (safety, what) in FIXES.items():
        assert code in BY_CODE, code
        assert what, code
        assert not what.endswith("."), code
        assert seen.get(code) == stated[safety], (code, safety, seen.get(code))
    for code in seen:
        assert code in FIXES, f"{code} gives edits; say what they do in gwlint/rules/fixes.py"
