"""Apache httpd configs (httpd.conf, apache2.conf, ``sites-enabled/*.conf``, ``conf.d/*.conf``)
-> ``FrontConfig``, read the way httpd 2.4 reads them.

Why a parser of our own. The PyPI parsers were judged against what gwlint needs (a position for
every value, httpd's own line and word rules, includes, ``Define``):

- ``apacheconfig`` 0.3.2 (last release 2020-01; ``ply`` and ``six``): a Perl Config::General
  clone, not httpd. Its result is a dict, so directives lose their order across names and every
  position; values are one string, quotes left in and words not split; ``Define``/``${VAR}`` are
  not httpd's (``${X}`` stays as written); a syntax error is ``ApacheConfigError`` without a line
  ("Unexpected EOF", "Parser error at 'Location'").
- ``a2conf`` 0.3.5 (2025-11; pulls ``requests``): keeps file and line, but no continuation lines
  (the ``timeout=10`` of a continued ``ProxyPass`` becomes a directive of its own), cuts a ``#``
  anywhere in a line (httpd does not), leaves arguments unsplit and unquoted, no ``Define``,
  and reports a line it cannot read with ``print`` and ``assert``.
- ``httpd-pyparser`` 0.3 (2023-03; ``ply``): one string at a time (no includes, no ``Define``),
  accepts an unclosed ``<VirtualHost>``, fails with a bare ``Exception`` on a section in a
  section, and writes PLY tables at run time.
- ``apache-conf-parser`` 1.0.1 (2011) does not import on Python 3 (``TabError``);
  ``parse-apache-configs`` 0.0.2 (2016; ``pyparsing``) fails on a continuation line;
  ``certbot-apache`` reads through Augeas (a C library and certbot's whole stack).

None gives a line to every value, and none follows httpd's own rules, which take a few dozen
lines each: ``ap_cfg_getline`` (a backslash right before the newline continues the line; the
whole line is trimmed; ``#`` starts a comment only as the first character, so ``ProxyTimeout 60
# note`` is an error: "takes one argument"), ``ap_resolve_env`` (``${NAME}`` replaced in the
whole line, from ``Define`` then the environment, before words are split) and
``ap_getword_conf`` (words split on spaces, ``"..."`` and ``'...'`` quotes with ``\\"`` and
``\\\\`` escapes). So the reader is this module: httpd's rules, not another format's, with a
position (file, line, column) for every directive and every value, continued lines included,
the messages ``apache2 -t`` gives, and no dependency. Sources (httpd 2.4.62 tag, ``apache/httpd``):
``server/util.c:805-875`` (ap_getword_conf), ``server/util.c:1079-1194`` (ap_cfg_getline),
``server/config.c:1110-1246`` (ap_build_config_sub: comment, directive name, ``</X>`` rules),
``server/config.c:1387-1463`` (a section left open at the end of a file), ``server/core.c:1376``
(ap_resolve_env), ``server/config.c:1127-1131`` (resolved per line, not per word).

What is read, and how conservatively:

- Sections: ``<VirtualHost>`` (a site), ``<Location>``/``<LocationMatch>`` (a scope; a
  ``<Location P>`` also applies to every route under P, in config order, main server's first),
  ``<Proxy>``/``<ProxyMatch>`` (workers, balancers), the others (``<Directory>``, ``<Files>``...)
  are kept but apply to no proxied request. Conditional sections are decided as httpd decides
  them at read time where the files say enough, else read as if true: ``<IfModule m>`` as if
  every module were loaded (``<IfModule !m>`` skipped), ``<IfDefine X>`` by the ``Define``\\ s
  read so far (httpd started without ``-D``, as ``apache2ctl`` and the packaged units do),
  ``<IfVersion>`` against the version given (read when it cannot tell), ``<IfFile>``,
  ``<IfDirective>``, ``<IfSection>`` as if true. ``<If>`` is decided per request: its directives
  are taken (with a note); those of ``<ElseIf>``/``<Else>`` are not.
- ``Include``/``IncludeOptional``: globs in any part of the path, a folder read whole, sorted as
  httpd sorts (``server/util.c:3605-3779``), relative to ``ServerRoot`` when it is a folder gwlint
  reads, else to the root file's folder (the one above ``conf/`` for a ``conf/httpd.conf``); an
  absolute path under the server's root (``/etc/apache2/...``, ``/etc/httpd/...``) is looked up
  by its tail there, as a repository keeps it. Never outside the run's folders. An ``Include``
  that leads out or is missing is GW002; an ``IncludeOptional`` matching nothing is fine.
- ``Define NAME value``/``UnDefine`` and ``${NAME}``: a name no ``Define`` sets comes from
  httpd's environment (Debian's ``${APACHE_LOG_DIR}``): its value is unknown, never guessed
  (``FrontRoute.unknown`` or the setting's ``Sourced.unknown``).
- A syntax error httpd refuses (a section left open, a stray ``</Location>``, a directive taking
  one argument given two, a ``ProxyPass`` parameter it rejects, a byte order mark) is GW001 at
  its line, with httpd's own message (checked against ``apache2 -t`` of httpd 2.4.71); reading
  goes on, and the section errors that follow the first in a file are not repeated.
- The work is bounded whatever the input (``MAX_*``: lines, files, folder entries, section
  depth, ``${NAME}`` expansion, routes); reaching a budget is one GW001 that names it.

The model (httpd 2.4.62 unless said; ``modules/proxy`` abbreviated ``proxy/``):

- Routes: ``ProxyPass``/``ProxyPassMatch`` (also in ``<Location>``, one URL), ``ProxyPass /x !``
  is an exclusion (no route; ``proxy/mod_proxy.c:2096``), ``BalancerMember`` of a
  ``balancer://`` a ``ProxyPass`` uses (one route per member), ``RewriteRule ... [P]`` whose URL
  has a literal ``scheme://host:port`` (``modules/mappers/mod_rewrite.c:3748``). Targets
  ``http(s)://``, ``ws(s)://``, ``h2c://``/``h2://`` (protocol http), ``uwsgi://``,
  ``fcgi://``, ``scgi://``, and ``unix:/path|http://host/`` (a unix socket). Ports left out are
  the scheme's (``proxy/proxy_util.c:5110-5137``: fcgi 8000, scgi 4000 (``proxy/scgi.h:32``),
  h2c/ws 80, h2/wss 443, http 80, https 443); ``uwsgi://`` has none there, and although
  mod_proxy_uwsgi canonicalises with 3031 (``proxy/mod_proxy_uwsgi.c:55-81``) the connection
  takes the port of ``ap_proxy_determine_connection`` (``proxy/proxy_util.c:3238-3240``), 0: httpd
  2.4.71 logs ``attempt to connect to 127.0.0.1:0 ... failed`` for ``uwsgi://127.0.0.1/``. The
  address is kept as port 0, what httpd connects to.
- Workers are shared: a ``ProxyPass`` whose URL starts with the name of a worker defined before
  it in the same server (longest match; names lowercased to the path, default port dropped)
  uses that worker and its parameters, and its own are ignored (AH01146,
  ``proxy/mod_proxy.c:2138-2165``, ``proxy/proxy_util.c:1829-1935``). A ``unix:`` URL is named
  by its part after ``|``, so ``unix:/a.sock|http://localhost/`` and ``unix:/b.sock|http://
  localhost/`` share the first socket (seen on httpd 2.4.71: AH01145, then a connect to
  ``a.sock`` for the second). A route's servers are its worker's.
- read_timeout: ``timeout=`` of the worker (seconds, ``atoi``: ``proxy/mod_proxy.c:174-183``),
  else the ``ProxyTimeout`` its server had when the worker was defined (copied:
  ``PROXY_COPY_CONF_PARAMS``, ``proxy/mod_proxy.h:397``, ``proxy/mod_proxy.c:2145``), else
  ``ProxyTimeout`` of the virtual host, else of the main server (``proxy/mod_proxy.c:1747``),
  else ``Timeout`` (virtual host, else main server: ``server/config.c:2180``; default
  ``DEFAULT_TIMEOUT`` 60 s, ``include/httpd.h:161``, 300 s in 2.2): ``proxy/proxy_util.c:3965-
  3974``. ``timeout=`` of a ``ProxyPass`` to a ``balancer://`` is the wait for a free member
  (``proxy/mod_proxy.c:417-426``), not a read timeout: the members' own apply.
- connect_timeout: ``connectiontimeout=`` (``proxy/mod_proxy.c:317-327``), else the read
  timeout's chain (``proxy/proxy_util.c:3877-3889``).
- reuse: mod_proxy keeps a connection to the backend after a request and reuses it
  (``connection_cleanup``, ``proxy/proxy_util.c:1637-1685``) unless ``disablereuse=On`` or
  ``enablereuse=Off`` (``proxy/mod_proxy.c:209-226``), the URL of a ``ProxyPassMatch`` has a
  ``$`` substitution (``proxy/proxy_util.c:2122-2155``), or no worker is defined for it (a
  ``RewriteRule [P]`` alone: the generic worker, "no keepalive", ``proxy/proxy_util.c:2620-
  2634``). ``fcgi://``
  does not reuse unless ``enablereuse=On`` (``proxy/mod_proxy_fcgi.c:1206-1215``); ``uwsgi://``
  and ``scgi://`` close every connection (``proxy/mod_proxy_uwsgi.c:579``,
  ``proxy/mod_proxy_scgi.c:588``). ``keepalive=`` is TCP ``SO_KEEPALIVE``
  (``proxy/proxy_util.c:3890-3898``), not HTTP keep-alive: it changes nothing here.
- idle_timeout: ``ttl=`` (seconds, ``proxy/mod_proxy.c:127-135``): an idle connection older
  than that is closed when the pool is next used (apr_reslist, ``util-misc/apr_reslist.c:356-375``
  of APR trunk afda3e3, as in apr-util 1.6). Without ``ttl=`` an idle connection is kept without
  limit (``UNLIMITED_MS``). Under the prefork MPM there is no pool (``proxy/proxy_util.c:2309-
  2311``), so ``ttl=`` has no effect there (noted when ``mpm_prefork_module`` is loaded).
- The keep-alive race: before reusing a pooled connection httpd checks it (poll + ``MSG_PEEK``,
  ``ap_proxy_is_socket_connected``, ``proxy/proxy_util.c:3463-3498``, called by
  ``ap_proxy_check_connection``, ``proxy/proxy_util.c:3676-3740``, from
  ``ap_proxy_connect_backend``, ``proxy/proxy_util.c:3788``, and ``proxy/mod_proxy_http.c:2050``):
  a connection the app closed *before* the check is dropped and a new one opened. One the app
  closes between the check and the request is not: the status line read fails (AH01102,
  ``proxy/mod_proxy_http.c:1110``) and the request is not resent (the only retry is after a
  failed ``ping=`` 100-continue probe, ``proxy/mod_proxy_http.c:2069-2083``); for a client on a
  kept-alive connection httpd closes it without a response so that the client may retry
  (``proxy/mod_proxy_http.c:1122-1150``), else the client gets a 502. httpd's own comment calls
  it "the unavoidable local is_socket_connected() vs remote keepalive race condition"
  (``proxy/mod_proxy_http.c:2010-2019``). So the race exists, narrowed: ``retries_idempotent`` is
  False.
- body_limit: ``LimitRequestBody`` (any scope; ``server/core.c:3752-3765``), default 1 GiB since
  2.4.54 and unlimited before (``AP_DEFAULT_LIMIT_REQ_BODY``, ``server/core.c:70``, 0 in 2.4.53);
  it applies to proxied bodies (``modules/http/http_filters.c:371``).
- field_limit: ``LimitRequestFieldSize`` (server, virtual host; a virtual host starts from the
  main server's value at its ``<VirtualHost>`` line, ``server/config.c:2115``), default 8190
  (``include/httpd.h:198``).
- headers: ``RequestHeader set|add|append|merge|setifempty|unset`` in config order, main server,
  virtual host, then locations (``modules/metadata/mod_headers.c:260``); ``env=``/``expr=``
  conditions are noted. mod_proxy_http adds ``X-Forwarded-For``/``-Host``/``-Server`` unless
  ``ProxyAddHeaders Off`` (``proxy/proxy_util.c:4725-4747``, default On
  ``proxy/mod_proxy.c:1794``); it never sets ``X-Forwarded-Proto``.
- preserve_host: ``ProxyPreserveHost`` (default Off, ``proxy/mod_proxy.c:1790``).
- client_keepalive: ``KeepAliveTimeout`` (``modules/http/http_core.c:51-75``, default 5 s
  ``include/httpd.h:166``; ``KeepAlive Off`` -> 0). A virtual host without its own takes the main
  server's (``server/config.c:2183``; httpd takes the first virtual host on the same address,
  ``modules/http/http_core.c:194-202``, which gwlint does not pair).
- A ``ProxyPass`` in the main server also serves the virtual hosts; it is one route, with the
  main server's values. A balancer no ``ProxyPass`` read uses still gives its members' routes
  (the ``ProxyPass`` may be in a file gwlint was not given).
"""

