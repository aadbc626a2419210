"""Exact versions of the app servers, read from the files that install them; nginx's from images.

gwlint's rules depend on server versions (gunicorn behaves differently across 21..27, nginx's
upstream keep-alive defaults changed in 1.29.7). Without flags it assumes the newest; the
repository usually says which versions it deploys. ``read_pins`` reads one file that pins Python
packages and returns the versions of gunicorn, uvicorn and uWSGI (``uwsgi``, and the ``pyuwsgi``
distribution of the same server) written there, each with its file, line and column:

- requirements files (any ``*.txt`` pip reads with ``-r``): ``gunicorn==21.2.0``, extras and
  environment markers allowed, lines joined at a trailing ``\\``, comments (``#`` at the start or
  after whitespace) and option lines (``-r``, ``-c``, ``-e``, ``--index-url``...) skipped, and
  options after the requirement (``--hash=...``) cut off as pip does. ``-r``/``-c`` are not
  followed: the caller finds every requirements file by its name;
- ``pyproject.toml``: ``[project] dependencies``, ``[project.optional-dependencies]``,
  ``[dependency-groups]`` (PEP 735), ``[tool.poetry.dependencies]``,
  ``[tool.poetry.group.*.dependencies]`` and Poetry's older ``[tool.poetry.dev-dependencies]``;
- ``Pipfile``: ``[packages]`` (``gunicorn = "==21.2.0"`` or ``{version = "==21.2.0"}``);
- lock files: the resolved ``version`` of each ``[[package]]`` of ``uv.lock``, ``poetry.lock``
  and ``pdm.lock``, and the ``"default"`` section of ``Pipfile.lock`` (not ``"develop"``, which
  production does not install; nor ``[dev-packages]`` of a ``Pipfile``).

Only *exact* versions count: ``==X.Y.Z`` or ``===X.Y.Z`` (and in Poetry's own tables a bare
``"21.2.0"`` or ``"=21.2.0"``, which Poetry reads as exact). A range (``>=22``, ``~=21.2``,
``^21.2``, ``*``), a wildcard (``==21.*``), a URL or a VCS reference says which versions *may*
be installed, not which one is: a rule that took the lower bound would judge a server that is
not deployed, so such a line gives no pin and the rules keep their defaults (or the flags). A
version with pre-release, post-release, dev or local parts, or an epoch, gives its release
triple (``21.2.0.post1`` and ``0.30.0rc1`` -> ``(21, 2, 0)`` and ``(0, 30, 0)``), a short one
is padded (``==23.0`` -> ``(23, 0, 0)``). Package names are compared PEP 503-normalised
(``Gunicorn``, ``UWSGI``); ``uvicorn-worker`` is not uvicorn.

A file may pin a package more than once (two dependency groups, two resolutions in a
``uv.lock``): every pin is returned (``MAX_PINS`` at most), in file order, and the caller
decides. A pin's line and column are where its version is written. TOML and JSON give no
positions: there the line is found by a plain text search for the package's name (and then its
version) in the file; when that fails, the name's line with no column, else line 1. A file that
is not valid TOML or JSON gives one info GW008 and no pins; one gwlint may not read (outside the
working directory, too large, binary) the GW008 ``read_text`` reports. Nothing here raises on
what a file holds, and no file makes the text searches slower than linear.

``image_version`` reads the nginx version from a container image reference (``nginx:1.25-alpine``,
``openresty/openresty:1.21.4.1-0-jammy``...), for the nginx a Dockerfile or compose file runs.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate, chain, islice
from typing import Literal

from gwlint.loaders.common import Problems, read_text
from gwlint.loaders.pin_files import pin_kind
from gwlint.model.versions import Version

Package = Literal["gunicorn", "uvicorn", "uwsgi"]

CODE = "GW008"  # a file gwlint cannot read (as info: what it would have said stays unknown)

# PEP 503-normalised distribution name -> the server it installs
_PACKAGES: dict[str, Package] = {
    "gunicorn": "gunicorn",
    "uvicorn": "uvicorn",
    "uwsgi": "uwsgi",
    "pyuwsgi": "uwsgi",  # the same uWSGI, built as a wheel
}

# basename, any case (as ``inventory.classify.is_pin_name``) -> source_kind; a ``*.txt`` is
# "requirements" (see ``is_pin_file``)
_TOML_LOCKS = frozenset({"uv.lock", "poetry.lock", "pdm.lock"})

# PEP 440, any spelling pip accepts; only the release part is kept (ASCII digits, bounded, so
# ``int`` is cheap and cannot refuse)
_PEP440 = re.compile(
    r"v?(?:[0-9]{1,9}!)?(?P<release>[0-9]{1,9}(?:\.[0-9]{1,9})*)"
    r"(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?"
    r"(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?"
    r"(?:[-_.]?dev[-_.]?[0-9]*)?"
    r"(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?",
    re.IGNORECASE,
)
# PEP 508: name, extras, then a version specifier or ``@ url``, then ``; marker``
_REQUIREMENT = re.compile(
    r"\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*"
    r"(?:\[[^\]]*\]\s*)?(?P<spec>[^;]*)(?:;.*)?",
    re.DOTALL,
)
_CLAUSE = re.compile(r"\s*(?P<op>===|==|~=|!=|<=|>=|<|>)\s*(?P<version>[^\s,;()]+)\s*")
# Poetry's own constraint syntax: a bare version (or ``=``/``==``) is exact
_POETRY_EXACT = re.compile(r"\s*(?:(?:===|==|=)\s*)?(?P<version>[^\s,;|*^~<>=!()]+)\s*")
# pip: a comment starts a line or follows whitespace; ``#egg=`` in a URL is no comment
_COMMENT = re.compile(r"(?:^|\s)#")
_SERVER = re.compile(r"gunicorn|uvicorn|uwsgi", re.IGNORECASE)  # in every name ``read_pins`` reads
_OPTION = re.compile(r"(?:^|\s)-")  # where pip's options begin (``--hash=...`` after a pin)
# image tags: a version first (``1.25``, ``1.25.3-alpine``, OpenResty's ``1.21.4.1-0-jammy``)
_TAG_VERSION = re.compile(
    r"(?P<major>[0-9]{1,6})\.(?P<minor>[0-9]{1,6})(?:\.(?P<patch>[0-9]{1,6}))?(?:\.[0-9]{1,6})*"
    r"(?=$|[-_])"
)
# the last part of an image's repository for images that run nginx and tag it by its version:
# nginx (Docker's official image, Bitnami's, Chainguard's, Ubuntu's...), NGINX Inc's unprivileged
# image, OpenResty (its first three numbers are the nginx core it bundles), and NGINX Plus
# repositories named ``nginx-plus`` (NGINX's own registry names them ``nginx-plus/base`` with
# tags like ``r32``: a Plus release, not an nginx version, so they give no version either way).
# Others (``nginx/nginx-ingress``, ``tiangolo/uwsgi-nginx``, ``mynginx``) tag their own versions.
NGINX_REPOSITORIES = frozenset({"nginx", "nginx-unprivileged", "openresty", "nginx-plus"})
MAX_REFERENCE = 1024
_WINDOW = 8  # lines after a name where its version may be written (a multi-line TOML table)
_LOCK_WINDOW = 512  # lines after a lock's name to its version (Pipfile.lock: after the hashes)
# a line of a TOML value begun above: an item of an array of tables, the key of a package table
_VALUE_LINE = re.compile(r"\s*(?:\{|version\s*=)")
# where a name is written: a word (``gunicorn = ...``, ``"gunicorn==..."``, ``[x.gunicorn]``; a
# dot may join it to a TOML dotted key), a TOML lock's ``name = "..."``, Pipfile.lock's key
_NAME_PLACES = {
    "name": re.compile(
        r"(?<![A-Za-z0-9_-])(?P<name>gunicorn|uvicorn|pyuwsgi|uwsgi)(?![A-Za-z0-9_-])", re.I
    ),
    "lock": re.compile(r"""^[ \t]*name[ \t]*=[ \t]*["'](?P<name>[^"'\n]*)["']""", re.MULTILINE),
    "json": re.compile(r'^[ \t]*"(?P<name>[^"\n]*)"[ \t]*:', re.MULTILINE),
}
_TOML_VERSION = re.compile(r"\s*version\s*=")
_JSON_VERSION = re.compile(r'"version"\s*:\s*"')
MAX_RAW = 200  # characters of ``Pin.raw`` kept (a requirement may be a whole file long)
MAX_PINS = 64  # per file: nobody pins a server that often; bounds the text searches
MAX_WORK = 16384  # candidates and lines one text search looks at


@dataclass(frozen=True, slots=True)
class Pin:
    """One exact version of a server package, where a file writes it."""

    package: Package  # "uwsgi" also for the pyuwsgi distribution (same server)
    version: Version  # (21, 2, 0)
    raw: str  # as written: "gunicorn==21.2.0", 'version = "21.2.0"' (``MAX_RAW`` at most)
    path: str  # the file, as given
    line: int  # 1-based line where the version is written
    column: int | None  # 1-based column of the version there; None when not found
    source_kind: str  # "requirements", "pyproject", "uv.lock", "poetry.lock", "Pipfile.lock"...


@dataclass(frozen=True, slots=True)
class _Hit:
    """A pin found in parsed data, before its place in the text is known."""

    package: Package
    version: Version
    name: str  # the package's name as written
    version_text: str  # the version as written, to find it in the text
    literal: str | None = None  # a PEP 508 string, found verbatim (``offset``: its version)
    offset: int = 0


def _clip(raw: str) -> str:
    return raw if len(raw) <= MAX_RAW else raw[: MAX_RAW - 1] + "…"


def normalise(name: str) -> str:
    """PEP 503: ``Py_UWSGI`` -> ``py-uwsgi``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _package(name: str) -> Package | None:
    return _PACKAGES.get(normalise(name))


