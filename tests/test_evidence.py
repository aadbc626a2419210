"""Every claim a rule page makes about the servers carries its proof: a scenario of the lab
(docs/evidence.json, written by tests/e2e) whose observation matches the claim, or a source link.
docs/evidence.md is generated from both and kept fresh."""

from __future__ import annotations

import re

import pytest

from gwlint.reporters.docs import expected_evidence
from gwlint.reporters.evidence import load, observed_rules
from gwlint.rules import ALL_RULES
from gwlint.rules.base import Claim, Rule
from tests.conftest import ROOT

MIN_OBSERVED_RULES = 30
OBSERVATIONS = {o["id"]: o for o in load()["observations"]}


def test_evidence_page_is_fresh() -> None:
    page = ROOT / "docs" / "evidence.md"
    assert page.is_file()
    assert page.read_text() == expected_evidence(), (
        "docs/evidence.md is stale: run `python -m gwlint.reporters.docs`"
    )


def test_enough_rules_are_observed_on_real_servers() -> None:
    codes = observed_rules(ALL_RULES)
    assert len(codes) >= MIN_OBSERVED_RULES, codes


def _observed_claims() -> list[tuple[str, Claim]]:
    return [(r.code, c) for r in ALL_RULES for c in r.claims if c.observed]


@pytest.mark.parametrize(
    ("code", "claim"),
    _observed_claims(),
    ids=[f"{code}-{c.observed}-{i}" for i, (code, c) in enumerate(_observed_claims())],
)
def test_observed_claim_matches_the_lab(code: str, claim: Claim) -> None:
    """The claim's scenario ran and saw what the claim states: the status, and the log line in a
    log of the claimed server."""
    assert claim.observed in OBSERVATIONS, (
        f"{code}: scenario {claim.observed} is not in docs/evidence.json: run "
        "`python tests/e2e/write_evidence.py`"
    )
    seen = OBSERVATIONS[claim.observed]
    assert seen["code"] == code
    if claim.status is not None:
        assert seen["observed"].startswith(str(claim.status)), (claim, seen["observed"])
    if claim.log is not None:
        lines = [line for where, line in seen["logs"] if claim.where in where]
        assert any(claim.log in line for line in lines), (claim, seen["logs"])


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.code for r in ALL_RULES])
def test_a_page_says_observed_only_with_a_scenario(rule: Rule) -> None:
    """Prose that says a behaviour was observed needs a scenario of the lab behind it."""
    if re.search(r"\bobserved\b", rule.why, re.IGNORECASE):
        assert any(c.observed in OBSERVATIONS for c in rule.claims), (
            f"{rule.code}'s page says 'observed', but no claim of it is observed by the lab"
        )


def test_every_scenario_is_named_by_a_claim() -> None:
    named = {c.observed for r in ALL_RULES for c in r.claims if c.observed}
    assert set(OBSERVATIONS) <= named, sorted(set(OBSERVATIONS) - named)


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.code for r in ALL_RULES])
def test_rule_pages_link_their_evidence(rule: Rule) -> None:
    page = (ROOT / "docs" / "rules" / f"{rule.code}.md").read_text()
    link = f"[docs/evidence.md](../evidence.md#{rule.code.lower()})"
    assert (link in page) == any(c.observed for c in rule.claims), rule.code
    for claim in rule.claims:
        if claim.source:
            assert f"<{claim.source}>" in page
