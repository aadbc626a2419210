"""What every loader shares: reading a file safely, and collecting input problems (GW00x)."""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, NamedTuple

from gwlint.loaders import nonblocking
from gwlint.loaders.stdin import data_for
from gwlint.model.diagnostics import Finding, Location, Severity

if TYPE_CHECKING:
    from gwlint.fixes.plan import Plan
    from gwlint.loaders.templates import Rendered

# what a variable a platform sets when it starts a Procfile's process is (loaders.launch): here,
# so that the readers of config files say it without importing the launchers' model
PLATFORM_SET = "set by the platform when it starts the process"
MAX_FILE_BYTES = 8 * 1024 * 1024
# the largest number a setting may hold: a bigger one is no real setting (and would overflow
# the arithmetic of the rules)
MAX_SETTING_INT = 10**18


def number_problem(value: object) -> str | None:
    """Why a number read for a setting cannot be used as one (None: it can)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) > MAX_SETTING_INT:
        return "a number too large to be a setting"
    if isinstance(value, float) and not math.isfinite(value):
        return "not a finite number"
    return None


# ``gwlint: ignore[GW101, GW202] reason`` at the start of a comment (after ``#`` or ``;``)
_DIRECTIVE = re.compile(r"^\s*gwlint\s*:\s*(?P<verb>[A-Za-z-]*)(?P<rest>.*)$", re.DOTALL)
_CODES = re.compile(r"^\[(?P<codes>[^\]]*)\](?P<reason>.*)$", re.DOTALL)
_CODE = re.compile(r"^GW\d{3}$")
# what people write when they mean a suppression (ruff, shellcheck, yamllint, golangci-lint...)
_VERBS = frozenset(
    {"ignore", "noqa", "disable", "disable-line", "disable-next-line", "skip", "suppress", "nolint"}
)
SUPPRESSION_SYNTAX = "# gwlint: ignore[GW101] reason"
# flake8's and ruff's noqa comment naming gwlint's codes: meant for gwlint, in another syntax
_NOQA = re.compile(r"^\s*noqa\s*:\s*(?P<codes>GW\d{3}(?:\s*,\s*GW\d{3})*)\b", re.IGNORECASE)


def _syntax(codes: str | None) -> str:
    """The suppression to write, with the codes the comment named when it named any."""
    return f"# gwlint: ignore[{codes}] reason" if codes else SUPPRESSION_SYNTAX


def _codes_in(text: str) -> str | None:
    found = re.findall(r"GW\d{3}", text.upper())
    return ", ".join(dict.fromkeys(found)) if found else None


class Suppression(NamedTuple):
    """A ``# gwlint: ignore[CODES] reason`` comment: on a line of its own it covers the next line
    that is not a comment; after a directive it covers its own line."""

    path: str
    line: int
    column: int | None
    codes: tuple[str, ...]
    reason: str
    own_line: bool


_MARKER = re.compile(r"__GWLINT_UNKNOWN_(\d+)__")


class Placeholders:
    """The templates of a run: what each unknown-value marker stands for (so that no message
    shows a marker), and the template lines that are inside a conditional block."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}  # marker -> the placeholder as written
        self.conditions: dict[tuple[str, int], str] = {}  # (real path, line) -> "inside ..."
        self._count = 0
        self._rendered: dict[str, str] = {}  # real path -> its text as registered
        self.kinds: dict[str, str] = {}  # real path -> the kind of template it is

    def register(self, path: str, rendered: Rendered) -> str:
        """The rendered text, its markers numbered anew for the whole run (each template
        numbers its own from 1); a file registered again gets its first numbering."""
        real = os.path.realpath(path)
        if real in self._rendered:
            return self._rendered[real]
        by_marker = {p.marker: p.text for p in rendered.placeholders if p.marker}
        renamed: dict[str, str] = {}

        def rename(found: re.Match[str]) -> str:
            old = found.group(0)
            if old not in renamed:
                self._count += 1
                new = f"__GWLINT_UNKNOWN_{self._count}__"
                renamed[old] = new
                self.texts[new] = by_marker.get(old, "a template placeholder")
            return renamed[old]

        self.kinds[real] = rendered.kind
        for line, condition in rendered.conditions.items():
            self.conditions[(real, line)] = condition
        self._rendered[real] = _MARKER.sub(rename, rendered.text)
        return self._rendered[real]

    def restore(self, text: str) -> str:
        """``text`` with every marker back to the placeholder it stands for."""
        if "__GWLINT_UNKNOWN_" not in text:
            return text
        return _MARKER.sub(lambda m: self.texts.get(m.group(0), "{{ ? }}"), text)


