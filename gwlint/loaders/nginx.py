"""nginx configuration -> ``NginxConfig``. The only module that imports crossplane.

crossplane lexes every file and checks every statement (arguments, and the context it is allowed
in, from its directive table). gwlint drives the statement loop itself, the way crossplane's
``parse()`` does, because ``parse()`` can only start a file at the top level: gwlint reads a file in
the context it is included in (a ``sites-enabled/*.conf`` fragment inside ``http {}``), follows
``include`` relative to a prefix, finds absolute paths in the repository by their tail, and keeps
what was read before a syntax error. Every crossplane error becomes a GW001 with file and line.
"""

from __future__ import annotations

import fnmatch
import functools
import glob
import io
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from crossplane import analyzer as _analyzer
from crossplane import lexer as _crossplane_lexer
from crossplane.errors import NgxParserDirectiveError, NgxParserSyntaxError

from gwlint.loaders import nginx_lexer
from gwlint.loaders.common import (
    MAX_FILE_BYTES,
    OUTSIDE_NOTE,
    Placeholders,
    Problems,
    read_text,
)
from gwlint.loaders.common import roots as common_roots
from gwlint.loaders.sources import ServerFiles, Sources, served, server_path
from gwlint.loaders.stdin import data_for
from gwlint.model import address as addr
from gwlint.model.defaults import nginx_default
from gwlint.model.facts import Facts
from gwlint.model.nginx import (
    MODULE_PREFIX,
    PASS_DIRECTIVES,
    Directive,
    Listen,
    NginxConfig,
    Protocol,
    Route,
    Target,
    Upstream,
    UpstreamServer,
)
from gwlint.model.nginx_directives import NGINX_DIRECTIVES
from gwlint.model.source import Source, Sourced
from gwlint.model.units import UNLIMITED_MS, decimal, parse_size, parse_time


def _crossplane_lex(path: str, text: str) -> Iterator[nginx_lexer.Token]:
    """crossplane's own lexer over a text (read with universal newlines, as it reads files)."""
    handle = io.StringIO(text, newline=None)
    tokens = _crossplane_lexer._lex_file_object(handle)
    yield from _crossplane_lexer._balance_braces(tokens, path)


def lex(path: str, text: str | None = None) -> Iterator[nginx_lexer.Token]:
    """crossplane's lexer, token for token, at the speed of gwlint's (loaders/nginx_lexer.py).
    ``text``: the file's text when it is not read from ``path`` (rendered in memory)."""
    return nginx_lexer.lex(
        path,
        fallback=_crossplane_lex,
        external=_crossplane_lexer.EXTERNAL_LEXERS,
        syntax_error=NgxParserSyntaxError,
        text=text,
    )


# crossplane's directive table stops around nginx 1.15; where a directive's arity grew since, it
# would reject valid configs. Correct those entries (current docs syntax).
_analyzer.DIRECTIVES["keepalive"] = [
    _analyzer.NGX_HTTP_UPS_CONF | _analyzer.NGX_CONF_TAKE12  # "keepalive 32 local" (1.29.7)
]
# resolver_timeout in upstream{} (1.27.3), set in a stream server{} (1.19.3)
_analyzer.DIRECTIVES["resolver_timeout"].append(
    _analyzer.NGX_HTTP_UPS_CONF | _analyzer.NGX_CONF_TAKE1
)
_analyzer.DIRECTIVES["set"].append(_analyzer.NGX_STREAM_SRV_CONF | _analyzer.NGX_CONF_TAKE2)

MAX_INCLUDE_DEPTH = 32
# how far includes may expand the configuration, in tokens: 50 times what the files included
# hold, and 50,000 more. A file included twice at each of 32 levels would otherwise expand to
# billions (nginx would not finish starting either). A configuration that repeats a small file
# is stopped here, with its measure, before it reaches MAX_INCLUDE_EXPANSIONS below
EXPANSION_FACTOR = 50
EXPANSION_FLOOR = 50_000
# the work includes may cost in one load (a deployment's configuration, or the grouping of the
# files of a run), checked before it is done: reaching a limit is a GW001 on the include, which
# is not followed (what it holds is unknown), and the rest of the configuration is read
MAX_GLOB_ENTRIES = 100_000  # folder entries the globs of includes look at, in all
MAX_INCLUDE_MATCHES = 10_000  # files one include names
MAX_INCLUDE_EXPANSIONS = 10_000  # times includes read a file into the configuration
MAX_INCLUDED_FILES = 10_000  # different files includes open
MAX_INCLUDED_BYTES = 64 * 1024 * 1024  # what those files hold
# includes followed to find which file includes which (grouping: each file's includes once)
MAX_INCLUDE_EDGES = 200_000
MAX_BLOCK_DEPTH = 100
# blocks whose contents are data (map keys, mime types), not directives
FREEFORM_BLOCKS = frozenset({"map", "types", "geo", "split_clients", "charset_map", "match"})
MAX_ANCESTORS = 3
STOCK_FILES = frozenset(
    {
        "mime.types",
        "fastcgi_params",
        "fastcgi.conf",
        "scgi_params",
        "uwsgi_params",
        "proxy_params",
        "koi-utf",
        "koi-win",
        "win-utf",
    }
)
# folders whose files exist only while the system runs: tmpfs mounts, written at start
RUNTIME_FOLDERS = ("/run/", "/var/run/", "/tmp/", "/dev/shm/")


def created_at_start(path: str) -> str | None:
    """Why a path the config names is made when the server starts, or None."""
    normal = os.path.normpath(path) if path.startswith("/") else ""
    for folder in RUNTIME_FOLDERS:
        if normal.startswith(folder):
            where = folder.rstrip("/")
            return f"{where} holds only what is written while the system runs"
    return None


FRAGMENT_DIRS = frozenset({"sites-enabled", "sites-available", "conf.d", "http.d", "vhosts.d"})
MAIN_ONLY = frozenset(
    {
        "http",
        "events",
        "stream",
        "mail",
        "worker_processes",
        "user",
        "pid",
        "load_module",
        "worker_rlimit_nofile",
        "daemon",
        "master_process",
    }
)
SERVER_BODY = frozenset({"location", "listen", "server_name"})
BLOCKS_WITH_ROUTES = frozenset({"location", "if", "limit_except"})
_BRACES = frozenset({"{", "}", ";"})  # the tokens that end a statement
Token = tuple[str, int, bool]


@dataclass(slots=True, eq=False, repr=False)  # never compared or shown
class Lexed:
    """A file's tokens, and the syntax error that stopped the lexer (line, message), if any: a
    file is lexed once per run, for grouping and for loading (both ask for its top-level
    statements too: found once, the first time)."""

    tokens: nginx_lexer.Tokens
    failure: tuple[int, str] | None
    top_level: list[tuple[str, list[str]]] | None = None
    released: bool = False  # its tokens were let go: a loader that reads it again lexes it

    def statements(self) -> list[tuple[str, list[str]]]:
        """(directive, arguments) of each statement at the file's top level."""
        if self.top_level is None:
            self.top_level = list(_top_level_statements(self.tokens))
        return self.top_level

    def release(self) -> None:
        """Let the tokens go once a load has parsed the file (they were a fifth of a large
        config's peak memory, held while its model is built); its top-level statements stay."""
        self.statements()
        self.tokens = nginx_lexer.Tokens()
        self.released = True


@dataclass(slots=True)
class Stmt:
    name: str
    args: tuple[str, ...]
    path: str
    line: int
    column: int | None
    context: tuple[str, ...]
    block: list[Stmt] | None = None
    origin: str | None = None  # "stock proxy_params": known content of a file not in the repo
    opaque: bool = False  # an include that could not be read: anything may be set there
    # opaque because a statement of this directive failed to parse: only it is unknown here
    hides: str | None = None
    # its Source and Directive, built once (by _source, _directive) and shared by every route
    built_source: Source | None = None
    built_directive: Directive | None = None


# What the stock files every nginx package installs set, where it matters to the rules: they
# are seldom kept in a repository, but their directives take part in inheritance.
STOCK_CONTENTS: dict[str, list[tuple[str, list[str]]]] = {
    "proxy_params": [  # Debian and Ubuntu
        ("proxy_set_header", ["Host", "$http_host"]),
        ("proxy_set_header", ["X-Real-IP", "$remote_addr"]),
        ("proxy_set_header", ["X-Forwarded-For", "$proxy_add_x_forwarded_for"]),
        ("proxy_set_header", ["X-Forwarded-Proto", "$scheme"]),
    ],
    "uwsgi_params": [("uwsgi_param", ["QUERY_STRING", "$query_string"])],
    "fastcgi_params": [("fastcgi_param", ["QUERY_STRING", "$query_string"])],
    "fastcgi.conf": [("fastcgi_param", ["SCRIPT_FILENAME", "$document_root$fastcgi_script_name"])],
    "scgi_params": [("scgi_param", ["REQUEST_METHOD", "$request_method"])],
    # a types {} block and charset maps: nothing the rules read
    "mime.types": [],
    "koi-utf": [],
    "koi-win": [],
    "win-utf": [],
}


@dataclass(slots=True, eq=False, repr=False)  # never compared or shown
class _File:
    """One file, read and lexed once; parsed once per context it is included in."""

    path: str
    lines: list[str]
    tokens: nginx_lexer.Tokens
    lexed: Lexed  # shared by the loaders of a run
    marked: bool = False  # it holds template placeholders (UNKNOWN_MARK)


class _Resolved(NamedTuple):
    """What an include's pattern names, found once per load for the files that write it alike."""

    files: tuple[str, ...] | None  # None: nothing there (a missing file)
    folder: str | None = None  # it names a folder
    problem: str | None = None  # a limit reached, or a symlinked folder not followed again
    stopped: bool = False  # a limit stopped its glob: what the include holds is not known
    limit: str | None = None  # the limit of the whole load it reached (reported once)
    outside: bool = False  # every place it may be lies outside the folders gwlint reads


def _join(folder: str, name: str) -> str:
    if not folder:
        return name
    return folder + name if folder.endswith("/") else f"{folder}/{name}"


@dataclass(eq=False, repr=False)  # loader state: never compared or shown
class _Walk:
    """State of reading one file in one context."""

    file: _File
    tokens: Iterator[Token]
    root_dir: str
    stack: tuple[str, ...]
    # the line of the last statement read, the statements of each name read on it and where
    # the last one ends in the line (statements come in line order)
    last_line: int = 0
    seen_on_line: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(eq=False, repr=False)  # loader state: never compared or shown