def release(text: str) -> Version | None:
    """The release triple of a PEP 440 version: ``21.2.0.post1`` -> (21, 2, 0), ``1!2.0`` ->
    (2, 0, 0), ``23`` -> (23, 0, 0); None when ``text`` is not a version."""
    found = _PEP440.fullmatch(text.strip())
    if found is None:
        return None
    parts = [int(part) for part in found.group("release").split(".")[:3]]
    parts += [0] * (3 - len(parts))
    return (parts[0], parts[1], parts[2])


def _exact(spec: str) -> tuple[Version, str, int] | None:
    """The version a PEP 440 specifier list (``==21.2.0``, ``(==21.2.0)``, ``>=21,==21.2.0``)
    allows, with its text and offset in ``spec``; None for ranges, wildcards and nonsense."""
    start, end = 0, len(spec)
    stripped = spec.strip()
    if stripped.startswith("(") and stripped.endswith(")"):
        start, end = spec.index("(") + 1, spec.rindex(")")
    if not spec[start:end].strip():
        return None
    found: tuple[Version, str, int] | None = None
    position = start
    for part in spec[start:end].split(","):
        clause = _CLAUSE.fullmatch(part)
        if clause is None:
            return None  # not a specifier: a URL, a bare version, ``${VERSION}``...
        op, text = clause.group("op"), clause.group("version")
        if op == "===" or (op == "==" and "*" not in text):
            version = release(text)
            if version is None or (found is not None and found[0] != version):
                return None
            if found is None:
                found = (version, text, position + clause.start("version"))
        position += len(part) + 1
    return found


