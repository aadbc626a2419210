"""SARIF 2.1.0 for code scanning (GitHub ``upload-sarif`` and other SARIF viewers).

One run; ``tool.driver.rules`` lists every rule (not only the ones that fired), each with its rule
page as help. Results carry the rule, the level, a plain-text message that links the other side of
the mismatch (``[text](id)`` to ``relatedLocations``) and ends with the fix, the place relative to
the current folder (``%SRCROOT%``), and a line-independent ``partialFingerprints["gwlint/v1"]`` so
alerts survive edits that move lines. ``primaryLocationLineHash`` is left to ``upload-sarif``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from gwlint import __version__
from gwlint.model.diagnostics import Severity
from gwlint.reporters import encodable

if TYPE_CHECKING:
    from gwlint.engine import Report
    from gwlint.model.diagnostics import Diagnostic, Edit, Fix, Location
    from gwlint.rules.base import Rule

HOMEPAGE = "https://github.com/gwlint/gwlint"
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "gwlint/v1"
DESCRIPTION_LIMIT = 1024  # GitHub: shortDescription and fullDescription at most 1024 characters
# GitHub code scanning rejects a run with more results; the most severe are kept
# (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#validating-your-sarif-file)
MAX_RESULTS = 25_000

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
PROBLEM_SEVERITY = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "recommendation",
}


def help_uri(code: str, version: str = __version__) -> str:
    """The rule's page at the release that wrote the report (its tag: ``vX.Y.Z``, ``vX.Y.ZrcN``;
    the release workflow checks that the tag is ``v`` and the version); a development version
    built from git links its commit (hatch-vcs writes it in the local part, ``0.2.dev3+g1a2b3c4``,
    with ``.d20260101`` after it for a modified tree); any other, the main branch."""
    if re.fullmatch(r"\d+(?:\.\d+)+(?:(?:a|b|rc)\d+)?(?:\.post\d+)?", version):
        ref = f"v{version}"
    elif commit := re.search(r"\+g([0-9a-f]{7,40})(?:\.|$)", version):
        ref = commit.group(1)
    else:
        ref = "main"
    return f"{HOMEPAGE}/blob/{ref}/docs/rules/{code}.md"


# --- paths ---------------------------------------------------------------------------------------


def relative_path(path: str, cwd: str) -> str | None:
    """``path`` relative to ``cwd`` in POSIX form, or None when it lies outside ``cwd``.

    Tried as written first, then with symlinks resolved on both sides.
    """
    if not os.path.isabs(path):
        # what the first try below gives a relative path that does not climb out, cheaply
        normal = os.path.normpath(path)
        if normal != os.pardir and not normal.startswith(os.pardir + os.sep):
            return PurePath(normal).as_posix()
    absolute = os.path.abspath(os.path.join(cwd, path))
    for candidate, base in (
        (absolute, cwd),
        (os.path.realpath(absolute), os.path.realpath(cwd)),
    ):
        try:
            relative = os.path.relpath(candidate, base)
        except ValueError:  # another drive (Windows)
            continue
        if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
            return PurePath(relative).as_posix()
    return None


def _artifact(path: str, cwd: str, relative: str | None) -> dict[str, str]:
    """``path``'s ``artifactLocation`` (``relative``: ``relative_path(path, cwd)``)."""
    if relative is None:
        return {"uri": Path(os.path.abspath(os.path.join(cwd, path))).as_uri()}
    # the file name's bytes: a name that is not UTF-8 is still the right URI
    return {"uri": quote(os.fsencode(relative), safe="/"), "uriBaseId": SRCROOT}


class _Places:
    """Each path's place relative to ``cwd`` and its artifact location, worked out once a run:
    a report names the same files many times."""

    def __init__(self, cwd: str) -> None:
        self.cwd = cwd
        self._relative: dict[str, str | None] = {}
        self._artifacts: dict[str, dict[str, str]] = {}

    def relative(self, path: str) -> str | None:
        if path not in self._relative:
            self._relative[path] = relative_path(path, self.cwd)
        return self._relative[path]

    def artifact(self, path: str) -> dict[str, str]:
        found = self._artifacts.get(path)
        if found is None:
            found = self._artifacts[path] = _artifact(path, self.cwd, self.relative(path))
        return found

    def shown(self, path: str) -> str:
        return self.relative(path) or path

    def physical(self, location: Location) -> dict[str, Any]:
        region: dict[str, int] = {"startLine": max(location.line, 1)}
        if location.column is not None and location.column >= 1:
            region["startColumn"] = location.column
        # a copy: no two results share a dict
        return {"artifactLocation": dict(self.artifact(location.path)), "region": region}