class _Loader:
    facts: Facts
    prefix: str | None
    problems: Problems
    files: list[str] = field(default_factory=list)
    _files: dict[str, _File | None] = field(default_factory=dict)
    _reported: set[tuple[str, int, str]] = field(default_factory=set)
    _runtime_reported: set[str] = field(default_factory=set)
    _included: set[str] = field(default_factory=set)  # real paths of the files included
    _included_tokens: int = 0  # what they hold
    _expanded_tokens: int = 0  # what they expand to, counting each time a file is included
    allowed: list[str] = field(default_factory=list)  # real paths of folders that may be read
    # a running server's files (nginx -T), in memory at their own absolute paths: read from
    # there, and what they include is looked up there only, never on this host's disk
    server: ServerFiles | None = field(default_factory=served)
    # the work of includes in this load, against the MAX_* limits
    _entries: int = 0  # folder entries the globs looked at
    _expansions: int = 0  # files read into the configuration by an include
    _opened: int = 0  # different files opened by includes
    _opened_bytes: int = 0  # what they hold
    _edges: int = 0  # includes followed to find which file includes which
    _limits: set[str] = field(default_factory=set)  # the limits reached (reported once)
    _reals: dict[str, str] = field(default_factory=dict)  # path -> ``real``
    _admitted: set[str] = field(default_factory=set)  # what ``admit`` let includes open
    # what each include names, by (pattern, folder of the including file, root folder, server)
    _resolved: dict[tuple[str, str, str, bool], _Resolved] = field(default_factory=dict)
    # lexed files by real path, shared by the loaders of one run (a file is lexed once)
    lexed: dict[str, Lexed] = field(default_factory=dict)
    # only finding which files include which (group_roots): its problems are not reported, so
    # a file's comments (suppressions) and lines (columns) are not needed
    grouping: bool = False
    # what the deployment knows of files: container paths, in-memory texts, templates
    sources: Sources | None = None
    # the run's templates (grouping and loading render a file alike, with the same markers)
    placeholders: Placeholders | None = None

    def error(self, path: str, line: int, message: str, column: int | None = None) -> None:
        key = (path, line, message)
        if key not in self._reported:
            self._reported.add(key)
            self.problems.add("GW001", path, line, f"nginx: {message}", column=column)

    def limit(self, stmt: Stmt, name: str, message: str) -> None:
        """A limit reached at an include: reported there, the first time only (the includes
        after it stop at once); the include is not followed."""
        stmt.opaque = True
        if name not in self._limits:
            self._limits.add(name)
            self.error(stmt.path, stmt.line, message, stmt.column)

    # --- reading -------------------------------------------------------------------------------

    def is_served(self, path: str) -> bool:
        """Whether ``path`` is one of the server's files (nginx -T), read from memory."""
        return (
            self.server is not None
            and path.startswith("/")
            and self.server.is_file(server_path(path))
        )

    def real(self, path: str) -> str:
        """What a file is known by: a server file's own path, else its real path (kept: the
        same files are named again and again by the includes of a load)."""
        real = self._reals.get(path)
        if real is None:
            real = server_path(path) if self.is_served(path) else os.path.realpath(path)
            self._reals[path] = real
        return real

    def admit(self, path: str) -> str | None:
        """Why a file an include names may not be opened (the files and bytes includes may
        open in a load), or None; a file already read is always admitted."""
        key = self.real(path)
        if key in self._files or key in self._admitted:
            return None
        if self._opened >= MAX_INCLUDED_FILES:
            return f"includes open more than {MAX_INCLUDED_FILES:,} different files"
        text = self.server.text(key) if self.server is not None else None
        if text is None and self.sources is not None:
            virtual = self.sources.virtual_text(path)
            text = virtual.text if virtual is not None else None
        if text is not None:
            size = len(text)
        else:
            try:
                size = min(os.stat(path).st_size, MAX_FILE_BYTES + 1)
            except OSError:
                size = 0  # reading it says why it cannot be read
        if self._opened_bytes + size > MAX_INCLUDED_BYTES:
            held = MAX_INCLUDED_BYTES
            amount = f"{held // 2**20} MiB" if held % 2**20 == 0 else f"{held:,} bytes"
            return f"the files includes open hold more than {amount} in all"
        self._opened += 1
        self._opened_bytes += size
        self._admitted.add(key)
        return None

    def _served_text(self, path: str, text: str) -> str | None:
        """A server file's text, held to the limits of a file read from disk."""
        if len(text) * 4 > MAX_FILE_BYTES:  # UTF-8 takes at most four bytes a character
            size = len(text.encode("utf-8", "surrogatepass"))
            if size > MAX_FILE_BYTES:
                self.problems.add(
                    "GW001",
                    path,
                    1,
                    f"nginx config is {size} bytes, over the {MAX_FILE_BYTES // 2**20} MiB "
                    "limit; not read",
                )
                return None
        nul = text.find("\x00")
        if nul != -1:
            line = text.count("\n", 0, nul) + 1
            self.problems.add(
                "GW001", path, line, "nginx config is a binary file (NUL byte); not read"
            )
            return None
        return text

    def read(self, path: str) -> _File | None:
        key = self.real(path)
        if key in self._files:
            return self._files[key]
        self._files[key] = None
        own = self.server.text(key) if self.server is not None else None
        virtual = None
        text: str | None
        if own is not None:
            text = self._served_text(path, own)  # as nginx read it: never a template
        else:
            virtual = self.sources.virtual_text(path) if self.sources is not None else None
            if virtual is not None:
                text = virtual.text
            else:
                text = read_text(path, "GW001", self.problems, kind="nginx")
        if text is None:
            return None
        self.files.append(path)
        if text.startswith("\ufeff"):
            self.error(
                path,
                1,
                "the file starts with a UTF-8 byte order mark, which nginx reads as part of the "
                'first directive (unknown directive "\\ufeff..."): save it without BOM',
            )
        rendered = self._render(path, key, text) if own is None else None
        if key not in self.lexed or self.lexed[key].released:
            in_memory = rendered if rendered is not None else virtual.text if virtual else own
            if in_memory is None and "\r" not in text:
                in_memory = text  # as the lexer would read it again (no newline to translate)
            if in_memory is None and data_for(path) is not None:
                # standard input read as this file (--stdin-filename): its text, with the
                # universal newlines the lexer reads a file with
                in_memory = text.replace("\r\n", "\n").replace("\r", "\n")
            self.lexed[key] = _lex(path, in_memory)
        lexed = self.lexed[key]
        if lexed.failure is not None:
            self.error(path, lexed.failure[0], lexed.failure[1])
        loaded = _File(path=path, lines=[], tokens=lexed.tokens, lexed=lexed)
        self._files[key] = loaded
        read = rendered if rendered is not None else text
        loaded.marked = UNKNOWN_MARK in read
        if not self.grouping:
            loaded.lines = read.splitlines()
            lowered = read.lower()  # (a case-blind regex search took 20 ms on 1 MB)
            if "gwlint" in lowered or "noqa" in lowered:
                self._comments(loaded)
        return loaded

    def _render(self, path: str, key: str, text: str) -> str | None:
        """A template's text as nginx will read it, rendered in memory with what the deployment
        knows (placeholders it cannot fill become unknown values), or None for a plain file."""
        if not _MAYBE_TEMPLATE.search(text):
            return None
        from gwlint.loaders import templates

        kind = templates.detect(os.path.basename(path), text)
        if kind is None:
            return None
        context = self.sources.templates.get(key) if self.sources is not None else None
        options: dict[str, Any] = {}
        if context is not None:
            options = {"env": context.env, "only": context.only, "undefined": context.undefined}
        rendered = templates.render(text, kind, **options)
        if rendered.conditions and _lex(path, rendered.text).failure is not None:
            # every branch of an {% if %} read together does not parse: the branches are
            # alternatives (each opens a block the same closing brace ends); read the first
            first = templates.render(text, kind, branches="first", **options)
            if _lex(path, first.text).failure is None:
                rendered = first
        registry = self.placeholders or self.problems.placeholders
        return registry.register(path, rendered)

    def _comments(self, loaded: _File) -> None:
        """The comments of a file that take part in suppressions (``# gwlint: ignore[...]``):
        those that say gwlint, and the run of comment lines right after one on a line of its
        own (it covers the next line that is not a comment). No other comment changes what is
        reported; each costs a lookup of the file's real path (a dump's thousands of comments
        in files 1,500 folders deep took seconds)."""
        after = 0  # the line a comment must be on to continue the run after a suppression
        for token, line, quoted in loaded.tokens:
            if not token.startswith("#") or quoted:
                continue
            text = loaded.lines[line - 1] if 0 < line <= len(loaded.lines) else ""
            own = text.lstrip().startswith("#")
            lowered = token.lower()
            if "gwlint" not in lowered and "noqa" not in lowered and not (own and line == after):
                continue
            if own:
                after = line + 1
            at = text.find("#") if own else text.rfind(token)
            column = at + 1 if at >= 0 else None
            self.problems.comment(loaded.path, line, token[1:], own_line=own, column=column)

    def parse(
        self,
        path: str,
        context: tuple[str, ...],
        cp_ctx: tuple[str, ...],
        root_dir: str,
        stack: tuple[str, ...],
    ) -> list[Stmt]:
        loaded = self.read(path)
        if loaded is None:
            return []
        walk = _Walk(file=loaded, tokens=iter(loaded.tokens), root_dir=root_dir, stack=stack)
        return self._block(walk, context, cp_ctx)

    def _block(
        self, walk: _Walk, context: tuple[str, ...], cp_ctx: tuple[str, ...], consume: bool = False
    ) -> list[Stmt]:
        """crossplane's statement loop, started in any context."""
        out: list[Stmt] = []
        path = walk.file.path
        if consume or len(context) > MAX_BLOCK_DEPTH:
            if not consume:
                line = walk.file.tokens[0][1] if walk.file.tokens else 1
                message = f"blocks nested deeper than {MAX_BLOCK_DEPTH} levels: not read"
                self.error(path, line, message)
            _skip_block(walk.tokens)
            return out
        tokens = walk.tokens
        following = tokens.__next__
        lines = walk.file.lines
        marked = walk.file.marked
        accepted = _ACCEPTED.setdefault(cp_ctx, set())  # crossplane's verdicts in this context
        passes: set[str] = set()  # the *_pass directives of this block
        for token, line, quoted in tokens:
            if not quoted:
                if token == "}":
                    break
                if token.startswith("#"):
                    continue
            name, args = token, []
            term, term_quoted = ";", False
            try:
                term, _, term_quoted = following()
                while term_quoted or term not in _BRACES:
                    if term_quoted or not term.startswith("#"):
                        args.append(term)
                    term, _, term_quoted = following()
            except StopIteration:
                self.error(
                    path, line, f'unexpected end of file, expecting ";" or "}}" after "{name}"'
                )
                break
            if name == "if":
                _prepare_if_args(args)
            if line != walk.last_line:
                walk.last_line = line
                walk.seen_on_line = {}
                nth, after = 0, 0
            else:
                nth, after = walk.seen_on_line.get(name, (0, 0))
            column, after = _column(lines, line, name, nth, after)
            walk.seen_on_line[name] = (nth + 1, after)
            checked = args
            if marked and any(UNKNOWN_MARK in arg for arg in args):
                # a template placeholder: its value is not known, only that it is one argument
                checked = ["on" if UNKNOWN_MARK in arg else arg for arg in args]
            # crossplane's verdict on a statement depends only on this (see _ACCEPTED)
            count = len(args)
            verdict = (name, count, term, count == 1 and checked[0].lower() in ("on", "off"))
            try:
                if verdict not in accepted:
                    raw = {"directive": name, "line": line, "args": checked}
                    _analyzer.analyze(
                        fname=path, stmt=raw, term=term, ctx=cp_ctx, check_ctx=True, check_args=True
                    )
                    accepted.add(verdict)
            except NgxParserDirectiveError as exc:
                self.error(path, line, str(exc.strerror), column)
                out.append(_broken(name, path, line, column, context))
                if str(exc.strerror).endswith(' is not terminated by ";"'):
                    if term != "}" or term_quoted:
                        self._block(walk, context, cp_ctx, consume=True)
                    else:
                        break
                continue
            if term == "}" and not term_quoted:
                # crossplane only knows this for the directives in its table
                self.error(path, line, f'directive "{name}" is not terminated by ";"', column)
                out.append(_broken(name, path, line, column, context))
                break
            if name not in KNOWN_DIRECTIVES and not FREEFORM_BLOCKS.intersection(context):
                suggestion = nearest_directive(name)
                if suggestion is not None:
                    self.error(
                        path,
                        line,
                        f'unknown directive "{name}" (did you mean {suggestion}?): nginx refuses '
                        "to start",
                        column,
                    )
                    # what was meant is not known either
                    out.append(_broken(suggestion, path, line, column, context))
            if name in PASS_DIRECTIVES and term == ";":
                if name in passes:
                    # ngx_http_proxy_pass() and the other *_pass handlers return "is duplicate"
                    # (src/http/modules/ngx_http_proxy_module.c); no second route is made
                    self.error(path, line, f'"{name}" directive is duplicate', column)
                    continue
                passes.add(name)
            # a tuple, shared with the statement's Directive (one copy of the arguments)
            stmt = Stmt(name, tuple(args), path, line, column, context)
            if name == "include" and args and term == ";":
                out.extend(self._include(stmt, context, cp_ctx, walk))
                continue
            if term == "{" and not term_quoted:
                inner = _analyzer.enter_block_ctx({"directive": name, "args": checked}, cp_ctx)
                stmt.block = self._block(walk, (*context, name), inner)
            out.append(stmt)
        return out

    # --- includes ------------------------------------------------------------------------------

    def _bases(self, including: str, root_dir: str) -> list[str]:
        """Folders a relative include is looked up in, most likely first."""
        prefix = self.prefix or default_prefix(root_dir)
        bases = [prefix]
        folder = os.path.dirname(including) or "."
        if not _inside(folder, prefix):
            bases.append(folder)  # a file read from outside the prefix
        # a repository often keeps the nginx configuration a folder or two below its root
        here = os.path.abspath(os.getcwd())
        current = os.path.abspath(prefix)
        for _ in range(MAX_ANCESTORS):
            parent = os.path.dirname(current)
            if parent in (current, os.sep) or not _inside(parent, here):
                break
            bases.append(os.path.relpath(parent) if not os.path.isabs(prefix) else parent)
            current = parent
        return bases

    def _candidates(self, pattern: str, including: str, root_dir: str) -> list[str]:
        bases = self._bases(including, root_dir)
        if not os.path.isabs(pattern):
            return [os.path.normpath(os.path.join(base, pattern)) for base in bases]
        # an absolute path is the server's: look for it in the repository, by its tail
        # (/etc/nginx/conf.d/*.conf as etc/nginx/conf.d/*.conf, nginx/conf.d/*.conf, ...); a
        # glob keeps its folder (a bare *.conf would match the including file itself)
        candidates: list[str] = []
        parts = pattern.strip("/").split("/")
        shortest = len(parts) - (2 if glob.has_magic(pattern) and len(parts) > 1 else 1)
        for i in range(0, shortest + 1):
            tail = "/".join(parts[i:])
            candidates.extend(os.path.normpath(os.path.join(base, tail)) for base in bases)
        return candidates

    def _server_candidates(self, pattern: str, including: str, root_dir: str) -> list[str]:
        """Where an include of a server file (nginx -T) is, on the server: an absolute path is
        exactly that file; a relative one is under the prefix (or the including file's folder,
        for a file outside it)."""
        if pattern.startswith("/"):
            return [server_path(pattern)]
        prefix = server_path(self.prefix or default_prefix(root_dir))
        bases = [prefix]
        folder = os.path.dirname(including)
        if not _inside(folder, prefix):
            bases.append(folder)
        return [server_path(base + "/" + pattern) for base in bases]

    def readable(self, path: str) -> bool:
        """Inside the folders gwlint was asked to read: never a file elsewhere on this host."""
        return any(_inside(os.path.realpath(path), root) for root in self.allowed)

    def resolve_include(
        self,
        pattern: str,
        including: str,
        line: int,
        column: int | None,
        root_dir: str,
        *,
        quiet: bool = False,
    ) -> list[str] | None:
        """Files an include reads ([] for a glob matching nothing); None when it is missing, or
        when a limit stopped its glob (then reported, unless ``quiet``)."""
        resolved = self._resolve(pattern, including, root_dir)
        if resolved.problem is not None and not quiet and resolved.limit not in self._limits:
            if resolved.limit is not None:
                self._limits.add(resolved.limit)
            self.error(including, line, resolved.problem, column)
        if resolved.folder is not None:
            if not quiet:
                self.error(
                    including,
                    line,
                    f'include "{pattern}" names a folder ({resolved.folder}): nginx fails with '
                    '"pread() failed (21: Is a directory)"; include a glob such as '
                    f'"{pattern.rstrip("/")}/*.conf"',
                    column,
                )
            return []
        if resolved.outside:
            if not quiet:
                self.problems.add(
                    "GW002",
                    including,
                    line,
                    f'include "{pattern}" lies outside the folders gwlint reads ({OUTSIDE_NOTE}): '
                    "its directives are not checked",
                    column=column,
                )
            return None
        if resolved.files is None:
            if not quiet and not resolved.stopped:
                self._missing(pattern, including, line, column, root_dir)
            return None
        return list(resolved.files)

    def _resolve(self, pattern: str, including: str, root_dir: str) -> _Resolved:
        """What an include names, found once for all the files of a folder that write it."""
        server = self.is_served(including)
        key = (pattern, os.path.dirname(including), root_dir, server)
        resolved = self._resolved.get(key)
        if resolved is None:
            resolved = self._resolved[key] = self._find(pattern, including, root_dir, server)
        return resolved

    def _find(self, pattern: str, including: str, root_dir: str, server: bool) -> _Resolved:
        if server:
            candidates = self._server_candidates(pattern, including, root_dir)
        else:
            if os.path.isabs(pattern) and self.sources is not None:
                # the deployment knows what is at this path (copied, mounted, rendered)
                known = [p for p in self.sources.lookup(pattern) if self.readable(p)]
                if known:
                    return _Resolved(tuple(known))
            every = self._candidates(pattern, including, root_dir)
            candidates = [c for c in every if self.readable(c)]
            if every and not candidates:
                # whether anything is there is never asked (the same message either way)
                return _Resolved(None, outside=True)
        if glob.has_magic(pattern):
            problem: str | None = None
            for candidate in candidates:
                matches, why, stopped = self._glob(pattern, candidate, server)
                if stopped:
                    limit = "entries" if self._entries >= MAX_GLOB_ENTRIES else None
                    return _Resolved(None, problem=why, stopped=True, limit=limit)
                problem = problem or why
                # each match too: a symlink in the folder may lead out of it
                found = [p for p in matches if self._is_file(p, server)]
                if found:
                    return _Resolved(tuple(found), problem=problem)
            return _Resolved((), problem=problem)  # nginx accepts a glob that matches nothing
        for candidate in candidates:
            if self._is_file(candidate, server):
                return _Resolved((candidate,))
            if self._is_dir(candidate, server):
                return _Resolved((), folder=candidate)
        return _Resolved(None)

    def _is_file(self, path: str, server: bool) -> bool:
        if server:
            return self.server is not None and self.server.is_file(path)
        return os.path.isfile(path) and self.readable(path)

    def _is_dir(self, path: str, server: bool) -> bool:
        if server:
            return self.server is not None and self.server.is_dir(path)
        return os.path.isdir(path)

    def _entries_of(self, folder: str, server: bool) -> list[tuple[str, bool, bool]] | None:
        """(name, is a folder, is a symlink) of what a folder holds, sorted; each entry counts
        against MAX_GLOB_ENTRIES before it is looked at (None: the limit is reached)."""
        if server:
            assert self.server is not None
            children = self.server.children(folder or "/")
            if self._entries + len(children) > MAX_GLOB_ENTRIES:
                return None
            self._entries += len(children)
            return [(name, is_dir, False) for name, is_dir in children] if children else []
        found: list[tuple[str, bool, bool]] = []
        try:
            with os.scandir(folder or ".") as entries:
                for entry in entries:
                    if self._entries >= MAX_GLOB_ENTRIES:
                        return None
                    self._entries += 1
                    try:
                        found.append((entry.name, entry.is_dir(), entry.is_symlink()))
                    except OSError:
                        continue
        except OSError:
            pass  # what was listed, if anything (glob(3) ignores a folder it cannot read)
        found.sort()
        return found

    def _glob(
        self, pattern: str, candidate: str, server: bool
    ) -> tuple[list[str], str | None, bool]:
        """The paths a glob names, as glob(3) finds them for nginx (sorted; ``*`` takes no name
        that starts with a dot), one folder level per part of the pattern, without recursion.
        Bounded: every folder entry looked at counts (MAX_GLOB_ENTRIES, for all the globs of
        the load), the matches of one include too (MAX_INCLUDE_MATCHES); a symlinked folder
        that leads where the glob went already (a symlink loop, two links to one folder) is
        not followed again. (matches, a problem to report, whether a limit stopped it)."""
        parts = candidate.split("/")
        fixed = 0
        while fixed < len(parts) - 1 and not glob.has_magic(parts[fixed]):
            fixed += 1
        start = "/".join(parts[:fixed])
        if not start and candidate.startswith("/"):
            start = "/"
        if start and not self._is_dir(start, server):
            return [], None, False
        # the parts after the folder, a run of plain names taken in one step (a path of
        # thousands of folders is one lookup, not one for each folder)
        steps: list[str] = []
        for part in parts[fixed:]:
            if steps and not glob.has_magic(part) and not glob.has_magic(steps[-1]):
                steps[-1] += "/" + part
            else:
                steps.append(part)
        # (path, real path) of the folders a part is matched in; every folder the glob went
        # into, by real path, and the path it went there by first
        top = start if server else os.path.realpath(start or ".")
        level = [(start, top)]
        entered = {top: start or "."}
        problem: str | None = None
        for depth, part in enumerate(steps):
            last = depth == len(steps) - 1
            magic = glob.has_magic(part)
            hidden = part.startswith(".")
            # "*", the usual part, matches every name; the others as fnmatch matches them
            matches = None if part == "*" else re.compile(fnmatch.translate(part)).match
            following: list[tuple[str, str]] = []
            for folder, real in level:
                if not magic:
                    path = _join(folder, part)
                    if last:
                        following.append((path, ""))
                    elif self._is_dir(path, server):
                        inner = path if server else os.path.realpath(path)
                        entered.setdefault(inner, path)
                        following.append((path, inner))
                    continue
                entries = self._entries_of(folder, server)
                if entries is None:
                    message = (
                        f'include "{pattern}": the globs of includes look at more than '
                        f"{MAX_GLOB_ENTRIES:,} folder entries; not followed"
                    )
                    return [], message, True
                for name, is_dir, is_link in entries:
                    if (name[:1] == "." and not hidden) or (matches and not matches(name)):
                        continue
                    path = _join(folder, name)
                    if last:
                        following.append((path, ""))
                    elif not is_dir:
                        continue
                    elif server:
                        following.append((path, path))  # a server's paths have no links
                    elif not is_link:
                        inner = _join(real, name)
                        entered.setdefault(inner, path)
                        following.append((path, inner))
                    else:
                        inner = os.path.realpath(path)
                        first = entered.get(inner)
                        if first is None and self.readable(path):
                            entered[inner] = path
                            following.append((path, inner))
                        elif first is not None and problem is None:
                            problem = (
                                f'include "{pattern}": the symlink {path} leads to {first}, a '
                                "folder this glob went through already, where nginx would read "
                                "the same files again (without end, through a link to a folder "
                                "above); not followed"
                            )
            level = following
        if len(level) > MAX_INCLUDE_MATCHES:
            message = (
                f'include "{pattern}" names more than {MAX_INCLUDE_MATCHES:,} files; not followed'
            )
            return [], message, True
        return sorted({path for path, _ in level}), problem, False

    def _missing(
        self, pattern: str, including: str, line: int, column: int | None, root_dir: str
    ) -> None:
        name = os.path.basename(pattern)
        prefix = self.prefix or default_prefix(root_dir)
        if name in STOCK_FILES:
            return  # installed with nginx itself: present where it runs (its content is known)
        written = self.sources.created_why(pattern) if self.sources is not None else None
        runtime = written or created_at_start(pattern)
        if runtime is not None:
            if pattern not in self._runtime_reported:
                self._runtime_reported.add(pattern)  # once per file, not at every include
                created = "" if written else ": something writes it at start"
                self.problems.add(
                    "GW002",
                    including,
                    line,
                    f'include "{pattern}" is not in the repository: {runtime}{created}; its '
                    "directives are not checked",
                    column=column,
                    severity="info",
                )
            return
        if os.path.isabs(pattern):
            tail = "/".join(pattern.strip("/").split("/")[-2:])
            message = f'include "{pattern}" not found (looked for {tail} under {prefix}/)'
            fix = "keep the file in the repository under the prefix, or give --nginx-prefix DIR"
        else:
            message = f'include "{pattern}" not found under the prefix {prefix}/'
            fix = f"check the path against nginx's prefix ({prefix}/), or give --nginx-prefix DIR"
        self.problems.add(
            "GW002",
            including,
            line,
            f"{message}: its directives are not checked; nginx refuses to start without it",
            column=column,
            fix=fix,
        )

    def _include(
        self, stmt: Stmt, context: tuple[str, ...], cp_ctx: tuple[str, ...], walk: _Walk
    ) -> list[Stmt]:
        out: list[Stmt] = []
        pattern = stmt.args[0]
        if UNKNOWN_MARK in pattern:
            stmt.opaque = True  # a template placeholder names it: what it holds is not known
            return [stmt]
        targets = self.resolve_include(pattern, stmt.path, stmt.line, stmt.column, walk.root_dir)
        if targets is None:
            name = os.path.basename(pattern)
            if name in STOCK_CONTENTS:
                return [
                    Stmt(
                        directive,
                        tuple(args),
                        stmt.path,
                        stmt.line,
                        stmt.column,
                        context,
                        origin=f"from the stock {name}",
                    )
                    for directive, args in STOCK_CONTENTS[name]
                ]
            stmt.opaque = True
            return [stmt]
        reals = [self.real(target) for target in targets]
        for target, real in zip(targets, reals, strict=True):
            if real not in walk.stack:
                continue
            chain = [os.path.basename(p) for p in walk.stack[walk.stack.index(real) :]]
            cycle = " -> ".join([*chain, os.path.basename(target)])
            if (stmt.path, stmt.line, "cycle") not in self._reported:
                self._reported.add((stmt.path, stmt.line, "cycle"))  # once, by any path
                self.error(
                    stmt.path,
                    stmt.line,
                    f'include "{pattern}" reads a file that is already being read (include '
                    f"cycle: {cycle}); nginx would fail to start",
                    stmt.column,
                )
            # nginx would read the whole include again and again: none of it is read (a glob
            # that matches its own file would otherwise be read in every order)
            return []
        for target, real in zip(targets, reals, strict=True):
            if len(walk.stack) >= MAX_INCLUDE_DEPTH:
                self.error(
                    stmt.path,
                    stmt.line,
                    f"includes nested deeper than {MAX_INCLUDE_DEPTH} levels; not followed",
                    stmt.column,
                )
                continue
            self._expansions += 1
            if self._expansions > MAX_INCLUDE_EXPANSIONS:
                self.limit(
                    stmt,
                    "expansions",
                    f"includes read files into the configuration more than "
                    f"{MAX_INCLUDE_EXPANSIONS:,} times (the same files included over and over); "
                    "not followed",
                )
                return [*out, stmt]
            refused = self.admit(target)
            if refused is not None:
                self.limit(stmt, "files", f'include "{pattern}": {refused}; not followed')
                return [*out, stmt]
            loaded = self.read(target)
            size = len(loaded.tokens) if loaded is not None else 0
            if real not in self._included:
                self._included.add(real)
                self._included_tokens += size
            self._expanded_tokens += size
            if self._expanded_tokens > EXPANSION_FACTOR * self._included_tokens + EXPANSION_FLOOR:
                self.error(
                    stmt.path,
                    stmt.line,
                    f"includes expand the configuration to more than {EXPANSION_FACTOR} times "
                    "what the included files hold (the same files included over and over); "
                    "not followed",
                    stmt.column,
                )
                stmt.opaque = True
                return [*out, stmt]
            out.extend(self.parse(target, context, cp_ctx, walk.root_dir, (*walk.stack, real)))
        return out

    def top_level_names(self, root: str) -> set[str]:
        """Directive names at a file's top level, with those of the files it includes there."""
        names: set[str] = set()
        seen: set[str] = set()
        todo = [root]
        root_dir = os.path.dirname(root) or "."
        while todo:
            path = todo.pop()
            loaded = self.read(path)
            if loaded is None or self.real(path) in seen:
                continue
            seen.add(self.real(path))
            for name, args in loaded.lexed.statements():
                if name == "include" and args:
                    found = self.resolve_include(args[0], path, 1, None, root_dir, quiet=True)
                    todo.extend(t for t in found or [] if self.admit(t) is None)
                else:
                    names.add(name)
        return names


