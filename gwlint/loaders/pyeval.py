"""Static evaluation of a Python config module. Nothing is executed, imported or compiled to code.

The module is read with ``ast.parse`` and its top level is walked statement by statement. Values
are computed from literals, arithmetic, string operations, f-strings, names bound earlier, a few
safe builtins, environment lookups (their default, or a value the user gives) and the target's CPU
count (only when the user gives it). Anything else becomes ``Unknown(reason)``.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gwlint.loaders.common import MAX_SETTING_INT

MAX_DEPTH = 60
MAX_INT = MAX_SETTING_INT
MAX_LEN = 10_000


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known without running the file."""

    reason: str


@dataclass(frozen=True)
class Function:
    """A function or lambda bound to a name (gunicorn's server hooks)."""

    name: str


@dataclass
class Binding:
    value: Any  # a Python value, Unknown, or Function
    node: ast.AST  # the statement that bound it
    raw: str  # source text of the assigned expression
    notes: tuple[str, ...] = ()  # "$WORKERS unset: its default", "--cpus 4"


@dataclass
class _Ctx:
    notes: list[str] = field(default_factory=list)


class _TooDeep(Exception):
    pass


REBINDING_CALLS = frozenset({"exec", "eval", "globals", "vars", "locals", "setattr", "__import__"})
ENV_GETTERS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault"})
CPU_COUNTERS = frozenset({"os.cpu_count", "multiprocessing.cpu_count", "os.process_cpu_count"})
KNOWN_MODULES = frozenset({"os", "multiprocessing", "os.environ", "os.path"})
SAFE_BUILTINS = frozenset(
    {"int", "float", "str", "bool", "min", "max", "abs", "round", "len", "list", "tuple", "sorted"}
)
_FORMAT_SPEC = re.compile(r"^[<>^=]?[+\- ]?#?0?\d{0,3}[,_]?(\.\d{1,3})?[bcdeEfFgGnosxX%]?$")
# (widths and precisions of at most 3 digits)


def _too_big(value: Any) -> bool:
    """More than MAX_LEN characters or elements in all, nested containers included."""
    budget = MAX_LEN
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str | bytes):
            budget -= len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            budget -= len(item) + 1
            if budget >= 0:
                todo.extend(item)
        elif isinstance(item, dict):
            budget -= len(item) + 1
            if budget >= 0:
                todo.extend(item.keys())
                todo.extend(item.values())
        else:
            budget -= 1
        if budget < 0:
            return True
    return False


def _check_number(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) > MAX_INT:
        return Unknown("a number too large to be a setting")
    if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
        return Unknown("not a finite number")
    if isinstance(value, str | bytes | list | tuple | set | frozenset | dict) and _too_big(value):
        return Unknown("a value too large to be a setting")
    return value


