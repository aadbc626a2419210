"""The output of ``nginx -T``: every file a running nginx read, each under a header line.

nginx writes ``# configuration file /etc/nginx/nginx.conf:``, the file's bytes, then one line feed
(``ngx_show_configure`` in ``src/core/nginx.c``), main file first. ``split`` gives the files back
exactly, so lines in findings are the lines of the files on the server; ``server_files`` keeps
them in memory at their own absolute paths (``loaders.sources.ServerFiles``), where absolute
includes resolve as they did on the server. Nothing is written to disk.
"""

from __future__ import annotations

import re

from gwlint.loaders.sources import ServerFiles, server_path

_HEADER = re.compile(r"^# configuration file (?P<path>.+):\r?$")
MAX_DUMP_FILES = 10_000
# what the nginx loader is told the server's files are under (``load_nginx(sysroot=...)``): their
# own absolute paths, read from memory (``loaders.sources.serving``), never a folder of this host
SERVER_ROOT = "/"


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


def server_files(files: list[tuple[str, str]]) -> tuple[ServerFiles, str]:
    """The files of a dump, in memory at their absolute paths, and the main file's path."""
    return ServerFiles(files), server_path(files[0][0])


def prefix(given: str | None, main: str) -> str:
    """nginx's prefix on the server: the one given (a server path), else the main file's
    folder (``nginx -T`` names the file given with ``-c``)."""
    if given is not None:
        return server_path(given)
    return server_path(main.rsplit("/", 1)[0] or "/")