def _requirement(text: str) -> _Hit | None:
    """A PEP 508 requirement that pins one of the servers exactly: ``uvicorn[standard]==0.30.1;
    python_version >= "3.8"``, ``pyuwsgi (==2.0.30)``."""
    found = _REQUIREMENT.fullmatch(text)
    if found is None:
        return None
    package = _package(found.group("name"))
    if package is None or found.group("spec").lstrip().startswith("@"):
        return None
    exact = _exact(found.group("spec"))
    if exact is None:
        return None
    version, version_text, offset = exact
    return _Hit(
        package,
        version,
        found.group("name"),
        version_text,
        literal=text,
        offset=found.start("spec") + offset,
    )


def _poetry_constraint(value: object) -> tuple[Version, str] | None:
    """Poetry: ``"21.2.0"``, ``"=21.2.0"`` and ``"==21.2.0"`` are exact; ``^``, ``~``, ``*``,
    ranges and ``||`` are not."""
    if not isinstance(value, str):
        return None
    found = _POETRY_EXACT.fullmatch(value)
    if found is None:
        return None
    version = release(found.group("version"))
    return None if version is None else (version, found.group("version"))


def _pipfile_constraint(value: object) -> tuple[Version, str] | None:
    """Pipenv: a PEP 440 specifier (``"==21.2.0"``); ``"*"`` and ranges are not exact."""
    if not isinstance(value, str):
        return None
    exact = _exact(value)
    return None if exact is None else (exact[0], exact[1])