def _root_uri(cwd: str) -> str:
    uri = Path(cwd).as_uri()
    return uri if uri.endswith("/") else f"{uri}/"


# --- text ----------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    r"""Plain-text message: ``\``, ``[`` and ``]`` escaped, so only our ``[text](id)`` are links."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _code(span: str) -> str:
    code = " ".join(span[1:-1].split())
    if not re.search(r"\s", code):
        return code
    return f'"{code}"' if "'" in code else f"'{code}'"


def _prose_plain(markdown: str) -> str:
    # neither part runs past a "[": each "[" is tried once, in time linear in the text
    text = re.sub(r"\[([^\[\]]+)\]\(([^)\s\[]+)\)", r"\1 (\2)", markdown)
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)
    text = re.sub(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", r"\1", text, flags=re.S)
    return re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"\1", text)


def _inline_plain(markdown: str) -> str:
    """Links, emphasis and inline code of Markdown prose as plain text."""
    spans: list[str] = []

    def hold(match: re.Match[str]) -> str:
        spans.append(_code(match.group(0)))
        return f"\0{len(spans) - 1}\0"

    text = _prose_plain(re.sub(r"`[^`]+`", hold, markdown))
    return re.sub(r"\0(\d+)\0", lambda m: spans[int(m.group(1))], text)


def markdown_to_text(markdown: str) -> str:
    """A rule page as plain text: no heading marks, fences, emphasis or inline-code backticks.

    Inline code with spaces (a log line, a directive and its value) keeps quotes around it.
    """
    out: list[str] = []
    prose: list[str] = []

    def flush() -> None:
        if prose:
            out.extend(_inline_plain("\n".join(prose)).split("\n"))
            prose.clear()

    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            flush()
            fenced = not fenced
        elif fenced:
            out.append(f"    {line}" if line else "")
        elif line.startswith("<!--") and line.rstrip().endswith("-->"):
            continue
        else:
            heading = re.match(r"#{1,6}\s+(.*)", line)
            prose.append(heading.group(1) if heading else line)
    flush()
    text = "\n".join(out).strip()
    return re.sub(r"\n{3,}", "\n\n", text) + "\n"


def _first_paragraph(markdown: str) -> str:
    paragraph = markdown.strip().split("\n\n", 1)[0]
    text = " ".join(_inline_plain(paragraph).split())
    if len(text) > DESCRIPTION_LIMIT:
        text = text[: DESCRIPTION_LIMIT - 1].rsplit(" ", 1)[0] + "…"
    return text


def _page(rule: Rule) -> str:
    """The rule's Markdown page (``gwlint rule CODE``) without the generated-file comment."""
    from gwlint.reporters.docs import HEADER, render_rule

    # without running the example (what gwlint reports on it is on the helpUri page): the
    # report stays as fast as the others
    return render_rule(rule, run=False).removeprefix(HEADER).lstrip("\n")


def _precision(rule: Rule) -> str:
    """How sure a result is: input problems are facts; info findings are advice."""
    if rule.family == "input":
        return "very-high"
    return "medium" if rule.severity is Severity.INFO else "high"


# --- rules ---------------------------------------------------------------------------------------