class Evaluator:
    """Walks a module's top level and keeps what each name is bound to."""

    def __init__(self, source: str, env: dict[str, str], cpus: int | None) -> None:
        self.source = source
        self.env = env
        self.cpus = cpus
        self.names: dict[str, Binding] = {}
        self.aliases: dict[str, str] = {}  # local name -> dotted module path

    # --- statements ----------------------------------------------------------------------------

    def run(self, module: ast.Module) -> dict[str, Binding]:
        self._block(module.body)
        self._rebinding(module)
        return self.names

    def _rebinding(self, module: ast.Module) -> None:
        """Names the file can rebind in ways a top-to-bottom reading does not see: exec(),
        globals()/vars() and functions with ``global NAME``."""
        for node in ast.walk(module):
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
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Global):
                        for name in inner.names:
                            bound = self.names.get(name)
                            if bound is not None:
                                reason = f"{node.name}() can change it (global {name})"
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
        try:
            return self._eval(node, ctx, 0)
        except (_TooDeep, RecursionError):
            return Unknown("expression too deeply nested")
        except MemoryError:
            return Unknown("a value too large to be a setting")
        except Exception as exc:  # whatever Python would raise: gunicorn would not start either
            return Unknown(f"evaluating it fails ({type(exc).__name__})")

    def _bind(self, name: str, value: Any, stmt: ast.AST, raw: str, notes: tuple[str, ...]) -> None:
        self.names[name] = Binding(value=value, node=stmt, raw=raw, notes=notes)

    def _assign(
        self, target: ast.expr, value: Any, stmt: ast.stmt, expr: ast.expr, ctx: _Ctx
    ) -> None:
        raw = ast.get_source_segment(self.source, expr) or ""
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
        if not isinstance(stmt.target, ast.Name):
            self._assign(stmt.target, None, stmt, stmt.value, _Ctx())
            return
        name = stmt.target.id
        old = self.names.get(name)
        ctx = _Ctx()
        if old is None:
            value: Any = Unknown(f"{name} is not assigned before line {stmt.lineno}")
        else:
            ctx.notes.extend(old.notes)
            right = self._eval_top(stmt.value, ctx)
            value = self._binop(stmt.op, old.value, right)
        # "timeout *= 2" reads as "timeout = timeout * 2"
        raw = ast.unparse(ast.BinOp(left=ast.Name(id=name), op=stmt.op, right=stmt.value))
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
        ctx = _Ctx(notes=list(binding.notes))
        method = call.func.attr
        if (
            isinstance(binding.value, list)
            and method in ("append", "extend")
            and len(call.args) == 1
        ):
            arg = self._eval_top(call.args[0], ctx)
            if not isinstance(arg, Unknown | Function):
                if method == "append":
                    new = [*binding.value, arg]
                elif isinstance(arg, list | tuple):
                    new = [*binding.value, *arg]
                else:
                    new = None
                if new is not None:
                    raw = ast.get_source_segment(self.source, stmt) or ""
                    self._bind(owner.id, _check_number(new), stmt, raw, tuple(ctx.notes))
                    return
        reason = f"modified by .{method}() at line {stmt.lineno}"
        self._bind(owner.id, Unknown(reason), stmt, binding.raw, ())

    def _snapshot(self) -> tuple[dict[str, Binding], dict[str, str]]:
        return dict(self.names), dict(self.aliases)

    def _run_branch(self, body: list[ast.stmt], start: dict[str, Binding]) -> dict[str, Binding]:
        self.names = dict(start)
        self._block(body)
        return self.names

    def _merge(self, branches: list[dict[str, Binding]], line: int, why: str) -> None:
        merged: dict[str, Binding] = {}
        all_names: set[str] = set().union(*branches)
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
            before = dict(self.names)
            self._block(stmt.body if test else stmt.orelse)
            if ctx.notes:  # the branch taken depends on the environment: say so
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
        for node in ast.walk(stmt):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = list(node.targets)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                targets = [node.func.value]  # bind.append(...) in a loop changes bind
            elif isinstance(
                node, ast.AugAssign | ast.AnnAssign | ast.For | ast.AsyncFor | ast.NamedExpr
            ):
                targets = [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        raw = ast.get_source_segment(self.source, stmt) or ""
                        self._bind(name.id, Unknown(reason), node, raw, ())

    # --- expressions ---------------------------------------------------------------------------

    def _eval(self, node: ast.expr, ctx: _Ctx, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _TooDeep
        ev: Callable[[ast.expr], Any] = lambda n: self._eval(n, ctx, depth + 1)  # noqa: E731
        if isinstance(node, ast.Constant):
            return _check_number(node.value)
        if isinstance(node, ast.Name):
            return self._name(node, ctx)
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            items: list[Any] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    inner = ev(element.value)
                    if not isinstance(inner, list | tuple):
                        return _unknown(inner, "unpacks a value not known statically")
                    items.extend(inner)
                    continue
                item = ev(element)
                if isinstance(item, Unknown):
                    return item
                items.append(item)
            return tuple(items) if isinstance(node, ast.Tuple) else _check_number(items)
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
            return self._binop(node.op, ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp):
            return self._unary(node.op, ev(node.operand))
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
            ctx.notes.extend(n for n in binding.notes if n not in ctx.notes)
            return binding.value
        if node.id in self.aliases:
            return Unknown(f"uses {self.aliases[node.id]} as a value")
        return Unknown(f"uses {node.id}, which is not assigned before line {node.lineno}")

    def _fstring(self, node: ast.JoinedStr, ev: Callable[[ast.expr], Any]) -> Any:
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
                continue
            if not isinstance(value, ast.FormattedValue):
                return Unknown("uses an f-string part not known statically")
            item = ev(value.value)
            if isinstance(item, Unknown | Function):
                return _unknown(item, "formats a value not known statically")
            if value.conversion == ord("r"):
                item = repr(item)
            elif value.conversion == ord("s"):
                item = str(item)
            spec = ""
            if value.format_spec is not None:
                spec_value = self._fstring(value.format_spec, ev)  # type: ignore[arg-type]
                if not isinstance(spec_value, str) or not _FORMAT_SPEC.match(spec_value):
                    return Unknown("uses a format specification gwlint does not evaluate")
                spec = spec_value
            parts.append(format(item, spec))
        return _check_number("".join(parts))

    def _binop(self, op: ast.operator, left: Any, right: Any) -> Any:
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
        if isinstance(op, ast.Mult):
            sizes = [len(v) for v in (left, right) if isinstance(v, str | list | tuple)]
            counts = [v for v in (left, right) if isinstance(v, int) and not isinstance(v, bool)]
            if sizes and counts and sizes[0] * max(counts[0], 0) > MAX_LEN:
                return Unknown("a value too large to be a setting")
        if isinstance(op, ast.LShift) and isinstance(right, int) and right > 64:
            return Unknown("a number too large to be a setting")
        if isinstance(op, ast.Mod) and isinstance(left, str):
            if not isinstance(right, str | int | float | tuple | dict):
                return Unknown("formats a value not known statically")
            if not _safe_percent_format(left):
                return Unknown("uses a format specification gwlint does not evaluate")
        operations: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
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
        operation = operations.get(type(op))
        if operation is None:
            return Unknown(f"uses the {type(op).__name__} operator")
        return _check_number(operation(left, right))

    def _unary(self, op: ast.unaryop, operand: Any) -> Any:
        if isinstance(operand, Unknown):
            return operand
        if isinstance(op, ast.Not):
            return not operand
        if isinstance(op, ast.USub):
            return -operand
        if isinstance(op, ast.UAdd):
            return +operand
        return ~operand

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
            operations: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
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
            if not operations[type(op)](left, right):
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
            ctx.notes.append(f"--env {name}")
            return self.env[name]
        if not has_default:
            return Unknown(f"reads ${name}, not given (use --env {name}=VALUE)")
        if isinstance(default, Unknown):
            return default
        # not given: taken as unset, like a default in os.environ.get(NAME, default)
        ctx.notes.append(f"${name} unset" if default is None else f"${name} unset: its default")
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
        if dotted in CPU_COUNTERS:
            if self.cpus is None:
                return Unknown(f"calls {dotted}() (give the target's CPUs with --cpus N)")
            ctx.notes.append(f"--cpus {self.cpus}")
            return self.cpus
        if dotted == "os.sched_getaffinity":
            if self.cpus is None:
                return Unknown(f"calls {dotted}() (give the target's CPUs with --cpus N)")
            ctx.notes.append(f"--cpus {self.cpus}")
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
            return container[slice(*bounds)]
        key = ev(node.slice)
        if isinstance(key, Unknown):
            return key
        if isinstance(container, dict) and key not in container:
            return Unknown(f"reads a missing key {key!r}")
        return container[key]


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?")
_BRACE_FIELD = re.compile(r"\{([^{}]*)\}")
MAX_WIDTH = 200


def _safe_percent_format(template: str) -> bool:
    """No width or precision that is computed (``*``) or large (``%.999999999d``)."""
    for width, precision in _PERCENT_SPEC.findall(template):
        for part in (width, precision):
            if part == "*" or (part and int(part) > MAX_WIDTH):
                return False
    return True


def _safe_brace_format(template: str) -> bool:
    """Plain ``{}``/``{0}``/``{name}`` fields with small widths: no attribute or item lookups."""
    for replacement in _BRACE_FIELD.findall(template):
        name, _, spec = replacement.partition(":")
        name = name.split("!")[0]
        if "." in name or "[" in name or "{" in spec:
            return False
        if any(int(n) > MAX_WIDTH for n in re.findall(r"\d+", spec)):
            return False
    return True


def _unknown(value: Any, reason: str) -> Unknown:
    return value if isinstance(value, Unknown) else Unknown(reason)


def _builtin(name: str, args: list[Any]) -> Any:
    if name == "int":
        if len(args) == 2:
            return _check_number(int(args[0], args[1]))
        if isinstance(args[0], str) and len(args[0]) > 40:
            return Unknown("a number too large to be a setting")
        return _check_number(int(args[0]))
    if name == "float":
        return _check_number(float(args[0]))
    if name == "str":
        if args and _too_big(args[0]):
            return Unknown("a value too large to be a setting")
        return _check_number(str(args[0]) if args else "")
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
        return _check_number(round(*args))
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
    if isinstance(owner, str):
        if method in _STR_METHODS:
            return getattr(owner, method)(*args)
        if method == "replace" and len(args) == 2:
            return _check_number(owner.replace(args[0], args[1]))
        if method == "join" and len(args) == 1:
            return _check_number(owner.join(str(a) for a in args[0]))
        if method == "format":
            if any(not isinstance(a, str | int | float) for a in args):
                return Unknown("formats a value not known statically")
            if not _safe_brace_format(owner):
                return Unknown("uses a format specification gwlint does not evaluate")
            return _check_number(owner.format(*args))
    if isinstance(owner, dict) and method == "get" and args:
        return owner.get(args[0], args[1] if len(args) > 1 else None)
    return Unknown(f"calls .{method}() on a {type(owner).__name__}")


def evaluate(
    source: str, tree: ast.Module, env: dict[str, str], cpus: int | None
) -> dict[str, Binding]:
    """Names bound at the top level of ``tree``, with what gwlint can tell of their values."""
    return Evaluator(source, env, cpus).run(tree)
