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


def test_fit_shortens_a_long_message_without_losing_a_fact() -> None:
    """Paths and hedges long enough to push a message over the limit: the finding's own file
    becomes "line N", a hedge moves to a related line, other files go by their name."""
    from gwlint.filtering import MESSAGE_LIMIT, fit
    from gwlint.model.diagnostics import Location, Related

    own = "tools/ansible/roles/dockerfile/files/uwsgi.ini"
    other = "examples/nginx/proxy/settings/proxy.conf"
    message = (
        f"max-requests = 1000 (processes, {own}:3) races proxy_read_timeout 90 ({other}:9) "
        "and workers = 1 (gunicorn 21.2 default, unless .env.prod (not in the repository) may "
        "set GUNICORN_CMD_ARGS): a long explanation of the consequence that follows here"
    )
    assert len(message) > MESSAGE_LIMIT
    related = (Related(Location(other, 9), "proxy_read_timeout 90"),)
    short, moved = fit(message, Location(own, 10), related)
    assert len(short) <= MESSAGE_LIMIT
    assert "(processes, line 3)" in short
    assert "(proxy.conf:9)" in short
    assert "unless" not in short
    assert moved[0].location == Location(own, 10)
    assert moved[0].message.endswith(
        "unless .env.prod (not in the repository) may set GUNICORN_CMD_ARGS"
    )
    assert moved[1:] == related
    # a message within the limit is left as it is
    assert fit("short", Location(own, 1), related) == ("short", related)