@cache
def _rules_json(full_help: bool) -> str:
    """``tool.driver.rules`` for every rule, as JSON; ``full_help``: with each rule's whole page
    as ``help`` (else the descriptions and the page's link only)."""
    from gwlint.rules import ALL_RULES

    descriptors = []
    for rule in ALL_RULES:
        descriptor: dict[str, Any] = {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.title[:DESCRIPTION_LIMIT]},
            "fullDescription": {"text": _first_paragraph(rule.why)},
        }
        if full_help:
            page = _page(rule)
            descriptor["help"] = {"text": markdown_to_text(page), "markdown": page}
        descriptors.append(
            {
                **descriptor,
                "helpUri": help_uri(rule.code),
                "defaultConfiguration": {"level": LEVELS[rule.severity]},
                "properties": {
                    "tags": ["gwlint", rule.family],
                    "precision": _precision(rule),
                    "problem.severity": PROBLEM_SEVERITY[rule.severity],
                },
            }
        )
    return json.dumps(descriptors, ensure_ascii=False)


def _rule_index() -> dict[str, int]:
    from gwlint.rules import ALL_RULES

    return {rule.code: index for index, rule in enumerate(ALL_RULES)}


# --- results -------------------------------------------------------------------------------------


def _message(diagnostic: Diagnostic, places: _Places) -> str:
    parts = [_sentence(_escape(diagnostic.message))]
    if diagnostic.related:
        links = [
            f"[{_escape(f'{places.shown(r.location.path)}:{r.location.line}')}]({number}): "
            f"{_escape(r.message)}"
            for number, r in enumerate(diagnostic.related, start=1)
        ]
        parts.append(_sentence("Related: " + "; ".join(links)))
    if diagnostic.fix:
        parts.append(_sentence(f"Fix: {_escape(diagnostic.fix)}"))
    return " ".join(parts)


def replacer(paths: dict[str, str]) -> Callable[[str], str]:
    """A function that writes each key of ``paths`` found in a text as its value: left to right,
    the longest key that starts at each place, as ``re.sub`` with every key escaped, longest
    first, in one alternation does. But through a trie: the time is linear in the text whatever
    the number of keys (the alternation tries each key at each place)."""
    if "" in paths:  # an empty key matches everywhere: what re.sub does with it, rarely needed
        pattern = re.compile("|".join(re.escape(p) for p in sorted(paths, key=len, reverse=True)))
        return lambda text: pattern.sub(lambda m: paths[m.group(0)], text)
    if not paths:
        return lambda text: text
    trie: dict[str, Any] = {}
    for key, value in paths.items():
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = value  # the end of a key (characters are never "")
    starts = re.compile("[" + "".join(re.escape(char) for char in trie) + "]")

    def replace(text: str) -> str:
        out: list[str] = []
        copied = 0
        found = starts.search(text)
        while found is not None:
            at = found.start()
            node: dict[str, Any] | None = trie
            end, value, place = at, None, at
            while node is not None:
                if "" in node:
                    end, value = place, node[""]
                if place == len(text):
                    break
                node = node.get(text[place])
                place += 1
            if value is None:
                found = starts.search(text, at + 1)
                continue
            out.append(text[copied:at])
            out.append(value)
            copied = end
            found = starts.search(text, end)
        out.append(text[copied:])
        return "".join(out)

    return replace


def _identity(diagnostic: Diagnostic, uri: str, uris: Callable[[str], str]) -> str:
    """What stays the same when lines move: code, file and the message without digits.

    Paths in the message are written as their URI (``uris``: a ``replacer`` of every path the
    report names), so ``./nginx.conf`` and ``nginx.conf`` agree; digits (line numbers, but values
    too) become 0, so an edit above keeps the alert.
    """
    key = "\0".join((diagnostic.code, uri, re.sub(r"\d+", "0", uris(diagnostic.message))))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _results(report: Report, cwd: str) -> list[dict[str, Any]]:
    index = _rule_index()
    places = _Places(cwd)
    uris = replacer(
        {
            location.path: places.artifact(location.path)["uri"]
            for diagnostic in report.diagnostics
            for location in (diagnostic.location, *(r.location for r in diagnostic.related))
        }
    )
    seen: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for diagnostic in report.diagnostics:
        physical = places.physical(diagnostic.location)
        identity = _identity(diagnostic, physical["artifactLocation"]["uri"], uris)
        seen[identity] = seen.get(identity, 0) + 1
        result: dict[str, Any] = {"ruleId": diagnostic.code}
        if diagnostic.code in index:
            result["ruleIndex"] = index[diagnostic.code]
        result["level"] = LEVELS[diagnostic.severity]
        result["message"] = {"text": _message(diagnostic, places)}
        result["locations"] = [{"physicalLocation": physical}]
        if diagnostic.related:
            result["relatedLocations"] = [
                {
                    "id": number,
                    "message": {"text": _escape(related.message)},
                    "physicalLocation": places.physical(related.location),
                }
                for number, related in enumerate(diagnostic.related, start=1)
            ]
        result["partialFingerprints"] = {FINGERPRINT: f"{identity}:{seen[identity]}"}
        if diagnostic.autofix is not None:
            result["fixes"] = [_fix(diagnostic.autofix, places)]
        if diagnostic.fix:
            result["properties"] = {"fix": diagnostic.fix}
            if diagnostic.autofix is not None:
                result["properties"]["fixSafety"] = "safe" if diagnostic.autofix.safe else "unsafe"
        results.append(result)
    return results