def _table(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, str))


# --- where a value is written -----------------------------------------------------------------


def _version_word(text: str) -> re.Pattern[str]:
    """``text`` as a whole version (``23.0`` is not in ``123.0`` nor ``23.0.1``)."""
    return re.compile(rf"(?<![0-9A-Za-z.]){re.escape(text)}(?![0-9A-Za-z]|\.[0-9A-Za-z])")


class _Finder:
    """Where values are written in a TOML or JSON file, whose parsers give no positions: a plain
    text search. The places where a server's name is written are found in one pass; a search
    starts after the place the last search for the same value took (files list their pins in
    order) and wraps once. Each search does at most ``MAX_WORK`` steps, so no file makes the
    searches slower than linear."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")  # as tomllib and json count lines
        self.starts = list(accumulate((len(line) + 1 for line in self.lines[:-1]), initial=0))
        self.used: set[int] = set()  # 1-based lines a pin took
        self._cursor: dict[str, int] = {}  # a search -> where the next one starts
        self._names: dict[str, dict[str, list[tuple[int, int]]]] = {}

    def _where(self, offset: int) -> tuple[int, int]:
        """(0-based line, 0-based column) of an offset in the text."""
        index = bisect_right(self.starts, offset) - 1
        return index, offset - self.starts[index]

    def _places(self, how: str, name: str) -> list[tuple[int, int]]:
        """(line, column after it) of each place ``name`` is written ``how`` (all servers'
        names, any case, found in one pass a way)."""
        if how not in self._names:
            table: dict[str, list[tuple[int, int]]] = {}
            for match in _NAME_PLACES[how].finditer(self.text):
                word = match.group("name")
                if normalise(word) in _PACKAGES:
                    table.setdefault(word.lower(), []).append(self._where(match.end()))
            self._names[how] = table
        return self._names[how].get(name.lower(), [])

    def _candidates(self, key: str, places: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
        """``places`` from the cursor of ``key`` on, then from the first one."""
        start = min(self._cursor.get(key, 0), len(places))
        for position in chain(range(start, len(places)), range(start)):
            self._cursor[key] = position + 1
            yield places[position]

    def _free(self, index: int) -> bool:
        return index + 1 not in self.used and not self.lines[index].lstrip().startswith("#")

    def literal(self, literal: str, offset: int) -> tuple[int, int] | None:
        """(line, column of the version) of a PEP 508 string written as it reads."""
        key = "literal\0" + literal
        start = self._cursor.get(key, 0)
        passes = [(start, len(self.text))] + ([(0, start + len(literal))] if start else [])
        for begin, end in passes:
            at = self.text.find(literal, begin, end)
            for _ in range(MAX_WORK):
                if at == -1:
                    break
                index, column = self._where(at)
                if self._free(index):
                    self._cursor[key] = at + 1
                    self.used.add(index + 1)
                    return index + 1, column + offset + 1
                at = self.text.find(literal, at + 1, end)
        return None

    def after_name(self, name: str, version_text: str) -> tuple[int, int | None]:
        """(line, column) of ``version_text`` on the line of ``name`` (``gunicorn = "21.2.0"``),
        or below it in its value (``[...dependencies.gunicorn]`` then ``version = "21.2.0"``, an
        array of ``{version = ...}``); else the name's line, column None; else (1, None)."""
        key = f"name\0{name.lower()}\0{version_text}"
        version = _version_word(version_text)
        fallback: int | None = None
        work = 0
        for index, end in self._candidates(key, self._places("name", name)):
            work += 1
            if not self._free(index):
                continue
            for later in range(index, min(index + _WINDOW, len(self.lines))):
                work += 1
                line = self.lines[later]
                if later > index and not _VALUE_LINE.match(line):
                    break  # another key or table
                written = version.search(line, end if later == index else 0)
                if written is not None and later + 1 not in self.used:
                    self.used.add(later + 1)
                    return later + 1, written.start() + 1
            fallback = index if fallback is None else fallback
            if work > MAX_WORK:
                break
        if fallback is None:
            return 1, None
        self.used.add(fallback + 1)
        return fallback + 1, None

    def lock(
        self, name: str, version_text: str, *, json_lock: bool
    ) -> tuple[int, int | None, str | None]:
        """A lock's ``version`` line for ``name``: after ``name = "gunicorn"`` in a TOML lock,
        after ``"gunicorn": {`` in ``Pipfile.lock``; (line, column, that line stripped)."""
        how = "json" if json_lock else "lock"
        places = self._places(how, name)
        key = f"{how}\0{name.lower()}\0{version_text}"
        if json_lock and key not in self._cursor:  # in "default", not "develop"
            default = re.search(r'^\s*"default"\s*:', self.text, re.MULTILINE)
            line = self._where(default.start())[0] if default else 0
            self._cursor[key] = bisect_right(places, (line, len(self.text)))
        version = _version_word(version_text)
        fallback: int | None = None
        work = 0
        for index, end in self._candidates(key, places):
            work += 1
            indent = len(self.lines[index]) - len(self.lines[index].lstrip())
            for later in range(index, min(index + _LOCK_WINDOW, len(self.lines))):
                work += 1
                row = self.lines[later]
                if json_lock:
                    if later > index and len(row) - len(row.lstrip()) <= indent:
                        break  # the end of this package's object
                    key_at = _JSON_VERSION.search(row, end if later == index else 0)
                    if key_at is None:
                        continue
                    written = version.search(row, key_at.end())
                elif later == index:
                    continue
                elif row.lstrip()[:1] == "[" or _NAME_PLACES["lock"].match(row):
                    break  # the next package
                elif _TOML_VERSION.match(row):
                    written = version.search(row)
                else:
                    continue
                if written is not None and later + 1 not in self.used:
                    self.used.add(later + 1)
                    return later + 1, written.start() + 1, row.strip()
                break
            if fallback is None and index + 1 not in self.used:
                fallback = index
            if work > MAX_WORK:
                break
        if fallback is not None:
            self.used.add(fallback + 1)
            return fallback + 1, None, None
        line, column = self.after_name(name, version_text)
        return line, column, None

    def place(self, hit: _Hit) -> tuple[int, int | None, str | None]:
        """(line, column, the version's line stripped) of a hit from a TOML file."""
        if hit.literal:
            found = self.literal(hit.literal, hit.offset)
            if found is not None:
                return found[0], found[1], None
        line, column = self.after_name(hit.name, hit.version_text)
        return line, column, self.lines[line - 1].strip() if column is not None else None


