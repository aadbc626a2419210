"""The readers of each file format, and what they share: opening a file without waiting, and
reading its head. Which file goes to which reader is the inventory's business
(``gwlint.inventory``)."""

from __future__ import annotations

import os

from gwlint.loaders.stdin import data_for

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        "node_modules",
        "__pycache__",
        "__pypackages__",
        ".venv",
        "venv",
        ".direnv",
        ".eggs",
        ".tox",
        ".nox",
        "build",
        "dist",
        "_build",
        "buck-out",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".pytype",
        ".hypothesis",
        "site-packages",
    }
)
# templates rendered before deployment (Jinja, Liquid, ERB...): read in memory, never run
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".liquid", ".tmpl", ".tpl", ".erb", ".mustache")
SNIFF_BYTES = 65536


def nonblocking(path: str, flags: int) -> int:
    """``open``'s opener that never waits: a FIFO would otherwise block until something writes
    to it (then reads as empty, or fails the regular-file check of the loaders)."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def read_head(path: str) -> bytes:
    """The first SNIFF_BYTES of a file (b"" when it cannot be read): enough to tell its kind."""
    given = data_for(path)  # standard input read as this file (--stdin-filename)
    if given is not None:
        return given[:SNIFF_BYTES]
    try:
        with open(path, "rb", opener=nonblocking) as handle:  # a FIFO: b"" at once
            return handle.read(SNIFF_BYTES) or b""  # None: a pipe with nothing to read yet
    except OSError:
        return b""
