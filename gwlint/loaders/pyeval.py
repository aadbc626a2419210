"""Static evaluation of a Python config module. Nothing is executed, imported or compiled to code.

The module is read with ``ast.parse`` and its top level is walked statement by statement. Values
are computed from literals, arithmetic, string operations, f-strings, names bound earlier, a few
safe builtins, environment lookups (their default, or a value the user gives) and the target's CPU
count (only when the user gives it). Anything else becomes ``Unknown(reason)``.
"""

from __future__ import annotations

import ast
import io
import math
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from string import Formatter
from typing import Any

from gwlint.loaders.common import MAX_SETTING_INT

MAX_DEPTH = 60  # expressions nested deeper are not evaluated; values nested deeper are unknown
MAX_INT = MAX_SETTING_INT
# the characters and elements of one value, nested containers included: every operation that
# builds a str, bytes, list, tuple, set or dict computes the size of its result from its operands
# first, and gives an unknown value instead of building one larger than this
MAX_LEN = 10_000
# widths and precisions in format specifications ('%999999999d', f'{x:.{n}f}')
MAX_WIDTH = 200
# the work of evaluating one file: the sizes of every value it computes, summed, and the names
# copied at each branch (if/try). Past it, every name the file assigns is unknown: time and memory
# stay bounded whatever the shape of the file (many lines each building a large value)
MAX_WORK = 1_000_000
# larger gunicorn config files are not parsed: Python's syntax tree takes up to ~1 KB of memory
# per byte of source (real config files are a few KB)
MAX_SOURCE_BYTES = 64 * 1024