# --- the files ----------------------------------------------------------------------------------


def _requirements(path: str, text: str) -> list[Pin]:
    """pip's requirements format: ``pip._internal.req.req_file`` joins lines, strips comments,
    skips option lines and cuts options off a requirement."""
    pins: list[Pin] = []
    physical = text.splitlines()  # as pip splits
    pending: list[tuple[int, str]] = []  # the physical lines of one logical line
    for number, line in enumerate(physical, start=1):
        comment_line = line.lstrip().startswith("#")
        continued = line.endswith("\\") and not comment_line
        # as pip: a comment line ends a continuation, and stays a comment once joined
        pending.append((number, line.rstrip("\\") if continued else " " * comment_line + line))
        if continued and number < len(physical):
            continue
        parts, pending = pending, []
        logical = parts[0][1] if len(parts) == 1 else "".join(piece for _, piece in parts)
        if _SERVER.search(logical) is None:
            continue  # the quick way past every other package
        comment = _COMMENT.search(logical)
        if comment is not None:
            logical = logical[: comment.start()]
        if logical.lstrip().startswith("-"):
            continue  # an option line: -r, -c, -e, --index-url, --hash...
        option = _OPTION.search(logical)
        requirement = logical[: option.start()] if option is not None else logical
        hit = _requirement(requirement)
        if hit is None:
            continue
        line_number, column = parts[-1][0], hit.offset + 1
        for piece_line, piece in parts:  # the physical line the version is on
            if column <= len(piece):
                line_number = piece_line
                break
            column -= len(piece)
        pins.append(
            Pin(
                package=hit.package,
                version=hit.version,
                raw=_clip(requirement.strip()),
                path=path,
                line=line_number,
                column=column,
                source_kind="requirements",
            )
        )
        if len(pins) == MAX_PINS:
            break
    return pins


