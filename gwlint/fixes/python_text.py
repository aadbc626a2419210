"""Edits of a Python config file (``gunicorn.conf.py``, hypercorn's ``file:x.py``/``python:``)
for ``--fix``: a setting's value replaced at its syntax tree position, a setting line appended or
removed. Everything else in the file stays byte-identical.

gunicorn and hypercorn read a config module's globals after running it; gwlint reads the last
module-level assignment that runs, walking into ``if``/``try``/``with``/loop bodies but not into
``def``/``class`` bodies (their names are not the module's). The statement a change goes to is
found there, by the line gwlint read the setting at.

The syntax tree's columns (``col_offset``, ``end_col_offset``) count UTF-8 bytes of the line;
spans count characters of the text: each column is converted with the line's own encoding. A
leading byte order mark is not part of the source Python parses (``ast.parse`` of a ``str``
refuses it), so it is set aside and the offsets moved by one.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator

from gwlint.fixes.spans import EditError, Span, line_starts, newline_of, offset_of

_BOM = "\ufeff"
_OPAQUE = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)  # their bodies are not globals
_NOT_LITERAL = object()  # an assigned expression that is not a literal


class _Source:
    """A Python text parsed once, with the conversion of tree positions to text offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.base = 1 if text.startswith(_BOM) else 0
        self.code = text[self.base :]
        self.tree = _parse(self.code)
        self.starts = line_starts(self.code)

    def offset(self, line: int, column: int) -> int:
        """The offset in ``text`` of byte ``column`` of ``line`` (1-based), as ``ast`` counts."""
        start = offset_of(self.code, line, self.starts)
        end = self.starts[line] if line < len(self.starts) else len(self.code)
        written = self.code[start:end]
        if written.isascii():
            return self.base + start + column
        encoded = written.encode("utf-8", "surrogatepass")
        before = encoded[:column].decode("utf-8", "surrogatepass")
        return self.base + start + len(before)

    def line_start(self, line: int) -> int:
        return self.base + offset_of(self.code, line, self.starts)

    def line_end(self, line: int) -> int:
        """The offset after ``line``'s newline (the start of the next line, or the end)."""
        return self.base + (self.starts[line] if line < len(self.starts) else len(self.code))

    def span_of(self, node: ast.expr | ast.stmt) -> tuple[int, int]:
        end_line = node.end_lineno if node.end_lineno is not None else node.lineno
        end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
        return self.offset(node.lineno, node.col_offset), self.offset(end_line, end_col)


def _parse(code: str) -> ast.Module:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "invalid escape sequence" and the like
            return ast.parse(code)
    except SyntaxError as exc:
        raise EditError(f"the file is not valid Python (line {exc.lineno}: {exc.msg})") from None
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, lone surrogates
        raise EditError(f"the file cannot be parsed as Python ({type(exc).__name__})") from None


