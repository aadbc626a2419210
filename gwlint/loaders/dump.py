"""The output of ``nginx -T``: every file a running nginx read, each under a header line.

nginx writes ``# configuration file /etc/nginx/nginx.conf:``, the file's bytes, then one line feed
(``ngx_show_configure`` in ``src/core/nginx.c``), main file first. ``split`` gives the files back
exactly, so lines in findings are the lines of the files on the server; ``lay_out`` writes them
under a scratch folder, where absolute includes resolve as they did on the server.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gwlint.model.diagnostics import Diagnostic

_HEADER = re.compile(r"^# configuration file (?P<path>.+):\r?$")
MAX_DUMP_FILES = 10_000


class DumpError(Exception):
    """Not the output of ``nginx -T``: exit 2 with this one-line message."""


def split(text: str, name: str) -> list[tuple[str, str]]:
    """(absolute path, content) of every file in the dump, main file first."""
    files: list[tuple[str, str]] = []
    current: str | None = None
    body: list[str] = []
    seen: set[str] = set()

    def close() -> None:
        if current is not None and current not in seen:
            seen.add(current)
            content = "".join(body)
            # nginx adds one line feed after each file's content
            files.append((current, content[:-1] if content.endswith("\n") else content))

    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        header = _HEADER.match(line.rstrip("\n")) if line.endswith("\n") else None
        if header is None:
            if current is not None:
                body.append(line)
            continue
        path = header.group("path")
        if not path.startswith("/") or "\x00" in path:
            raise DumpError(
                f"{name}:{number}: {path!r} is not an absolute path; nginx -T names every file "
                "by its full path"
            )
        close()
        if len(files) >= MAX_DUMP_FILES:
            raise DumpError(f"{name}: more than {MAX_DUMP_FILES} files; not read")
        current, body = path, []
    close()
    if not files:
        raise DumpError(
            f"{name}: not the output of nginx -T (no '# configuration file PATH:' line); run "
            "`nginx -T > dump.txt` on the server"
        )
    return files


def lay_out(files: list[tuple[str, str]], sysroot: str) -> list[str]:
    """Write the files under ``sysroot`` (their absolute paths below it); their new paths."""
    written: list[str] = []
    root = os.path.realpath(sysroot)
    for path, content in files:
        target = os.path.normpath(os.path.join(root, path.lstrip("/")))
        if not target.startswith(root + os.sep):
            raise DumpError(f"{path}: a path outside the server's file system; not read")
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="") as handle:
                handle.write(content)
        except OSError as exc:
            raise DumpError(f"{path}: cannot be laid out ({exc.strerror or exc})") from None
        written.append(target)
    return written


def unmap(diagnostics: list[Diagnostic], sysroot: str) -> list[Diagnostic]:
    """Paths under the scratch folder back to the server's own paths."""
    root = os.path.realpath(sysroot)

    def path(value: str) -> str:
        full = os.path.realpath(value) if not os.path.isabs(value) else value
        for base in (sysroot, root):
            if full.startswith(base + os.sep):
                return full[len(base) :]
        return value

    def text(value: str) -> str:
        for base in (root, sysroot):
            value = value.replace(base + os.sep, "/").replace(base, "/")
        return value

    from gwlint.model.diagnostics import Diagnostic, Location, Related

    def where(location: Location) -> Location:
        return Location(path(location.path), location.line, location.column)

    return sorted(
        (
            Diagnostic(
                code=d.code,
                severity=d.severity,
                message=text(d.message),
                location=where(d.location),
                related=tuple(Related(where(r.location), text(r.message)) for r in d.related),
                fix=text(d.fix) if d.fix is not None else None,
            )
            for d in diagnostics
        ),
        key=Diagnostic.sort_key,
    )