def _pyproject_hits(data: dict[str, object]) -> Iterator[_Hit]:
    project = _table(data.get("project"))
    groups: list[object] = [project.get("dependencies")]
    groups += _table(project.get("optional-dependencies")).values()
    groups += _table(data.get("dependency-groups")).values()  # {include-group = ...}: skipped
    for group in groups:
        for requirement in _strings(group):
            hit = _requirement(requirement)
            if hit is not None:
                yield hit
    poetry = _table(_table(data.get("tool")).get("poetry"))
    tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
    tables += [_table(group).get("dependencies") for group in _table(poetry.get("group")).values()]
    for table in tables:
        yield from _keyed_hits(table, _poetry_constraint, sources=("git", "path", "url", "file"))


def _keyed_hits(
    table: object,
    constraint: Callable[[object], tuple[Version, str] | None],
    *,
    sources: tuple[str, ...],
) -> Iterator[_Hit]:
    """``name = "constraint"``, ``name = {version = "..."}`` and (Poetry's multiple
    constraints) ``name = [{version = "...", python = "..."}, ...]``; a table that installs
    from ``sources`` (git, path, url...) pins nothing."""
    for name, value in _table(table).items():
        package = _package(name)
        if package is None:
            continue
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, dict) and any(source in item for source in sources):
                continue
            exact = constraint(item.get("version") if isinstance(item, dict) else item)
            if exact is not None:
                yield _Hit(package, exact[0], name, exact[1])


def _lock_hits(data: dict[str, object]) -> Iterator[_Hit]:
    """``[[package]]`` tables of uv.lock, poetry.lock and pdm.lock: resolved versions."""
    packages = data.get("package")
    for entry in packages if isinstance(packages, list) else []:
        name, version_text = _table(entry).get("name"), _table(entry).get("version")
        if not isinstance(name, str) or not isinstance(version_text, str):
            continue
        package, version = _package(name), release(version_text)
        if package is not None and version is not None:
            yield _Hit(package, version, name, version_text)


def _not_read(path: str, problems: Problems, what: str, detail: str, line: int) -> None:
    problems.add(
        CODE,
        path,
        line,
        f"{path}: not valid {what} ({detail}); version pins in it are not read",
        severity="info",
    )


def _toml(path: str, text: str, problems: Problems) -> dict[str, object] | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # "Invalid value (at line 3, column 5)", "Unclosed array (at end of document)"
        message = str(exc)
        at = re.search(r"\(at line (\d{1,9}), column \d{1,9}\)$", message)
        last = max(len(text.splitlines()), 1)
        line = int(at.group(1)) if at else (last if message.endswith("end of document)") else 1)
        detail = re.sub(r" ?\((at [^()]*)\)$", r" \1", message)
        _not_read(path, problems, "TOML", detail, line)
    except (ValueError, RecursionError) as exc:  # int() of 4301 digits; nested too deep
        _not_read(path, problems, "TOML", str(exc) or type(exc).__name__, 1)
    return None


