"""``gwlint check --fix / --unsafe-fixes / --diff / --show-fixes`` as a user runs them."""

from __future__ import annotations

import ast
import json
import re
import shutil
import stat
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gwlint.loaders.common import Problems, reading_within
from gwlint.loaders.gunicorn import read_settings
from gwlint.model.facts import Facts
from tests.conftest import FIXTURES, gwlint
from tests.test_fix_roundtrip import CASES, every_rule
from tests.test_sarif import SCHEMA_FILE

DEMO = FIXTURES / "demo"

NGINX = """\
events {}
http {
    server {
        listen 80;
        location / {
            proxy_read_timeout 120s;
            proxy_pass http://127.0.0.1:8000;
        }
    }
}
"""


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_diff_on_the_demo_shows_the_edits_and_writes_nothing() -> None:
    before = _snapshot(DEMO)
    try:
        run = gwlint("check", "--diff", cwd=DEMO)
        after = _snapshot(DEMO)
    finally:
        for name, data in before.items():  # never leave the repository changed
            if (DEMO / name).read_bytes() != data:
                (DEMO / name).write_bytes(data)
    assert after == before
    assert run.code == 1
    assert "--- a/gunicorn.conf.py\n+++ b/gunicorn.conf.py\n" in run.out
    assert "+keepalive = 75\n" in run.out
    assert "--- a/reports-uwsgi.ini\n+++ b/reports-uwsgi.ini\n" in run.out
    for line in ("-harakiri = 30", "+harakiri = 75", "-buffer-size = 32k", "+buffer-size = 32768"):
        assert f"\n{line}\n" in run.out
    assert run.err == "Would fix 3 findings in 2 file(s).\n"


