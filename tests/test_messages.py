"""A finding's message is one line a person reads in a terminal: what is wrong, both values with
their sources, and the consequence, in at most 200 characters. The fix and the other side's
places are separate fields; the longer explanation is the rule's page (``gwlint rule CODE``)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import gwlint

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LIMIT = 200
FINDING = re.compile(r"^\S+:\d+:(?:\d+:)? (?P<code>GW\d{3}) \[\w+\] (?P<message>.*)$")


def _fixture_messages() -> dict[str, list[tuple[str, str]]]:
    """code -> (fixture case, message) of every expected finding of fixtures/."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for expected in sorted(FIXTURES.glob("*/*/expected.txt")):
        case = f"{expected.parent.parent.name}/{expected.parent.name}"
        for line in expected.read_text().splitlines():
            match = FINDING.match(line)
            if match:
                found[match["code"]].append((case, match["message"]))
    return found


MESSAGES = _fixture_messages()


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_fixture_messages_are_short(code: str) -> None:
    long = [(case, len(m), m) for case, m in MESSAGES[code] if len(m) > LIMIT]
    assert not long, f"{len(long)} {code} messages over {LIMIT} characters: {long[:3]}"


def test_demo_messages_are_short_and_fixes_separate() -> None:
    document = json.loads(gwlint("check", "--format", "json", cwd=FIXTURES / "demo").out)
    diagnostics = document["diagnostics"]
    assert diagnostics
    for d in diagnostics:
        assert len(d["message"]) <= LIMIT, d
        assert "\n" not in d["message"], d
        if d.get("fix"):
            assert d["fix"] not in d["message"], d