from __future__ import annotations

import bisect
import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from gwlint.loaders.common import OUTSIDE_NOTE, Problems, outside, read_text
from gwlint.model import address as addr
from gwlint.model.address import Address
from gwlint.model.front import FrontConfig, FrontRoute, FrontSetting
from gwlint.model.nginx import Protocol, UpstreamServer
from gwlint.model.source import Source, Sourced, default_of
from gwlint.model.units import UNLIMITED_MS

KIND = "Apache httpd"
_INT = Sourced[int]
_BOOL = Sourced[bool]
_STR = Sourced[str]
MAIN_NAMES = frozenset({"httpd.conf", "apache2.conf", "apache.conf"})
# folders whose files are pieces of one server's configuration, kept in the folder above
FRAGMENT_DIRS = frozenset(
    {
        "sites-enabled",
        "sites-available",
        "conf.d",
        "conf-enabled",
        "conf-available",
        "mods-enabled",
        "mods-available",
        "vhosts.d",
        "extra",
        "other",
    }
)
# where packages put ServerRoot: an absolute include under one of them is looked up by its tail
STOCK_ROOTS = ("/etc/apache2", "/etc/httpd", "/usr/local/apache2", "/usr/local/etc/apache24")

# Budgets: the work one configuration may cost, each checked before the work it bounds
MAX_INCLUDE_DEPTH = 32  # httpd stops at 128 (AP_MAX_INCLUDE_DEPTH, server/core.c:82)
MAX_NESTING = 64  # sections inside sections
MAX_FILES = 2000  # files read for one configuration
MAX_GLOB_ENTRIES = 20_000  # folder entries looked at by the globs of one configuration
MAX_LINES = 200_000  # logical lines read, all files together
MAX_LINE = 1024 * 1024  # characters of one line once ${NAME} are replaced
MAX_EXPANDED = 8 * 1024 * 1024  # characters that ${NAME} replacements make, all lines together
MAX_ROUTES = 5000  # routes of one configuration (a real one has tens)
MAX_GROUP_READS = 20_000  # files read to find which file includes which (group_apache)

_SPACE = " \t\n\v\f\r"  # apr_isspace in the C locale
_ONE_GIB = 1 << 30
_SCHEMES: dict[str, tuple[Protocol, int]] = {
    "http": ("http", 80),
    "https": ("http", 443),
    "ws": ("http", 80),
    "wss": ("http", 443),
    "h2c": ("http", 80),
    "h2": ("http", 443),
    "fcgi": ("fastcgi", 8000),
    "scgi": ("scgi", 4000),
    "uwsgi": ("uwsgi", 0),  # no default port where httpd connects (see the module docstring)
}
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]{0,31})://")
_IF_FAMILY = frozenset({"if", "elseif", "else"})
_CONDITIONS = frozenset({"ifmodule", "ifdefine", "ifversion", "iffile", "ifdirective", "ifsection"})
# directives httpd takes in the server or a virtual host only (RSRC_CONF)
_SERVER_ONLY = frozenset(
    {"timeout", "proxytimeout", "keepalivetimeout", "keepalive", "limitrequestfieldsize"}
)
_TAKE1 = frozenset(
    {
        "timeout",
        "proxytimeout",
        "keepalivetimeout",
        "limitrequestbody",
        "limitrequestfieldsize",
        "servername",
        "serverroot",
        "include",
        "includeoptional",
        "undefine",
        "keepalive",
        "proxypreservehost",
        "proxyaddheaders",
        "rewriteengine",
    }
)
# the FLAG directives: httpd reads their first word only (server/config.c:1033-1044)
_FLAGS = frozenset({"keepalive", "proxypreservehost", "proxyaddheaders", "rewriteengine"})


# --- lines and words -----------------------------------------------------------------------


Pos = tuple[int, int]  # (line, column), both from 1


@dataclass(slots=True)
class _Logical:
    """One line as httpd reads it: continued lines joined, trimmed; where each piece of it is."""

    text: str
    # (index in text, line, column) where each physical line's part of the text starts
    pieces: list[tuple[int, int, int]]

    def at(self, index: int) -> Pos:
        """The line and column of the character at ``index``."""
        k = bisect.bisect_right(self.pieces, (index, _BIG, _BIG)) - 1
        start, line, column = self.pieces[max(k, 0)]
        return line, column + (index - start)


_BIG = 1 << 62


def logical_lines(text: str) -> Iterator[_Logical]:
    """The lines of a file as ``ap_cfg_getline`` makes them (server/util.c:1079-1194): a
    backslash right before the newline (``\\r\\n`` too) joins the next line, without the
    backslash and the newline; the last line of a file is never continued. Each line is then
    trimmed of spaces at both ends (``cfg_trim_line``); empty lines are left out."""
    physical = text.split("\n")
    last = len(physical) - 1
    parts: list[str] = []
    pieces: list[tuple[int, int, int]] = []
    size = 0
    for number, raw in enumerate(physical):
        content = raw
        cont = False
        if number < last:  # a newline follows this line
            body = content[:-1] if content.endswith("\r") else content
            if body.endswith("\\"):
                content = body[:-1]
                cont = True
        if content:
            parts.append(content)
            pieces.append((size, number + 1, 1))
            size += len(content)
        if cont:
            continue
        joined = "".join(parts)
        stripped = joined.lstrip(_SPACE)
        start = len(joined) - len(stripped)
        stripped = stripped.rstrip(_SPACE)
        if stripped:
            # re-base the pieces on the trimmed text
            k = bisect.bisect_right(pieces, (start, _BIG, _BIG)) - 1
            first_start, first_line, first_column = pieces[k]
            rebased = [(0, first_line, first_column + start - first_start)]
            rebased.extend((index - start, line, column) for index, line, column in pieces[k + 1 :])
            yield _Logical(stripped, [piece for piece in rebased if piece[0] < len(stripped)])
        parts = []
        pieces = []
        size = 0


