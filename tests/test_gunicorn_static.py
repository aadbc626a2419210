"""gunicorn.conf.py is evaluated statically: values are computed from the syntax tree, never run."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from gwlint.loaders.common import Problems
from gwlint.loaders.gunicorn import load_gunicorn, worker_kind
from gwlint.model.facts import Facts
from tests.conftest import gwlint


def load(tmp_path: Path, source: str, **facts: Any) -> tuple[dict[str, Any], Problems]:
    path = tmp_path / "gunicorn.conf.py"
    path.write_text(textwrap.dedent(source))
    problems = Problems()
    server = load_gunicorn(str(path), Facts(**facts), problems)
    assert server is not None
    values = {name: s.value if s.known else ("?", s.unknown) for name, s in server.settings.items()}
    return values, problems


def test_literals_arithmetic_names_and_strings(tmp_path: Path) -> None:
    values, problems = load(
        tmp_path,
        """
        port = 8000
        host = "0.0.0.0"
        bind = [f"{host}:{port}", "unix:/run/app.sock"]
        base = 30
        timeout = base * 2 + 15
        graceful_timeout = timeout // 3
        keepalive = max(5, min(75, 100))
        worker_class = "GTHREAD".lower()
        threads = int("4")
        loglevel = "%s-%d" % ("info", 1)
        proc_name = "app-{}".format(port)
        limit_request_line = 2 ** 13 - 2
        backlog += 1 if False else 0
        """,
    )
    assert values["bind"] == ["0.0.0.0:8000", "unix:/run/app.sock"]
    assert values["timeout"] == 75
    assert values["graceful_timeout"] == 25
    assert values["keepalive"] == 75
    assert values["worker_class"] == "gthread"
    assert values["threads"] == 4
    assert values["loglevel"] == "info-1"
    assert values["proc_name"] == "app-8000"
    assert values["limit_request_line"] == 8190
    assert values["backlog"][0] == "?"  # augmented before any assignment
    assert [p.code for p in problems.items] == ["GW005"]


def test_environment_defaults_and_given_values(tmp_path: Path) -> None:
    source = """
        import os
        from os import environ, getenv
        workers = int(os.environ.get("WEB_CONCURRENCY", 3))
        timeout = int(getenv("TIMEOUT", "45"))
        bind = environ.get("BIND", "127.0.0.1:8000")
        keepalive = int(os.environ["KEEPALIVE"])
        """
    values, problems = load(tmp_path, source)
    assert values["workers"] == 3
    assert values["timeout"] == 45
    assert values["bind"] == "127.0.0.1:8000"
    assert values["keepalive"][0] == "?"
    assert "--env KEEPALIVE" in values["keepalive"][1]
    assert [(p.code, p.location.line) for p in problems.items] == [("GW005", 7)]
    values, problems = load(tmp_path, source, env={"KEEPALIVE": "75", "TIMEOUT": "20"})
    assert values["keepalive"] == 75
    assert values["timeout"] == 20
    assert problems.items == []


def test_cpu_count_needs_the_target_cpus(tmp_path: Path) -> None:
    source = """
        import multiprocessing
        from os import cpu_count
        workers = multiprocessing.cpu_count() * 2 + 1
        threads = cpu_count()
        """
    values, problems = load(tmp_path, source)
    assert values["workers"][0] == "?"
    assert "--cpus" in values["workers"][1]
    assert len(problems.items) == 2
    values, problems = load(tmp_path, source, cpus=4)
    assert values["workers"] == 9
    assert values["threads"] == 4
    assert problems.items == []


def test_conditions_try_and_loops(tmp_path: Path) -> None:
    values, _ = load(
        tmp_path,
        """
        import os
        debug = False
        if debug:
            workers = 1
        else:
            workers = 4
        if os.environ.get("PROD"):
            timeout = 120
        else:
            timeout = 30
        if compute():
            graceful_timeout = 10
        try:
            import gevent
            worker_class = "gevent"
        except ImportError:
            worker_class = "sync"
        for name in ("a", "b"):
            keepalive = 5
        bind = []
        bind.append("127.0.0.1:8000")
        raw_env = ["A=1"]
        raw_env.insert(0, "B=2")
        """,
    )
    assert values["workers"] == 4
    assert values["timeout"] == 30  # $PROD not given: taken as unset, as with defaults
    assert values["graceful_timeout"][0] == "?"  # depends on an unknown condition
    assert values["worker_class"][0] == "?"  # depends on whether the import fails
    assert values["keepalive"][0] == "?"  # assigned in a loop
    assert values["bind"] == ["127.0.0.1:8000"]
    assert values["raw_env"][0] == "?"


def test_hooks_and_unknown_names_are_kept(tmp_path: Path) -> None:
    values, problems = load(
        tmp_path,
        """
        def post_fork(server, worker):
            pass
        keep_alive = 75
        """,
    )
    assert values["post_fork"] == "<function post_fork>"
    assert values["keep_alive"] == 75  # not a gunicorn setting, kept for the typo rule
    assert problems.items == []


def test_guards_against_huge_values(tmp_path: Path) -> None:
    values, _ = load(
        tmp_path,
        """
        workers = 10 ** 10 ** 10
        proc_name = "x" * 10 ** 9
        loglevel = "%999999999d" % 1
        errorlog = "{:>999999999}".format(1)
        timeout = 1 << 100000
        """,
    )
    for name in ("workers", "proc_name", "loglevel", "errorlog", "timeout"):
        assert values[name][0] == "?", name


def test_syntax_error_is_gw003_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "gunicorn.conf.py"
    path.write_text("bind = '127.0.0.1:8000'\nworkers = (2 *\n")
    problems = Problems()
    assert load_gunicorn(str(path), Facts(), problems) is None
    assert [(p.code, p.location.line) for p in problems.items] == [("GW003", 2)]


def test_deep_nesting_is_a_located_problem(tmp_path: Path) -> None:
    path = tmp_path / "gunicorn.conf.py"
    path.write_text("workers = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    problems = Problems()
    load_gunicorn(str(path), Facts(), problems)
    assert problems.items
    assert problems.items[0].code in ("GW003", "GW005")


@pytest.mark.parametrize(
    ("worker_class", "kind"),
    [
        ("sync", "sync"),
        ("gthread", "gthread"),
        ("gevent", "gevent"),
        ("egg:gunicorn#gevent", "gevent"),
        ("gunicorn.workers.ggevent.GeventWorker", "gevent"),
        ("uvicorn.workers.UvicornWorker", "uvicorn"),
        ("uvicorn_worker.UvicornWorker", "uvicorn"),
        ("tornado", "tornado"),
        ("asgi", "asgi"),
        ("myproject.workers.Custom", "custom"),
    ],
)
def test_worker_kinds(worker_class: str, kind: str) -> None:
    assert worker_kind(worker_class) == kind


def test_threads_turn_sync_into_gthread(tmp_path: Path) -> None:
    path = tmp_path / "gunicorn.conf.py"
    path.write_text("threads = 4\n")
    server = load_gunicorn(str(path), Facts(), Problems())
    assert server is not None
    assert server.worker_kind == "gthread"


def test_a_config_that_would_do_harm_leaves_no_trace(tmp_path: Path) -> None:
    """gwlint never executes, imports or compiles gunicorn.conf.py into running code."""
    canary = tmp_path / "canary"
    config = tmp_path / "gunicorn.conf.py"
    config.write_text(
        textwrap.dedent(
            f"""
            import os, subprocess, pathlib
            open({str(canary / "open")!r}, "w").write("x")
            pathlib.Path({str(canary / "pathlib")!r}).write_text("x")
            os.system("touch {canary / "system"}")
            subprocess.run(["touch", {str(canary / "subprocess")!r}])
            exec("open({str(canary / "exec")!r}, 'w')")
            __import__("os").makedirs({str(canary / "import")!r})
            class Settings:
                open({str(canary / "class")!r}, "w")
            workers = (lambda: open({str(canary / "lambda")!r}, "w"))()
            timeout = __import__("os").system("touch {canary / "value"}")
            bind = "127.0.0.1:8000"
            raise SystemExit(3)
            """
        )
    )
    canary.mkdir()
    run = gwlint("check", str(config), cwd=tmp_path)
    assert run.code in (0, 1), run.err
    assert list(canary.iterdir()) == []
    assert "GW005" in run.out  # workers and timeout are reported as not statically known


# --- hostile files: sizes checked before the work, every operator through the same checks -------

TOO_LARGE = "a value too large to be a setting"


@contextmanager
def memory_limited(extra_mib: int = 512) -> Iterator[None]:
    """The address space capped a little above what the process holds: were a size check
    missing, the huge value would raise MemoryError (a reason of its own, which the tests
    reject) instead of taking the machine's memory."""
    try:
        import resource

        pages = int(Path("/proc/self/statm").read_text().split()[0])
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):
        yield
        return
    size = pages * os.sysconf("SC_PAGE_SIZE") + extra_mib * 2**20
    if hard != resource.RLIM_INFINITY:
        size = min(size, hard)
    resource.setrlimit(resource.RLIMIT_AS, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def unknown(tmp_path: Path, source: str, name: str = "timeout") -> str:
    """Why ``name`` is not known after ``source`` (the test fails if it is known)."""
    with memory_limited():
        values, problems = load(tmp_path, source)
    value = values[name]
    assert isinstance(value, tuple), value
    assert value[0] == "?"
    if name == "timeout":  # a gunicorn setting: a located GW005 says why
        found = [p for p in problems.items if p.code == "GW005" and "timeout" in p.message]
        assert found, problems.items
        assert found[-1].location.line >= 1
        assert value[1] in found[-1].message
    return str(value[1])


@pytest.mark.parametrize(
    "source",
    [
        # issue 12, item 4
        "timeout = b'a'*3500000000",
        "timeout = '{:{}}'.format(1, 3500000000)",
        "timeout = b'%0999999999d' % 1",
        "timeout = '%((x)abc)0999999999d' % {'(x)abc': 1}",
        "timeout = b'a'\ntimeout *= 3000000000",
        "timeout = 1\n" + "timeout = '{0:{1}.{2}f}'.format(1.5, 10, 999999999)\n" * 20,
        # widths and precisions, however they are written
        "timeout = f'{1:999999999}'",
        "timeout = f'{1.5:.999999999f}'",
        "timeout = f'{1:{10**9}}'",
        "timeout = f'{1:>{\"9\" * 9}}'",
        "timeout = '{0:{1}}'.format(1, 3500000000)",
        "timeout = '{:>{}}'.format('x', 10**9)",
        "timeout = '%.999999999f' % 1.5",
        "timeout = b'%(a)0999999999d' % {b'a': 1}",
        "timeout = '%-0000000999999999s' % 'x'",
        # many small pieces, one large text
        "s = 'a' * 9000\ntimeout = '{0}{0}{0}'.format(s)",
        "s = 'a' * 9000\ntimeout = f'{s}{s}{s}'",
        "s = 'a' * 9000\ntimeout = '%(a)s%(a)s%(a)s' % {'a': s}",
        "s = 'a' * 9000\ntimeout = '%s%s' % (s, s)",
        # repetitions and concatenations
        "timeout = 'ab' * 10**10",
        "timeout = 10**10 * b'ab'",
        "timeout = [0] * 10**10",
        "timeout = (0,) * 10**10",
        "s = 'a' * 9000\ntimeout = s + s",
        "x = [0] * 4000\ntimeout = [*x, *x, *x]",
        "x = [0] * 4000\ntimeout = (*x, *x, *x)",
        "timeout = ','.join(['a'] * 10**9)",
        "timeout = ('a' * 5000).join(['b'] * 5000)",
        "timeout = 'a'.replace('', 'b' * 9000)",
        "timeout = ('a' * 5001).replace('a', 'bb')",
        "timeout = ['a']\ntimeout *= 10**10",
        "timeout = ['a'] * 9000\ntimeout += 'b' * 9000",
        "timeout = 'x'\ntimeout *= 10**10",
    ],
)
def test_values_too_large_are_unknown_before_they_are_built(tmp_path: Path, source: str) -> None:
    assert unknown(tmp_path, source) == TOO_LARGE


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("timeout = 'x'.center(10**10)", "calls .center() on a str"),
        ("timeout = 'x'.ljust(10**10)", "calls .ljust() on a str"),
        ("timeout = 'x'.rjust(10**10)", "calls .rjust() on a str"),
        ("timeout = 'x'.zfill(10**10)", "calls .zfill() on a str"),
        ("timeout = '\\t'.expandtabs(10**10)", "calls .expandtabs() on a str"),
        ("timeout = (1).to_bytes(10**10, 'big')", "calls .to_bytes() on a int"),
        ("timeout = bytes(10**10)", "calls bytes()"),
        ("timeout = bytearray(10**10)", "calls bytearray()"),
        ("timeout = list(range(10**10))", "calls range()"),
        ("timeout = tuple(range(10**10))", "calls range()"),
        ("timeout = '%*d' % (10**9, 1)", "uses a format specification gwlint does not evaluate"),
        (
            "timeout = '{0.real:9}'.format(1)",
            "uses a format specification gwlint does not evaluate",
        ),
        ("timeout = 2 ** 10**6", "a number too large to be a setting"),
        ("timeout = 1 << 10**6", "a number too large to be a setting"),
    ],
)
def test_operations_gwlint_does_not_evaluate_stay_unknown(
    tmp_path: Path, source: str, reason: str
) -> None:
    assert unknown(tmp_path, source) == reason


