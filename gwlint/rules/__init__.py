"""Every rule, in code order. Families are listed here explicitly, one module each."""

from __future__ import annotations

from gwlint.rules import app, input, keepalive, limits, nginx, protocol, timeouts, workers
from gwlint.rules.base import Rule
from gwlint.rules.causes import CAUSES

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

# every code with a page: the rules ``check`` runs, then the causes ``gwlint diagnose`` finds in
# logs that no rule explains (GW9xx: never reported by ``check``, not selectable there)
DOCUMENTED: tuple[Rule, ...] = (*ALL_RULES, *CAUSES)
DOCUMENTED_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in DOCUMENTED}


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