def _unescape(text: str, quote: str) -> str:
    """``substring_conf`` (server/util.c:805-826): ``\\\\`` -> ``\\``, and inside quotes
    ``\\"`` -> ``"``; any other backslash is kept."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and (text[i + 1] == "\\" or (quote and text[i + 1] == quote)):
            out.append(text[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


_SPACES = re.compile(r"[ \t\n\v\f\r]*")
_NONSPACES = re.compile(r"[^ \t\n\v\f\r]*")


def _closing(text: str, quote: str, i: int) -> int:
    """The index of the quote that ends a quoted word opened before ``i`` (``len(text)`` when
    none): a quote after an odd run of backslashes is escaped."""
    while True:
        j = text.find(quote, i)
        if j == -1:
            return len(text)
        k = j
        while k > i and text[k - 1] == "\\":
            k -= 1
        if (j - k) % 2 == 0:
            return j
        i = j + 1


def getword_conf(text: str, i: int = 0) -> tuple[str, int, int]:
    """``ap_getword_conf`` (server/util.c:833-875) from index ``i``: the word, the index where it
    starts, the index after it and the spaces that follow. An unterminated quote runs to the end
    of the line."""
    n = len(text)
    found = _SPACES.match(text, i)
    i = found.end() if found else i
    if i >= n:
        return "", n, n
    start = i
    quote = text[i]
    if quote in "\"'":
        j = _closing(text, quote, i + 1)
        word = _unescape(text[i + 1 : j], quote)
        if j < n:
            j += 1
    else:
        word_end = _NONSPACES.match(text, i)
        j = word_end.end() if word_end else n
        word = _unescape(text[i:j], "")
    after = _SPACES.match(text, j)
    return word, start, after.end() if after else j


def split_words(text: str, start: int = 0) -> list[tuple[str, int]]:
    """Every word of ``text`` from ``start``, with the index each starts at."""
    words: list[tuple[str, int]] = []
    i = start
    while i < len(text):
        word, begin, i = getword_conf(text, i)
        if begin >= len(text):
            break
        words.append((word, begin))
    return words


# --- the tree ------------------------------------------------------------------------------


@dataclass(eq=False)
class Node:
    """A directive or a section, after includes and conditional sections are followed."""

    name: str  # as written, without "<" for a section
    args: tuple[str, ...]
    arg_at: tuple[Pos, ...]  # where each argument starts
    path: str
    line: int
    column: int
    section: bool = False
    children: list[Node] = field(default_factory=list)
    undefined: tuple[str, ...] = ()  # ${NAME}s in the line that nothing defines
    condition: str | None = None  # inside "<If ...>": the directive applies per request

    @property
    def key(self) -> str:
        return self.name.lower()

    def source(self, index: int | None = None) -> Source:
        """Where the directive is, or where its argument ``index`` starts."""
        if index is not None and index < len(self.arg_at):
            line, column = self.arg_at[index]
            return Source(path=self.path, line=line, column=column, note=self.condition)
        return Source(path=self.path, line=self.line, column=self.column, note=self.condition)

    def label(self) -> str:
        """``<Location /api>`` for a section."""
        inner = " ".join(self.args)
        return f"<{self.name} {inner}>" if inner else f"<{self.name}>"


def unknown_reason(names: Iterable[str]) -> str:
    listed = ", ".join(f"${{{name}}}" for name in names)
    return (
        f"{listed} is not set by a Define in the files read: httpd takes it from its "
        "environment (Debian's /etc/apache2/envvars)"
    )


@dataclass
class _Frame:
    name: str  # the section's name as written (without "<")
    line: int
    column: int
    into: list[Node]  # where the directives inside go (the parent's list for a condition)
    node: Node | None = None
    condition: str | None = None


class _Stop(Exception):
    """A budget is exhausted: reading stops (reported once)."""


class _Reader:
    """Reads the files of one configuration, following includes, ``Define`` and conditional
    sections in the order httpd reads them (EXEC_ON_READ)."""

    def __init__(self, problems: Problems, home: str, version: tuple[int, ...]) -> None:
        self.problems = problems
        self.home = home
        self.root_dir = home  # where relative includes resolve
        self.server_root: str | None = None  # as written
        self.version = version
        self.defines: dict[str, str | None] = {}
        self.modules: set[str] = set()
        self.prefork = False
        self.files: list[str] = []
        self.chain: list[str] = []  # real paths of the files being read, outermost first
        self.lines = 0
        self.expanded = 0
        self.entries = 0
        self.stopped = False
        self.outside_reported: set[str] = set()
        self.broken = False  # a section error was reported in the file being read

    # -- budgets --

    def _budget(self, path: str, line: int, what: str) -> None:
        if not self.stopped:
            self.stopped = True
            self.problems.add(
                "GW001",
                path,
                line,
                f"{KIND} config: {what}; the rest of this configuration is not read",
            )
        raise _Stop

    # -- files --

    def read(self, path: str, by: str | None, line: int = 1) -> list[Node] | None:
        """The nodes of a file, includes followed; None when it cannot be read (reported)."""
        if self.stopped:
            return None
        real = os.path.realpath(path)
        if real in self.chain:
            assert by is not None  # a root is never in the chain
            self.problems.add(
                "GW001",
                by,
                line,
                f"Include of {path} again while reading it: httpd stops with 'Exceeded maximum "
                "include depth of 128, There appears to be a recursion.'",
            )
            return None
        if len(self.chain) >= MAX_INCLUDE_DEPTH:
            assert by is not None
            self.problems.add(
                "GW001",
                by,
                line,
                f"includes nested more than {MAX_INCLUDE_DEPTH} deep: {path} is not read",
            )
            return None
        if len(self.files) >= MAX_FILES:
            self._budget(by or path, line, f"more than {MAX_FILES} files included")
        text = read_text(path, "GW002" if by else "GW001", self.problems, kind=KIND, by=by)
        if text is None:
            return None
        if real not in {os.path.realpath(f) for f in self.files}:
            self.files.append(path)
        self.chain.append(real)
        try:
            return self._parse(path, text)
        finally:
            self.chain.pop()

    def _structure(self, path: str, line: int, message: str, column: int | None = None) -> None:
        """A section error: the first of a file is reported; those after it mostly follow from
        it (httpd stops at the first)."""
        if self.broken:
            return
        self.broken = True
        self.problems.add("GW001", path, line, message, column=column)

    def _parse(self, path: str, text: str) -> list[Node]:
        outer_broken, self.broken = self.broken, False
        try:
            return self._parse_lines(path, text)
        finally:
            self.broken = outer_broken

    def _parse_lines(self, path: str, text: str) -> list[Node]:
        if text.startswith("\ufeff"):
            # httpd reads the bytes of a byte order mark as part of the first word (2.4.71:
            # "Invalid command '\xef\xbb\xbfServerName'"); read on without them
            self.problems.add(
                "GW001",
                path,
                1,
                "the file starts with a UTF-8 byte order mark, which httpd reads as part of the "
                "first directive's name ('Invalid command'): save the file without it",
            )
            text = text[1:]
        top: list[Node] = []
        frames: list[_Frame] = []
        soak: list[tuple[str, int]] = []  # sections skipped (a false condition), innermost last
        for logical in logical_lines(text):
            self.lines += 1
            if self.lines > MAX_LINES:
                self._budget(path, logical.at(0)[0], f"more than {MAX_LINES:,} lines")
            line, column = logical.at(0)
            if logical.text.startswith("#"):
                self.problems.comment(path, line, logical.text[1:], own_line=True, column=column)
                continue
            if soak:
                self._soak(path, logical, soak)
                continue
            self._line(path, logical, top, frames, soak)
        for name, line in soak[:1]:
            self._structure(path, line, f"Expected </{name}> before end of configuration")
        for frame in frames[:1]:
            message = f"<{frame.name}> was not closed."
            if frame.node is None:
                message += (
                    " httpd reads to the end of the file while its condition holds, and refuses "
                    f"to start when it does not ('Expected </{frame.name}> before end of "
                    "configuration')"
                )
            self._structure(path, frame.line, message, frame.column)
        return top

    def _soak(self, path: str, logical: _Logical, soak: list[tuple[str, int]]) -> None:
        """A line inside a section whose condition is false (``ap_soak_end_container``,
        server/config.c:1629-1678): only sections opening and closing count."""
        name, _, after = getword_conf(logical.text)
        if not name.startswith("<"):
            return
        line = logical.at(0)[0]
        if name.startswith("</"):
            closed = name[2:-1]
            if closed.lower() != soak[-1][0].lower():
                self._structure(path, line, f"Expected </{soak[-1][0]}> but saw </{closed}>")
            soak.pop()
            return
        inner = name[1:]
        if after >= len(logical.text) and inner.endswith(">"):
            inner = inner[:-1]
        soak.append((inner, line))

    def _resolve(
        self, path: str, logical: _Logical
    ) -> tuple[str, Callable[[int], Pos], tuple[str, ...]]:
        """``ap_resolve_env`` (server/core.c:1376-1466) on the whole line: ``${NAME}`` from a
        ``Define``; a name nothing defines stays as written (httpd would look in its
        environment). Also: where each character of the result comes from (a replacement's, the
        ``${``)."""
        text = logical.text
        if "${" not in text:
            return text, logical.at, ()
        out: list[str] = []
        spans: list[tuple[int, int, bool]] = []  # (index in out, index in text, literal)
        undefined: list[str] = []
        size = 0
        i, n = 0, len(text)
        literal_from = 0
        while i < n:
            begin = text.find("${", i)
            end = text.find("}", begin + 2) if begin != -1 else -1
            if begin == -1 or end == -1:
                break
            name = text[begin + 2 : end]
            value = self.defines.get(name)
            if value is None:
                if ":" not in name and name not in undefined:
                    undefined.append(name)
                i = end + 1
                continue
            if begin > literal_from:
                spans.append((size, literal_from, True))
                out.append(text[literal_from:begin])
                size += begin - literal_from
            spans.append((size, begin, False))
            out.append(value)
            size += len(value)
            self.expanded += len(value)
            if size > MAX_LINE or self.expanded > MAX_EXPANDED:
                self._budget(path, logical.at(begin)[0], "${NAME} replacements too large")
            i = literal_from = end + 1
        if literal_from < n:
            spans.append((size, literal_from, True))
            out.append(text[literal_from:])

        def locate(index: int) -> Pos:
            k = bisect.bisect_right(spans, (index, _BIG, True)) - 1
            start, origin, literal = spans[max(k, 0)]
            return logical.at(origin + (index - start) if literal else origin)

        return "".join(out), locate, tuple(undefined)

    def _line(
        self,
        path: str,
        logical: _Logical,
        top: list[Node],
        frames: list[_Frame],
        soak: list[tuple[str, int]],
    ) -> None:
        """One line (``ap_build_config_sub``, server/config.c:1110-1246)."""
        text, locate, undefined = self._resolve(path, logical)
        line, column = logical.at(0)
        name, _, rest = getword_conf(text)
        if not name:
            return
        if name[1:2] != "/":
            if name.endswith(">"):
                name = name[:-1]
            if name.startswith("<") and rest >= len(text):
                text, rest = text + ">", len(text)
        into = frames[-1].into if frames else top
        condition = next((f.condition for f in reversed(frames) if f.condition), None)
        if name.startswith("</"):
            self._close(path, line, name, frames)
            return
        if name.startswith("<"):
            skipped = self._open(
                path, line, column, name[1:], text, locate, rest, undefined, into, frames
            )
            if skipped is not None:
                soak.append(skipped)
            return
        words = split_words(text, rest)
        node = Node(
            name=name,
            args=tuple(word for word, _ in words),
            arg_at=tuple(locate(index) for _, index in words),
            path=path,
            line=line,
            column=column,
            undefined=undefined,
            condition=condition,
        )
        key = node.key
        if key in _TAKE1 and not self._arity(node, text[rest:]):
            return
        if key in ("include", "includeoptional"):
            self._include(node, into)
            return
        if key == "define":
            self._define(node)
        elif key == "undefine":
            self.defines.pop(node.args[0], None)
        elif key == "serverroot":
            self._server_root(node)
        elif key == "loadmodule" and node.args:
            self.modules.add(node.args[0].lower())
            if node.args[0].lower() == "mpm_prefork_module":
                self.prefork = True
        into.append(node)

    def _arity(self, node: Node, args_text: str) -> bool:
        """TAKE1 and FLAG directives (server/config.c:920-927, 1033-1044)."""
        if node.key in _FLAGS:
            first = node.args[0].lower() if node.args else ""
            if first in ("on", "off"):
                return True
            message = f"{node.name} must be On or Off"
        else:
            if len(node.args) == 1 and node.args[0] != "":
                return True
            message = f"{node.name} takes one argument"
            if "#" in args_text:
                message += (
                    " (httpd reads a '#' after a directive as more arguments: a comment "
                    "must be on a line of its own)"
                )
        self.problems.add("GW001", node.path, node.line, message, column=node.column)
        return False

    def _close(self, path: str, line: int, name: str, frames: list[_Frame]) -> None:
        if not frames:
            inner = name[2:-1] if name.endswith(">") else name[2:]
            self._structure(path, line, f"{name} without matching <{inner}> section")
            return
        if not name.endswith(">"):
            self._structure(path, line, f"{name}> directive missing closing '>'")
            if name[2:].lower() == frames[-1].name.lower():
                frames.pop()  # read on as if closed
            return
        closed = name[2:-1]
        if closed.lower() != frames[-1].name.lower():
            self._structure(path, line, f"Expected </{frames[-1].name}> but saw </{closed}>")
            for depth in range(len(frames) - 1, -1, -1):
                if frames[depth].name.lower() == closed.lower():
                    del frames[depth:]
                    break
            return
        frames.pop()

    def _open(
        self,
        path: str,
        line: int,
        column: int,
        name: str,
        text: str,
        locate: Callable[[int], Pos],
        rest: int,
        undefined: tuple[str, ...],
        into: list[Node],
        frames: list[_Frame],
    ) -> tuple[str, int] | None:
        """A section opening: its arguments end at the last ``>`` (each section's handler).
        A conditional section whose condition is false is skipped: (its name, line)."""
        end = text.rfind(">", rest)
        if end == -1:
            self._structure(path, line, f"<{name}> directive missing closing '>'", column)
            end = len(text)
        if len(frames) >= MAX_NESTING:
            self._budget(path, line, f"sections nested more than {MAX_NESTING} deep")
        words = split_words(text[:end], rest)
        args = tuple(word for word, _ in words)
        key = name.lower()
        outer = next((f.condition for f in reversed(frames) if f.condition), None)
        if key in _CONDITIONS:
            holds = self._condition(key, name, text[rest:end], args, path, line)
            if not holds:
                return (name, line)
            frames.append(_Frame(name, line, column, into, condition=outer))
            return None
        if key in ("else", "elseif"):
            previous = next((n for n in reversed(into) if n.section and n.key in _IF_FAMILY), None)
            if previous is None or previous.key == "else":
                self.problems.add(
                    "GW001",
                    path,
                    line,
                    "<Else> or <ElseIf> section without previous <If> or <ElseIf> section in "
                    "same scope",
                    column=column,
                )
        node = Node(
            name=name,
            args=args,
            arg_at=tuple(locate(index) for _, index in words),
            path=path,
            line=line,
            column=column,
            section=True,
            undefined=undefined,
            condition=outer,
        )
        into.append(node)
        condition = outer
        if key == "if":
            condition = f"only when <If {' '.join(args)}>"
        frames.append(_Frame(name, line, column, node.children, node, condition))
        return None

    def _condition(
        self, key: str, name: str, raw: str, args: tuple[str, ...], path: str, line: int
    ) -> bool:
        """Whether httpd reads a conditional section (``start_cond_section``,
        server/core.c:2849-2888; ``start_ifversion``, modules/metadata/mod_version.c);
        undecidable ones are read."""
        if key == "ifversion":
            return self._ifversion(args)
        stripped = raw.lstrip(_SPACE)
        negated = stripped.startswith("!")
        words = split_words(stripped[1:] if negated else stripped)
        if not words or not words[0][0]:
            self.problems.add(
                "GW001", path, line, f"<{name}> directive requires additional arguments"
            )
            return False
        arg = words[0][0]
        # IfModule (as if loaded), IfFile, IfDirective, IfSection: as if true
        holds = arg in self.defines if key == "ifdefine" else True
        return holds != negated

    def _ifversion(self, args: tuple[str, ...]) -> bool:
        if not args:
            return True
        if len(args) == 1:
            operator, wanted = "=", args[0]
        else:
            operator, wanted = args[0], args[1]
        reverse = operator.startswith("!")
        if reverse:
            operator = operator[1:] or "="
        parts = wanted.split(".")
        # ASCII digits, a few: "²" is a digit to isdigit(), not to int(); 5000 digits are
        # beyond int()'s limit
        if not all(p.isascii() and p.isdigit() and len(p) <= 9 for p in parts) or operator not in (
            "=",
            "==",
            "<",
            "<=",
            ">",
            ">=",
        ):
            return True  # a regular expression: read
        number = tuple(int(part) for part in parts)
        known = self.version[: len(number)]
        if len(known) < len(number):
            common = number[: len(known)]
            if common != known:
                decided = {
                    "=": False,
                    "==": False,
                    "<": known < common,
                    "<=": known < common,
                    ">": known > common,
                    ">=": known > common,
                }[operator]
                return decided != reverse
            return True  # the part that decides is not known: read
        result = {
            "=": known == number,
            "==": known == number,
            "<": known < number,
            "<=": known <= number,
            ">": known > number,
            ">=": known >= number,
        }[operator]
        return result != reverse

    def _define(self, node: Node) -> None:
        if not node.args or len(node.args) > 2 or not node.args[0]:
            self.problems.add(
                "GW001", node.path, node.line, "Define takes 1-2 arguments", column=node.column
            )
            return
        name = node.args[0]
        if ":" in name:
            self.problems.add(
                "GW001",
                node.path,
                node.line,
                "Variable name must not contain ':'",
                column=node.column,
            )
            return
        value = node.args[1] if len(node.args) == 2 else None
        if node.undefined and value is not None and "${" in value:
            value = None  # made of unknown values: unknown itself
        if value is not None and len(value) > MAX_LINE:
            self._budget(node.path, node.line, "a Define value too large")
        self.defines[name] = value

    def _server_root(self, node: Node) -> None:
        value = node.args[0]
        self.server_root = value
        if node.undefined:
            return
        candidate = value if os.path.isabs(value) else os.path.join(self.home, value)
        if not outside(candidate, node.path) and os.path.isdir(candidate):
            self.root_dir = candidate
        elif os.path.basename(self.home) == "conf" and not value.rstrip("/").endswith("/conf"):
            # conf/httpd.conf with ServerRoot "/etc/httpd": includes are relative to the folder
            # above conf/ (Red Hat's and the upstream layouts)
            self.root_dir = os.path.dirname(self.home) or self.home

    # -- includes --

    def _include(self, node: Node, into: list[Node]) -> None:
        optional = node.key == "includeoptional"
        pattern = node.args[0]
        if node.undefined:
            self.problems.add(
                "GW002",
                node.path,
                node.line,
                f'{node.name} "{pattern}": {unknown_reason(node.undefined)}; the files it '
                "names are not checked",
                column=node.column,
                severity="info",
            )
            return
        targets = self.targets(pattern, node.path, optional, node.line, node.column)
        for target in targets or ():
            nodes = self.read(target, node.path, node.line)
            if nodes:
                into.extend(nodes)

    def _path_of(self, pattern: str, including: str) -> str:
        """Where httpd looks for an include (``ap_server_root_relative``), as the repository
        keeps it."""
        if not os.path.isabs(pattern):
            return os.path.normpath(os.path.join(self.root_dir, pattern))
        if not outside(pattern, including):
            return pattern
        roots = [self.server_root] if self.server_root and os.path.isabs(self.server_root) else []
        for root in [*roots, *STOCK_ROOTS]:
            root = root.rstrip("/")
            if pattern.startswith(root + "/"):
                return os.path.normpath(os.path.join(self.root_dir, pattern[len(root) + 1 :]))
        return pattern

    def targets(
        self, pattern: str, including: str, optional: bool, line: int, column: int | None
    ) -> list[str] | None:
        """The files an include reads, in httpd's order; None when it leads out or is missing
        (reported, except a missing ``IncludeOptional``)."""
        path = self._path_of(pattern, including)
        what = "IncludeOptional" if optional else "Include"
        if outside(path, including):
            if path not in self.outside_reported:
                self.outside_reported.add(path)
                self.problems.add(
                    "GW002",
                    including,
                    line,
                    f'{what} "{pattern}" lies outside the folders gwlint reads ({OUTSIDE_NOTE}): '
                    "its directives are not checked",
                    column=column,
                )
            return None
        try:
            found = self._expand(path, including)
        except _Stop:
            raise
        if found:
            return found
        if optional:
            return []
        magic = _has_magic(path)
        why = (
            "no file matches it (httpd: No matches for the wildcard, failing)"
            if magic
            else "not found (httpd: Could not open configuration file)"
        )
        self.problems.add(
            "GW002",
            including,
            line,
            f'Include "{pattern}": {why}: httpd refuses to start without it (looked for '
            f"{os.path.relpath(path)}); its directives are not checked",
            column=column,
            fix="keep the file in the repository where ServerRoot puts it, or use IncludeOptional",
        )
        return None

    def _expand(self, path: str, including: str) -> list[str]:
        """``ap_dir_fnmatch``/``ap_dir_nofnmatch`` (server/util.c:3605-3779): wildcards in any
        component (a leading dot matched only by a dot), a folder read whole and recursively,
        names sorted by bytes."""
        if not _has_magic(path):
            return self._whole(path, including, 0)
        head, parts = _split_root(path)
        level = [head]
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            following: list[str] = []
            for folder in level:
                if not _has_magic(part):
                    following.append(os.path.join(folder, part))
                    continue
                for name, is_dir in self._entries(folder, including):
                    if name.startswith(".") and not part.startswith("."):
                        continue
                    if not fnmatch.fnmatchcase(name, part):
                        continue
                    if not last and not is_dir:
                        continue
                    following.append(os.path.join(folder, name))
            level = following
        out: list[str] = []
        for found in level:
            # "./apache2/sites-enabled/x.conf" as "apache2/sites-enabled/x.conf": the name the
            # folder walk gives the same file
            out.extend(self._whole(os.path.normpath(found), including, 0))
        return out

    def _entries(self, folder: str, including: str) -> list[tuple[str, bool]]:
        if outside(folder, including) or not os.path.isdir(folder):
            return []
        try:
            with os.scandir(folder) as listing:
                entries: list[tuple[str, bool]] = []
                for entry in listing:
                    self.entries += 1
                    if self.entries > MAX_GLOB_ENTRIES:
                        self._budget(
                            including,
                            1,
                            f"globs of includes look at over {MAX_GLOB_ENTRIES:,} folder entries",
                        )
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    entries.append((entry.name, is_dir))
        except OSError:
            return []
        return sorted(entries, key=lambda item: item[0].encode("utf-8", "surrogateescape"))

    def _whole(self, path: str, including: str, depth: int) -> list[str]:
        """A file, or every file under a folder (recursively, sorted)."""
        if outside(path, including):
            return []
        if os.path.isdir(path):
            if depth >= MAX_INCLUDE_DEPTH:
                return []
            out: list[str] = []
            for name, _ in self._entries(path, including):
                out.extend(self._whole(os.path.join(path, name), including, depth + 1))
            return out
        return [path] if os.path.isfile(path) else []


def _has_magic(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def _split_root(path: str) -> tuple[str, list[str]]:
    if os.path.isabs(path):
        return os.sep, [part for part in path.split(os.sep) if part]
    return ".", [part for part in path.split(os.sep) if part]


# --- targets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a proxy URL connects to."""

    scheme: str  # lower case, after "unix:...|"
    protocol: Protocol | None  # None: a scheme gwlint does not pair (ajp://, ftp://...)
    address: Address
    name: str  # httpd's worker name (lower-cased to the path, default port dropped)


def parse_target(url: str) -> Target | None:
    """``http://host:port/path``, ``unix:/run/app.sock|http://localhost/``; None when httpd
    refuses it ("URL must be absolute!", ``ap_proxy_define_worker_ex``,
    proxy/proxy_util.c:2033-2048)."""
    rest = url
    socket: str | None = None
    if url[:5].lower() == "unix:" and "|" in url[5:]:
        bar = url.index("|", 5)
        socket = url[5:bar]
        if socket.startswith("//"):
            socket = socket[2:]  # unix:///run/app.sock: an empty authority
        rest = url[bar + 1 :]
        if rest.endswith(":") and rest.count(":") == 1:
            rest += "//localhost"  # "unix:...|http:" (ap_proxy_de_socketfy)
    found = _SCHEME.match(rest)
    if found is None:
        return None
    scheme = found.group(1).lower()
    after = rest[found.end() :]
    cut = len(after)
    for stop in ("/", "?", "#"):
        index = after.find(stop)
        if index != -1:
            cut = min(cut, index)
    authority, tail = after[:cut], after[cut:]
    if "@" in authority:
        authority = authority.rsplit("@", 1)[1]
    host, port_text = addr.split_host_port(authority)
    host = host.lower()
    if not host:
        if socket is None:
            return None
        host = "localhost"
    protocol, default_port = _SCHEMES.get(scheme, (None, None))
    port: int | None = default_port
    if port_text is not None:
        digits = port_text.isascii() and port_text.isdigit() and len(port_text) <= 5
        port = int(port_text) if digits and 0 < int(port_text) < 65536 else None
    shown = f"[{host}]" if ":" in host else host
    name_port = "" if port is None or port == default_port else f":{port}"
    name = f"{scheme}://{shown}{name_port}{tail}"
    if socket is not None:
        address = addr.unix(socket, url)
    elif "$" in authority:
        address = addr.unknown(url)
    elif port is None:
        address = addr.unknown(url) if port_text is not None else addr.tcp(host, None, url)
    else:
        address = Address(kind="tcp", host=host, port=port, raw=url)
    return Target(scheme=scheme, protocol=protocol, address=address, name=name)


def _url_key(url: str) -> tuple[str, int] | None:
    """The URL as ``ap_proxy_get_worker_ex`` compares it to worker names
    (proxy/proxy_util.c:1829-1880): the ``unix:...|`` part dropped, lower case up to the path,
    and the length of ``scheme://host[:port]``."""
    if url[:5].lower() == "unix:" and "|" in url[5:]:
        url = url[url.index("|", 5) + 1 :]
        if url.endswith(":") and url.count(":") == 1:
            url += "//localhost"
    colon = url.find(":")
    if colon == -1 or url[colon + 1 : colon + 3] != "//" or len(url) <= colon + 3:
        return None
    slash = url.find("/", colon + 3)
    if slash == -1:
        return url.lower(), len(url)
    return url[:slash].lower() + url[slash:], slash


def _ematch(text: str, expected: str) -> bool:
    """``ap_proxy_strcmp_ematch`` (proxy/proxy_util.c:1797-1826): ``expected`` a prefix of
    ``text`` where each run of ``$N`` matches anything."""
    segments: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(expected):
        if expected[i] == "$" and i + 1 < len(expected) and expected[i + 1].isdigit():
            while i < len(expected) and expected[i] == "$" and i + 1 < len(expected):
                if not expected[i + 1].isdigit():
                    break
                i += 2
            segments.append("".join(current))
            current = []
            continue
        if expected[i] == "\\" and i + 1 < len(expected):
            i += 1
        current.append(expected[i])
        i += 1
    segments.append("".join(current))
    if not text.startswith(segments[0]):
        return False
    position = len(segments[0])
    for segment in segments[1:]:
        found = text.find(segment, position)
        if found == -1:
            return False
        position = found + len(segment)
    return True


# --- servers, workers, routes --------------------------------------------------------------


@dataclass
class _Param:
    key: str  # lower case
    value: str
    word: str  # as written: "timeout=10"
    source: Source
    unknown: str | None = None


@dataclass(eq=False)
class _Worker:
    name: str
    url: str  # as written where it was defined
    node: Node
    params: dict[str, _Param]
    copied: Node | None  # the ProxyTimeout its server had when it was defined
    matchable: bool
    target: Target | None
    unknown: str | None = None
    generic: bool = False  # httpd's generic reverse worker: no connection kept

    @property
    def directive(self) -> str:
        return self.node.name


@dataclass(eq=False)
class _Balancer:
    name: str  # lower case, "balancer://app"
    node: Node
    members: list[_Worker] = field(default_factory=list)
    used: bool = False


@dataclass(eq=False)
class _Scope:
    node: Node
    kind: str  # the section's name, lower case
    path: str | None  # a literal <Location> path
    parent: _Scope | None
    directives: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class _Server:
    node: Node | None  # the <VirtualHost>, None for the main server
    fieldsize_base: Node | None = None  # the main server's LimitRequestFieldSize at its start
    own: dict[str, Node] = field(default_factory=dict)
    dir: list[Node] = field(default_factory=list)
    locations: list[_Scope] = field(default_factory=list)
    proxies: list[_Scope] = field(default_factory=list)
    workers: list[_Worker] = field(default_factory=list)
    balancers: dict[str, _Balancer] = field(default_factory=dict)
    uses: list[_Use] = field(default_factory=list)
    proxytimeout: Node | None = None  # as read so far

    @property
    def label(self) -> str:
        if self.node is None:
            return ""
        name = self.own.get("servername")
        site = f"<VirtualHost {' '.join(self.node.args)}>"
        return f"{site} {name.args[0]}" if name is not None and name.args else site


@dataclass(eq=False)
class _Use:
    node: Node
    server: _Server
    scope: _Scope | None
    path: str | None  # the literal URL path it serves, when known
    url: str
    worker: _Worker | None = None
    balancer: str | None = None
    unknown: str | None = None


_LOCATION_KINDS = frozenset({"location", "locationmatch"})
_PROXY_KINDS = frozenset({"proxy", "proxymatch"})
_DIR_KEYS = frozenset(
    {"limitrequestbody", "proxypreservehost", "proxyaddheaders", "requestheader", "rewriteengine"}
)


def _atoi(text: str) -> int:
    """C ``atoi``: leading spaces, a sign, digits; 0 when there are none (19 digits at most)."""
    found = re.match(r"[ \t\n\v\f\r]{0,64}([-+]?)(\d{1,19})", text)
    if found is None:
        return 0
    value = int(found.group(2))
    return -value if found.group(1) == "-" else value


def timeout_parameter(text: str, unit: str) -> int | None:
    """``ap_timeout_parameter_parse`` (server/util.c:2622-2680) in milliseconds: digits then
    ``s``, ``ms``, ``mi``, ``h`` (``unit`` when none); None where httpd says wrong format.
    Microseconds below one millisecond round down."""
    found = re.fullmatch(r"(\d{1,18})([a-z]{0,2})", text.strip(_SPACE), re.IGNORECASE)
    if found is None:
        return None
    number = int(found.group(1))
    suffix = (found.group(2) or unit).lower()
    if suffix.startswith("s"):
        return number * 1000
    if suffix.startswith("h"):
        return number * 3_600_000
    if suffix.startswith("ms"):
        return number
    if suffix.startswith("mi"):
        return number * 60_000
    return None


class _Builder:
    """The servers of a configuration, their workers and the routes, from the nodes read."""

    def __init__(self, reader: _Reader, problems: Problems, version: str) -> None:
        self.reader = reader
        self.problems = problems
        self.label = f"{KIND} {version}"
        self.version = reader.version
        self.main = _Server(node=None)
        self.servers: list[_Server] = [self.main]

    def error(self, node: Node, message: str, index: int | None = None) -> None:
        where = node.source(index)
        self.problems.add("GW001", node.path, where.line or node.line, message, column=where.column)

    # -- walking --

    def walk(self, nodes: Sequence[Node], server: _Server, scope: _Scope | None) -> None:
        for node in nodes:
            if node.section:
                self._section(node, server, scope)
                continue
            key = node.key
            if key in _SERVER_ONLY or key == "servername":
                self._server_setting(node, server, scope)
            elif key in _DIR_KEYS:
                problem = _dir_problem(node)
                if problem is not None:
                    self.error(node, problem)
                    continue
                target = _dir_list(server, scope)
                if target is not None:
                    target.append(node)
            elif key in ("proxypass", "proxypassmatch"):
                self._pass(node, server, scope)
            elif key == "balancermember":
                self._member(node, server, scope)
            elif key == "proxyset":
                self._proxyset(node, server, scope)
            elif key == "rewriterule":
                self._rewrite(node, server, scope)

    def _section(self, node: Node, server: _Server, scope: _Scope | None) -> None:
        key = node.key
        if key == "virtualhost":
            if server is not self.main or scope is not None:
                inside = scope.node.name if scope is not None else "VirtualHost"
                self.error(node, f"<VirtualHost not allowed in <{inside}> context")
                return
            vhost = _Server(node=node, fieldsize_base=self.main.own.get("limitrequestfieldsize"))
            self.servers.append(vhost)
            self.walk(node.children, vhost, None)
            return
        path: str | None = None
        if key == "location" and len(node.args) == 1 and not _has_magic(node.args[0]):
            path = node.args[0]
        sub = _Scope(node=node, kind=key, path=path, parent=scope)
        if scope is None or scope.kind == "if":
            if key in _LOCATION_KINDS:
                server.locations.append(sub)
            elif key in _PROXY_KINDS:
                server.proxies.append(sub)
        self.walk(node.children, server, sub)

    def _server_setting(self, node: Node, server: _Server, scope: _Scope | None) -> None:
        if scope is not None:
            self.error(node, f"{node.name} not allowed in <{scope.node.name}> context")
            return
        if node.key == "proxytimeout" and not node.undefined and _atoi(node.args[0]) < 1:
            self.error(node, "Proxy Timeout must be at least 1 second.", 0)
            return
        if (
            node.key == "keepalivetimeout"
            and not node.undefined
            and timeout_parameter(node.args[0], "s") is None
        ):
            self.error(node, "KeepAliveTimeout has wrong format", 0)
            return
        if node.key == "limitrequestfieldsize" and _atoi(node.args[0]) < 0:
            self.error(
                node, f'LimitRequestFieldsize "{node.args[0]}" must be a non-negative integer', 0
            )
            return
        server.own[node.key] = node
        if node.key == "proxytimeout":
            server.proxytimeout = node

    def _section_of(self, node: Node, scope: _Scope | None) -> tuple[_Scope | None, str | None]:
        """The section giving a ``ProxyPass`` its path (``cmd->path``), or a context httpd
        refuses (``ap_check_cmd_context`` NOT_IN_DIRECTORY|NOT_IN_FILES, server/core.c:1301)."""
        current = scope
        while current is not None:
            kind = current.kind
            if kind in ("directory", "directorymatch", "files", "filesmatch", "if", "elseif"):
                return None, f"{node.name} cannot occur within <{current.node.name}> section"
            if kind == "else":
                return None, f"{node.name} cannot occur within <Else> section"
            if kind in _LOCATION_KINDS or kind in _PROXY_KINDS:
                return current, None
            current = current.parent
        return None, None

    def _params(self, node: Node, words: list[int]) -> dict[str, _Param]:
        """``key=value`` arguments (a table: the last of a key wins), checked as httpd checks
        the ones gwlint reads (``set_worker_param``, proxy/mod_proxy.c:96-330)."""
        params: dict[str, _Param] = {}
        for index in words:
            word = node.args[index]
            key, _, value = word.partition("=")
            param = _Param(key.lower(), value, word, node.source(index))
            if node.undefined and "${" in word:
                param.unknown = unknown_reason(n for n in node.undefined if f"${{{n}}}" in word)
            elif (problem := _param_problem(param.key, value)) is not None:
                self.error(node, f"{node.name} {problem}", index)
                continue
            params[param.key] = param
        return params

    def _pass(self, node: Node, server: _Server, scope: _Scope | None) -> None:
        """``add_pass`` (proxy/mod_proxy.c:1968-2168)."""
        regex = node.key == "proxypassmatch"
        section, refused = self._section_of(node, scope)
        if refused is not None:
            self.error(node, refused)
            return
        fake: str | None = None
        match = regex
        if section is not None:
            fake = " ".join(section.node.args) or None
            if section.kind in ("locationmatch", "proxymatch") or (
                section.node.args and section.node.args[0] == "~"
            ):
                match = True
        real: str | None = None
        real_index = 0
        kv: list[int] = []
        for index, word in enumerate(node.args):
            if fake is None:
                if word == "~":
                    if regex:
                        self.error(node, "ProxyPassMatch invalid syntax ('~' usage).", index)
                        return
                    match = True
                    continue
                fake = word
            elif real is None:
                real, real_index = word, index
            elif word.lower() in ("nocanon", "interpolate", "noquery"):
                continue
            elif "=" not in word:
                if section is not None and real.startswith("/"):
                    message = (
                        "ProxyPass|ProxyPassMatch can not have a path when defined in a location."
                    )
                else:
                    message = (
                        "Invalid ProxyPass|ProxyPassMatch parameter. Parameter must be in the "
                        "form 'key=value'."
                    )
                if word.startswith("#"):
                    message += " (a '#' after a directive is not a comment for httpd)"
                self.error(node, message, index)
                return
            elif word.lower().startswith("mapping="):
                if word.split("=", 1)[1].lower() not in ("encoded", "servlet"):
                    self.error(node, "unknown mapping", index)
                    return
            else:
                kv.append(index)
        if real is None:
            self.error(node, "ProxyPass|ProxyPassMatch needs a path when not defined in a location")
            return
        if section is not None and fake is not None and _has_magic(fake):
            match = True
        if real == "!":
            return  # an exclusion: no route (proxy/mod_proxy.c:2096)
        params = self._params(node, kv)
        path = fake if fake is not None and not match and fake.startswith("/") else None
        use = _Use(node=node, server=server, scope=scope, path=path, url=real)
        if node.undefined and "${" in real:
            use.unknown = unknown_reason(n for n in node.undefined if f"${{{n}}}" in real)
        if real[:11].lower() == "balancer://":
            name = _balancer_name(real)
            balancer = server.balancers.setdefault(name, _Balancer(name=name, node=node))
            balancer.used = True
            use.balancer = name
            server.uses.append(use)
            return
        target = parse_target(real)
        if target is None and use.unknown is None:
            self.error(node, f"ProxyPass URL must be absolute!: {real}", real_index)
            return
        found = _find_worker(server.workers, real, match=match, prefix=not match)
        if found is None:
            found = _Worker(
                name=target.name if target is not None else real,
                url=real,
                node=node,
                params=params,
                copied=server.proxytimeout,
                matchable=match,
                target=target,
                unknown=use.unknown,
            )
            server.workers.append(found)
        use.worker = found
        server.uses.append(use)

    def _member(self, node: Node, server: _Server, scope: _Scope | None) -> None:
        """``add_member`` (proxy/mod_proxy.c:2602-2704)."""
        section = scope
        while section is not None and section.kind not in _PROXY_KINDS:
            section = section.parent
        path = " ".join(section.node.args) if section is not None else None
        name: str | None = None
        name_index = 0
        kv: list[int] = []
        for index, word in enumerate(node.args):
            if "=" in word:
                kv.append(index)
            elif path is None:
                path = word
            elif name is None:
                name, name_index = word, index
            else:
                self.error(
                    node,
                    "BalancerMember can not have a balancer name when defined in a location"
                    if section is not None
                    else "Invalid BalancerMember parameter. Parameter must be in the form "
                    "'key=value'",
                    index,
                )
                return
        if path is None:
            self.error(
                node, "BalancerMember must define balancer name when outside <Proxy > section"
            )
            return
        if name is None:
            self.error(node, "BalancerMember must define remote proxy server")
            return
        balancer_name = _balancer_name(path)
        balancer = server.balancers.setdefault(balancer_name, _Balancer(balancer_name, node))
        params = self._params(node, kv)
        unknown = None
        if node.undefined and "${" in name:
            unknown = unknown_reason(n for n in node.undefined if f"${{{n}}}" in name)
        target = parse_target(name)
        if target is None and unknown is None:
            self.error(node, f"BalancerMember URL must be absolute!: {name}", name_index)
            return
        if _find_worker(balancer.members, name, match=False, prefix=True) is not None:
            return  # shared: its parameters are ignored (AH01150)
        balancer.members.append(
            _Worker(
                name=target.name if target is not None else name,
                url=name,
                node=node,
                params=params,
                copied=server.proxytimeout,
                matchable=False,
                target=target,
                unknown=unknown,
            )
        )

    def _proxyset(self, node: Node, server: _Server, scope: _Scope | None) -> None:
        """``set_proxy_param`` (proxy/mod_proxy.c:2706-2805): worker parameters set on the
        worker of a ``<Proxy URL>`` (defined there when no ``ProxyPass`` did before)."""
        section = scope
        while section is not None and section.kind not in _PROXY_KINDS:
            section = section.parent
        words = list(range(len(node.args)))
        if section is not None:
            name = section.node.args[0] if section.node.args else ""
            match = section.kind == "proxymatch"
        elif node.args:
            name, words, match = node.args[0], words[1:], False
        else:
            return
        for index in words:
            if "=" not in node.args[index]:
                self.error(
                    node,
                    "Invalid ProxySet parameter. Parameter must be in the form 'key=value'",
                    index,
                )
                return
        if name[:11].lower() == "balancer://":
            balancer_name = _balancer_name(name)
            if balancer_name not in server.balancers and section is not None:
                server.balancers[balancer_name] = _Balancer(balancer_name, node)
            return  # balancer parameters (lbmethod, stickysession...): no worker's
        params = self._params(node, words)
        worker = _find_worker(server.workers, name, match=match, prefix=not match)
        if worker is None:
            if section is None:
                self.error(node, f"ProxySet can not find '{name}' Worker.")
                return
            worker = _Worker(
                name=(target.name if (target := parse_target(name)) is not None else name),
                url=name,
                node=node,
                params={},
                copied=None,  # ProxySet copies no ProxyTimeout
                matchable=match,
                target=target,
            )
            server.workers.append(worker)
        worker.params.update(params)

    def _rewrite(self, node: Node, server: _Server, scope: _Scope | None) -> None:
        """``RewriteRule PATTERN URL [P]``: a route when the URL's ``scheme://host:port`` is
        written out (the path may use back-references)."""
        if len(node.args) < 3:
            return
        flags = node.args[2]
        if not (flags.startswith("[") and flags.endswith("]")):
            return
        keys = [part.strip().split("=", 1)[0].lower() for part in flags[1:-1].split(",")]
        if not any(key in ("p", "proxy") for key in keys):
            return
        url = node.args[1]
        scheme_end = url.find("://")
        authority = url[scheme_end + 3 :].split("/", 1)[0] if scheme_end != -1 else ""
        unknown: str | None = None
        if node.undefined and "${" in authority:
            unknown = unknown_reason(n for n in node.undefined if f"${{{n}}}" in authority)
        elif not authority or "$" in authority or "%" in authority:
            return  # the host comes from the request: not a route gwlint can pair
        target = parse_target(url)
        if target is None or target.protocol is None or not _engine_on(server, self.main, scope):
            return
        use = _Use(node=node, server=server, scope=scope, path=None, url=url, unknown=unknown)
        # at run time: the worker of this server or of the main server that names the URL
        # (ap_proxy_pre_request, proxy/proxy_util.c:2591-2640), else the generic one
        pool = [*self.main.workers, *server.workers] if server is not self.main else server.workers
        use.worker = _find_worker(pool, url, match=True, prefix=True) or _Worker(
            name="proxy:reverse",
            url=url,
            node=node,
            params={},
            copied=None,
            matchable=False,
            target=target,
            unknown=unknown,
            generic=True,
        )
        server.uses.append(use)

    # -- routes --

    def routes(self) -> list[FrontRoute]:
        found: list[FrontRoute] = []
        used_main: set[str] = set()
        for server in self.servers:
            for use in server.uses:
                if self._full(found, use.node):
                    break
                if use.balancer is not None:
                    found.extend(self._balancer_routes(use, used_main))
                else:
                    route = self._direct_route(use)
                    if route is not None:
                        found.append(route)
        for server in self.servers:
            for balancer in server.balancers.values():
                if balancer.used or (server is self.main and balancer.name in used_main):
                    continue
                # defined, but no ProxyPass read uses it (one may be in a file not read)
                chain = self._chain(server, None, None, None)
                label = f"<Proxy {balancer.name}>"
                for member in balancer.members:
                    if self._full(found, member.node):
                        break
                    route = self._route(server, chain, member, label, member.node, member.url)
                    if route is not None:
                        found.append(route)
        unique: dict[str, FrontRoute] = {}
        for route in found:
            unique.setdefault(repr(route), route)
        return list(unique.values())

    def _full(self, found: list[FrontRoute], node: Node) -> bool:
        """Whether the route budget is spent (reported once, at the first route left out)."""
        if len(found) < MAX_ROUTES:
            return False
        if not self.reader.stopped:
            self.reader.stopped = True
            self.problems.add(
                "GW001",
                node.path,
                node.line,
                f"{KIND} config: more than {MAX_ROUTES:,} routes; the rest are not checked",
            )
        return True

    def _members(self, use: _Use, used_main: set[str]) -> list[_Worker]:
        name = use.balancer or ""
        main = self.main.balancers.get(name)
        if use.server is not self.main and main is not None and main.members:
            used_main.add(name)  # a virtual host's balancer is the main server's copy
            return main.members
        own = use.server.balancers.get(name)
        return own.members if own is not None else []

    def _balancer_routes(self, use: _Use, used_main: set[str]) -> Iterator[FrontRoute]:
        members = self._members(use, used_main)
        chain = self._chain(use.server, use.scope, use.path, None)
        if not members:
            reason = use.unknown or (
                f"{use.balancer} has no BalancerMember in the files read: its servers are not known"
            )
            yield self._bare(use, chain, reason)
            return
        label = f"<Proxy {use.balancer}>"
        for member in members:
            route = self._route(use.server, chain, member, label, member.node, member.url)
            if route is not None:
                yield route

    def _direct_route(self, use: _Use) -> FrontRoute | None:
        worker = use.worker
        if worker is None:
            return None
        chain = self._chain(use.server, use.scope, use.path, worker.url)
        return self._route(
            use.server, chain, worker, _scope_label(use.scope), use.node, use.url, use.unknown
        )

    def _bare(self, use: _Use, chain: list[Node], reason: str) -> FrontRoute:
        """A route whose servers are not known (an empty balancer)."""
        worker = _Worker("", use.url, use.node, {}, None, False, None)
        return self._make(
            use.server,
            chain,
            worker,
            _scope_label(use.scope),
            use.node,
            use.url,
            "http",
            (),
            reason,
        )

    def _route(
        self,
        server: _Server,
        chain: list[Node],
        worker: _Worker,
        scope: str,
        node: Node,
        raw: str,
        unknown: str | None = None,
    ) -> FrontRoute | None:
        target = worker.target
        unknown = unknown or worker.unknown
        if target is None and unknown is None:
            return None
        if target is not None and target.protocol is None:
            return None  # ajp://, ftp://...: no Python app server speaks it
        protocol: Protocol = target.protocol if target is not None and target.protocol else "http"
        servers: tuple[UpstreamServer, ...] = ()
        if unknown is None and target is not None:
            if target.address.kind == "unknown":
                unknown = f"the host of {worker.url} comes from the request (a $N substitution)"
            else:
                servers = (
                    UpstreamServer(
                        address=target.address,
                        params=tuple(param.word for param in worker.params.values()),
                        source=worker.node.source(),
                    ),
                )
        return self._make(server, chain, worker, scope, node, raw, protocol, servers, unknown)

    def _make(
        self,
        server: _Server,
        chain: list[Node],
        worker: _Worker,
        scope: str,
        node: Node,
        raw: str,
        protocol: Protocol,
        servers: tuple[UpstreamServer, ...],
        unknown: str | None,
    ) -> FrontRoute:
        read = self._read_timeout(server, worker)
        reuse = self._reuse(worker, protocol)
        return FrontRoute(
            kind="apache",
            site=server.label,
            scope=scope,
            directive=node.name,
            source=node.source(),
            raw=raw,
            protocol=protocol,
            servers=servers,
            unknown=unknown,
            read_timeout=read,
            connect_timeout=self._connect_timeout(worker, read),
            reuse=reuse,
            idle_timeout=self._idle(worker) if reuse.value else None,
            retries_idempotent=False,
            body_limit=self._body_limit(chain),
            field_limit=self._field_limit(server),
            headers=self._headers(chain, protocol),
            preserve_host=self._preserve_host(chain),
            client_keepalive=self._client_keepalive(server),
        )

    def _chain(
        self, server: _Server, scope: _Scope | None, path: str | None, url: str | None
    ) -> list[Node]:
        """The directory-level directives in effect for a route, in the order httpd merges
        them: the main server's, the virtual host's, the ``<Proxy>`` sections matching the
        worker's URL, then every ``<Location>`` covering the route's path (its own section
        included), main server's first (``ap_location_walk``, server/request.c)."""
        servers = [self.main] if server is self.main else [self.main, server]
        own = scope
        while own is not None and own.kind not in _LOCATION_KINDS and own.kind not in _PROXY_KINDS:
            own = own.parent
        chain: list[Node] = [node for each in servers for node in each.dir]
        for each in servers:
            for section in each.proxies:
                arg = section.node.args[0] if section.node.args else ""
                if section is own or (
                    section.kind == "proxy"
                    and url is not None
                    and (arg == "*" or url.lower().startswith(arg.lower()))
                ):
                    chain.extend(section.directives)
        for each in servers:
            for section in each.locations:
                if section is own or (
                    section.path is not None and path is not None and _covers(section.path, path)
                ):
                    chain.extend(section.directives)
        return chain

    # -- values --

    def _default(self, name: str, value: int, raw: str) -> FrontSetting:
        return FrontSetting(
            name=name, value=_INT(value=value, raw=raw, source=default_of(self.label))
        )

    def _seconds(self, name: str, node: Node) -> FrontSetting:
        raw = node.args[0] if node.args else ""
        if node.undefined:
            return FrontSetting(
                name=name,
                value=_INT(
                    value=None,
                    raw=raw,
                    source=node.source(0),
                    unknown=unknown_reason(node.undefined),
                ),
            )
        return FrontSetting(
            name=name,
            value=_INT(value=max(_atoi(raw), 0) * 1000, raw=raw, source=node.source(0)),
        )

    def _param_setting(self, name: str, param: _Param, ms: int | None) -> FrontSetting:
        if param.unknown is not None or ms is None:
            return FrontSetting(
                name=name,
                value=_INT(
                    value=None,
                    raw=param.value,
                    source=param.source,
                    unknown=param.unknown or f'invalid value "{param.value}"',
                ),
            )
        return FrontSetting(name=name, value=_INT(value=ms, raw=param.value, source=param.source))

    def _read_timeout(self, server: _Server, worker: _Worker) -> FrontSetting:
        param = worker.params.get("timeout")
        if param is not None:
            ms = _atoi(param.value) * 1000
            return self._param_setting(f"timeout= of {worker.directive}", param, ms)
        if worker.copied is not None:
            return self._seconds("ProxyTimeout", worker.copied)
        for each in (server, self.main):
            if "proxytimeout" in each.own:
                return self._seconds("ProxyTimeout", each.own["proxytimeout"])
        for each in (server, self.main):
            node = each.own.get("timeout")
            if node is not None and (each is self.main or node.undefined or _atoi(node.args[0])):
                return self._seconds("Timeout", node)  # a virtual host's 0 is "unset"
        seconds = 300 if self.version[:2] < (2, 4) else 60
        return self._default("Timeout", seconds * 1000, str(seconds))

    def _connect_timeout(self, worker: _Worker, read: FrontSetting) -> FrontSetting:
        param = worker.params.get("connectiontimeout")
        if param is None:
            return read
        ms = timeout_parameter(param.value, "s")
        return self._param_setting(f"connectiontimeout= of {worker.directive}", param, ms)

    def _reuse(self, worker: _Worker, protocol: Protocol) -> Sourced[bool]:
        def default(value: bool, note: str) -> Sourced[bool]:
            return _BOOL(
                value=value,
                raw="",
                source=Source(default_of=self.label, note=note),
            )

        if protocol in ("uwsgi", "scgi"):
            return default(False, f"mod_proxy_{protocol} closes every connection")
        if worker.generic:
            return default(
                False,
                "no ProxyPass defines a worker for this URL: httpd's generic "
                "worker keeps no connection",
            )
        if worker.target is not None and worker.target.address.kind == "unknown":
            return default(False, "a $N substitution in the host: no connection is kept")
        explicit: bool | None = None
        param: _Param | None = None
        for key in ("disablereuse", "enablereuse"):
            candidate = worker.params.get(key)
            if candidate is not None and candidate.unknown is None:
                on = candidate.value.lower() == "on"
                explicit = (not on) if key == "disablereuse" else on
                param = candidate
        if explicit is not None and param is not None:
            return _BOOL(value=explicit, raw=param.word, source=param.source)
        if protocol == "fastcgi":
            return default(False, "mod_proxy_fcgi reuses connections only with enablereuse=On")
        if worker.matchable and "$" in worker.name:
            return default(
                False, "a $N substitution in the URL: reuse is off unless enablereuse=On"
            )
        return default(True, "mod_proxy keeps connections to the backend")

    def _idle(self, worker: _Worker) -> FrontSetting:
        param = worker.params.get("ttl")
        if param is None:
            return FrontSetting(
                name="ttl=",
                value=_INT(
                    value=UNLIMITED_MS,
                    raw="",
                    source=Source(
                        default_of=self.label,
                        note="no ttl=: idle connections are kept without limit",
                    ),
                ),
            )
        name = f"ttl= of {worker.directive}"
        if self.reader.prefork and param.unknown is None:
            source = Source(
                path=param.source.path,
                line=param.source.line,
                column=param.source.column,
                note="no effect under the prefork MPM (no connection pool)",
            )
            return FrontSetting(
                name=name, value=_INT(value=UNLIMITED_MS, raw=param.value, source=source)
            )
        return self._param_setting(name, param, _atoi(param.value) * 1000)

    def _body_limit(self, chain: list[Node]) -> FrontSetting:
        node = _last(chain, "limitrequestbody")
        if node is None:
            old = self.version[:2] < (2, 4) or (
                len(self.version) >= 3 and self.version < (2, 4, 54)
            )
            return self._default(
                "LimitRequestBody", 0 if old else _ONE_GIB, "0" if old else "1073741824"
            )
        raw = node.args[0]
        if node.undefined or not (raw.isascii() and raw.isdigit()):
            reason = unknown_reason(node.undefined) if node.undefined else f'invalid value "{raw}"'
            value: Sourced[int] = _INT(value=None, raw=raw, source=node.source(0), unknown=reason)
        else:
            value = _INT(value=int(raw[:19]), raw=raw, source=node.source(0))
        return FrontSetting(name="LimitRequestBody", value=value)

    def _field_limit(self, server: _Server) -> FrontSetting:
        node = server.own.get("limitrequestfieldsize")
        if node is None:
            node = server.fieldsize_base if server is not self.main else None
        if node is None:
            return self._default("LimitRequestFieldSize", 8190, "8190")
        if node.undefined:
            return self._seconds_like("LimitRequestFieldSize", node)
        value = _INT(value=_atoi(node.args[0]), raw=node.args[0], source=node.source(0))
        return FrontSetting(name="LimitRequestFieldSize", value=value)

    def _seconds_like(self, name: str, node: Node) -> FrontSetting:
        return FrontSetting(
            name=name,
            value=_INT(
                value=None,
                raw=node.args[0] if node.args else "",
                source=node.source(0),
                unknown=unknown_reason(node.undefined),
            ),
        )

    def _headers(self, chain: list[Node], protocol: Protocol) -> dict[str, Sourced[str]]:
        headers: dict[str, Sourced[str]] = {}
        for node in chain:
            if node.key != "requestheader" or len(node.args) < 2:
                continue
            action = node.args[0].lower()
            name = node.args[1].split(":", 1)[0].lower()
            value = node.args[2] if len(node.args) > 2 else ""
            extra = [arg for arg in node.args[3:] if arg]
            condition = next(
                (a for a in extra if a.lower().startswith(("env=", "expr=")) or a == "early"),
                None,
            )
            notes = [
                note for note in (node.condition, condition and f"only with {condition}") if note
            ]
            where = node.source(2 if len(node.args) > 2 else 1)
            source = Source(
                path=where.path, line=where.line, column=where.column, note="; ".join(notes) or None
            )
            unknown = unknown_reason(node.undefined) if node.undefined and "${" in value else None
            entry = _STR(
                value=None if unknown else value, raw=value, source=source, unknown=unknown
            )
            if action == "unset":
                if len(node.args) == 2 or (len(node.args) == 3 and condition):
                    headers.pop(name, None)
            elif action == "set":
                headers[name] = entry
            elif action == "setifempty":
                headers.setdefault(name, entry)
            elif action in ("add", "append", "merge") and len(node.args) > 2:
                old = headers.get(name)
                if old is not None and old.value is not None and entry.value is not None:
                    joined = f"{old.value}, {entry.value}"
                    entry = _STR(value=joined, raw=joined, source=source)
                headers[name] = entry
        enabled = _last(chain, "proxyaddheaders")
        if protocol == "http" and (enabled is None or enabled.args[0].lower() != "off"):
            source = Source(default_of=self.label, note="ProxyAddHeaders On (mod_proxy_http)")
            for name, what in (
                ("x-forwarded-for", "the client's address"),
                ("x-forwarded-host", "the request's Host"),
                ("x-forwarded-server", "the ServerName"),
            ):
                old = headers.get(name)
                if old is None:
                    headers[name] = _STR(value=what, raw="", source=source)
        return headers

    def _preserve_host(self, chain: list[Node]) -> Sourced[bool]:
        node = _last(chain, "proxypreservehost")
        if node is None:
            return _BOOL(value=False, raw="Off", source=default_of(self.label))
        return _BOOL(value=node.args[0].lower() == "on", raw=node.args[0], source=node.source(0))

    def _client_keepalive(self, server: _Server) -> FrontSetting:
        for each in (server, self.main):
            node = each.own.get("keepalive")
            if node is not None:
                if node.args[0].lower() == "off":
                    return FrontSetting(
                        name="KeepAlive",
                        value=_INT(value=0, raw=node.args[0], source=node.source(0)),
                    )
                break
        for each in (server, self.main):
            node = each.own.get("keepalivetimeout")
            if node is not None:
                if node.undefined:
                    return self._seconds_like("KeepAliveTimeout", node)
                ms = timeout_parameter(node.args[0], "s")
                return FrontSetting(
                    name="KeepAliveTimeout",
                    value=_INT(value=ms, raw=node.args[0], source=node.source(0)),
                )
        return self._default("KeepAliveTimeout", 5000, "5")


def _last(chain: Sequence[Node], key: str) -> Node | None:
    for node in reversed(chain):
        if node.key == key and node.args:
            return node
    return None


def _covers(location: str, path: str) -> bool:
    """Whether ``<Location location>`` applies to requests under ``path``: ``/api`` covers
    ``/api`` and ``/api/...``, not ``/apix``."""
    if location == "/" or location.endswith("/"):
        return path.startswith(location)
    return path == location or path.startswith(location + "/")


def _scope_label(scope: _Scope | None) -> str:
    current = scope
    while current is not None:
        if current.kind != "if":
            return current.node.label()
        current = current.parent
    return scope.node.label() if scope is not None else ""


def _dir_list(server: _Server, scope: _Scope | None) -> list[Node] | None:
    """Where a directory-level directive goes: the server level, a ``<Location>`` or
    ``<Proxy>``; ``<If>`` is read as if it held; ``<Else>``, ``<Directory>``, ``<Files>`` apply
    to no proxied request that gwlint can tell (None)."""
    current = scope
    while current is not None:
        if current.kind == "if":
            current = current.parent
            continue
        if current.kind in _LOCATION_KINDS or current.kind in _PROXY_KINDS:
            return current.directives
        return None
    return server.dir


def _engine_on(server: _Server, main: _Server, scope: _Scope | None) -> bool:
    """``RewriteEngine On`` in effect where a rule is (its section, else its server)."""
    current = scope
    while current is not None:
        node = _last(current.directives, "rewriteengine")
        if node is not None:
            return node.args[0].lower() == "on"
        current = current.parent
    for each in (server, main):
        node = _last(each.dir, "rewriteengine")
        if node is not None:
            return node.args[0].lower() == "on"
    return False


def _balancer_name(url: str) -> str:
    """``balancer://app/path`` -> ``balancer://app`` (``ap_proxy_get_balancer``: the name up
    to the path, lower case; proxy/proxy_util.c:1134-1160)."""
    rest = url[11:]
    return "balancer://" + rest.split("/", 1)[0].lower()


def _find_worker(
    workers: Sequence[_Worker], url: str, *, match: bool, prefix: bool
) -> _Worker | None:
    """``ap_proxy_get_worker_ex`` (proxy/proxy_util.c:1829-1935): the worker with the longest
    name that ``url`` starts with (a ``ProxyPassMatch`` worker: matches, ``$N`` as a
    wildcard), at least its ``scheme://host[:port]``."""
    keyed = _url_key(url)
    if keyed is None:
        return None
    key, minimum = keyed
    best: _Worker | None = None
    longest = 0
    for worker in workers:
        if worker.generic:
            continue
        size = len(worker.name)
        if size > len(key) or size < minimum or size <= longest:
            continue
        if worker.matchable:
            ok = match and _ematch(key, worker.name)
        else:
            ok = prefix and key.startswith(worker.name)
        if ok:
            best, longest = worker, size
    return best


_HEADER_ACTIONS = frozenset(
    {"set", "setifempty", "add", "append", "merge", "unset", "echo", "edit", "edit*", "note"}
)


def _dir_problem(node: Node) -> str | None:
    """What httpd says of a ``RequestHeader`` (``header_cmd``/``header_inout_cmd``,
    modules/metadata/mod_headers.c:420-580) or a ``LimitRequestBody``
    (server/core.c:3752-3765) it refuses."""
    if node.key == "limitrequestbody":
        if not node.undefined and not (node.args[0].isascii() and node.args[0].isdigit()):
            return "LimitRequestBody requires a non-negative integer."
        return None
    if node.key != "requestheader":
        return None
    args = node.args
    if len(args) > 5:
        return "RequestHeader has too many arguments"
    action = args[0].lower() if args else ""
    if action not in _HEADER_ACTIONS:
        return (
            "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', "
            "'echo', 'note', 'edit', or 'edit*'."
        )
    value = args[2] if len(args) > 2 else None
    subs = args[3] if len(args) > 3 else None
    envclause = args[4] if len(args) > 4 else None
    if action in ("edit", "edit*"):
        if subs is None:
            return "Header edit requires a match and a substitution"
    else:
        if envclause is not None:
            return "Too many arguments to directive"
        envclause = subs
    if action == "unset" and value is not None:
        if envclause is not None:
            return "header unset takes two arguments"
        envclause, value = value, None
    elif action == "echo":
        return "Header echo only valid on Header directives"
    elif value is None and action != "unset":
        return "Header requires three arguments"
    if envclause is not None:
        lowered = envclause.lower()
        if lowered == "early" or lowered.startswith(("env=", "expr=")):
            return None
        return f"Unknown parameter: {envclause}"
    return None


def _param_problem(key: str, value: str) -> str | None:
    """What httpd says of a worker parameter gwlint reads (proxy/mod_proxy.c:116-330)."""
    if key == "timeout" and _atoi(value) < 1:
        return "Timeout must be at least one second"
    if key == "ttl" and _atoi(value) < 1:
        return "TTL must be at least one second"
    if key == "retry" and _atoi(value) < 0:
        return "Retry must be a positive value"
    if key == "connectiontimeout":
        ms = timeout_parameter(value, "s")
        if ms is None:
            return "Connectiontimeout has wrong format"
        if ms < 1:
            return "Connectiontimeout must be at least one millisecond."
    if key in ("disablereuse", "enablereuse", "keepalive") and value.lower() not in ("on", "off"):
        names = {"disablereuse": "DisableReuse", "enablereuse": "EnableReuse"}
        return f"{names.get(key, 'KeepAlive')} must be On|Off"
    return None


# --- entry points --------------------------------------------------------------------------


def version_tuple(version: str) -> tuple[int, ...]:
    """``2.4.62`` -> (2, 4, 62); "2.4" is the latest 2.4."""
    parts: list[int] = []
    for part in version.split("."):
        if not (part.isascii() and part.isdigit()) or len(part) > 6:
            break
        parts.append(int(part))
    return tuple(parts) if len(parts) >= 2 else (2, 4)


def home_of(path: str) -> str:
    """The folder a configuration's relative includes start from when its ``ServerRoot`` is not
    one gwlint reads: the file's folder, or the one above ``sites-enabled``, ``conf.d``..."""
    folder = os.path.dirname(path) or "."
    if os.path.basename(os.path.normpath(folder)) in FRAGMENT_DIRS:
        return os.path.dirname(os.path.normpath(folder)) or "."
    return folder


def _is_main(path: str, nodes: Sequence[Node] | None) -> bool:
    if os.path.basename(path).lower() in MAIN_NAMES:
        return True
    return any(
        node.path == path and node.key in ("serverroot", "loadmodule", "listen")
        for node in nodes or ()
    )


def _main_first(roots: Sequence[str]) -> list[str]:
    named = [root for root in roots if os.path.basename(root).lower() in MAIN_NAMES]
    return [*named, *(root for root in roots if root not in named)]


def load_apache(roots: list[str], problems: Problems, *, version: str = "2.4") -> FrontConfig:
    """Read the root files, and everything they include, into one ``FrontConfig``. A root that
    another root includes is read only there."""
    numbers = version_tuple(version)
    ordered = _main_first(list(dict.fromkeys(roots)))
    reader = _Reader(problems, home_of(ordered[0]) if ordered else ".", numbers)
    tree: list[Node] = []
    try:
        for root in ordered:
            if os.path.realpath(root) in {os.path.realpath(f) for f in reader.files}:
                continue
            if not reader.files:
                reader.home = reader.root_dir = home_of(root)
            nodes = reader.read(root, None)
            if nodes:
                tree.extend(nodes)
    except _Stop:
        pass
    builder = _Builder(reader, problems, version)
    builder.walk(tree, builder.main, None)
    return FrontConfig(
        kind="apache",
        files=tuple(reader.files),
        version_label=builder.label,
        routes=tuple(builder.routes()),
    )


def group_apache(paths: list[str]) -> list[list[str]]:
    """The Apache configurations among ``paths``, as lists of root files. A file another of
    them includes is read there, not as a root; each main file (httpd.conf, apache2.conf, or
    one with ``ServerRoot``/``LoadModule``/``Listen``) is a configuration of its own; the other
    files are grouped by the folder they configure (the one above ``sites-enabled``,
    ``conf.d``...). Nothing is reported here: ``load_apache`` reports."""
    quiet = Problems()
    reached: dict[str, set[str]] = {}
    main: set[str] = set()
    reads = 0
    for path in dict.fromkeys(paths):
        reader = _Reader(quiet, home_of(path), (2, 4))
        nodes: list[Node] | None = None
        if reads < MAX_GROUP_READS:  # past it, a file is taken alone (includes not followed)
            try:
                nodes = reader.read(path, None)
            except _Stop:
                nodes = None
        reads += len(reader.files)
        real = os.path.realpath(path)
        reached[path] = {os.path.realpath(f) for f in reader.files} - {real}
        if _is_main(path, nodes):
            main.add(path)
    included = {real for found in reached.values() for real in found}
    chosen = [path for path in reached if os.path.realpath(path) not in included]
    covered = {os.path.realpath(p) for p in chosen}.union(*(reached[p] for p in chosen))
    for path in reached:  # files that include each other: the first one listed
        if os.path.realpath(path) not in covered:
            chosen.append(path)
            covered |= {os.path.realpath(path)} | reached[path]
    # Debian's sites-available/, conf-available/, mods-available/ beside a main file that reads
    # their -enabled/ twins: a file there that no -enabled/ link names is not in use
    homes = {os.path.normpath(home_of(path)) for path in chosen if path in main}
    order = {path: index for index, path in enumerate(reached)}
    groups: dict[str, list[str]] = {}
    for path in sorted(chosen, key=order.__getitem__):
        folder = os.path.dirname(os.path.normpath(path))
        name = os.path.basename(folder)
        home = os.path.dirname(folder) or "."
        if (
            path not in main
            and name.endswith("-available")
            and os.path.normpath(home) in homes
            and os.path.isdir(os.path.join(home, name[: -len("available")] + "enabled"))
        ):
            continue
        key = f"main:{path}" if path in main else f"fragments:{os.path.normpath(home_of(path))}"
        groups.setdefault(key, []).append(path)
    return list(groups.values())
