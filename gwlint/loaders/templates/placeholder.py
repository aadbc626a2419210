"""Liquid, ERB, Go and mustache templates (and Jinja that Jinja2 cannot parse), read by their tags.

Nothing here evaluates anything. A scanner finds each language's tags the way its own lexer
delimits them, then:

* an output tag (``{{ x }}``, ``<%= x %>``, Go's ``{{ .X }}``) is unknown: a marker, or a comment
  line when alone on its line; a bare name found in ``variables`` gives its value;
* a statement tag (``{% assign %}``, ``<% code %>``, ``{{ if }}``, ``{{# section }}``) is
  removed, and both branches of a conditional are kept, each line of them with a ``conditions``
  entry naming the block;
* an include (``{% include %}``, ``{% render %}``, Go's ``{{ template }}``, mustache's ``{{> }}``)
  is unknown like an output;
* a block whose body is not output where it stands (Liquid's ``{% capture %}`` and ``{% comment
  %}``, Go's ``{{ define }}``, Jinja's ``{% macro %}``) leaves blank lines.

An unterminated tag sets ``error`` and blanks the rest of its line; scanning goes on after it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from gwlint.loaders.templates import MAX_TAGS, Rendered
from gwlint.loaders.templates import _layout as layout
from gwlint.loaders.templates._layout import BlockKind, Branches, Finder, Role, Tag

Dialect = Literal["jinja", "liquid", "erb", "go", "mustache"]

LANGUAGE: dict[Dialect, str] = {
    "jinja": "Jinja",
    "liquid": "Liquid",
    "erb": "ERB",
    "go": "Go template",
    "mustache": "Mustache",
}

Strip = tuple[bool, bool]  # (strip the blanks before the tag, strip those after it)
NO_STRIP: Strip = (False, False)

_NAME = re.compile(r"@?\.?([A-Za-z_][A-Za-z0-9_]*)")


def render(
    text: str,
    kind: Dialect,
    variables: Mapping[str, str] | None = None,
    *,
    error: tuple[int, str] | None = None,
    branches: Branches = "all",
) -> Rendered:
    """Render ``text`` by its tags; ``error`` (Jinja2's syntax error) wins over the scanner's.
    ``branches``: "first" keeps only the first branch of a conditional (see layout.assemble)."""
    scanner = _Scanner(text, kind, variables or {})
    if kind == "erb":
        scanner.scan_erb()
    elif kind == "go":
        scanner.scan_go()
    elif kind == "mustache":
        scanner.scan_mustache()
    else:
        scanner.scan_curly()
    return layout.assemble(
        text,
        scanner.tags,
        kind,
        LANGUAGE[kind],
        error=error or scanner.error,
        branches=branches,
    )


# Jinja and Liquid statements, by their first word
_CURLY_BLOCKS: dict[str, dict[str, BlockKind]] = {
    "jinja": {
        "if": "cond",
        "for": "loop",
        "macro": "skip",
        "call": "plain",
        "filter": "plain",
        "block": "plain",
        "with": "plain",
        "autoescape": "plain",
        "trans": "plain",
    },
    "liquid": {
        "if": "cond",
        "unless": "cond",
        "case": "cond",
        "ifchanged": "plain",
        "for": "loop",
        "tablerow": "loop",
        "capture": "skip",
        "comment": "skip",
    },
}
_CURLY_MIDDLES = {"jinja": {"elif", "else"}, "liquid": {"elsif", "else", "when"}}
_CURLY_INCLUDES = {"jinja": {"include", "extends"}, "liquid": {"include", "render"}}
_CURLY_NOTES = {"jinja": {"import", "from"}, "liquid": set()}
_CURLY_OUTPUTS = {"jinja": set(), "liquid": {"echo", "cycle", "increment", "decrement"}}
_END_RAW = re.compile(r"\{%[-+]?\s*endraw\s*-?%\}")

# ERB: Ruby code that opens a block <% if x %> ... <% end %>
_ERB_CONDS = {"if", "unless", "case"}
_ERB_LOOPS = {"while", "until", "for"}
_ERB_MIDDLES = {"elsif", "else", "when", "in"}
_ERB_BLOCK = re.compile(r"(?:\bdo|\{)\s*(?:\|[^|\n]*\|)?$")
_ERB_ONE_LINER = re.compile(r"\bend$")

# Go: actions by their first word
_GO_BLOCKS: dict[str, BlockKind] = {
    "if": "cond",
    "with": "cond",
    "range": "loop",
    "define": "skip",
    "block": "plain",
}
_GO_ASSIGNMENT = re.compile(r"\$[A-Za-z0-9_]*\s*(?::=|=)")


class _Scanner:
    """The tags of one template, found left to right."""

    def __init__(self, text: str, dialect: Dialect, variables: Mapping[str, str]) -> None:
        self.text = text
        self.dialect = dialect
        self.variables = variables
        self.find = Finder(text)
        self.tags: list[Tag] = []
        self.error: tuple[int, str] | None = None
        self.no_endraw_after = len(text) + 1  # no {% endraw %} after this offset

    # -- shared

    def add(
        self,
        start: int,
        end: int,
        role: Role,
        strip: Strip = NO_STRIP,
        *,
        value: str | None = None,
        why: str = "",
        label: str = "",
        block: BlockKind = "plain",
        name: str = "",
    ) -> None:
        before, after = strip
        tag = Tag(start, end, role, value, why, label, block, name, before, after)
        self.tags.append(tag)

    def full(self, at: int) -> bool:
        """Past MAX_TAGS: the rest of the template is left blank."""
        if len(self.tags) < MAX_TAGS:
            return False
        self.tags.append(Tag(at, len(self.text), "remove"))
        self.fail(at, f"more than {MAX_TAGS} template tags: the rest is left blank")
        return True

    def fail(self, at: int, message: str) -> None:
        if self.error is None:
            self.error = (layout.line_of(self.text, at), message)

    def unterminated(self, at: int, opening: str) -> int:
        """Blank an unterminated tag up to the end of its line; where scanning resumes."""
        end = self.find.find("\n", at)
        end = len(self.text) if end < 0 else end - (self.text[end - 1] == "\r")  # keep "\r\n"
        self.fail(at, f"unterminated {opening} tag")
        if end > at:
            self.tags.append(Tag(at, end, "remove"))
        return max(end, at + 1)

    def output(self, start: int, end: int, expression: str, strip: Strip = NO_STRIP) -> None:
        """An output tag: the value of a bare name in ``variables``, else unknown."""
        written = self.text[start:end]
        found = _NAME.fullmatch(expression.strip())
        value = self.variables.get(found.group(1)) if found else None
        what = "expression" if self.dialect == "jinja" else "output"
        why = f"{LANGUAGE[self.dialect]} {what} {layout.flat(written, 120)}, "
        why += "filled in when the template is rendered"
        self.add(start, end, "output", strip, value=value, why=why)

    def include(self, start: int, end: int, strip: Strip = NO_STRIP) -> None:
        written = layout.flat(self.text[start:end], 120)
        why = f"{LANGUAGE[self.dialect]} {written}: the included template is not read"
        self.add(start, end, "include", strip, why=why)

    # -- Jinja (when Jinja2 cannot parse it) and Liquid: {{ }}, {% %}, {# #}

    def scan_curly(self) -> None:
        """Tags end at the first closing delimiter, as Liquid's tokenizer reads them."""
        text, find = self.text, self.find
        openings = ("{{", "{%", "{#") if self.dialect == "jinja" else ("{{", "{%")
        closing = {"{{": "}}", "{%": "%}", "{#": "#}"}
        pos = 0
        while True:
            start, opening = find.first(openings, pos)
            if start < 0 or self.full(start):
                return
            stop = find.find(closing[opening], start + 2)
            if stop < 0:
                pos = self.unterminated(start, opening)
                continue
            end = pos = stop + 2
            inner = text[start + 2 : stop]
            lead = inner[:1] if inner[:1] in ("-", "+") else ""  # {%- strips, {%+ does not
            code = inner[len(lead) :]
            strip = (lead == "-", code.endswith("-"))
            code = code[:-1] if strip[1] else code
            if opening == "{{":
                self.output(start, end, code, strip)
            elif opening == "{#":
                self.add(start, end, "remove", strip)
            else:
                pos = self.curly_statement(start, end, code, strip)

    def curly_statement(self, start: int, end: int, code: str, strip: Strip) -> int:
        dialect = "jinja" if self.dialect == "jinja" else "liquid"
        words = code.split(None, 1)
        word = words[0] if words else ""
        label = "{% " + layout.flat(code) + " %}"
        blocks = _CURLY_BLOCKS[dialect]
        if word == "raw":
            self.add(start, end, "remove", strip)
            found = None if end >= self.no_endraw_after else _END_RAW.search(self.text, end)
            if found is None:
                self.no_endraw_after = min(self.no_endraw_after, end)
                self.fail(start, "{% raw %} without {% endraw %}")
                return end
            closing = found.group(0)
            self.tags.append(
                Tag(
                    found.start(),
                    found.end(),
                    "remove",
                    strip_before=closing[2:3] == "-",
                    strip_after=closing.endswith("-%}"),
                )
            )
            return found.end()
        if word in blocks or (dialect == "jinja" and word == "set" and "=" not in code):
            block = blocks.get(word, "skip")  # {% set x %}...{% endset %} captures its body
            self.add(start, end, "open", strip, label=label, block=block, name=word)
        elif word in _CURLY_MIDDLES[dialect]:
            self.add(start, end, "middle", strip, label=label)
        elif word.startswith("end") and len(word) > 3:
            self.add(start, end, "close", strip, name=word[3:])
        elif word in _CURLY_INCLUDES[dialect]:
            self.include(start, end, strip)
        elif word in _CURLY_NOTES[dialect]:
            self.add(start, end, "note", strip)
        elif word in _CURLY_OUTPUTS[dialect]:
            self.output(start, end, "", strip)
        else:
            self.add(start, end, "remove", strip)
        return end

    # -- ERB: <%= %> <%== %> <% %> <%# %> <%- -%> <%%

    def scan_erb(self) -> None:
        """Tags as Ruby's ERB reads them: ``<%%`` is a literal ``<%``, ``%%>`` one ``%>``."""
        text, find = self.text, self.find
        pos = 0
        while True:
            start = find.find("<%", pos)
            if start < 0 or self.full(start):
                return
            if text.startswith("<%%", start):
                self.tags.append(Tag(start, start + 3, "output", value="<%"))
                pos = start + 3
                continue
            stop = find.find("%>", start + 2)
            while stop > start + 2 and text[stop - 1] == "%":  # "%%>" inside a tag
                stop = find.find("%>", stop + 2)
            if stop < 0:
                pos = self.unterminated(start, "<%")
                continue
            end = pos = stop + 2
            inner = text[start + 2 : stop]
            # <%- strips the indentation before the tag; -%> drops the line break after it,
            # which is kept here so that no line moves
            strip = (inner[:1] == "-", False)
            code = inner[1:] if strip[0] else inner
            code = code[:-1] if inner[-1:] == "-" else code
            if code[:1] == "=":
                self.output(start, end, code.lstrip("="), strip)
            elif code[:1] == "#":
                self.add(start, end, "remove", strip)
            else:
                self.erb_statement(start, end, code.strip(), strip)

    def erb_statement(self, start: int, end: int, code: str, strip: Strip) -> None:
        word = code.split(None, 1)[0] if code else ""
        label = "<% " + layout.flat(code) + " %>"
        one_liner = _ERB_ONE_LINER.search(code) is not None
        if word in _ERB_CONDS and not one_liner:
            self.add(start, end, "open", strip, label=label, block="cond")
        elif (word in _ERB_LOOPS and not one_liner) or _ERB_BLOCK.search(code):
            self.add(start, end, "open", strip, label=label, block="loop")
        elif word in _ERB_MIDDLES:
            self.add(start, end, "middle", strip, label=label)
        elif code == "end" or code == "}" or code.startswith(("end ", "end.", "end)")):
            self.add(start, end, "close", strip)
        else:
            self.add(start, end, "remove", strip)

    # -- Go text/template: {{ }}, {{- and -}} (with a blank), {{/* */}}

    def scan_go(self) -> None:
        """Actions as Go's lexer reads them: quoted strings may hold ``}}``."""
        text, find = self.text, self.find
        pos = 0
        while True:
            start = find.find("{{", pos)
            if start < 0 or self.full(start):
                return
            begin = start + 2
            strip_before = text[begin : begin + 1] == "-" and text[begin + 1 : begin + 2].isspace()
            if strip_before:
                begin += 1
            comment = begin + 1 if strip_before else begin
            if text.startswith("/*", comment):  # {{/* a comment */}}: may hold quotes and }}
                closing = find.find("*/", comment + 2)
                stop = -1 if closing < 0 else find.find("}}", closing + 2)
            else:
                stop = self.go_action_end(begin)
            if stop < 0:
                pos = self.unterminated(start, "{{")
                continue
            end = pos = stop + 2
            inner = text[begin:stop]
            strip_after = len(inner) >= 2 and inner[-1] == "-" and inner[-2].isspace()
            code = (inner[:-1] if strip_after else inner).strip()
            strip = (strip_before, strip_after)
            self.go_action(start, end, code, strip)

    def go_action_end(self, pos: int) -> int:
        """The ``}}`` that ends the action from ``pos``, past quoted strings; -1 if none."""
        find = self.find
        while True:
            stop = find.find("}}", pos)
            if stop < 0:
                return -1
            quote, which = find.first(('"', "'", "`"), pos)
            if quote < 0 or quote > stop:
                return stop
            # a raw string runs to the next backquote, newlines and all; an interpreted string or
            # a rune has escapes, and no newline
            raw = which == "`"
            closing = find.find("`", quote + 1) if raw else self.go_quote_end(quote, which)
            if closing < 0:
                return -1
            pos = closing + 1

    def go_quote_end(self, quote: int, which: str) -> int:
        find = self.find
        pos = quote + 1
        while True:
            closing = find.find(which, pos)
            escape = find.find("\\", pos)
            newline = find.find("\n", pos)
            if closing < 0 or (0 <= newline < closing):
                return -1
            if 0 <= escape < closing:
                pos = escape + 2
                continue
            return closing

    def go_action(self, start: int, end: int, code: str, strip: Strip) -> None:
        word = code.split(None, 1)[0] if code else ""
        label = "{{ " + layout.flat(code) + " }}"
        if code.startswith("/*"):
            self.add(start, end, "remove", strip)
        elif word in _GO_BLOCKS:
            block = _GO_BLOCKS[word]
            self.add(start, end, "open", strip, label=label, block=block)
        elif word == "else":
            self.add(start, end, "middle", strip, label=label)
        elif word == "end":
            self.add(start, end, "close", strip)
        elif word == "template":
            self.include(start, end, strip)
        elif word in ("break", "continue") or _GO_ASSIGNMENT.match(code):
            self.add(start, end, "remove", strip)
        else:
            self.output(start, end, code, strip)

    # -- mustache: {{x}} {{{x}}} {{&x}} {{#s}} {{^s}} {{/s}} {{!c}} {{>p}}

    def scan_mustache(self) -> None:
        """Tags as mustache reads them; a ``{{=<% %>=}}`` delimiter change is not followed."""
        text, find = self.text, self.find
        pos = 0
        while True:
            start = find.find("{{", pos)
            if start < 0 or self.full(start):
                return
            triple = text.startswith("{{{", start)
            closing = "}}}" if triple else "}}"
            stop = find.find(closing, start + len(closing))
            if stop < 0:
                pos = self.unterminated(start, "{{{" if triple else "{{")
                continue
            end = pos = stop + len(closing)
            code = text[start + len(closing) : stop].strip()
            sigil, name = code[:1], code[1:].strip()
            if triple or sigil == "&":
                self.output(start, end, name if sigil == "&" else code)
            elif sigil in ("#", "^"):
                label = "{{" + sigil + layout.flat(name) + "}}"
                self.tags.append(Tag(start, end, "open", label=label, block="cond", name=name))
            elif sigil == "/":
                self.tags.append(Tag(start, end, "close", name=name))
            elif sigil in ("!", "="):
                self.tags.append(Tag(start, end, "remove"))
            elif sigil == ">":
                self.include(start, end)
            else:
                self.output(start, end, code)