class Problems:
    """Input problems found while loading, each with a file and a line; and the comments that
    suppress findings, with the lines of each file that hold nothing but a comment."""

    def __init__(self) -> None:
        self.items: list[Finding] = []
        self.suppressions: list[Suppression] = []
        self.comment_lines: dict[str, set[int]] = {}
        self._seen_comments: set[tuple[str, int, int | None]] = set()
        self.placeholders = Placeholders()

    def comment(
        self, path: str, line: int, text: str, *, own_line: bool, column: int | None = None
    ) -> None:
        """A comment a loader read (``text`` without its ``#``/``;``): maybe a suppression."""
        key = (os.path.realpath(path), line, column)
        if key in self._seen_comments:
            return
        self._seen_comments.add(key)
        if own_line:
            self.comment_lines.setdefault(key[0], set()).add(line)
        directive = _DIRECTIVE.match(text)
        if directive is None:
            noqa = _NOQA.match(text)
            if noqa is not None:
                codes_text = _codes_in(noqa.group("codes"))
                self.add(
                    "GW007",
                    path,
                    line,
                    f"suppression not applied: '# noqa' is flake8's and ruff's syntax; write "
                    f"{_syntax(codes_text)!r}",
                    column=column,
                )
            return
        verb, rest = directive.group("verb").lower(), directive.group("rest").strip()
        if verb not in _VERBS:
            return  # a comment that merely starts with "gwlint:"
        codes_match = _CODES.match(rest)
        if codes_match is None:
            self.add(
                "GW007",
                path,
                line,
                f"suppression not applied: write {_syntax(_codes_in(rest))!r} (codes in "
                "brackets, then why)",
                column=column,
            )
            return
        if verb != "ignore":
            self.add(
                "GW007",
                path,
                line,
                f"suppression not applied: 'gwlint: {verb}' is not gwlint's syntax; write "
                f"{_syntax(_codes_in(rest))!r}",
                column=column,
            )
            return
        codes = tuple(
            part.strip().upper() for part in codes_match.group("codes").split(",") if part.strip()
        )
        bad = [code for code in codes if not _CODE.match(code)]
        if not codes or bad:
            what = f"{bad[0]!r} is not a rule code" if bad else "no rule code in the brackets"
            self.add(
                "GW007",
                path,
                line,
                f"suppression not applied: {what} (write {SUPPRESSION_SYNTAX!r})",
                column=column,
            )
            return
        reason = codes_match.group("reason").strip().lstrip(":-—– ").strip()
        if not reason:
            self.add(
                "GW007",
                path,
                line,
                f"suppression not applied: it gives no reason for {', '.join(codes)}; say why "
                f"after the brackets ({_syntax(', '.join(codes))!r})",
                column=column,
            )
            return
        self.suppressions.append(Suppression(path, line, column, codes, reason, own_line))

    def add(
        self,
        code: str,
        path: str,
        line: int,
        message: str,
        *,
        column: int | None = None,
        severity: str | None = None,
        fix: str | None = None,
        plan: Plan | None = None,
    ) -> None:
        self.items.append(
            Finding(
                code=code,
                location=Location(path=path, line=max(line, 1), column=column),
                message=message,
                severity=Severity(severity) if severity else None,
                fix=fix,
                plan=plan,
            )
        )


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def within(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or lies under it, symlinks and ``..`` resolved on both."""
    return _inside(os.path.realpath(path), os.path.realpath(folder))


# the folders a run may read from (real paths): the folders named on the command line (a named
# file's folder), else the working directory; set by the engine for a run (``reading_within``)
_ROOTS: ContextVar[tuple[str, ...] | None] = ContextVar("gwlint_roots", default=None)

OUTSIDE_NOTE = "the folders given on the command line, or the working directory"


def roots() -> tuple[str, ...]:
    """The real paths of the folders this run may read from (the working directory when no
    run set them)."""
    return _ROOTS.get() or (os.path.realpath(os.getcwd()),)


@contextmanager
def reading_within(folders: Iterable[str]) -> Iterator[None]:
    """Confine the reads of what runs inside to ``folders`` (symlinks resolved)."""
    chosen = tuple(dict.fromkeys(os.path.realpath(f) for f in folders))
    token = _ROOTS.set(chosen or None)
    try:
        yield
    finally:
        _ROOTS.reset(token)


def outside(path: str, by: str | None = None, *, folder: str | None = None) -> bool:
    """Whether ``path``, symlinks and ``..`` resolved, lies outside the folders the run may
    read from (``roots``): the folders named on the command line (for a named file, its
    folder), else the working directory. A repository can never widen them: a symlink out of
    the tree, ``../../secret``, ``source /etc/...``, a configuration file's ``nginx-prefix``.
    The answer is the same whether the file exists or not (no oracle).

    Outside a run (a loader called on its own, with no ``reading_within``), the folders are the
    working directory, the folder of the file that leads here (``by``), where a command runs
    (``folder``), and a file named directly (``by`` None) unless a symlink in the working
    directory leads out of it."""
    real = os.path.realpath(path)
    run = _ROOTS.get()
    if run is not None:
        return not any(_inside(real, root) for root in run)
    here = os.path.realpath(os.getcwd())
    if _inside(real, here) or (folder is not None and _inside(real, os.path.realpath(folder))):
        return False
    if by is None:
        return _inside(os.path.abspath(path), os.getcwd())  # in the tree as written, not resolved
    return not _inside(real, os.path.realpath(os.path.dirname(os.path.abspath(by))))


def isfile_within(path: str, by: str | None = None) -> bool:
    """``os.path.isfile`` for a path the input leads to: False, without asking, for a path
    outside the folders the run reads (``outside``), so that such a file and a missing one get
    the same answer."""
    return not outside(path, by) and os.path.isfile(path)


def outside_message(path: str, kind: str) -> str:
    return f"{path} lies outside the folders gwlint reads ({OUTSIDE_NOTE}): not read ({kind})"


def read_bytes(
    path: str, code: str, problems: Problems, *, kind: str, by: str | None = None
) -> bytes | None:
    """The file's bytes, or None after reporting why it cannot be used. ``by``: the file that
    points to this one (see ``outside``); None for a file gwlint was given or found.
    Standard input read as this file (``--stdin-filename``, bounded when it was read) is
    read in its place."""
    data = data_for(path)
    if data is None:
        data = _read_file(path, code, problems, kind=kind, by=by)
        if data is None:
            return None
    nul = data.find(b"\x00")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        problems.add(code, path, line, f"{kind} config is a binary file (NUL byte); not read")
        return None
    return data


def _read_file(
    path: str, code: str, problems: Problems, *, kind: str, by: str | None = None
) -> bytes | None:
    """The bytes of the file on disk, or None after reporting why it cannot be read."""
    if outside(path, by):
        problems.add(
            code,
            path,
            1,
            outside_message(path, kind),
        )
        return None
    try:
        with open(path, "rb", opener=nonblocking) as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                problems.add(code, path, 1, f"{kind} config {path} is not a regular file")
                return None
            if info.st_size > MAX_FILE_BYTES:
                problems.add(
                    code,
                    path,
                    1,
                    f"{kind} config is {info.st_size} bytes, over the {MAX_FILE_BYTES // 2**20} "
                    "MiB limit; not read",
                )
                return None
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        problems.add(code, path, 1, f"cannot read {kind} config: {exc.strerror or exc}")
        return None


def read_text(
    path: str, code: str, problems: Problems, *, kind: str, by: str | None = None
) -> str | None:
    data = read_bytes(path, code, problems, kind=kind, by=by)
    if data is None:
        return None
    return data.decode("utf-8", errors="replace")


_HINT = re.compile(r"\((give it with --env [^()]*)\)\s*$")


def split_hint(reason: str) -> tuple[str, str | None]:
    """A reason a value is unknown, and the way to give it (``give it with --env X=VALUE``) apart:
    the message says why, the fix says how."""
    found = _HINT.search(reason)
    if found is None:
        return reason, None
    return reason[: found.start()].rstrip(), found.group(1)