class _Graph:
    """Which file includes which, the way a root in ``root_dir`` reads its includes: each
    file's includes resolved once (at most MAX_INCLUDE_EDGES in a load), and what a file
    reaches found by strongly connected components (Tarjan's, without recursion). Files that
    include one another (200 snippets that each include ``conf.d/*.conf``) cost their includes
    once, not once for each file that may be a root."""

    def __init__(self, loader: _Loader, root_dir: str) -> None:
        self.loader = loader
        self.root_dir = root_dir
        self.node: dict[str, int] = {}  # real path -> node
        self.path: list[str] = []  # node -> a path it is read by
        self.real: list[str] = []  # node -> its real path
        self.succ: list[list[int] | None] = []  # node -> the nodes it includes
        self.comp: list[int] = []  # node -> its component (-1: not found yet)
        self.members: list[list[int]] = []  # component -> its nodes
        # a component's files include themselves (a cycle): each reaches all of them
        self.looped: list[bool] = []
        self.named: dict[int, list[int]] = {}  # id of a _Resolved -> the nodes it names

    def add(self, path: str) -> int:
        real = self.loader.real(path)
        node = self.node.get(real)
        if node is None:
            node = self.node[real] = len(self.path)
            self.path.append(path)
            self.real.append(real)
            self.succ.append(None)
            self.comp.append(-1)
        return node

    def successors(self, node: int) -> list[int]:
        found = self.succ[node]
        if found is not None:
            return found
        loader = self.loader
        targets: list[int] = []
        path = self.path[node]
        loaded = loader.read(path)
        for pattern, _line in _include_args(loaded.tokens) if loaded is not None else ():
            resolved = loader._resolve(pattern, path, self.root_dir)
            # the files of a folder that write the same include share its nodes
            nodes = self.named.get(id(resolved))
            if nodes is None:
                nodes = []
                for target in resolved.files or ():
                    if loader._edges >= MAX_INCLUDE_EDGES:
                        break
                    loader._edges += 1
                    if loader.admit(target) is None:
                        nodes.append(self.add(target))
                self.named[id(resolved)] = nodes
            targets.extend(nodes)
        found = self.succ[node] = list(dict.fromkeys(targets))
        return found

    def close(self, start: int) -> None:
        """Find the components of every node ``start`` reaches (Tarjan's algorithm, with a
        stack of its own). Components are numbered in reverse topological order: a component
        reaches only components numbered below it (or itself)."""
        if self.comp[start] >= 0:
            return
        number = {start: 0}
        low = {start: 0}
        stack = [start]
        on_stack = {start}
        work = [(start, iter(self.successors(start)))]
        while work:
            node, edges = work[-1]
            for target in edges:
                if self.comp[target] >= 0:
                    continue  # in a component found before
                if target not in number:
                    number[target] = low[target] = len(number)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(self.successors(target))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], number[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == number[node]:
                    component = len(self.members)
                    members: list[int] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        self.comp[member] = component
                        members.append(member)
                        if member == node:
                            break
                    self.members.append(members)
                    self.looped.append(len(members) > 1 or node in self.successors(node))

    def below(self, component: int) -> set[int]:
        """The components a component's files include (itself not counted)."""
        return {
            self.comp[target]
            for member in self.members[component]
            for target in self.successors(member)
        } - {component}


class _Includers:
    """Which of a list of files include which, directly or not (``_Graph``, one for each folder
    the files are in: a root's folder is where its relative includes are looked up)."""

    def __init__(self, loader: _Loader, paths: list[str]) -> None:
        self.loader = loader
        self.paths = paths
        self.graphs: dict[str, _Graph] = {}
        self.starts: dict[str, list[tuple[str, int]]] = {}  # root folder -> its files, nodes
        self.at: dict[str, tuple[str, int]] = {}  # path -> (root folder, its node)
        for path in paths:
            root_dir = os.path.dirname(path) or "."
            graph = self.graphs.get(root_dir)
            if graph is None:
                graph = self.graphs[root_dir] = _Graph(loader, root_dir)
            node = graph.add(path)
            graph.close(node)
            self.starts.setdefault(root_dir, []).append((path, node))
            self.at[path] = (root_dir, node)

    def independent(self) -> list[str]:
        """The files that none of the others includes (a file another includes is read inside
        it); of files that include one another (a cycle), the first listed."""
        included: set[str] = set()  # real paths a file of the list above them includes
        # real path -> (root folder, component) of the cycles it is in with a file of the list
        cycles: dict[str, list[tuple[str, int]]] = {}
        for root_dir, graph in self.graphs.items():
            count = len(graph.members)
            has_start = [False] * count
            for _, node in self.starts[root_dir]:
                has_start[graph.comp[node]] = True
            above = [False] * count
            for component in range(count - 1, -1, -1):  # topological order: includers first
                if has_start[component] or above[component]:
                    for inner in graph.below(component):
                        above[inner] = True
            for real, node in graph.node.items():
                component = graph.comp[node]
                if component < 0:
                    continue
                if above[component]:
                    included.add(real)
                elif graph.looped[component] and has_start[component]:
                    cycles.setdefault(real, []).append((root_dir, component))
        kept: list[str] = []
        first: dict[tuple[str, int], str] = {}  # the file of a cycle kept
        for path in self.paths:
            real = self.loader.real(path)
            if real in included:
                continue
            if any(first.get(cycle, path) != path for cycle in cycles.get(real, ())):
                continue  # in a cycle with a file kept before it
            root_dir, node = self.at[path]
            graph = self.graphs[root_dir]
            component = graph.comp[node]
            if graph.looped[component]:
                first.setdefault((root_dir, component), path)
            kept.append(path)
        return kept

    def reaching(self, wanted: set[str]) -> set[str]:
        """The files of the list that include one of ``wanted`` (real paths), directly or
        not."""
        out: set[str] = set()
        for root_dir, graph in self.graphs.items():
            holds = [any(graph.real[m] in wanted for m in members) for members in graph.members]
            reaches: list[bool] = []
            for component in range(len(graph.members)):  # included files first
                inner = graph.below(component)
                reaches.append(
                    (graph.looped[component] and holds[component])
                    or any(holds[i] or reaches[i] for i in inner)
                )
            out.update(path for path, node in self.starts[root_dir] if reaches[graph.comp[node]])
        return out


def _lex(path: str, text: str | None = None) -> Lexed:
    tokens = nginx_lexer.Tokens()
    try:
        nginx_lexer.lex_into(
            tokens,
            path,
            fallback=_crossplane_lex,
            external=_crossplane_lexer.EXTERNAL_LEXERS,
            syntax_error=NgxParserSyntaxError,
            text=text,
        )
    except NgxParserSyntaxError as exc:
        return Lexed(tokens, (exc.lineno or 1, str(exc.strerror)))
    except (OSError, RecursionError, ValueError) as exc:
        return Lexed(tokens, (1, f"cannot be lexed: {type(exc).__name__}"))
    return Lexed(tokens, None)


# an unknown value a template placeholder stands for (gwlint.loaders.templates.marker)
UNKNOWN_MARK = "__GWLINT_UNKNOWN_"
PLACEHOLDER = "it is a template placeholder, filled in only when the template is rendered"
# what a template has that a plain nginx config has not: tags, envsubst references
_MAYBE_TEMPLATE = re.compile(r"\{\{|\{%|<%|\$\{?[A-Z_]")


KNOWN_DIRECTIVES = frozenset(
    {*_analyzer.DIRECTIVES, *(name.split(":")[-1] for name in NGINX_DIRECTIVES), "#"}
)
_LONGEST_DIRECTIVE = max(map(len, KNOWN_DIRECTIVES))


@functools.cache  # names are short (see below), and a config repeats its unknown ones
def nearest_directive(name: str) -> str | None:
    """A known directive one or two edits from an unknown name: most likely a typo. Names
    further from every known one are left alone (third-party modules have their own)."""
    if not 6 <= len(name) <= _LONGEST_DIRECTIVE + 2 or not name.replace("_", "").isalnum():
        return None
    # two names within two edits share a string each reaches by deleting at most two of its
    # characters: only the known names met that way are measured (comparing every unknown
    # name with every known one took seconds on a file of thousands of unknown directives)
    index = _deletion_index()
    candidates = {known for variant in _deletions(name) for known in index.get(variant, ())}
    best: tuple[int, str] | None = None
    for known in sorted(candidates):
        distance = _edit_distance(name, known, limit=2)
        if distance <= 2 and (best is None or distance < best[0]):
            best = (distance, known)
    return best[1] if best is not None else None


def _deletions(name: str) -> set[str]:
    """``name`` and every string made by deleting one or two of its characters."""
    once = {name[:i] + name[i + 1 :] for i in range(len(name))}
    twice = {variant[:i] + variant[i + 1 :] for variant in once for i in range(len(variant))}
    return {name} | once | twice


@functools.cache
def _deletion_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for known in sorted(KNOWN_DIRECTIVES):
        for variant in _deletions(known):
            index.setdefault(variant, []).append(known)
    return {variant: tuple(names) for variant, names in index.items()}


# Edit distance, not difflib: difflib's ratio rates two real directives that differ in a word
# (proxy_read_timeout, proxy_send_timeout) as close, and get_close_matches compares a name with
# every known one (seconds on a file of thousands of unknown names); a bounded distance over the
# deletion index above says "one or two typos" and stays linear
def _edit_distance(a: str, b: str, limit: int) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def default_prefix(root_dir: str) -> str:
    """nginx's prefix for a root file: its folder, or the folder above sites-enabled, conf.d..."""
    if os.path.basename(os.path.normpath(root_dir)) in FRAGMENT_DIRS:
        return os.path.dirname(os.path.normpath(root_dir)) or "."
    return root_dir


def _inside(path: str, folder: str) -> bool:
    path, folder = os.path.abspath(path), os.path.abspath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


# What crossplane's ``analyze`` accepted, by what its verdict depends on: the context (the key),
# then the directive, the number of arguments, the terminator, and whether a lone argument is
# "on" or "off" (a flag's value); a statement like one accepted before is accepted without
# asking again (once per statement was a tenth of the loading time). Rejections are not kept:
# each error is raised anew, with its own file and line.
_ACCEPTED: dict[tuple[str, ...], set[tuple[str, int, str, bool]]] = {}


def _skip_block(tokens: Iterator[Token]) -> None:
    """Read past the end of the current block, nested blocks included (without recursion)."""
    depth = 1
    for token, _line, quoted in tokens:
        if quoted:
            continue
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0:
                return


def _prepare_if_args(args: list[str]) -> None:
    """Strip the parentheses of an ``if`` condition, as crossplane does."""
    if args and args[0].startswith("(") and args[-1].endswith(")"):
        args[0] = args[0][1:].lstrip()
        args[-1] = args[-1][:-1].rstrip()
        start = int(not args[0])
        end = len(args) - int(not args[-1])
        args[:] = args[start:end]


@functools.lru_cache(maxsize=1024)
def _statement_start(name: str) -> re.Pattern[str]:
    # a directive starts a statement: at the start of the line, or after ; { or }
    return re.compile(r"(?:^|[;{}])\s*(" + re.escape(name) + r")(?![\w-])")


def _column(
    lines: list[str], line: int, name: str, nth: int, start: int = 0
) -> tuple[int | None, int]:
    """The column of the ``nth`` statement ``name`` on its line, and where the search for the
    next one starts: ``start``, where the previous one ended (searching from the start of the
    line each time was quadratic: a one-line config of 20,000 statements took a minute)."""
    if not 0 < line <= len(lines):
        return None, start
    text = lines[line - 1]
    if nth == 0:
        # the usual case, the first statement of its line: what the pattern finds at 0
        stripped = text.lstrip()
        if stripped.startswith(name):
            after = stripped[len(name) : len(name) + 1]
            if not (after.isalnum() or after in ("_", "-")):  # (?![\w-]); "" at the end
                column = len(text) - len(stripped) + 1
                return column, column - 1 + len(name)
    found = _statement_start(name).search(text, start)
    if found is None:
        return None, len(text)
    return found.start(1) + 1, found.end()


def _include_args(tokens: nginx_lexer.Tokens) -> Iterator[tuple[str, int]]:
    """``include`` arguments found by scanning tokens: an ``include`` starts a statement when
    the token before it (comments aside) is ``;``, ``{`` or ``}``, or there is none; the token
    after it is its argument. Each ``include`` is found by ``list.index`` (a scan in C), not by
    a loop over every token."""
    words, lines, quoted = tokens.words, tokens.lines, tokens.quoted
    found = -1
    while True:
        try:
            found = words.index("include", found + 1)
        except ValueError:
            return
        if quoted[found]:
            continue
        before = found - 1
        while before >= 0 and not quoted[before] and words[before].startswith("#"):
            before -= 1
        if before >= 0 and (quoted[before] or words[before] not in _BRACES):
            continue
        if found + 1 < len(words):
            yield words[found + 1], lines[found + 1]


ROOT_CONTEXTS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("http",), ("http",)),
    (("http", "server"), ("http", "server")),
    (("http", "server", "location"), ("http", "location")),
)


