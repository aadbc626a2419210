"""How a rule is declared: its code, title, default severity, family, docs and check function.

A rule's check yields ``Finding``s (where, what, the other side, the fix); the engine stamps the
rule's code and severity on them. Input problems (GW0xx) have no check: loaders report them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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


@dataclass(frozen=True)
class Example:
    """Config files (name -> content) and the command-line facts they are checked with."""

    files: tuple[tuple[str, str], ...]
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    code: str
    name: str  # kebab-case slug
    title: str
    severity: Severity
    why: str  # Markdown: the failure, status code and log lines on each side
    example: Example
    fix: Example
    references: tuple[str, ...]
    check: Check | None = field(default=None, compare=False)

    @property
    def family(self) -> str:
        return FAMILIES[self.code[2]]


def rule(
    *,
    code: str,
    name: str,
    title: str,
    severity: Severity,
    why: str,
    example: Example,
    fix: Example,
    references: Iterable[str],
) -> Callable[[Check], Rule]:
    """Declare a rule next to its check function; the module-level name becomes the ``Rule``."""

    def wrap(check: Check) -> Rule:
        return Rule(
            code=code,
            name=name,
            title=title,
            severity=severity,
            why=why.strip(),
            example=example,
            fix=fix,
            references=tuple(references),
            check=check,
        )

    return wrap


def ex(*files: tuple[str, str], args: tuple[str, ...] = ()) -> Example:
    return Example(files=tuple((name, _dedent(text)) for name, text in files), args=args)


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).lstrip("\n")