def _fix(fix: Fix, places: _Places) -> dict[str, Any]:
    """A SARIF ``fix``: per file, its ``replacements`` (regions in lines and columns, as the
    results' regions: 1-based, the end column exclusive)."""
    by_file: dict[str, list[Edit]] = {}
    for edit in fix.edits:
        by_file.setdefault(edit.path, []).append(edit)
    return {
        "description": {"text": _escape(fix.description)},
        "artifactChanges": [
            {
                "artifactLocation": dict(places.artifact(path)),
                "replacements": [
                    {
                        "deletedRegion": {
                            "startLine": edit.start_line,
                            "startColumn": edit.start_column,
                            "endLine": edit.end_line,
                            "endColumn": edit.end_column,
                        },
                        "insertedContent": {"text": edit.replacement},
                    }
                    for edit in edits
                ],
            }
            for path, edits in by_file.items()
        ],
    }


def _rules(report: Report, full_help: bool) -> list[dict[str, Any]]:
    """The rule descriptors, with the severities the configuration gives (``[severity]``)."""
    rules: list[dict[str, Any]] = json.loads(_rules_json(full_help))
    for descriptor in rules:
        severity = report.severities.get(descriptor["id"])
        if severity is not None:
            descriptor["defaultConfiguration"]["level"] = LEVELS[severity]
            descriptor["properties"]["problem.severity"] = PROBLEM_SEVERITY[severity]
    return rules


def _capped(report: Report) -> tuple[Report, int]:
    """The report with at most MAX_RESULTS diagnostics, the most severe kept (in their order),
    and how many were left out."""
    from dataclasses import replace

    diagnostics = report.diagnostics
    if len(diagnostics) <= MAX_RESULTS:
        return report, 0
    ranked = sorted(range(len(diagnostics)), key=lambda i: -diagnostics[i].severity.rank)
    kept = sorted(ranked[:MAX_RESULTS])
    capped = replace(report, diagnostics=[diagnostics[i] for i in kept])
    return capped, len(diagnostics) - MAX_RESULTS


def render(report: Report, *, category: str | None = None, full_help: bool = False) -> str:
    """The SARIF log. ``category``: ``automationDetails.id`` (``NAME/``), which tells apart
    the uploads of one commit (a matrix, two folders): without it, codeql-action's own
    ``category`` input applies. ``full_help``: every rule's whole page in the log."""
    cwd = os.getcwd()  # before the rule pages are rendered: they run examples in a scratch folder
    report, left_out = _capped(report)
    results = _results(report, cwd)
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if left_out:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "warning",
                "message": {
                    "text": f"{left_out} results left out: GitHub code scanning accepts at most "
                    f"{MAX_RESULTS} per run (the most severe are kept; run gwlint with "
                    "--format text or json for all)"
                },
            }
        ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "gwlint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": HOMEPAGE,
                "rules": _rules(report, full_help),
            }
        },
    }
    if category:
        run["automationDetails"] = {"id": category if category.endswith("/") else f"{category}/"}
    run.update(
        {
            "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(cwd)}},
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }
    )
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return encodable(json.dumps(document, indent=2, ensure_ascii=False), in_json=True) + "\n"