def test_values_nested_too_deeply_are_unknown(tmp_path: Path) -> None:
    source = "timeout = [1]\n" + "timeout = [timeout]\n" * 100
    assert unknown(tmp_path, source) == "a value nested too deeply to be a setting"


def test_a_file_that_takes_too_much_work_makes_every_name_unknown(tmp_path: Path) -> None:
    """Each line builds a value of 9,000 characters: 200 of them pass the work budget."""
    source = "timeout = 30\ns = 'a' * 9000\n" + "".join(f"s{i} = s + 'b'\n" for i in range(200))
    reason = "the file takes too much work to evaluate statically"
    assert unknown(tmp_path, source) == reason
    assert unknown(tmp_path, source, "s199") == reason


def test_a_config_too_large_to_parse_is_a_located_gw003(tmp_path: Path) -> None:
    path = tmp_path / "gunicorn.conf.py"
    path.write_text("a = 1\n" * 12_000)
    problems = Problems()
    assert load_gunicorn(str(path), Facts(), problems) is None
    assert [(p.code, p.location.line) for p in problems.items] == [("GW003", 1)]
    assert "over the 64 KiB" in problems.items[0].message


@pytest.mark.parametrize(
    "expression",
    [
        "'%s-%d' % ('a', 1)",
        "'%(a)s %(a)r' % {'a': 'x'}",
        "'%((x)abc)3d|' % {'(x)abc': 1}",
        "'%-6.2f|%+05d|%x|%c|%%' % (3.14159, 42, 255, 65)",
        "'%s' % [1, 2]",
        "'%s %(a)s' % {'a': 1}",
        "b'%s:%d' % (b'host', 8000)",
        "b'%(port)05d' % {b'port': 80}",
        "'{} {!r} {:>5} {:.2f} {{}}'.format('a', 'b', 'c', 1.5)",
        "'{1}{0}{1}'.format('a', 'b')",
        "'{:{}.{}f}'.format(1.5, 10, 3)",
        "'{:*^{}}'.format('x', 7)",
        'f\'{8000:>{6}}|{"x"!r:<5}|{1.5:.{2}f}|{"é"!a}\'',
        "','.join(['a', 'b'])",
        "'a.b.c'.replace('.', '::')",
    ],
)
def test_formats_and_string_operations_give_what_python_gives(
    tmp_path: Path, expression: str
) -> None:
    values, _ = load(tmp_path, f"proc_name = {expression}\n")
    assert values["proc_name"] == eval(expression)  # the test's own literals


