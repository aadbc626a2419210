"""No regular expression of gwlint backtracks badly on hostile text.

Every pattern of the package (compiled at module level, or written literally in a call such as
``re.compile``, ``re.match``, ``re.sub``...) is run against long runs of one character, of two
alternating ones, and of both with a character that makes the match fail at the end: the shapes
that make a pattern with nested or adjacent unbounded quantifiers take quadratic or exponential
time. Every pattern is matched at the start (``match``); a pattern the code also scans text with
(``search``, ``finditer``, ``findall``, ``sub``, ``split``) is scanned too, where a leading ``\\s*``
is a quantifier adjacent to the scan's own (``^\\s*x`` with MULTILINE on blank lines: each line
start eats every newline after it). The searches run in a child process, so a runaway pattern is
stopped by the test's timeout and named, rather than hanging the suite. A linear pattern takes
milliseconds on these strings, a quadratic one seconds: the budget below is generous, and a
pattern over it is a bug.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import gwlint

ROOT = Path(__file__).resolve().parent.parent
LENGTH = 20_000
BUDGET = 0.5  # seconds for one search over LENGTH characters
CHARS = " \t\n\r[]{}()$%\\'\"a0./-:#;=*@,<>|!?_+&~^`"
FUNCTIONS = {
    "compile",
    "match",
    "fullmatch",
    "search",
    "sub",
    "subn",
    "findall",
    "finditer",
    "split",
}
FLAGS = {
    name: getattr(re, name)
    for name in ("I", "M", "S", "X", "A", "IGNORECASE", "MULTILINE", "DOTALL", "VERBOSE", "ASCII")
}


def _flags(node: ast.expr | None) -> int | None:
    """``re.M | re.I`` as an int; None when it is not made of re's flags."""
    if node is None:
        return 0
    if isinstance(node, ast.Attribute) and node.attr in FLAGS:
        return int(FLAGS[node.attr])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _flags(node.left), _flags(node.right)
        return None if left is None or right is None else left | right
    return None


SCANS = {"search", "finditer", "findall", "sub", "subn", "split"}
Found = tuple[str, re.Pattern[str] | re.Pattern[bytes], bool]  # where, pattern, scanned


def literal_patterns() -> list[Found]:
    """Every ``re.<function>(<literal>, ...)`` in the package's source, compiled (scanned when
    the function scans)."""
    found: list[Found] = []
    for path in sorted((ROOT / "gwlint").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in FUNCTIONS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str | bytes)
            ):
                continue
            flags_node = next((k.value for k in node.keywords if k.arg == "flags"), None)
            if flags_node is None and node.func.attr == "compile" and len(node.args) > 1:
                flags_node = node.args[1]
            flags = _flags(flags_node)
            if flags is None:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            # a compiled pattern kept in a module or class is found by ``module_patterns``,
            # with how the code uses it; one compiled in a function is matched here only
            scanned = node.func.attr in SCANS
            found.append((where, re.compile(node.args[0].value, flags), scanned))
    return found


def module_patterns() -> list[Found]:
    """Compiled patterns held by the package's modules and classes (built at import); scanned
    when the module's source calls one of ``SCANS`` on the name."""
    found: list[Found] = []
    for info in pkgutil.walk_packages(gwlint.__path__, "gwlint."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        source = Path(module.__file__ or "").read_text()
        spaces = [(info.name, vars(module))]
        spaces += [
            (f"{info.name}.{name}", vars(value))
            for name, value in vars(module).items()
            if isinstance(value, type) and value.__module__ == info.name
        ]
        for owner, space in spaces:
            for name, value in space.items():
                if isinstance(value, re.Pattern):
                    scans = re.search(rf"\b{re.escape(name)}\.(?:{'|'.join(SCANS)})\(", source)
                    passed = re.search(rf"[(,=]\s*{re.escape(name)}\b(?!\.)", source)
                    found.append((f"{owner}.{name}", value, bool(scans or passed)))
    return found


def hostile_texts() -> list[str]:
    texts = []
    for char in CHARS:
        run = char * LENGTH
        texts += [run, run + "\x00", "x" + run + "\n!"]
    for pair in ("a ", " \t", "%(", "$(", "${", "{{", "[ ", "\\n", "a=", "'\\", " #", "-a"):
        texts.append(pair * (LENGTH // 2))
    texts.append(("a" * 30 + " ") * (LENGTH // 31) + "\x00")
    return texts


CHILD = """
import re, sys, time, pickle
patterns, texts, budget = pickle.loads(sys.stdin.buffer.read())
for where, source, flags, scanned in patterns:
    pattern = re.compile(source, flags)
    calls = [pattern.match, pattern.fullmatch]
    if scanned:
        calls += [pattern.search, lambda s: list(pattern.finditer(s))]
    for text in texts:
        subject = text if isinstance(source, str) else text.encode("utf-8", "replace")
        print(where, repr(subject[:12]), flush=True)
        start = time.perf_counter()
        for call in calls:
            call(subject)
        taken = time.perf_counter() - start
        if taken > budget:
            print("SLOW", where, f"{taken:.2f}s", repr(subject[:12]), flush=True)
print("DONE", flush=True)
"""


def test_no_pattern_backtracks_on_hostile_text() -> None:
    import pickle

    chosen: dict[tuple[str, str | bytes, int], bool] = {}
    for where, pattern, scanned in [*module_patterns(), *literal_patterns()]:
        key = (where, pattern.pattern, pattern.flags)
        chosen[key] = chosen.get(key, False) or scanned
    ordered = sorted(((*key, scanned) for key, scanned in chosen.items()), key=lambda i: i[0])
    assert len(ordered) > 50  # the package's patterns were found
    payload = pickle.dumps((ordered, hostile_texts(), BUDGET))
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD],
            input=payload,
            capture_output=True,
            timeout=300,
        )
        lines = done.stdout.decode().splitlines()
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else ""
        last = out.splitlines()[-1] if out else "?"
        raise AssertionError(f"a pattern ran away on hostile text: {last}") from None
    slow = [line for line in lines if line.startswith("SLOW")]
    assert lines, done.stderr.decode()[-2000:]
    assert lines[-1] == "DONE", done.stderr.decode()[-2000:]
    assert slow == []
