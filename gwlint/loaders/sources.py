"""What the deployment stage tells the loaders about files, beyond the repository's tree.

A server reads its files at container or host paths: ``/etc/nginx/conf.d/default.conf`` is the
repository's ``nginx/default.conf`` copied by a Dockerfile, mounted by compose, or a key of a
Kubernetes ConfigMap; ``/etc/nginx/conf.d/app.conf`` is rendered at start from a template; a
file under ``/run`` is written by the entrypoint. ``Sources`` carries that: the loaders look a
path up here before they look for it in the repository by its tail.

``ServerFiles`` are a running server's own files (the output of ``nginx -T``), kept in memory at
their absolute paths while a run reads them (``serving``): nothing of them is written to disk, and
no file of this host is read in their place.
"""

from __future__ import annotations

import bisect
import fnmatch
import os
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import NamedTuple


class Virtual(NamedTuple):
    """A file that is not in the repository as such: a ConfigMap key (its text padded so that
    its line N is line N of ``display``), read under a path of its own."""

    text: str
    display: str  # the file findings are reported in (the manifest)
    what: str  # "key nginx.conf of ConfigMap web-nginx"
    path: str = ""  # the path it is read under, as written in findings before they are mapped


class TemplateContext(NamedTuple):
    """How a template is rendered where it is deployed: the environment envsubst sees
    (``None``: a variable set to a value gwlint does not know), the names envsubst is given
    (``None``: every variable), and what happens to the others."""

    env: Mapping[str, str | None]
    only: frozenset[str] | None = None
    undefined: str = "unknown"  # "keep", "unknown" or "empty" (templates.render)
    renderer: str = ""  # "the nginx image's entrypoint", "docker/entrypoint.sh:12"
    target: str | None = None  # the container path it renders to


@dataclass(eq=False, repr=False)  # run state: never compared or shown
class Sources:
    # container path -> repository (or virtual) path, where it is certain
    files: dict[str, str] = field(default_factory=dict)
    # virtual path (real path of an entry that is not a file) -> its text
    virtual: dict[str, Virtual] = field(default_factory=dict)
    # real path of a template -> how it is rendered
    templates: dict[str, TemplateContext] = field(default_factory=dict)
    # container path (or glob) -> why it exists only once the server runs
    created: dict[str, str] = field(default_factory=dict)

    def virtual_text(self, path: str) -> Virtual | None:
        if not self.virtual:
            return None
        return self.virtual.get(os.path.realpath(path))

    def is_file(self, path: str) -> bool:
        return self.virtual_text(path) is not None or os.path.isfile(path)

    def lookup(self, pattern: str) -> list[str]:
        """The repository paths a container path (or glob) stands for, sorted as nginx sorts a
        glob's matches (by the container path)."""
        if not self.files:
            return []
        if not any(c in pattern for c in "*?["):
            found = self.files.get(os.path.normpath(pattern))
            return [found] if found is not None else []
        folder = len(os.path.dirname(pattern)) + 1  # a glob's magic is in its last part
        return [
            self.files[key]
            for key in sorted(self.files)
            if fnmatch.fnmatchcase(key, pattern) and "/" not in key[folder:]
        ]

    def created_why(self, path: str) -> str | None:
        """Why a container path the config names exists only at run time, or None."""
        normal = os.path.normpath(path)
        for pattern, why in self.created.items():
            if normal == pattern or fnmatch.fnmatchcase(normal, pattern):
                return why
        return None

    def display(self, path: str) -> str:
        """The file to report a virtual path's findings in (the manifest), else ``path``."""
        entry = self.virtual_text(path)
        return entry.display if entry is not None else path


def server_path(path: str) -> str:
    """A server's absolute path, normalized: ``..`` and ``.`` resolved by name (the server's
    symlinks are not known), one leading slash. Iterative, whatever the depth."""
    return "/" + posixpath.normpath("/" + path).lstrip("/")


class ServerFiles:
    """A server's files by absolute path (``server_path``), in memory; its folders are those the
    paths imply. Listing a folder is a binary search in the sorted paths: no folder is ever
    made, so a dump of thousands of deeply nested paths costs what its text costs."""

    def __init__(self, files: Iterable[tuple[str, str]]) -> None:
        self.texts: dict[str, str] = {}
        for path, text in files:
            self.texts.setdefault(server_path(path), text)
        self._sorted = sorted(self.texts)

    def is_file(self, path: str) -> bool:
        return path in self.texts

    def is_dir(self, path: str) -> bool:
        if path == "/":
            return bool(self._sorted)
        below = path.rstrip("/") + "/"
        at = bisect.bisect_left(self._sorted, below)
        return at < len(self._sorted) and self._sorted[at].startswith(below)

    def text(self, path: str) -> str | None:
        return self.texts.get(path)

    def children(self, folder: str) -> list[tuple[str, bool]]:
        """(name, is a folder) of what a folder holds, sorted by name. Each subfolder costs one
        search in the sorted paths, however many files it holds."""
        below = folder if folder.endswith("/") else folder + "/"
        paths = self._sorted
        end = len(paths)
        at = bisect.bisect_left(paths, below)
        found: list[tuple[str, bool]] = []
        size = len(below)
        while at < end and paths[at].startswith(below):
            path = paths[at]
            slash = path.find("/", size)
            if slash == -1:
                found.append((path[size:], False))
                at += 1
            else:
                found.append((path[size:slash], True))
                at += 1
                if at < end and paths[at].startswith(path[: slash + 1]):
                    # past every path under this subfolder: "0" follows "/"
                    at = bisect.bisect_left(paths, path[:slash] + "0", at)
        found.sort()
        return found


_SERVING: ContextVar[ServerFiles | None] = ContextVar("gwlint_server_files", default=None)


def served() -> ServerFiles | None:
    """The server files of the current run (``--nginx-dump``), or None."""
    return _SERVING.get()


@contextmanager
def serving(files: ServerFiles) -> Iterator[ServerFiles]:
    """Read ``files`` as the server's for what runs inside (the nginx loader looks them up
    at their absolute paths, never on this host's disk)."""
    token = _SERVING.set(files)
    try:
        yield files
    finally:
        _SERVING.reset(token)
