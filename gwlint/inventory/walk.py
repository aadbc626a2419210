"""Folder walks: which files a repository holds, minus what is not the project's own.

Skipped: version-control and tool folders, virtualenvs, ``node_modules``, build output (the
default ``exclude``, as ruff's), what ``.gitignore`` files ignore (git's semantics, through
``pathspec``, nested ``.gitignore`` files included; ``respect-gitignore = false`` turns it off),
and the configuration's ``exclude`` / ``extend-exclude`` patterns (gitignore-style, relative to the
configuration file's folder: ``legacy/`` or ``*.conf.orig`` anywhere, ``deploy/old/*.conf``
anchored). Files named on the command line are read whatever these say.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gwlint.loaders import SKIP_DIRS
from gwlint.loaders.common import outside

if TYPE_CHECKING:
    import pathspec

MAX_WALK_FILES = 200_000  # files looked at in one walk: a repository, not a whole disk


def _spec(lines: Sequence[str]) -> pathspec.GitIgnoreSpec:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


_GLOB = frozenset("*?[]!\\/")


def _plain_names(patterns: Sequence[str]) -> tuple[frozenset[str], frozenset[str]] | None:
    """gitignore patterns that are all plain names (``venv``, ``build/``), as sets: a name
    matches a file or folder of that name at any depth (``build/``: a folder only), and what is
    inside. None when a pattern needs a real matcher (globs, slashes, ``!``): importing and
    compiling pathspec is most of a small run's walk."""
    anywhere: set[str] = set()
    folders: set[str] = set()
    for pattern in patterns:
        if not pattern or pattern.startswith("#"):
            continue  # matches nothing
        name, dir_only = (pattern[:-1], True) if pattern.endswith("/") else (pattern, False)
        if not name or name != name.strip() or any(c in _GLOB for c in name):
            return None
        (folders if dir_only else anywhere).add(name)
    return frozenset(anywhere), frozenset(folders)


@dataclass(eq=False, repr=False)  # run state: never compared or shown
class Ignores:
    """What a walk leaves out: patterns relative to ``root`` (the configuration's folder), and
    the ``.gitignore`` files found on the way (each relative to its own folder)."""

    root: str = "."
    exclude: tuple[str, ...] = tuple(sorted(SKIP_DIRS))
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    _patterns: pathspec.GitIgnoreSpec | None = None
    # the patterns when all are plain names (the defaults): (any path, folders only)
    _names: tuple[frozenset[str], frozenset[str]] | None = None
    _gitignores: dict[str, pathspec.GitIgnoreSpec | None] = field(default_factory=dict)

    def _excluded(self, path: str, folder: bool) -> bool:
        if self._patterns is None and self._names is None:
            patterns = [*self.exclude, *self.extend_exclude]
            self._names = _plain_names(patterns)
            if self._names is None:
                self._patterns = _spec(patterns)
        try:
            relative = os.path.relpath(os.path.abspath(path), os.path.abspath(self.root))
        except ValueError:  # another drive
            relative = path
        if relative.startswith(".."):
            relative = os.path.normpath(path)
        relative = relative.replace(os.sep, "/") + ("/" if folder else "")
        if self._names is not None:
            anywhere, folders = self._names
            *parents, last = relative.rstrip("/").split("/")
            return (
                any(p in anywhere or p in folders for p in parents)
                or last in anywhere
                or (folder and last in folders)
            )
        assert self._patterns is not None
        return self._patterns.match_file(relative)

    def _gitignore(self, folder: str) -> pathspec.GitIgnoreSpec | None:
        if folder not in self._gitignores:
            spec = None
            candidate = os.path.join(folder, ".gitignore")
            if os.path.isfile(candidate):
                try:
                    with open(candidate, encoding="utf-8", errors="replace") as handle:
                        text = handle.read(1024 * 1024)
                    spec = _spec(text.splitlines())
                except (OSError, ValueError):
                    spec = None
            self._gitignores[folder] = spec
        return self._gitignores[folder]

    def ignored(self, path: str, folders: Sequence[str], *, folder: bool = False) -> bool:
        """Is ``path`` (a file or, with ``folder``, a folder) left out? ``folders``: the walk's
        folders from its start down to the one holding ``path``, whose .gitignore files apply
        (the deepest decides, as in git)."""
        if self._excluded(path, folder):
            return True
        if not self.respect_gitignore:
            return False
        verdict = False
        for base in folders:
            spec = self._gitignore(base)
            if spec is None:
                continue
            relative = os.path.relpath(path, base).replace(os.sep, "/") + ("/" if folder else "")
            result = spec.check_file(relative)
            if result.include is not None:
                verdict = result.include
        return verdict


def files_under(root: str, ignores: Ignores | None = None) -> Iterator[str]:
    """Every file under ``root``, sorted by folder then name, without what ``ignores`` leaves
    out (the default excludes when None). Paths as given (``./`` dropped)."""
    ignores = ignores if ignores is not None else Ignores()
    seen = 0
    chain: dict[str, list[str]] = {}
    for folder, dirs, files in os.walk(root):
        parent = os.path.dirname(folder)
        here = [*chain.get(parent, []), folder] if folder != root else [folder]
        chain[folder] = here
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.endswith(".egg-info")
            and not ignores.ignored(os.path.join(folder, d), here, folder=True)
        )
        for name in sorted(files):
            path = os.path.join(folder, name)
            if ignores.ignored(path, here):
                continue
            if os.path.islink(path) and outside(path):
                continue  # a symlink out of the folders the run reads: not even sniffed
            seen += 1
            if seen > MAX_WALK_FILES:
                return
            yield path[2:] if path.startswith("./") else path