@pytest.mark.parametrize(
    "expression",
    [
        "'%s %s' % ('a',)",  # not enough arguments
        "'%s' % ('a', 'b')",  # not all converted
        "'%(a)s' % ('a',)",  # format requires a mapping
        "'%5%' % ()",
        "'%' % ()",
        "'{}{}'.format('a')",
        "'{}{0}'.format('a', 'b')",  # automatic, then manual numbering
        "'{:{:{}}}'.format(1, 2, 3)",  # nested too deeply
        "','.join([1, 2])",  # join takes str only
    ],
)
def test_formats_python_refuses_are_unknown(tmp_path: Path, expression: str) -> None:
    reason = unknown(tmp_path, f"timeout = {expression}\n")
    assert reason.startswith("evaluating it fails ("), reason


@pytest.mark.parametrize(
    ("operator", "start", "operand", "reason"),
    [
        ("+=", "'a'", "1", "evaluating it fails (TypeError)"),
        ("-=", "'a'", "1", "evaluating it fails (TypeError)"),
        ("*=", "'a'", "1.5", "evaluating it fails (TypeError)"),
        ("@=", "30", "1", "uses the MatMult operator"),
        ("/=", "30", "0", "evaluating it fails (ZeroDivisionError)"),
        ("//=", "30", "0", "evaluating it fails (ZeroDivisionError)"),
        ("%=", "30", "0", "evaluating it fails (ZeroDivisionError)"),
        ("**=", "30", "10**6", "a number too large to be a setting"),
        ("**=", "0", "-1", "evaluating it fails (ZeroDivisionError)"),
        ("<<=", "30", "-1", "evaluating it fails (ValueError)"),
        ("<<=", "30", "10**6", "a number too large to be a setting"),
        (">>=", "30", "-1", "evaluating it fails (ValueError)"),
        ("|=", "'a'", "1", "evaluating it fails (TypeError)"),
        ("&=", "'a'", "1", "evaluating it fails (TypeError)"),
        ("^=", "'a'", "1", "evaluating it fails (TypeError)"),
        ("*=", "b'a'", "3000000000", TOO_LARGE),
        ("+=", "1", "undefined_name", "uses undefined_name, which is not assigned before line 2"),
        ("*=", "1e308", "10", "not a finite number"),
    ],
)
def test_augmented_assignments_go_through_the_same_checks(
    tmp_path: Path, operator: str, start: str, operand: str, reason: str
) -> None:
    """``timeout OP= x`` is evaluated as ``timeout OP x``: what Python would raise makes the
    setting unknown, never an internal error."""
    source = f"timeout = {start}\ntimeout {operator} {operand}\n"
    assert unknown(tmp_path, source) == reason
    (tmp_path / "gunicorn.conf.py").write_text(source)
    run = gwlint("check", "gunicorn.conf.py", cwd=tmp_path)
    assert run.code in (0, 1), run.err
    assert "internal error" not in run.err
    assert "GW005" in run.out


def test_augmented_assignments_that_work(tmp_path: Path) -> None:
    values, problems = load(
        tmp_path,
        """
        timeout = 30
        timeout *= 2
        timeout += 5
        timeout //= 2
        timeout <<= 1
        workers = 10
        workers %= 4
        workers **= 2
        bind = ["127.0.0.1:8000"]
        bind += ("unix:/run/app.sock",)
        raw_env = ["A=1"]
        raw_env += ["B=2"]
        proc_name = "app"
        proc_name += "-%d" % 1
        """,
    )
    assert values["timeout"] == 64
    assert values["workers"] == 4
    assert values["bind"] == ["127.0.0.1:8000", "unix:/run/app.sock"]  # list += extends
    assert values["raw_env"] == ["A=1", "B=2"]
    assert values["proc_name"] == "app-1"
    assert problems.items == []


def test_an_augmented_operand_nested_too_deeply_is_unknown(tmp_path: Path) -> None:
    source = "timeout = 1\ntimeout += " + "1 + " * 1900 + "1\n"
    assert unknown(tmp_path, source) == "expression too deeply nested"
