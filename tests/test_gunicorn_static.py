"""gunicorn.conf.py is evaluated statically: values are computed from the syntax tree, never run."""

from __future__ import annotations

import textwrap
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
