"""Every rule, in code order. Families are listed here explicitly, one module each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gwlint.rules import app, input, keepalive, limits, nginx, protocol, timeouts, workers
from gwlint.rules.base import Rule

ALL_RULES: tuple[Rule, ...] = tuple(
    sorted(
        (
            *input.RULES,
            *timeouts.RULES,
            *keepalive.RULES,
            *workers.RULES,
            *protocol.RULES,
            *limits.RULES,
            *nginx.RULES,
            *app.RULES,
        ),
        key=lambda rule: rule.code,
    )
)

BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}

if TYPE_CHECKING:
    # every code with a page: the rules ``check`` runs, then the causes ``gwlint diagnose`` finds
    # in logs that no rule explains (GW9xx: never reported by ``check``, not selectable there).
    # Built on first use (``__getattr__``): ``check`` never imports the causes.
    DOCUMENTED: tuple[Rule, ...]
    DOCUMENTED_BY_CODE: dict[str, Rule]


def __getattr__(name: str) -> object:
    if name not in ("DOCUMENTED", "DOCUMENTED_BY_CODE"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from gwlint.rules.causes import CAUSES

    documented: tuple[Rule, ...] = (*ALL_RULES, *CAUSES)
    globals().update(
        DOCUMENTED=documented, DOCUMENTED_BY_CODE={rule.code: rule for rule in documented}
    )
    return globals()[name]


def select(selectors: list[str] | None, ignores: list[str]) -> set[str]:
    """Codes enabled by ``--select``/``--ignore`` (codes or prefixes such as ``GW1``).

    Raises ValueError naming a selector that matches no rule.
    """
    for selector in [*(selectors or []), *ignores]:
        if not any(code.startswith(selector.upper()) for code in BY_CODE):
            raise ValueError(f"unknown rule selector {selector!r} (see `gwlint rules`)")
    chosen = {
        code
        for code in BY_CODE
        if selectors is None or any(code.startswith(s.upper()) for s in selectors)
    }
    return {code for code in chosen if not any(code.startswith(s.upper()) for s in ignores)}
