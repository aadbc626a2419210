"""The command line: exit codes, one-line errors, formats, `python -m gwlint`, rules listing."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, gwlint

DEMO = ROOT / "fixtures" / "demo"

NOTHING_FOUND = "gwlint: warning: no nginx, Apache, Caddy, gunicorn or uWSGI config found in .\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_findings_exit_1_and_exit_zero(tmp_path: Path) -> None:
    write(
        tmp_path,
        "nginx.conf",
        "http { server { location / { proxy_pass http://127.0.0.1:8001; } } }\n",
    )
    write(tmp_path, "gunicorn.conf.py", "bind = '127.0.0.1:8000'\n")
    run = gwlint("check", "nginx.conf", "gunicorn.conf.py", cwd=tmp_path)
    assert run.code == 1
    assert "\nnginx.conf:1:30: GW401 [error] proxy_pass 127.0.0.1:8001" in run.out
    assert gwlint("check", "nginx.conf", "gunicorn.conf.py", "--exit-zero", cwd=tmp_path).code == 0


def test_clean_and_info_only_exit_0(tmp_path: Path) -> None:
    write(
        tmp_path,
        "nginx.conf",
        "http { server { location / { proxy_pass http://127.0.0.1:8000; } } }\n",
    )
    write(tmp_path, "gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 75\nworkers = 3\n")
    run = gwlint("check", "nginx.conf", "gunicorn.conf.py", cwd=tmp_path)
    assert run.code == 0, run.out
    assert run.out.startswith("All checks passed.")
    assert "nginx 1.30 (assumed; set --nginx-version)" in run.out
    write(tmp_path, "gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 75\n")
    run = gwlint("check", "nginx.conf", "gunicorn.conf.py", cwd=tmp_path)
    assert run.code == 0  # GW301 one worker: info only
    assert "GW301 [info]" in run.out


def test_broken_input_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    write(tmp_path, "nginx.conf", "http {\n  server {\n    listen 80\n")
    write(tmp_path, "gunicorn.conf.py", "bind = (\n")
    write(tmp_path, "uwsgi.ini", "[app]\nsocket = :3031\n")
    run = gwlint("check", "nginx.conf", "gunicorn.conf.py", "uwsgi.ini", cwd=tmp_path)
    assert run.code == 1
    assert run.err == ""
    codes = [line.split(" ")[1] for line in run.out.splitlines() if ": GW" in line]
    assert "GW001" in codes
    assert "GW003" in codes
    assert "GW004" in codes


def test_usage_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    for args in (
        ["check", "--bogus"],
        ["check", ".", "--select", "XX9"],
        ["check", ".", "--nginx-version", "latest"],
        ["check", ".", "--nginx-version", "9.9"],  # newer than gwlint knows
        ["check", ".", "--gunicorn-version", "18.0"],  # older than gwlint knows
        ["check", ".", "--cpus", "0"],
        ["check", ".", "--env", "NOEQUALS"],
        ["check", ".", "--format", "xml"],
        ["rule", "GW999"],
        ["check", "--nginx", "."],
        ["check", ".", "--nginx-prefix", "no/such/folder"],
    ):
        run = gwlint(*args, cwd=tmp_path)
        assert run.code == 2, (args, run.out, run.err)
        assert run.err.startswith("gwlint: error: "), (args, run.err)
        assert run.err.count("\n") == 1, (args, run.err)
        assert "Traceback" not in run.err


def test_a_named_path_with_nothing_to_check_is_a_located_finding(tmp_path: Path) -> None:
    """As ruff reports a missing path (E902): a finding at the path, and exit 1, never a green
    run on nothing."""
    write(tmp_path, "notes.txt", "hello\n")
    (tmp_path / "empty").mkdir()
    for path, words in (
        ("notes.txt", "--nginx, --gunicorn or --uwsgi"),
        ("missing.conf", "no such file or directory"),
        ("empty", "no nginx, Apache, Caddy, gunicorn or uWSGI config"),
    ):
        run = gwlint("check", path, cwd=tmp_path)
        assert run.code == 1, (path, run.out, run.err)
        assert run.out.startswith(f"{path}:1:1: GW010 [error] "), run.out
        assert words in run.out
        assert run.err == ""
    # without arguments, the walk of the working directory only warns (a pre-commit hook)
    run = gwlint("check", cwd=tmp_path / "empty")
    assert run.code == 0
    assert run.err == NOTHING_FOUND
    run = gwlint("check", "--nginx", "notes.txt", cwd=tmp_path)
    assert run.code == 1  # read as nginx: "hello" is not a directive
    assert "GW001" in run.out


def test_json_format() -> None:
    run = gwlint("check", "fixtures/demo", "--format", "json", cwd=ROOT)
    document = json.loads(run.out)
    assert document["version"]
    assert {"code", "severity", "message", "path", "line", "column", "related", "fix"} <= set(
        document["diagnostics"][0]
    )
    keys = [(d["path"], d["line"], d["code"]) for d in document["diagnostics"]]
    assert keys == sorted(keys)
    assert all(not d["path"].startswith("/") for d in document["diagnostics"])


def test_relative_paths_stay_relative_and_output_is_deterministic() -> None:
    first = gwlint("check", "fixtures/demo", cwd=ROOT)
    second = gwlint("check", "fixtures/demo/", cwd=ROOT)
    assert first.out.replace("fixtures/demo/", "") == second.out.replace("fixtures/demo/", "")
    assert "fixtures/demo/nginx.conf:" in first.out
    assert gwlint("check", "fixtures/demo", cwd=ROOT).out == first.out


def test_select_and_ignore() -> None:
    run = gwlint("check", "fixtures/demo", "--select", "GW4,GW506", cwd=ROOT)
    codes = {line.split(" ")[1] for line in run.out.splitlines() if ": GW" in line}
    assert codes == {"GW401", "GW506"}
    run = gwlint("check", "fixtures/demo", "--ignore", "GW401", "--ignore", "GW0", cwd=ROOT)
    codes = {line.split(" ")[1] for line in run.out.splitlines() if ": GW" in line}
    assert "GW401" not in codes
    assert not any(code.startswith("GW0") for code in codes)


def test_rules_listing() -> None:
    listing = json.loads(gwlint("rules", "--format", "json").out)
    assert {"code", "title", "severity", "family"} == set(listing[0])
    codes = [r["code"] for r in listing]
    assert codes == sorted(codes)
    assert {"GW001", "GW101", "GW201", "GW401", "GW601"} <= set(codes)
    text = gwlint("rules").out
    assert "GW201  error" in text


def test_rule_page() -> None:
    """For a terminal by default: no Markdown marks; the page itself with --format markdown;
    its fields with --format json."""
    run = gwlint("rule", "gw201")
    assert run.code == 0
    assert run.out.startswith("GW201: ")
    assert "\nWhy it matters\n" in run.out
    assert "\nFix\n" in run.out
    assert "```" not in run.out
    assert "<!--" not in run.out
    assert "## " not in run.out
    page = gwlint("rule", "gw201", "--format", "markdown").out
    assert page.startswith("<!--")
    assert "## Why it matters" in page
    document = json.loads(gwlint("rule", "GW201", "--format", "json").out)
    assert document["code"] == "GW201"
    assert document["severity"] == "error"
    assert document["page"] == page
    assert any(c.get("observed") == "gw201-race" and c["status"] == 502 for c in document["claims"])


def test_version_and_help() -> None:
    from gwlint import __version__

    assert gwlint("--version").out == f"gwlint {__version__}\n"
    run = gwlint("check", "--help")
    assert run.code == 0
    assert "--nginx-version" in run.out


def test_python_dash_m() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gwlint", "check", str(DEMO), "--select", "GW506"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "GW506" in result.stdout
    assert result.stderr == ""


def test_directory_walk_skips_virtualenvs(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    write(
        tmp_path / "deploy",
        "nginx.conf",
        "http { server { location / { proxy_pass http://127.0.0.1:8001; } } }\n",
    )
    write(tmp_path / "deploy", "gunicorn.conf.py", "bind = '127.0.0.1:8000'\n")
    write(tmp_path / ".venv" / "lib", "nginx.conf", "this is not nginx {\n")
    write(tmp_path, "settings.py", "DEBUG = True\n")
    run = gwlint("check", cwd=tmp_path)
    assert run.code == 1
    assert "deploy/nginx.conf:1:30: GW401" in run.out
    assert ".venv" not in run.out


def test_a_folder_with_no_config_says_so(tmp_path: Path) -> None:
    run = gwlint("check", cwd=tmp_path)
    assert run.code == 0
    assert run.err == NOTHING_FOUND


def test_the_readme_demo_shows_what_the_readme_promises() -> None:
    run = gwlint("check", "fixtures/demo/", cwd=ROOT)
    assert run.code == 1
    codes = {line.split(" ")[1] for line in run.out.splitlines() if ": GW" in line}
    assert {"GW201", "GW401", "GW102", "GW506"} <= codes


def test_statistics_quiet_and_fail_on() -> None:
    listed = gwlint("check", "--isolated", "--format", "json", ".", cwd=DEMO)
    codes = [d["code"] for d in json.loads(listed.out)["diagnostics"]]
    run = gwlint("check", "--isolated", "--statistics", ".", cwd=DEMO)
    lines = run.out.splitlines()
    counts = [int(line.split()[0]) for line in lines[:-2]]
    assert {line.split()[1]: n for line, n in zip(lines, counts, strict=False)} == {
        code: codes.count(code) for code in set(codes)
    }
    assert counts == sorted(counts, reverse=True)
    assert lines[-2] == ""
    assert lines[-1].startswith("Found ")
    assert run.code == 1

    text = gwlint("check", "--isolated", ".", cwd=DEMO).out
    quiet = gwlint("check", "--isolated", "-q", ".", cwd=DEMO)
    assert quiet.out == text.rsplit("\n\n", 1)[0] + "\n"  # everything but the summary
    assert quiet.code == 1
    clean = ROOT / "fixtures" / "GW101" / "quiet-timeout-longer-than-read-timeout"
    assert gwlint("check", "--isolated", "-q", "--select", "GW1", ".", cwd=clean).out == ""

    run = gwlint("check", "--isolated", "--fail-on", "fatal", ".", cwd=DEMO)
    assert run.code == 2
    assert "'fatal' is not one of 'error', 'warning', 'info'" in run.err
    run = gwlint("check", "--statistics", "--format", "json", ".", cwd=DEMO)
    assert run.code == 2
    assert run.err == "gwlint: error: --statistics is for the text format, not --format json\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_when_asked_or_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = gwlint("check", "--isolated", ".", cwd=DEMO).out
    assert "\x1b[" not in plain  # not a terminal
    painted = gwlint("check", "--isolated", "--color", "always", ".", cwd=DEMO).out
    assert "\x1b[31;1mGW" in painted
    assert re.sub(r"\x1b\[[0-9;]*m", "", painted) == plain
    assert "\x1b[" not in gwlint("check", "--isolated", "--color", "never", ".", cwd=DEMO).out

    from gwlint import cli

    monkeypatch.setattr(cli.sys, "stdout", _Terminal())
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert cli._colour_terminal()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli._colour_terminal()
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert not cli._colour_terminal()


def test_bare_gwlint_prints_the_short_help_and_exits_0() -> None:
    run = gwlint()
    assert run.code == 0, run.err
    assert run.out.startswith("Usage: gwlint [OPTIONS] COMMAND [ARGS]...")
    assert "check" in run.out
    assert run.err == ""


def test_output_format_is_another_name_of_format(tmp_path: Path) -> None:
    write(tmp_path, "nginx.conf", "events {}\nhttp { server { listen 80; } }\n")
    for args in (["--output-format", "json"], ["--output-format=json"]):
        run = gwlint("check", "nginx.conf", *args, "--ignore", "GW011", cwd=tmp_path)
        assert run.code == 0, run.err
        assert json.loads(run.out)["diagnostics"] == []


def test_errors_in_gwlint_words_and_help_with_metavars(tmp_path: Path) -> None:
    run = gwlint("check", "--cpus", "abc", ".", cwd=tmp_path)
    assert run.code == 2
    assert run.err == (
        "gwlint: error: Invalid value for '--cpus': not a whole number "
        "(try 'gwlint check --help')\n"
    )
    help_text = gwlint("check", "--help").out
    options = help_text.partition("Options:")[2]
    assert "<str>" not in options
    assert "<int>" not in options
    assert "<list[str]>" not in options
    for metavar in ("--cpus N", "--nginx-version X.Y.Z", "--env NAME=VALUE", "--select CODES"):
        assert metavar in options, metavar


def test_force_color_paints_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """FORCE_COLOR (https://force-color.org), as CI logs that show colour ask for it; NO_COLOR
    and --color never still win."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[31;1mGW" in gwlint("check", "--isolated", ".", cwd=DEMO).out
    assert "\x1b[" not in gwlint("check", "--isolated", "--color", "never", ".", cwd=DEMO).out
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in gwlint("check", "--isolated", ".", cwd=DEMO).out
    monkeypatch.setenv("FORCE_COLOR", "")  # empty: not set
    monkeypatch.delenv("NO_COLOR")
    assert "\x1b[" not in gwlint("check", "--isolated", ".", cwd=DEMO).out


def test_help_names_arguments_and_values_by_their_metavar() -> None:
    """typer writes an argument's type after its name (``PATH <list[str]>``, ``{CODE}``):
    gwlint's help names each argument and option value by its metavar, as click does."""
    typed = re.compile(r"<(?:str|int|float|bool|path|list\[[^>]*\])>|\{[A-Z]+\}")
    for command in ([], ["check"], ["rules"], ["rule"]):
        run = gwlint(*command, "--help")
        assert run.code == 0, run.err
        assert not typed.search(run.out), (command, typed.search(run.out))
    check = gwlint("check", "--help").out
    assert check.startswith("Usage: gwlint check [OPTIONS] [PATH]...\n")
    arguments = check.partition("\nArguments:\n")[2].partition("\nOptions:\n")[0]
    assert arguments.startswith("  PATH...  Config files or folders")
    rule = gwlint("rule", "--help").out
    assert rule.startswith("Usage: gwlint rule [OPTIONS] CODE\n")
    assert "\n  CODE  A rule code, e.g. GW101.  [required]\n" in rule

    import typer

    from gwlint.cli_typer import app

    # every option that takes a value names it: a metavar, or its choices
    for name, command in typer.main.get_command(app).commands.items():  # type: ignore[attr-defined]
        text = gwlint(name, "--help").out
        for param in command.params:
            if param.param_type_name != "option" or param.is_flag:
                continue
            if param.metavar is None:
                assert param.type_descriptor.is_choice, (name, param.name)
                continue
            longest = max(param.opts, key=len)
            assert f"{longest} {param.metavar}" in text, (name, param.opts)
    for shown in (
        "--cpus N",
        "--nginx-version X.Y.Z",
        "--gunicorn-version X.Y",
        "--output FILE",
        "--stdin-filename NAME",
        "--format, --output-format <text|json|",
    ):
        assert shown in check, shown


def test_show_completion_prints_a_script_for_the_shell_named() -> None:
    bash = gwlint("--show-completion", "bash")
    assert bash.code == 0, bash.err
    assert "complete -o default -F _gwlint_completion gwlint" in bash.out
    assert "_GWLINT_COMPLETE=complete_bash" in bash.out
    zsh = gwlint("--show-completion=zsh")
    assert zsh.code == 0, zsh.err
    assert zsh.out.startswith("#compdef gwlint\n")
    fish = gwlint("--show-completion", "fish")
    assert "complete --command gwlint" in fish.out
    wrong = gwlint("--show-completion", "tcsh")
    assert wrong.code == 2
    assert wrong.out == ""
    assert wrong.err.startswith("gwlint: error: Invalid value for '--show-completion': ")
    assert wrong.err.count("\n") == 1
    # the shell named once: typer's own reading of the option is left as it was
    import os

    assert "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION" not in os.environ
    assert "--show-completion  " in gwlint("--help").out  # a flag again: the shell detected


def test_install_completion_writes_the_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    run = gwlint("--install-completion", "bash")
    assert run.code == 0, run.err
    script = tmp_path / ".bash_completions" / "gwlint.sh"
    assert "_gwlint_completion" in script.read_text()
    assert f"source '{script}'" in (tmp_path / ".bashrc").read_text()


def test_the_shell_asks_and_gwlint_completes(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the completion script runs: gwlint with the words typed in the environment (no
    argument, so never the short help of a bare ``gwlint``, nor the fast path)."""
    monkeypatch.setenv("_GWLINT_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "gwlint check --for")
    monkeypatch.setenv("COMP_CWORD", "2")
    run = gwlint()
    assert run.code == 0, run.err
    assert run.out.split() == ["--format"]
    monkeypatch.setenv("COMP_WORDS", "gwlint check --format ")
    monkeypatch.setenv("COMP_CWORD", "3")
    assert gwlint().out.split() == ["text", "json", "sarif", "github", "gitlab", "junit"]
    monkeypatch.setenv("COMP_WORDS", "gwlint ru")
    monkeypatch.setenv("COMP_CWORD", "1")
    assert gwlint().out.split() == ["rules", "rule"]


def _bash() -> str:
    import os
    import shutil

    found = shutil.which("bash")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("bash is missing, and CI is set: the completion script must be run")
        pytest.skip("bash is not installed")
    return found


def test_the_bash_script_completes_in_bash(tmp_path: Path) -> None:
    """The script `gwlint --show-completion bash` prints, sourced by bash, completes options
    through the gwlint command on PATH (here a wrapper of this Python's ``-m gwlint``)."""
    import os

    bash = _bash()
    wrapper = tmp_path / "bin" / "gwlint"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m gwlint "$@"\n')
    wrapper.chmod(0o755)
    script = tmp_path / "gwlint.sh"
    script.write_text(gwlint("--show-completion", "bash").out)
    program = (
        f"source '{script}'\n"
        "COMP_WORDS=(gwlint check --sarif-h); COMP_CWORD=2\n"
        "_gwlint_completion gwlint\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": f"{wrapper.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["--sarif-help"]


def test_show_completion_detects_the_shell_it_runs_in() -> None:
    """Without a name, typer detects the shell gwlint runs in (the processes above it)."""
    bash = _bash()
    result = subprocess.run(
        [
            bash,
            "--norc",
            "--noprofile",
            "-c",
            '"$0" -m gwlint --show-completion; exit $?',
            sys.executable,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "complete -o default -F _gwlint_completion gwlint" in result.stdout
