"""A rule's docs (Why, Example, Fix, References, Claims) live in ``gwlint/rules/docs/``, apart from
the rule: ``gwlint check`` imports the rules, never their docs nor the causes of ``diagnose``.
Each case that imports runs in a fresh interpreter, which then lists the modules it imported.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import gwlint.rules.docs
from gwlint.rules import ALL_RULES, BY_CODE, DOCUMENTED, DOCUMENTED_BY_CODE
from gwlint.rules.base import DOCS_MODULES, Example, Rule, RuleDocs
from gwlint.rules.causes import CAUSES
from tests.conftest import ROOT

DEMO = ROOT / "fixtures" / "demo"
LAZY = ("gwlint.rules.docs", "gwlint.rules.causes", "textwrap")


def modules_after(code: str, cwd: Path = ROOT) -> set[str]:
    """The modules a fresh interpreter has imported once it ran ``code``."""
    probe = (
        f"{code}\nimport json, sys\nsys.__stdout__.write('\\n' + json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def loaded(modules: set[str], name: str) -> bool:
    return any(m == name or m.startswith(f"{name}.") for m in modules)


def test_importing_the_rules_loads_no_docs() -> None:
    modules = modules_after("import gwlint.rules")
    assert "gwlint.rules.protocol" in modules  # the rules are loaded...
    assert [name for name in LAZY if loaded(modules, name)] == []  # ...not their docs


def test_check_loads_no_docs() -> None:
    code = (
        "from gwlint.cli import main\n"
        "try:\n"
        "    main(['check', '--isolated', 'nginx.conf', 'gunicorn.conf.py', '--quiet'])\n"
        "except SystemExit:\n"
        "    pass"
    )
    modules = modules_after(code, cwd=DEMO)
    assert "gwlint.engine" in modules  # it did check
    assert not loaded(modules, "gwlint.rules.docs")
    assert not loaded(modules, "gwlint.rules.causes")


def test_a_rule_s_docs_load_its_family_only() -> None:
    modules = modules_after("from gwlint.rules import BY_CODE\nBY_CODE['GW201'].why")
    docs = {m for m in modules if m.startswith("gwlint.rules.docs.")}
    assert docs == {"gwlint.rules.docs.keepalive"}


def test_every_family_has_a_docs_module_and_nothing_else_is_there() -> None:
    found = {m.name for m in pkgutil.iter_modules(gwlint.rules.docs.__path__)}
    assert found == set(DOCS_MODULES.values())


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.code for r in ALL_RULES])
def test_every_rule_has_its_docs(rule: Rule) -> None:
    docs = rule.docs
    assert isinstance(docs, RuleDocs)
    assert docs.why.strip()
    assert isinstance(docs.example, Example)
    assert docs.example.files
    assert isinstance(docs.fix, Example)
    assert docs.fix.files
    assert docs.references
    assert (rule.why, rule.example, rule.fix) == (docs.why, docs.example, docs.fix)
    assert (rule.references, rule.claims) == (docs.references, docs.claims)


def test_no_docs_without_a_rule() -> None:
    """A code in a docs module names a rule of that family (no orphan, no typo)."""
    from importlib import import_module

    documented = []
    for digit, module in DOCS_MODULES.items():
        for code in import_module(f"gwlint.rules.docs.{module}").DOCS:
            assert code[2] == digit, f"{code} is documented in {module}"
            documented.append(code)
    assert sorted(documented) == sorted(BY_CODE)


def test_documented_is_the_rules_then_the_causes() -> None:
    assert list(DOCUMENTED) == [*ALL_RULES, *CAUSES]
    assert dict(DOCUMENTED_BY_CODE) == {rule.code: rule for rule in DOCUMENTED}
    assert all(cause.docs.why.strip() for cause in CAUSES)


def test_an_unknown_attribute_is_still_an_error() -> None:
    name = "NOT_THERE"
    with pytest.raises(AttributeError, match=name):
        getattr(gwlint.rules, name)
