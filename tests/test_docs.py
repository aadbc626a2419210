"""Rule docs are generated from the rules' metadata; every example fires, every fix is quiet."""

from __future__ import annotations

import re

import pytest

from gwlint.reporters.docs import check_example, expected_pages, render_readme_table
from gwlint.rules import ALL_RULES
from gwlint.rules.base import Rule
from tests.conftest import ROOT


def test_rule_pages_are_fresh() -> None:
    folder = ROOT / "docs" / "rules"
    pages = expected_pages()
    stale = [
        name
        for name, text in pages.items()
        if not (folder / name).is_file() or (folder / name).read_text() != text
    ]
    extra = [p.name for p in folder.glob("*.md") if p.name not in pages]
    assert stale + extra == [], "docs/rules is stale: run `python -m gwlint.reporters.docs`"


def test_readme_rule_table_is_fresh() -> None:
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"<!-- rules-table:start -->\n(.*?)<!-- rules-table:end -->", readme, re.S)
    assert found, "README.md has no rules table markers"
    assert found.group(1) == render_readme_table(ALL_RULES), (
        "README rule table is stale: run `python -m gwlint.reporters.docs`"
    )


def _codes(rule: Rule, fix: bool) -> list[str]:
    report = check_example(rule.fix if fix else rule.example, rule.code)
    return [d.code for d in report.diagnostics]


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.code for r in ALL_RULES])
def test_example_fires_and_fix_is_quiet(rule: Rule) -> None:
    assert rule.code in _codes(rule, fix=False), f"{rule.code}: its Example does not fire it"
    assert _codes(rule, fix=True) == [], f"{rule.code}: its Fix still fires it"


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.code for r in ALL_RULES])
def test_rule_metadata(rule: Rule) -> None:
    assert re.fullmatch(r"GW\d{3}", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.title
    assert rule.why
    assert rule.references
    assert all(ref.startswith("https://") for ref in rule.references)
