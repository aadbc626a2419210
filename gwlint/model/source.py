"""Where every value comes from: a place in a file, or a server's documented default."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar

T = TypeVar("T")


class Source(NamedTuple):
    """The origin of a value: ``path:line[:column]``, or the default of ``server version``.

    A named tuple: one is made per nginx statement (34k in a large config), and a tuple is
    built three times faster than a frozen dataclass."""

    path: str | None = None
    line: int | None = None
    column: int | None = None
    default_of: str | None = None  # e.g. "gunicorn 27.0": the documented default applies
    note: str | None = None  # e.g. "--cpus", "--env WORKERS", "threads > 1"

    @property
    def is_default(self) -> bool:
        return self.default_of is not None

    @property
    def in_file(self) -> bool:
        return self.path is not None and self.line is not None

    def label(self) -> str:
        """Short form for messages: ``nginx.conf:9``, ``gunicorn 27.0 default``, ``--cpus``."""
        if self.default_of is not None:
            return f"{self.default_of} default" + (f", {self.note}" if self.note else "")
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            return f"{where}, {self.note}" if self.note else where
        return self.note or "unknown origin"


class Sourced(NamedTuple, Generic[T]):
    """A value with its origin. ``unknown`` holds the reason when it cannot be known statically."""

    value: T | None
    raw: str
    source: Source
    unknown: str | None = None

    @property
    def known(self) -> bool:
        return self.unknown is None

    @property
    def is_default(self) -> bool:
        return self.source.is_default

    def where(self) -> str:
        """``(nginx.conf:9)`` or ``(nginx 1.30 default)``, for messages."""
        return f"({self.source.label()})"


if not TYPE_CHECKING:
    # ``Sourced[int](...)`` is a plain call of the class: the call of a generic alias would cost
    # a microsecond per value, and a large config has thousands
    Sourced.__class_getitem__ = classmethod(lambda cls, item: cls)


def at(path: str, line: int, column: int | None = None, note: str | None = None) -> Source:
    return Source(path=path, line=line, column=column, note=note)


def default_of(server: str) -> Source:
    return Source(default_of=server)