def _pipfile_lock(path: str, text: str, problems: Problems) -> list[Pin]:
    import json

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        _not_read(
            path,
            problems,
            "JSON",
            f"{exc.msg} at line {exc.lineno}, column {exc.colno}",
            exc.lineno,
        )
        return []
    except (ValueError, RecursionError) as exc:
        _not_read(path, problems, "JSON", str(exc) or type(exc).__name__, 1)
        return []
    finder = _Finder(text)
    pins: list[Pin] = []
    for name, entry in _table(_table(data).get("default")).items():
        package = _package(name)
        written = _table(entry).get("version")
        exact = _pipfile_constraint(written)
        if package is None or exact is None:
            continue
        if len(pins) == MAX_PINS:
            break
        line, column, raw = finder.lock(name, exact[1], json_lock=True)
        raw = (raw or f'"version": "{written}"').rstrip(",")
        pins.append(Pin(package, exact[0], _clip(raw), path, line, column, "Pipfile.lock"))
    return pins


def _toml_pins(path: str, text: str, kind: str, problems: Problems) -> list[Pin]:
    data = _toml(path, text, problems)
    if data is None:
        return []
    if kind in _TOML_LOCKS:
        hits = list(islice(_lock_hits(data), MAX_PINS))
    elif kind == "Pipfile":
        sources = ("git", "path", "file")
        found = _keyed_hits(data.get("packages"), _pipfile_constraint, sources=sources)
        hits = list(islice(found, MAX_PINS))
    else:
        hits = list(islice(_pyproject_hits(data), MAX_PINS))
    finder = _Finder(text)
    pins: list[Pin] = []
    for hit in hits:
        if kind in _TOML_LOCKS:
            line, column, raw = finder.lock(hit.name, hit.version_text, json_lock=False)
            raw = raw or f'version = "{hit.version_text}"'
        else:
            line, column, raw = finder.place(hit)
            raw = hit.literal or raw or f'{hit.name} = "{hit.version_text}"'
        pins.append(Pin(hit.package, hit.version, _clip(raw), path, line, column, kind))
    return pins


def read_pins(path: str, problems: Problems) -> list[Pin]:
    """The exact gunicorn, uvicorn and uWSGI versions ``path`` pins, in file order. A ``*.txt``
    the caller passes is read as a requirements file whatever its name; other names give []."""
    kind = pin_kind(path)
    if kind is None and path.lower().endswith(".txt"):
        kind = "requirements"
    if kind is None:
        return []
    text = read_text(path, CODE, problems, kind="requirements")
    if text is None:
        return []
    text = text.removeprefix("\ufeff")
    if kind == "requirements":
        pins = _requirements(path, text)
    elif kind == "Pipfile.lock":
        pins = _pipfile_lock(path, text, problems)
    else:
        pins = _toml_pins(path, text, kind, problems)
    return sorted(pins, key=lambda pin: (pin.line, pin.column or 0))


def image_version(reference: str) -> tuple[Literal["nginx"], Version] | None:
    """The nginx version a container image runs, from its tag (variables already substituted):
    ``nginx:1.24-alpine`` -> ("nginx", (1, 24, 0)), ``openresty/openresty:1.21.4.1-0-jammy`` ->
    (1, 21, 4) (OpenResty's first three numbers are its nginx core). None without a version in
    the tag (``nginx``, ``nginx:stable-alpine``, ``nginx:mainline``, ``nginx:1``: tags that move)
    and for images that do not tag nginx's version (see ``NGINX_REPOSITORIES``). A registry with
    a port (``localhost:5000/nginx:1.25``) and a digest (``@sha256:...``, ignored) are allowed.
    """
    text = reference.strip()
    if not text or len(text) > MAX_REFERENCE or any(char.isspace() for char in text):
        return None
    text = text.partition("@")[0]
    slash, colon = text.rfind("/"), text.rfind(":")
    repository, tag = (text[:colon], text[colon + 1 :]) if colon > slash else (text, "")
    if repository.rsplit("/", 1)[-1].lower() not in NGINX_REPOSITORIES:
        return None
    found = _TAG_VERSION.match(tag)
    if found is None:
        return None
    patch = found.group("patch")
    return ("nginx", (int(found.group("major")), int(found.group("minor")), int(patch or 0)))
