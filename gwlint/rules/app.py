"""GW7xx: app-side config hygiene."""

from __future__ import annotations

RULES: tuple[()] = ()
