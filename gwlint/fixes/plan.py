"""What a rule proposes to change, in the model's terms: the resolver (``gwlint.fixes.resolve``)
finds where in which file, and how that file spells it.

A rule attaches a ``Plan`` to its finding (``Finding.plan``). ``safe``: the change touches only
the value the finding names, the server accepts the new value, and the change in behaviour is the
finding's point (raising the app's timeout above the proxy's). Unsafe: one of several valid
choices, or a change with side effects (lowering ``proxy_read_timeout`` cuts slow requests short).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from gwlint.model.appserver import AppServer
    from gwlint.model.nginx import NginxConfig, Route
    from gwlint.model.source import Source, Sourced


class SetApp(NamedTuple):
    """Give an app server's ``setting`` the value ``value`` (written as in its config file: a
    Python literal for gunicorn, ``'*'``), where ``current`` (its value now) is set, or where
    the app reads its settings when it is a default."""

    app: AppServer
    setting: str
    value: str | int | bool
    current: Sourced[Any] | None


class RemoveApp(NamedTuple):
    """Remove the written ``setting`` of an app server (``current``: where it is written), so
    that its default applies."""

    app: AppServer
    setting: str
    current: Sourced[Any]


class SetNginx(NamedTuple):
    """Give the directive ``name`` the arguments ``args`` for ``route``: where the route's own
    block writes it, else added to the route's block (which overrides what it inherits).
    ``current``: where the value in effect is written (None or a default: nowhere)."""

    config: NginxConfig
    route: Route | None
    name: str
    args: tuple[str, ...]
    current: Source | None
    # the block to add it to when the route has none (an upstream{}): its statement's source
    block: Source | None = None
    block_name: str = ""


class RemoveNginx(NamedTuple):
    """Remove the statement ``name`` written at ``source`` (its default applies again)."""

    name: str
    source: Source


class ReplaceText(NamedTuple):
    """Replace ``old`` by ``new`` on ``line`` of ``path``: a word written wrong (a typographic
    dash, a misspelled key). ``old`` must occur exactly once on that line."""

    path: str
    line: int
    old: str
    new: str


Change = SetApp | RemoveApp | SetNginx | RemoveNginx | ReplaceText


class Plan(NamedTuple):
    changes: tuple[Change, ...]
    safe: bool
    description: str  # what it does, as the finding's fix text says it: "set timeout = 75 in ..."


def plan(description: str, *changes: Change, safe: bool = True) -> Plan:
    return Plan(changes=changes, safe=safe, description=description)
