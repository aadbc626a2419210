"""docs/evidence.md, written by the end-to-end suite, is there and agrees with the rule pages."""

from __future__ import annotations

import re

from gwlint.reporters.docs import EVIDENCE_RULES
from gwlint.rules import ALL_RULES
from tests.conftest import ROOT

PAGE = ROOT / "docs" / "evidence.md"


def _summary() -> list[list[str]]:
    """The rows of the page's Summary table: rule, scenario, nginx, predicted, observed, fixed."""
    text = PAGE.read_text()
    section = text.partition("\n## Summary\n")[2].partition("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| [GW")]
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]


def test_evidence_page_lists_observed_statuses() -> None:
    assert PAGE.is_file(), "docs/evidence.md is missing: run `python tests/e2e/write_evidence.py`"
    with_status = set()
    for rule, _scenario, _nginx, predicted, observed, _fixed in _summary():
        code = re.fullmatch(r"\[(GW\d{3})\]\(#gw\d{3}\)", rule)
        assert code, rule
        status = re.match(r"([1-5]\d\d)\b", observed)
        if status:
            with_status.add(code.group(1))
            assert predicted.startswith(status.group(1)), (rule, predicted, observed)
    assert len(with_status) >= 10, sorted(with_status)


def test_evidence_rules_match_the_page() -> None:
    text = PAGE.read_text()
    anchors = set(re.findall(r'<a id="(gw\d{3})"></a>', text))
    summary = {re.search(r"GW\d{3}", row[0]).group(0) for row in _summary()}  # type: ignore[union-attr]
    assert {code.lower() for code in EVIDENCE_RULES} == anchors
    assert set(EVIDENCE_RULES) == summary
    assert list(EVIDENCE_RULES) == sorted(EVIDENCE_RULES)
    assert set(EVIDENCE_RULES) <= {rule.code for rule in ALL_RULES}


def test_rule_pages_link_their_evidence() -> None:
    for rule in ALL_RULES:
        page = (ROOT / "docs" / "rules" / f"{rule.code}.md").read_text()
        link = f"[docs/evidence.md](../evidence.md#{rule.code.lower()})"
        assert (link in page) == (rule.code in EVIDENCE_RULES), rule.code
