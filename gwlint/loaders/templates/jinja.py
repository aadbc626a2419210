"""Jinja2 templates (Ansible's ``.j2``), read with Jinja2's own parser and never rendered.

Jinja2 does two things here, and nothing else: ``Environment().parse()`` checks the syntax (real
Jinja syntax, with Jinja2's own errors) and gives the tree of every expression, and
``Environment().lex()`` gives every tag in order. No template is compiled, rendered or run.

Jinja2's nodes carry a line but no column, so the tags' places come from the token stream, whose
values are the template's own text (less the blanks that whitespace control strips), and the
n-th ``{{ }}`` tag is the n-th expression of an ``Output`` node in the tree, ``{% set %}`` the
n-th assignment, and so on: Jinja2's parser builds the tree from that same stream, in order.

What an expression gives:

* a constant gives its text; a ``{% set x = ... %}`` earlier gives its value, ``variables``
  the value of a name it holds; ``a ~ b`` both known gives both;
* ``x | default(60)`` gives ``60`` when ``x`` is a name nothing in the template binds and
  ``variables`` does not hold (Ansible's idiom for an optional setting);
* anything else (a loop variable, a filter, a call) is unknown: a marker.

Blocks: both branches of an ``{% if %}`` are kept, every line with a ``conditions`` entry; a loop
body is kept once; macro bodies and ``{% set x %}...{% endset %}`` leave blank lines;
include/import/extends become comment lines. A set inside a block makes its name unknown after the
block (which branch ran, or whether the loop ran, is not known).

When Jinja2 cannot parse the template, ``error`` holds its line and message and the tags are read
as placeholders (``templates/placeholder.py``).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gwlint.loaders.templates import MAX_TAGS, Rendered, placeholder
from gwlint.loaders.templates import _layout as layout
from gwlint.loaders.templates._layout import Branches, Tag

if TYPE_CHECKING:
    import jinja2
    from jinja2 import nodes

# names Jinja binds itself: never a "free" variable that default() replaces
_BUILTIN_NAMES = frozenset({"loop", "caller", "varargs", "kwargs", "self", "super"})
_BEGIN = frozenset({"variable_begin", "block_begin", "comment_begin"})
_END = frozenset({"variable_end", "block_end", "comment_end"})


def parses(text: str) -> bool:
    """Whether Jinja2's parser accepts ``text``."""
    try:
        import jinja2

        jinja2.Environment(keep_trailing_newline=True).parse(_normalise(text)[0])
    except Exception:  # TemplateSyntaxError, RecursionError on deep nesting, ImportError
        return False
    return True


def render(
    text: str, variables: Mapping[str, str] | None = None, branches: Branches = "all"
) -> Rendered:
    """Render a Jinja template for reading (see the module doc). Never raises."""
    try:
        import jinja2
    except ImportError:
        error = (1, "Jinja2 is not installed: the tags are read as placeholders")
        return placeholder.render(text, "jinja", variables, error=error, branches=branches)
    norm, crlf = _normalise(text)
    environment = jinja2.Environment(keep_trailing_newline=True)
    try:
        tree = environment.parse(norm)
    except jinja2.TemplateSyntaxError as exc:
        error = (exc.lineno or 1, exc.message or "syntax error")
        return placeholder.render(text, "jinja", variables, error=error, branches=branches)
    except RecursionError:
        error = (1, "nested too deeply for Jinja2's parser")
        return placeholder.render(text, "jinja", variables, error=error, branches=branches)
    except Exception as exc:  # e.g. ValueError: an integer literal too long for int()
        error = (1, f"Jinja2 could not parse the template: {exc}")
        return placeholder.render(text, "jinja", variables, error=error, branches=branches)
    try:
        reader = _Reader(tree, variables or {})
        tags = reader.read(environment, norm)
    except Exception:  # (_Mismatch, never expected) the tokens do not line up with the tree
        return placeholder.render(text, "jinja", variables, branches=branches)
    if crlf:
        for tag in tags:
            tag.start += bisect_left(crlf, tag.start)
            tag.end += bisect_left(crlf, tag.end)
    return layout.assemble(text, tags, "jinja", "Jinja", error=reader.error, branches=branches)


def _normalise(text: str) -> tuple[str, array[int]]:
    """The text as Jinja2's lexer reads it, and where a "\\r\\n" became "\\n".

    Jinja2 reads "\\r\\n" and "\\r" as line breaks; nginx counts "\\n" only. "\\r\\n" becomes "\\n"
    (one character less: ``crlf`` lists those "\\n" so offsets map back) and a lone "\\r" a blank,
    so Jinja2's line numbers are nginx's.
    """
    crlf: array[int] = array("q")
    if "\r" not in text:
        return text, crlf
    at = text.find("\r\n")
    while at >= 0:
        crlf.append(at - len(crlf))
        at = text.find("\r\n", at + 2)
    return text.replace("\r\n", "\n").replace("\r", " "), crlf


class _Mismatch(Exception):
    """The token stream and the tree do not line up (never expected)."""


