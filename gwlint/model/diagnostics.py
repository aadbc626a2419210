"""What rules and loaders report, and what the engine turns it into.

Frozen dataclasses and named tuples, not pydantic: rule modules import these at module level,
and listing rules or printing help must stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from gwlint.fixes.plan import Plan
    from gwlint.model.source import Source


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class Location(NamedTuple):
    path: str
    line: int
    column: int | None = None

    @classmethod
    def of(cls, source: Source, fallback_path: str | None = None) -> Location | None:
        """The place a value was written; for a default, line 1 of ``fallback_path``."""
        if source.path is not None and source.line is not None:
            return cls(path=source.path, line=source.line, column=source.column)
        if fallback_path is not None:
            return cls(path=fallback_path, line=1, column=None)
        return None


class Related(NamedTuple):
    location: Location
    message: str


class Edit(NamedTuple):
    """Replace the text from ``start`` to ``end`` (lines 1-based, columns 1-based in characters,
    ``end`` exclusive) of ``path`` by ``replacement``; ``start == end`` inserts."""

    path: str
    start_line: int
    start_column: int
    end_line: int
    end_column: int
    replacement: str


class Fix(NamedTuple):
    """A finding's fix as edits of files. ``safe``: ``--fix`` applies it; else only
    ``--unsafe-fixes`` does (see gwlint.fixes.plan)."""

    edits: tuple[Edit, ...]
    safe: bool
    description: str


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule's or a loader's result. The engine stamps the rule's code and severity on it.

    ``code`` is only given by producers that report several codes (the loaders); ``severity`` only
    where a rule's documented policy sets it for one case (e.g. GW101 on a worker class whose
    ``timeout`` is only a heartbeat is info).
    """

    location: Location
    message: str
    related: tuple[Related, ...] = ()
    fix: str | None = None
    code: str | None = None
    severity: Severity | None = None
    # what the rule proposes to change (the engine resolves it into ``autofix`` or
    # ``unfixable``); not part of the finding's identity
    plan: Plan | None = field(default=None, compare=False)
    autofix: Fix | None = None
    unfixable: str | None = None  # why the fix text is not applied automatically


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    location: Location
    related: tuple[Related, ...] = ()
    fix: str | None = None
    autofix: Fix | None = None
    unfixable: str | None = None

    def sort_key(self) -> tuple[str, int, str, int, str]:
        return (
            self.location.path,
            self.location.line,
            self.code,
            self.location.column or 0,
            self.message,
        )
