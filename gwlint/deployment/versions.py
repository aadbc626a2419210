"""Which server versions a deployment runs, and how gwlint knows.

In order: the command line (``--nginx-version``...), the configuration file, then the
repository: nginx's version from the image that runs it (Dockerfile ``FROM nginx:1.24-alpine``,
compose or Kubernetes ``image: nginx:1.27``), gunicorn's, uvicorn's and uWSGI's from exact pins
(``gunicorn==21.2.0``, lock files). A repository may hold several: a file takes the version of
the image it runs in, else the pin in its own folder or the nearest folder above it, else the one
version the whole repository agrees on. Where versions disagree and none is closest, nothing is
guessed: the default line is assumed, and said so.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from gwlint.model.versions import Version, format_version

if TYPE_CHECKING:
    from gwlint.loaders.common import Problems
    from gwlint.model.facts import Facts

Server = Literal["nginx", "gunicorn", "uvicorn", "uwsgi", "daphne", "granian", "hypercorn"]


class Evidence(NamedTuple):
    """One place that says which version a server has."""

    server: Server
    version: Version
    path: str
    line: int
    what: str  # "gunicorn==21.2.0", "FROM nginx:1.24-alpine", "image: nginx:1.27"

    @property
    def label(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(eq=False, repr=False)  # run state: never compared or shown
class Versions:
    evidence: list[Evidence] = field(default_factory=list)
    # real path of a file -> the nginx version of the image that holds or mounts it
    by_image: dict[str, Evidence] = field(default_factory=dict)

    def add_pins(self, paths: Iterable[str], problems: Problems) -> None:
        paths = list(paths)
        if not paths:
            return  # the pins' parsers are not imported for nothing
        from gwlint.loaders.pins import read_pins

        for path in paths:
            for pin in read_pins(path, problems):
                self.evidence.append(
                    Evidence(pin.package, pin.version, pin.path, pin.line, pin.raw.strip())
                )

    def for_file(self, server: Server, path: str) -> Evidence | None:
        """The version ``path`` (a config or launcher) runs with, when the repository says."""
        if server == "nginx":
            found = self.by_image.get(os.path.realpath(path))
            if found is not None:
                return found
        candidates = [e for e in self.evidence if e.server == server]
        if not candidates:
            return None
        if len({e.version for e in candidates}) == 1:
            return min(candidates, key=lambda e: (e.path.count(os.sep), e.path, e.line))
        # the nearest folder above the file that pins it, if its pins agree
        folder = os.path.dirname(os.path.abspath(path))
        while True:
            here = [
                e for e in candidates if os.path.dirname(os.path.abspath(e.path)) == folder
            ] or [e for e in candidates if _under(os.path.abspath(e.path), folder)]
            if here:
                if len({e.version for e in here}) == 1:
                    return here[0]
                return None  # disagreeing pins at the same distance: not guessed
            parent = os.path.dirname(folder)
            if parent == folder or not _under(parent, os.getcwd()):
                return None
            folder = parent

    def facts_for(self, facts: Facts, server: Server, path: str) -> Facts:
        """``facts`` with the version ``path`` runs with, unless a flag or the configuration
        gave one."""
        if server in ("gunicorn", "uwsgi", "nginx") and getattr(facts, f"{server}_version_given"):
            return facts
        found = self.for_file(server, path)
        if found is None or server not in ("gunicorn", "uwsgi", "nginx"):
            return facts
        update: dict[str, Any] = {
            f"{server}_version": found.version,
            f"{server}_version_given": True,
            f"{server}_version_source": f"{found.label}, {found.what}",
        }
        return dataclasses.replace(facts, **update)


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def describe(version: Version, source: str | None, server: str) -> str:
    """``gunicorn 21.2 (requirements.txt:3, gunicorn==21.2.0)``."""
    text = f"{server} {format_version(version, short=True)}"
    return f"{text} ({source})" if source else text