TOO_LARGE = "a value too large to be a setting"
TOO_DEEP = "a value nested too deeply to be a setting"
TOO_MUCH_WORK = "the file takes too much work to evaluate statically"


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known without running the file."""

    reason: str


@dataclass(frozen=True)
class Function:
    """A function or lambda bound to a name (gunicorn's server hooks)."""

    name: str


@dataclass(eq=False, repr=False)  # run state: never compared or shown
class Binding:
    value: Any  # a Python value, Unknown, or Function
    node: ast.AST  # the statement that bound it
    raw: str  # source text of the assigned expression
    notes: tuple[str, ...] = ()  # "$WORKERS unset: its default", "--cpus 4"


@dataclass(eq=False, repr=False)  # run state: never compared or shown
class _Ctx:
    notes: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def note(self, *texts: str) -> None:
        """Add notes once each, in order."""
        for text in texts:
            if text not in self.seen:
                self.seen.add(text)
                self.notes.append(text)


class _TooDeep(Exception):
    pass


class _OutOfWork(Exception):
    """The evaluation of the file spent MAX_WORK."""


@dataclass(eq=False, repr=False)  # run state: never compared or shown
class _Meter:
    left: int = MAX_WORK

    def charge(self, units: int) -> None:
        self.left -= units
        if self.left < 0:
            raise _OutOfWork


# the meter of the evaluation under way (set by Evaluator.run); size checks charge it
_METER: ContextVar[_Meter | None] = ContextVar("gwlint_pyeval_meter", default=None)


def _charge(units: int) -> None:
    meter = _METER.get()
    if meter is not None:
        meter.charge(units)


REBINDING_CALLS = frozenset({"exec", "eval", "globals", "vars", "locals", "setattr", "__import__"})
ENV_GETTERS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault"})
CPU_COUNTERS = frozenset({"os.cpu_count", "multiprocessing.cpu_count", "os.process_cpu_count"})
KNOWN_MODULES = frozenset({"os", "multiprocessing", "os.environ", "os.path"})
SAFE_BUILTINS = frozenset(
    {"int", "float", "str", "bool", "min", "max", "abs", "round", "len", "list", "tuple", "sorted"}
)
_SEQUENCES = (str, bytes, list, tuple)
_CONTAINERS = (str, bytes, list, tuple, set, frozenset, dict)


def _size_problem(value: Any) -> str | None:
    """TOO_LARGE for more than MAX_LEN characters or elements in all, nested containers
    included; TOO_DEEP for containers nested deeper than MAX_DEPTH. Iterative, and it stops
    as soon as it knows; what it counted is charged to the evaluation's meter."""
    budget = MAX_LEN
    todo: list[tuple[Any, int]] = [(value, 0)]
    problem: str | None = None
    while todo:
        item, depth = todo.pop()
        if isinstance(item, str | bytes):
            budget -= len(item)
        elif isinstance(item, list | tuple | set | frozenset | dict):
            if depth >= MAX_DEPTH:
                problem = TOO_DEEP
                break
            budget -= len(item) + 1
            if budget >= 0:
                todo.extend((child, depth + 1) for child in item)
                if isinstance(item, dict):
                    todo.extend((child, depth + 1) for child in item.values())
        else:
            budget -= 1
        if budget < 0:
            problem = TOO_LARGE
            break
    _charge(MAX_LEN - min(budget, MAX_LEN))
    return problem


def _check_number(value: Any) -> Any:
    """``value``, or Unknown when no setting could hold it (a huge or infinite number, a huge
    or too deeply nested container)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) > MAX_INT:
        return Unknown("a number too large to be a setting")
    if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
        return Unknown("not a finite number")
    if isinstance(value, _CONTAINERS):
        problem = _size_problem(value)
        if problem is not None:
            return Unknown(problem)
    return value


class Evaluator:
    """Walks a module's top level and keeps what each name is bound to."""

    def __init__(self, source: str, env: dict[str, str], cpus: int | None) -> None:
        self.source = source
        self.env = env
        self.cpus = cpus
        self.names: dict[str, Binding] = {}
        self.aliases: dict[str, str] = {}  # local name -> dotted module path
        self.meter = _Meter()
        # the source's lines as the parser splits them (\n, \r\n, \r; not form feeds), and
        # their UTF-8 bytes when a segment needs them (the syntax tree's columns are in bytes)
        self._lines = list(io.StringIO(source, newline=""))
        self._encoded: dict[int, bytes] = {}

    # --- statements ----------------------------------------------------------------------------

    def run(self, module: ast.Module) -> dict[str, Binding]:
        token = _METER.set(self.meter)
        try:
            self._block(module.body)
            self._rebinding(module)
        except _OutOfWork:
            self._give_up(module)
        finally:
            _METER.reset(token)
        return self.names

    def _segment(self, node: ast.AST) -> str:
        """``ast.get_source_segment``, without splitting the whole source again at each call
        (which made a file of many assignments quadratic)."""
        start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        first, last = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
        if start is None or end is None or first is None or last is None:
            return ""
        if not 1 <= start <= end <= len(self._lines):
            return ""
        if start == end:
            return self._line(start)[first:last].decode("utf-8", "replace")
        parts = [self._line(start)[first:].decode("utf-8", "replace")]
        parts.extend(self._lines[start : end - 1])
        parts.append(self._line(end)[:last].decode("utf-8", "replace"))
        return "".join(parts)

    def _line(self, number: int) -> bytes:
        encoded = self._encoded.get(number)
        if encoded is None:
            encoded = self._encoded[number] = self._lines[number - 1].encode("utf-8", "replace")
        return encoded

    def _give_up(self, module: ast.Module) -> None:
        """Past MAX_WORK: every name the file assigns anywhere is unknown."""
        for name, node in _assigned_names(module, defs=True):
            bound = self.names.get(name)
            if bound is not None:
                self._bind(name, Unknown(TOO_MUCH_WORK), bound.node, bound.raw, ())
            else:
                self._bind(name, Unknown(TOO_MUCH_WORK), node, "", ())

    def _rebinding(self, module: ast.Module) -> None:
        """Names the file can rebind in ways a top-to-bottom reading does not see: exec(),
        globals()/vars() and functions with ``global NAME``."""
        if self.source.isascii() and not any(
            word in self.source for word in (*REBINDING_CALLS, "global")
        ):
            return  # none of them is written (an identifier may be non-ASCII: ｅｘｅｃ is exec)
        # one walk of the tree in source order, with the innermost function around each node
        # (not one walk per function, which was quadratic in the nesting of functions)
        changed: dict[str, str] = {}  # name -> why
        pending: list[tuple[ast.AST, str | None]] = [(module, None)]
        while pending:
            node, function = pending.pop()
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in REBINDING_CALLS
            ):
                reason = f"the file calls {node.func.id}() at line {node.lineno}"
                for name, binding in list(self.names.items()):
                    self._bind(name, Unknown(reason), binding.node, binding.raw, ())
                return
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                function = node.name
            elif isinstance(node, ast.Global) and function is not None:
                for name in node.names:
                    changed[name] = f"{function}() can change it (global {name})"
            children = [(child, function) for child in ast.iter_child_nodes(node)]
            pending.extend(reversed(children))
        for name, reason in changed.items():
            bound = self.names.get(name)
            if bound is not None:
                self._bind(name, Unknown(reason), bound.node, bound.raw, ())

    def _block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self._stmt(stmt)

    def _stmt(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    self.aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    self.aliases[top] = top
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.name == "*":
                    # any name bound so far may be replaced by the other module's
                    reason = (
                        f"may be replaced by 'from {stmt.module} import *' at line {stmt.lineno}"
                    )
                    self.meter.charge(len(self.names))
                    for name, binding in list(self.names.items()):
                        self._bind(name, Unknown(reason), binding.node, binding.raw, ())
                elif stmt.module:
                    self.aliases[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"
        elif isinstance(stmt, ast.Assign):
            ctx = _Ctx()
            value = self._eval_top(stmt.value, ctx)
            for target in stmt.targets:
                self._assign(target, value, stmt, stmt.value, ctx)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                ctx = _Ctx()
                self._assign(stmt.target, self._eval_top(stmt.value, ctx), stmt, stmt.value, ctx)
        elif isinstance(stmt, ast.AugAssign):
            self._aug_assign(stmt)
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            self._bind(stmt.name, Function(stmt.name), stmt, f"def {stmt.name}", ())
        elif isinstance(stmt, ast.If):
            self._if(stmt)
        elif isinstance(stmt, ast.Try | getattr(ast, "TryStar", ast.Try)):
            self._try(stmt)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            self._block(stmt.body)
        elif isinstance(stmt, ast.For | ast.AsyncFor | ast.While | ast.Match):
            reason = f"assigned inside a {type(stmt).__name__.lower()} at line {stmt.lineno}"
            self._taint(stmt, reason)
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    self.names.pop(target.id, None)
        elif isinstance(stmt, ast.Expr):
            self._expr_stmt(stmt)

    def _eval_top(self, node: ast.expr, ctx: _Ctx) -> Any:
        return _guarded(lambda: self._eval(node, ctx, 0))

    def _bind(self, name: str, value: Any, stmt: ast.AST, raw: str, notes: tuple[str, ...]) -> None:
        self.names[name] = Binding(value=value, node=stmt, raw=raw, notes=notes)

    def _assign(
        self, target: ast.expr, value: Any, stmt: ast.stmt, expr: ast.expr, ctx: _Ctx
    ) -> None:
        raw = self._segment(expr)
        if isinstance(target, ast.Name):
            self._bind(target.id, value, stmt, raw, tuple(ctx.notes))
        elif isinstance(target, ast.Tuple | ast.List):
            items: list[Any]
            if isinstance(value, list | tuple) and len(value) == len(target.elts):
                items = list(value)
            else:
                items = [Unknown(f"unpacked at line {stmt.lineno}")] * len(target.elts)
            for element, item in zip(target.elts, items, strict=True):
                self._assign(element, item, stmt, expr, ctx)
        else:
            base = target
            while isinstance(base, ast.Subscript | ast.Attribute | ast.Starred):
                base = base.value
            if isinstance(base, ast.Name) and base.id in self.names:
                reason = f"modified at line {stmt.lineno}"
                self._bind(base.id, Unknown(reason), stmt, raw, ())

    def _aug_assign(self, stmt: ast.AugAssign) -> None:
        """``timeout *= 2``: the same operation, and the same checks, as ``timeout * 2``."""
        if not isinstance(stmt.target, ast.Name):
            self._assign(stmt.target, None, stmt, stmt.value, _Ctx())
            return
        name = stmt.target.id
        old = self.names.get(name)
        ctx = _Ctx()
        if old is None:
            value: Any = Unknown(f"{name} is not assigned before line {stmt.lineno}")
        else:
            ctx.note(*old.notes)
            left, right = old.value, self._eval_top(stmt.value, ctx)
            value = _guarded(lambda: _check_number(_inplace(stmt.op, left, right)))
        # "timeout *= 2" reads as "timeout = timeout * 2"
        try:
            raw = ast.unparse(ast.BinOp(left=ast.Name(id=name), op=stmt.op, right=stmt.value))
        except RecursionError:  # an operand nested deeper than unparse recurses
            raw = f"{name} {_OPERATOR_SIGNS.get(type(stmt.op), '?')} ({self._segment(stmt.value)})"
        self._bind(name, value, stmt, raw, tuple(ctx.notes))

    def _expr_stmt(self, stmt: ast.Expr) -> None:
        """``bind.append("...")`` on a known list is applied; any other call on a name taints it."""
        call = stmt.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            return
        owner = call.func.value
        if not isinstance(owner, ast.Name) or owner.id not in self.names:
            return
        binding = self.names[owner.id]
        ctx = _Ctx()
        ctx.note(*binding.notes)
        method = call.func.attr
        if (
            isinstance(binding.value, list)
            and method in ("append", "extend")
            and len(call.args) == 1
        ):
            arg = self._eval_top(call.args[0], ctx)
            if not isinstance(arg, Unknown | Function):
                new: Any = None
                if method == "append":
                    new = [*binding.value, arg]
                elif isinstance(arg, list | tuple):
                    if len(binding.value) + len(arg) > MAX_LEN:
                        new = Unknown(TOO_LARGE)
                    else:
                        new = [*binding.value, *arg]
                if new is not None:
                    raw = self._segment(stmt)
                    self._bind(owner.id, _check_number(new), stmt, raw, tuple(ctx.notes))
                    return
        reason = f"modified by .{method}() at line {stmt.lineno}"
        self._bind(owner.id, Unknown(reason), stmt, binding.raw, ())

    def _snapshot(self) -> tuple[dict[str, Binding], dict[str, str]]:
        self.meter.charge(len(self.names))
        return dict(self.names), dict(self.aliases)

    def _run_branch(self, body: list[ast.stmt], start: dict[str, Binding]) -> dict[str, Binding]:
        self.meter.charge(len(start))
        self.names = dict(start)
        self._block(body)
        return self.names

    def _merge(self, branches: list[dict[str, Binding]], line: int, why: str) -> None:
        merged: dict[str, Binding] = {}
        all_names: set[str] = set().union(*branches)
        self.meter.charge(len(all_names) * len(branches))
        for name in all_names:
            bindings = [branch.get(name) for branch in branches]
            first = bindings[0]
            if all(b is not None and first is not None and b.node is first.node for b in bindings):
                assert first is not None
                merged[name] = first
                continue
            values = [b.value for b in bindings if b is not None]
            present = [b for b in bindings if b is not None]
            last = present[-1]
            same = (
                len(present) == len(bindings)
                and not any(isinstance(v, Unknown) for v in values)
                and all(type(v) is type(values[0]) and v == values[0] for v in values)
            )
            if same:
                merged[name] = last
            else:
                merged[name] = Binding(
                    value=Unknown(f"depends on {why} at line {line}"), node=last.node, raw=last.raw
                )
        self.names = merged

    def _if(self, stmt: ast.If) -> None:
        ctx = _Ctx()
        test = self._eval_top(stmt.test, ctx)
        if not isinstance(test, Unknown | Function):
            self.meter.charge(len(self.names))
            before = dict(self.names)
            self._block(stmt.body if test else stmt.orelse)
            if ctx.notes:  # the branch taken depends on the environment: say so
                self.meter.charge(len(self.names))
                for name, binding in self.names.items():
                    if before.get(name) is not binding:
                        notes = tuple(dict.fromkeys((*binding.notes, *ctx.notes)))
                        self.names[name] = Binding(binding.value, binding.node, binding.raw, notes)
            return
        start, _ = self._snapshot()
        then = self._run_branch(stmt.body, start)
        other = self._run_branch(stmt.orelse, start)
        self._merge([then, other], stmt.lineno, "a condition")

    def _try(self, stmt: Any) -> None:
        start, _ = self._snapshot()
        body = self._run_branch([*stmt.body, *stmt.orelse], start)
        branches = [body]
        for handler in stmt.handlers:
            branches.append(self._run_branch(handler.body, start))
        self._merge(branches, stmt.lineno, "whether an exception is raised")
        self._block(stmt.finalbody)

    def _taint(self, stmt: ast.stmt, reason: str) -> None:
        raw = self._segment(stmt)
        for name, node in _assigned_names(stmt, defs=False):
            self._bind(name, Unknown(reason), node, raw, ())

    # --- expressions ---------------------------------------------------------------------------

    def _eval(self, node: ast.expr, ctx: _Ctx, depth: int) -> Any:
        """The value of ``node``; every value computed goes through ``_check_number`` (a name's
        value went through it when it was bound)."""
        if depth > MAX_DEPTH:
            raise _TooDeep
        if isinstance(node, ast.Name):
            return self._name(node, ctx)
        return _check_number(self._compute(node, ctx, depth))

    def _compute(self, node: ast.expr, ctx: _Ctx, depth: int) -> Any:
        ev: Callable[[ast.expr], Any] = lambda n: self._eval(n, ctx, depth + 1)  # noqa: E731
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            items: list[Any] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    inner = ev(element.value)
                    if not isinstance(inner, list | tuple):
                        return _unknown(inner, "unpacks a value not known statically")
                    if len(items) + len(inner) > MAX_LEN:
                        return Unknown(TOO_LARGE)
                    items.extend(inner)
                    continue
                item = ev(element)
                if isinstance(item, Unknown):
                    return item
                items.append(item)
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.Dict):
            result: dict[Any, Any] = {}
            for key_node, value_node in zip(node.keys, node.values, strict=True):
                if key_node is None:
                    return Unknown("unpacks a mapping")
                key, value = ev(key_node), ev(value_node)
                for part in (key, value):
                    if isinstance(part, Unknown):
                        return part
                try:
                    result[key] = value
                except TypeError:
                    return Unknown("uses an unhashable key")
            return result
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node, ev)
        if isinstance(node, ast.BinOp):
            return _binop(node.op, ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp):
            return _unary(node.op, ev(node.operand))
        if isinstance(node, ast.BoolOp):
            return self._boolop(node, ev)
        if isinstance(node, ast.Compare):
            return self._compare(node, ev)
        if isinstance(node, ast.IfExp):
            test = ev(node.test)
            if isinstance(test, Unknown):
                return test
            return ev(node.body) if test else ev(node.orelse)
        if isinstance(node, ast.Call):
            return self._call(node, ctx, ev)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, ctx, ev)
        if isinstance(node, ast.Attribute):
            dotted = self._dotted(node)
            return Unknown(f"reads {dotted or 'an attribute'}")
        if isinstance(node, ast.Lambda):
            return Function("<lambda>")
        kind = type(node).__name__
        return Unknown(f"uses a {kind} expression")

    def _name(self, node: ast.Name, ctx: _Ctx) -> Any:
        if node.id in self.names:
            binding = self.names[node.id]
            self.meter.charge(len(binding.notes))
            ctx.note(*binding.notes)
            return binding.value
        if node.id in self.aliases:
            return Unknown(f"uses {self.aliases[node.id]} as a value")
        return Unknown(f"uses {node.id}, which is not assigned before line {node.lineno}")

    def _fstring(self, node: ast.JoinedStr, ev: Callable[[ast.expr], Any]) -> Any:
        """Each part formatted on its own, its width checked first; the text so far stays
        within MAX_LEN."""
        text = _Text("")
        for value in node.values:
            if isinstance(value, ast.Constant):
                if not text.add(str(value.value)):
                    return Unknown(TOO_LARGE)
                continue
            if not isinstance(value, ast.FormattedValue):
                return Unknown("uses an f-string part not known statically")
            item = ev(value.value)
            if isinstance(item, Unknown | Function):
                return _unknown(item, "formats a value not known statically")
            spec = ""
            if value.format_spec is not None:
                spec_value = self._fstring(value.format_spec, ev)  # type: ignore[arg-type]
                if not isinstance(spec_value, str):
                    return _unknown(spec_value, "formats a value not known statically")
                spec = spec_value
            piece = _format_field(item, _CONVERSIONS.get(value.conversion), spec)
            if isinstance(piece, Unknown):
                return piece
            if not text.add(piece):
                return Unknown(TOO_LARGE)
        return text.value()

    def _boolop(self, node: ast.BoolOp, ev: Callable[[ast.expr], Any]) -> Any:
        result: Any = None
        for value_node in node.values:
            result = ev(value_node)
            if isinstance(result, Unknown):
                return result
            if isinstance(node.op, ast.Or) and result:
                return result
            if isinstance(node.op, ast.And) and not result:
                return result
        return result

    def _compare(self, node: ast.Compare, ev: Callable[[ast.expr], Any]) -> Any:
        left = ev(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = ev(comparator)
            for side in (left, right):
                if isinstance(side, Unknown | Function):
                    return _unknown(side, "compares a value not known statically")
            if not _COMPARISONS[type(op)](left, right):
                return False
            left = right
        return True

    def _dotted(self, node: ast.expr) -> str | None:
        """``os.environ.get`` for an attribute chain on an imported module, else None."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.aliases:
            return None
        parts.append(self.aliases[node.id])
        return ".".join(reversed(parts))

    def _env(self, name: Any, default: Any, has_default: bool, ctx: _Ctx) -> Any:
        if not isinstance(name, str):
            return _unknown(name, "reads an environment variable whose name is not known")
        if name in self.env:
            ctx.note(f"--env {name}")
            return self.env[name]
        if not has_default:
            return Unknown(f"reads ${name}, not given (use --env {name}=VALUE)")
        if isinstance(default, Unknown):
            return default
        # not given: taken as unset, like a default in os.environ.get(NAME, default)
        ctx.note(f"${name} unset" if default is None else f"${name} unset: its default")
        return default

    def _call(self, node: ast.Call, ctx: _Ctx, ev: Callable[[ast.expr], Any]) -> Any:
        func = node.func
        dotted = self._dotted(func) if isinstance(func, ast.Attribute) else None
        if isinstance(func, ast.Name) and func.id in self.aliases:
            dotted = self.aliases[func.id]
        if node.keywords and dotted not in ENV_GETTERS:
            return Unknown("calls a function with keyword arguments")
        args = [ev(a) for a in node.args if not isinstance(a, ast.Starred)]
        if len(args) != len(node.args):
            return Unknown("calls a function with unpacked arguments")
        if dotted in ENV_GETTERS:
            kwargs = {k.arg: ev(k.value) for k in node.keywords if k.arg}
            default = args[1] if len(args) > 1 else kwargs.get("default")
            # os.environ.get(NAME) and os.getenv(NAME) give None when NAME is unset
            return self._env(args[0] if args else None, default, True, ctx)
        if dotted in CPU_COUNTERS or dotted == "os.sched_getaffinity":
            if self.cpus is None:
                return Unknown(f"calls {dotted}() (give the target's CPUs with --cpus N)")
            ctx.note(f"--cpus {self.cpus}")
            if dotted in CPU_COUNTERS:
                return self.cpus
            if self.cpus > MAX_LEN:  # checked before the tuple is built
                return Unknown(TOO_LARGE)
            return tuple(range(self.cpus))
        if dotted is not None:
            return Unknown(f"calls {dotted}()")
        for arg in args:
            if isinstance(arg, Unknown):
                return arg
            if isinstance(arg, Function):
                return Unknown("passes a function")
        if isinstance(func, ast.Name):
            if func.id in self.names or func.id not in SAFE_BUILTINS:
                return Unknown(f"calls {func.id}()")
            if func.id in ("int", "float") and args and args[0] is None:
                unset = [n[1:-6] for n in ctx.notes if n.startswith("$") and n.endswith(" unset")]
                if unset:
                    return Unknown(f"reads ${unset[0]}, not given (use --env {unset[0]}=VALUE)")
            return _builtin(func.id, args)
        if isinstance(func, ast.Attribute):
            owner = ev(func.value)
            if isinstance(owner, Unknown):
                return owner
            return _method(owner, func.attr, args)
        return Unknown("calls a computed function")

    def _subscript(self, node: ast.Subscript, ctx: _Ctx, ev: Callable[[ast.expr], Any]) -> Any:
        dotted = self._dotted(node.value) if isinstance(node.value, ast.Attribute) else None
        if isinstance(node.value, ast.Name) and node.value.id in self.aliases:
            dotted = self.aliases[node.value.id]
        if dotted == "os.environ":
            return self._env(ev(node.slice), None, False, ctx)
        container = ev(node.value)
        if isinstance(container, Unknown):
            return container
        if isinstance(node.slice, ast.Slice):
            bounds = [
                ev(b) if b is not None else None
                for b in (node.slice.lower, node.slice.upper, node.slice.step)
            ]
            for bound in bounds:
                if isinstance(bound, Unknown):
                    return bound
            return container[slice(*bounds)]  # no longer than the container
        key = ev(node.slice)
        if isinstance(key, Unknown):
            return key
        if isinstance(container, dict) and key not in container:
            return Unknown(f"reads a missing key {key!r}")
        return container[key]


def _guarded(compute: Callable[[], Any]) -> Any:
    """``compute()``, or Unknown for whatever Python would raise (gunicorn would not start
    either) and for nesting deeper than MAX_DEPTH. (MemoryError has a reason of its own: sizes
    are checked before any work, so it means a check is missing.)"""
    try:
        return compute()
    except _OutOfWork:
        raise
    except (_TooDeep, RecursionError):
        return Unknown("expression too deeply nested")
    except MemoryError:
        return Unknown("evaluating it runs out of memory")
    except Exception as exc:
        return Unknown(f"evaluating it fails ({type(exc).__name__})")


def _assigned_names(tree: ast.AST, *, defs: bool) -> Iterator[tuple[str, ast.AST]]:
    """Every name ``tree`` may bind, with the node that binds it: assignment targets, loop
    variables, ``x.append(...)`` owners, and (``defs``) functions and classes."""
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            targets = [node.func.value]  # bind.append(...) in a loop changes bind
        elif isinstance(
            node, ast.AugAssign | ast.AnnAssign | ast.For | ast.AsyncFor | ast.NamedExpr
        ):
            targets = [node.target]
        elif defs and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name, node
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    yield name.id, node


_COMPARISONS: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
}

_OPERATIONS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a**b,
    ast.BitOr: lambda a, b: a | b,
    ast.BitAnd: lambda a, b: a & b,
    ast.BitXor: lambda a, b: a ^ b,
    ast.LShift: lambda a, b: a << b,
    ast.RShift: lambda a, b: a >> b,
}

_OPERATOR_SIGNS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.MatMult: "@",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
}


def _result_length(op: ast.operator, left: Any, right: Any) -> int:
    """How many characters or elements ``left OP right`` would have, from the operands' sizes
    (0 when it builds no sequence, set or dict from them)."""
    if isinstance(op, ast.Mult):
        for sequence, count in ((left, right), (right, left)):
            # bool is an int: 'ab' * True is 'ab'
            if isinstance(sequence, _SEQUENCES) and isinstance(count, int):
                return len(sequence) * max(count, 0)
    if (
        isinstance(op, ast.Add | ast.BitOr | ast.BitXor)
        and isinstance(left, _CONTAINERS)
        and isinstance(right, _CONTAINERS)
    ):
        return len(left) + len(right)
    return 0


def _binop(op: ast.operator, left: Any, right: Any) -> Any:
    """``left OP right``, after checking that the result is small enough to build (sizes
    computed from the operands, before any work)."""
    for side in (left, right):
        if isinstance(side, Unknown):
            return side
        if isinstance(side, Function):
            return Unknown("computes with a function")
    if isinstance(op, ast.Pow):
        if not isinstance(right, int | float) or not isinstance(left, int | float):
            return Unknown("raises a non-number to a power")
        if abs(right) > 64 or abs(left) > MAX_INT:
            return Unknown("a number too large to be a setting")
    if _result_length(op, left, right) > MAX_LEN:
        return Unknown(TOO_LARGE)
    if isinstance(op, ast.LShift) and isinstance(right, int) and right > 64:
        return Unknown("a number too large to be a setting")
    if isinstance(op, ast.Mod) and isinstance(left, str | bytes):
        return _percent_format(left, right)
    operation = _OPERATIONS.get(type(op))
    if operation is None:
        return Unknown(f"uses the {type(op).__name__} operator")
    return operation(left, right)


def _inplace(op: ast.operator, left: Any, right: Any) -> Any:
    """``left OP= right``: as ``left OP right``, except that ``list += iterable`` extends."""
    if (
        isinstance(op, ast.Add)
        and isinstance(left, list)
        and isinstance(right, _CONTAINERS)
        and not isinstance(right, list)
    ):
        if len(left) + len(right) > MAX_LEN:
            return Unknown(TOO_LARGE)
        return [*left, *right]
    return _binop(op, left, right)


def _unary(op: ast.unaryop, operand: Any) -> Any:
    if isinstance(operand, Unknown):
        return operand
    if isinstance(op, ast.Not):
        return not operand
    if isinstance(op, ast.USub):
        return -operand
    if isinstance(op, ast.UAdd):
        return +operand
    return ~operand


def _unknown(value: Any, reason: str) -> Unknown:
    return value if isinstance(value, Unknown) else Unknown(reason)


class _Text:
    """Text (str or bytes) built piece by piece, never longer than MAX_LEN."""

    def __init__(self, empty: str | bytes) -> None:
        self.empty = empty
        self.pieces: list[Any] = []
        self.length = 0

    def add(self, piece: str | bytes) -> bool:
        """False, and nothing kept, when the text would pass MAX_LEN."""
        self.length += len(piece)
        if self.length > MAX_LEN:
            return False
        self.pieces.append(piece)
        return True

    def value(self) -> Any:
        return self.empty.join(self.pieces)


# --- format specifications ----------------------------------------------------------------------

# the standard format specification: [[fill]align][sign][z][#][0][width][grouping][.precision][type]
_SPEC = re.compile(
    r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>[0-9]*)[,_]?(?:\.(?P<precision>[0-9]*))?[a-zA-Z%]?",
    re.DOTALL,
)
_DIGITS = frozenset("0123456789")
_CONVERSIONS: dict[int, str | None] = {-1: None, ord("s"): "s", ord("r"): "r", ord("a"): "a"}


def _small(digits: str | None) -> bool:
    """A width or precision of at most MAX_WIDTH (leading zeros allowed)."""
    digits = (digits or "").lstrip("0")
    return len(digits) <= 4 and int(digits or "0") <= MAX_WIDTH


def _format_field(value: Any, conversion: str | None, spec: str) -> str | Unknown:
    """``format(value!conversion, spec)`` (a field of an f-string or of str.format), its
    width and precision checked first."""
    match = _SPEC.fullmatch(spec)
    if match is None:
        return Unknown("uses a format specification gwlint does not evaluate")
    if not (_small(match.group("width")) and _small(match.group("precision"))):
        return Unknown(TOO_LARGE)
    if conversion == "r":
        value = repr(value)
    elif conversion == "s":
        value = str(value)
    elif conversion == "a":
        value = ascii(value)
    elif conversion is not None:
        raise ValueError(f"Unknown conversion specifier {conversion}")
    return format(value, spec)


class _Fields:
    """The positional arguments of ``str.format``, numbered automatically or by hand (never
    both, as in Python)."""

    def __init__(self, args: list[Any]) -> None:
        self.args = args
        self.next = 0
        self.numbering: str | None = None

    def get(self, name: str) -> Any:
        if name == "":
            if self.numbering == "manual":
                raise ValueError(
                    "cannot switch from manual field specification to automatic field numbering"
                )
            self.numbering = "automatic"
            index = self.next
            self.next += 1
        elif name.isdecimal():
            if self.numbering == "automatic":
                raise ValueError(
                    "cannot switch from automatic field numbering to manual field specification"
                )
            self.numbering = "manual"
            index = int(name) if len(name) < 8 else len(self.args)
        else:
            raise KeyError(name)  # a keyword argument: calls with keywords are not evaluated
        if index >= len(self.args):
            raise IndexError(f"Replacement index {index} out of range")
        return self.args[index]


def _brace_format(template: str, args: list[Any]) -> Any:
    """``template.format(*args)``, field by field: each width is checked before its field is
    formatted, and the text stays within MAX_LEN."""
    fields = _Fields(args)

    def render(text: str, nested: bool) -> Any:
        out = _Text("")
        for literal, name, spec, conversion in Formatter().parse(text):
            if not out.add(literal):
                return Unknown(TOO_LARGE)
            if name is None:
                continue
            if "." in name or "[" in name:
                return Unknown("uses a format specification gwlint does not evaluate")
            value = fields.get(name)
            if conversion not in (None, "r", "s", "a"):
                raise ValueError(f"Unknown conversion specifier {conversion}")
            spec = spec or ""
            if "{" in spec:  # {0:{1}.{2}f}: the specification has fields of its own
                if nested:
                    raise ValueError("Max string recursion exceeded")
                spec = render(spec, True)
                if isinstance(spec, Unknown):
                    return spec
            piece = _format_field(value, conversion, spec)
            if isinstance(piece, Unknown):
                return piece
            if not out.add(piece):
                return Unknown(TOO_LARGE)
        return out.value()

    return render(template, False)


def _percent_format(template: str | bytes, args: Any) -> Any:
    """``template % args`` as Python does it (unicodeobject.c, bytesobject.c), one
    conversion at a time: each width and precision is read and checked before its conversion is
    formatted, and the text stays within MAX_LEN."""
    text = _Text(template[:0])
    if isinstance(template, str):
        mapping = isinstance(args, list | dict | bytes)  # PyMapping_Check, not a tuple or str
        kind = "string"
    else:
        mapping = isinstance(args, list | dict)
        kind = "bytes"
    if isinstance(args, tuple):
        current: Any = args
        count, index = len(args), 0
    else:
        current, count, index = args, -1, -2

    def next_arg() -> Any:
        nonlocal index
        if index < count:
            index += 1
            return current if count < 0 else current[index - 1]
        raise TypeError("not enough arguments for format string")

    def char_range(start: int, stop: int) -> str:
        item = template[start:stop]
        return item.decode("latin-1") if isinstance(item, bytes) else item

    def char(position: int) -> str:
        return char_range(position, position + 1)

    position, end = 0, len(template)
    percent: Any = b"%" if isinstance(template, bytes) else "%"
    while position < end:
        found = template.find(percent, position)
        if found == -1:
            found = end
        if not text.add(template[position:found]):
            return Unknown(TOO_LARGE)
        if found == end:
            break
        position = found + 1
        if char(position) == "%":  # %%
            position += 1
            if not text.add(percent):
                return Unknown(TOO_LARGE)
            continue
        if char(position) == "(":
            if not mapping:
                raise TypeError("format requires a mapping")
            depth, start = 1, position + 1
            position += 1
            while depth and position < end:
                depth += {"(": 1, ")": -1}.get(char(position), 0)
                position += 1
            if depth:
                raise ValueError("incomplete format key")
            current = args[template[start : position - 1]]
            count, index = -1, -2
        spec_start = position
        while position < end and char(position) in ("-", "+", " ", "#", "0"):  # flags
            position += 1
        numbers: list[str] = []  # the width, then the precision (after a '.')
        for part in ("width", "precision"):
            if part == "precision":
                if char(position) != ".":
                    break
                position += 1
            if char(position) == "*":  # taken from the arguments
                return Unknown("uses a format specification gwlint does not evaluate")
            start = position
            while position < end and char(position) in _DIGITS:
                position += 1
            numbers.append(char_range(start, position))
        if not all(_small(number) for number in numbers):
            return Unknown(TOO_LARGE)
        if char(position) in ("h", "l", "L"):  # a length modifier, ignored
            position += 1
        if position >= end:
            raise ValueError("incomplete format")
        position += 1
        value = next_arg()
        if char(position - 1) in ("%", "("):  # '%5%': not '%%'; '%(a)(': not a key
            raise ValueError(f"unsupported format character {char(position - 1)!r}")
        # this one conversion, with its flags, width and precision (never its mapping key)
        piece = (percent + template[spec_start:position]) % (value,)
        if not text.add(piece):
            return Unknown(TOO_LARGE)
        if mapping and index < count:
            raise TypeError(f"not all arguments converted during {kind} formatting")
    if index < count and not mapping:
        raise TypeError(f"not all arguments converted during {kind} formatting")
    return text.value()


def _builtin(name: str, args: list[Any]) -> Any:
    """A safe builtin on known arguments (each no larger than MAX_LEN): the result is checked
    by the caller."""
    if name == "int":
        if len(args) == 2:
            return int(args[0], args[1])
        if isinstance(args[0], str) and len(args[0]) > 40:
            return Unknown("a number too large to be a setting")
        return int(args[0])
    if name == "float":
        return float(args[0])
    if name == "str":
        return str(args[0]) if args else ""
    if name == "bool":
        return bool(args[0]) if args else False
    if name in ("min", "max"):
        values = args[0] if len(args) == 1 else args
        return (min if name == "min" else max)(values)
    if name == "abs":
        return abs(args[0])
    if name == "round":
        if len(args) > 1 and (not isinstance(args[1], int) or abs(args[1]) > 30):
            return Unknown("rounds to an unreasonable number of digits")
        return round(*args)
    if name == "len":
        return len(args[0])
    if name == "list":
        return list(args[0]) if args else []
    if name == "tuple":
        return tuple(args[0]) if args else ()
    return sorted(args[0])


_STR_METHODS = frozenset(
    {
        "upper",
        "lower",
        "strip",
        "lstrip",
        "rstrip",
        "split",
        "rsplit",
        "startswith",
        "endswith",
        "isdigit",
        "title",
        "capitalize",
    }
)


def _method(owner: Any, method: str, args: list[Any]) -> Any:
    """A method of a known str (or dict.get): the size of what it builds is computed first;
    the result is checked by the caller."""
    if isinstance(owner, str):
        if method in _STR_METHODS:
            return getattr(owner, method)(*args)
        if method == "replace" and len(args) == 2:
            old, new = args
            if isinstance(old, str) and isinstance(new, str):
                count = len(owner) + 1 if old == "" else owner.count(old)
                if len(owner) + count * (len(new) - len(old)) > MAX_LEN:
                    return Unknown(TOO_LARGE)
            return owner.replace(old, new)
        if method == "join" and len(args) == 1:
            items = list(args[0])  # an iterable no larger than MAX_LEN (a dict: its keys)
            for item in items:
                if not isinstance(item, str):
                    raise TypeError(f"sequence item: expected str instance, {type(item).__name__}")
            if sum(map(len, items)) + len(owner) * max(len(items) - 1, 0) > MAX_LEN:
                return Unknown(TOO_LARGE)
            return owner.join(items)
        if method == "format":
            return _brace_format(owner, args)
    if isinstance(owner, dict) and method == "get" and args:
        return owner.get(args[0], args[1] if len(args) > 1 else None)
    return Unknown(f"calls .{method}() on a {type(owner).__name__}")


def evaluate(
    source: str, tree: ast.Module, env: dict[str, str], cpus: int | None
) -> dict[str, Binding]:
    """Names bound at the top level of ``tree``, with what gwlint can tell of their values."""
    return Evaluator(source, env, cpus).run(tree)