@dataclass(slots=True)
class _Frame:
    """The names a block binds: a value, or None when the value is not known."""

    values: dict[str, str | None] = field(default_factory=dict)
    assigned: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Open:
    """A tag being read from the token stream."""

    kind: str
    start: int
    inner: int
    line: int
    strip_before: bool
    word: str = ""
    word_line: int = 0


class _Reader:
    """Turns the token stream into tags, with the tree's expressions for their values."""

    def __init__(self, tree: nodes.Template, variables: Mapping[str, str]) -> None:
        self.variables = variables
        self.outputs: list[nodes.Expr] = []
        self.statements: dict[str, deque[nodes.Node]] = {
            "set": deque(),
            "for": deque(),
            "with": deque(),
            "call": deque(),
        }
        self.bound: set[str] = set(_BUILTIN_NAMES)
        self.frames: list[_Frame] = [_Frame()]
        self.error: tuple[int, str] | None = None
        self._walk(tree)
        self.next_output = 0

    def _walk(self, tree: nodes.Template) -> None:
        """Collect, in source order, the outputs' expressions, the statements, the bound names."""
        from jinja2 import nodes

        kinds: dict[type[nodes.Node], str] = {
            nodes.Assign: "set",
            nodes.AssignBlock: "set",
            nodes.For: "for",
            nodes.With: "with",
            nodes.CallBlock: "call",
        }
        stack: list[nodes.Node] = [tree]
        while stack:
            node = stack.pop()
            if isinstance(node, nodes.Output):
                self.outputs.extend(n for n in node.nodes if not isinstance(n, nodes.TemplateData))
            kind = kinds.get(type(node))
            if kind is not None:
                self.statements[kind].append(node)
            if isinstance(node, nodes.Name):
                if node.ctx in ("store", "param"):
                    self.bound.add(node.name)
            elif isinstance(node, nodes.Macro):  # a macro's name
                self.bound.add(node.name)
            elif isinstance(node, nodes.Import):
                self.bound.add(node.target)
            elif isinstance(node, nodes.FromImport):
                self.bound.update(n if isinstance(n, str) else n[1] for n in node.names)
            stack.extend(reversed(list(node.iter_child_nodes())))

    # -- the token stream

    def read(self, environment: jinja2.Environment, norm: str) -> list[Tag]:
        tags: list[Tag] = []
        pos = 0
        current: _Open | None = None
        for line, token, value in environment.lex(norm):
            if not value:
                continue
            start = _locate(norm, value, pos)
            if start < 0:
                raise _Mismatch(token)
            pos = start + len(value)
            if (token in _BEGIN or token == "raw_begin") and len(tags) >= MAX_TAGS:
                tags.append(Tag(start, len(norm), "remove"))
                self.error = (line, f"more than {MAX_TAGS} template tags: the rest is left blank")
                return tags
            if token in _BEGIN:
                current = _Open(token, start, pos, line, value.endswith("-"))
            elif token in _END:
                if current is None:
                    raise _Mismatch(token)
                core = value.rstrip()
                tag = Tag(
                    current.start,
                    start + len(core),
                    "remove",
                    strip_before=current.strip_before,
                    strip_after=core.startswith("-"),
                )
                self._tag(tag, current, norm[current.inner : start], line)
                tags.append(tag)
                current = None
            elif token in ("raw_begin", "raw_end"):
                core = value.rstrip()
                tags.append(
                    Tag(
                        start,
                        start + len(core),
                        "remove",
                        strip_before=core[2:3] == "-",
                        strip_after=core.endswith("-%}"),
                    )
                )
            elif current is not None and not current.word and token == "name":
                current.word, current.word_line = value, line
        if current is not None or self.next_output != len(self.outputs):
            raise _Mismatch("end")
        return tags

    def _tag(self, tag: Tag, current: _Open, inner: str, end_line: int) -> None:
        """What the tag is: an output, a block's tag, a statement."""
        if current.kind == "variable_begin":
            if self.next_output >= len(self.outputs):
                raise _Mismatch("output")
            expression = self.outputs[self.next_output]
            self.next_output += 1
            if not current.line <= expression.lineno <= end_line:
                raise _Mismatch("output line")
            tag.role = "output"
            tag.value, _ = self._value(expression)
            written = "{{ " + layout.flat(inner, 120) + " }}"
            tag.why = f"Jinja expression {written}, filled in when the template is rendered"
            if tag.value is not None and layout.has_break(tag.value):
                tag.why = f"Jinja expression {written}: its value spans several lines"
        elif current.kind == "block_begin":
            label = "{% " + layout.flat(inner) + " %}"
            self._statement(tag, current.word, current.word_line, label)

    def _statement(self, tag: Tag, word: str, line: int, label: str) -> None:
        from jinja2 import nodes

        if word == "if":
            self._push()
            tag.role, tag.block, tag.name, tag.label = "open", "cond", word, label
        elif word in ("elif", "else"):
            frame = self.frames[-1]
            frame.assigned.update(frame.values)
            frame.values = {}
            tag.role, tag.label = "middle", label
        elif word.startswith("end"):
            self._pop()
            tag.role, tag.name = "close", word[3:]
        elif word == "for":
            loop = self._statement_node("for", line)
            assert isinstance(loop, nodes.For)
            self._push([*_stored_names(loop.target), "loop"])
            tag.role, tag.block, tag.name, tag.label = "open", "loop", word, label
        elif word == "set":
            assign = self._statement_node("set", line)
            if isinstance(assign, nodes.Assign):
                if isinstance(assign.target, nodes.Name):
                    self._bind(assign.target.name, self._value(assign.node)[0])
                else:
                    for name in _stored_names(assign.target):
                        self._bind(name, None)
            else:  # {% set x %}...{% endset %}: the body is captured, not output
                assert isinstance(assign, nodes.AssignBlock)
                for name in _stored_names(assign.target):
                    self._bind(name, None)
                self._push()
                tag.role, tag.block, tag.name = "open", "skip", word
        elif word == "with":
            with_ = self._statement_node("with", line)
            assert isinstance(with_, nodes.With)
            values = [self._value(v)[0] for v in with_.values]
            self._push()
            for target, value in zip(with_.targets, values, strict=False):
                names = _stored_names(target)
                for name in names:
                    self._bind(name, value if len(names) == 1 else None)
            tag.role, tag.name = "open", word
        elif word == "call":
            call = self._statement_node("call", line)
            assert isinstance(call, nodes.CallBlock)
            self._push([*(a.name for a in call.args), "caller"])
            tag.role, tag.name = "open", word
        elif word == "macro":
            self._push()
            tag.role, tag.block, tag.name = "open", "skip", word
        elif word in ("filter", "block", "autoescape"):
            self._push()
            tag.role, tag.name = "open", word
        elif word in ("include", "extends"):
            what = "included" if word == "include" else "parent"
            tag.role, tag.why = "include", f"Jinja {label}: the {what} template is not read"
        elif word in ("import", "from"):
            tag.role = "note"

    def _statement_node(self, kind: str, line: int) -> nodes.Node:
        queue = self.statements[kind]
        if not queue or queue[0].lineno != line:
            raise _Mismatch(kind)
        return queue.popleft()

    # -- scopes

    def _push(self, unknown: list[str] | None = None) -> None:
        self.frames.append(_Frame({name: None for name in unknown or ()}))

    def _pop(self) -> None:
        if len(self.frames) < 2:
            raise _Mismatch("end")
        frame = self.frames.pop()
        # after a block, what it set is not known: which branch ran, whether the loop ran
        for name in frame.assigned | frame.values.keys():
            self._bind(name, None)

    def _bind(self, name: str, value: str | None) -> None:
        frame = self.frames[-1]
        frame.values[name] = value
        frame.assigned.add(name)

    # -- values

    def _value(self, node: nodes.Node) -> tuple[str | None, bool]:
        """(value, free): value None when unknown; free when it rests on a name that nothing
        in the template binds and ``variables`` does not hold (which ``default()`` replaces)."""
        from jinja2 import nodes

        if isinstance(node, nodes.Const):
            return _text(node.value), False
        if isinstance(node, nodes.Name):
            for frame in reversed(self.frames):
                if node.name in frame.values:
                    return frame.values[node.name], False
            if node.name in self.variables:
                return self.variables[node.name], False
            return None, node.name not in self.bound
        if isinstance(node, (nodes.Getattr, nodes.Getitem)):
            value, free = self._value(node.node)
            return None, value is None and free
        if isinstance(node, nodes.Filter) and node.name in ("default", "d") and node.node:
            value, free = self._value(node.node)
            if value == "" and _default_boolean(node):
                free = True  # default(x, true) also replaces an empty value
            elif value is not None:
                return value, False
            if not free:
                return None, False
            return self._value(node.args[0])[0] if node.args else "", False
        if isinstance(node, nodes.Concat):
            parts = [self._value(n)[0] for n in node.nodes]
            known = [p for p in parts if p is not None]
            return ("".join(known) if len(known) == len(parts) else None), False
        return None, False


def _locate(norm: str, value: str, pos: int) -> int:
    """Where a token's value starts: at ``pos``, or after the blanks whitespace control
    stripped from the data before it."""
    if norm.startswith(value, pos):
        return pos
    while pos < len(norm) and norm[pos].isspace():
        pos += 1
        if norm.startswith(value, pos):
            return pos
    return -1


def _stored_names(target: nodes.Node) -> list[str]:
    """The names an assignment target binds (x, or x, y), not ns.x."""
    from jinja2 import nodes

    if isinstance(target, nodes.Name):
        return [target.name]
    if isinstance(target, nodes.Tuple):
        return [name for item in target.items for name in _stored_names(item)]
    return []


def _default_boolean(node: nodes.Filter) -> bool:
    """Whether ``default(v, true)``: the default then also replaces falsy values."""
    from jinja2 import nodes

    flag: nodes.Expr | None = node.args[1] if len(node.args) > 1 else None
    for keyword in node.kwargs:
        if keyword.key == "boolean":
            flag = keyword.value
    return isinstance(flag, nodes.Const) and bool(flag.value)


def _text(value: object) -> str:
    """A constant as Jinja2 outputs it (str(): 60, True, None)."""
    return str(value)