def test_diff_without_fixes_exits_0(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(NGINX)
    (tmp_path / "gunicorn.conf.py").write_text("bind = '127.0.0.1:8000'\ntimeout = 150\n")
    run = gwlint("check", "--diff", "--isolated", "--select", "GW101", cwd=tmp_path)
    assert (run.code, run.out, run.err) == (0, "", "")  # quiet: nothing to fix


def _broken_pair(tmp_path: Path, mode: int = 0o640) -> Path:
    (tmp_path / "nginx.conf").write_text(NGINX)
    conf = tmp_path / "gunicorn.conf.py"
    conf.write_text("# the app\nbind = '127.0.0.1:8000'\ntimeout = 30  # seconds\n")
    conf.chmod(mode)
    return conf


def test_fix_writes_the_value_keeps_the_rest_and_the_mode(tmp_path: Path) -> None:
    conf = _broken_pair(tmp_path)
    run = gwlint("check", "--fix", "--isolated", "--select", "GW101", cwd=tmp_path)
    assert run.code == 0, run.out + run.err
    assert conf.read_text() == "# the app\nbind = '127.0.0.1:8000'\ntimeout = 150  # seconds\n"
    assert stat.S_IMODE(conf.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gunicorn.conf.py", "nginx.conf"]
    assert run.out.startswith("All checks passed (1 finding fixed).")
    # read back by gwlint's own reader: the new value, from the same line
    with reading_within([str(tmp_path)]):
        settings = read_settings(str(conf), Facts(), Problems())
    assert settings is not None
    assert (settings["timeout"].value, settings["timeout"].source.line) == (150, 3)
    # stable: nothing left to fix
    again = gwlint("check", "--diff", "--isolated", "--select", "GW101", cwd=tmp_path)
    assert (again.code, again.out) == (0, "")


def test_show_fixes_lists_what_was_fixed(tmp_path: Path) -> None:
    _broken_pair(tmp_path)
    run = gwlint("check", "--fix", "--show-fixes", "--isolated", "--select", "GW101", cwd=tmp_path)
    assert "Fixed:\n  nginx.conf:6:13: GW101 set timeout = 150 in gunicorn.conf.py\n" in run.out
    # without --fix: what --fix would do
    _broken_pair(tmp_path)
    run = gwlint("check", "--show-fixes", "--isolated", "--select", "GW101", cwd=tmp_path)
    assert "Fixable with --fix:\n  nginx.conf:6:13: GW101 set timeout = 150 in" in run.out
    assert "; 1 fixable with --fix." in run.out


def test_nothing_is_written_when_a_file_cannot_be(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two files to fix; the second cannot be prepared: neither is written."""
    shutil.copytree(DEMO, tmp_path / "demo")
    folder = tmp_path / "demo"
    before = _snapshot(folder)
    import tempfile

    real = tempfile.mkstemp
    calls: list[str] = []

    def failing(*args: Any, **kwargs: Any) -> tuple[int, str]:
        calls.append(str(kwargs.get("prefix")))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", failing)
    run = gwlint("check", "--fix", cwd=folder)
    assert run.code == 2
    assert run.err == (
        "gwlint: error: cannot write the fixes: No space left on device; nothing was written\n"
    )
    assert _snapshot(folder) == before
    assert len(calls) == 2


def test_a_fix_that_would_break_the_file_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor gone wrong: the file it would write cannot be read (GW003, even though the
    run selects GW101 only). The fix is withheld, says why, and nothing is written."""
    conf = _broken_pair(tmp_path)
    before = conf.read_bytes()
    from gwlint.fixes import python_text
    from gwlint.fixes.spans import Span

    def broken(text: str, name: str, literal: str, line: int | None) -> Span:
        return Span(0, 0, "def (:\n")

    monkeypatch.setattr(python_text, "set_assignment", broken)
    command = ("check", "--isolated", "--select", "GW101")
    run = gwlint(*command, "--fix", "--show-fixes", cwd=tmp_path)
    assert run.code == 1
    assert (
        "Not fixable automatically:\n  nginx.conf:6:13: GW101 applying it would bring GW003 "
        "(gunicorn.conf.py); change it by hand\n" in run.out
    )
    assert conf.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gunicorn.conf.py", "nginx.conf"]


def test_fix_refuses_standard_input_and_dumps(tmp_path: Path) -> None:
    _broken_pair(tmp_path)
    run = gwlint("check", "--fix", "--stdin-filename", "gunicorn.conf.py", cwd=tmp_path)
    assert run.code == 2
    assert "--fix edits files: not with standard input" in run.err
    run = gwlint("check", "--diff", "--nginx-dump", "dump.txt", cwd=tmp_path)
    assert run.code == 2
    assert "--diff edits files: not the output of nginx -T" in run.err


def test_unsafe_fixes_need_the_flag(tmp_path: Path) -> None:
    """GW105's 10s is one value among several: only --unsafe-fixes applies it."""
    case = FIXTURES / "GW105"
    fires = next(c for c in sorted(case.iterdir()) if (c / "expected.txt").read_text())
    folder = tmp_path / "case"
    shutil.copytree(fires, folder)
    command = every_rule(folder)
    document = json.loads(gwlint(*command, "--format", "json", cwd=folder).out)
    gw105 = [d for d in document["diagnostics"] if d["code"] == "GW105"]
    assert gw105
    assert all(d["fix_safety"] == "unsafe" for d in gw105)
    before = _snapshot(folder)
    gwlint(*command, "--fix", cwd=folder)
    assert not any(d["code"] == "GW105" for d in _fixed(folder, command))
    after_safe = _snapshot(folder)
    assert "10s" not in after_safe.get("nginx.conf", b"").decode() or before == after_safe
    gwlint(*command, "--fix", "--unsafe-fixes", cwd=folder)
    assert not any(
        d["code"] == "GW105"
        for d in json.loads(gwlint(*command, "--format", "json", cwd=folder).out)["diagnostics"]
    )


def _fixed(folder: Path, command: list[str]) -> list[dict[str, Any]]:
    out = gwlint(*command, "--fix", "--format", "json", cwd=folder).out
    fixed: list[dict[str, Any]] = json.loads(out)["fixed"]
    return fixed


def test_json_gives_each_fix_as_edits(tmp_path: Path) -> None:
    _broken_pair(tmp_path)
    run = gwlint("check", "--isolated", "--select", "GW101", "--format", "json", cwd=tmp_path)
    (diagnostic,) = json.loads(run.out)["diagnostics"]
    assert diagnostic["fix_safety"] == "safe"
    assert diagnostic["not_fixable"] is None
    assert diagnostic["edits"] == [
        {
            "path": "gunicorn.conf.py",
            "start": {"line": 3, "column": 11},
            "end": {"line": 3, "column": 13},
            "replacement": "150",
        }
    ]


def test_sarif_fixes_are_valid(tmp_path: Path) -> None:
    shutil.copytree(DEMO, tmp_path / "demo")
    run = gwlint("check", "--format", "sarif", cwd=tmp_path / "demo")
    document = json.loads(run.out)
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(document)
    fixes = [r["fixes"] for r in document["runs"][0]["results"] if "fixes" in r]
    assert len(fixes) == 3
    change = next(
        c
        for f in fixes
        for c in f[0]["artifactChanges"]
        if c["artifactLocation"]["uri"] == "reports-uwsgi.ini"
        and c["replacements"][0]["insertedContent"]["text"] == "32768"
    )
    region = change["replacements"][0]["deletedRegion"]
    line = (
        (tmp_path / "demo" / "reports-uwsgi.ini").read_text().splitlines()[region["startLine"] - 1]
    )
    assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == "32k"


# --- every fixed gunicorn config of the fixtures is read back with its new value ------------

_SET = re.compile(r"(?:set|write|add) (\w+) = (.+?) in (\S+\.py)$")
_REMOVE = re.compile(r"^remove (\w+) from (\S+\.py)$")


def _python_fixes(case: Path) -> bool:
    run = gwlint(*every_rule(case), "--format", "json", cwd=case)
    return any(
        edit["path"].endswith(".py")
        for d in json.loads(run.out)["diagnostics"]
        for edit in d["edits"]
    )


PYTHON = [case for case in CASES if _python_fixes(case)]


@pytest.mark.parametrize("case", PYTHON, ids=[f"{c.parent.name}/{c.name}" for c in PYTHON])
def test_fixed_gunicorn_configs_read_back(case: Path, tmp_path: Path) -> None:
    folder = tmp_path / case.name
    shutil.copytree(case, folder, symlinks=True)
    command = every_rule(folder)
    run = gwlint(*command, "--fix", "--unsafe-fixes", "--format", "json", cwd=folder)
    assert run.code in (0, 1), run.err
    checked = 0
    for fixed in json.loads(run.out)["fixed"]:
        removed = _REMOVE.search(fixed["fix"])
        if removed is not None:  # taken out: the name is no longer set, the file still reads
            name, path = removed.groups()
            with reading_within([str(folder)]):
                settings = read_settings(str(folder / path), Facts(), Problems())
            assert settings is not None
            assert name not in settings
            checked += 1
            continue
        found = _SET.search(fixed["fix"])
        if found is None:
            continue
        name, literal, path = found.groups()
        with reading_within([str(folder)]):
            problems = Problems()
            settings = read_settings(str(folder / path), Facts(), problems)
        unreadable = [p for p in problems.items if p.code == "GW003"]
        assert settings is not None
        assert not unreadable
        # the last value written, as a later round may have raised it again
        assert settings[name].known
        checked += 1
        assert ast.parse((folder / path).read_text())
        if settings[name].value == ast.literal_eval(literal):
            continue
        later = [f["fix"] for f in json.loads(run.out)["fixed"] if f" {name} = " in f["fix"]]
        assert f"{name} = {settings[name].raw} " in later[-1] + " ", (fixed, later)
    # each case had an edit of a .py file: it was made (and read back above), or withheld
    notes = [d["not_fixable"] or "" for d in json.loads(run.out)["diagnostics"]]
    assert checked or any(n.startswith("applying it would bring") for n in notes), run.out


def test_some_gunicorn_configs_are_fixed() -> None:
    assert len(PYTHON) >= 10, [f"{c.parent.name}/{c.name}" for c in PYTHON]


# --- values that come from a variable ---------------------------------------------------------

UNIT = """\
[Service]
Environment="TIMEOUT=30" "WORKERS=3"
ExecStart=/srv/venv/bin/gunicorn app:app \\
    --bind 127.0.0.1:8000 \\
    --timeout ${TIMEOUT} --workers ${WORKERS}
"""


def test_a_flag_given_by_a_variable_is_fixed_where_the_variable_is_set(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(NGINX)
    unit = tmp_path / "app.service"
    unit.write_text(UNIT)
    command = ("check", "--isolated", "--select", "GW101")
    run = gwlint(*command, "--fix", "--show-fixes", cwd=tmp_path)
    assert "GW101 change TIMEOUT=30 to TIMEOUT=150 in app.service:2 (the ${TIMEOUT} of line 5)" in (
        run.out
    )
    assert unit.read_text() == UNIT.replace("TIMEOUT=30", "TIMEOUT=150")
    assert run.code == 0


def test_a_default_in_a_variable_reference_is_an_unsafe_fix(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(NGINX)
    procfile = tmp_path / "Procfile"
    procfile.write_text("web: gunicorn app:app -b 127.0.0.1:8000 --timeout ${T:-30}\n")
    command = ("check", "--isolated", "--select", "GW101")
    run = gwlint(*command, "--fix", cwd=tmp_path)
    assert run.code == 1  # unsafe: the variable may be set where the app runs
    assert "${T:-30}" in procfile.read_text()
    run = gwlint(*command, "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert procfile.read_text() == "web: gunicorn app:app -b 127.0.0.1:8000 --timeout ${T:-150}\n"
    assert run.code == 0


def test_a_uwsgi_value_from_the_environment_is_not_rewritten(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(
        NGINX.replace("proxy_read_timeout", "uwsgi_read_timeout").replace(
            "proxy_pass http://", "include uwsgi_params;\n            uwsgi_pass "
        )
    )
    ini = tmp_path / "uwsgi.ini"
    ini.write_text("[uwsgi]\nsocket = 127.0.0.1:8000\nharakiri = $(HARAKIRI)\n")
    command = ("check", "--isolated", "--select", "GW102", "--env", "HARAKIRI=30")
    run = gwlint(*command, "--fix", "--show-fixes", cwd=tmp_path)
    assert "is expanded from a variable or placeholder: change it where that is set" in run.out
    assert "$(HARAKIRI)" in ini.read_text()
    assert run.code == 1


@pytest.mark.parametrize(
    ("env", "fixed"),
    [
        # docker's --env-file: the value is the rest of the line, quotes or not
        ("GUNICORN_CMD_ARGS=--bind 127.0.0.1:8000 --timeout 30\n", "--timeout 150\n"),
        ('GUNICORN_CMD_ARGS="--bind 127.0.0.1:8000 --timeout=30"\n', '--timeout=150"\n'),
        # not set at all: added at the end of the value
        ('GUNICORN_CMD_ARGS="--bind 127.0.0.1:8000"\n', '--bind 127.0.0.1:8000 --timeout 150"\n'),
        ("GUNICORN_CMD_ARGS=--bind 127.0.0.1:8000\n", "--bind 127.0.0.1:8000 --timeout 150\n"),
    ],
)
def test_gunicorn_cmd_args_of_an_env_file(tmp_path: Path, env: str, fixed: str) -> None:
    (tmp_path / "nginx.conf").write_text(NGINX)
    (tmp_path / "prod.env").write_text("# production\n" + env)
    run = gwlint("check", "--isolated", "--select", "GW101", "--fix", cwd=tmp_path)
    assert run.code == 0, run.out
    text = (tmp_path / "prod.env").read_text()
    assert text.startswith("# production\nGUNICORN_CMD_ARGS=")
    assert text.endswith(fixed)


def test_a_snippet_that_several_blocks_include_is_changed_only_as_unsafe(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(
        "events {}\nhttp {\n    server {\n        listen 80;\n"
        "        location / {\n            include proxy.conf;\n"
        "            proxy_pass http://127.0.0.1:8000;\n        }\n"
        "        location /api/ {\n            include proxy.conf;\n"
        "            proxy_pass http://127.0.0.1:8000;\n        }\n    }\n}\n"
    )
    (tmp_path / "proxy.conf").write_text("proxy_connect_timeout 120s;\n")
    command = ("check", "--isolated", "--select", "GW105", "nginx.conf")
    document = json.loads(gwlint(*command, "--format", "json", cwd=tmp_path).out)
    (diagnostic,) = document["diagnostics"]
    assert diagnostic["fix_safety"] == "unsafe"
    run = gwlint(*command, "--fix", "--unsafe-fixes", "--show-fixes", cwd=tmp_path)
    assert "proxy.conf is included 2 times: each block that includes it changes" in run.out
    assert (tmp_path / "proxy.conf").read_text() == "proxy_connect_timeout 10s;\n"


def test_a_template_placeholder_is_not_overwritten() -> None:
    from gwlint.fixes.resolve import _no_placeholder
    from gwlint.fixes.spans import EditError

    text = "location / {\n    proxy_read_timeout ${READ_TIMEOUT};\n}\n"
    with pytest.raises(EditError, match="written with a template placeholder"):
        _no_placeholder(text, 2, "proxy_read_timeout")
    _no_placeholder(text, 1, "location")  # a plain line passes


@pytest.mark.parametrize("flag", ["--diff", "--show-fixes"])
def test_diff_and_show_fixes_are_text(tmp_path: Path, flag: str) -> None:
    _broken_pair(tmp_path)
    run = gwlint("check", flag, "--format", "json", cwd=tmp_path)
    assert run.code == 2
    assert run.err == f"gwlint: error: {flag} is for the text format, not --format json\n"


def test_a_symbolic_link_is_never_written_through(tmp_path: Path) -> None:
    """A config reached through a symbolic link (in the tree or out of it) keeps its fix as
    text: --fix writes only regular files of the folders it reads."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    real = outside / "real.conf.py"
    real.write_text("bind = '127.0.0.1:8000'\ntimeout = 30\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "nginx.conf").write_text(NGINX)
    inside = repo / "settings.py"
    inside.write_text("bind = '127.0.0.1:8000'\ntimeout = 30\n")
    (repo / "gunicorn.conf.py").symlink_to(inside)
    run = gwlint("check", "--isolated", "--select", "GW101", "--fix", "--show-fixes", cwd=repo)
    assert "is not a regular file of the repository" in run.out
    assert inside.read_text() == "bind = '127.0.0.1:8000'\ntimeout = 30\n"
    (repo / "gunicorn.conf.py").unlink()
    (repo / "gunicorn.conf.py").symlink_to(real)
    run = gwlint("check", "--isolated", "--select", "GW101", "--fix", cwd=repo)
    assert real.read_text() == "bind = '127.0.0.1:8000'\ntimeout = 30\n"


def test_the_diff_shows_a_control_character_as_text(tmp_path: Path) -> None:
    """An escape sequence in a config line around an edit reaches the terminal as text."""
    (tmp_path / "nginx.conf").write_text(NGINX)
    (tmp_path / "gunicorn.conf.py").write_text(
        "# \x1b[31mred\x1b[0m\nbind = '127.0.0.1:8000'\ntimeout = 30\n"
    )
    run = gwlint("check", "--isolated", "--select", "GW101", "--diff", cwd=tmp_path)
    assert "\x1b" not in run.out
    assert " # \\x1b[31mred\\x1b[0m\n" in run.out
    assert "+timeout = 150\n" in run.out
