"""How a rule is declared: its code, title, default severity, family and check function; and
its docs (Why, Example, Fix, References, Claims), which ``gwlint/rules/docs/`` declares apart.

A rule's check yields ``Finding``s (where, what, the other side, the fix); the engine stamps the
rule's code and severity on them. Input problems (GW0xx) have no check: loaders report them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from gwlint.model.diagnostics import Finding, Severity

if TYPE_CHECKING:
    from gwlint.model.deployment import Deployment

Check = Callable[["Deployment"], Iterable[Finding]]

FAMILIES = {
    "0": "input",
    "1": "timeouts",
    "2": "keep-alive",
    "3": "workers",
    "4": "protocol",
    "5": "limits",
    "6": "nginx",
    "7": "app",
}
# the module of gwlint/rules/docs/ that holds a family's docs
DOCS_MODULES = {digit: family.replace("-", "") for digit, family in FAMILIES.items()}


class Example(NamedTuple):
    """Config files (name -> content) and the command-line facts they are checked with."""

    files: tuple[tuple[str, str], ...]
    args: tuple[str, ...] = ()


# log lines several rules claim, as nginx writes them (ngx_http_upstream.c)
PREMATURELY = "upstream prematurely closed connection while reading response header from upstream"


class Claim(NamedTuple):
    """One thing a rule's page says a server does, with what proves it.

    At least one of ``status`` (what the client gets), ``log`` (a line, or the fixed part of one,
    as a server writes it) and ``outcome`` (what happens otherwise: "gunicorn exits 2"). The proof
    is exactly one of ``observed`` (the id of the end-to-end scenario that saw it, an entry of
    docs/evidence.json) and ``source`` (a link to the line of the server's source or docs).
    """

    status: int | None = None
    log: str | None = None
    where: str = ""  # whose log or behaviour: "nginx error.log", "gunicorn", "uWSGI", "client"
    outcome: str | None = None
    observed: str | None = None
    source: str | None = None


def _checked(claim: Claim) -> Claim:
    """``claim``, if it says what a claim must (``observed`` and ``from_source`` make them)."""
    if claim.status is None and claim.log is None and claim.outcome is None:
        raise ValueError("a claim states a status, a log line or an outcome")
    if (claim.observed is None) == (claim.source is None):
        raise ValueError("a claim is either observed (a scenario id) or from a source (a link)")
    if claim.source is not None and not claim.source.startswith("https://"):
        raise ValueError(f"a claim's source is a link: {claim.source!r}")
    if claim.log is not None and not claim.where:
        raise ValueError(f"say whose log has {claim.log!r}")
    return claim


def observed(
    scenario: str,
    *,
    status: int | None = None,
    log: str | None = None,
    where: str = "",
    outcome: str | None = None,
) -> Claim:
    """A claim the end-to-end scenario ``scenario`` (tests/e2e) checks on real servers."""
    return _checked(Claim(status=status, log=log, where=where, outcome=outcome, observed=scenario))


def from_source(
    link: str,
    *,
    status: int | None = None,
    log: str | None = None,
    where: str = "",
    outcome: str | None = None,
) -> Claim:
    """A claim read in the server's source or documentation, at ``link`` (file and line)."""
    return _checked(Claim(status=status, log=log, where=where, outcome=outcome, source=link))


class RuleDocs(NamedTuple):
    """What a rule's page says, kept apart from the rule (``gwlint/rules/docs/``): ``check``
    never reads it, so it is built only when a page, SARIF's help or a test asks for it."""

    why: str  # Markdown: the failure, status code and log lines on each side
    example: Example
    fix: Example
    references: tuple[str, ...]
    claims: tuple[Claim, ...] = ()


@dataclass(frozen=True)  # a dataclass: diagnose's CauseCode extends it
class Rule:
    """A rule: what ``check`` needs (code, severity, check function). Its docs (``why``,
    ``example``, ``fix``, ``references``, ``claims``) are read on first use from
    ``gwlint.rules.docs.<family>``, keyed by code."""

    code: str
    name: str  # kebab-case slug
    title: str
    severity: Severity
    check: Check | None = field(default=None, compare=False)

    @property
    def family(self) -> str:
        return FAMILIES[self.code[2]]

    @property
    def docs(self) -> RuleDocs:
        from importlib import import_module

        module = import_module(f"gwlint.rules.docs.{DOCS_MODULES[self.code[2]]}")
        found: RuleDocs = module.DOCS[self.code]
        return found

    @property
    def why(self) -> str:
        return self.docs.why

    @property
    def example(self) -> Example:
        return self.docs.example

    @property
    def fix(self) -> Example:
        return self.docs.fix

    @property
    def references(self) -> tuple[str, ...]:
        return self.docs.references

    @property
    def claims(self) -> tuple[Claim, ...]:
        return self.docs.claims


def rule(*, code: str, name: str, title: str, severity: Severity) -> Callable[[Check], Rule]:
    """Declare a rule next to its check function; the module-level name becomes the ``Rule``.
    Its docs are declared in ``gwlint/rules/docs/<family>.py`` (``rule_docs``)."""

    def wrap(check: Check) -> Rule:
        return Rule(code=code, name=name, title=title, severity=severity, check=check)

    return wrap


def rule_docs(
    *,
    why: str,
    example: Example,
    fix: Example,
    references: Iterable[str],
    claims: Iterable[Claim] = (),
) -> RuleDocs:
    """A rule's docs, as ``gwlint/rules/docs/<family>.py`` declares them (``why`` stripped)."""
    return RuleDocs(
        why=why.strip(),
        example=example,
        fix=fix,
        references=tuple(references),
        claims=tuple(claims),
    )


def ex(*files: tuple[str, str], args: tuple[str, ...] = ()) -> Example:
    return Example(files=tuple((name, _dedent(text)) for name, text in files), args=args)


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).lstrip("\n")
