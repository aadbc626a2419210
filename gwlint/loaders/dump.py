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
# what ``nginx -V`` prints first (``nginx -V; nginx -T``): src/core/nginx.c, ngx_show_version_info
_VERSION = re.compile(r"^nginx version: (?:nginx|freenginx|openresty)/(\d+\.\d+\.\d+)", re.M)
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


def version(text: str) -> str | None:
    """The version ``nginx -V`` printed before the files, if the dump starts with it."""
    head = text[: text.find("# configuration file ")] if "# configuration file " in text else ""
    found = _VERSION.search(head[:65536])
    return found.group(1) if found else None


def roots(mappings: list[str]) -> list[tuple[str, str]]:
    """``--nginx-dump-root /etc/nginx=deploy/nginx``: (server folder, repository folder) pairs,
    longest server folder first. Raises DumpError for a malformed one."""
    pairs: list[tuple[str, str]] = []
    for mapping in mappings:
        server, equals, repo = mapping.partition("=")
        server = server.rstrip("/") or "/"
        if not equals or not server.startswith("/") or not repo:
            raise DumpError(
                "--nginx-dump-root takes SERVER_FOLDER=REPOSITORY_FOLDER "
                f"(/etc/nginx=deploy/nginx), not {mapping!r}"
            )
        pairs.append((server, repo.rstrip("/") or "."))
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def map_path(path: str, pairs: list[tuple[str, str]]) -> str:
    """A server path as the repository names it, by the first pair whose folder holds it."""
    for server, repo in pairs:
        if server == "/" or path == server or path.startswith(server + "/"):
            rest = path[len(server) :].lstrip("/") if server != "/" else path.lstrip("/")
            return f"{repo}/{rest}" if rest else repo
    return path


def server_files(files: list[tuple[str, str]]) -> tuple[ServerFiles, str]:
    """The files of a dump, in memory at their absolute paths, and the main file's path."""
    return ServerFiles(files), server_path(files[0][0])


def prefix(given: str | None, main: str) -> str:
    """nginx's prefix on the server: the one given (a server path), else the main file's
    folder (``nginx -T`` names the file given with ``-c``)."""
    if given is not None:
        return server_path(given)
    return server_path(main.rsplit("/", 1)[0] or "/")
