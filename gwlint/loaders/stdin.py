"""Standard input read as a file: ``gwlint check - --stdin-filename deploy/gunicorn.conf.py``.

An editor or a pipeline hands gwlint a buffer that is not saved (or not on this host) and names
the file it stands for. The run reads it as that file: its kind from the name and the text (as
for a file on disk), findings name it, and where a file of that name exists the text of standard
input is read in its place, by every reader (``read_head``, ``read_bytes``). Nothing is written to
disk. The other configs of the run are found as usual, so the cross-file checks have their other
side. The command line reads standard input (bounded as a file is: ``MAX_FILE_BYTES``) and sets
it for the run (``reading_stdin``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple


class StdinFile(NamedTuple):
    """What standard input held, and the file it stands for."""

    path: str  # as findings name it (relative to the working directory when below it)
    data: bytes
    real: str  # os.path.realpath(path), as the working directory was when it was set


_GIVEN: ContextVar[StdinFile | None] = ContextVar("gwlint_stdin_file", default=None)
# --fix and --diff: files as the edits of earlier rounds left them, not yet written (by real path)
_OVERLAY: ContextVar[dict[str, bytes] | None] = ContextVar("gwlint_fix_overlay", default=None)


def given() -> StdinFile | None:
    """The file standard input stands for in the current run, or None."""
    return _GIVEN.get()


def data_for(path: str) -> bytes | None:
    """Standard input's bytes when ``path`` is the file it stands for, else None (read the
    file). Costs nothing in a run without standard input."""
    file = _GIVEN.get()
    if file is None:
        overlay = _OVERLAY.get()
        return overlay.get(os.path.realpath(path)) if overlay else None
    if path == file.path or os.path.realpath(path) == file.real:
        return file.data
    return None


@contextmanager
def reading_stdin(path: str, data: bytes) -> Iterator[StdinFile]:
    """Read ``data`` as the file ``path`` for what runs inside."""
    file = StdinFile(path, data, os.path.realpath(path))
    token = _GIVEN.set(file)
    try:
        yield file
    finally:
        _GIVEN.reset(token)


@contextmanager
def reading_edited(files: dict[str, bytes]) -> Iterator[None]:
    """Read ``files`` (real path -> bytes) in place of what is on disk, for what runs inside:
    the rounds of ``--fix`` check the edited text before anything is written."""
    token = _OVERLAY.set(files)
    try:
        yield
    finally:
        _OVERLAY.reset(token)
