"""``gwlint check`` read without typer (gwlint.cli.fast_check) reads exactly what typer reads.

The fast path is the pre-commit hook's: typer and its pydantic parameter adapters cost more than
the check itself. It must never read a command line differently from the typer declaration in
gwlint.cli_typer: the same options, values and defaults, or it hands the command line to typer.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from gwlint import cli
from tests.conftest import ROOT, gwlint

DEMO = ROOT / "fixtures" / "demo"


def _declared() -> dict[str, tuple[str, Any]]:
    """check's options as typer declares them: name -> (parameter, kind), as _CHECK_OPTIONS."""
    import typer

    from gwlint.cli_typer import app

    command = typer.main.get_command(app).commands["check"]  # type: ignore[attr-defined]
    options: dict[str, tuple[str, Any]] = {}
    for param in command.params:
        if param.param_type_name != "option":
            assert param.name == "paths"
            continue
        assert not param.secondary_opts, f"{param.name}: --no-... forms are typer's alone"
        annotation = param.type_descriptor.annotation
        if param.is_flag:
            kind: Any = bool
        elif param.multiple:
            kind = list
        else:
            kind = annotation
        for name in param.opts:
            options[name] = (param.name, kind)
    return options


def test_the_fast_path_knows_every_option_as_declared() -> None:
    assert _declared() == cli._CHECK_OPTIONS
    fields = set(cli.CheckOptions.__dataclass_fields__)
    assert fields == {name for name, _ in cli._CHECK_OPTIONS.values()} | {"paths"}


def _typer_reads(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> cli.CheckOptions | None:
    """The options typer hands to run_check for ``argv``; None when typer refuses it."""
    from gwlint import cli_typer

    seen: list[cli.CheckOptions] = []

    def record(options: cli.CheckOptions) -> int:
        seen.append(options)
        return 0

    monkeypatch.setattr(cli_typer, "run_check", record)
    try:
        cli._typer_main(argv)
    except SystemExit:
        return None
    return seen[0] if seen else None


READ = [
    ["check"],
    ["check", "."],
    ["check", "nginx.conf", "gunicorn.conf.py", "deploy/"],
    ["check", "--format", "json"],
    ["check", "-f", "sarif", "--output", "out.sarif"],
    ["check", "--format=github", "-o", "-"],
    ["check", "--cpus", "4", "--stop-timeout", "30", "--somaxconn", "0"],
    ["check", "--cpus=8", "--front", "alb:120", "--nginx-version", "1.24.0"],
    ["check", "--gunicorn-version", "26.0", "--uwsgi-version", "2.0.28"],
    ["check", "--env", "A=1", "--env", "B=", "--env", "C"],
    ["check", "--nginx", "a.conf", "--nginx", "b.conf", "--gunicorn", "g.py", "--uwsgi", "u.ini"],
    ["check", "--uwsgi-section", "app", "--nginx-prefix", "/etc/nginx"],
    ["check", "--nginx-dump", "-", "app.py"],
    ["check", "--nginx-dump=dump.txt"],
    ["check", "--select", "GW1,GW401", "--select", "GW5", "--ignore", "GW305"],
    ["check", "--extend-select", "GW6", "--fail-on", "info", "--exit-zero"],
    ["check", "--config", "gwlint.toml", "--isolated", "--statistics", "--quiet", "-q"],
    ["check", "--color", "always", "x"],
    ["check", "--color=never"],
    ["check", "a", "--quiet", "b", "--format", "text", "c"],
    ["check", "-", "--stdin-filename", "deploy/gunicorn.conf.py"],
    ["check", "--stdin-filename=nginx.conf", "-f", "junit"],
    ["check", "-", "-"],
]

TYPER_ONLY = [
    ["--help"],
    ["rules"],
    ["check", "--help"],
    ["check", "-h"],
    ["check", "--", "-odd-name.conf"],
    ["check", "-qf", "json"],
    ["check", "-fjson"],
    ["check", "--format", "JSON"],
    ["check", "--format", "xml"],
    ["check", "--format"],
    ["check", "--format="],
    ["check", "--cpus", "-1"],
    ["check", "--cpus", "+4"],
    ["check", "--cpus", " 4"],
    ["check", "--cpus", "four"],
    ["check", "--cpus", "4", "--cpus", "5"],
    ["check", "--quiet=yes"],
    ["check", "--no-quiet"],
    ["check", "--form", "json"],
    ["check", "--env", "--quiet"],
    ["check", "--unknown"],
    ["check", "--fail-on", "fatal"],
]


@pytest.mark.parametrize("argv", READ, ids=" ".join)
def test_the_fast_path_reads_what_typer_reads(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = cli.fast_check(argv)
    assert fast is not None
    assert fast == _typer_reads(argv, monkeypatch)


@pytest.mark.parametrize("argv", TYPER_ONLY, ids=" ".join)
def test_anything_else_goes_to_typer(argv: list[str]) -> None:
    assert cli.fast_check(argv) is None


def _both(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """What ``gwlint ARGS`` prints and returns through the fast path, and through typer."""
    fast = gwlint(*args, cwd=cwd)
    with monkeypatch.context() as patched:
        patched.setattr(cli, "fast_check", lambda argv: None)
        slow = gwlint(*args, cwd=cwd)
    return fast, slow


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--isolated"],
        ["check", "--isolated", "--format", "json"],
        ["check", "--isolated", "--format", "sarif"],
        ["check", "--isolated", "-f", "github", "--select", "GW2"],
        ["check", "--isolated", "--statistics"],
        ["check", "--isolated", "--exit-zero", "--quiet"],
        ["check", "--isolated", "--cpus", "0"],
        ["check", "--isolated", "--env", "NOVALUE"],
        ["check", "--isolated", "--statistics", "--format", "json"],
        ["check", "--config", "gwlint.toml", "--isolated"],
        ["check", "--isolated", "missing.conf"],
        ["check", "--isolated", "--select", "GW999"],
        ["check", "--isolated", "--nginx-version", "one"],
        ["check", "--isolated", "--output", "no/such/folder/report.txt"],
    ],
    ids=" ".join,
)
def test_both_paths_print_and_exit_alike(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = _both(args, DEMO, monkeypatch)
    assert (fast.code, fast.out, fast.err) == (slow.code, slow.out, slow.err)


def test_both_paths_warn_alike_when_nothing_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, slow = _both(["check", "--isolated"], tmp_path, monkeypatch)
    assert fast.err.startswith(
        "gwlint: warning: no nginx, Apache, Caddy, gunicorn or uWSGI config found in ."
    )
    assert (fast.code, fast.out, fast.err) == (slow.code, slow.out, slow.err)


def test_choices_are_read_as_their_enum() -> None:
    options = cli.fast_check(["check", "-f", "json", "--fail-on", "info", "--color", "never"])
    assert options is not None
    for value in (options.output_format, options.fail_on, options.color):
        assert isinstance(value, Enum)