def root_context(names: set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(context, crossplane context) a file's top level is read in, from the directives at its
    top level (its includes' included): the main level, or as a snippet included in http,
    server or location, the widest that allows every directive."""
    if names & MAIN_ONLY:
        return (), ()
    if names & {"server", "upstream"}:
        return ROOT_CONTEXTS[0]
    if "location" in names:
        return ROOT_CONTEXTS[1]
    known = [name for name in names if name in _analyzer.DIRECTIVES]
    for context, cp_ctx in ROOT_CONTEXTS:
        allowed = _analyzer.CONTEXTS[cp_ctx]
        if all(any(mask & allowed for mask in _analyzer.DIRECTIVES[n]) for n in known):
            return context, cp_ctx
    return ROOT_CONTEXTS[0]


def _top_level_statements(tokens: nginx_lexer.Tokens) -> Iterator[tuple[str, list[str]]]:
    """(directive, arguments) of each statement at the top level of a token stream. The blocks
    the lexer matched (``tokens.blocks``) are stepped over whole."""
    words, quoted, blocks = tokens.words, tokens.quoted, tokens.blocks
    if blocks is None:
        yield from _top_level_scan(tokens)
        return
    current: list[str] = []
    index, count = 0, len(words)
    while index < count:
        token, was_quoted = words[index], quoted[index]
        if was_quoted or token not in _BRACES:
            if was_quoted or token[:1] != "#":
                current.append(token)
            index += 1
            continue
        if current:
            yield current[0], current[1:]
        current = []
        if token == "{":
            closed = blocks.get(index)
            if closed is None:
                return  # a block the file never closes: the rest is inside it
            index = closed
        index += 1


def _top_level_scan(tokens: nginx_lexer.Tokens) -> Iterator[tuple[str, list[str]]]:
    """``_top_level_statements`` token by token (the tokens of crossplane's own lexer)."""
    depth = 0
    current: list[str] = []
    for token, _line, quoted in tokens:
        # most tokens are inside blocks: one test each to pass them by
        if quoted or token not in _BRACES:
            if depth == 0 and (quoted or token[:1] != "#"):
                current.append(token)
            continue
        if depth == 0 and current:
            yield current[0], current[1:]
        current = []
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1


# --- model building ----------------------------------------------------------------------------


class _Scope:
    __slots__ = ("hidden", "hide_all", "local", "opaque", "parent")

    def __init__(self, parent: _Scope | None, stmts: list[Stmt]) -> None:
        self.parent = parent
        self.local: dict[str, list[Stmt]] = {}
        self.opaque: list[Stmt] = []  # includes that could not be read, statements broken
        self.hide_all: Stmt | None = None  # the first include that could not be read
        self.hidden: dict[str, Stmt] = {}  # a directive -> its first statement that is broken
        for stmt in stmts:
            if stmt.opaque:
                self.opaque.append(stmt)
                if stmt.hides is None:
                    if self.hide_all is None:
                        self.hide_all = stmt
                else:
                    self.hidden.setdefault(stmt.hides, stmt)
            elif stmt.block is None:
                self.local.setdefault(stmt.name, []).append(stmt)

    def find(self, name: str) -> tuple[list[Stmt] | None, _Scope | None, Stmt | None]:
        """Occurrences at the nearest level that has any (nginx's all-or-nothing inheritance),
        that level, and the unreadable include that may hide a nearer one (then no occurrences).
        """
        scope: _Scope | None = self
        while scope is not None:
            found = scope.local.get(name)
            if found:
                return found, scope, None
            if scope.opaque:
                hider = _hider(scope, name)
                if hider is not None:
                    return None, scope, hider
            scope = scope.parent
        return None, None, None

    def get(self, name: str) -> list[Stmt] | None:
        return self.find(name)[0]


def _source(stmt: Stmt) -> Source:
    if stmt.built_source is None:
        # (path, line, column, default_of, note): positional, once per statement
        stmt.built_source = Source(stmt.path, stmt.line, stmt.column, None, stmt.origin)
    return stmt.built_source


# the parametrized classes, looked up once (``Sourced[str]`` costs a cache lookup at each use)
_SOURCED_STR = Sourced[str]
_SOURCED_INT = Sourced[int]
_SOURCED_BY_KIND: dict[str, Any] = {
    "str": _SOURCED_STR,
    "list": _SOURCED_STR,
    "pair": Sourced[tuple[int, int]],
}


@dataclass(eq=False, repr=False)  # loader state: never compared or shown
class _Builder:
    facts: Facts
    upstreams: dict[str, Upstream] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    _lower_names: dict[str, str] = field(default_factory=dict)
    _defaults: dict[tuple[str, str], Sourced[Any]] = field(default_factory=dict)
    _values: dict[tuple[int, str], Sourced[Any]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.facts.nginx_label

    # typed values with their source; one object per statement or default, shared by all routes

    def _default(self, key: str, kind: str) -> Sourced[Any]:
        cache_key = (key, kind)
        if cache_key not in self._defaults:
            default = nginx_default(key, self.facts.nginx_version)
            raw = default.raw if default else ""
            self._defaults[cache_key] = _typed(raw, kind, Source(default_of=self.label))
        return self._defaults[cache_key]

    def value(self, scope: _Scope, name: str, kind: str, default_key: str | None = None) -> Any:
        """The effective value of a one-argument directive, as the route sees it."""
        found, _level, hidden = scope.find(name)
        if hidden is not None:
            return _hidden(hidden, name, kind)
        if not found:
            return self._default(default_key or name, kind)
        stmt = found[-1]
        key = (id(stmt), kind)
        if key not in self._values:
            if kind in ("pair", "list"):
                raw = " ".join(stmt.args)
            else:
                raw = stmt.args[0] if stmt.args else ""
            self._values[key] = _typed(raw, kind, _source(stmt))
        return self._values[key]

    def header(
        self, scope: _Scope, header: str
    ) -> tuple[Sourced[str], tuple[Source, Source] | None]:
        """The value nginx sends upstream for a request header ("" = not sent), and where an
        outer ``proxy_set_header`` of it was dropped by this level's own ``proxy_set_header``s.
        """
        found, level, hidden = scope.find("proxy_set_header")
        if hidden is not None:
            return _hidden(hidden, "proxy_set_header", "str"), None
        entry = _header_entry(found or [], header)
        if entry is not None:
            return self.header_value(entry), None
        hider = _hider(level, "proxy_set_header") if level is not None else None
        if hider is not None:
            return _hidden(hider, "proxy_set_header", "str"), None
        default: Sourced[str] = self._default(f"header:{header}", "str")
        if not found or level is None:
            return default, None
        outer = level.parent
        while outer is not None:
            dropped = _header_entry(outer.local.get("proxy_set_header") or [], header)
            if dropped is not None:
                return default, (_source(dropped), _source(found[0]))
            outer = outer.parent
        return default, None

    def header_value(self, stmt: Stmt) -> Sourced[str]:
        """The value a ``proxy_set_header`` sets; one object per statement, shared by every
        route that inherits it (and by ``header`` and ``headers``)."""
        key = (id(stmt), "header")
        if key not in self._values:
            value = stmt.args[1]
            self._values[key] = _SOURCED_STR(value=value, raw=value, source=_source(stmt))
        return self._values[key]

    # upstream groups first: a proxy_pass may name a group defined further down

    def upstream(self, block: Stmt) -> None:
        assert block.block is not None
        name = block.args[0] if block.args else ""
        entries = [stmt for stmt in block.block if stmt.name == "server" and stmt.args]
        servers = tuple(
            UpstreamServer(
                address=_address(stmt.args[0], 80),
                params=tuple(stmt.args[1:]),
                source=_source(stmt),
            )
            for stmt in entries
            if UNKNOWN_MARK not in stmt.args[0]
        )
        scope = _Scope(None, block.block)
        self._lower_names[name.lower()] = name
        self.upstreams[name] = Upstream(
            name=name,
            source=_source(block),
            servers=servers,
            keepalive=self.value(scope, "keepalive", "count", "upstream:keepalive"),
            keepalive_timeout=self.value(
                scope, "keepalive_timeout", "time", "upstream:keepalive_timeout"
            ),
            keepalive_requests=self.value(
                scope, "keepalive_requests", "count", "upstream:keepalive_requests"
            ),
            directives=tuple(_directive(stmt) for stmt in block.block if stmt.hides is None),
            unknown=PLACEHOLDER if len(servers) < len(entries) else None,
        )

    # routes: every location (or if / limit_except in one) with a *_pass

    def walk(
        self, stmts: list[Stmt], parent: _Scope | None, server_name: str, location: Stmt | None
    ) -> None:
        scope = _Scope(parent, stmts)
        local: tuple[Directive, ...] | None = None  # once per block, however many *_pass it has
        for stmt in stmts:
            if (
                stmt.name in PASS_DIRECTIVES
                and stmt.context[-1:]
                and (stmt.context[-1] in BLOCKS_WITH_ROUTES)
            ):
                if local is None:
                    local = tuple(_directive(s) for s in stmts if s.block is None and not s.opaque)
                self.routes.append(self._route(stmt, scope, server_name, location, local))
            if stmt.block is None:
                continue
            if stmt.name == "http":
                self.walk(stmt.block, scope, "", None)
            elif stmt.name == "server" and stmt.context[-1:] == ("http",):
                names = [s for s in stmt.block if s.name == "server_name" and s.args]
                self.walk(stmt.block, scope, names[0].args[0] if names else "", None)
            elif stmt.name in BLOCKS_WITH_ROUTES and "server" in stmt.context:
                self.walk(
                    stmt.block, scope, server_name, stmt if stmt.name == "location" else location
                )

    def _route(
        self,
        stmt: Stmt,
        scope: _Scope,
        server_name: str,
        location: Stmt | None,
        local: tuple[Directive, ...],
    ) -> Route:
        protocol: Protocol = PASS_DIRECTIVES[stmt.name]
        module = MODULE_PREFIX[protocol]
        http_version: Sourced[str] | None = None
        connection: Sourced[str] | None = None
        shadowed: tuple[Source, Source] | None = None
        headers: dict[str, Sourced[str]] = {}
        dropped: tuple[tuple[str, Source], ...] = ()
        if protocol == "http":
            http_version = self.value(scope, "proxy_http_version", "str")
            connection, shadowed = self.header(scope, "Connection")
            headers, dropped = self.headers(scope)
        found_resolver, _, hidden_resolver = scope.find("resolver")
        resolver: Sourced[str] | None = None
        if hidden_resolver is not None:
            resolver = _hidden(hidden_resolver, "resolver", "str")
        elif found_resolver:
            resolver = self.value(scope, "resolver", "list")
        return Route(
            server_name=server_name,
            location=" ".join(location.args) if location is not None else "",
            location_source=_source(location) if location is not None else None,
            pass_directive=_directive(stmt),
            protocol=protocol,
            target=self._target(stmt, protocol),
            read_timeout=self.value(scope, f"{module}_read_timeout", "time"),
            send_timeout=self.value(scope, f"{module}_send_timeout", "time"),
            connect_timeout=self.value(scope, f"{module}_connect_timeout", "time"),
            http_version=http_version,
            connection_header=connection,
            connection_dropped=shadowed,
            headers=headers,
            headers_dropped=dropped,
            client_max_body_size=self.value(scope, "client_max_body_size", "offset"),
            client_header_buffer_size=self.value(scope, "client_header_buffer_size", "size"),
            large_client_header_buffers=self.value(scope, "large_client_header_buffers", "pair"),
            buffering=self.value(scope, f"{module}_buffering", "str"),
            request_buffering=self.value(scope, f"{module}_request_buffering", "str"),
            buffer_size=self.value(scope, f"{module}_buffer_size", "size"),
            buffers=self.value(scope, f"{module}_buffers", "pair"),
            busy_buffers_size=self.value(scope, f"{module}_busy_buffers_size", "size"),
            next_upstream=self.value(scope, f"{module}_next_upstream", "list"),
            next_upstream_tries=self.value(scope, f"{module}_next_upstream_tries", "count"),
            next_upstream_timeout=self.value(scope, f"{module}_next_upstream_timeout", "time"),
            resolver=resolver,
            keepalive_timeout=self.value(scope, "keepalive_timeout", "time"),
            local=local,
        )

    def headers(
        self, scope: _Scope
    ) -> tuple[dict[str, Sourced[str]], tuple[tuple[str, Source], ...]]:
        """proxy_set_header as the route sees it, and the outer ones it does not inherit."""
        found, level, hidden = scope.find("proxy_set_header")
        if hidden is not None:
            return {}, ()
        headers: dict[str, Sourced[str]] = {}
        for stmt in found or []:
            if len(stmt.args) >= 2:
                headers[stmt.args[0].lower()] = self.header_value(stmt)
        dropped: list[tuple[str, Source]] = []
        outer = level.parent if level is not None else None
        while outer is not None:
            for stmt in outer.local.get("proxy_set_header") or []:
                name = stmt.args[0].lower() if stmt.args else ""
                if name and name not in headers and all(d[0] != name for d in dropped):
                    dropped.append((name, _source(stmt)))
            outer = outer.parent
        return headers, tuple(dropped) if found else ()

    def _target(self, stmt: Stmt, protocol: Protocol) -> Target:
        raw = stmt.args[0] if stmt.args else ""
        scheme, authority, uri = addr.parse_proxy_url(raw)
        variables = "$" in raw
        if UNKNOWN_MARK in raw:
            unknown_uri = uri if uri is None or UNKNOWN_MARK not in uri else None
            if UNKNOWN_MARK in authority:
                return Target(raw=raw, scheme=scheme, uri=unknown_uri, unknown=PLACEHOLDER)
            uri = unknown_uri
        if "$" in authority:
            return Target(raw=raw, scheme=scheme, dynamic=True, variables=True, uri=uri)
        host, port = addr.split_host_port(authority)
        # nginx compares upstream names without regard to case (ngx_strncasecmp)
        name = self._lower_names.get(host.lower())
        if not authority.startswith("unix:") and port is None and name is not None:
            upstream = self.upstreams[name]
            return Target(
                raw=raw,
                scheme=scheme,
                upstream=upstream.name,
                servers=upstream.servers,
                uri=uri,
                variables=variables,
                unknown=upstream.unknown,
            )
        default_port = {"http": 80, "https": 443}.get(scheme) if protocol == "http" else None
        server = UpstreamServer(
            address=_address(authority, default_port),
            params=(),
            source=_source(stmt),
        )
        return Target(raw=raw, scheme=scheme, servers=(server,), uri=uri, variables=variables)


# an address as nginx reads it; kept, as the same one ("listen 80") is in thousands of server
# blocks of a large config (an Address is immutable: one object serves them all)
_address = functools.lru_cache(maxsize=4096)(addr.parse_nginx_host_port)


def _header_entry(stmts: list[Stmt], header: str) -> Stmt | None:
    for stmt in reversed(stmts):
        if len(stmt.args) >= 2 and stmt.args[0].lower() == header.lower():
            return stmt
    return None


def _broken(name: str, path: str, line: int, column: int | None, context: tuple[str, ...]) -> Stmt:
    """The mark a statement that failed to parse leaves in its block: ``name`` is unknown there
    (what the file meant to set is not read, and no rule may advise from the default)."""
    return Stmt("#broken", (), path, line, column, context, opaque=True, hides=name)


def _hider(scope: _Scope, name: str) -> Stmt | None:
    """The unreadable include, or the statement of ``name`` that failed to parse, that may set
    ``name`` at this level."""
    broken = scope.hidden.get(name)
    if scope.hide_all is None:
        return broken
    if broken is None or scope.hide_all.line <= broken.line:
        return scope.hide_all
    return broken


def _hidden(include: Stmt, name: str, kind: str) -> Sourced[Any]:
    """A value an unreadable include may set, or a statement that failed to parse meant to set:
    unknown, and the rules that need it stay quiet."""
    cls: Any = _SOURCED_STR if kind == "str" else _SOURCED_INT
    if include.hides is not None:
        reason = f"{name} at {include.path}:{include.line} could not be parsed"
    else:
        reason = f'{name} may be set in include "{include.args[0]}", which was not found'
    hidden: Sourced[Any] = cls(value=None, raw="", source=_source(include), unknown=reason)
    return hidden


def _typed(raw: str, kind: str, source: Source) -> Sourced[Any]:
    value: Any
    if UNKNOWN_MARK in raw:
        cls_: Any = _SOURCED_BY_KIND.get(kind, _SOURCED_INT)
        placeholder: Sourced[Any] = cls_(value=None, raw=raw, source=source, unknown=PLACEHOLDER)
        return placeholder
    if kind == "time":
        value = UNLIMITED_MS if raw == "unlimited" else parse_time(raw)
    elif kind == "offset":
        value = parse_size(raw, offset=True)
    elif kind == "size":
        value = parse_size(raw)
    elif kind == "count":
        first = raw.split()[0] if raw.split() else ""
        value = decimal(first) if raw != "" else 0
    elif kind == "pair":  # "8 4k": (number, size)
        parts = raw.split()
        number = decimal(parts[0]) if parts else None
        size = parse_size(parts[1]) if len(parts) == 2 else None
        value = (number, size) if number is not None and size is not None else None
    else:
        value = raw
    cls: Any = _SOURCED_BY_KIND.get(kind, _SOURCED_INT)
    if value is None:
        sourced: Sourced[Any] = cls(
            value=None, raw=raw, source=source, unknown=f'invalid value "{raw}"'
        )
        return sourced
    return cls(value=value, raw=raw, source=source)  # type: ignore[no-any-return]


def _directive(stmt: Stmt) -> Directive:
    if stmt.built_directive is None:
        args = tuple(stmt.args)
        # positional, once per statement: (name, args, path, line, column, note, context,
        # invalid)
        stmt.built_directive = Directive(
            stmt.name,
            args,
            stmt.path,
            stmt.line,
            stmt.column,
            stmt.origin,
            stmt.context,
            invalid_value(stmt.name, args, stmt.context[-1:] == ("upstream",)),
        )
    return stmt.built_directive


# directives whose size takes g as well (ngx_conf_set_off_slot)
# the size directives nginx parses with ngx_conf_set_off_slot (a "g" suffix allowed); the
# *_max_temp_file_size ones use ngx_conf_set_size_slot: "2g" is "directive invalid value"
OFFSET_DIRECTIVES = frozenset({"client_max_body_size", "directio"})
# time arguments read in seconds (ngx_parse_time(..., 1)): no "ms"
SECOND_TIMES = frozenset({"proxy_cache_valid", "uwsgi_cache_valid"})


@functools.lru_cache(maxsize=4096)
def invalid_value(name: str, args: tuple[str, ...], upstream: bool) -> str | None:
    """nginx's own complaint about a time or size argument, as `nginx -t` words it (in an
    ``upstream`` block or not). Kept for the statements written alike (a large config repeats
    the same few thousand times)."""
    joined = "".join(args)
    if "$" in joined or UNKNOWN_MARK in joined:  # a variable, or a template placeholder
        return None
    key = f"upstream:{name}" if upstream else name
    entry = NGINX_DIRECTIVES.get(key) or NGINX_DIRECTIVES.get(name)
    if entry is None:
        return None
    syntax = entry[4]
    checks: list[tuple[str, str]] = []  # (argument, kind)
    if syntax in ("time", "timeout") and args:
        checks.append((args[0], "time"))
    elif syntax == "timeout [header_timeout]" and args:
        checks.append((args[0], "time"))
        if len(args) > 1:
            checks.append((args[1], "sec"))
    elif syntax in ("size", "size | off") and args and args[0] != "off":
        checks.append((args[0], "offset" if name in OFFSET_DIRECTIVES else "size"))
    elif syntax == "number size" and len(args) == 2:
        if not args[0].isdigit():
            return f'invalid value "{args[0]}" in "{name}" directive'
        checks.append((args[1], "size"))
    elif name in SECOND_TIMES and args:
        checks.append((args[-1], "sec"))
    for arg, kind in checks:
        if kind == "time":
            ok = parse_time(arg) is not None
        elif kind == "sec":
            ok = parse_time(arg, sec=True) is not None
        else:
            ok = parse_size(arg, offset=kind == "offset") is not None
        if not ok:
            return f'invalid value "{arg}" in "{name}" directive'
    return None


def _flatten(stmts: list[Stmt]) -> Iterator[Directive]:
    for stmt in stmts:
        if stmt.path and stmt.hides is None:
            yield _directive(stmt)
        if stmt.block is not None:
            yield from _flatten(stmt.block)


# --- entry point -------------------------------------------------------------------------------


def _allowed(loader: _Loader, roots: list[str], prefix: str | None) -> list[str]:
    """Files are read from the working directory, the prefix and the roots' folders only. A
    server's files (nginx -T) are in memory: their folders, and the prefix then (the server's),
    are no folders of this host."""
    folders = list(common_roots())  # the run's (the working directory outside a run)
    for root in roots:
        if loader.is_served(root):
            continue
        home = default_prefix(os.path.dirname(root) or ".")
        folders.append(prefix if prefix is not None and loader.server is None else home)
    return sorted({os.path.realpath(folder) for folder in folders})


def group_roots(
    paths: list[str],
    others: Sequence[str] = (),
    prefix: str | None = None,
    lexed: dict[str, Lexed] | None = None,
    sources: Sources | None = None,
    placeholders: Placeholders | None = None,
) -> list[list[str]]:
    """The nginx configurations ``paths`` belong to, as lists of root files, one per server.

    A file that another file includes is read inside that file: ``others`` are further files
    (found under the working directory) that may be the root of a snippet named in ``paths``.
    Each main file (``events``/``http`` at its top level) is one server's configuration; the
    fragments that no main file includes are grouped by the folder they configure (the folder
    above ``sites-enabled``, ``conf.d``...). Nothing is reported here: ``load_nginx`` reports.
    ``lexed``: files already lexed in this run (filled in here), by real path.
    """
    loader = _Loader(
        facts=Facts(),
        prefix=prefix,
        problems=Problems(),
        grouping=True,
        sources=sources,
        placeholders=placeholders,
    )
    if lexed is not None:
        loader.lexed = lexed
    universe = list(dict.fromkeys([*paths, *others]))
    loader.allowed = _allowed(loader, universe, prefix)
    # which file includes which: a file named alone (the usual ``gwlint check nginx.conf``) is
    # its own root whatever it includes; of mutual includes (a cycle), the first one listed
    includers = _Includers(loader, universe)
    roots = includers.independent()
    named = set(paths)
    if any(root not in named for root in roots):
        reaching = includers.reaching({loader.real(p) for p in paths})
        roots = [r for r in roots if r in named or r in reaching]
    groups: dict[str, list[str]] = {}
    for root in roots:
        context, _ = root_context(loader.top_level_names(root))
        home = default_prefix(os.path.dirname(root) or ".")
        key = f"main:{root}" if context == () else f"fragments:{os.path.normpath(home)}"
        groups.setdefault(key, []).append(root)
    return list(groups.values())


def load_nginx(
    roots: list[str],
    facts: Facts,
    problems: Problems,
    prefix: str | None = None,
    sysroot: str | None = None,
    lexed: dict[str, Lexed] | None = None,
    sources: Sources | None = None,
) -> NginxConfig:
    """Read the root files, and everything they include, into one ``NginxConfig``.

    A root that another root includes is read only there, in the context it is included in.
    Fragments (top-level ``server``/``upstream``/``location``) are read as if included in ``http``.
    ``sysroot``: the files are a running server's (``nginx -T``), in memory at their own paths
    (``loaders.sources.serving``): what they include is looked up there, never on this host.
    ``lexed``: files already lexed in this run (``group_roots`` lexes them too), by real path.
    """
    del sysroot  # the server's files are known by ``loader.server``
    loader = _Loader(facts=facts, prefix=prefix, problems=problems, sources=sources)
    if lexed is not None:
        loader.lexed = lexed
    loader.allowed = _allowed(loader, roots, prefix)
    # a root another root includes is read there; of mutual includes, the first one given
    kept = _Includers(loader, roots).independent() if len(roots) > 1 else roots
    http_level: list[Stmt] = []
    other: list[Stmt] = []
    main_files = 0
    for root in kept:
        loaded = loader.read(root)
        if loaded is None:
            continue
        context, cp_ctx = root_context(loader.top_level_names(root))
        root_dir = os.path.dirname(root) or "."
        stmts = loader.parse(root, context, cp_ctx, root_dir, (loader.real(root),))
        if context == ("http", "server", "location"):
            # a snippet read inside a location: give it one, in a server of its own
            location = Stmt(
                "location", ("(snippet)",), root, 1, None, ("http", "server"), block=stmts
            )
            http_level.append(Stmt("server", (), root, 1, None, ("http",), block=[location]))
        elif context == ("http", "server"):
            http_level.append(Stmt("server", (), root, 1, None, ("http",), block=stmts))
        elif context == ("http",):
            http_level.extend(stmts)
        else:
            other.extend(stmts)
            main_files += 1
    for read in loader._files.values():
        if read is not None:
            # only parsing reads these: not held while the model is built (another deployment
            # of the run that includes the file lexes it again)
            read.lines = []
            read.tokens = nginx_lexer.Tokens()
            read.lexed.release()
    tree = list(other)
    if http_level:
        # fragments are read as if they were included in one http {} block
        tree.append(Stmt("http", (), "", 0, None, (), block=http_level))
    builder = _Builder(facts=facts)
    for stmt in tree:
        if stmt.name == "http" and stmt.block is not None:
            for inner in stmt.block:
                if inner.name == "upstream" and inner.block is not None:
                    builder.upstream(inner)
    builder.walk(tree, None, "", None)
    main: dict[str, Sourced[str]] = {}
    for stmt in other:
        if stmt.name in ("worker_processes", "user") and stmt.args:
            main[stmt.name] = _typed(" ".join(stmt.args), "str", _source(stmt))
        if stmt.name == "events" and stmt.block:
            for inner in stmt.block:
                if inner.name == "worker_connections" and inner.args:
                    main[inner.name] = _typed(inner.args[0], "str", _source(inner))
    directives = tuple(_flatten(tree))
    positions: dict[str, list[int]] = {}
    for index, directive in enumerate(directives):
        positions.setdefault(directive[0], []).append(index)  # (its name)
    config = NginxConfig(
        files=tuple(loader.files),
        version_label=facts.nginx_label,
        upstreams=builder.upstreams,
        routes=tuple(builder.routes),
        directives=directives,
        positions=positions,
        main=main,
        listens=tuple(_listens(tree, facts)),
        fragment=main_files == 0,
    )
    return config


def _listens(stmts: list[Stmt], facts: Facts) -> Iterator[Listen]:
    """The addresses of every server block of http (``listen``; ``*:80`` without one)."""
    for stmt in stmts:
        if stmt.block is None:
            continue
        if stmt.name == "server" and stmt.context == ("http",):
            found = [inner for inner in stmt.block if inner.name == "listen" and inner.args]
            for listen in found:
                text = listen.args[0]
                if UNKNOWN_MARK in text:
                    continue  # a template placeholder: where it listens is not known
                if text.isdigit():
                    text = f"*:{text}"
                address = _address(text, 80)
                yield Listen(address=address, source=_source(listen))
            if not found:
                # nginx's default: *:80 when it runs as root (else *:8000)
                address = _address("*:80", 80)
                yield Listen(address=address, source=Source(default_of=facts.nginx_label))
        elif stmt.name == "http":
            yield from _listens(stmt.block, facts)


# --- access logs (``gwlint diagnose``) ---------------------------------------------------------


def access_formats(config_paths: list[str]) -> dict[str, str]:
    """Every ``access_log PATH [FORMAT]`` of the nginx configs -> the ``log_format`` it writes.

    The configs are grouped and read as ``check`` reads them (includes followed, with the same
    limits; a file that fails to parse gives what was read before the error, and nothing is
    reported). The format is the ``log_format``'s strings joined, as nginx joins them
    (src/http/modules/ngx_http_log_module.c ``ngx_http_log_compile_format``), preceded by
    ``escape=json `` (or ``none``, ``default``) when the format sets it; ``combined`` (nginx's
    predefined format) when the ``access_log`` names none. ``access_log off``, ``syslog:``
    destinations and formats the config does not define are left out; a path written twice keeps
    its first format. Keys are the paths as the config writes them.
    """
    from gwlint.diagnose.formats import COMBINED  # not imported by ``check``

    found: dict[str, str] = {}
    paths = list(dict.fromkeys(config_paths))
    if not paths:
        return found
    for roots in group_roots(paths):
        config = load_nginx(roots, Facts(), Problems())
        named: dict[str, str] = {"combined": COMBINED}
        logs: list[tuple[str, str]] = []
        for directive in config.directives:
            args = list(directive.args)
            if directive.name == "log_format" and len(args) >= 2:
                escape = ""
                if args[1].startswith("escape=") and len(args) >= 3:
                    escape = args.pop(1) + " "
                named.setdefault(args[0], escape + "".join(args[1:]))
            elif directive.name == "access_log" and args and args[0] != "off":
                logs.append((args[0], args[1] if len(args) > 1 else "combined"))
        for path, name in logs:
            if path.startswith("syslog:") or name not in named:
                continue
            found.setdefault(path, named[name])
    return found
