"""``gwlint check`` read without typer (gwlint.cli.fast_check) reads exactly what typer reads.

The fast path is the pre-commit hook's: typer and its pydantic parameter adapters cost more than
the check itself. It must never read a command line differently from the typer declaration in
gwlint.cli_typer: the same options, values and defaults, or it hands the command line to typer.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from gwlint import cli, cli_options
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


# --- one declaration: gwlint.cli_options.CheckOptions, read by typer and by the fast path --------


def _commands() -> dict[str, Any]:
    import typer

    from gwlint.cli_typer import app

    commands: dict[str, Any] = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    return commands


def _is_choice(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, Enum)


def test_typer_builds_check_from_the_declaration() -> None:
    """Every field of CheckOptions is a parameter of typer's check, in the declaration's order,
    with the declared flags, default, help, metavar and choices; and check has no other."""
    command = _commands()["check"]
    declared = dataclasses.fields(cli_options.CheckOptions)
    assert [param.name for param in command.params] == [field.name for field in declared]
    for param, field in zip(command.params, declared, strict=True):
        spec = cli_options.spec(field)
        kind = cli_options.kind(field.type)
        assert (param.help, param.metavar) == (spec.help, spec.metavar), field.name
        if not spec.flags:  # the paths
            assert (param.param_type_name, param.nargs, kind) == ("argument", -1, list)
            continue
        assert param.param_type_name == "option", field.name
        assert param.opts == list(spec.flags), field.name
        assert param.secondary_opts == [], field.name
        assert param.default == field.default, field.name
        assert param.is_flag == (kind is bool), field.name
        assert param.multiple == (kind is list), field.name
        choices = list(kind) if _is_choice(kind) else []
        assert list(param.type_descriptor.choices or []) == choices, field.name
        if not param.is_flag and not param.multiple:
            assert param.type_descriptor.annotation is kind, field.name


def test_the_fast_path_reads_the_declaration() -> None:
    assert cli._CHECK_OPTIONS is cli_options.FLAGS
    flags = [
        flag
        for field in dataclasses.fields(cli.CheckOptions)
        for flag in cli_options.spec(field).flags
    ]
    assert sorted(flags) == sorted(cli._CHECK_OPTIONS)  # no flag declared twice


def test_diagnose_shares_check_options_as_declared() -> None:
    commands = _commands()
    check = {param.name: param for param in commands["check"].params}
    shared = {
        param.name: param
        for param in commands["diagnose"].params
        if param.param_type_name == "option" and param.name in check
    }
    assert set(shared) == {
        "output_format",  # diagnose's own: text or json
        "output",
        "cpus",
        "nginx_version",
        "gunicorn_version",
        "uwsgi_version",
        "env",
        "front",
        "stop_timeout",
        "somaxconn",
        "config",
        "isolated",
    }
    del shared["output_format"]

    def described(param: Any) -> tuple[Any, ...]:
        return (
            param.opts,
            param.secondary_opts,
            param.help,
            param.metavar,
            param.default,
            param.is_flag,
            param.multiple,
            param.type_descriptor.annotation,
        )

    for name, param in shared.items():
        assert described(param) == described(check[name]), name


def _spellings() -> list[list[str]]:
    """Command lines that give each declared option in every spelling the fast path reads:
    every flag (long and short), ``--name=VALUE``, each choice, a repeated option, a flag."""
    samples: dict[Any, list[str]] = {int: ["0", "30"], str: ["x.conf", "-"], list: ["A=1", "b"]}
    spelled: list[list[str]] = []
    for field in dataclasses.fields(cli_options.CheckOptions):
        kind = cli_options.kind(field.type)
        for flag in cli_options.spec(field).flags:
            if kind is bool:
                spelled.append(["check", flag, "deploy/"])
                continue
            values = [str(choice) for choice in kind] if _is_choice(kind) else samples[kind]
            if kind is list:
                spelled.append(["check", flag, values[0], "nginx.conf", flag, values[1]])
                if flag.startswith("--"):
                    spelled.append(["check", f"{flag}={values[0]}", flag, values[1]])
                continue
            for value in values:
                spelled.append(["check", flag, value])
                if flag.startswith("--"):
                    spelled.append(["check", "a", f"{flag}={value}", "b"])
    return spelled


@pytest.mark.parametrize("argv", _spellings(), ids=" ".join)
def test_every_declared_spelling_is_read_alike(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = cli.fast_check(argv)
    assert fast is not None
    assert fast == _typer_reads(argv, monkeypatch)


def test_every_option_at_once_is_read_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["check", "nginx.conf"]
    for field in dataclasses.fields(cli_options.CheckOptions):
        kind = cli_options.kind(field.type)
        flags = cli_options.spec(field).flags
        if not flags:
            continue
        if kind is bool:
            argv += [flags[-1]]
        elif _is_choice(kind):
            argv += [f"{flags[0]}={list(kind)[-1]}"]
        elif kind is list:
            argv += [flags[0], "one", f"{flags[0]}=two"]
        else:
            argv += [flags[-1], "7" if kind is int else "value", "gunicorn.conf.py"]
    fast = cli.fast_check(argv)
    assert fast is not None
    assert fast == _typer_reads(argv, monkeypatch)
    assert all(
        getattr(fast, field.name) != field.default
        for field in dataclasses.fields(cli_options.CheckOptions)
        if cli_options.spec(field).flags
    )


@pytest.mark.parametrize(
    ("argv", "paths", "quiet"),
    [
        (["check", "--", "-odd-name.conf"], ["-odd-name.conf"], False),
        (["check", "-q", "a", "--", "--format", "-"], ["a", "--format", "-"], True),
    ],
    ids=["-- -odd-name.conf", "-q a -- --format -"],
)
def test_after_a_double_dash_typer_reads_paths(
    argv: list[str], paths: list[str], quiet: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli.fast_check(argv) is None  # typer's: the fast path hands it over
    assert _typer_reads(argv, monkeypatch) == cli.CheckOptions(paths=paths, quiet=quiet)
