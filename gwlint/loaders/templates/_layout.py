"""How a template's tags become text that nginx's parser reads at the template's line numbers.

Every renderer (envsubst, Jinja, the placeholder renderer) turns a template into a list of
``Tag``: spans of the template with what becomes of them. ``assemble()`` does the rest, the same
way for every language:

* text outside tags is copied as written; whitespace control (``{%-``, ``-%}``, ``{{-``, ``<%-``,
  ``-%>``) strips the blanks it strips in the real tool, but never a line break;
* a tag that is removed (a statement, a comment) leaves only its line breaks;
* an output whose value is known becomes the value, one whose value is unknown becomes a marker;
* a line that holds nothing but blanks and tags, at least one of them an unknown value or an
  include, becomes a comment line (``# {{ extra_config }}``): it must not become a directive;
* a conditional or a loop whose whole extent is on one line (``listen {% if ssl %}443 ssl{% else
  %}80{% endif %};``) becomes one unknown value: which branch applies is not known;
* a block whose body is not output where it stands (a Jinja macro, a Liquid capture, a Go define)
  leaves blank lines;
* every line inside a conditional or a loop gets a ``conditions`` entry naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from gwlint.loaders.templates import (
    MAX_OUTPUT,
    MAX_PLACEHOLDERS,
    Placeholder,
    Rendered,
    TemplateKind,
    marker,
)

# output: a value (known or not); remove: leaves nothing but its line breaks; include: an included
# file, unknown; note: a statement kept as a comment when alone on its line (Jinja's import);
# open/middle/close: a block's tags ({% if %}, {% else %}, {% endif %}).
Role = Literal["output", "remove", "include", "note", "open", "middle", "close"]
# cond: a conditional; loop: a loop; plain: a body output as is; skip: a body not output here
BlockKind = Literal["cond", "loop", "plain", "skip"]

COMMENT_WIDTH = 200  # characters of tag text kept in a comment line or a label


@dataclass(slots=True)
class Tag:
    """A span of the template (``start``..``end``, offsets) and what becomes of it."""

    start: int
    end: int
    role: Role
    value: str | None = None  # output: the value when known
    why: str = ""  # output, include: why the value is unknown
    label: str = ""  # open, middle: the tag as the conditions name it, e.g. "{% if ssl %}"
    block: BlockKind = "plain"  # open: what kind of block
    name: str = ""  # open, close: what pairs them ("" on a close matches any open)
    strip_before: bool = False  # whitespace control: strip the blanks before the tag
    strip_after: bool = False  # ... and after it
    line: int = 0  # filled in by assemble()
    column: int = 0
    end_line: int = 0


# --- text helpers -----------------------------------------------------------------------------

# every character str.splitlines() breaks at ("\r\n" is one break)
_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_UNUSUAL_BREAK = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_ANY_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def breaks(text: str) -> str:
    """The line breaks of ``text``, in order: what a removed tag leaves so no line moves."""
    if not _UNUSUAL_BREAK.search(text):
        return "\n" * text.count("\n")
    found = _BREAK.findall(text)
    # a lone "\r" followed by "\n" would read as one "\r\n" break: keep them apart
    return "".join(
        f" {b}" if b[0] == "\n" and i and found[i - 1] == "\r" else b for i, b in enumerate(found)
    )


def has_break(text: str) -> bool:
    """Whether inserting ``text`` would add a line."""
    return not text.isprintable() and _ANY_BREAK.search(text) is not None


def strip_head(text: str) -> str:
    """``text`` after a tag that strips the blanks after it (``-%}``), line breaks kept."""
    core = text.lstrip()
    return breaks(text[: len(text) - len(core)]) + core


def strip_tail(text: str) -> str:
    """``text`` before a tag that strips the blanks before it (``{%-``), line breaks kept."""
    core = text.rstrip()
    return core + breaks(text[len(core) :])


def flat(text: str, width: int = COMMENT_WIDTH) -> str:
    """``text`` on one line, blanks collapsed, control characters dropped, at most ``width``."""
    one = " ".join(text[: width * 4].split())
    one = "".join(c if c.isprintable() else " " for c in one)
    if len(one) > width or len(text) > width * 4:
        return one[: width - 3] + "..."
    return one


def line_of(text: str, offset: int) -> int:
    """The 1-based line of ``offset`` (for the rare error; scanners count lines as they go)."""
    return text.count("\n", 0, offset) + 1


class Finder:
    """``str.find`` with memory, for scanners that only move forward.

    A search resumes where the last one for the same needle stopped (and a needle found missing
    stays missing), so a scan stays linear however the template is shaped: a 200 KB line of
    ``{{{{`` costs one search, not one per ``{{``.
    """

    __slots__ = ("_memo", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._memo: dict[str, tuple[int, int]] = {}

    def find(self, needle: str, pos: int) -> int:
        memo = self._memo.get(needle)
        if memo is not None:
            asked, found = memo
            if asked <= pos and (found == -1 or found >= pos):
                return found
        found = self.text.find(needle, pos)
        self._memo[needle] = (pos, found)
        return found

    def first(self, needles: tuple[str, ...], pos: int) -> tuple[int, str]:
        """The first of ``needles`` at or after ``pos``: (offset, needle), or (-1, "")."""
        best, which = -1, ""
        for needle in needles:
            at = self.find(needle, pos)
            if at >= 0 and (best < 0 or at < best):
                best, which = at, needle
        return best, which


def blank(text: str, kind: TemplateKind, error: tuple[int, str]) -> Rendered:
    """A template that could not be read at all: its lines, blank."""
    lines = "\n" * text.count("\n") if len(text) > MAX_OUTPUT else breaks(text)
    return Rendered(text=lines, kind=kind, placeholders=(), conditions={}, error=error)


# which branches of a conditional are read: every one, or the first alone
Branches = Literal["all", "first"]


# --- assembly ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Frame:
    """An open block while assembling: its condition ("" when it is not a conditional)."""

    index: int
    conditional: bool
    label: str
    line: int
    condition: str
    depth: int
    skipping: bool = False  # a later branch, left blank (branches="first")


@dataclass(slots=True)
class _Piece:
    """A piece of one output row: literal text (no line break) or a tag."""

    text: str
    tag: Tag | None
    line: int
    condition: str
    depth: int


@dataclass(slots=True)
class _Assembler:
    source: str
    kind: TemplateKind
    language: str
    error: tuple[int, str] | None
    first_only: bool = False
    parts: list[str] = field(default_factory=list)
    size: int = 0
    full: bool = False  # the output budget is spent: only line breaks from now on
    stopped: bool = False  # too many placeholders: tags leave only their line breaks
    last_cr: bool = False
    line: int = 1
    row: list[_Piece] = field(default_factory=list)
    placeholders: list[Placeholder] = field(default_factory=list)
    marks: dict[int, tuple[int, str]] = field(default_factory=dict)
    frames: list[_Frame] = field(default_factory=list)
    markers: int = 0  # markers handed out: the n of the next one is markers + 1

    # -- output

    def write(self, text: str) -> None:
        if not text:
            return
        if not self.full and self.size + len(text) > MAX_OUTPUT:
            self.full = True
            self.fail("rendered text larger than 16 MiB: the rest is left blank")
        if self.full:
            text = breaks(text)
            if not text:
                return
        if self.last_cr and text[0] == "\n":
            self.parts.append(" ")  # a lone "\r" then "\n" must stay two line breaks
        self.parts.append(text)
        self.size += len(text)
        self.last_cr = text[-1] == "\r"

    def fail(self, message: str) -> None:
        if self.error is None:
            self.error = (self.line, message)

    # -- conditions

    def condition(self) -> tuple[str, int]:
        for frame in reversed(self.frames):
            if frame.condition:
                return frame.condition, frame.depth
        return "", 0

    def mark(self, line: int, condition: str, depth: int) -> None:
        if condition and (line not in self.marks or self.marks[line][0] < depth):
            self.marks[line] = (depth, condition)

    def open_block(self, index: int, tag: Tag) -> None:
        condition, depth = self.condition()
        conditional = tag.block in ("cond", "loop")
        if conditional:
            condition, depth = f"inside {tag.label} (line {tag.line})", depth + 1
        self.frames.append(_Frame(index, conditional, tag.label, tag.line, condition, depth))

    def middle_block(self, tag: Tag) -> None:
        frame = self.frames[-1] if self.frames else None
        if frame is not None and frame.conditional:
            frame.condition = f"inside the {tag.label} of {frame.label} (line {frame.line})"
            frame.skipping = self.first_only

    @property
    def skipping(self) -> bool:
        return any(frame.skipping for frame in self.frames)

    def close_block(self, opener: int) -> None:
        while self.frames:
            if self.frames.pop().index == opener:
                return

    # -- rows: the pieces of one output line (tags may span template lines)

    def literal(self, text: str) -> None:
        condition, depth = self.condition()
        start = 0
        while True:
            newline = text.find("\n", start)
            if newline < 0:
                if start < len(text):
                    self.row.append(_Piece(text[start:], None, self.line, condition, depth))
                return
            end, brk = newline, "\n"
            if end > start and text[end - 1] == "\r":
                end, brk = end - 1, "\r\n"
            if end > start:
                self.row.append(_Piece(text[start:end], None, self.line, condition, depth))
            self.flush(condition, depth)
            self.write(brk)
            self.line += 1
            start = newline + 1

    def tag(self, tag: Tag) -> None:
        condition, depth = self.condition()
        self.row.append(_Piece("", tag, tag.line, condition, depth))
        self.line += self.source.count("\n", tag.start, tag.end)

    def flush(self, condition: str, depth: int, last: bool = False) -> None:
        """Write the row that ends here, as text or as one comment line."""
        row, self.row = self.row, []
        if not any(piece.tag is not None for piece in row):
            for piece in row:
                self.write(piece.text)
            if row or not last:  # (not the empty "line" after a final line break)
                # a line of text alone: inside the innermost block open around it
                self.mark(self.line, condition, depth)
            return
        content = False
        unknown = False
        for piece in row:
            tag = piece.tag
            if tag is None:
                if piece.text.strip():
                    content = True
                    self.mark(piece.line, piece.condition, piece.depth)
            elif tag.role in ("output", "include", "note"):
                self.mark(piece.line, piece.condition, piece.depth)
                unknown = unknown or tag.role != "output" or _unknown(tag)
        if unknown and not content and not self.stopped:
            self.write_comment(row)
        else:
            self.write_inline(row)

    def write_inline(self, row: list[_Piece]) -> None:
        for piece in row:
            tag = piece.tag
            if tag is None:
                self.write(piece.text)
                continue
            written = self.source[tag.start : tag.end]
            if not self.stopped and tag.role in ("output", "include"):
                if tag.role == "output" and not _unknown(tag):
                    self.write(tag.value or "")
                elif self.record(tag, written, inline=True):
                    self.write(self.placeholders[-1].marker)
            self.write(breaks(written))

    def write_comment(self, row: list[_Piece]) -> None:
        shown = [
            flat(self.source[p.tag.start : p.tag.end])
            for p in row
            if p.tag is not None and p.tag.role in ("output", "include", "note")
        ]
        commented = False
        for piece in row:
            tag = piece.tag
            if tag is None:
                self.write(piece.text)
                continue
            written = self.source[tag.start : tag.end]
            if tag.role in ("output", "include", "note"):
                if not commented:
                    self.write("# " + flat(" ".join(shown), COMMENT_WIDTH * 5))
                    commented = True
                if tag.role != "note" and (tag.role == "include" or _unknown(tag)):
                    self.record(tag, written, inline=False)
            self.write(breaks(written))

    def record(self, tag: Tag, written: str, inline: bool) -> bool:
        """Record a placeholder; False once there are too many (then nothing is substituted)."""
        if self.stopped or len(self.placeholders) >= MAX_PLACEHOLDERS:
            self.stopped = True
            self.fail(f"more than {MAX_PLACEHOLDERS} placeholders: the rest is not substituted")
            return False
        mark = ""
        if inline:
            self.markers += 1
            mark = marker(self.markers)
        why = tag.why or f"{self.language} {flat(written, 120)}, filled in when rendered"
        self.placeholders.append(Placeholder(mark, written, tag.line, tag.column, why))
        return True


def _unknown(tag: Tag) -> bool:
    """Whether an output tag's value is unknown (a value spanning lines counts as unknown)."""
    return tag.value is None


def _positions(source: str, tags: list[Tag]) -> list[Tag]:
    """Tags in order, without overlaps, each with its line, column and last line."""
    kept: list[Tag] = []
    line, last_newline, cursor = 1, -1, 0
    for tag in tags:
        if tag.start < cursor or tag.end <= tag.start or tag.end > len(source):
            continue  # defensive: renderers give ordered, disjoint spans
        count = source.count("\n", cursor, tag.start)
        if count:
            line += count
            last_newline = source.rfind("\n", cursor, tag.start)
        tag.line, tag.column = line, tag.start - last_newline
        count = source.count("\n", tag.start, tag.end)
        if count:
            line += count
            last_newline = source.rfind("\n", tag.start, tag.end)
        tag.end_line = line - 1 if source[tag.end - 1] == "\n" else line
        cursor = tag.end
        if tag.value is not None and has_break(tag.value):
            tag.value = None  # inserted, it would move the lines after it: unknown instead
        kept.append(tag)
    return kept


def _pairs(tags: list[Tag]) -> dict[int, int]:
    """open index -> close index; stray closes and middles become removed tags."""
    closes: dict[int, int] = {}
    stack: list[int] = []
    open_names: dict[str, int] = {}
    for i, tag in enumerate(tags):
        if tag.role == "open":
            stack.append(i)
            open_names[tag.name] = open_names.get(tag.name, 0) + 1
        elif tag.role == "middle" and not stack:
            tag.role = "remove"
        elif tag.role == "close":
            if not stack or (tag.name and not open_names.get(tag.name)):
                tag.role = "remove"
                continue
            while stack:  # a close ends the innermost open block it names (blocks left open end)
                j = stack.pop()
                open_names[tags[j].name] -= 1
                if not tag.name or tags[j].name == tag.name:
                    closes[j] = i
                    break
    return closes


def assemble(
    source: str,
    tags: list[Tag],
    kind: TemplateKind,
    language: str,
    error: tuple[int, str] | None = None,
    branches: Branches = "all",
) -> Rendered:
    """The rendering of ``source`` given its tags (ordered, disjoint spans).

    ``branches``: "all" reads every branch of a conditional; "first" only its first one (the
    others left blank, lines kept), for a template whose branches are alternatives that cannot
    stand together (each opens a block it closes after the conditional)."""
    tags = _positions(source, tags)
    closes = _pairs(tags)
    openers = {close: opener for opener, close in closes.items()}
    out = _Assembler(source, kind, language, error, first_only=branches == "first")
    pos = 0
    strip_next = False
    i = 0
    while i < len(tags):
        tag = tags[i]
        close = closes.get(i) if tag.role == "open" else None
        if close is not None and tag.block == "skip":
            last = tags[close]
            tag = Tag(
                tag.start,
                last.end,
                "remove",
                strip_before=tag.strip_before,
                strip_after=last.strip_after,
                line=tag.line,
                column=tag.column,
            )
            i = close
        elif (
            close is not None
            and tag.block in ("cond", "loop")
            and (tags[close].end_line == tag.line)
            and not (branches == "first" and tag.block == "cond")
        ):
            last = tags[close]
            what = "which branch applies" if tag.block == "cond" else "what the loop repeats"
            what += " is known only when the template is"
            tag = Tag(
                tag.start,
                last.end,
                "output",
                why=f"{language} {tag.label} on one line: {what} rendered",
                strip_before=tag.strip_before,
                strip_after=last.strip_after,
                line=tag.line,
                column=tag.column,
            )
            i = close
        gap = source[pos : tag.start]
        if strip_next:
            gap = strip_head(gap)
        if tag.strip_before:
            gap = strip_tail(gap)
        if out.skipping:
            gap = breaks(gap)
            if tag.role in ("output", "include", "note"):
                tag = Tag(tag.start, tag.end, "remove", line=tag.line, column=tag.column)
        out.literal(gap)
        out.tag(tag)
        if tag.role == "open":
            out.open_block(i, tag)
        elif tag.role == "middle":
            out.middle_block(tag)
        elif tag.role == "close":
            out.close_block(openers.get(i, -1))
        pos, strip_next = tag.end, tag.strip_after
        i += 1
    rest = source[pos:]
    rest = strip_head(rest) if strip_next else rest
    out.literal(breaks(rest) if out.skipping else rest)
    condition, depth = out.condition()
    out.flush(condition, depth, last=True)
    if source and not has_break(source[-1]) and (not out.parts or has_break(out.parts[-1][-1])):
        out.write(" ")  # the last line stays a line (for str.splitlines()), if blank
    return Rendered(
        text="".join(out.parts),
        kind=kind,
        placeholders=tuple(out.placeholders),
        conditions={line: text for line, (_, text) in sorted(out.marks.items())},
        error=out.error,
    )