def _blocks(stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists directly inside ``stmt`` (body, else, handlers, finally, cases)."""
    for field in ("body", "orelse", "handlers", "finalbody", "cases"):
        value = getattr(stmt, field, None)
        if not isinstance(value, list):
            continue
        if field in ("handlers", "cases"):
            for part in value:
                yield part.body
        elif value and isinstance(value[0], ast.stmt):
            yield value


def _bound_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _bound_names(element)
    elif isinstance(target, ast.Starred):
        yield from _bound_names(target.value)


def _binds(stmt: ast.stmt) -> Iterator[str]:
    """The names a module-level statement binds (the ones that matter for a setting)."""
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            yield from _bound_names(target)
    elif isinstance(stmt, ast.AnnAssign | ast.AugAssign | ast.For | ast.AsyncFor):
        yield from _bound_names(stmt.target)
    elif isinstance(stmt, ast.With | ast.AsyncWith):
        for item in stmt.items:
            if item.optional_vars is not None:
                yield from _bound_names(item.optional_vars)
    elif isinstance(stmt, ast.Import | ast.ImportFrom):
        for alias in stmt.names:
            yield alias.asname or alias.name.split(".")[0]
    elif isinstance(stmt, _OPAQUE):
        yield stmt.name
        return
    elif isinstance(stmt, ast.Try | ast.TryStar):
        for handler in stmt.handlers:
            if handler.name:
                yield handler.name  # except E as timeout
    for node in _own_nodes(stmt):
        if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            yield node.target.id  # (timeout := 30) at module level binds a global


def _own_nodes(stmt: ast.stmt) -> Iterator[ast.AST]:
    """The nodes of ``stmt``'s own expressions: not those of the statements inside it (the walk
    reaches them), nor of the functions it defines."""
    pending = [
        child
        for child in ast.iter_child_nodes(stmt)
        if not isinstance(child, ast.stmt | ast.excepthandler | ast.match_case)
    ]
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, ast.Lambda):
            pending.extend(ast.iter_child_nodes(node))


def _located(
    tree: ast.Module, name: str, line: int
) -> tuple[ast.Assign | ast.AnnAssign, list[ast.stmt]]:
    """The statement starting at ``line`` that assigns ``name`` (the last such one when a line
    holds several: it runs last), with the body holding it; EditError when there is none or it
    is not a plain assignment of ``name``."""
    found: tuple[ast.stmt, list[ast.stmt]] | None = None
    other: ast.stmt | None = None
    starting = False
    for stmt, holder in _walk_with_holders(tree.body):
        if stmt.lineno != line:
            continue
        starting = True
        if isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
            if name in _binds(stmt):
                found = (stmt, holder)
        elif not list(_blocks(stmt)) and name in _binds(stmt):
            other = stmt  # import, def, class
    where = f"line {line}"
    if found is None:
        if other is not None:
            raise EditError(f"{where} binds {name} otherwise than by '{name} = value'")
        if not starting:
            raise EditError(f"no module-level statement starts at {where} (to set {name})")
        raise EditError(f"{where} does not assign {name} at module level")
    stmt, holder = found
    if isinstance(stmt, ast.AugAssign):
        raise EditError(f"{where} changes {name} with an augmented assignment, not a value")
    if isinstance(stmt, ast.Assign):
        if not any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
            raise EditError(f"{where} assigns {name} by unpacking; change it by hand")
        return stmt, holder
    assert isinstance(stmt, ast.AnnAssign)
    if stmt.value is None:
        raise EditError(f"{where} declares {name} without a value")
    return stmt, holder


def _walk_with_holders(body: list[ast.stmt]) -> Iterator[tuple[ast.stmt, list[ast.stmt]]]:
    pending: list[tuple[ast.stmt, list[ast.stmt]]] = [(stmt, body) for stmt in reversed(body)]
    while pending:
        stmt, holder = pending.pop()
        yield stmt, holder
        if isinstance(stmt, _OPAQUE):
            continue
        inner: list[tuple[ast.stmt, list[ast.stmt]]] = []
        for block in _blocks(stmt):
            inner.extend((child, block) for child in block)
        pending.extend(reversed(inner))


def _literal(literal: str) -> object:
    """The value ``literal`` (Python source) stands for; EditError unless it is one literal on
    one line."""
    if "\n" in literal or "\r" in literal or not literal.strip():
        raise EditError(f"{literal!r} is not a one-line Python literal")
    try:
        return ast.literal_eval(literal.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise EditError(f"{literal!r} is not a Python literal") from None


def _assigned_value(tree: ast.Module, name: str, line: int) -> object:
    stmt, _ = _located(tree, name, line)
    assert stmt.value is not None
    try:
        return ast.literal_eval(stmt.value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NOT_LITERAL


def set_assignment(text: str, name: str, literal: str, line: int | None) -> Span:
    """Set ``name`` to ``literal`` (Python source: ``75``, ``'gthread'``, ``True``).

    With ``line``: the module-level statement starting at that line (in ``if``/``try``/``with``/
    loop blocks too, not in ``def``/``class``) must be ``name = expr``, ``name: T = expr`` or
    ``a = name = expr``: exactly ``expr``'s source is replaced. With ``line=None``: ``name`` must
    be set nowhere at module level, and ``name = literal`` is appended as the file's last line.
    """
    value = _literal(literal)
    literal = literal.strip()
    source = _Source(text)
    if line is None:
        for stmt, _ in _walk_with_holders(source.tree.body):
            if name in _binds(stmt):
                raise EditError(
                    f"{name} is already set at line {stmt.lineno}: that is the line to change"
                )
        newline = newline_of(text)
        lead = "" if not source.code or text.endswith(("\n", "\r")) else newline
        span = Span(len(text), len(text), f"{lead}{name} = {literal}{newline}")
        _check(span, text, name, value, _line_count(text + lead))
        return span
    source.line_start(line)  # EditError when the file has no such line
    stmt, _ = _located(source.tree, name, line)
    assert stmt.value is not None  # _located returns assignments that have a value
    start, end = source.span_of(stmt.value)
    span = Span(start, end, literal)
    _check(span, text, name, value, line)
    return span


def _line_count(text: str) -> int:
    """The number of the line that follows ``text`` (which ends with a newline)."""
    return len(line_starts(text))


def _check(span: Span, text: str, name: str, value: object, line: int) -> None:
    """The edited text parses and the statement at ``line`` assigns ``value`` to ``name``."""
    edited = text[: span.start] + span.replacement + text[span.end :]
    try:
        got = _assigned_value(_Source(edited).tree, name, line)
    except EditError as exc:
        raise EditError(f"setting {name} would break the file: {exc}") from None
    if got is _NOT_LITERAL or got != value or type(got) is not type(value):
        raise EditError(f"setting {name} at line {line} did not give {value!r}")


def remove_assignment(text: str, name: str, line: int) -> Span:
    """Remove the statement ``name = expr`` starting at ``line``: its whole line(s), newline
    included, when it is the only statement on them (a trailing comment goes with it)."""
    source = _Source(text)
    source.line_start(line)  # EditError when the file has no such line
    stmt, holder = _located(source.tree, name, line)
    where = f"line {line}"
    if isinstance(stmt, ast.Assign) and len(stmt.targets) > 1:
        others = sorted({n for t in stmt.targets for n in _bound_names(t)} - {name})
        raise EditError(f"{where} also assigns {', '.join(others)}")
    if len(holder) == 1 and holder is not source.tree.body:
        raise EditError(f"{where} is the only statement of its block; removing it breaks the file")
    start, end = source.span_of(stmt)
    end_line = stmt.end_lineno if stmt.end_lineno is not None else stmt.lineno
    first = source.line_start(stmt.lineno)
    after = source.line_end(end_line)
    if text[first:start].strip(" \t\f"):
        raise EditError(f"{where} holds another statement before {name}")
    rest = text[end:after].rstrip("\r\n").strip(" \t\f")
    if rest.startswith(";"):  # "timeout = 30;": the statement alone all the same
        rest = rest[1:].strip(" \t\f")
    if rest and not rest.startswith("#"):
        raise EditError(f"{where} holds another statement after {name}")
    span = Span(first, after, "")
    edited = text[:first] + text[after:]
    _Source(edited)  # still valid Python
    return span
