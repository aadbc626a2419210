"""``--fix``, ``--unsafe-fixes`` and ``--diff``: the findings' edits applied until they are stable.

A round checks the files as the earlier rounds left them (in memory: ``reading_edited``), takes
the fixes it may apply (safe ones; unsafe ones too with ``--unsafe-fixes``), leaves for the next
round a fix whose edits overlap one already taken, and applies the others, unless they bring a
finding the files did not have (then one at a time, and the ones that do are withheld, with the
reason). A file gwlint could not read after a fix counts as such a finding whether the run
reports GW001, GW003 or GW004 or not. Rounds end when no fix is left, after ``MAX_ROUNDS``, or
when a round changes nothing. Nothing is written before the last round: then each changed file
is written to a temporary file beside it (with the original's mode) and renamed over it, all or
none.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gwlint.fixes.spans import line_starts

if TYPE_CHECKING:
    from gwlint.engine import Report, Request
    from gwlint.model.diagnostics import Diagnostic, Edit, Fix

MAX_ROUNDS = 5


class FixError(Exception):
    """The fixes cannot be applied or written: nothing was written."""


@dataclass
class Outcome:
    report: Report  # the findings after the fixes
    fixed: list[Diagnostic] = field(default_factory=list)
    # path as findings name it -> (text before, text after)
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)


def applicable(diagnostic: Diagnostic, unsafe: bool) -> Fix | None:
    fix = diagnostic.autofix
    if fix is None or not (fix.safe or unsafe):
        return None
    return fix


def run(request: Request, *, unsafe: bool) -> Outcome:
    """Check, fix and check again until stable; nothing is written (see ``write``).

    A fix that would bring a finding the files did not have (raising gunicorn's timeout above
    nginx's can put it above the load balancer's in front) is not applied: the round is tried
    again one fix at a time, and the fixes that bring one are reported as not fixable
    automatically, with what they would bring."""
    from gwlint.engine import lint
    from gwlint.loaders.stdin import reading_edited

    edited: dict[str, bytes] = {}  # real path -> bytes now
    texts: dict[str, tuple[str, str, str]] = {}  # real path -> (shown path, original, now)
    fixed: list[Diagnostic] = []
    withheld: dict[Fix, str] = {}
    with reading_edited(edited):
        report = lint(request)
        before = _unreadable(report)
        rounds = 0
        while rounds < MAX_ROUNDS:
            chosen = _choose(report.diagnostics, unsafe, withheld)
            if not chosen:
                break
            new_texts, after, brought = _trial(request, chosen, texts, edited, report)
            if brought is not None:  # one of them brings a finding: one at a time
                kept: list[tuple[Diagnostic, Fix]] = []
                for item in chosen:
                    alone = _trial(request, [*kept, item], texts, edited, report)[2]
                    if alone is None:
                        kept.append(item)
                    else:
                        withheld[item[1]] = alone
                if not kept:
                    continue  # the next round takes the fixes these overlapped
                chosen = kept
                new_texts, after, brought = _trial(request, chosen, texts, edited, report)
                if brought is not None:
                    break
            report = after
            rounds += 1
            if all(texts.get(real, ("", "", ""))[2] == new_texts[real][2] for real in new_texts):
                break  # nothing changed: a fix that is already made
            texts.update(new_texts)
            for real, (_, _, now) in new_texts.items():
                edited[real] = now.encode("utf-8")
            fixed.extend(diagnostic for diagnostic, _ in chosen)
        broken = _unreadable(report) - before
    if broken:
        code, path, line = sorted(broken)[0]
        raise FixError(
            f"the fixes would make {path}:{line} unreadable ({code}): nothing was written; "
            "please report this at https://github.com/gwlint/gwlint/issues"
        )
    if withheld:
        from dataclasses import replace

        report.diagnostics = [
            replace(d, autofix=None, unfixable=withheld[d.autofix])
            if d.autofix is not None and d.autofix in withheld
            else d
            for d in report.diagnostics
        ]
    changes = {shown: (original, now) for shown, original, now in texts.values() if original != now}
    return Outcome(report=report, fixed=fixed, changes=changes)


def _counts(report: Report) -> Counter[tuple[str, str]]:
    """Findings per (code, file), those that say a file cannot be read included even when the
    run does not report them."""
    found = Counter((d.code, os.path.realpath(d.location.path)) for d in report.diagnostics)
    shown = {(d.code, d.location.path, d.location.line) for d in report.diagnostics}
    for code, path, line in report.unreadable:
        if (code, path, line) not in shown:
            found[(code, os.path.realpath(path))] += 1
    return found


def _trial(
    request: Request,
    chosen: list[tuple[Diagnostic, Fix]],
    texts: dict[str, tuple[str, str, str]],
    edited: dict[str, bytes],
    report: Report,
) -> tuple[dict[str, tuple[str, str, str]], Report, str | None]:
    """The texts with ``chosen`` applied, the report on them, and what they bring that
    ``report`` did not have (a code in a file more): ``applying it would bring GW103
    (nginx.conf)``, or None."""
    from gwlint.engine import lint

    new_texts = _applied(chosen, texts)
    saved = dict(edited)
    edited.update({real: now.encode("utf-8") for real, (_, _, now) in new_texts.items()})
    try:
        after = lint(request)
    finally:
        edited.clear()
        edited.update(saved)
    old, new = _counts(report), _counts(after)
    shown = {os.path.realpath(d.location.path): d.location.path for d in after.diagnostics}
    shown.update({os.path.realpath(path): path for _, path, _ in after.unreadable})
    more = sorted(
        (code, shown.get(real, real)) for (code, real), n in new.items() if n > old[(code, real)]
    )
    if not more:
        return new_texts, after, None
    brought = ", ".join(f"{code} ({path})" for code, path in more[:3])
    return new_texts, after, f"applying it would bring {brought}; change it by hand"


def _unreadable(report: Report) -> set[tuple[str, str, int]]:
    """The files gwlint cannot read, whether the run selects those codes or not."""
    return set(report.unreadable)


def _choose(
    diagnostics: list[Diagnostic], unsafe: bool, withheld: dict[Fix, str]
) -> list[tuple[Diagnostic, Fix]]:
    """The fixes of this round: in the report's order, each whose edits overlap none taken
    (and none ``withheld``)."""
    taken: dict[str, list[tuple[int, int, int, int]]] = {}
    chosen: list[tuple[Diagnostic, Fix]] = []
    applied: set[Fix] = set()
    for diagnostic in diagnostics:
        fix = applicable(diagnostic, unsafe)
        if fix is None or fix in withheld:
            continue
        if fix in applied:  # one fix for several findings (both sides of a pair)
            chosen.append((diagnostic, fix))
            continue
        spans = [
            (os.path.realpath(e.path), (e.start_line, e.start_column, e.end_line, e.end_column))
            for e in fix.edits
        ]
        if any(_overlaps(span, other) for real, span in spans for other in taken.get(real, [])):
            continue
        for real, span in spans:
            taken.setdefault(real, []).append(span)
        applied.add(fix)
        chosen.append((diagnostic, fix))
    return chosen


def _overlaps(one: tuple[int, int, int, int], other: tuple[int, int, int, int]) -> bool:
    start, end = one[:2], one[2:]
    other_start, other_end = other[:2], other[2:]
    if start == other_start:
        return True  # two insertions at one place: their order is the next round's
    return start < other_end and other_start < end


def _applied(
    chosen: list[tuple[Diagnostic, Fix]], texts: dict[str, tuple[str, str, str]]
) -> dict[str, tuple[str, str, str]]:
    """The files ``chosen`` edits, as (shown path, original, text after the edits)."""
    by_file: dict[str, list[Edit]] = {}
    done: set[Fix] = set()
    for _, fix in chosen:
        if fix in done:
            continue
        done.add(fix)
        for edit in fix.edits:
            by_file.setdefault(os.path.realpath(edit.path), []).append(edit)
    out: dict[str, tuple[str, str, str]] = {}
    for real, edits in by_file.items():
        if real in texts:
            shown, original, now = texts[real]
        else:
            original = _read(real)
            shown, now = edits[0].path, original
        out[real] = (shown, original, apply_edits(now, edits))
    return out


def _read(real: str) -> str:
    try:
        with open(real, "rb") as handle:
            return handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FixError(f"{real}: cannot read it to fix it: {exc}") from None


def apply_edits(text: str, edits: list[Edit]) -> str:
    """``text`` with ``edits`` (of one file, not overlapping) made; FixError when one does not
    fit the text."""
    starts = line_starts(text)

    def offset(line: int, column: int) -> int:
        if line < 1 or line > len(starts):
            raise FixError(f"an edit points past the end of {edits[0].path} (line {line})")
        at = starts[line - 1] + column - 1
        limit = starts[line] if line < len(starts) else len(text)
        if column < 1 or at > limit:
            raise FixError(f"an edit points past the end of {edits[0].path}:{line}")
        return at

    spans = sorted(
        (
            (offset(e.start_line, e.start_column), offset(e.end_line, e.end_column), e.replacement)
            for e in edits
        ),
        reverse=True,
    )
    out = text
    previous = len(text) + 1
    for start, end, replacement in spans:
        if end > previous or end < start:
            raise FixError(f"two edits of {edits[0].path} overlap")
        out = out[:start] + replacement + out[end:]
        previous = start
    return out


def diff(changes: dict[str, tuple[str, str]]) -> str:
    """A unified diff of every changed file, as ``git diff`` names them (a/ and b/)."""
    out: list[str] = []
    for path in sorted(changes):
        before, after = changes[path]
        for line in difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{path}",
            tofile=f"b/{path}",
        ):
            if not line.endswith(("\n", "\r")):  # a file's last line without its newline
                line += "\n\\ No newline at end of file\n"
            out.append(_inert(line))
    return "".join(out)


def _inert(line: str) -> str:
    """A diff line whose text holds a control character (an escape sequence, a line separator)
    with it shown as text output shows it (``\\x1b``), its line ending kept: the diff reaches a
    terminal or a CI log, which must not act on the file's bytes. A line without one is left as
    it is."""
    from gwlint.reporters import printable

    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    shown = printable(body)
    return line if shown == body else shown + ending


def write(changes: dict[str, tuple[str, str]]) -> None:
    """Write every changed file, atomically: each to a temporary file beside it, with its mode,
    then all renamed over the originals. When one cannot be prepared, none is written."""
    prepared: list[tuple[str, str]] = []  # (temporary, target)
    try:
        for path, (_, after) in sorted(changes.items()):
            target = os.path.realpath(path)
            mode = os.stat(target).st_mode & 0o7777
            handle, temporary = tempfile.mkstemp(
                prefix=f".{os.path.basename(target)}.",
                suffix=".gwlint",
                dir=os.path.dirname(target),
            )
            prepared.append((temporary, target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(after.encode("utf-8"))
            os.chmod(temporary, mode)
    except OSError as exc:
        for temporary, _ in prepared:
            _remove(temporary)
        reason = exc.strerror or exc
        raise FixError(f"cannot write the fixes: {reason}; nothing was written") from None
    for temporary, target in prepared:
        os.replace(temporary, target)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(path)
