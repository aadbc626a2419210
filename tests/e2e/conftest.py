"""Fixtures of the end-to-end lab: the servers' binaries, a lab per test that stops every process
it started (also when the test fails), the evidence the scenarios collect, and the keep-alive race
(GW201), which runs for ~25 s in the background while the other scenarios run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.evidence import Evidence
from tests.e2e.harness import Lab, Tools, find_tools
from tests.e2e.race import KeepaliveRace


@pytest.fixture(scope="session")
def tools() -> Tools:
    return find_tools()


@pytest.fixture
def lab(tmp_path: Path, tools: Tools) -> Iterator[Lab]:
    lab = Lab(tmp_path, tools)
    try:
        yield lab
    finally:
        lab.close()


@pytest.fixture(scope="session")
def evidence(request: pytest.FixtureRequest, tools: Tools) -> Iterator[Evidence]:
    collected = Evidence(tools)
    yield collected
    if os.environ.get("GWLINT_WRITE_EVIDENCE") != "1":
        return
    from gwlint.reporters.docs import expected_evidence
    from gwlint.reporters.evidence import DATA
    from gwlint.rules import ALL_RULES

    claimed = {c.observed for rule in ALL_RULES for c in rule.claims if c.observed}
    missing = sorted(claimed - collected.ids())
    extra = sorted(collected.ids() - claimed)
    failed = request.session.testsfailed
    if failed or missing or extra:
        print(
            f"\ndocs/evidence.json not written: {failed} failed; not observed: {missing}; "
            f"observed but named by no rule's claims: {extra}"
        )
        return
    collected.write(DATA)
    page = DATA.with_name("evidence.md")
    page.write_text(expected_evidence())
    print(f"\nwrote {DATA} and {page}")


@pytest.fixture(scope="session")
def keepalive_race(
    tools: Tools, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[KeepaliveRace]:
    race = KeepaliveRace(Lab(tmp_path_factory.mktemp("gw201"), tools))
    try:
        race.start()
        yield race
    finally:
        race.close()


@pytest.fixture(scope="session", autouse=True)
def _start_the_race_early(request: pytest.FixtureRequest) -> None:
    """Start the keep-alive race with the first e2e test when its test is selected, so its
    ~25 s overlap the other scenarios."""
    if any("keepalive_race" in getattr(item, "fixturenames", ()) for item in request.session.items):
        request.getfixturevalue("keepalive_race")
